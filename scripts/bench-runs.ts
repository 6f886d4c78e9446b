/**
 * Running the measured processes for scripts/bench.ts: each one spawned with a probe that prints
 * its peak RSS, timed from spawn to close; medians of round-robin runs.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const RUNS = Number(process.env.BENCH_RUNS ?? 10);
export const root = mkdtempSync(join(os.tmpdir(), "bench-"));
// Prints the process's peak RSS on exit; loaded the same way into every measured process.
const rssProbe = join(root, "rss.mjs");
writeFileSync(
  rssProbe,
  "process.on('exit', () => process.stderr.write('\\nmaxrss=' + process.resourceUsage().maxRSS + '\\n'));\n",
);

/**
 * The floor under the action's start-up: `@actions/core` alone, bundled as scripts/build.ts
 * bundles it (it imports @actions/http-client, which imports undici, at load).
 */
export async function coreAlone(): Promise<string> {
  const outfile = join(root, "actions-core-alone.mjs");
  await build({
    stdin: {
      contents: 'import { getInput } from "@actions/core"; getInput("api-token");',
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
    },
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    logLevel: "warning",
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
  });
  return outfile;
}

interface Run {
  ms: number;
  rssKb: number;
  code: number | null;
}
export type Command = {
  args: string[];
  env: Record<string, string>;
  code: number;
  /** A program to run instead of this Node (a single executable): no probe, so no peak RSS. */
  file?: string;
  /** Run before every start of the command (e.g. emptying a cache), not timed. */
  before?: () => void;
};

export function once({ args, env, file, before }: Command): Promise<Run> {
  before?.();
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const [program, argv] = file
      ? [file, args]
      : [process.execPath, ["--import", rssProbe, ...args]];
    const child = spawn(program, argv, {
      env,
      cwd: root,
      stdio: ["ignore", process.env.BENCH_DEBUG ? "inherit" : "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - start;
      resolve({ ms, code, rssKb: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? Number.NaN) });
    });
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Runs that exited otherwise than expected: the bench fails for them too. */
export const unexpected: string[] = [];

/** Round-robin after one warm-up round, so the machine's moods weigh on every command alike. */
export async function measure(commands: Record<string, Command>, runs = RUNS) {
  const entries = Object.entries(commands);
  for (const [, command] of entries) await once(command); // the file cache
  const results = new Map<string, Run[]>(entries.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++)
    for (const [name, command] of entries) results.get(name)?.push(await once(command));
  const out: Record<string, { ms: number; rssKb: number }> = {};
  for (const [name, command] of entries) {
    const rs = results.get(name) ?? [];
    const codes = new Set(rs.map((r) => r.code));
    if (codes.size !== 1 || !codes.has(command.code))
      unexpected.push(`${name} exited with ${[...codes].join(", ")} (expected ${command.code})`);
    out[name] = { ms: median(rs.map((r) => r.ms)), rssKb: median(rs.map((r) => r.rssKb)) };
  }
  return out;
}

/**
 * The temp dir of the bench's "runner" (TMPDIR): where the action keeps its compile cache, shared
 * by every run of main and post, as on one machine.
 */
export const machineTemp = join(root, "tmp");
mkdirSync(machineTemp, { mode: 0o700 });

export function runnerEnv(
  inputs: Record<string, string>,
  temp: string = machineTemp,
): Record<string, string> {
  const dir = mkdtempSync(join(root, "job-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    TMPDIR: temp,
    RUNNER_TEMP: dir,
    GIT_CONFIG_NOSYSTEM: "1",
  };
  for (const f of ["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"]) {
    env[f] = join(dir, f);
    writeFileSync(env[f], "");
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}
