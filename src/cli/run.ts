/**
 * The command front end, for Bitbucket Pipelines and terminals: `check`, `setup`, `cleanup`.
 * The token is never a flag (argument lists are visible to every process on the machine): it
 * comes from BITBUCKET_API_TOKEN or, with --token-stdin, from standard input.
 */
import { parseArgs } from "node:util";
import { UnfitError, UnreachableError } from "../core/errors.ts";
import {
  DEFAULT_INPUTS,
  parseSettings,
  type RawInputs,
  withDefaults,
} from "../core/inputs/settings.ts";
import { inPipelines } from "./places.ts";
import { EXIT, type Io, painter, useColor, wordsFor } from "./terminal.ts";

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
  --required-scopes <list>      default: ${DEFAULT_INPUTS["required-scopes"]}
  --repositories <list>         workspace/repo-slug list to prove read (and push) access to;
                                in Bitbucket Pipelines defaults to $BITBUCKET_REPO_FULL_NAME
                                (--repositories= with an empty value checks none)
  --expires-at <date>           the token's expiry date: YYYY-MM-DD or ISO 8601
  --expiry-warning-days <n>     default: ${DEFAULT_INPUTS["expiry-warning-days"]}
  --rewrite-ssh-urls            setup: also send git@ and ssh:// URLs of the git host over HTTPS
  --api-url <url>               default: ${DEFAULT_INPUTS["api-url"]}
  --git-url <url>               default: ${DEFAULT_INPUTS["git-url"]}
  --timeout-seconds <n>         default: ${DEFAULT_INPUTS["timeout-seconds"]}
  --retries <n>                 default: ${DEFAULT_INPUTS.retries}
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

/** Flags people try for the token; each gets an answer saying where the token goes instead. */
const TOKEN_FLAGS = /^--?(api-?token|token|password|app-password|secret)(=|$)/i;

class UsageError extends Error {}

export async function run(io: Io): Promise<number> {
  const say = (text: string) => io.stdout.write(text);
  const complain = (text: string) => io.stderr.write(text);
  const words = wordsFor(io.naming ?? "flags");
  const red = painter(useColor(io.stderr, io.env), 31);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(io.argv);
  } catch (error) {
    complain(
      `bitbucket-auth: ${error instanceof UsageError ? error.message : usageMessage(error)}\nRun 'bitbucket-auth --help' for usage.\n`,
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
      `bitbucket-auth: ${command === undefined ? "a command is needed" : `unknown command ${shown(command)}`}: check, setup or cleanup.\nRun 'bitbucket-auth --help' for usage.\n`,
    );
    return EXIT.badInput;
  }

  try {
    if (command === "cleanup") {
      const { cleanup } = await import("./commands.ts");
      return await cleanup(io);
    }
    const given: Partial<RawInputs> = {};
    for (const flag of VALUE_FLAGS) given[flag] = values[flag] as string | undefined;
    given.email ??= io.env.BITBUCKET_EMAIL;
    given["rewrite-ssh-urls"] = values["rewrite-ssh-urls"] ? "true" : "false";
    // Pipelines: with no repository named, the one being built is the one to prove. An explicit
    // empty --repositories= means "none".
    if (given.repositories === undefined && inPipelines(io.env))
      given.repositories = io.env.BITBUCKET_REPO_FULL_NAME;
    given["api-token"] = values["token-stdin"]
      ? await io.readStdin()
      : (io.env.BITBUCKET_API_TOKEN ?? "");
    if (!given["api-token"]?.trim()) {
      complain(
        `${red(
          values["token-stdin"]
            ? "✘ Standard input was empty."
            : io.naming === "pipe"
              ? "✘ No token: the pipe's variable BITBUCKET_API_TOKEN is empty."
              : "✘ No token: BITBUCKET_API_TOKEN is not set or empty.",
        )}\n  → ${
          values["token-stdin"]
            ? "Pipe the token in, e.g. `bitbucket-auth check --token-stdin < token.txt`."
            : "Set BITBUCKET_API_TOKEN (in Bitbucket Pipelines, a secured repository or workspace variable), or pipe the token in with --token-stdin. Secured variables are empty in builds of pull requests from forks and when the name is misspelt."
        }\n`,
      );
      return EXIT.badInput;
    }
    const settings = parseSettings(withDefaults(given), new Date());
    const { checkAndMaybeSetUp } = await import("./commands.ts");
    return await checkAndMaybeSetUp(settings, command === "setup", io, words);
  } catch (error) {
    return explainFailure(error, complain, red, words);
  }
}

function parse(argv: string[]) {
  const tokenFlag = argv.find((arg) => TOKEN_FLAGS.test(arg));
  if (tokenFlag !== undefined) {
    throw new UsageError(
      `the token is never a flag (${tokenFlag.split("=")[0]}): argument lists are visible to every process on the machine. Set BITBUCKET_API_TOKEN, or pipe the token in with --token-stdin.`,
    );
  }
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
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
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${shown(positionals[1])}`);
  return {
    values: values as Record<string, string | boolean | undefined>,
    command: positionals[0],
  };
}

/** node:util's message without its hint about `--` (which does not apply here). */
function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\. To specify a positional argument[\s\S]*$/, ".");
}

/** An argument is echoed only when it cannot be a secret someone pasted in the wrong place. */
function shown(argument: string): string {
  return /^[a-z][a-z-]{0,19}$/i.test(argument)
    ? `"${argument}"`
    : "(not shown: it could be a secret)";
}

export function explainFailure(
  error: unknown,
  complain: (text: string) => void,
  red: (text: string) => string,
  words: (text: string) => string,
): number {
  if (error instanceof UnfitError) {
    for (const p of error.problems)
      complain(`${red(`✘ ${words(p.message)}`)}\n  → ${words(p.fix)}\n`);
    return error.stage === "input" ? EXIT.badInput : EXIT.unfit;
  }
  if (error instanceof UnreachableError) {
    complain(
      `${red(`✘ ${words(error.message)}`)}\n  → Try again; if it keeps failing, check the network, proxy settings (HTTPS_PROXY, NO_PROXY) and https://bitbucket.status.atlassian.com.\n`,
    );
    return EXIT.unreachable;
  }
  complain(
    `${red(`✘ Unexpected error: ${error instanceof Error ? error.message : String(error)}`)}\n  → Please report this with the log.\n`,
  );
  return EXIT.unexpected;
}
