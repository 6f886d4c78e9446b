/**
 * argv → a command and raw inputs, or one usage problem. Nothing typed is echoed unless it is
 * plainly not a secret: people paste tokens in the wrong place, and argument lists are visible
 * to every process on the machine.
 */
import { parseArgs } from "node:util";
import type { InputName, Source } from "../core/inputs/names.ts";
import { plainlyNotSecret } from "../core/messages/define.ts";
import { type Problem, problem } from "../core/messages/index.ts";

export type Command = "check" | "setup" | "cleanup";

/** The inputs the command takes as flags, spelt as the action's inputs. */
export const VALUE_FLAGS = [
  "email",
  "required-scopes",
  "repositories",
  "expires-at",
  "expiry-warning-days",
  "credential-files",
  "api-url",
  "git-url",
  "timeout-seconds",
  "retries",
] as const satisfies readonly InputName[];
const LIST_FLAGS = new Set(["--repositories", "--required-scopes", "--credential-files"]);

/** Flags people try for the token; each gets an answer saying where the token goes instead. */
const TOKEN_FLAGS = /^--?(api-?token|token|password|app-password|secret)(=|$)/i;

export type CommandLine =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "usage"; problem: Problem }
  | {
      kind: "run";
      command: Command;
      values: Partial<Record<InputName, string>>;
      flags: Set<InputName>;
      rewriteSshUrls: boolean;
      tokenStdin: boolean;
      /** setup: shell code on stdout for later commands (`eval "$(bitbucket-auth setup --export)"`). */
      export: boolean;
    };

export function parseCommandLine(argv: string[]): CommandLine {
  const tokenFlag = argv.find((arg) => TOKEN_FLAGS.test(arg));
  if (tokenFlag !== undefined)
    return usage(problem("token-flag", { flag: tokenFlag.split("=")[0] }));
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    "rewrite-ssh-urls": { type: "boolean" },
    "token-stdin": { type: "boolean" },
    export: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  };
  for (const flag of VALUE_FLAGS) options[flag] = { type: "string" };
  // Not strict: its errors quote what was typed. Each case is checked below instead.
  const { tokens } = parseArgs({
    args: argv,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });

  const values: Partial<Record<InputName, string>> = {};
  const flags = new Set<InputName>();
  const positionals: { value: string; after?: string }[] = [];
  const booleans = new Set<string>();
  let previous: string | undefined;
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      positionals.push({ value: token.value, after: previous });
      previous = undefined;
      continue;
    }
    const known = options[token.name];
    if (!known) return usage(problem("unknown-option", { shown: shownOption(token.rawName) }));
    if (known.type === "boolean") {
      if (token.inlineValue)
        return usage(problem("flag-takes-no-value", { flag: `--${token.name}` }));
      booleans.add(token.name);
      previous = undefined;
      continue;
    }
    if (token.value === undefined)
      return usage(problem("missing-value", { flag: `--${token.name}` }));
    values[token.name as InputName] = token.value;
    flags.add(token.name as InputName);
    previous = `--${token.name}`;
  }
  if (booleans.has("help")) return { kind: "help" };
  if (booleans.has("version")) return { kind: "version" };

  const [command, extra] = positionals;
  if (command === undefined) return usage(problem("no-command", {}));
  if (command.value !== "check" && command.value !== "setup" && command.value !== "cleanup")
    return usage(problem("unknown-command", { shown: shown(command.value) }));
  if (extra !== undefined) {
    const after = extra.after && LIST_FLAGS.has(extra.after) ? extra.after : undefined;
    return usage(problem("unexpected-argument", { shown: shown(extra.value), after }));
  }
  if (booleans.has("export") && command.value !== "setup")
    return usage(problem("export-needs-setup", { command: command.value }));
  return {
    kind: "run",
    command: command.value,
    values,
    flags,
    rewriteSshUrls: booleans.has("rewrite-ssh-urls"),
    tokenStdin: booleans.has("token-stdin"),
    export: booleans.has("export"),
  };
}

const usage = (p: Problem): CommandLine => ({ kind: "usage", problem: p });

/** An argument is echoed only when it cannot be a secret someone pasted in the wrong place. */
function shown(argument: string): string {
  return plainlyNotSecret(argument)
    ? `"${argument}"`
    : `(an argument of ${[...argument].length} characters, not shown: it could be a secret)`;
}

function shownOption(raw: string): string {
  const name = raw.split("=")[0];
  return /^--?[a-z][a-z0-9-]{0,30}$/i.test(name) && plainlyNotSecret(name)
    ? `"${name}"`
    : `(an option of ${[...raw].length} characters, not shown: it could be a secret)`;
}

/** Where the command reads each input, or where the user would set it. */
export function commandSource(
  name: InputName,
  line: { flags: Set<InputName>; tokenStdin: boolean },
  env: Record<string, string | undefined>,
): Source {
  if (name === "api-token")
    return line.tokenStdin
      ? { kind: "stdin" }
      : { kind: "variable", variable: "BITBUCKET_API_TOKEN" };
  if (name === "email" && !line.flags.has("email"))
    return env.BITBUCKET_EMAIL
      ? { kind: "variable", variable: "BITBUCKET_EMAIL" }
      : { kind: "flag", flag: "--email", variable: "BITBUCKET_EMAIL" };
  return { kind: "flag", flag: `--${name}` };
}
