/**
 * `npm run contract:live`: asks the real Bitbucket the step's questions (and a few refusals
 * that are safe to provoke), builds the equivalent world in a fresh emulator from what
 * Bitbucket said, asks the emulator the same, and prints where the answers differ.
 *
 * Exit codes: 0 everything the product reads matches, 1 a difference, 2 no usable token
 * (none set, malformed, or refused by Bitbucket), 3 Bitbucket could not be reached.
 */
import { appendFileSync } from "node:fs";
import { createTransport, type Transport } from "../../src/core/bitbucket/transport.ts";
import { secretForms } from "../../src/core/inputs/credential.ts";
import { startBitbucket } from "../../test/emulator/bitbucket.ts";
import { askAll, planCases, type Side } from "./cases.ts";
import { compareCase, type Observation, tally } from "./compare.ts";
import { parseLiveInputs } from "./inputs.ts";
import { loopbackTransport } from "./loopback.ts";
import { factsSeen, markdownTable, summaryLine, tableText } from "./report.ts";
import { createScrubber, type Scrubber } from "./scrub.ts";
import { buildWorld, readFacts } from "./world.ts";

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
  scrubber.identifier(inputs.api?.email, "<email>");

  const plan = planCases({ api: !!inputs.api, access: !!inputs.access }, inputs.repositories);
  scrubber.secret(plan.wrongTokens.api);
  scrubber.secret(plan.wrongTokens.access);
  for (const [i, ws] of plan.workspaces.entries()) scrubber.identifier(ws, `<workspace ${i + 1}>`);
  for (const [i, r] of plan.repositories.entries()) scrubber.identifier(r.slug, `<repo ${i + 1}>`);
  scrubber.identifier(plan.missing.slug, "<missing repo>");
  scrubber.identifier(plan.missingWorkspace, "<missing workspace>");

  const kinds = [inputs.api && "an API token", inputs.access && "an access token"].filter(Boolean);
  io.write(
    `Live contract check: ${inputs.apiUrl.origin} and ${inputs.gitUrl.origin} against the emulator (test/emulator/bitbucket.ts)\n` +
      `${kinds.join(" and ")}, ${plan.repositories.length} repositories: ${plan.cases.length} cases, read-only.\n\n`,
  );

  const transport = (io.transport ?? createTransport)();
  const bitbucket: Side = {
    apiUrl: inputs.apiUrl,
    gitUrl: inputs.gitUrl,
    credentials: { api: inputs.api, access: inputs.access },
    transport,
    timeoutMs: TIMEOUT_MS,
    retries: io.retries ?? 3,
  };
  let live: Observation[];
  try {
    live = await askAll(plan, bitbucket, { stopWhenUnreachable: true });
  } finally {
    await transport.close();
  }
  const unreachable = live.find((o) => o.kind === "failed" && o.unreachable);
  if (unreachable?.kind === "failed") {
    io.write(
      `Bitbucket could not be reached, so nothing was compared: ${scrubber.scrub(unreachable.reason, 300)}\n`,
    );
    return 3;
  }
  learnIdentifiers(scrubber, live);

  const facts = readFacts(plan, live);
  const emulator = await startBitbucket();
  const emulatorTransport = loopbackTransport();
  let emulated: Observation[];
  try {
    const credentials = buildWorld(emulator, plan, facts);
    for (const c of [credentials.api?.token, credentials.access?.token]) if (c) scrubber.secret(c);
    emulated = await askAll(plan, {
      apiUrl: new URL(emulator.apiUrl),
      gitUrl: new URL(emulator.gitUrl),
      credentials,
      transport: emulatorTransport,
      timeoutMs: TIMEOUT_MS,
      retries: 0,
    });
  } finally {
    await emulatorTransport.close();
    await emulator.close();
  }

  const rows = plan.cases.flatMap((c, i) => compareCase(c.name, live[i], emulated[i]));
  const scrub = scrubber.scrub;
  const today = io.today?.() ?? new Date().toISOString().slice(0, 10);
  io.write(`${tableText(rows, scrub)}\n\n${summaryLine(rows, plan.cases.length)}\n\n`);
  io.write(`${factsSeen(plan, live, scrub, today).join("\n")}\n\n`);

  const { diff } = tally(rows);
  const refused = [
    facts.api?.refused && "BITBUCKET_API_TOKEN (with BITBUCKET_EMAIL)",
    facts.access?.refused && "BITBUCKET_ACCESS_TOKEN",
  ].filter(Boolean);
  let verdict: string;
  let code: number;
  if (diff > 0) {
    verdict = `The emulator differs from Bitbucket in ${diff} aspects the product reads (the DIFF rows). What to do: docs/contributing.md, "When the live check finds a difference".`;
    code = 1;
  } else if (refused.length > 0) {
    verdict = `Bitbucket refused ${refused.join(" and ")} (401 on GET /user): the token is wrong, expired, revoked or has no Bitbucket scopes, or the email is not its account's. Only the refusals could be compared; renew the token and run again.`;
    code = 2;
  } else {
    verdict =
      "The emulator still tells the truth: every aspect the product reads matches Bitbucket.";
    code = 0;
  }
  io.write(`${verdict}\n`);
  if (io.env.GITHUB_STEP_SUMMARY) {
    const summary = `## Live contract check\n\n${summaryLine(rows, plan.cases.length)} ${verdict}\n\n${markdownTable(rows, scrub)}\n\n\`\`\`\n${factsSeen(plan, live, scrub, today).join("\n")}\n\`\`\`\n`;
    appendFileSync(io.env.GITHUB_STEP_SUMMARY, summary);
  }
  return code;
}

/** Whatever Bitbucket's bodies say about who and what, so no cell can show it. */
function learnIdentifiers(scrubber: Scrubber, observations: Observation[]): void {
  const visit = (value: unknown, depth: number): void => {
    if (depth > 5 || typeof value !== "object" || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === "string" && IDENTIFYING.includes(key))
        scrubber.identifier(inner, `<${key}>`);
      else if (typeof inner === "string" && key === "name" && depth > 0)
        scrubber.identifier(inner, "<name>");
      else visit(inner, depth + 1);
    }
  };
  for (const o of observations) if (o.kind === "answer") visit(o.response.json, 0);
}
