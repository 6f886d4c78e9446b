import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  configure,
  credentialConfig,
  cutBlocks,
  type GitCredential,
  type GitEnvironment,
  globalConfigPath,
  newCredentialId,
  remove,
} from "../../src/core/git/git-credentials.ts";
import { credentialFor, gitAuthorization } from "../../src/core/inputs/credential.ts";
import { render } from "../../src/core/messages/index.ts";
import { Failure } from "../../src/core/outcome.ts";
import { rendererFor } from "../../src/core/render/renderer.ts";
import { apiToken, EMAIL, randomChars } from "./fixtures.ts";

interface Sandbox {
  root: string;
  home: string;
  tempDir: string;
  places: GitEnvironment;
  /** ~/.gitconfig */
  gitconfig: string;
}

async function sandbox(
  t: TestContext,
  env: Record<string, string | undefined> = {},
): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), "bb-unit-git-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const home = join(root, "home");
  const tempDir = join(root, "runner-temp");
  await mkdir(home);
  return {
    root,
    home,
    tempDir,
    places: { home, tempDir, env, workspace: join(root, "work") },
    gitconfig: join(home, ".gitconfig"),
  };
}

function gitCredential(rewriteSshUrls = false, gitUrl = "https://bitbucket.org"): GitCredential {
  return {
    gitUrl: new URL(gitUrl),
    authorization: gitAuthorization(credentialFor(apiToken(), EMAIL)),
    rewriteSshUrls,
  };
}

/** Runs the real git against the sandbox's home only; output is returned, never printed. */
function git(box: Sandbox, args: string[], extraEnv: Record<string, string> = {}): string {
  return execFileSync("git", args, {
    cwd: box.root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: box.home,
      GIT_CONFIG_NOSYSTEM: "1",
      LC_ALL: "C",
      ...extraEnv,
    },
  });
}

const bytes = (file: string) => readFile(file);

const ORIGINALS: [string, string | undefined][] = [
  ["no file", undefined],
  ["an empty file", ""],
  ["a file ending with a newline", "[user]\n\tname = Test User\n\temail = test@example.com\n"],
  ["a file without a trailing newline", "[user]\n\tname = Test User\n[core]\n\tautocrlf = false"],
  ["a file with CRLF line ends", "[user]\r\n\tname = Test User\r\n[alias]\r\n\tst = status\r\n"],
  ["a file ending with blank lines", "[core]\n\teditor = vi\n\n\n"],
  ["a file with a BOM and non-ASCII text", "\ufeff[user]\n\tname = Zoë Ångström\n"],
];

describe("configure then remove restores the global config byte for byte", () => {
  for (const [name, original] of ORIGINALS) {
    for (const rewrite of [false, true]) {
      it(`${name}${rewrite ? " (with SSH rewrite)" : ""}`, async (t) => {
        const box = await sandbox(t);
        if (original !== undefined) await writeFile(box.gitconfig, original);
        const before = original === undefined ? undefined : await bytes(box.gitconfig);

        const configured = await configure(gitCredential(rewrite), box.places);
        assert.equal(configured.globalConfig, box.gitconfig);
        const during = await readFile(box.gitconfig, "utf8");
        assert.ok(during.startsWith(original ?? ""), "appends only");
        assert.ok(during.includes(`path = "${configured.credentialFile}"`));

        const removal = await remove(box.places, configured.id);
        assert.equal(removal.found, 1);
        assert.deepEqual(removal.removed, [box.gitconfig, configured.credentialFile]);
        assert.deepEqual(removal.missing, []);
        assert.equal(existsSync(configured.credentialFile), false, "credential file deleted");
        if (before === undefined) {
          assert.equal(existsSync(box.gitconfig), false, "the file we created is deleted again");
        } else {
          assert.deepEqual(await bytes(box.gitconfig), before);
        }
      });
    }
  }
});

describe("configure then remove with bytes that are not UTF-8", () => {
  it("restores a Latin-1 global config byte for byte", {}, async (t) => {
    const box = await sandbox(t);
    // "[user]\n\tname = José\n" as Latin-1, as old Windows setups wrote it.
    const before = Buffer.concat([
      Buffer.from("[user]\n\tname = Jos"),
      Buffer.from([0xe9]),
      Buffer.from("\n"),
    ]);
    await writeFile(box.gitconfig, before);
    const configured = await configure(gitCredential(), box.places);
    await remove(box.places, configured.id);
    assert.deepEqual(await bytes(box.gitconfig), before);
  });
});

