/**
 * `npm run build:binary`: the command as single-file executables, for Bitbucket Pipelines step
 * images and terminals without Node 24 (or any Node):
 *
 *   build/bitbucket-auth-linux-x64, build/bitbucket-auth-linux-arm64
 *   build/bitbucket-auth-linux-<arch>.tar.gz   (the executable, LICENSE, THIRD-PARTY-NOTICES)
 *   build/SHA256SUMS                            (of the archives, for `sha256sum -c`)
 *
 * Node's single executable applications: one CommonJS bundle of the command
 * (scripts/sea-bundle.ts) becomes a blob (`node --experimental-sea-config`, run by the Node 24
 * that runs this script), which postject injects into an unmodified Node binary of the same
 * version from the npm registry (scripts/node-binaries.ts). Everything comes from npm.
 *
 * Every executable is checked structurally (an ELF for its architecture, the blob inside, the fuse
 * set), and run where it can be: `--version` must print the package's version. On an x64 machine
 * the arm64 one runs only under qemu-user, if installed; otherwise it is not run at all. The
 * end-to-end suite runs against the x64 one (test/e2e/binary.test.ts).
 *
 * Options: --target x64|arm64 (repeatable; default both), --no-archive (skip the archives).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { inject } from "postject";
import { nodeBinary, nodePackage } from "./node-binaries.ts";
import { ROOT, seaBundle } from "./sea-bundle.ts";

const TARGETS = { x64: { elfMachine: 62 }, arm64: { elfMachine: 183 } } as const;
type Target = keyof typeof TARGETS;
/** The fuse Node's single-executable support looks for (Node's documentation, postject's --sentinel-fuse). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const RESOURCE = "NODE_SEA_BLOB";

process.chdir(ROOT);
const started = performance.now();
const args = process.argv.slice(2);
const targets = (
  args.includes("--target")
    ? args.flatMap((arg, i) => (args[i - 1] === "--target" ? [arg] : []))
    : Object.keys(TARGETS)
) as Target[];
for (const target of targets) {
  if (!(target in TARGETS)) throw new Error(`unknown --target ${target}: x64 or arm64`);
}
const archive = !args.includes("--no-archive");

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
const out = resolve("build");
const work = join(out, "sea");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
// Nothing stale beside what this run makes: SHA256SUMS is written again only with the archives.
for (const target of targets) {
  rmSync(join(out, `bitbucket-auth-linux-${target}.tar.gz`), { force: true });
}
rmSync(join(out, "SHA256SUMS"), { force: true });
const log = (line: string) => console.log(`build:binary: ${line}`);

// 1. One CommonJS file.
const bundle = await seaBundle();
const main = join(work, "cli.cjs");
writeFileSync(main, bundle.code);
log(`bundle ${kb(bundle.code.length)} (${bundle.packages.join(", ")})`);

// 2. The blobs, made by this Node: the base binaries must be the same version. V8's code cache
// of the bundle (useCodeCache) saves the executable compiling it at every start, but it only
// loads on the architecture that made it (Node's documentation: a cross-platform blob must go
// without), so the blob for this machine's architecture has it and the other's does not.
const nodeVersion = process.versions.node;
const blobs = new Map<boolean, Buffer>();
function blobFor(target: Target): Buffer {
  const useCodeCache = target === process.arch;
  const made = blobs.get(useCodeCache);
  if (made) return made;
  const blobFile = join(work, useCodeCache ? "cli-code-cache.blob" : "cli.blob");
  const config = join(work, useCodeCache ? "sea-config-code-cache.json" : "sea-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      main,
      output: blobFile,
      disableExperimentalSEAWarning: true,
      // A snapshot would need the command written as a snapshot's entry; not used.
      useSnapshot: false,
      useCodeCache,
      // NODE_OPTIONS in a step image is meant for the build's own Node (of any version: a flag
      // Node 24 does not know would stop the command); the command ignores it.
      execArgvExtension: "none",
    }),
  );
  // V8 seeds its generator at random, and the code cache comes out different every time; a
  // fixed seed (a V8 option of this build's Node only, never of the executable) keeps the same
  // commit building the same bytes. The executable accepts the cache (a rejected one would print
  // "Code cache data rejected"; build:binary runs it below).
  const seed = useCodeCache ? ["--random-seed=1"] : [];
  execFileSync(process.execPath, [...seed, "--experimental-sea-config", config], {
    stdio: "inherit",
  });
  const blob = readFileSync(blobFile);
  blobs.set(useCodeCache, blob);
  log(`blob for ${target}: ${kb(blob.length)}${useCodeCache ? " with V8's code cache" : ""}`);
  return blob;
}

// 3. One executable per target.
const sums: string[] = [];
const made: Array<{ file: string; raw: number; gz?: number }> = [];
for (const target of targets) {
  const base = nodeBinary(nodePackage(target, nodeVersion), log);
  const file = join(out, `bitbucket-auth-linux-${target}`);
  rmSync(file, { force: true });
  copyFileSync(base.node, file);
  chmodSync(file, 0o755);
  // postject's ELF writer (LIEF) prints "warning: Can't find string offset for section name
  // '.note.100'" for Node's binaries (nodejs/postject#83): harmless; verify() checks the result.
  const blob = blobFor(target);
  await inject(file, RESOURCE, blob, { sentinelFuse: SEA_FUSE });
  verify(file, target, blob);
  const entry: (typeof made)[number] = { file, raw: readFileSync(file).length };
  if (archive) {
    const tgz = `${file}.tar.gz`;
    entry.gz = writeArchive(tgz, file, base.license);
    sums.push(`${sha256(readFileSync(tgz))}  ${basename(tgz)}`);
  }
  made.push(entry);
}
if (archive) writeFileSync(join(out, "SHA256SUMS"), `${sums.join("\n")}\n`);

for (const { file, raw, gz } of made) {
  log(`${basename(file)}: ${mb(raw)}${gz === undefined ? "" : `, ${mb(gz)} as .tar.gz`}`);
}
log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s (Node ${nodeVersion})`);

/** The executable is what it claims: the target's ELF, our blob inside, the fuse set. */
function verify(file: string, target: Target, blob: Buffer): void {
  const bytes = readFileSync(file);
  const problems: string[] = [];
  if (bytes.subarray(0, 4).toString("latin1") !== "\x7fELF") problems.push("not an ELF file");
  if (bytes.readUInt16LE(18) !== TARGETS[target].elfMachine) {
    problems.push(`ELF machine ${bytes.readUInt16LE(18)}, not ${TARGETS[target].elfMachine}`);
  }
  if (!bytes.includes(`${SEA_FUSE}:1`)) problems.push("the single-executable fuse is not set");
  if (!bytes.includes(blob)) problems.push("the blob is not inside");
  if (problems.length > 0) throw new Error(`${basename(file)}: ${problems.join("; ")}`);
  const runner = runnerFor(target);
  if (runner) {
    const [command, ...prefix] = [...runner, file];
    // Nothing on stderr either: a code cache V8 rejects is a warning there ("Code cache data
    // rejected"), and the start-up it was for is lost.
    const run = spawnSync(command, [...prefix, "--version"], { encoding: "utf8", env: {} });
    const printed = run.stdout;
    if (printed !== `${pkg.version}\n` || run.stderr !== "") {
      throw new Error(
        `${basename(file)} --version printed ${JSON.stringify(printed)}, on stderr ${JSON.stringify(run.stderr)}`,
      );
    }
    const how = runner.length > 0 ? ` under ${basename(runner[0])}` : "";
    log(`${basename(file)} runs${how}: --version ${printed.trim()}`);
  } else {
    log(`${basename(file)}: ${target} ELF, blob and fuse checked (it cannot run on this machine)`);
  }
}

