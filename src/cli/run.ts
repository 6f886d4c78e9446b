/**
 * The command, for Bitbucket Pipelines and terminals: `check`, `setup`, `cleanup`. The token is
 * never a flag: it comes from BITBUCKET_API_TOKEN or, with --token-stdin, from standard input.
 * Returns the exit code; src/bin/cli.ts runs it.
 */
import { authenticate } from "../core/flow.ts";
import { DEFAULTS, INPUT_NAMES, type RawInputs } from "../core/inputs/names.ts";
import { type Problem, problem } from "../core/messages/index.ts";
import { EXIT_CODES } from "../core/outcome.ts";
import { pipelinesVariables } from "../core/render/outputs.ts";
import type { FrontEnd } from "../core/render/renderer.ts";
import { commandSource, parseCommandLine } from "./args.ts";
import { commandGitEnvironment } from "./git-environment.ts";
import { type Io, inPipelines, spinner } from "./io.ts";
import { note, tell } from "./tell.ts";

declare const VERSION: string; // set by the build

export const HELP = `Usage: bitbucket-auth <check|setup|cleanup> [options]

  check     Prove the token: identity, scopes, repositories, expiry. Changes nothing.
  setup     check, then git credentials for later commands of this shell or step
            (a 0600 file outside the clone directory, included from the global git config).
  cleanup   Remove what setup added; the global git config is left byte for byte as before.
            Safe to run twice, or when setup never ran (use it in after-script:).

The token comes from BITBUCKET_API_TOKEN, or from standard input with --token-stdin.
It is never accepted as a flag: argument lists are visible to every process.

Options (the GitHub Action's inputs, as flags):
  --email <email>               Atlassian account email (default: BITBUCKET_EMAIL);
                                omit for repository, project or workspace access tokens
  --required-scopes <list>      default: ${DEFAULTS["required-scopes"]}
  --repositories <list>         workspace/repo-slug list to prove read (and push) access to;
                                quote a list: --repositories "acme/app acme/lib";
                                in Bitbucket Pipelines defaults to $BITBUCKET_REPO_FULL_NAME
                                (--repositories= with an empty value checks none)
  --expires-at <date>           the token's expiry date: YYYY-MM-DD or ISO 8601
  --expiry-warning-days <n>     default: ${DEFAULTS["expiry-warning-days"]}
  --rewrite-ssh-urls            setup: also send git@ and ssh:// URLs of the git host over HTTPS
  --credential-files <list>     setup: also write netrc and/or composer (a netrc file, a Composer
                                home) for clients that do not read git's config
  --export                      setup: print the variables later commands need (cargo, Go, the
                                credential files) as shell code, everything else on stderr:
                                eval "$(bitbucket-auth setup --export …)"
  --api-url <url>               default: ${DEFAULTS["api-url"]}
  --git-url <url>               default: ${DEFAULTS["git-url"]}
  --timeout-seconds <n>         default: ${DEFAULTS["timeout-seconds"]}
  --retries <n>                 default: ${DEFAULTS.retries}
  --token-stdin                 read the token from standard input
  -h, --help                    this text
  -v, --version                 the version

Environment:
  BITBUCKET_API_TOKEN           the token (an Atlassian API token, or an access token)
  BITBUCKET_EMAIL               the email, when --email is not given
  NO_COLOR                      no colour (colour is used only on a terminal anyway)
  BITBUCKET_AUTH_DEBUG          one line per request on stderr (never a header or body)
  In Bitbucket Pipelines (BITBUCKET_BUILD_NUMBER is set), check and setup append
  BITBUCKET_AUTH_USERNAME (git's username) and BITBUCKET_AUTH_EXPIRES_IN_DAYS (when
  --expires-at is given) to $BITBUCKET_PIPELINES_VARIABLES_PATH, for output-variables.

Exit codes: 0 fit for use (or cleaned up), 1 token not fit, 2 bad input or usage,
3 Bitbucket could not be reached (the token was not judged), 4 unexpected error.
`;