describe("configure", () => {
  it("writes the credential file 0600 in a 0700 directory under tempDir", {
    skip: process.platform === "win32" && "Windows has no POSIX file modes",
  }, async (t) => {
    const box = await sandbox(t);
    await mkdir(join(box.tempDir, "bitbucket-api-token-auth"), { recursive: true, mode: 0o755 });
    await chmod(join(box.tempDir, "bitbucket-api-token-auth"), 0o755);
    const configured = await configure(gitCredential(), box.places, "0123456789abcdef");
    assert.equal(
      configured.credentialFile,
      join(box.tempDir, "bitbucket-api-token-auth", "0123456789abcdef.gitconfig"),
    );
    assert.equal((await stat(configured.credentialFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(box.tempDir, "bitbucket-api-token-auth"))).mode & 0o777, 0o700);
    assert.deepEqual(configured, {
      id: "0123456789abcdef",
      credentialFile: configured.credentialFile,
      globalConfig: box.gitconfig,
    });
  });

  it("writes the credential fragment and an include block between markers", async (t) => {
    const box = await sandbox(t);
    const credential = gitCredential(true);
    const configured = await configure(credential, box.places, "00ff00ff00ff00ff");
    assert.ok(
      (await readFile(configured.credentialFile, "utf8")) === credentialConfig(credential),
      "fragment content",
    );
    assert.equal(
      await readFile(box.gitconfig, "utf8"),
      [
        "# bitbucket-api-token-auth 00ff00ff00ff00ff begin (created this file): credentials for one CI job; its cleanup removes these lines",
        "[include]",
        `\tpath = "${configured.credentialFile}"`,
        "# bitbucket-api-token-auth 00ff00ff00ff00ff end",
        "",
      ].join("\n"),
    );
  });

  it("marks an existing file as not created by us, after a separating newline", async (t) => {
    const box = await sandbox(t);
    await writeFile(box.gitconfig, "[user]\n\tname = x\n");
    const configured = await configure(gitCredential(), box.places, "aaaaaaaaaaaaaaaa");
    const text = await readFile(box.gitconfig, "utf8");
    assert.equal(
      text,
      `[user]\n\tname = x\n\n# bitbucket-api-token-auth aaaaaaaaaaaaaaaa begin: credentials for one CI job; its cleanup removes these lines\n[include]\n\tpath = "${configured.credentialFile}"\n# bitbucket-api-token-auth aaaaaaaaaaaaaaaa end\n`,
    );
  });

  it("uses a fresh random id each time", async (t) => {
    const box = await sandbox(t);
    const a = await configure(gitCredential(), box.places);
    const b = await configure(gitCredential(), box.places);
    assert.match(a.id, /^[0-9a-f]{16}$/);
    assert.notEqual(a.id, b.id);
    assert.match(newCredentialId(), /^[0-9a-f]{16}$/);
  });

  it("refuses to overwrite an existing credential file and leaves the global config alone", async (t) => {
    const box = await sandbox(t);
    await writeFile(box.gitconfig, "[core]\n");
    await configure(gitCredential(), box.places, "1111111111111111");
    const before = await bytes(box.gitconfig);
    await assert.rejects(configure(gitCredential(), box.places, "1111111111111111"), {
      code: "EEXIST",
    });
    assert.deepEqual(await bytes(box.gitconfig), before);
  });

  it("refuses a tempDir inside the workspace, before writing anything", async (t) => {
    const box = await sandbox(t);
    const workspace = join(box.root, "work");
    for (const tempDir of [workspace, join(workspace, ".tmp"), join(workspace, "a", "b")]) {
      await assert.rejects(
        configure(gitCredential(), { ...box.places, tempDir, workspace }),
        (error: unknown) =>
          error instanceof Failure &&
          error.verdict === "bad-input" &&
          error.problems.length === 1 &&
          error.problems[0].id === "temp-inside-workspace" &&
          error.problems[0].params.tempDir === tempDir &&
          render(error.problems[0], rendererFor("action", "plain")).text.includes(
            "is inside the workspace",
          ),
      );
    }
    assert.equal(existsSync(workspace), false, "nothing created in the workspace");
    assert.equal(existsSync(box.gitconfig), false, "global config untouched");
  });

  it("accepts a tempDir beside the workspace whose name merely starts the same", async (t) => {
    const box = await sandbox(t);
    const workspace = join(box.root, "work");
    const configured = await configure(gitCredential(), {
      ...box.places,
      tempDir: `${workspace}-tmp`,
      workspace,
    });
    assert.ok(configured.credentialFile.startsWith(`${workspace}-tmp/`));
  });

  it("honours GIT_CONFIG_GLOBAL", async (t) => {
    const box = await sandbox(t);
    const custom = join(box.root, "elsewhere", "gitconfig");
    const places = { ...box.places, env: { GIT_CONFIG_GLOBAL: custom } };
    assert.equal(globalConfigPath(places), custom);
    const configured = await configure(gitCredential(), places);
    assert.equal(configured.globalConfig, custom);
    assert.ok((await readFile(custom, "utf8")).includes(configured.credentialFile));
    assert.equal(existsSync(box.gitconfig), false, "~/.gitconfig not touched");
    // git itself reads the same file.
    const seen = git(
      box,
      ["config", "--global", "--includes", "--get-all", "http.https://bitbucket.org/.extraheader"],
      {
        GIT_CONFIG_GLOBAL: custom,
      },
    );
    assert.equal(seen.split("\n").length, 3, "two values (reset, header) and a final newline");
    await remove(places);
    assert.equal(existsSync(custom), false);
  });

  it("uses the XDG config when ~/.gitconfig is absent and the XDG one exists", async (t) => {
    const box = await sandbox(t);
    const xdg = join(box.home, ".config", "git", "config");
    await mkdir(join(box.home, ".config", "git"), { recursive: true });
    await writeFile(xdg, "[user]\n\tname = xdg\n");
    assert.equal(globalConfigPath(box.places), xdg);
    const configured = await configure(gitCredential(), box.places);
    assert.equal(configured.globalConfig, xdg);
    assert.equal(existsSync(box.gitconfig), false);
    const seen = git(box, [
      "config",
      "--global",
      "--includes",
      "--get-all",
      "http.https://bitbucket.org/.extraheader",
    ]);
    assert.equal(seen.split("\n").length, 3);
    await remove(box.places);
    assert.equal(await readFile(xdg, "utf8"), "[user]\n\tname = xdg\n");
  });

  it("uses $XDG_CONFIG_HOME/git/config when set", async (t) => {
    const box = await sandbox(t);
    const xdgHome = join(box.root, "xdg");
    const xdg = join(xdgHome, "git", "config");
    await mkdir(join(xdgHome, "git"), { recursive: true });
    await writeFile(xdg, "");
    const places = { ...box.places, env: { XDG_CONFIG_HOME: xdgHome } };
    assert.equal(globalConfigPath(places), xdg);
    assert.equal(
      globalConfigPath(box.places),
      box.gitconfig,
      "without the variable, ~/.config is looked at",
    );
  });

  it("prefers ~/.gitconfig when both exist, and creates it when neither does", async (t) => {
    const box = await sandbox(t);
    assert.equal(globalConfigPath(box.places), box.gitconfig);
    await mkdir(join(box.home, ".config", "git"), { recursive: true });
    await writeFile(join(box.home, ".config", "git", "config"), "");
    await writeFile(box.gitconfig, "");
    assert.equal(globalConfigPath(box.places), box.gitconfig);
  });

  it("real git sees the header for the git host (compared in-process, never printed)", async (t) => {
    const box = await sandbox(t);
    await writeFile(box.gitconfig, "[user]\n\tname = Test\n");
    const credential = gitCredential(true);
    await configure(credential, box.places);
    const headers = git(box, [
      "config",
      "--global",
      "--includes",
      "--get-all",
      "http.https://bitbucket.org/.extraheader",
    ]);
    const lines = headers.split("\n");
    assert.ok(
      lines.length === 3 && lines[0] === "" && lines[2] === "",
      "an empty reset value, then the header",
    );
    assert.ok(
      lines[1] === `Authorization: ${credential.authorization}`,
      "the header git will send is the credential's",
    );
    // Without --includes, --global shows nothing: the header lives only in the included file.
    assert.throws(() =>
      git(box, ["config", "--global", "--get-all", "http.https://bitbucket.org/.extraheader"]),
    );
    // The helper list for the host is emptied; SSH URLs are rewritten.
    assert.equal(
      git(box, [
        "config",
        "--global",
        "--includes",
        "--get-all",
        "credential.https://bitbucket.org.helper",
      ]),
      "\n",
    );
    assert.equal(
      git(box, [
        "config",
        "--global",
        "--includes",
        "--get-all",
        "url.https://bitbucket.org/.insteadof",
      ]),
      "git@bitbucket.org:\nssh://git@bitbucket.org/\n",
    );
    // git resolves the per-URL setting for a repository URL on that host only.
    const forRepo = git(box, [
      "config",
      "--includes",
      "--get-urlmatch",
      "http.extraheader",
      "https://bitbucket.org/acme/app.git",
    ]);
    assert.ok(
      forRepo === `Authorization: ${credential.authorization}\n`,
      "urlmatch picks the header",
    );
    assert.throws(() =>
      git(box, [
        "config",
        "--includes",
        "--get-urlmatch",
        "http.extraheader",
        "https://example.com/acme/app.git",
      ]),
    );
  });
});

