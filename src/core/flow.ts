/**
 * The one flow every front end runs: raw inputs → settings → requests → verdict → git set-up →
 * Outcome. Front ends only translate their world in (RawInputs, Ports) and the Outcome out.
 * Every error ends here as an Outcome; nothing else decides how a run ends.
 *
 * The heavy parts (the HTTP client and undici, git) are imported only once the inputs are
 * valid, so a bad input is rejected in about the time Node takes to start.
 */
import type { Clock } from "./bitbucket/client.ts";
import type { GitPorts } from "./git/setup.ts";
import type { RawInputs } from "./inputs/names.ts";
import { parseSettings, type Settings } from "./inputs/settings.ts";
import { problem } from "./messages/index.ts";
import { Failure, type Outcome } from "./outcome.ts";

export interface Ports {
  now: () => Date;
  /** Git's environment and the action's state; needed only when git is to be set up. */
  git?: GitPorts;
  clock?: Clock;
  /** Debug lines: one per request, never a header or a body. */
  log?: (line: string) => void;
  /** Called when the network part starts; returns what to call when it ends (a spinner). */
  busy?: () => () => void;
}

export async function authenticate(raw: RawInputs, ports: Ports): Promise<Outcome> {
  try {
    const parsed = parseSettings(raw, ports.now());
    if (parsed.problems) return { verdict: "bad-input", problems: parsed.problems, warnings: [] };
    return await check(parsed.settings, ports);
  } catch (error) {
    return failed(error);
  }
}

async function check(settings: Settings, ports: Ports): Promise<Outcome> {
  const { judgeOffline, judge } = await import("./verdict.ts");
  const offline = judgeOffline(settings, ports.now());
  if (offline.problems.length > 0)
    return { verdict: "unfit", problems: offline.problems, warnings: [] };

  const [{ BitbucketClient }, { createTransport }, { ask }] = await Promise.all([
    import("./bitbucket/client.ts"),
    import("./bitbucket/transport.ts"),
    import("./bitbucket/requests.ts"),
  ]);
  const done = ports.busy?.() ?? (() => {});
  const client = new BitbucketClient(settings, {
    transport: createTransport(),
    clock: ports.clock,
    log: ports.log,
  });
  let judgement: ReturnType<typeof judge>;
  try {
    judgement = judge(settings, await ask(settings, client), offline.expiry);
  } finally {
    await client.close();
    done();
  }
  if (judgement.verdict !== "fit" && judgement.verdict !== "unfit")
    return { verdict: judgement.verdict, problems: judgement.problems, warnings: [] };
  const outcome: Outcome = { ...judgement };
  if (judgement.verdict !== "fit" || !settings.configureGit) return outcome;
  if (!ports.git) throw new Error("git set-up asked for without its environment");
  try {
    const { setUpGit } = await import("./git/setup.ts");
    outcome.git = await setUpGit(settings, judgement.report, ports.git);
  } catch (error) {
    // The token is fine; the report still tells what Bitbucket said.
    return { ...failed(error), report: judgement.report, warnings: judgement.warnings };
  }
  outcome.warnings.push(...outcome.git.warnings);
  return outcome;
}

/** The one place an error becomes an Outcome. */
export function failed(error: unknown): Outcome {
  if (error instanceof Failure)
    return { verdict: error.verdict, problems: error.problems, warnings: [] };
  const reason = error instanceof Error ? error.message : String(error);
  return { verdict: "unexpected", problems: [problem("unexpected", { reason })], warnings: [] };
}
