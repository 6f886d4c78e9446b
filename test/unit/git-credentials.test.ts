// The credential file as real git reads it (scopes, precedence, redirects, helpers), where it
// lives (a fresh private directory, never inside the workspace), which file is "global", the
// job's own global config, and the small parsers around git's output.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, statSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { quote } from "../../src/core/git/config-file.ts";
import {
  createCredentialDir,
  isOurs,
  newCredentialId,
  realTempDir,
  sessionCredentials,
  writeNote,
} from "../../src/core/git/credential-dir.ts";
import { credentialConfig, scopesFor } from "../../src/core/git/credential-file.ts";
import {
  environmentIncludes,
  globalConfigPath,
  includeVariables,
  userGlobalConfigs,
} from "../../src/core/git/global-config.ts";
import { parseRewrites } from "../../src/core/git/proof.ts";
import { compareVersions, parseVersion } from "../../src/core/git/run-git.ts";
import { credentialFor, gitAuthorization } from "../../src/core/inputs/credential.ts";
import { Failure } from "../../src/core/outcome.ts";
import { apiToken, EMAIL } from "./fixtures.ts";

async function scratch(t: TestContext): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "bb-unit-git-")));
  t.after(() => rm(root, { recursive: true, force: true }));
  return root;
}

/** Real git with only `config` as its global config; output returned, never printed. */
function git(config: string, args: string[]): string {
  return execFileSync("git", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: tmpdir(),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: config,
    },
  });
}

const header = () => `Authorization: ${gitAuthorization(credentialFor(apiToken(), EMAIL))}`;
const credential = (authorization: string, scopes: string[], gitUrl = "https://bitbucket.org") => ({
  gitUrl: new URL(gitUrl),
  authorization: authorization.replace(/^Authorization: /, ""),
  scopes,
  rewriteSshUrls: false,
});
/** The header git sends to `url` (compared here, never printed), or "" for none. */
const sent = (config: string, url: string) => {
  try {
    return git(config, ["config", "--get-urlmatch", "http.extraheader", url]).trim();
  } catch {
    return "";
  }
};