describe("credentialConfig", () => {
  const authorization = `Basic ${Buffer.from(`x-bitbucket-api-token-auth:${randomChars(40)}`).toString("base64")}`;

  it("resets extraHeader, then sets it, and empties the credential helpers", () => {
    assert.ok(
      credentialConfig({
        gitUrl: new URL("https://bitbucket.org"),
        authorization,
        rewriteSshUrls: false,
      }) ===
        [
          "# Written by bitbucket-api-token-auth for one CI job; its cleanup deletes this file.",
          '[http "https://bitbucket.org/"]',
          "\textraHeader =",
          `\textraHeader = "Authorization: ${authorization}"`,
          '[credential "https://bitbucket.org"]',
          "\thelper =",
          "",
        ].join("\n"),
      "exact fragment",
    );
  });

  it("adds insteadOf lines only with rewriteSshUrls", () => {
    const withRewrite = credentialConfig({
      gitUrl: new URL("https://bitbucket.org/"),
      authorization,
      rewriteSshUrls: true,
    });
    const lines = withRewrite.split("\n");
    assert.deepEqual(lines.slice(-5), [
      "\thelper =",
      '[url "https://bitbucket.org/"]',
      '\tinsteadOf = "git@bitbucket.org:"',
      '\tinsteadOf = "ssh://git@bitbucket.org/"',
      "",
    ]);
    const without = credentialConfig({
      gitUrl: new URL("https://bitbucket.org/"),
      authorization,
      rewriteSshUrls: false,
    });
    assert.equal(without.includes("insteadOf"), false);
    assert.equal(without.includes("[url"), false);
  });

  it("keeps a base path and port, with exactly one trailing slash", () => {
    const text = credentialConfig({
      gitUrl: new URL("http://127.0.0.1:8080/git//"),
      authorization,
      rewriteSshUrls: true,
    });
    assert.ok(text.includes('[http "http://127.0.0.1:8080/git/"]\n'));
    assert.ok(text.includes('[credential "http://127.0.0.1:8080/git"]\n'));
    assert.ok(text.includes('[url "http://127.0.0.1:8080/git/"]\n\tinsteadOf = "git@127.0.0.1:"'));
  });

  it("escapes quotes and backslashes in the header value", () => {
    const text = credentialConfig({
      gitUrl: new URL("https://bitbucket.org"),
      authorization: 'Basic a"b\\c',
      rewriteSshUrls: false,
    });
    assert.ok(text.includes('\textraHeader = "Authorization: Basic a\\"b\\\\c"\n'));
  });
});

