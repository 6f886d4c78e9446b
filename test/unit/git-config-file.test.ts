// Editing git config files as git does (lock, rename, symbolic links) and the marked blocks:
// added and removed byte for byte, with what git itself writes around and inside them kept.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { promisify } from "node:util";
import {
  addCredentialBlock,
  cutBlocks,
  editConfig,
  includeBlock,
  listBlocks,
} from "../../src/core/git/config-file.ts";
import { newCredentialId } from "../../src/core/git/credential-dir.ts";
import { removeWritten } from "../../src/core/git/remove.ts";
import { Failure } from "../../src/core/outcome.ts";

const HOST = ["https://bitbucket.org/"];
const run = promisify(execFile);

interface Box {
  root: string;
  home: string;
  gitconfig: string;
  /** A credential of ours: its directory and file exist (a live credential). */
  credential(): Promise<{ id: string; dir: string; file: string }>;
}

async function box(t: TestContext): Promise<Box> {
  const root = await mkdtemp(join(tmpdir(), "bb-unit-config-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const home = join(root, "home");
  await mkdir(home);
  return {
    root,
    home,
    gitconfig: join(home, ".gitconfig"),
    async credential() {
      const id = newCredentialId();
      const dir = join(root, `bitbucket-api-token-auth-${id}`);
      await mkdir(dir, { mode: 0o700 });
      const file = join(dir, "credentials.gitconfig");
      await writeFile(file, "[http]\n", { mode: 0o600 });
      return { id, dir, file };
    },
  };
}

/** The real git, reading only the box's HOME; output returned, never printed. */
function git(b: Box, args: string[]): string {
  return execFileSync("git", args, {
    cwd: b.root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: b.home, GIT_CONFIG_NOSYSTEM: "1" },
  });
}

const ORIGINALS: [string, string | undefined][] = [
  ["no file", undefined],
  ["an empty file", ""],
  ["a file ending with a newline", "[user]\n\tname = Test User\n\temail = test@example.com\n"],
  ["a file without a trailing newline", "[user]\n\tname = Test User\n[core]\n\tautocrlf = false"],
  ["a file with CRLF line ends", "[user]\r\n\tname = Test User\r\n[alias]\r\n\tst = status\r\n"],
  ["a file ending with blank lines", "[core]\n\teditor = vi\n\n\n"],
  ["a file with a BOM and non-ASCII text", "\ufeff[user]\n\tname = Zoë Ångström\n"],
];

describe("a credential block added and removed restores the config byte for byte", () => {
  for (const [name, original] of ORIGINALS) {
    it(name, async (t) => {
      const b = await box(t);
      if (original !== undefined) await writeFile(b.gitconfig, original);
      const c = await b.credential();
      assert.equal(await addCredentialBlock(b.gitconfig, c.id, c.file, HOST), 0);
      const during = await readFile(b.gitconfig, "utf8");
      assert.ok(during.startsWith(original ?? ""), "appends only");
      assert.ok(during.includes(`path = "${c.file}"`));
      assert.match(
        git(b, ["config", "--global", "--get-all", "include.path"]),
        /credentials\.gitconfig/,
      );
      assert.ok(!existsSync(`${b.gitconfig}.lock`), "the lock is gone");

      const removal = await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
      assert.equal(removal.found, 1);
      assert.deepEqual(removal.missing, []);
      assert.ok(!existsSync(c.dir), "the credential directory is gone");
      if (original === undefined)
        assert.ok(!existsSync(b.gitconfig), "the file it created is gone");
      else assert.equal(await readFile(b.gitconfig, "utf8"), original);
    });
  }

  it("a Latin-1 global config, byte for byte", async (t) => {
    const b = await box(t);
    const before = Buffer.from([...Buffer.from("[user]\n\tname = Jos"), 0xe9, 0x0a]);
    await writeFile(b.gitconfig, before);
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.deepEqual(await readFile(b.gitconfig), before);
  });

  it("a credential path with non-ASCII characters reaches git as written", async (t) => {
    const b = await box(t);
    const dir = join(b.root, "Zoë Ångström");
    await mkdir(dir);
    const file = join(dir, "credentials.gitconfig");
    await writeFile(file, "[alias]\n\tzz = status\n");
    await addCredentialBlock(b.gitconfig, "0123456789abcdef", file, HOST);
    assert.equal(git(b, ["config", "alias.zz"]), "status\n");
  });

  it("keeps the file's mode, as git does", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "[a]\n");
    await chmod(b.gitconfig, 0o640);
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    assert.equal(statSync(b.gitconfig).mode & 0o777, 0o640);
  });
});