describe("the credential file, as git reads it", () => {
  it("for the host: every repository there, nothing elsewhere; no redirects; no helper", async (t) => {
    const root = await scratch(t);
    const file = join(root, "c.gitconfig");
    const h = header();
    await writeFile(
      file,
      credentialConfig(credential(h, scopesFor(new URL("https://bitbucket.org"), undefined))),
    );
    for (const url of ["https://bitbucket.org/acme/app.git", "https://bitbucket.org/x/y"])
      assert.equal(sent(file, url), h, url);
    for (const url of [
      "https://api.bitbucket.org/x",
      "http://bitbucket.org/acme/app",
      "https://github.com/a/b",
    ])
      assert.equal(sent(file, url), "", url);
    assert.equal(
      git(file, ["config", "--get-urlmatch", "http.followredirects", "https://bitbucket.org/a/b"]),
      "false\n",
    );
    assert.equal(
      git(file, ["config", "--get-urlmatch", "credential.helper", "https://bitbucket.org"]),
      "\n",
    );
  });

  it("for a repository access token: its repositories, with or without .git, and nothing else", async (t) => {
    const root = await scratch(t);
    const file = join(root, "c.gitconfig");
    const h = header();
    const scopes = scopesFor(new URL("https://bitbucket.org"), ["acme/app", "acme/lib"]);
    assert.deepEqual(scopes, ["https://bitbucket.org/acme/app", "https://bitbucket.org/acme/lib"]);
    await writeFile(file, credentialConfig(credential(h, scopes)));
    for (const url of ["acme/app.git", "acme/app", "acme/lib.git", "acme/app/"])
      assert.equal(sent(file, `https://bitbucket.org/${url}`), h, url);
    for (const url of ["acme/app2.git", "acme/ap.git", "acme/other.git", "acme"])
      assert.equal(sent(file, `https://bitbucket.org/${url}`), "", url);
  });

  it("two credentials: the most specific wins, and the later one among equals", async (t) => {
    const root = await scratch(t);
    const [host1, repo, host2] = [header(), header(), header()];
    const files = {
      host1: [credential(host1, ["https://bitbucket.org/"])],
      repo: [credential(repo, ["https://bitbucket.org/acme/app"])],
      host2: [credential(host2, ["https://bitbucket.org/"])],
    };
    const config = async (order: (keyof typeof files)[]) => {
      const main = join(root, `${order.join("-")}.gitconfig`);
      const lines: string[] = [];
      for (const name of order) {
        const file = join(root, `${name}.gitconfig`);
        await writeFile(file, credentialConfig(files[name][0]));
        lines.push("[include]", `\tpath = ${quote(file)}`);
      }
      await writeFile(main, `${lines.join("\n")}\n`);
      return main;
    };
    const app = "https://bitbucket.org/acme/app.git";
    const lib = "https://bitbucket.org/acme/lib.git";
    const a = await config(["host1", "repo"]);
    assert.deepEqual([sent(a, app), sent(a, lib)], [repo, host1]);
    const b = await config(["repo", "host1"]);
    assert.deepEqual([sent(b, app), sent(b, lib)], [repo, host1], "order does not matter");
    const c = await config(["host1", "host2"]);
    assert.deepEqual([sent(c, app), sent(c, lib)], [host2, host2], "the later among equals");
    // Exactly one header goes: the empty value before each drops what was matched before.
    const all = git(c, [
      "config",
      "--get-all",
      "--includes",
      "http.https://bitbucket.org/.extraheader",
    ]);
    assert.equal(all.split("\n").filter(Boolean).length, 2, "one per file, each after a reset");
  });

  it("keeps a base path and port, and escapes quotes and backslashes", () => {
    const text = credentialConfig(
      credential('Basic a"b\\c', ["https://git.example:8443/bb/"], "https://git.example:8443/bb"),
    );
    assert.match(text, /^\[http "https:\/\/git\.example:8443\/bb\/"\]$/m);
    assert.match(text, /^\textraHeader = "Authorization: Basic a\\"b\\\\c"$/m);
    assert.match(text, /^\[credential "https:\/\/git\.example:8443\/bb"\]$/m);
  });

  it("rewrites git@ and ssh:// URLs of the host to HTTPS only when asked", () => {
    const base = credential("Basic x", ["https://bitbucket.org/"]);
    assert.doesNotMatch(credentialConfig(base), /insteadOf/);
    const text = credentialConfig({ ...base, rewriteSshUrls: true });
    assert.match(
      text,
      /\[url "https:\/\/bitbucket\.org\/"\]\n\tinsteadOf = "git@bitbucket\.org:"\n\tinsteadOf = "ssh:\/\/git@bitbucket\.org\/"/,
    );
  });
});

describe("where the credential lives", () => {
  it("a fresh 0700 directory of this user; a name that exists already is never used", async (t) => {
    const root = await scratch(t);
    const id = newCredentialId();
    const dir = await createCredentialDir(root, id);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(await isOurs(dir));
    await assert.rejects(createCredentialDir(root, id), /EEXIST/);
    const other = newCredentialId();
    await symlink(join(root, "elsewhere"), join(root, `bitbucket-api-token-auth-${other}`));
    await assert.rejects(createCredentialDir(root, other), /EEXIST/, "not through a link");
  });

  it("isOurs: not a link, not open to others, not another user's", async (t) => {
    const root = await scratch(t);
    await mkdir(join(root, "open"), { mode: 0o755 });
    await symlink(root, join(root, "link"));
    assert.equal(await isOurs(join(root, "open")), false);
    assert.equal(await isOurs(join(root, "link")), false);
    assert.equal(await isOurs(join(root, "missing")), false);
    if (process.getuid?.() === 0) {
      await mkdir(join(root, "theirs"), { mode: 0o700 });
      chownSync(join(root, "theirs"), 65534, 65534);
      assert.equal(await isOurs(join(root, "theirs")), false);
    }
  });

  it("the temp dir, links resolved, must not be inside the workspace", async (t) => {
    const root = await scratch(t);
    const workspace = join(root, "work");
    await mkdir(join(workspace, "tmp"), { recursive: true });
    await symlink(join(workspace, "tmp"), join(root, "innocent-looking"));
    await mkdir(join(root, "work-tmp"));
    const refused = async (tempDir: string) =>
      assert.rejects(realTempDir({ tempDir, workspace, home: root, env: {} }), (error) => {
        assert.ok(error instanceof Failure);
        assert.equal(error.problems[0].id, "temp-inside-workspace");
        return true;
      });
    await refused(join(workspace, "tmp"));
    await refused(join(root, "innocent-looking"));
    await refused(workspace);
    const beside = join(root, "work-tmp");
    assert.equal(await realTempDir({ tempDir: beside, workspace, home: root, env: {} }), beside);
  });

  it("cleanup finds this session's credentials only, through the notes beside them", async (t) => {
    const root = await scratch(t);
    const made = async (session?: string) => {
      const id = newCredentialId();
      const dir = await createCredentialDir(root, id);
      await writeNote({ id, dir, config: join(root, `${id}.gitconfig`) }, ["https://h/"], session);
      return id;
    };
    const step1 = await made("step-1");
    const step2 = await made("step-2");
    const terminal = await made();
    await made("github-action");
    const noteless = newCredentialId(); // set-up stopped before its note: nothing in it
    await createCredentialDir(root, noteless);
    await mkdir(join(root, "bitbucket-api-token-auth-not-an-id"), { mode: 0o700 });
    const ids = async (session?: string) =>
      (await sessionCredentials(root, session)).map((w) => w.id).sort();
    assert.deepEqual(await ids("step-1"), [step1, noteless].sort());
    assert.deepEqual(await ids(undefined), [terminal, noteless].sort(), "never the action's");
    const [found] = await sessionCredentials(root, "step-2").then((w) =>
      w.filter((x) => x.id === step2),
    );
    assert.equal(found.config, join(root, `${step2}.gitconfig`));
  });
});

describe("the global config", () => {
  const environment = (home: string, env: Record<string, string> = {}) => ({ home, env });

  it("is GIT_CONFIG_GLOBAL when set, else ~/.gitconfig, or the XDG file when only it exists", async (t) => {
    const home = await scratch(t);
    assert.deepEqual(userGlobalConfigs(environment(home, { GIT_CONFIG_GLOBAL: "/x/y" })), ["/x/y"]);
    assert.deepEqual(userGlobalConfigs(environment(home)), [
      join(home, ".config/git/config"),
      join(home, ".gitconfig"),
    ]);
    assert.equal(globalConfigPath(environment(home)), join(home, ".gitconfig"), "neither exists");
    await mkdir(join(home, ".config/git"), { recursive: true });
    await writeFile(join(home, ".config/git/config"), "");
    assert.equal(globalConfigPath(environment(home)), join(home, ".config/git/config"));
    await writeFile(join(home, ".gitconfig"), "");
    assert.equal(
      globalConfigPath(environment(home)),
      join(home, ".gitconfig"),
      "both: ~/.gitconfig",
    );
    const xdg = join(home, "xdg");
    assert.equal(
      globalConfigPath(environment(join(home, "none"), { XDG_CONFIG_HOME: xdg })),
      join(home, "none", ".gitconfig"),
    );
    assert.deepEqual(
      userGlobalConfigs(environment(home, { XDG_CONFIG_HOME: xdg }))[0],
      join(xdg, "git/config"),
    );
  });

  it("the job's environment adds includes after any already there; git reads them", async (t) => {
    const root = await scratch(t);
    const [one, two] = [join(root, "one.gitconfig"), join(root, "two.gitconfig")];
    await writeFile(one, "[user]\n\tname = One\n\temail = one@example.com\n");
    await writeFile(two, "[user]\n\tname = Two\n");
    const user = {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "safe.directory",
      GIT_CONFIG_VALUE_0: "*",
    };
    const first = includeVariables(user, one);
    assert.deepEqual(first, {
      GIT_CONFIG_COUNT: "2",
      GIT_CONFIG_KEY_1: "include.path",
      GIT_CONFIG_VALUE_1: one,
    });
    const env = { ...user, ...first, ...includeVariables({ ...user, ...first }, two) };
    assert.deepEqual(environmentIncludes(env), [one, two]);
    assert.deepEqual(environmentIncludes({}), []);
    const read = (key: string) =>
      execFileSync("git", ["config", key], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1", ...env },
      });
    assert.equal(read("user.name"), "Two\n", "the later include wins");
    assert.equal(read("user.email"), "one@example.com\n");
    assert.equal(read("safe.directory"), "*\n", "the user's own variable kept");
    await rm(two);
    assert.equal(read("user.name"), "One\n", "an include whose file is gone is ignored");
  });
});

