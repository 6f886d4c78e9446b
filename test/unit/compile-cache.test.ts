/**
 * The compile cache's directory (src/bin/compile-cache.ts): used only when nobody else can write
 * it. The cache is code the action runs; a directory another user made, a link, or loose modes
 * mean no cache at all.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CACHE_DIR_PREFIX, privateCacheDir } from "../../src/bin/compile-cache.ts";

const posix = process.platform !== "win32";
const uid = process.getuid?.() ?? -1;
const isRoot = uid === 0;
const NOBODY = 65534;
const roots: string[] = [];
after(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});
/** A temp dir of this user's, mode 0700 (mkdtemp's). */
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "compile-cache-test-"));
  roots.push(dir);
  return dir;
}
const named = (dir: string) => join(dir, `${CACHE_DIR_PREFIX}${uid}`);
const mode = (path: string) => statSync(path).mode & 0o7777;

describe("privateCacheDir", { skip: !posix && "POSIX owners and modes" }, () => {
  it("makes <temp>/bitbucket-auth-compile-cache-<uid>, mode 0700, and uses it", () => {
    const dir = temp();
    assert.equal(privateCacheDir(dir, uid), named(dir));
    assert.equal(mode(named(dir)), 0o700);
    assert.equal(statSync(named(dir)).uid, uid);
  });

  it("uses the one it made before", () => {
    const dir = temp();
    mkdirSync(named(dir), { mode: 0o700 });
    writeFileSync(join(named(dir), "entry"), "");
    assert.equal(privateCacheDir(dir, uid), named(dir));
    assert.deepEqual(readdirSync(named(dir)), ["entry"]);
  });

  it("refuses a directory others may write or read, and leaves its mode alone", () => {
    for (const loose of [0o777, 0o755, 0o770, 0o701]) {
      const dir = temp();
      mkdirSync(named(dir));
      chmodSync(named(dir), loose);
      assert.equal(privateCacheDir(dir, uid), undefined, loose.toString(8));
      assert.equal(mode(named(dir)), loose);
    }
  });

  it("refuses a symbolic link, even to a private directory of this user's", () => {
    const dir = temp();
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, named(dir));
    assert.equal(privateCacheDir(dir, uid), undefined);
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  it("refuses a file of that name", () => {
    const dir = temp();
    writeFileSync(named(dir), "");
    assert.equal(privateCacheDir(dir, uid), undefined);
  });

  it("refuses a directory another user made first", {
    skip: !isRoot && "needs root to chown",
  }, () => {
    const dir = temp();
    mkdirSync(named(dir), { mode: 0o700 });
    chownSync(named(dir), NOBODY, NOBODY);
    assert.equal(privateCacheDir(dir, uid), undefined);
  });

  it("refuses a temp dir another user owns (they could swap the directory)", {
    skip: !isRoot && "needs root to chown",
  }, () => {
    const dir = temp();
    chownSync(dir, NOBODY, NOBODY);
    assert.equal(privateCacheDir(dir, uid), undefined);
    assert.deepEqual(readdirSync(dir), [], "nothing made in it");
  });

  it("refuses a temp dir anyone may write unless it is sticky, as /tmp is", () => {
    const open = temp();
    chmodSync(open, 0o777);
    assert.equal(privateCacheDir(open, uid), undefined);
    assert.deepEqual(readdirSync(open), [], "nothing made in it");
    const sticky = temp();
    chmodSync(sticky, 0o1777);
    assert.equal(privateCacheDir(sticky, uid), named(sticky));
  });

  it("no user id (Windows), or no temp dir: no cache, no error", () => {
    const dir = temp();
    assert.equal(privateCacheDir(dir, undefined), undefined);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(privateCacheDir(join(dir, "missing"), uid), undefined);
  });
});
