/**
 * `npm run contract:live`: asks the real Bitbucket the step's questions (and a few refusals
 * that are safe to provoke), builds the equivalent world in a fresh emulator from what
 * Bitbucket said, asks the emulator the same, and prints where the answers differ.
 *
 * Exit codes: 0 everything the product reads matches, 1 a difference, 2 no usable token
 * (none set, malformed, or refused by Bitbucket), 3 Bitbucket could not be reached, 4 a bug.
 */
import { appendFileSync } from "node:fs";
import { createTransport, type Transport } from "../../src/core/bitbucket/transport.ts";
import { secretForms } from "../../src/core/inputs/credential.ts";
import { startBitbucket } from "../../test/emulator/bitbucket.ts";
import { askAll, type Plan, planCases, type Side } from "./cases.ts";
import { compareCase, type Observation, plural, type Row, tally } from "./compare.ts";
import { type LiveInputs, parseLiveInputs } from "./inputs.ts";
import { loopbackTransport } from "./loopback.ts";
import { factsSeen, markdownList, markdownTable, summaryLine, tableText } from "./report.ts";
import { createScrubber, type Scrubber } from "./scrub.ts";
import { buildWorld, readFacts, type WorldFacts } from "./world.ts";

export interface LiveIo {
  env: Record<string, string | undefined>;
  argv: string[];
  write(text: string): void;
  /** The Bitbucket side's transport: the product's own (proxy-aware) one unless a test fakes it. */
  transport?: () => Transport;
  /** Retries of the Bitbucket side (the step's default is 3). */
  retries?: number;
  today?: () => string;
}

const TIMEOUT_MS = 30_000;
/** JSON keys whose string values identify an account, a workspace or a repository. */
/** Objects whose `name` is someone's or something's name (a branch's or a link's is not). */
const NAMED = ["user", "team", "workspace", "project", "repository"];
const IDENTIFYING = [
  "uuid",
  "account_id",
  "username",
  "nickname",
  "display_name",
  "full_name",
  "slug",
  "email",
];

export async function runContractLive(io: LiveIo): Promise<number> {
  const parsed = parseLiveInputs(io.env, io.argv);
  if ("exit" in parsed) {
    io.write(parsed.text);
    return parsed.exit;
  }
  const { inputs } = parsed;
  const plan = planCases({ api: !!inputs.api, access: !!inputs.access }, inputs.repositories);
  const scrubber = scrubberFor(inputs, plan, io);
  try {
    return await check(io, inputs, plan, scrubber);
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.write(
      `contract:live stopped on an unexpected error (a bug): ${scrubber.scrub(text, 2000)}\n`,
    );
    return 4;
  }
}

/** Tokens, the email, workspace and repository names: none of them is ever printed. */
function scrubberFor(inputs: LiveInputs, plan: Plan, io: LiveIo): Scrubber {
  const scrubber = createScrubber();
  const secrets: [string, string?][] = [];
  if (inputs.api) secrets.push([inputs.api.token, inputs.api.email]);
  if (inputs.access) secrets.push([inputs.access.token]);
  for (const [token, email] of secrets) {
    scrubber.secret(token, email);
    // The runner masks the secrets it was given; derived forms need telling.
    if (io.env.GITHUB_ACTIONS === "true")
      for (const form of secretForms(token, email)) io.write(`::add-mask::${form}\n`);
  }
  scrubber.secret(plan.wrongTokens.api);
  scrubber.secret(plan.wrongTokens.access);
  scrubber.identifier(inputs.api?.email, "<email>");
  for (const [i, ws] of plan.workspaces.entries()) scrubber.identifier(ws, `<workspace ${i + 1}>`);
  for (const [i, r] of plan.repositories.entries()) scrubber.identifier(r.slug, `<repo ${i + 1}>`);
  scrubber.identifier(plan.missing.slug, "<missing repo>");
  scrubber.identifier(plan.missingWorkspace, "<missing workspace>");
  return scrubber;
}

