/**
 * timeout-seconds bounds the run to its exit, DNS included. Each front end runs in a network and
 * mount namespace of its own where the only DNS server swallows every question
 * (test/harness/own-dns.ts): getaddrinfo there would wait 30 s × 5 attempts, and a process
 * with one getaddrinfo still running cannot exit at all (Node joins its thread pool on exit).
 * The run must still end within timeout-seconds and a small margin, saying what happened.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { newJob, REPO_ROOT, runMain } from "../harness/runner.ts";

const OWN_DNS = join(REPO_ROOT, "test", "harness", "own-dns.ts");
const TIMEOUT_SECONDS = 3;
/** own-dns.ts's exit code when its DNS server cannot listen: the test skips. */
const OWN_DNS_CANNOT_LISTEN = 77;
/** Node's start and the report: generous, as the machine may be busy. */
const MARGIN_MS = 3_000;
const TOKEN = `ATATT3xFfGF0${"x".repeat(171)}=0A1B2C3D`;
const URLS = { "api-url": "https://api.bitbucket.test/2.0", "git-url": "https://bitbucket.test" };

const unshare = spawnSync("unshare", ["--net", "--mount", "true"]);
const skip =
  unshare.status === 0
    ? false
    : `unshare --net --mount is not permitted here (${unshare.error?.message ?? unshare.stderr?.toString().trim()}): it needs root`;

const dir = mkdtempSync(join(tmpdir(), "silent-dns-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let reports = 0;

/** `[unshare …, node, own-dns.ts, silent, report]`: what runs the front end. */
function launcher(): { prefix: string[]; questions: () => number } {
  const report = join(dir, `report-${reports++}.json`);
  return {
    prefix: ["unshare", "--net", "--mount", process.execPath, OWN_DNS, "silent", report],
    questions: () => JSON.parse(readFileSync(report, "utf8")).questions as number,
  };
}

function run(
  command: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, output, ms: performance.now() - started });
    });
  });
}

function assertEndedInTime(ms: number, output: string) {
  assert.ok(
    ms < TIMEOUT_SECONDS * 1000 + MARGIN_MS,
    `ended after ${Math.round(ms)} ms; timeout-seconds is ${TIMEOUT_SECONDS}\n${output}`,
  );
}

describe("a DNS server that never answers: the run ends at timeout-seconds", { skip }, () => {
  test("the action", async (t) => {
    const job = await newJob();
    try {
      const dns = launcher();
      const started = performance.now();
      const main = await runMain(
        job,
        {
          email: "alice@example.com",
          "api-token": TOKEN,
          repositories: "acme/app",
          "timeout-seconds": String(TIMEOUT_SECONDS),
          ...URLS,
        },
        { launcher: dns.prefix, timeoutMs: 60_000 },
      );
      const ms = performance.now() - started;
      if (main.code === OWN_DNS_CANNOT_LISTEN) return t.skip(main.stderr.trim());
      assert.equal(main.code, 1, main.stdout + main.stderr);
      assertEndedInTime(ms, main.stdout);
      const errors = main.annotations.filter((a) => a.level === "error").map((a) => a.message);
      assert.match(errors.join("\n"), /did not answer in time|no DNS server answered/);
      assert.match(errors.join("\n"), /token was not judged/);
      assert.ok(dns.questions() > 0, "the names were asked of the silent server");
    } finally {
      await job.close();
    }
  });

  test("the command", async (t) => {
    const dns = launcher();
    const home = mkdtempSync(join(dir, "home-"));
    const { code, output, ms } = await run(
      [
        ...dns.prefix,
        process.execPath,
        join(REPO_ROOT, "dist", "cli.js"),
        "check",
        `--api-url=${URLS["api-url"]}`,
        `--git-url=${URLS["git-url"]}`,
        "--repositories=acme/app",
        `--timeout-seconds=${TIMEOUT_SECONDS}`,
      ],
      {
        PATH: process.env.PATH ?? "",
        HOME: home,
        BITBUCKET_EMAIL: "alice@example.com",
        BITBUCKET_API_TOKEN: TOKEN,
      },
    );
    if (code === OWN_DNS_CANNOT_LISTEN) return t.skip(output.trim());
    assert.equal(code, 3, output);
    assertEndedInTime(ms, output);
    assert.match(output, /did not answer in time|no DNS server answered/);
    assert.ok(dns.questions() > 0);
  });

  test("the pipe", async (t) => {
    const dns = launcher();
    const home = mkdtempSync(join(dir, "home-"));
    const { code, output, ms } = await run(
      [...dns.prefix, process.execPath, join(REPO_ROOT, "dist", "pipe.js")],
      {
        PATH: process.env.PATH ?? "",
        HOME: home,
        BITBUCKET_EMAIL: "alice@example.com",
        BITBUCKET_API_TOKEN: TOKEN,
        BITBUCKET_REPO_FULL_NAME: "acme/app",
        API_URL: URLS["api-url"],
        GIT_URL: URLS["git-url"],
        TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      },
    );
    if (code === OWN_DNS_CANNOT_LISTEN) return t.skip(output.trim());
    assert.equal(code, 3, output);
    assertEndedInTime(ms, output);
    assert.match(output, /did not answer in time|no DNS server answered/);
    assert.ok(dns.questions() > 0);
  });
});
