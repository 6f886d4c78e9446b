/**
 * Bundles src/ into dist/ (what GitHub and the pipe run). Deterministic: a fresh build
 * reproduces the committed files byte for byte (`npm run check-dist`).
 *
 * One entry file per front end (main, post, cli, pipe). What they load only once the inputs
 * are valid (the HTTP client with undici, git) is imported dynamically in src/, and esbuild puts
 * it in dist/chunks/, so a bad input is rejected without loading it. Libraries are bundled as
 * their authors ship them; undici is one copy (package.json's overrides dedupe the one
 * @actions/http-client brings).
 */
import { readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const outdir = process.argv.includes("--outdir")
  ? process.argv[process.argv.indexOf("--outdir") + 1]
  : "dist";
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    main: "src/bin/action-main.ts",
    post: "src/bin/action-post.ts",
    cli: "src/bin/cli.ts",
    pipe: "src/bin/pipe.ts",
  },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
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
});

if (process.argv.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  console.log(await analyzeMetafile(result.metafile));
}
