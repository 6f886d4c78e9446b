/**
 * Which file is git's "global" config, and the job's own global config.
 *
 * For a job (the action, git ≥ 2.32) the global config is a file in RUNNER_TEMP that includes
 * the user's own global config(s) and then the job's credentials, exported to later steps as
 * GIT_CONFIG_GLOBAL. Nothing outside RUNNER_TEMP is written, and the runner empties RUNNER_TEMP
 * after every job, so a crashed or cancelled job leaves nothing behind.
 */
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";
import { quote } from "./config-file.ts";
import { DIR_PREFIX, type GitEnvironment, isOurs, JOB_CONFIG_FILE } from "./places.ts";

const JOB_CONFIG_HEADER = "# bitbucket-api-token-auth: the global git config of one CI job";

/** The files git reads as global config, in the order it reads them. */
export function userGlobalConfigs({ env, home }: Pick<GitEnvironment, "env" | "home">): string[] {
  if (env.GIT_CONFIG_GLOBAL) return [path.resolve(env.GIT_CONFIG_GLOBAL)];
  const xdgHome = env.XDG_CONFIG_HOME || path.join(home, ".config");
  return [path.join(xdgHome, "git", "config"), path.join(home, ".gitconfig")];
}

/** The file `git config --global` writes to, by git's own rules. */
export function globalConfigPath(places: Pick<GitEnvironment, "env" | "home">): string {
  const files = userGlobalConfigs(places);
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

/**
 * GIT_CONFIG_GLOBAL, when it names a job config an earlier step of this job made (the action
 * twice in one job): a file of ours in a directory of ours in this RUNNER_TEMP.
 */
export async function existingJobConfig(
  env: GitEnvironment["env"],
  temp: string,
): Promise<string | undefined> {
  if (!env.GIT_CONFIG_GLOBAL) return undefined;
  const file = await fs.realpath(env.GIT_CONFIG_GLOBAL).catch(() => undefined);
  if (!file || path.basename(file) !== JOB_CONFIG_FILE) return undefined;
  const dir = path.dirname(file);
  if (path.dirname(dir) !== temp || !path.basename(dir).startsWith(DIR_PREFIX)) return undefined;
  const stat = await fs.lstat(file);
  if (!stat.isFile() || !(await isOurs(dir))) return undefined;
  const text = await fs.readFile(file, "latin1");
  return text.startsWith(JOB_CONFIG_HEADER) ? file : undefined;
}

/** A new job config in `dir` that includes the user's global config(s), 0600 like the credential. */
export async function createJobConfig(dir: string, places: GitEnvironment): Promise<string> {
  const file = path.join(dir, JOB_CONFIG_FILE);
  const lines = [
    `${JOB_CONFIG_HEADER} (GIT_CONFIG_GLOBAL for its later steps).`,
    "# It includes the user's own global config, then the job's credentials. `git config --global`",
    "# writes land here, for this job only; the runner deletes the file with RUNNER_TEMP.",
  ];
  for (const user of userGlobalConfigs(places))
    lines.push("[include]", `\tpath = ${quote(Buffer.from(user, "utf8").toString("latin1"))}`);
  await fs.writeFile(file, `${lines.join("\n")}\n`, {
    encoding: "latin1",
    flag: "wx",
    mode: 0o600,
  });
  return file;
}
