// Runs the bundled command (dist/cli.js) as a Bitbucket Pipelines step or a terminal would: an
// isolated HOME and TMPDIR, an explicit environment (nothing inherited but PATH), the token in
// BITBUCKET_API_TOKEN. For tests that need the command beside the action's runner (newJob).

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { newJob, REPO_ROOT } from "./runner.ts";

export const CLI = join(REPO_ROOT, "dist", "cli.js");

export interface Shell {
  dir: string;
  home: string;
  tmp: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A HOME (with `gitconfig` as ~/.gitconfig when given) and a TMPDIR of its own. */
export async function newShell(
  env: Record<string, string> = {},
  gitconfig?: string,
): Promise<Shell> {
  const job = await newJob({ gitconfig });
  const tmp = join(job.dir, "tmp");
  mkdirSync(tmp);
  return {
    dir: job.dir,
    home: job.home,
    tmp,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: job.home,
      TMPDIR: tmp,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      ...env,
    },
    close: () => job.close(),
  };
}

/** `command` (a path, or "bitbucket-auth" for the bundled command) in the shell. */
export function runIn(
  shell: Shell,
  command: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  const [file, argv] =
    command === "bitbucket-auth" ? [process.execPath, [CLI, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: opts.cwd ?? shell.home,
      env: { ...shell.env, ...(opts.env ?? {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

export const show = (r: Ran): string =>
  `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** One run of `command` in a shell of its own, removed afterwards. */
export async function runOnce(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Ran> {
  const shell = await newShell(env);
  try {
    return await runIn(shell, command, args);
  } finally {
    await shell.close();
  }
}
