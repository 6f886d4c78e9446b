/**
 * Every client a CI job uses to fetch from Bitbucket, run for real after the step: git (https,
 * push, ssh URLs rewritten, a submodule, LFS), npm, pip, Go, cargo, Composer (vcs and git),
 * bundler and curl against the REST API. bitbucket.org and api.bitbucket.org are the emulator
 * under their own names, over HTTPS with a CA in the system store, in a network and mount
 * namespace of their own (test/harness/bitbucket-org.ts); every dependency is private and
 * answers 401 without a credential. Each mode (the action as the runner runs it, and
 * `eval "$(bitbucket-auth setup --export …)"`) is one job in one namespace
 * (test/e2e/clients/world.ts); its report gives every check below its result. The cases and
 * their dependencies are in test/e2e/clients/cases.ts.
 *
 * The clients come from Debian (scripts/test-tools.sh installs them). Where namespaces cannot be
 * had (not root, no unshare), the suite skips, saying so; with CLIENTS_SUITE=required (.ci/run,
 * and the workflow's root step on Linux) it fails instead.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { namespacesUnavailable } from "../harness/bitbucket-org.ts";
import { REPO_ROOT } from "../harness/runner.ts";
import { CASES, CLEANUP, type Report, STEP } from "./clients/cases.ts";

const WORLD = join(REPO_ROOT, "test", "e2e", "clients", "world.ts");
const MODES = { action: "after the action", command: "after `bitbucket-auth setup --export`" };
const unavailable = namespacesUnavailable();
// .ci/run (as root) and the workflows' root step say the suite must run: there a skip is a failure.
if (unavailable && process.env.CLIENTS_SUITE === "required")
  throw new Error(`CLIENTS_SUITE=required, but the clients suite cannot run: ${unavailable}`);

const dir = mkdtempSync(join(tmpdir(), "clients-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one mode's job in its namespace: its report, and its output for when something fails. */
function runWorld(mode: string): Promise<{ report: Report; output: string }> {
  const file = join(dir, `${mode}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["--net", "--mount", process.execPath, WORLD, mode, file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve({ report: JSON.parse(readFileSync(file, "utf8")), output });
      } catch {
        resolve({ report: {}, output: `world exited ${code} without a report\n${output}` });
      }
    });
  });
}

for (const [mode, title] of Object.entries(MODES)) {
  describe(`real clients ${title}`, { skip: unavailable }, () => {
    let world: { report: Report; output: string };
    before(async () => {
      world = await runWorld(mode);
    });
    for (const name of [STEP, ...CASES.map((c) => c.name), CLEANUP])
      test(name, () => {
        const result = world.report[name] ?? world.report["the world"];
        assert.ok(result, `no result for "${name}"\n${world.output}`);
        assert.ok(result.ok, result.error);
      });
  });
}
