/**
 * Editing a git config file the way git does: symbolic links followed to the file they name
 * (even a dangling one), `<file>.lock` created exclusively, written, and renamed over the file,
 * so a concurrent `git config` fails loudly rather than losing a write (and we wait for its lock).
 *
 * What we add is one marked block per credential: an `[include]` of its 0600 file between two
 * comments naming the credential's id and what it covers. Cutting a block (with the newline put
 * before it) restores the file byte for byte; lines someone else added inside it are kept.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";

const MARK = "# bitbucket-api-token-auth";
/** git gives up after this many links too (lockfile.c). */
const MAX_LINKS = 5;
const LOCK_WAIT_MS = 1000;
const LOCK_POLL_MS = 25;

export interface Block {
  id: string;
  /** The credential file it includes (absent if someone replaced that line). */
  includePath?: string;
  /** The file did not exist before this block: removing the last block deletes it. */
  createdFile: boolean;
  /** URL prefixes the credential applies to. */
  scopes: string[];
}

/** The file git reads and writes for `file`: symbolic links followed, as git does. */
export async function followLinks(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let depth = 0; depth < MAX_LINKS; depth++) {
    let target: string;
    try {
      target = await fs.readlink(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EINVAL" || code === "ENOENT" || code === "UNKNOWN") return current;
      throw error;
    }
    current = path.resolve(path.dirname(current), target);
  }
  return current;
}

/**
 * Edits `file` under git's lock. `edit` gets the current text (latin1: one character per byte,
 * so any bytes survive) or undefined when there is none, and returns the new text, the same
 * text (nothing is written), or undefined (the file is deleted). A held lock is an error naming
 * the file. Returns the file actually edited.
 */
export async function editConfig(
  file: string,
  edit: (text: string | undefined) => Promise<string | undefined> | string | undefined,
): Promise<string> {
  const target = await followLinks(file);
  const lock = `${target}.lock`;
  await fs.mkdir(path.dirname(target), { recursive: true });
  const handle = await takeLock(target, lock);
  let renamed = false;
  try {
    const before = await readText(target);
    const after = await edit(before);
    if (after !== undefined && after !== before) {
      await handle.writeFile(after, "latin1");
      // git keeps the file's mode when it rewrites it; a new file gets the usual 0666 & ~umask.
      if (before !== undefined) await handle.chmod((await fs.stat(target)).mode & 0o7777);
      await handle.close();
      await fs.rename(lock, target);
      renamed = true;
    } else if (after === undefined && before !== undefined) {
      await fs.rm(target);
    }
  } finally {
    await handle.close().catch(() => {});
    if (!renamed) await fs.rm(lock, { force: true });
  }
  return target;
}

/**
 * `<file>.lock`, created exclusively. Another `git config` holds it for milliseconds, so a lock
 * still there after a second is one nobody will release (a killed git): an error naming it.
 */
async function takeLock(file: string, lock: string): Promise<fs.FileHandle> {
  for (let waited = 0; ; waited += LOCK_POLL_MS) {
    try {
      return await fs.open(lock, "wx", 0o666);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (waited >= LOCK_WAIT_MS)
        throw new Failure("bad-input", [problem("git-config-locked", { file, lock })]);
      await sleep(LOCK_POLL_MS);
    }
  }
}

/** The text of a config file (latin1), or undefined when there is none. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "latin1");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Appends a block; a file that is not empty gets a "\n" before it, which cutting removes too. */
export function appendBlock(text: string | undefined, block: string): string {
  return text ? `${text}\n${block}` : block;
}

export function includeBlock(
  id: string,
  credentialFile: string,
  scopes: string[],
  createdFile: boolean,
): string {
  const note = createdFile ? " (created this file)" : "";
  return [
    `${MARK} ${id} begin${note}: git credentials for ${scopes.join(" ")} until the cleanup of one CI job`,
    "[include]",
    // Config text is handled as latin1 (a character per byte): the path goes in as its UTF-8 bytes.
    `\tpath = ${quote(Buffer.from(credentialFile, "utf8").toString("latin1"))}`,
    `${MARK} ${id} end`,
    "",
  ].join("\n");
}

