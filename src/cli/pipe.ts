/**
 * The Bitbucket pipe's entry point (check only). A pipe receives its `variables:` as environment
 * variables; turn them into the command's flags. The token stays in the environment.
 */
import { readAll, run } from "./run.ts";

const FLAG_FOR_VARIABLE: Record<string, string> = {
  REQUIRED_SCOPES: "--required-scopes",
  REPOSITORIES: "--repositories",
  EXPIRES_AT: "--expires-at",
  EXPIRY_WARNING_DAYS: "--expiry-warning-days",
  API_URL: "--api-url",
  GIT_URL: "--git-url",
  TIMEOUT_SECONDS: "--timeout-seconds",
  RETRIES: "--retries",
};

const argv = ["check"];
for (const [variable, flag] of Object.entries(FLAG_FOR_VARIABLE)) {
  const value = process.env[variable];
  if (value !== undefined && value.trim() !== "") argv.push(`${flag}=${value}`);
}

process.exitCode = await run({
  argv,
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readAll(process.stdin),
});
