/**
 * The pipe's variables (pipe/pipe.yml) and the command flag each one becomes. The token and the
 * email are read from the environment by the command itself (BITBUCKET_API_TOKEN,
 * BITBUCKET_EMAIL), so the token never reaches an argument list.
 */

export const FLAG_FOR_VARIABLE: Readonly<Record<string, string>> = {
  REQUIRED_SCOPES: "--required-scopes",
  REPOSITORIES: "--repositories",
  EXPIRES_AT: "--expires-at",
  EXPIRY_WARNING_DAYS: "--expiry-warning-days",
  API_URL: "--api-url",
  GIT_URL: "--git-url",
  TIMEOUT_SECONDS: "--timeout-seconds",
  RETRIES: "--retries",
};

/** Variables the command reads from the environment as they are. */
export const ENVIRONMENT_VARIABLES = ["BITBUCKET_EMAIL", "BITBUCKET_API_TOKEN"] as const;

/** `check` plus one flag per non-empty variable (empty means the default, as in pipe.yml). */
export function pipeArgv(env: Record<string, string | undefined>): string[] {
  const argv = ["check"];
  for (const [variable, flag] of Object.entries(FLAG_FOR_VARIABLE)) {
    const value = env[variable];
    if (value !== undefined && value.trim() !== "") argv.push(`${flag}=${value}`);
  }
  return argv;
}