describe("git's output", () => {
  it("versions, as git prints them on each system", () => {
    assert.deepEqual(parseVersion("git version 2.39.5\n"), [2, 39, 5]);
    assert.deepEqual(parseVersion("git version 2.37.1 (Apple Git-137.1)"), [2, 37, 1]);
    assert.deepEqual(parseVersion("git version 2.45.1.windows.1"), [2, 45, 1]);
    assert.deepEqual(parseVersion("git version 2.32"), [2, 32, 0]);
    assert.equal(parseVersion("hub version 2.14.2"), undefined);
    assert.ok(compareVersions([2, 31, 9], [2, 32, 0]) < 0);
    assert.ok(compareVersions([2, 32, 0], [2, 32, 0]) === 0);
    assert.ok(compareVersions([3, 0, 0], [2, 32, 0]) > 0);
  });

  it("url rewrites, with the file each comes from (real git output)", async (t) => {
    const root = await scratch(t);
    const config = join(root, "with space.gitconfig");
    await writeFile(
      config,
      '[url "git@bitbucket.org:"]\n\tinsteadOf = https://bitbucket.org/\n[url "ssh://x y/"]\n\tpushInsteadOf = https://bitbucket.org/acme/\n',
    );
    const out = git(config, [
      "config",
      "--show-origin",
      "-z",
      "--get-regexp",
      "^url\\..*\\.(insteadof|pushinsteadof)$",
    ]);
    assert.deepEqual(parseRewrites(out), [
      {
        file: config,
        key: "insteadof",
        to: "git@bitbucket.org:",
        prefix: "https://bitbucket.org/",
      },
      {
        file: config,
        key: "pushinsteadof",
        to: "ssh://x y/",
        prefix: "https://bitbucket.org/acme/",
      },
    ]);
  });
});
