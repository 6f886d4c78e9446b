/**
 * `npm run contract:live`: does the emulator still tell the truth about Bitbucket Cloud?
 * Needs a real token (BITBUCKET_EMAIL + BITBUCKET_API_TOKEN, and/or BITBUCKET_ACCESS_TOKEN), from
 * the shell or from a .env file in the current directory (npm runs it from the repository root;
 * variables already set win). Without a token it says what it needs and exits 2.
 * See scripts/contract/run.ts and docs/contributing.md.
 */
import { existsSync } from "node:fs";
import { runContractLive } from "./contract/run.ts";

if (existsSync(".env")) process.loadEnvFile(".env");

process.exitCode = await runContractLive({
  env: process.env,
  argv: process.argv.slice(2),
  write: (text) => process.stdout.write(text),
});