/**
 * Appends the credential's block, under git's lock. Blocks of ours whose credential file is gone
 * (a crashed job's, once its temp dir was emptied) are provably dead and go; live ones stay.
 * Returns how many live ones cover a URL this one covers.
 */
export async function addCredentialBlock(
  config: string,
  id: string,
  credentialFile: string,
  scopes: string[],
): Promise<number> {
  let replaced = 0;
  await editConfig(config, async (text) => {
    const dead = new Set<string>();
    for (const block of text === undefined ? [] : listBlocks(text))
      if (block.includePath && !(await exists(block.includePath))) dead.add(block.id);
    const { kept, blocks } =
      text === undefined ? { kept: undefined, blocks: [] } : cutBlocks(text, (b) => dead.has(b.id));
    const live = blocks.filter((b) => !dead.has(b.id));
    replaced = live.filter((b) => b.scopes.some((s) => scopes.includes(s))).length;
    // A file holding nothing but blocks of ours, one of which created it, is still ours to delete.
    const created =
      kept === undefined ||
      (cutBlocks(kept, () => true).kept === "" && blocks.some((b) => b.createdFile));
    return appendBlock(kept, includeBlock(id, credentialFile, scopes, created));
  });
  return replaced;
}

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** Every block of ours in a config text, in order. */
export function listBlocks(text: string): Block[] {
  return cutBlocks(text, () => false).blocks;
}

/**
 * Cuts the blocks `cut` picks out of a config text and returns what is kept, with every block
 * found. Lines someone else added inside a block (git appends `include.path` to the last
 * [include]) are kept, as a section of their own.
 */
export function cutBlocks(
  text: string,
  cut: (block: Block) => boolean,
): { kept: string; blocks: Block[]; cut: Block[] } {
  const blocks: Block[] = [];
  const removed: Block[] = [];
  const pattern = new RegExp(
    `(\\n?)${MARK} ([0-9a-f]+) begin([^\\n]*)\\n([\\s\\S]*?)${MARK} \\2 end(?:\\n|$)`,
    "g",
  );
  const kept = text.replace(
    pattern,
    (whole, newline: string, id: string, note: string, body: string) => {
      const lines = body.split("\n").filter((line) => line !== "");
      const pathLine = lines.find((line) => includedId(line) === id);
      const block: Block = {
        id,
        includePath: pathLine
          ? Buffer.from(unquote(pathLine.replace(/^\tpath = /, "")), "latin1").toString("utf8")
          : undefined,
        createdFile: note.startsWith(" (created this file)"),
        scopes: /git credentials for (\S+(?: \S+)*) until/.exec(note)?.[1].split(" ") ?? [],
      };
      blocks.push(block);
      if (!cut(block)) return whole;
      removed.push(block);
      const foreign = lines.filter((line) => line !== "[include]" && line !== pathLine);
      return foreign.length > 0 ? `${newline}[include]\n${foreign.join("\n")}\n` : "";
    },
  );
  return { kept, blocks, cut: removed };
}

/**
 * The id in an include line of ours: `<dir>/bitbucket-api-token-auth-<id>/credentials.gitconfig`,
 * or the layout of earlier versions, `<dir>/bitbucket-api-token-auth/<id>.gitconfig`.
 */
function includedId(line: string): string | undefined {
  if (!line.startsWith("\tpath = ")) return undefined;
  const m =
    /[\\/]bitbucket-api-token-auth-([0-9a-f]+)[\\/]credentials\.gitconfig"?$/.exec(line) ??
    /[\\/]bitbucket-api-token-auth[\\/]([0-9a-f]+)\.gitconfig"?$/.exec(line);
  return m?.[1];
}

export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function unquote(value: string): string {
  const inner = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return inner.replace(/\\(["\\])/g, "$1");
}