describe("git's lock", () => {
  it("a held lock is an error naming the file, after a short wait; nothing is changed", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "[a]\n");
    await writeFile(`${b.gitconfig}.lock`, "");
    const c = await b.credential();
    const started = Date.now();
    await assert.rejects(addCredentialBlock(b.gitconfig, c.id, c.file, HOST), (error) => {
      assert.ok(error instanceof Failure);
      assert.equal(error.problems[0].id, "git-config-locked");
      assert.deepEqual(error.problems[0].params, {
        file: b.gitconfig,
        lock: `${b.gitconfig}.lock`,
      });
      return true;
    });
    assert.ok(Date.now() - started >= 900, "waited for a writer that might finish");
    assert.equal(await readFile(b.gitconfig, "utf8"), "[a]\n");
    assert.ok(existsSync(`${b.gitconfig}.lock`), "someone else's lock is left alone");
  });

  it("a lock released within the wait is taken", async (t) => {
    const b = await box(t);
    await writeFile(`${b.gitconfig}.lock`, "");
    setTimeout(() => void rm(`${b.gitconfig}.lock`), 200);
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    assert.equal(listBlocks(await readFile(b.gitconfig, "latin1")).length, 1);
  });

  it("git's own writes while we edit are never lost", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "");
    const c = await b.credential();
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: b.home,
      GIT_CONFIG_NOSYSTEM: "1",
    };
    const ok: number[] = [];
    const gitWrites = async () => {
      for (let i = 0; i < 30; i++) {
        try {
          await run("git", ["config", "--global", "--add", "test.value", String(i)], { env });
          ok.push(i);
        } catch {
          // git found our lock: it says so and writes nothing, which is not a lost write
        }
      }
    };
    const ourEdits = async () => {
      for (let i = 0; i < 15; i++) {
        await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
        await removeWritten({ id: c.id, config: b.gitconfig });
      }
    };
    await Promise.all([gitWrites(), ourEdits()]);
    const values = git(b, ["config", "--global", "--get-all", "test.value"]).trim().split("\n");
    assert.deepEqual(values.map(Number), ok, "every write git reported is there");
    assert.ok(ok.length > 0);
    assert.deepEqual(listBlocks(readFileText(b.gitconfig)), []);
  });
});

describe("symbolic links, followed as git follows them", () => {
  it("a linked ~/.gitconfig: the file it names is edited, the link stays", async (t) => {
    const b = await box(t);
    const real = join(b.root, "dotfiles", "gitconfig");
    await mkdir(join(b.root, "dotfiles"));
    await writeFile(real, "[user]\n\tname = Linked\n");
    await symlink("../dotfiles/gitconfig", b.gitconfig);
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    assert.ok(lstatSync(b.gitconfig).isSymbolicLink());
    assert.equal(listBlocks(await readFile(real, "latin1")).length, 1);
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.ok(lstatSync(b.gitconfig).isSymbolicLink());
    assert.equal(await readFile(real, "utf8"), "[user]\n\tname = Linked\n");
  });

  it("a dangling link: its target is created, and deleted again; the link is never replaced", async (t) => {
    const b = await box(t);
    const real = join(b.root, "not-yet");
    await symlink(real, b.gitconfig);
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    assert.ok(existsSync(real), "created where the link points, as git does");
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.ok(lstatSync(b.gitconfig).isSymbolicLink(), "still a link");
    assert.equal(readlinkSync(b.gitconfig), real);
    assert.ok(!existsSync(real), "dangling again, as before");
  });
});

describe("several credentials in one config", () => {
  it("counts the live ones covering the same URLs; sweeps the dead; removes each on its own", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "[user]\n\tname = A\n");
    const [one, two, three] = [await b.credential(), await b.credential(), await b.credential()];
    assert.equal(await addCredentialBlock(b.gitconfig, one.id, one.file, HOST), 0);
    const repo = ["https://bitbucket.org/acme/app"];
    assert.equal(await addCredentialBlock(b.gitconfig, two.id, two.file, repo), 0, "other URLs");
    assert.equal(await addCredentialBlock(b.gitconfig, three.id, three.file, HOST), 1);
    await rm(one.dir, { recursive: true }); // its job's temp dir was emptied: dead
    const four = await b.credential();
    assert.equal(await addCredentialBlock(b.gitconfig, four.id, four.file, HOST), 1);
    const ids = () => listBlocks(readFileText(b.gitconfig)).map((x) => x.id);
    assert.deepEqual(ids(), [two.id, three.id, four.id], "the dead one swept");
    await removeWritten({ id: three.id, dir: three.dir, config: b.gitconfig });
    assert.deepEqual(ids(), [two.id, four.id]);
    assert.deepEqual(listBlocks(readFileText(b.gitconfig))[0].scopes, repo);
  });

  it("a file holding only blocks of ours, one of which created it, goes with the last", async (t) => {
    const b = await box(t);
    const [one, two] = [await b.credential(), await b.credential()];
    await addCredentialBlock(b.gitconfig, one.id, one.file, HOST);
    await addCredentialBlock(b.gitconfig, two.id, two.file, HOST);
    await removeWritten({ id: one.id, dir: one.dir, config: b.gitconfig });
    assert.ok(existsSync(b.gitconfig));
    await removeWritten({ id: two.id, dir: two.dir, config: b.gitconfig });
    assert.ok(!existsSync(b.gitconfig));
  });
});