describe("remove", () => {
  it("without an id removes every block of ours and orphaned credential files", async (t) => {
    const box = await sandbox(t);
    const original = "[user]\n\tname = Test\n";
    await writeFile(box.gitconfig, original);
    const a = await configure(gitCredential(), box.places);
    const b = await configure(gitCredential(true), box.places);
    const orphan = join(box.tempDir, "bitbucket-api-token-auth", "deadbeefdeadbeef.gitconfig");
    await writeFile(orphan, "[http]\n");
    const unrelated = join(box.tempDir, "bitbucket-api-token-auth", "notes.txt");
    await writeFile(unrelated, "keep me");

    const removal = await remove(box.places);
    assert.equal(removal.found, 2);
    assert.deepEqual(
      removal.removed.sort(),
      [box.gitconfig, a.credentialFile, b.credentialFile, orphan].sort(),
    );
    assert.equal(await readFile(box.gitconfig, "utf8"), original);
    assert.deepEqual(await readdir(join(box.tempDir, "bitbucket-api-token-auth")), ["notes.txt"]);
  });

  it("with an id removes only that block and its file", async (t) => {
    const box = await sandbox(t);
    const original = "[core]\n\teditor = vi";
    await writeFile(box.gitconfig, original);
    const a = await configure(gitCredential(), box.places);
    const afterA = await readFile(box.gitconfig, "utf8");
    const b = await configure(gitCredential(), box.places);

    const removal = await remove(box.places, b.id);
    assert.deepEqual(removal, {
      removed: [box.gitconfig, b.credentialFile],
      found: 1,
      missing: [],
    });
    assert.equal(await readFile(box.gitconfig, "utf8"), afterA, "a's block intact");
    assert.equal(existsSync(a.credentialFile), true);
    assert.equal(existsSync(b.credentialFile), false);

    await remove(box.places, a.id);
    assert.equal(await readFile(box.gitconfig, "utf8"), original);
  });

  it("with an id removes the older block first, leaving the newer one", async (t) => {
    const box = await sandbox(t);
    await writeFile(box.gitconfig, "[core]\n");
    const a = await configure(gitCredential(), box.places);
    const b = await configure(gitCredential(), box.places);
    await remove(box.places, a.id);
    const { blocks } = cutBlocks(await readFile(box.gitconfig, "utf8"));
    assert.deepEqual(blocks, [{ includePath: b.credentialFile, createdFile: false }]);
    await remove(box.places, b.id);
    assert.equal(await readFile(box.gitconfig, "utf8"), "[core]\n");
  });

  it("deletes the file it created when the blocks are removed oldest first", {}, async (t) => {
    const box = await sandbox(t);
    const a = await configure(gitCredential(), box.places);
    const b = await configure(gitCredential(), box.places);
    await remove(box.places, a.id);
    await remove(box.places, b.id);
    assert.equal(existsSync(box.gitconfig), false);
  });

  it("deletes the file it created when the blocks are removed newest first, or all at once", async (t) => {
    const box = await sandbox(t);
    const a = await configure(gitCredential(), box.places);
    const b = await configure(gitCredential(), box.places);
    await remove(box.places, b.id);
    await remove(box.places, a.id);
    assert.equal(existsSync(box.gitconfig), false);
    await configure(gitCredential(), box.places);
    await configure(gitCredential(), box.places);
    await remove(box.places);
    assert.equal(existsSync(box.gitconfig), false);
  });

  it("cleans the global config even when the credential file is already gone, and says so", async (t) => {
    const box = await sandbox(t);
    await writeFile(box.gitconfig, "[core]\n");
    const configured = await configure(gitCredential(), box.places);
    await rm(box.tempDir, { recursive: true }); // RUNNER_TEMP emptied between jobs
    const removal = await remove(box.places);
    assert.deepEqual(removal, {
      removed: [box.gitconfig],
      found: 1,
      missing: [configured.credentialFile],
    });
    assert.equal(await readFile(box.gitconfig, "utf8"), "[core]\n");
  });

  it("with nothing configured changes nothing and creates nothing", async (t) => {
    const box = await sandbox(t);
    assert.deepEqual(await remove(box.places), { removed: [], found: 0, missing: [] });
    assert.deepEqual(await remove(box.places, "0123456789abcdef"), {
      removed: [],
      found: 0,
      missing: [],
    });
    assert.equal(existsSync(box.gitconfig), false);
    assert.equal(existsSync(box.tempDir), false);
    await writeFile(box.gitconfig, "[core]\n");
    assert.deepEqual(await remove(box.places), { removed: [], found: 0, missing: [] });
    assert.equal(await readFile(box.gitconfig, "utf8"), "[core]\n");
  });

  it("cleans both ~/.gitconfig and the XDG config", async (t) => {
    const box = await sandbox(t);
    const xdg = join(box.home, ".config", "git", "config");
    await mkdir(join(box.home, ".config", "git"), { recursive: true });
    await writeFile(xdg, "[a]\n");
    const inXdg = await configure(gitCredential(), box.places);
    assert.equal(inXdg.globalConfig, xdg);
    await writeFile(box.gitconfig, "[b]\n");
    const inHome = await configure(gitCredential(), box.places);
    assert.equal(inHome.globalConfig, box.gitconfig);
    const removal = await remove(box.places);
    assert.equal(removal.found, 2);
    assert.equal(await readFile(xdg, "utf8"), "[a]\n");
    assert.equal(await readFile(box.gitconfig, "utf8"), "[b]\n");
  });

  it("keeps an include.path that `git config --global --add` put inside our block", async (t) => {
    const box = await sandbox(t);
    const original = "[user]\n\tname = Test\n";
    await writeFile(box.gitconfig, original);
    const other = join(box.root, "other.gitconfig");
    await writeFile(other, "[alias]\n\tco = checkout\n");
    const configured = await configure(gitCredential(), box.places);
    git(box, ["config", "--global", "--add", "include.path", other]);
    const during = await readFile(box.gitconfig, "utf8");
    assert.ok(
      during.includes(`\tpath = ${other}\n# bitbucket-api-token-auth ${configured.id} end`),
      "git wrote inside our block",
    );

    const removal = await remove(box.places, configured.id);
    assert.equal(removal.found, 1);
    assert.equal(
      await readFile(box.gitconfig, "utf8"),
      `${original}\n[include]\n\tpath = ${other}\n`,
    );
    assert.equal(git(box, ["config", "--global", "--get-all", "include.path"]), `${other}\n`);
    assert.equal(existsSync(other), true, "the user's included file is not deleted");
    assert.equal(existsSync(configured.credentialFile), false);
  });

  it("keeps a line appended by `git config --global include.path X` in a file we created", async (t) => {
    const box = await sandbox(t);
    const other = join(box.root, "other.gitconfig");
    await writeFile(other, "[alias]\n\tco = checkout\n");
    const configured = await configure(gitCredential(), box.places);
    git(box, ["config", "--global", "--add", "include.path", other]);
    await remove(box.places);
    assert.equal(
      await readFile(box.gitconfig, "utf8"),
      `[include]\n\tpath = ${other}\n`,
      "file kept: it holds the user's line",
    );
    assert.equal(existsSync(other), true);
    assert.equal(existsSync(configured.credentialFile), false);
  });

  it("never deletes the user's file when `git config --global include.path X` replaced our path line", {}, async (t) => {
    const box = await sandbox(t);
    const original = "[user]\n\tname = Test\n";
    await writeFile(box.gitconfig, original);
    const other = join(box.root, "other.gitconfig");
    await writeFile(other, "[alias]\n\tco = checkout\n");
    await configure(gitCredential(), box.places);
    git(box, ["config", "--global", "include.path", other]);
    await remove(box.places);
    assert.equal(existsSync(other), true, "remove() deleted a file it did not create");
    assert.equal(
      git(box, ["config", "--global", "--get-all", "include.path"]),
      `${other}\n`,
      "the user's line survives",
    );
  });

  it("keeps other settings git appended after our block", async (t) => {
    const box = await sandbox(t);
    const configured = await configure(gitCredential(), box.places);
    git(box, ["config", "--global", "user.name", "Later"]);
    await remove(box.places, configured.id);
    assert.equal(await readFile(box.gitconfig, "utf8"), "[user]\n\tname = Later\n");
  });
});

