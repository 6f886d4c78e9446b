/**
 * Bundles src/ into dist/ (what GitHub runs). Deterministic: a fresh build reproduces the
 * committed files byte for byte. Code only some paths need (undici) sits in a chunk that is
 * loaded after the inputs are valid, so rejecting a bad input costs little more than Node's start.
 */
import { readFileSync, rmSync } from "node:fs";
import { build, type Plugin } from "esbuild";

// @actions/core reaches @actions/http-client (and with it a second, older undici) only for
// OIDC tokens, which this action never asks for. Ship one undici, not two.
const noHttpClient: Plugin = {
  name: "no-http-client",
  setup(b) {
    b.onResolve({ filter: /^@actions\/http-client(\/.*)?$/ }, (args) => ({
      path: args.path,
      namespace: "stub",
    }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents:
        "const unused = () => { throw new Error('@actions/http-client is not bundled'); };\n" +
        "export class HttpClient { constructor() { unused(); } }\n" +
        "export class BearerCredentialHandler { constructor() { unused(); } }\n" +
        "export const HttpCodes = {}; export const Headers = {}; export const MediaTypes = {};\n",
      loader: "js",
    }));
  },
};

const outdir = process.argv.includes("--outdir")
  ? process.argv[process.argv.indexOf("--outdir") + 1]
  : "dist";
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    main: "src/github/main.ts",
    post: "src/github/post.ts",
    cli: "src/cli/bin.ts",
    pipe: "src/cli/pipe.ts",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  minify: true,
  legalComments: "none",
  define: { VERSION: JSON.stringify(JSON.parse(readFileSync("package.json", "utf8")).version) },
  chunkNames: "chunks/[name]-[hash]",
  // Bundled CommonJS (undici) calls require(); ESM has none unless we make one.
  banner: {
    js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);',
  },
  plugins: [noHttpClient],
  metafile: true,
  logLevel: "warning",
});
if (process.argv.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  console.log(await analyzeMetafile(result.metafile));
}