async function check(io: LiveIo, inputs: LiveInputs, plan: Plan, scrubber: Scrubber) {
  const kinds = [inputs.api && "an API token", inputs.access && "an access token"].filter(Boolean);
  io.write(
    `Live contract check: ${inputs.apiUrl.origin} and ${inputs.gitUrl.origin} against the emulator (test/emulator/bitbucket.ts)\n` +
      `${kinds.join(" and ")}, ${plural(plan.repositories.length, "repository", "repositories")}: ${plural(plan.cases.length, "case")}, read-only.\n\n`,
  );

  const transport = (io.transport ?? createTransport)();
  let live: Observation[];
  try {
    const bitbucket: Side = {
      apiUrl: inputs.apiUrl,
      gitUrl: inputs.gitUrl,
      credentials: { api: inputs.api, access: inputs.access },
      transport,
      timeoutMs: TIMEOUT_MS,
      retries: io.retries ?? 3,
    };
    live = await askAll(plan, bitbucket, { stopWhenUnreachable: true });
  } finally {
    await transport.close();
  }
  const unreachable = live.find((o) => o.kind === "failed" && o.unreachable);
  if (unreachable?.kind === "failed") {
    const reason = scrubber.scrub(unreachable.reason, 300);
    io.write(`Bitbucket could not be reached, so nothing was compared: ${reason}\n`);
    return 3;
  }
  learnIdentifiers(scrubber, live);

  const facts = readFacts(plan, live);
  const emulated = await askEmulator(plan, facts, scrubber);
  const rows = plan.cases.flatMap((c, i) => compareCase(c.name, live[i], emulated[i]));
  const scrub = scrubber.scrub;
  const today = io.today?.() ?? new Date().toISOString().slice(0, 10);
  const seen = factsSeen(plan, live, scrub, today);
  const summary = summaryLine(rows, plan.cases.length);
  const verdict = verdictOf(rows, facts);
  io.write(`${tableText(rows, scrub)}\n\n${summary}\n\n${seen.join("\n")}\n\n${verdict.text}\n`);
  if (io.env.GITHUB_STEP_SUMMARY) {
    const markdown = `## Live contract check\n\n${summary} ${verdict.text}\n\n${markdownTable(rows, scrub)}\n\n${markdownList(seen)}\n`;
    appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown);
  }
  return verdict.code;
}

/** A fresh emulator with the world Bitbucket described, asked the same cases. */
async function askEmulator(plan: Plan, facts: WorldFacts, scrubber: Scrubber) {
  const emulator = await startBitbucket();
  const transport = loopbackTransport();
  try {
    const credentials = buildWorld(emulator, plan, facts);
    for (const token of [credentials.api?.token, credentials.access?.token])
      if (token) scrubber.secret(token);
    return await askAll(plan, {
      apiUrl: new URL(emulator.apiUrl),
      gitUrl: new URL(emulator.gitUrl),
      credentials,
      transport,
      timeoutMs: TIMEOUT_MS,
      retries: 0,
    });
  } finally {
    await transport.close();
    await emulator.close();
  }
}

function verdictOf(rows: Row[], facts: WorldFacts): { code: number; text: string } {
  const { diff } = tally(rows);
  if (diff > 0)
    return {
      code: 1,
      text: `The emulator differs from Bitbucket in ${plural(diff, "aspect")} the product reads (the DIFF rows). What to do: docs/contributing.md, "When the live check finds a difference".`,
    };
  const refused = [
    facts.api?.refused && "BITBUCKET_API_TOKEN (with BITBUCKET_EMAIL)",
    facts.access?.refused && "BITBUCKET_ACCESS_TOKEN",
  ].filter(Boolean);
  if (refused.length > 0)
    return {
      code: 2,
      text: `Bitbucket refused ${refused.join(" and ")} (401 on GET /user): the token is wrong, expired, revoked or has no Bitbucket scopes, or the email is not its account's. Only the refusals could be compared; renew the token and run again.`,
    };
  return {
    code: 0,
    text: "The emulator still tells the truth: every aspect the product reads matches Bitbucket.",
  };
}

/** Whatever Bitbucket's bodies say about who and what, so no cell can show it. */
function learnIdentifiers(scrubber: Scrubber, observations: Observation[]): void {
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || typeof value !== "object" || value === null) return;
    const named = NAMED.includes(String((value as { type?: unknown }).type));
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner !== "string") visit(inner, depth + 1);
      else if (IDENTIFYING.includes(key) || (key === "name" && named))
        scrubber.identifier(inner, `<${key}>`);
    }
  };
  for (const o of observations) if (o.kind === "answer") visit(o.response.json, 0);
}