describe("cutBlocks", () => {
  const block = (id: string, file: string, created = false) =>
    `# bitbucket-api-token-auth ${id} begin${created ? " (created this file)" : ""}: credentials for one CI job; its cleanup removes these lines\n[include]\n\tpath = "${file}"\n# bitbucket-api-token-auth ${id} end\n`;

  it("cuts a block and the newline before it", () => {
    const text = `[a]\n\n${block("abc123", '/t/x "q"/bitbucket-api-token-auth/abc123.gitconfig')}[b]\n`;
    assert.deepEqual(cutBlocks(text), {
      kept: "[a]\n[b]\n",
      blocks: [
        { includePath: '/t/x "q"/bitbucket-api-token-auth/abc123.gitconfig', createdFile: false },
      ],
    });
  });

  it("cuts a final block without a trailing newline", () => {
    const text = `[a]\n${block("abc", "/f/bitbucket-api-token-auth/abc.gitconfig", true).slice(0, -1)}`;
    assert.deepEqual(cutBlocks(text), {
      kept: "[a]",
      blocks: [{ includePath: "/f/bitbucket-api-token-auth/abc.gitconfig", createdFile: true }],
    });
  });

  it("leaves blocks with another id, and unmatched markers, alone", () => {
    const a = block("aaa", "/a/bitbucket-api-token-auth/aaa.gitconfig");
    const text = `[a]\n${a}\n${block("bbb", "/b/bitbucket-api-token-auth/bbb.gitconfig")}`;
    assert.equal(cutBlocks(text, "bbb").kept, `[a]\n${a}`);
    assert.equal(cutBlocks(text, "ccc").kept, text);
    const broken =
      "# bitbucket-api-token-auth aaa begin\n[include]\n\tpath = /a\n# bitbucket-api-token-auth bbb end\n";
    assert.deepEqual(cutBlocks(broken), { kept: broken, blocks: [] });
  });
});
