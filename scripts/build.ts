/**
 * Bundles src/ into dist/ (what GitHub runs). Deterministic: a fresh build reproduces the
 * committed files byte for byte (`npm run check-dist`).
 *
 * Two layers, because a credential step runs at the start of every job:
 * - dist/{main,post,cli,pipe}.js: one self-contained file each (one file to resolve and compile),
 *   holding input parsing and validation only, so a bad input is rejected at Node's start-up cost;
 * - dist/lazy/: the checks, the HTTP client and git set-up, imported only once the inputs are
 *   valid, with the code they share in dist/lazy/chunks/ (undici in a chunk of its own, loaded
 *   only behind a proxy).
 * The plugins below each remove a measured start-up cost (`npm run bench`); each says which.
 */
import { readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { sep } from "node:path";
import { type BuildOptions, build, type Plugin } from "esbuild";

const outdir = process.argv.includes("--outdir")
  ? process.argv[process.argv.indexOf("--outdir") + 1]
  : "dist";
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;

// The modules the entry points import lazily; they are built in the second layer.
const LAZY: Record<string, string> = {
  check: "src/github/check.ts",
  commands: "src/cli/commands.ts",
};

const lazyImports: Plugin = {
  name: "lazy-imports",
  setup(b) {
    b.onResolve({ filter: /^\.\/(check|commands)\.ts$/ }, (args) => {
      const name = args.path.slice(2, -3);
      return args.kind === "dynamic-import"
        ? { path: `./lazy/${name}.js`, external: true }
        : undefined;
    });
  },
};

// @actions/core reaches @actions/http-client (and with it a second, older undici) only for
// OIDC tokens, which this action never asks for. Ship one undici, not two.
const noHttpClient: Plugin = {
  name: "no-http-client",
  setup(b) {
    b.onResolve({ filter: /^@actions\/http-client(\/.*)?$/ }, (args) => ({
      path: args.path,
      namespace: "stub",
    }));
    b.onLoad({ filter: /^@actions\/http-client/, namespace: "stub" }, () => ({
      contents:
        "const unused = () => { throw new Error('@actions/http-client is not bundled'); };\n" +
        "export class HttpClient { constructor() { unused(); } }\n" +
        "export class BearerCredentialHandler { constructor() { unused(); } }\n",
      loader: "js",
    }));
  },
};

// `import … from "node:http"` makes Node build an ES namespace of every export, which runs the
// builtin's lazy getters: http alone then loads tls, zlib and Node's internal undici (~40 ms).
// process.getBuiltinModule() hands over the plain exports object, loading nothing more.
const plainBuiltins: Plugin = {
  name: "plain-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) =>
      isBuiltin(args.path)
        ? // Loading a builtin nobody calls into is pure cost: let unused imports drop out.
          { path: args.path.replace(/^node:/, ""), namespace: "builtin", sideEffects: false }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = process.getBuiltinModule("node:${args.path}");`,
      loader: "js",
    }));
  },
};

// @actions/core's summary module reads fs.promises as it loads, which drags fs/promises, streams
// and readline into every start. The job summary is a plain append here (src/github/report.ts).
const noCoreSummary: Plugin = {
  name: "no-core-summary",
  setup(b) {
    b.onResolve({ filter: /^\.\/summary\.js$/ }, (args) =>
      args.importer.includes(`@actions${sep}core${sep}`)
        ? { path: "summary", namespace: "stub" }
        : undefined,
    );
    b.onLoad({ filter: /^summary$/, namespace: "stub" }, () => ({
      contents: "export const summary = undefined; export const markdownSummary = undefined;\n",
      loader: "js",
    }));
  },
};

// @actions/core imports @actions/exec (and it @actions/io, which reads fs.promises as it loads)
// only for `core.platform`, which this action never calls. Declaring them free of side effects
// lets the bundler drop what nothing uses.
const unusedActionsPackages: Plugin = {
  name: "unused-actions-packages",
  setup(b) {
    b.onResolve({ filter: /^@actions\/(exec|io)$/ }, async (args) => {
      if (args.pluginData === "resolving") return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving",
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

const common: BuildOptions = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node24",
  minify: true,
  legalComments: "none",
  define: { VERSION: JSON.stringify(version) },
  logLevel: "warning",
  metafile: true,
};

rmSync(outdir, { recursive: true, force: true });
const results = await Promise.all([
  build({
    ...common,
    entryPoints: {
      main: "src/github/main.ts",
      post: "src/github/post.ts",
      cli: "src/cli/bin.ts",
      pipe: "src/cli/pipe.ts",
    },
    outdir,
    plugins: [lazyImports, noHttpClient, noCoreSummary, unusedActionsPackages, plainBuiltins],
  }),
  build({
    ...common,
    entryPoints: LAZY,
    outdir: `${outdir}/lazy`,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    plugins: [noHttpClient, noCoreSummary, unusedActionsPackages, plainBuiltins],
  }),
]);

if (process.argv.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  for (const result of results)
    console.log(await analyzeMetafile(result.metafile as NonNullable<typeof result.metafile>));
}
