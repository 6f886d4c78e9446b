/**
 * What each bundled entry point loads before it can reject a bad input: its static import graph
 * in dist/, followed file by file. The command and the pipe must not reach undici (its ~0.7 MB
 * loads only once the inputs are valid, through src/core/flow.ts's dynamic imports); the
 * action's main does reach it, through @actions/core → @actions/http-client, as those packages
 * ship. How long each takes is the benchmark's (scripts/bench.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
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

test("dist/main.js loads undici at start-up, through @actions/core as shipped", () => {
  assert.equal(loadsUndici("main.js"), true);
});

test("the transport chunk, loaded later, holds undici", () => {
  const cli = readFileSync(join(REPO_ROOT, "dist", "cli.js"), "utf8");
  assert.doesNotMatch(cli, /UndiciError/);
  assert.ok(
    staticGraph("cli.js").every((file) => !/transport-/.test(file)),
    "the transport is a dynamic import",
  );
});
