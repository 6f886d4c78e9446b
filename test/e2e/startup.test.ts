/**
 * What each bundled entry point loads before it can reject a bad input: its static import graph
 * in dist/, followed file by file. The command and the pipe must not reach undici (its ~0.7 MB
 * loads only once the inputs are valid, through src/core/flow.ts's dynamic imports); the
 * action's steps do reach it, through @actions/core → @actions/http-client, as those packages
 * ship: main.js and post.js turn the compile cache on and import the action's one file,
 * dist/chunks/action.js. How long each takes is the benchmark's (scripts/bench.ts); here, what
 * the cache leaves on disk and where.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { CACHE_DIR_PREFIX } from "../../src/bin/compile-cache.ts";
import { REPO_ROOT } from "../harness/runner.ts";

/** A string only undici's code holds (its error base class names itself). */
const UNDICI = "UndiciError";

function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    // Static imports only: `import … from "./x.js"` and `import "./x.js"`, never `import("./x.js")`.
    for (const [, path] of code.matchAll(
      /import\s*(?:[^"'()]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g,
    ))
      visit(join(dirname(file), path));
  };
  visit(join(REPO_ROOT, "dist", entry));
  return [...seen];
}

const loadsUndici = (entry: string) =>
  staticGraph(entry).some((file) => readFileSync(file, "utf8").includes(UNDICI));

for (const entry of ["cli.js", "pipe.js"]) {
  test(`dist/${entry} rejects a bad input without loading undici`, () => {
    assert.ok(staticGraph(entry).length > 1, "the graph is followed");
    assert.equal(loadsUndici(entry), false);
  });
}

/** The relative `import("…")`s of a file. */
const dynamicImports = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map(
    ([, path]) => join(dirname(file), path),
  );
const ACTION = join(REPO_ROOT, "dist", "chunks", "action.js");

for (const entry of ["main.js", "post.js"]) {
  test(`dist/${entry}: Node's builtins, then the action's one file, which holds undici`, () => {
    assert.deepEqual(
      staticGraph(entry),
      [join(REPO_ROOT, "dist", entry)],
      "no chunk before the cache",
    );
    assert.deepEqual(dynamicImports(join(REPO_ROOT, "dist", entry)), [ACTION]);
    assert.deepEqual(staticGraph("chunks/action.js"), [ACTION], "one file, no chunks");
    // through @actions/core → @actions/http-client, as those packages ship
    assert.ok(readFileSync(ACTION, "utf8").includes(UNDICI));
  });
}

test("the transport chunk, loaded later, holds undici", () => {
  const cli = readFileSync(join(REPO_ROOT, "dist", "cli.js"), "utf8");
  assert.doesNotMatch(cli, /UndiciError/);
  assert.ok(
    staticGraph("cli.js").every((file) => !/transport-/.test(file)),
    "the transport is a dynamic import",
  );
});

// --- the compile cache: where it goes, and where it never goes

const uid = process.getuid?.();
const skip = uid === undefined && "POSIX owners and modes";
const roots: string[] = [];
after(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

/** Runs a step of the action as the runner would, with TMPDIR `temp`: its exit code and output. */
function step(script: "main.js" | "post.js", temp: string, extra: Record<string, string> = {}) {
  const job = mkdtempSync(join(tmpdir(), "startup-job-"));
  roots.push(job);
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: job, RUNNER_TEMP: job };
  for (const file of ["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"]) {
    env[file] = join(job, file);
    writeFileSync(env[file], "");
  }
  const run = spawnSync(process.execPath, [join(REPO_ROOT, "dist", script)], {
    env: { ...env, TMPDIR: temp, ...extra },
    encoding: "utf8",
  });
  return { code: run.status, stdout: run.stdout };
}
function machine(): string {
  const temp = mkdtempSync(join(tmpdir(), "startup-tmp-"));
  roots.push(temp);
  return temp;
}
/** Every file under `dir`, with its bytes (V8's cache differs from one compile to the next). */
const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((file) => [file, readFileSync(file).toString("base64")]);

test("main leaves its compile cache in a 0700 directory of its own; post uses it as it is", {
  skip,
}, () => {
  const temp = machine();
  const main = step("main.js", temp);
  assert.equal(main.code, 1);
  assert.match(main.stdout, /::error title=.*api-token/, "the missing token is reported as ever");
  const dir = join(temp, `${CACHE_DIR_PREFIX}${uid}`);
  assert.deepEqual(
    readdirSync(temp),
    [`${CACHE_DIR_PREFIX}${uid}`],
    "nothing else in the temp dir",
  );
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const cached = files(dir);
  assert.ok(cached.length > 0, "the action's file is cached");
  assert.equal(step("post.js", temp).code, 0);
  assert.deepEqual(files(dir), cached, "post read main's cache and had nothing new to write");
});

test("a cache directory someone else could write is never used", {
  skip,
}, () => {
  // Made first by another user (here: open to all), or a link to somewhere else.
  const open = machine();
  mkdirSync(join(open, `${CACHE_DIR_PREFIX}${uid}`));
  chmodSync(join(open, `${CACHE_DIR_PREFIX}${uid}`), 0o777);
  const linked = machine();
  const elsewhere = join(linked, "elsewhere");
  mkdirSync(elsewhere, { mode: 0o700 });
  symlinkSync(elsewhere, join(linked, `${CACHE_DIR_PREFIX}${uid}`));
  for (const [temp, dir] of [
    [open, join(open, `${CACHE_DIR_PREFIX}${uid}`)],
    [linked, elsewhere],
  ]) {
    const main = step("main.js", temp);
    assert.equal(main.code, 1);
    assert.match(main.stdout, /::error title=.*api-token/);
    assert.deepEqual(readdirSync(dir), [], `nothing written in ${dir}`);
  }
});

test("NODE_DISABLE_COMPILE_CACHE keeps it off", { skip }, () => {
  const temp = machine();
  assert.equal(step("main.js", temp, { NODE_DISABLE_COMPILE_CACHE: "1" }).code, 1);
  assert.deepEqual(readdirSync(temp), []);
});
