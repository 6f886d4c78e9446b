/**
 * The command's end-to-end suite (cli.test.ts) run against the single executable that
 * `npm run build:binary` made for this machine, with no `node` on the PATH of anything it starts:
 * check, setup, real git clone and push, cleanup, exit codes, messages, and the leak search.
 * Skipped when there is no executable (CI builds one first: .ci/run, ci.yml); failed when the
 * executable holds another build of the command than these sources make.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { seaBundle } from "../../scripts/sea-bundle.ts";
import { REPO_ROOT } from "../harness/runner.ts";

const EXECUTABLE = join(REPO_ROOT, "build", `bitbucket-auth-linux-${process.arch}`);
const NAME = relative(REPO_ROOT, EXECUTABLE);

const skip =
  process.platform !== "linux" || !["x64", "arm64"].includes(process.arch)
    ? "single executables are built for Linux x64 and arm64"
    : !existsSync(EXECUTABLE) && `no ${NAME}: run npm run build:binary first`;

let fresh = false;

test(`${NAME} holds the command these sources build`, { skip }, async () => {
  const { code } = await seaBundle();
  fresh = readFileSync(EXECUTABLE).includes(Buffer.from(code));
  assert.ok(fresh, `${NAME} is stale: run npm run build:binary`);
});

test(`cli.test.ts passes against ${NAME}, with no node on PATH`, { skip }, async (t) => {
  assert.ok(fresh, `${NAME} is stale: run npm run build:binary`);
  const env: Record<string, string | undefined> = {
    ...process.env,
    BITBUCKET_AUTH_EXECUTABLE: EXECUTABLE,
  };
  delete env.NODE_TEST_CONTEXT; // set for files run by `node --test`; this is a run of its own
  const child = spawn(
    process.execPath,
    ["--test", "--test-reporter=tap", join("test", "e2e", "cli.test.ts")],
    { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((done) => child.on("close", done));
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(output)?.[1]);
  t.diagnostic(
    `${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped (of ${count("tests")})`,
  );
  assert.equal(code, 0, failures(output));
  assert.equal(count("fail"), 0);
  assert.ok(count("pass") >= 30, `only ${count("pass")} tests passed`);
});

/** The `not ok` lines of a TAP report, each with its YAML block. */
function failures(tap: string): string {
  const lines = tap.split("\n");
  const shown: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*not ok /.test(lines[i])) continue;
    shown.push(lines[i]);
    for (i++; i < lines.length && !/^\s*(not )?ok /.test(lines[i]); i++) shown.push(lines[i]);
    i--;
  }
  return shown.length > 0 ? shown.join("\n") : tap.slice(-4000);
}
