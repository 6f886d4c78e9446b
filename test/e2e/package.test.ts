/**
 * The npm package, as `npm install --global bitbucket-api-token-auth` would lay it out: the
 * bundled dist/ needs no dependency at all, so it installs offline and the command runs.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { REPO_ROOT } from "../harness/runner.ts";

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), "package-"));
after(() => rm(dir, { recursive: true, force: true }));

test("the packed package installs offline, with no dependencies, and its command runs", async () => {
  const env = {
    ...process.env,
    npm_config_cache: join(dir, "cache"),
    npm_config_update_notifier: "false",
  };
  await run("npm", ["pack", "--pack-destination", dir], { cwd: REPO_ROOT, env });
  const [tarball] = (await readdir(dir)).filter((f) => f.endsWith(".tgz"));
  const prefix = join(dir, "prefix");
  await run(
    "npm",
    [
      "install",
      "--global",
      "--offline",
      "--no-audit",
      "--no-fund",
      "--prefix",
      prefix,
      join(dir, tarball),
    ],
    { env },
  );
  const installed = await readdir(join(prefix, "lib", "node_modules", "bitbucket-api-token-auth"));
  assert.deepEqual(installed.sort(), [
    "LICENSE",
    "README.md",
    "action.yml",
    "dist",
    "package.json",
  ]);
  const { stdout } = await run(join(prefix, "bin", "bitbucket-auth"), ["--version"], { env });
  assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
});