describe("what git writes into and after our block is kept", () => {
  it("an include.path `git config --global --add` put inside our block", async (t) => {
    const b = await box(t);
    const original = "[user]\n\tname = Test\n";
    await writeFile(b.gitconfig, original);
    const other = join(b.root, "other.gitconfig");
    await writeFile(other, "[alias]\n\tco = checkout\n");
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    git(b, ["config", "--global", "--add", "include.path", other]);
    assert.ok(
      readFileText(b.gitconfig).includes(
        `\tpath = ${other}\n# bitbucket-api-token-auth ${c.id} end`,
      ),
    );
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.equal(readFileText(b.gitconfig), `${original}\n[include]\n\tpath = ${other}\n`);
    assert.ok(existsSync(other));
  });

  it("a file we created keeps a line git added, and is then not deleted", async (t) => {
    const b = await box(t);
    const other = join(b.root, "other.gitconfig");
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    git(b, ["config", "--global", "--add", "include.path", other]);
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.equal(readFileText(b.gitconfig), `[include]\n\tpath = ${other}\n`);
  });

  it("`git config --global include.path X` replacing our line: the user's line survives", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "[user]\n\tname = Test\n");
    const other = join(b.root, "other.gitconfig");
    await writeFile(other, "[alias]\n\tco = checkout\n");
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    git(b, ["config", "--global", "include.path", other]);
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.ok(existsSync(other), "never deletes a file it did not create");
    assert.equal(git(b, ["config", "--global", "--get-all", "include.path"]), `${other}\n`);
  });

  it("settings git appended after our block", async (t) => {
    const b = await box(t);
    const c = await b.credential();
    await addCredentialBlock(b.gitconfig, c.id, c.file, HOST);
    git(b, ["config", "--global", "user.name", "Later"]);
    await removeWritten({ id: c.id, dir: c.dir, config: b.gitconfig });
    assert.equal(readFileText(b.gitconfig), "[user]\n\tname = Later\n");
  });
});

describe("cutBlocks", () => {
  const file = (id: string) => `/t/x "q"/bitbucket-api-token-auth-${id}/credentials.gitconfig`;

  it("reads each block: id, included file, what it covers, whether it created the file", () => {
    const text = `[a]\n\n${includeBlock("abc123", file("abc123"), HOST, false)}[b]\n`;
    const { kept, blocks, cut } = cutBlocks(text, () => true);
    assert.equal(kept, "[a]\n[b]\n");
    assert.deepEqual(blocks, [
      { id: "abc123", includePath: file("abc123"), createdFile: false, scopes: HOST },
    ]);
    assert.deepEqual(cut, blocks);
  });

  it("cuts a final block without a trailing newline", () => {
    const text = `[a]\n${includeBlock("abc", file("abc"), HOST, true).slice(0, -1)}`;
    assert.equal(cutBlocks(text, () => true).kept, "[a]");
    assert.equal(cutBlocks(text, () => true).blocks[0].createdFile, true);
  });

  it("recognises the layout of earlier versions", () => {
    const old = `# bitbucket-api-token-auth abc begin: credentials for one CI job; its cleanup removes these lines\n[include]\n\tpath = "/t/bitbucket-api-token-auth/abc.gitconfig"\n# bitbucket-api-token-auth abc end\n`;
    assert.deepEqual(listBlocks(old), [
      {
        id: "abc",
        includePath: "/t/bitbucket-api-token-auth/abc.gitconfig",
        createdFile: false,
        scopes: [],
      },
    ]);
  });

  it("leaves blocks it is not asked to cut, and unmatched markers, alone", () => {
    const text = `${includeBlock("aaa", file("aaa"), HOST, false)}# bitbucket-api-token-auth bbb begin\n[x]\n`;
    assert.equal(cutBlocks(text, (b) => b.id === "ccc").kept, text);
    assert.equal(cutBlocks(text, () => true).kept, "# bitbucket-api-token-auth bbb begin\n[x]\n");
  });
});

describe("editConfig", () => {
  it("returning the same text writes nothing; undefined deletes", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "[a]\n");
    const { mtimeMs } = statSync(b.gitconfig);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await editConfig(b.gitconfig, (text) => text);
    assert.equal(statSync(b.gitconfig).mtimeMs, mtimeMs);
    await editConfig(b.gitconfig, () => undefined);
    assert.ok(!existsSync(b.gitconfig) && !existsSync(`${b.gitconfig}.lock`));
  });

  it("an error inside the edit releases the lock and changes nothing", async (t) => {
    const b = await box(t);
    await writeFile(b.gitconfig, "[a]\n");
    await assert.rejects(
      editConfig(b.gitconfig, () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.ok(!existsSync(`${b.gitconfig}.lock`));
    assert.equal(readFileText(b.gitconfig), "[a]\n");
  });
});

function readFileText(file: string): string {
  return readFileSync(file, "latin1");
}
