/**
 * Git credentials for the rest of the job; configure() and remove() mirror each other.
 *
 * The secret lives in one 0600 file outside the workspace: a git config fragment that sends the
 * credential preemptively (`http.<git-url>/.extraHeader`, so git never needs a 401 round trip)
 * to the Bitbucket git host only, and empties that host's credential helper list so a stale
 * keychain or Git Credential Manager entry cannot win. The user's global git config gains only
 * an `[include]` of that file, between marker comments; removal cuts exactly those lines, so the
 * global config is left byte for byte as it was. Git itself is never run: no argument list can
 * show the secret, and the step spawns no process.
 */
import { randomBytes } from "node:crypto";
import { constants, existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";

export interface GitCredential {
  /** Base URL of the git host, e.g. https://bitbucket.org */
  gitUrl: URL;
  /** The full `Authorization` header value for git (Basic with the git username). */
  authorization: string;
  rewriteSshUrls: boolean;
}

export interface GitEnvironment {
  /** Where the credential file may live: RUNNER_TEMP, or the system temp dir for the command. */
  tempDir: string;
  home: string;
  /** GIT_CONFIG_GLOBAL and XDG_CONFIG_HOME decide which file git calls "global". */
  env: Record<string, string | undefined>;
  /** The credential file must not be inside this directory (the checkout). */
  workspace?: string;
}

export interface Configured {
  id: string;
  credentialFile: string;
  globalConfig: string;
}

export interface Removal {
  /** Files changed or deleted, for the log. */
  removed: string[];
  /** Blocks of ours found in the global config. */
  found: number;
  /** Credential files those blocks included that were already gone (RUNNER_TEMP emptied). */
  missing: string[];
}

const MARK = "# bitbucket-api-token-auth";
const DIR_NAME = "bitbucket-api-token-auth";

export const newCredentialId = (): string => randomBytes(8).toString("hex");

export async function configure(
  credential: GitCredential,
  places: GitEnvironment,
  id = newCredentialId(),
): Promise<Configured> {
  const dir = path.join(path.resolve(places.tempDir), DIR_NAME);
  if (places.workspace && isInside(dir, path.resolve(places.workspace))) {
    throw new Failure("bad-input", [
      problem("temp-inside-workspace", { tempDir: places.tempDir, workspace: places.workspace }),
    ]);
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const credentialFile = path.join(dir, `${id}.gitconfig`);
  // wx: never follow or overwrite something already there; mode 0600 from the first byte.
  await fs.writeFile(credentialFile, credentialConfig(credential), { flag: "wx", mode: 0o600 });

  const globalConfig = globalConfigPath(places);
  try {
    const before = await readIfExists(globalConfig);
    await fs.mkdir(path.dirname(globalConfig), { recursive: true });
    // A file that holds nothing but blocks of ours, one of which created it, is still ours to delete.
    const earlier = before === undefined ? undefined : cutBlocks(before);
    const created =
      before === undefined || (earlier?.kept === "" && earlier.blocks.some((b) => b.createdFile));
    const block = includeBlock(id, credentialFile, created);
    await fs.appendFile(globalConfig, before ? `\n${block}` : block);
  } catch (error) {
    await fs.rm(credentialFile, { force: true });
    throw error;
  }
  return { id, credentialFile, globalConfig };
}

/**
 * Removes the block with this id (or every block of ours when no id is given: leftovers from a
 * crashed job or an earlier run in this job) and the files they include. With no id it also
 * sweeps orphaned credential files under tempDir.
 */
export async function remove(places: GitEnvironment, id?: string): Promise<Removal> {
  const removal: Removal = { removed: [], found: 0, missing: [] };
  const credentialFiles = new Set<string>();
  const included = new Set<string>();
  for (const config of candidateGlobalConfigs(places)) {
    const text = await readIfExists(config);
    if (text === undefined) continue;
    const { kept, blocks } = cutBlocks(text, id);
    if (blocks.length === 0) continue;
    removal.found += blocks.length;
    for (const block of blocks) {
      // The path was written as UTF-8 and read back byte by byte.
      if (block.includePath)
        included.add(Buffer.from(block.includePath, "latin1").toString("utf8"));
    }
    if (kept === "" && blocks.some((b) => b.createdFile)) {
      await fs.rm(config, { force: true });
    } else {
      await fs.writeFile(config, kept, "latin1");
    }
    removal.removed.push(config);
  }
  if (id === undefined) {
    const dir = path.join(path.resolve(places.tempDir), DIR_NAME);
    const orphans = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of orphans)
      if (name.endsWith(".gitconfig")) credentialFiles.add(path.join(dir, name));
  } else {
    credentialFiles.add(path.join(path.resolve(places.tempDir), DIR_NAME, `${id}.gitconfig`));
  }
  for (const file of included) credentialFiles.add(file);
  for (const file of credentialFiles) {
    if (await exists(file)) {
      await fs.rm(file, { force: true });
      removal.removed.push(file);
    } else if (included.has(file)) {
      removal.missing.push(file);
    }
  }
  return removal;
}

/** The file `git config --global` writes to, by git's own rules. */
export function globalConfigPath(places: GitEnvironment): string {
  const [primary, xdg] = candidateGlobalConfigs(places);
  if (xdg && !existsSync(primary) && existsSync(xdg)) return xdg;
  return primary;
}

function candidateGlobalConfigs({ env, home }: GitEnvironment): string[] {
  if (env.GIT_CONFIG_GLOBAL) return [env.GIT_CONFIG_GLOBAL];
  const xdgHome = env.XDG_CONFIG_HOME || path.join(home, ".config");
  return [path.join(home, ".gitconfig"), path.join(xdgHome, "git", "config")];
}

export function credentialConfig({ gitUrl, authorization, rewriteSshUrls }: GitCredential): string {
  const base = `${gitUrl.origin}${gitUrl.pathname.replace(/\/+$/, "")}/`;
  const lines = [
    "# Written by bitbucket-api-token-auth for one CI job; its cleanup deletes this file.",
    `[http ${quote(base)}]`,
    "\textraHeader =", // an empty value drops extra headers configured before this one
    `\textraHeader = ${quote(`Authorization: ${authorization}`)}`,
    `[credential ${quote(base.replace(/\/$/, ""))}]`,
    "\thelper =", // an empty helper drops every helper configured before: no stale password wins
  ];
  if (rewriteSshUrls) {
    const host = gitUrl.hostname;
    lines.push(
      `[url ${quote(base)}]`,
      `\tinsteadOf = ${quote(`git@${host}:`)}`,
      `\tinsteadOf = ${quote(`ssh://git@${host}/`)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function includeBlock(id: string, credentialFile: string, createdFile: boolean): string {
  const note = createdFile ? " (created this file)" : "";
  return [
    `${MARK} ${id} begin${note}: credentials for one CI job; its cleanup removes these lines`,
    "[include]",
    `\tpath = ${quote(credentialFile)}`,
    `${MARK} ${id} end`,
    "",
  ].join("\n");
}

interface CutBlock {
  includePath?: string;
  createdFile: boolean;
}

/**
 * Cuts our blocks out of a config text. Each block was appended with a "\n" before it when the
 * file was not empty, so cutting that "\n" too restores the bytes exactly. Lines someone else
 * added inside the block (git appends `include.path` to the last [include]) are kept.
 */
export function cutBlocks(text: string, id?: string): { kept: string; blocks: CutBlock[] } {
  const blocks: CutBlock[] = [];
  const pattern = new RegExp(
    `(\\n?)${MARK} ([0-9a-f]+) begin([^\\n]*)\\n([\\s\\S]*?)${MARK} \\2 end(?:\\n|$)`,
    "g",
  );
  const kept = text.replace(
    pattern,
    (whole, newline: string, blockId: string, note: string, body: string) => {
      if (id !== undefined && blockId !== id) return whole;
      const lines = body.split("\n").filter((line) => line !== "");
      // Ours is the line naming this block's credential file; `git config --global include.path X`
      // may have replaced it with the user's own, which must survive.
      const isOurs = (line: string) =>
        /^\tpath = /.test(line) &&
        /[\\/]bitbucket-api-token-auth[\\/]([0-9a-f]+)\.gitconfig"?$/.exec(line)?.[1] === blockId;
      const pathLine = lines.find(isOurs);
      blocks.push({
        includePath: pathLine ? unquote(pathLine.replace(/^\tpath = /, "")) : undefined,
        createdFile: note.startsWith(" (created this file)"),
      });
      const foreign = lines.filter((line) => line !== "[include]" && line !== pathLine);
      return foreign.length > 0 ? `${newline}[include]\n${foreign.join("\n")}\n` : "";
    },
  );
  return { kept, blocks };
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function unquote(value: string): string {
  const inner = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return inner.replace(/\\(["\\])/g, "$1");
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** latin1 maps each byte to one character and back, so any config's bytes survive a rewrite. */
async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "latin1");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}
