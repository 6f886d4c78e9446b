/**
 * The Bitbucket pipe (check only). A pipe receives its `variables:` (pipe/pipe.yml) as
 * environment variables; messages name those variables. Returns the exit code;
 * src/bin/pipe.ts runs it.
 */
import { INPUT_NAMES, type InputName, type RawInputs } from "../core/inputs/names.ts";
import type { Io } from "./io.ts";
import { check } from "./run.ts";

/** The pipe's variable for each input it takes (pipe.yml lists exactly these). */
export const PIPE_VARIABLES = {
  email: "BITBUCKET_EMAIL",
  "api-token": "BITBUCKET_API_TOKEN",
  "required-scopes": "REQUIRED_SCOPES",
  repositories: "REPOSITORIES",
  "expires-at": "EXPIRES_AT",
  "expiry-warning-days": "EXPIRY_WARNING_DAYS",
  "api-url": "API_URL",
  "git-url": "GIT_URL",
  "timeout-seconds": "TIMEOUT_SECONDS",
  retries: "RETRIES",
} as const satisfies Partial<Record<InputName, string>>;

export function pipeInputs(env: Record<string, string | undefined>): RawInputs {
  const values: Partial<Record<InputName, string>> = { "configure-git": "false" };
  const sources = {} as RawInputs["sources"];
  for (const name of INPUT_NAMES) {
    const variable = (PIPE_VARIABLES as Partial<Record<InputName, string>>)[name];
    sources[name] = {
      kind: "pipe-variable",
      variable: variable ?? name.toUpperCase().replace(/-/g, "_"),
    };
    if (variable !== undefined) values[name] = env[variable];
  }
  // The repository being built is the one to prove, unless REPOSITORIES says otherwise.
  if (!values.repositories?.trim() && env.BITBUCKET_REPO_FULL_NAME) {
    values.repositories = env.BITBUCKET_REPO_FULL_NAME;
    sources.repositories = { kind: "variable", variable: "BITBUCKET_REPO_FULL_NAME" };
  }
  return { values, sources };
}

export function runPipe(io: Io): Promise<number> {
  return check(io, "pipe", pipeInputs(io.env));
}
