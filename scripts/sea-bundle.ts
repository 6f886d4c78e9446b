/**
 * The command as one CommonJS file, for the single executable (scripts/build-binary.ts): the same
 * entry as dist/cli.js (src/bin/cli.ts), but with no chunks. A single executable runs one script
 * and cannot import files beside it, so the checks dist/cli.js loads lazily from dist/chunks/ are
 * inlined here (esbuild turns each `import()` into a deferred require of code in the same file).
 * CommonJS because that is what a single executable runs; its `require` serves Node's builtins,
 * which is all the bundle asks for (checked below).
 */
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";

/** The repository root, wherever this is run from (npm scripts, or a test). */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export const SEA_TARGET = "node24";

export interface SeaBundle {
  code: string;
  /** The npm packages bundled into it (for the archive's third-party notices). */
  packages: string[];
}

export async function seaBundle(): Promise<SeaBundle> {
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/bin/cli.ts"],
    outfile: "cli.cjs",
    write: false,
    bundle: true,
    splitting: false,
    format: "cjs",
    platform: "node",
    target: SEA_TARGET,
    minify: true,
    legalComments: "none",
    define: { VERSION: JSON.stringify(version) },
    // In CommonJS `import.meta` is an empty object: an error, not a silent `undefined`.
    logOverride: { "empty-import-meta": "error" },
    logLevel: "warning",
    metafile: true,
  });
  if (result.outputFiles.length !== 1) {
    throw new Error(`expected one file, esbuild wrote ${result.outputFiles.length}`);
  }
  // esbuild keeps the entry's `#!/usr/bin/env node`; it means nothing inside an executable.
  const code = result.outputFiles[0].text.replace(/^#!.*\n/, "");
  const required = [...code.matchAll(/\brequire\(([^)]*)\)/g)].map(([, arg]) => arg);
  // Bare names too ("fs": @actions/exec and @actions/io import them so): a builtin either way.
  const notBuiltin = required.filter(
    (arg) => !/^"(node:)?[a-z0-9_/]+"$/.test(arg) || !isBuiltin(JSON.parse(arg)),
  );
  if (notBuiltin.length > 0) {
    throw new Error(
      `the bundle requires more than Node's builtins: ${[...new Set(notBuiltin)].join(", ")}`,
    );
  }
  return { code, packages: bundledPackages(result.metafile) };
}

/** node_modules/<name> or node_modules/@scope/<name> of every bundled input. */
function bundledPackages(metafile: Metafile): string[] {
  const names = Object.keys(metafile.inputs).flatMap((input) => {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    return match ? [match[1]] : [];
  });
  return [...new Set(names)].sort();
}