export async function run(io: Io): Promise<number> {
  const line = parseCommandLine(io.argv);
  if (line.kind === "help" || line.kind === "version") {
    io.stdout.write(
      line.kind === "help" ? HELP : `${typeof VERSION === "string" ? VERSION : "dev"}\n`,
    );
    return 0;
  }
  if (line.kind === "usage") {
    tell(io, "command", { problems: [line.problem], warnings: [] });
    // Under `eval "$(…)"` an empty answer would pass for success.
    if (io.argv.includes("--export")) io.stdout.write(`(exit ${EXIT_CODES["bad-input"]})\n`);
    return EXIT_CODES["bad-input"];
  }
  if (line.command === "cleanup") {
    const { cleanup } = await import("./cleanup.ts");
    return cleanup(io);
  }
  const values = { ...line.values };
  values.email ??= io.env.BITBUCKET_EMAIL;
  values["api-token"] = line.tokenStdin ? await io.readStdin() : io.env.BITBUCKET_API_TOKEN;
  values["configure-git"] = line.command === "setup" ? "true" : "false";
  values["rewrite-ssh-urls"] = line.rewriteSshUrls ? "true" : "false";
  const sources = Object.fromEntries(
    INPUT_NAMES.map((name) => [name, commandSource(name, line, io.env)]),
  ) as RawInputs["sources"];
  // Pipelines: with no repository named, the one being built is the one to prove. An explicit
  // empty --repositories= means "none".
  if (values.repositories === undefined && inPipelines(io.env)) {
    values.repositories = io.env.BITBUCKET_REPO_FULL_NAME;
    sources.repositories = { kind: "variable", variable: "BITBUCKET_REPO_FULL_NAME" };
  }
  // With --export, stdout is shell code for `eval`; everything for people goes to stderr.
  if (!line.export) return check(io, "command", { values, sources });
  return check({ ...io, stdout: io.stderr }, "command", { values, sources }, io.stdout);
}

/**
 * check (or setup) and tell: shared by the command and the pipe. With `exports`, the variables
 * later commands need are written there as shell code, or `(exit N)` when the run failed, so
 * that `eval "$(…)"` fails as the command did.
 */
export async function check(
  io: Io,
  frontEnd: FrontEnd,
  raw: RawInputs,
  exports?: NodeJS.WritableStream,
): Promise<number> {
  const outcome = await authenticate(raw, {
    now: () => new Date(),
    log: io.env.BITBUCKET_AUTH_DEBUG ? (text) => io.stderr.write(`debug: ${text}\n`) : undefined,
    busy: () => spinner(io, "Checking the token with Bitbucket"),
    git: { environment: commandGitEnvironment(io.env) },
  });
  tell(io, frontEnd, outcome, raw);
  const names = Object.keys(outcome.git?.exports ?? {});
  if (outcome.git && !exports && names.length > 0)
    note(io, frontEnd, problem("exports-not-applied", { names }));
  if (outcome.git) {
    io.stdout.write(
      inPipelines(io.env)
        ? "  Remove them with `bitbucket-auth cleanup` in after-script: (it runs even when the step fails).\n"
        : "  Remove them with `bitbucket-auth cleanup` when you are done.\n",
    );
  }
  const file = io.env.BITBUCKET_PIPELINES_VARIABLES_PATH;
  if (outcome.verdict === "fit" && outcome.report && inPipelines(io.env) && file) {
    const failure = await appendVariables(file, pipelinesVariables(outcome.report));
    if (failure) tell(io, frontEnd, { problems: [], warnings: [failure] }, raw);
  }
  const code = EXIT_CODES[outcome.verdict];
  exports?.write(code === 0 ? shellExports(outcome.git?.exports ?? {}) : `(exit ${code})\n`);
  return code;
}

/** `export NAME='value'` lines: values single-quoted, so the shell expands nothing in them. */
export function shellExports(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'\n`)
    .join("");
}

/** A failure to write them is a warning: the token was proven, and this step does not need them. */
async function appendVariables(file: string, text: string): Promise<Problem | undefined> {
  try {
    const { appendFile, readFile } = await import("node:fs/promises");
    const before = await readFile(file, "utf8").catch(() => "");
    await appendFile(file, `${before !== "" && !before.endsWith("\n") ? "\n" : ""}${text}`);
    return undefined;
  } catch (error) {
    return problem("output-variables-failed", { file, reason: (error as Error).message });
  }
}
