/**
 * The Bitbucket pipe's entry point (check only). A pipe receives its `variables:` as environment
 * variables; they become the command's flags. The token stays in the environment. Messages name
 * the pipe's variables (REQUIRED_SCOPES) rather than flags.
 */
import { pipeArgv } from "./pipe-variables.ts";
import { run } from "./run.ts";
import { readAll } from "./terminal.ts";

process.exitCode = await run({
  argv: pipeArgv(process.env),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readAll(process.stdin),
  naming: "pipe",
});
