/**
 * Which file is git's "global" config, and the job's own include.
 *
 * For a job (the action, git ≥ 2.31) the credential is included through the environment:
 * GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n=include.path and GIT_CONFIG_VALUE_n=<credential file>,
 * exported to later steps. No config file is written at all: the user's global config stays
 * theirs (`git config --global` keeps reading and writing it), and once the credential file is
 * gone (the post step, or the runner emptying RUNNER_TEMP) git ignores the include.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";
import type { GitEnvironment } from "./credential-dir.ts";

/** The files git reads as global config, in the order it reads them. */
export function userGlobalConfigs({ env, home }: Pick<GitEnvironment, "env" | "home">): string[] {
  if (env.GIT_CONFIG_GLOBAL) return [path.resolve(env.GIT_CONFIG_GLOBAL)];
  const xdgHome = env.XDG_CONFIG_HOME || path.join(home, ".config");
  return [path.join(xdgHome, "git", "config"), path.join(home, ".gitconfig")];
}

/** The file `git config --global` writes to, by git's own rules. */
export function globalConfigPath(environment: Pick<GitEnvironment, "env" | "home">): string {
  const files = userGlobalConfigs(environment);
  if (files.length === 1) return files[0];
  const [xdg, primary] = files;
  return !existsSync(primary) && existsSync(xdg) ? xdg : primary;
}

/** Includes go into a regular file only: not /dev/null, a directory or a device. */
export async function assertWritableConfig(file: string): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (stat && !stat.isFile())
    throw new Failure("bad-input", [problem("git-config-not-a-file", { file })]);
}

/** The include.path entries the environment gives git (GIT_CONFIG_COUNT/_KEY_n/_VALUE_n). */
export function environmentIncludes(env: GitEnvironment["env"]): string[] {
  const count = Number(env.GIT_CONFIG_COUNT ?? 0);
  const files: string[] = [];
  for (let i = 0; i < count; i++)
    if (env[`GIT_CONFIG_KEY_${i}`]?.toLowerCase() === "include.path")
      files.push(env[`GIT_CONFIG_VALUE_${i}`] ?? "");
  return files;
}

/**
 * The variables that give git one more include, after those the environment has already (an
 * earlier use of the action in this job, or the user's own): never replacing one.
 */
export function includeVariables(env: GitEnvironment["env"], file: string): Record<string, string> {
  const n = Number(env.GIT_CONFIG_COUNT ?? 0);
  return {
    GIT_CONFIG_COUNT: String(n + 1),
    [`GIT_CONFIG_KEY_${n}`]: "include.path",
    [`GIT_CONFIG_VALUE_${n}`]: file,
  };
}
