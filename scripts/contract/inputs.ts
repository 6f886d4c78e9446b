/**
 * The live check's inputs: tokens from the environment only (never flags: argument lists are
 * visible to every process on the machine), repositories and URLs from flags or variables. The
 * values are checked by the product's own parseSettings, so a malformed email or repository gets
 * the same message the command would give.
 */
import { parseArgs } from "node:util";
import { type InputName, rawInputs, type Source } from "../../src/core/inputs/names.ts";
import { parseSettings, type Repository, type Settings } from "../../src/core/inputs/settings.ts";
import { render } from "../../src/core/messages/index.ts";
import { rendererFor } from "../../src/core/render/renderer.ts";

export interface LiveInputs {
  api?: { email: string; token: string };
  access?: { token: string };
  repositories: Repository[];
  apiUrl: URL;
  gitUrl: URL;
}

type Checked =
  | { settings: Settings; problems?: undefined }
  | { settings?: undefined; problems: string[] };

export type ParsedInputs = { inputs: LiveInputs } | { exit: number; text: string };

export const USAGE = `Usage: npm run contract:live [-- --repositories "workspace/repo …"] [--api-url URL] [--git-url URL]

Asks the real Bitbucket Cloud and the project's emulator the same questions and prints where
their answers differ. Read-only: GET requests and git advertisements, nothing is pushed.

Variables (from the shell, or from a .env file at the repository root that git ignores):
  BITBUCKET_EMAIL              the Atlassian account email the API token belongs to
  BITBUCKET_API_TOKEN          an Atlassian API token with Bitbucket scopes
  BITBUCKET_ACCESS_TOKEN       optional: a repository, project or workspace access token
  BITBUCKET_TEST_REPOSITORIES  optional: repositories the tokens can read (or --repositories)

Exit codes: 0 the emulator matches, 1 a difference, 2 no usable token, 3 Bitbucket
unreachable, 4 a bug in the check.
`;

export const NO_TOKEN = `Nothing was checked: contract:live needs a real token, and none is set.

Set BITBUCKET_EMAIL and BITBUCKET_API_TOKEN (an Atlassian API token with Bitbucket scopes),
or BITBUCKET_ACCESS_TOKEN (a repository, project or workspace access token), or all three.
Optionally name repositories the tokens can read: BITBUCKET_TEST_REPOSITORIES="ws/repo ws/other"
or --repositories. Nothing is written to them.

From the shell, without the token landing in your history:
  export BITBUCKET_EMAIL=you@example.com
  read -rs BITBUCKET_API_TOKEN && export BITBUCKET_API_TOKEN
  npm run contract:live -- --repositories workspace/repo

Or put the same variables in a file .env at the repository root (git ignores it; never commit
it) and run: npm run contract:live
`;

export function parseLiveInputs(
  env: Record<string, string | undefined>,
  argv: string[],
): ParsedInputs {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      options: {
        repositories: { type: "string" },
        "api-url": { type: "string" },
        "git-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    // parseArgs quotes a stray argument, which may be a pasted token: that one is not shown.
    const { code, message } = error as { code?: string; message: string };
    const text =
      code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
        ? "contract:live takes no arguments, only the flags below (the argument is not shown: it could be a token; tokens go in variables)."
        : message;
    return { exit: 2, text: `${text}\n\n${USAGE}` };
  }
  if (flags.help) return { exit: 0, text: USAGE };

  const email = env.BITBUCKET_EMAIL?.trim() ?? "";
  const apiToken = env.BITBUCKET_API_TOKEN ?? "";
  const accessToken = env.BITBUCKET_ACCESS_TOKEN ?? "";
  if (apiToken.trim() === "" && accessToken.trim() === "") return { exit: 2, text: NO_TOKEN };

  const shared: Partial<Record<InputName, string>> = {
    repositories: (flags.repositories as string | undefined) ?? env.BITBUCKET_TEST_REPOSITORIES,
    "api-url": flags["api-url"] as string | undefined,
    "git-url": flags["git-url"] as string | undefined,
  };
  const sources: Partial<Record<InputName, Source>> = {
    email: { kind: "variable", variable: "BITBUCKET_EMAIL" },
    repositories:
      flags.repositories === undefined
        ? { kind: "variable", variable: "BITBUCKET_TEST_REPOSITORIES" }
        : { kind: "flag", flag: "--repositories" },
  };
  const check = (token: string, tokenVariable: string, withEmail: string): Checked => {
    const raw = rawInputs({ ...shared, email: withEmail, "api-token": token }, (name) =>
      name === "api-token"
        ? { kind: "variable", variable: tokenVariable }
        : (sources[name] ?? { kind: "flag", flag: `--${name}` }),
    );
    const parsed = parseSettings(raw, new Date());
    if (!parsed.problems) return { settings: parsed.settings };
    const renderer = rendererFor("command", "plain", raw);
    const problems = parsed.problems.map((p) => {
      const { text, fix } = render(p, renderer);
      return `✘ ${text}${fix ? `\n  → ${fix}` : ""}`;
    });
    return { problems };
  };

  const problems: string[] = [];
  let api: Settings | undefined;
  let access: Settings | undefined;
  if (apiToken.trim() !== "" && email === "") {
    problems.push(
      "✘ BITBUCKET_API_TOKEN is set but BITBUCKET_EMAIL is not.\n  → Set BITBUCKET_EMAIL to the Atlassian account email the token belongs to (an access token goes in BITBUCKET_ACCESS_TOKEN instead).",
    );
  } else if (apiToken.trim() !== "") {
    const checked = check(apiToken, "BITBUCKET_API_TOKEN", email);
    api = checked.settings;
    problems.push(...(checked.problems ?? []));
  }
  if (accessToken.trim() !== "") {
    const checked = check(accessToken, "BITBUCKET_ACCESS_TOKEN", "");
    access = checked.settings;
    problems.push(...(checked.problems ?? []));
  }
  const settings = api ?? access;
  if (problems.length > 0 || !settings)
    return { exit: 2, text: `Nothing was checked:\n${[...new Set(problems)].join("\n")}\n` };

  return {
    inputs: {
      api: api && { email: api.credential.email ?? "", token: api.credential.token },
      access: access && { token: access.credential.token },
      repositories: settings.repositories,
      apiUrl: settings.apiUrl,
      gitUrl: settings.gitUrl,
    },
  };
}
