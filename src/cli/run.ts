/**
 * The command front end, for Bitbucket Pipelines and terminals: `check`, `setup`, `cleanup`.
 * The token is never a flag (argument lists are visible to every process on the machine): it
 * comes from BITBUCKET_API_TOKEN or, with --token-stdin, from standard input.
 */
import { parseArgs } from "node:util";
import { UnfitError, UnreachableError } from "../core/errors.ts";
import { DEFAULT_INPUTS, parseSettings, type RawInputs, withDefaults } from "../core/settings.ts";
import { inPipelines } from "./places.ts";

declare const VERSION: string; // set by the build

export const EXIT = { ok: 0, unfit: 1, badInput: 2, unreachable: 3, unexpected: 4 } as const;

const HELP = `Usage: bitbucket-auth <check|setup|cleanup> [options]

  check     Prove the token: identity, scopes, repositories, expiry. Changes nothing.
  setup     check, then git credentials for later commands (global git config include).
  cleanup   Remove what setup added. Safe to run twice, or when setup never ran.

The token comes from BITBUCKET_API_TOKEN, or from standard input with --token-stdin.
It is never accepted as a flag: argument lists are visible to every process.

Options (the GitHub Action's inputs, as flags):
  --email <email>               Atlassian account email (or BITBUCKET_EMAIL); omit for access tokens
  --required-scopes <list>      default: ${DEFAULT_INPUTS["required-scopes"]}
  --repositories <list>         workspace/repo-slug list; in Pipelines defaults to this repository
  --expires-at <date>           the token's expiry date, YYYY-MM-DD
  --expiry-warning-days <n>     default: ${DEFAULT_INPUTS["expiry-warning-days"]}
  --rewrite-ssh-urls            also send git@ and ssh:// URLs of the git host over HTTPS
  --api-url <url>               default: ${DEFAULT_INPUTS["api-url"]}
  --git-url <url>               default: ${DEFAULT_INPUTS["git-url"]}
  --timeout-seconds <n>         default: ${DEFAULT_INPUTS["timeout-seconds"]}
  --retries <n>                 default: ${DEFAULT_INPUTS.retries}
  --token-stdin                 read the token from standard input
  -h, --help                    this text
  -v, --version                 the version

Exit codes: 0 fit for use (or cleaned up), 1 token not fit, 2 bad input or usage,
3 Bitbucket could not be reached (the token was not judged), 4 unexpected error.
`;

const VALUE_FLAGS = [
  "email",
  "required-scopes",
  "repositories",
  "expires-at",
  "expiry-warning-days",
  "api-url",
  "git-url",
  "timeout-seconds",
  "retries",
] as const;

export interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readStdin: () => Promise<string>;
}

export async function run(io: Io): Promise<number> {
  const say = (text: string) => io.stdout.write(text);
  const complain = (text: string) => io.stderr.write(text);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(io.argv);
  } catch (error) {
    complain(
      `bitbucket-auth: ${(error as Error).message}\nRun 'bitbucket-auth --help' for usage.\n`,
    );
    return EXIT.badInput;
  }
  const { values, command } = parsed;
  if (values.help || values.version) {
    say(values.help ? HELP : `${typeof VERSION === "string" ? VERSION : "dev"}\n`);
    return EXIT.ok;
  }
  if (command !== "check" && command !== "setup" && command !== "cleanup") {
    complain(
      `bitbucket-auth: ${command ? `unknown command "${command}"` : "a command is needed"}: check, setup or cleanup.\nRun 'bitbucket-auth --help' for usage.\n`,
    );
    return EXIT.badInput;
  }
  const color = Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;

  try {
    if (command === "cleanup") {
      const { cleanup } = await import("./commands.ts");
      return await cleanup(io, color);
    }
    const given: Partial<RawInputs> = {};
    for (const flag of VALUE_FLAGS) given[flag] = values[flag] as string | undefined;
    given.email ??= io.env.BITBUCKET_EMAIL;
    given["rewrite-ssh-urls"] = values["rewrite-ssh-urls"] ? "true" : "false";
    // Pipelines: with no repository named, the one being built is the one to prove.
    if (!given.repositories && inPipelines(io.env))
      given.repositories = io.env.BITBUCKET_REPO_FULL_NAME;
    given["api-token"] = values["token-stdin"]
      ? await io.readStdin()
      : (io.env.BITBUCKET_API_TOKEN ?? "");
    if (!given["api-token"]?.trim()) {
      complain(
        values["token-stdin"]
          ? "✘ Standard input was empty: pipe the token in, e.g. `bitbucket-auth check --token-stdin < token.txt`.\n"
          : "✘ No token: set BITBUCKET_API_TOKEN (in Bitbucket Pipelines, a secured repository or workspace variable), or pipe it in with --token-stdin.\n",
      );
      return EXIT.badInput;
    }
    const settings = parseSettings(withDefaults(given), new Date());
    const { checkAndMaybeSetUp } = await import("./commands.ts");
    return await checkAndMaybeSetUp(settings, command === "setup", io, color);
  } catch (error) {
    return explainFailure(error, complain, color);
  }
}

function parse(argv: string[]) {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {
    "rewrite-ssh-urls": { type: "boolean" },
    "token-stdin": { type: "boolean" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  };
  for (const flag of VALUE_FLAGS) options[flag] = { type: "string" };
  const { values, positionals } = parseArgs({
    args: argv,
    options,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new Error(`unexpected argument "${positionals[1]}"`);
  return {
    values: values as Record<string, string | boolean | undefined>,
    command: positionals[0],
  };
}

export function explainFailure(
  error: unknown,
  complain: (text: string) => void,
  color: boolean,
): number {
  const red = (t: string) => (color ? `\u001b[31m${t}\u001b[0m` : t);
  if (error instanceof UnfitError) {
    for (const p of error.problems)
      complain(`${red(`✘ ${flagWords(p.message)}`)}\n  → ${flagWords(p.fix)}\n`);
    return error.stage === "input" ? EXIT.badInput : EXIT.unfit;
  }
  if (error instanceof UnreachableError) {
    complain(
      `${red(`✘ ${error.message}`)}\n  → Try again; check the network and proxy settings (HTTPS_PROXY, NO_PROXY).\n`,
    );
    return EXIT.unreachable;
  }
  complain(
    `${red(`✘ Unexpected error: ${error instanceof Error ? error.message : String(error)}`)}\n`,
  );
  return EXIT.unexpected;
}

/** Messages name action inputs (`api-token`); in a terminal, name the flag or variable instead. */
function flagWords(text: string): string {
  return text
    .replace(/input `api-token`/g, "token (BITBUCKET_API_TOKEN)")
    .replace(
      /`api-token: \$\{\{ secrets\.BITBUCKET_API_TOKEN \}\}`/g,
      "a secured variable BITBUCKET_API_TOKEN",
    )
    .replace(/(?:the )?input `([a-z-]+)`/gi, "--$1")
    .replace(/`([a-z-]+)`/g, (whole, name: string) =>
      name in DEFAULT_INPUTS ? `--${name}` : whole,
    );
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
