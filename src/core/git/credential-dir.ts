/**
 * Where the credential lives: a directory of its own, created fresh (exclusively, mode 0700)
 * under the temp directory, never a name someone else could have made first. A shared /tmp may
 * hold a directory another user made, or a symbolic link to one; neither is ever used.
 *
 * Each directory holds the credential file (0600), the clients' files asked for (a netrc file, a
 * Composer home), and a note saying what it covers and which
 * config file includes it, so cleanup finds what setup wrote even when GIT_CONFIG_GLOBAL changed
 * in between.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";
import type { Env } from "./run-git.ts";

export interface GitEnvironment {
  /** Where the credential directory goes: RUNNER_TEMP, or the system temp dir for the command. */
  tempDir: string;
  home: string;
  /** GIT_CONFIG_GLOBAL and XDG_CONFIG_HOME decide which file git calls "global". */
  env: Env;
  /** The credential must not be inside this directory (the checkout). */
  workspace?: string;
  /** What tells this step's credentials from others' in the same temp dir (a Pipelines step). */
  session?: string;
}

/** What was written for one credential; never secret. */
export interface Written {
  id: string;
  /** The credential's own directory. */
  dir: string;
  /** The config file holding the include block; none when the environment includes it. */
  config?: string;
}

export const DIR_PREFIX = "bitbucket-api-token-auth-";
export const CREDENTIAL_FILE = "credentials.gitconfig";
/** The clients' files beside it (src/core/clients/): `credential-files`. */
export const NETRC_FILE = "netrc";
export const COMPOSER_DIR = "composer";
const NOTE_FILE = "written.json";

export const newCredentialId = (): string => randomBytes(8).toString("hex");

/**
 * The temp directory with every symbolic link resolved, checked to be outside the workspace
 * (resolved too: a link must not smuggle the credential into the checkout).
 */
export async function realTempDir(environment: GitEnvironment): Promise<string> {
  await fs.mkdir(path.resolve(environment.tempDir), { recursive: true });
  const temp = await fs.realpath(path.resolve(environment.tempDir));
  if (environment.workspace) {
    const workspace = await fs
      .realpath(path.resolve(environment.workspace))
      .catch(() => path.resolve(environment.workspace as string));
    if (isInside(temp, workspace))
      throw new Failure("bad-input", [
        problem("temp-inside-workspace", {
          tempDir: environment.tempDir,
          workspace: environment.workspace,
        }),
      ]);
  }
  return temp;
}

/** A new directory for one credential: mkdir fails if anything has that name already. */
export async function createCredentialDir(temp: string, id: string): Promise<string> {
  const dir = path.join(temp, `${DIR_PREFIX}${id}`);
  await fs.mkdir(dir, { mode: 0o700 });
  if (!(await isOurs(dir))) throw new Error(`${dir} is not a private directory of this user`);
  return dir;
}

/** A directory of ours: a real directory (not a link), owned by this user, closed to others. */
export async function isOurs(dir: string): Promise<boolean> {
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) return false;
  if (process.platform === "win32") return true;
  return stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
}

export async function writeNote(
  written: Written,
  scopes: string[],
  session: string | undefined,
): Promise<void> {
  const note = JSON.stringify({ id: written.id, config: written.config, scopes, session });
  await fs.writeFile(path.join(written.dir, NOTE_FILE), `${note}\n`, { flag: "wx", mode: 0o600 });
}

interface Note {
  id?: unknown;
  config?: unknown;
  scopes?: unknown;
  session?: unknown;
}

/** The note beside a credential of ours; empty when there is none (or the dir is not ours). */
export async function readNote(dir: string): Promise<Note> {
  if (!(await isOurs(dir))) return {};
  try {
    return JSON.parse(await fs.readFile(path.join(dir, NOTE_FILE), "utf8"));
  } catch {
    return {}; // set-up stopped before writing it
  }
}

/**
 * The credentials written from this temp dir by this session: a Pipelines step's own, a
 * terminal's (no session), never the action's. A directory without a note holds no credential
 * (the note is written first) and is anyone's to remove.
 */
export async function sessionCredentials(temp: string, session?: string): Promise<Written[]> {
  const names = await fs.readdir(temp).catch(() => [] as string[]);
  const found: Written[] = [];
  for (const name of names) {
    const id = name.startsWith(DIR_PREFIX) ? name.slice(DIR_PREFIX.length) : "";
    const dir = path.join(temp, name);
    if (!/^[0-9a-f]{16}$/.test(id) || !(await isOurs(dir))) continue;
    const note = await readNote(dir);
    if (note.id !== undefined && note.session !== session) continue;
    found.push({ id, dir, config: typeof note.config === "string" ? note.config : undefined });
  }
  return found;
}

/**
 * Deletes what setup put in a credential directory (git's config file, the clients' files, the
 * note), and the directory. Returns the files that held the credential.
 */
export async function removeCredentialDir(dir: string): Promise<string[]> {
  if (!(await isOurs(dir))) return [];
  const secrets = [CREDENTIAL_FILE, NETRC_FILE, path.join(COMPOSER_DIR, "auth.json")];
  const present = await Promise.all(
    secrets.map((name) =>
      fs.access(path.join(dir, name)).then(
        () => true,
        () => false,
      ),
    ),
  );
  // The Composer home holds links to the user's own entries: rm removes links, never targets.
  for (const name of [CREDENTIAL_FILE, NETRC_FILE, COMPOSER_DIR, NOTE_FILE])
    await fs.rm(path.join(dir, name), { recursive: true, force: true });
  await fs.rmdir(dir).catch(() => {});
  return secrets.filter((_, i) => present[i]).map((name) => path.join(dir, name));
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