/**
 * How to run a target's executable here: directly on its own architecture; an arm64 one under
 * qemu-user when the machine has it (Debian: qemu-user libc6-arm64-cross libstdc++6-arm64-cross);
 * otherwise not at all.
 */
function runnerFor(target: Target): string[] | undefined {
  if (process.platform !== "linux") return undefined;
  if (process.arch === target) return [];
  const qemu = "/usr/bin/qemu-aarch64";
  const sysroot = "/usr/aarch64-linux-gnu";
  if (target === "arm64" && existsSync(qemu) && existsSync(join(sysroot, "lib", "libstdc++.so.6")))
    return [qemu, "-L", sysroot];
  return undefined;
}

/**
 * A reproducible .tar.gz: bitbucket-auth, this project's LICENSE, and the notices of what it
 * contains (Node.js's LICENSE, which covers what Node bundles, and each bundled npm package's).
 */
function writeArchive(tgz: string, executable: string, nodeLicense: string): number {
  const stage = join(work, `archive-${basename(executable)}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  copyFileSync(executable, join(stage, "bitbucket-auth"));
  chmodSync(join(stage, "bitbucket-auth"), 0o755);
  copyFileSync("LICENSE", join(stage, "LICENSE"));
  writeFileSync(join(stage, "THIRD-PARTY-NOTICES"), notices(nodeLicense));
  const tar = join(work, `${basename(executable)}.tar`);
  execFileSync("tar", [
    "--create",
    `--file=${tar}`,
    "--format=gnu",
    "--sort=name",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mode=u+rw,go=rX",
    `--mtime=@${sourceDate()}`,
    `--directory=${stage}`,
    "bitbucket-auth",
    "LICENSE",
    "THIRD-PARTY-NOTICES",
  ]);
  // Level 6 (zlib's default): level 9 is 0.3 % smaller and takes three times as long.
  const gz = gzipSync(readFileSync(tar), { level: 6 });
  writeFileSync(tgz, gz);
  rmSync(tar);
  return gz.length;
}

function notices(nodeLicense: string): string {
  const sections = [
    `Node.js (the runtime inside bitbucket-auth)\n\n${readFileSync(nodeLicense, "utf8")}`,
  ];
  for (const name of bundle.packages) {
    const dir = join("node_modules", name);
    const { version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8") : `License: ${license}\n`;
    sections.push(`${name} ${version} (bundled)\n\n${text}`);
  }
  return `${sections.join(`\n${"-".repeat(78)}\n\n`)}`;
}

/** SOURCE_DATE_EPOCH, else the last commit's time: the same sources give the same archive. */
function sourceDate(): number {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync("git", ["log", "-1", "--format=%ct"], { encoding: "utf8" }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes)`;
}
