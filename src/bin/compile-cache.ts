/**
 * Node's module compile cache (`module.enableCompileCache`, public API of node:module) for the
 * action's steps: main compiles dist/chunks/action.js once and leaves V8's code cache on disk;
 * post, and later runs on a self-hosted machine, load it instead of compiling again.
 *
 * The cache is code this process will run, so it lives only in a directory nobody else can
 * write: `<temp dir>/bitbucket-auth-compile-cache-<uid>`, created 0700 by this user, or found
 * already so. A shared /tmp may hold that name already, made by someone else, or a link to
 * another place: then there is no cache at all (it is only ever a speed-up). Node adds a
 * subdirectory of its own per Node version and user inside.
 *
 * Synchronous and import-free beyond Node's builtins: it runs before the action's bundle is
 * imported (src/bin/action-main.ts), since a module compiled before the cache is on is not cached.
 */
import { lstatSync, mkdirSync, statSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CACHE_DIR_PREFIX = "bitbucket-auth-compile-cache-";

/**
 * The private cache directory under `temp`, made when absent; undefined when it cannot be
 * trusted (or on a system without POSIX owners, where there is no cache).
 */
export function privateCacheDir(temp: string, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  // Another user must not be able to swap our directory for theirs: the temp dir is theirs or
  // root's, and if others may write in it, the sticky bit keeps them to their own entries.
  const parent = statSync(temp, { throwIfNoEntry: false });
  if (!parent?.isDirectory() || (parent.uid !== uid && parent.uid !== 0)) return undefined;
  if ((parent.mode & 0o022) !== 0 && (parent.mode & 0o1000) === 0) return undefined;
  const dir = join(temp, `${CACHE_DIR_PREFIX}${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
  }
  // Whoever made it: a real directory (not a link), this user's, closed to everyone else.
  const stat = lstatSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return undefined;
  return dir;
}

/** Turns the cache on in a private directory, or leaves it off; never throws, never prints. */
export function enablePrivateCompileCache(): void {
  try {
    // NODE_COMPILE_CACHE, when set, has turned it on already (Node's own choice of directory);
    // NODE_DISABLE_COMPILE_CACHE keeps it off.
    if (process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return;
    const dir = privateCacheDir(tmpdir(), process.getuid?.());
    if (dir) enableCompileCache(dir);
  } catch {
    // no cache: the action runs the same, compiling as it would have
  }
}
