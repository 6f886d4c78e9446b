#!/usr/bin/env node
import { run } from "./run.ts";
import { readAll } from "./terminal.ts";

process.exitCode = await run({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readAll(process.stdin),
});
