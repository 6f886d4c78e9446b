/**
 * Bundles src/ into dist/ (what GitHub and the pipe run). Deterministic: a fresh build
 * reproduces the committed files byte for byte (`npm run check-dist`).
 *
 * Three esbuild builds, laid out for start-up (docs/performance.md measures each choice):
 *
 * - The action's code, both steps', as one file, dist/chunks/action.js. @actions/core loads
 *   undici at start anyway, so splitting it off gains nothing, and each chunk is one more file
 *   for Node to resolve, read, compile and link before the token is masked. What the flow
 *   imports dynamically (git set-up, the client) stays deferred inside it: esbuild turns an
 *   `import()` into code that runs when called.
 * - dist/main.js and dist/post.js: small starters that turn Node's compile cache on
 *   (src/bin/compile-cache.ts), then import dist/chunks/action.js, so that post, and later
 *   runs on the same machine, load what main compiled.
 * - The command and the pipe (dist/cli.js, dist/pipe.js), with code splitting: what they load
 *   only once the inputs are valid (the HTTP client with undici, git) is imported dynamically in
 *   src/, and esbuild puts it in dist/chunks/, so a bad input is rejected without loading it.
 *
 * Libraries are bundled as their authors ship them; undici is one copy per build (package.json's
 * overrides dedupe the one @actions/http-client brings): one in the action's file, one in the
 * command's transport chunk.
 */
import { readFileSync, rmSync } from "node:fs";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

const outdir = process.argv.includes("--outdir")
  ? process.argv[process.argv.indexOf("--outdir") + 1]
  : "dist";
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;

/** The action's one file, as the starters import it. */
const ACTION = "./chunks/action.js";

const common = {
  outdir,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  minify: true,
  legalComments: "none",
  define: { VERSION: JSON.stringify(version) },
  // undici is CommonJS and requires Node's builtins; an ES module has no `require` of its own.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
  metafile: true,
} satisfies BuildOptions;

/** The starters' `import("./action.ts")` is dist/chunks/action.js, built on its own. */
const actionExternal: Plugin = {
  name: "action-bundle",
  setup(b) {
    b.onResolve({ filter: /^\.\/action\.ts$/ }, () => ({ path: ACTION, external: true }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const results = [
  await build({
    ...common,
    entryPoints: { "chunks/action": "src/bin/action.ts" },
    splitting: false,
  }),
  await build({
    ...common,
    entryPoints: { main: "src/bin/action-main.ts", post: "src/bin/action-post.ts" },
    banner: {},
    splitting: false,
    plugins: [actionExternal],
  }),
  await build({
    ...common,
    entryPoints: { cli: "src/bin/cli.ts", pipe: "src/bin/pipe.ts" },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
  }),
];

// The starters must hold nothing of the action but the import: a copy would be compiled uncached.
for (const starter of ["main.js", "post.js"]) {
  const inputs = Object.keys(outputOf(results[1].metafile, starter).inputs);
  const unexpected = inputs.filter(
    (i) => !/^src\/bin\/(action-(main|post)|compile-cache|exit)\.ts$/.test(i),
  );
  if (unexpected.length > 0)
    throw new Error(`dist/${starter} bundles more than its start: ${unexpected.join(", ")}`);
}

if (process.argv.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  for (const result of results) console.log(await analyzeMetafile(result.metafile));
}

function outputOf(metafile: Metafile, name: string) {
  const found = Object.entries(metafile.outputs).find(
    ([file]) => file.endsWith(`/${name}`) || file === name,
  );
  if (!found) throw new Error(`esbuild wrote no ${name}`);
  return found[1];
}
