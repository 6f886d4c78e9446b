// A `git` wrapper that records every command line the action runs.
//
// installGitShim(dir) writes an executable `git` into <dir>/git-shim-bin that
// appends its argument list (one JSON array per line) to <dir>/git-shim.log
// and then execs the real git, found with `command -v git` at install time
// with the shim's own directory left out of PATH. Put binDir first on PATH
// (newJob({ pathPrepend: [binDir] })) to record the action's git commands.
//
// With { version }, `git --version` answers that version instead (to drive the code paths for
// an older git than the machine has; every other command is still the real git). With
// { stall: "ls-remote" }, a command with that argument sleeps for a minute instead: a git that
// never finishes.
//
// POSIX only (a `#!/bin/sh` script); check `gitShimSupported` on Windows.

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

export const gitShimSupported: boolean = process.platform !== "win32";

export interface GitShim {
  binDir: string;
  logFile: string;
  /** The real git the shim execs. */
  realGit: string;
}

function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** The real git on `path`, ignoring `exclude`. */
export function findRealGit(exclude: string, path: string = process.env.PATH ?? ""): string {
  const searchPath = path
    .split(delimiter)
    .filter((p) => p !== "" && resolve(p) !== resolve(exclude))
    .join(delimiter);
  const found = execFileSync("/bin/sh", ["-c", "command -v git"], {
    env: { PATH: searchPath },
    encoding: "utf8",
  }).trim();
  if (found === "" || !found.startsWith("/")) throw new Error(`no git on PATH (${searchPath})`);
  return found;
}

export function installGitShim(
  dir: string,
  options: { version?: string; stall?: string } = {},
): GitShim {
  if (!gitShimSupported) throw new Error("the git shim needs a POSIX shell");
  const binDir = join(dir, "git-shim-bin");
  const logFile = join(dir, "git-shim.log");
  mkdirSync(binDir, { recursive: true });
  const realGit = findRealGit(binDir);
  if (!existsSync(logFile)) writeFileSync(logFile, "");
  // node -e <code> -- <log> <args…>: process.argv = [node, log, args…].
  const logger =
    'require("fs").appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + "\\n")';
  const script = [
    "#!/bin/sh",
    "# Recorded by test/harness/git-shim.ts: log the arguments, then run the real git.",
    `${shQuote(process.execPath)} -e ${shQuote(logger)} -- ${shQuote(logFile)} "$@" || exit 127`,
    ...(options.version
      ? [
          `if [ "$1" = --version ]; then echo ${shQuote(`git version ${options.version}`)}; exit 0; fi`,
        ]
      : []),
    ...(options.stall
      ? [`for a in "$@"; do [ "$a" = ${shQuote(options.stall)} ] && exec sleep 60; done`]
      : []),
    `exec ${shQuote(realGit)} "$@"`,
    "",
  ].join("\n");
  const shim = join(binDir, "git");
  writeFileSync(shim, script);
  chmodSync(shim, 0o755);
  return { binDir, logFile, realGit };
}

/** Every recorded git command line, oldest first. */
export function readGitLog(logFile: string): string[][] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as string[]);
}
