/**
 * The emulator's git host, driven by the real git client: it must accept and refuse exactly what
 * Bitbucket Cloud does, so that what the action configures is proven with git itself.
 * Credentials reach git through GIT_ASKPASS (reading them from the environment) or a temporary
 * global config file, never through argv.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Account, Bitbucket, Repository } from "./bitbucket.ts";
import { startBitbucket } from "./bitbucket.ts";

const READ_WRITE = ["read:repository:bitbucket", "write:repository:bitbucket"];

let bb: Bitbucket;
let alice: Account;
let scratch: string;
let askpass: string;
let counter = 0;
let pkg: Repository;

const LFS_CONTENT = "model weights, too large for git\n".repeat(50);
const HAS_GIT_LFS = spawnSync("git", ["lfs", "version"]).status === 0;

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git asynchronously: the emulator lives in this process, so a synchronous call would deadlock. */
function git(
  args: string[],
  options: { cwd?: string; user?: string; password?: string; env?: Record<string, string> } = {},
) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(scratch, "home"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
    ...options.env,
  };
  if (options.user !== undefined) {
    Object.assign(env, {
      GIT_ASKPASS: askpass,
      BB_GIT_USER: options.user,
      BB_GIT_PASSWORD: options.password ?? "",
    });
  }
  return new Promise<GitResult>((resolve) => {
    execFile("git", args, { cwd: options.cwd ?? scratch, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const freshDir = () => join(scratch, `work-${++counter}`);
const url = (repo: string) => `${bb.gitUrl}/${repo}.git`;

function clone(repo: string, user: string, password: string, extra: string[] = []) {
  const dir = freshDir();
  return git(["clone", "--quiet", ...extra, url(repo), dir], { user, password }).then((r) => ({
    ...r,
    dir,
  }));
}

/** For checks that need no work tree: same requests and errors as a clone, cheaper. */
const lsRemote = (repo: string, user: string, password: string) =>
  git(["ls-remote", url(repo)], { user, password });

/** Clones, commits one file and pushes with the same credentials. */
async function commitAndPush(repo: string, user: string, password: string) {
  const cloned = await clone(repo, user, password);
  assert.equal(cloned.code, 0, cloned.stderr);
  writeFileSync(join(cloned.dir, "change.txt"), `${cloned.dir}\n`);
  await git(["add", "."], { cwd: cloned.dir });
  await git(["commit", "--quiet", "-m", "change"], { cwd: cloned.dir });
  const pushed = await git(["push", "--quiet", "origin", "HEAD:main"], {
    cwd: cloned.dir,
    user,
    password,
  });
  return { ...pushed, dir: cloned.dir };
}

/** Requests that carried this password (Basic, any username): tests run concurrently. */
const requestsWith = (password: string) =>
  bb.requests.filter((r) => {
    const [scheme, value = ""] = (r.headers.authorization ?? "").split(" ");
    return scheme === "Basic" && Buffer.from(value, "base64").toString().endsWith(`:${password}`);
  });

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "git-server-test-"));
  askpass = join(scratch, "askpass.sh");
  // git asks "Username for '…': " then "Password for '…': ".
  writeFileSync(
    askpass,
    '#!/bin/sh\ncase "$1" in\n  Username*) printf "%s\\n" "$BB_GIT_USER" ;;\n  *) printf "%s\\n" "$BB_GIT_PASSWORD" ;;\nesac\n',
  );
  chmodSync(askpass, 0o700);
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/lib");
  bb.addRepository("acme/app", { submodule: "acme/lib" });
  bb.addRepository("acme/tokens");
  bb.addRepository("other/secret");
  bb.addRepository("ro/readonly");
  bb.addRepository("pre/v0");
  bb.addRepository("pre/v2");
  pkg = bb.addRepository("acme/pkg", {
    files: { "package.json": '{ "name": "pkg" }\n', "lib/index.js": "module.exports = 1;\n" },
    tags: ["v1.0.0", "v1.1.0"],
  });
  for (const name of ["scoped", "global", "asked"]) {
    bb.addRepository(`lfs/${name}`, { lfs: { "model.bin": LFS_CONTENT } });
  }
  bb.grant(alice, "lfs", "read");
  bb.addRepository("acme/lfs-push", { lfs: { "model.bin": LFS_CONTENT } });
  bb.grant(alice, "acme", "write");
  bb.grant(alice, "pre", "read");
  bb.grant(alice, "ro/readonly", "read");
});

after(async () => {
  await bb.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("API tokens", () => {
  test("clone with x-bitbucket-api-token-auth works, submodules included", async () => {
    const token = bb.issueApiToken(alice, { scopes: READ_WRITE });
    const { code, stderr, dir } = await clone("acme/app", "x-bitbucket-api-token-auth", token, [
      "--recurse-submodules",
    ]);
    assert.equal(code, 0, stderr);
    assert.ok(existsSync(join(dir, "README.md")));
    assert.ok(existsSync(join(dir, "lib", "README.md")), "the submodule acme/lib was cloned");
  });

  test("clone with the Bitbucket username works", async () => {
    const { code, stderr } = await clone(
      "acme/lib",
      "alice",
      bb.issueApiToken(alice, { scopes: READ_WRITE }),
    );
    assert.equal(code, 0, stderr);
  });

  test("the email as username is refused: Authentication failed", async () => {
    const { code, stderr } = await clone(
      "acme/lib",
      alice.email,
      bb.issueApiToken(alice, { scopes: READ_WRITE }),
    );
    assert.notEqual(code, 0);
    assert.match(stderr, /Authentication failed/);
  });

  test("x-token-auth, expired, revoked and classic tokens: Authentication failed", async () => {
    const revoked = bb.issueApiToken(alice, { scopes: READ_WRITE });
    bb.revoke(revoked);
    const cases: [string, string, string][] = [
      [
        "x-token-auth with an API token",
        "x-token-auth",
        bb.issueApiToken(alice, { scopes: READ_WRITE }),
      ],
      [
        "expired",
        "x-bitbucket-api-token-auth",
        bb.issueApiToken(alice, { scopes: READ_WRITE, expired: true }),
      ],
      [
        "classic",
        "x-bitbucket-api-token-auth",
        bb.issueApiToken(alice, { scopes: READ_WRITE, classic: true }),
      ],
      ["revoked", "x-bitbucket-api-token-auth", revoked],
      [
        "trailing newline",
        "x-bitbucket-api-token-auth",
        `${bb.issueApiToken(alice, { scopes: READ_WRITE })} `,
      ],
    ];
    for (const [name, user, password] of cases) {
      const { code, stderr } = await lsRemote("acme/lib", user, password);
      assert.notEqual(code, 0, name);
      assert.match(stderr, /Authentication failed/, name);
    }
  });

  test("missing and forbidden repositories are both 'not found'", async () => {
    const token = bb.issueApiToken(alice, { scopes: READ_WRITE });
    for (const repo of ["acme/nope", "other/secret"]) {
      const { code, stderr } = await lsRemote(repo, "x-bitbucket-api-token-auth", token);
      assert.notEqual(code, 0, repo);
      assert.match(stderr, /not found/, repo);
    }
  });

  test("fetching without read:repository gets 403", async () => {
    const writeOnly = bb.issueApiToken(alice, { scopes: ["write:repository:bitbucket"] });
    const { code, stderr } = await lsRemote("acme/lib", "x-bitbucket-api-token-auth", writeOnly);
    assert.notEqual(code, 0);
    assert.match(stderr, /403/);
  });

  test("push works with write:repository and write access", async () => {
    const token = bb.issueApiToken(alice, { scopes: READ_WRITE });
    const pushed = await commitAndPush("acme/lib", "x-bitbucket-api-token-auth", token);
    assert.equal(pushed.code, 0, pushed.stderr);
    const receivePacks = requestsWith(token).filter(
      (r) => r.method === "POST" && r.url.endsWith("/git-receive-pack"),
    );
    assert.deepEqual(
      receivePacks.map((r) => r.status),
      [200],
    );
    const remote = await git(["ls-remote", url("acme/lib"), "refs/heads/main"], {
      user: "alice",
      password: token,
    });
    const local = await git(["rev-parse", "HEAD"], { cwd: pushed.dir });
    assert.equal(
      remote.stdout.split("\t")[0],
      local.stdout.trim(),
      "the remote has the pushed commit",
    );
  });

  test("push without write:repository, or with read access only, gets 403", async () => {
    const readOnlyScope = bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] });
    const noScope = await commitAndPush("acme/lib", "x-bitbucket-api-token-auth", readOnlyScope);
    assert.notEqual(noScope.code, 0);
    assert.match(noScope.stderr, /403/);

    const noAccess = await commitAndPush(
      "ro/readonly",
      "x-bitbucket-api-token-auth",
      bb.issueApiToken(alice, { scopes: READ_WRITE }),
    );
    assert.notEqual(noAccess.code, 0);
    assert.match(noAccess.stderr, /403/);
  });
});

describe("other credentials", () => {
  test("access token with x-token-auth clones; pushes only with repository:write", async () => {
    const read = bb.issueAccessToken({
      kind: "repository",
      target: "acme/tokens",
      scopes: ["repository"],
    });
    const cloned = await clone("acme/tokens", "x-token-auth", read);
    assert.equal(cloned.code, 0, cloned.stderr);

    const refused = await commitAndPush("acme/tokens", "x-token-auth", read);
    assert.match(refused.stderr, /403/);

    const write = bb.issueAccessToken({
      kind: "repository",
      target: "acme/tokens",
      scopes: ["repository:write"],
    });
    const pushed = await commitAndPush("acme/tokens", "x-token-auth", write);
    assert.equal(pushed.code, 0, pushed.stderr);

    const elsewhere = await lsRemote("acme/app", "x-token-auth", write);
    assert.match(elsewhere.stderr, /not found/);
  });

  test("an app password gets 410", async () => {
    const { code, stderr } = await lsRemote("acme/lib", "alice", bb.issueAppPassword(alice));
    assert.notEqual(code, 0);
    assert.match(stderr, /410/);
  });
});

describe("preemptive credentials (http.extraHeader)", () => {
  /** ls-remote of a repository no other test touches; returns every request made for it. */
  async function lsRemoteWithHeader(repo: string, protocol?: string) {
    const token = bb.issueApiToken(alice, { scopes: READ_WRITE });
    const header = `Basic ${Buffer.from(`x-bitbucket-api-token-auth:${token}`).toString("base64")}`;
    const config = join(scratch, `gitconfig-${++counter}`);
    writeFileSync(config, `[http "${bb.gitUrl}/"]\n\textraHeader = Authorization: ${header}\n`, {
      mode: 0o600,
    });
    const args = protocol ? ["-c", `protocol.version=${protocol}`] : [];
    const result = await git([...args, "ls-remote", url(repo)], {
      env: { GIT_CONFIG_GLOBAL: config },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\trefs\/heads\/main$/m);
    const requests = bb.requests.filter((r) => r.url.startsWith(`/${repo}.git/`));
    for (const r of requests)
      assert.equal(r.headers.authorization, header, "the header goes with every request");
    return requests.map((r) => `${r.method} ${r.url} ${r.status}`);
  }

  test("protocol v0: exactly one HTTP request", async () => {
    assert.deepEqual(await lsRemoteWithHeader("pre/v0", "0"), [
      "GET /pre/v0.git/info/refs?service=git-upload-pack 200",
    ]);
  });

  test("protocol v2 (git's default): no 401 round trip, one ls-refs command after the advertisement", async () => {
    assert.deepEqual(await lsRemoteWithHeader("pre/v2"), [
      "GET /pre/v2.git/info/refs?service=git-upload-pack 200",
      "POST /pre/v2.git/git-upload-pack 200",
    ]);
  });
});

describe("repositories with files and tags", () => {
  test("a clone has the files, the tags and the commit addRepository returned", async () => {
    const token = bb.issueApiToken(alice, { scopes: READ_WRITE });
    const cloned = await clone("acme/pkg", "x-bitbucket-api-token-auth", token);
    assert.equal(cloned.code, 0, cloned.stderr);
    assert.equal(
      readFileSync(join(cloned.dir, "lib", "index.js"), "utf8"),
      "module.exports = 1;\n",
    );
    assert.equal(readFileSync(join(cloned.dir, "package.json"), "utf8"), '{ "name": "pkg" }\n');
    assert.equal((await git(["rev-parse", "HEAD"], { cwd: cloned.dir })).stdout.trim(), pkg.head);
    const tags = await git(["tag", "--points-at", "HEAD"], { cwd: cloned.dir });
    assert.deepEqual(tags.stdout.trim().split("\n"), ["v1.0.0", "v1.1.0"]);
  });
});

describe("Git LFS with the real git-lfs", {
  skip: !HAS_GIT_LFS && "git-lfs is not installed",
}, () => {
  const FILTER =
    '[filter "lfs"]\n\tclean = git-lfs clean -- %f\n\tsmudge = git-lfs smudge -- %f\n' +
    "\tprocess = git-lfs filter-process\n\trequired = true\n";

  /** A global config file with git-lfs's filter and, optionally, an extraHeader section. */
  function lfsConfig(section?: string, header?: string): string {
    const config = join(scratch, `gitconfig-lfs-${++counter}`);
    const extra = section ? `[${section}]\n\textraHeader = Authorization: ${header}\n` : "";
    writeFileSync(config, FILTER + extra, { mode: 0o600 });
    return config;
  }
  const headerFor = (token: string) =>
    `Basic ${Buffer.from(`x-bitbucket-api-token-auth:${token}`).toString("base64")}`;
  const requestsFor = (repo: string) =>
    bb.requests.filter((r) => r.server === "git" && r.url.startsWith(`/${repo}.git/`));
  const mediaRequests = () => bb.requests.filter((r) => r.server === "media");

  test("credential up front for the git host only: the content comes from the media host, which sees no credential", async () => {
    const token = bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] });
    const header = headerFor(token);
    const config = lfsConfig(`http "${bb.gitUrl}/"`, header);
    const mediaBefore = mediaRequests().length;
    const dir = freshDir();
    const result = await git(["clone", "--quiet", url("lfs/scoped"), dir], {
      env: { GIT_CONFIG_GLOBAL: config },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(dir, "model.bin"), "utf8"), LFS_CONTENT);

    const batches = requestsFor("lfs/scoped").filter((r) =>
      r.url.endsWith("/info/lfs/objects/batch"),
    );
    assert.deepEqual(
      batches.map((r) => [r.method, r.status, r.headers.authorization === header]),
      [["POST", 200, true]],
    );
    const media = mediaRequests().slice(mediaBefore);
    assert.ok(media.length >= 1, "the object came from the media host");
    for (const r of media) {
      assert.equal(r.status, 200);
      assert.equal(r.headers.authorization, undefined, "no Authorization reached the media host");
      assert.ok(!JSON.stringify(r).includes(token), "the token is nowhere in the media request");
    }
  });

  test("an unscoped http.extraHeader goes to the media host as well (why it must be scoped)", async () => {
    const token = bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] });
    const header = headerFor(token);
    const mediaBefore = mediaRequests().length;
    const dir = freshDir();
    const result = await git(["clone", "--quiet", url("lfs/global"), dir], {
      env: { GIT_CONFIG_GLOBAL: lfsConfig("http", header) },
    });
    assert.equal(result.code, 0, result.stderr);
    const media = mediaRequests().slice(mediaBefore);
    assert.ok(media.length >= 1);
    assert.ok(media.every((r) => r.headers.authorization === header));
  });

  test("credentials only from a prompt: the batch endpoint answers 403 and git-lfs never retries", async () => {
    const token = bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] });
    const dir = freshDir();
    const result = await git(["clone", "--quiet", url("lfs/asked"), dir], {
      user: "x-bitbucket-api-token-auth",
      password: token,
      env: { GIT_CONFIG_GLOBAL: lfsConfig() },
    });
    assert.notEqual(result.code, 0, "the checkout fails: the LFS object could not be fetched");
    const batches = requestsFor("lfs/asked").filter((r) =>
      r.url.endsWith("/info/lfs/objects/batch"),
    );
    assert.ok(batches.length >= 1);
    assert.ok(batches.every((r) => r.status === 403 && r.headers.authorization === undefined));
    // git itself got its 401 and then the credential.
    const gitAnswers = requestsFor("lfs/asked").filter((r) => !r.url.includes("/info/lfs/"));
    assert.deepEqual(
      gitAnswers.slice(0, 2).map((r) => r.status),
      [401, 200],
    );
  });

  test("push: new LFS objects go up to the media host, without the credential, and come back", async () => {
    const token = bb.issueApiToken(alice, { scopes: READ_WRITE });
    const config = lfsConfig(`http "${bb.gitUrl}/"`, headerFor(token));
    const env = { GIT_CONFIG_GLOBAL: config };
    const dir = freshDir();
    assert.equal((await git(["clone", "--quiet", url("acme/lfs-push"), dir], { env })).code, 0);
    assert.equal((await git(["lfs", "install", "--local"], { cwd: dir, env })).code, 0);
    const pushed = "pushed through git-lfs\n".repeat(20);
    writeFileSync(join(dir, "more.bin"), pushed);
    writeFileSync(
      join(dir, ".gitattributes"),
      `${readFileSync(join(dir, ".gitattributes"), "utf8")}more.bin filter=lfs diff=lfs merge=lfs -text\n`,
    );
    await git(["add", "."], { cwd: dir, env });
    await git(["commit", "--quiet", "-m", "more"], { cwd: dir, env });
    const mediaBefore = mediaRequests().length;
    const result = await git(["push", "--quiet", "origin", "HEAD:main"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    const puts = mediaRequests()
      .slice(mediaBefore)
      .filter((r) => r.method === "PUT");
    assert.deepEqual(
      puts.map((r) => [r.status, r.headers.authorization]),
      [[200, undefined]],
    );

    const again = freshDir();
    const cloned = await git(["clone", "--quiet", url("acme/lfs-push"), again], { env });
    assert.equal(cloned.code, 0, cloned.stderr);
    assert.equal(readFileSync(join(again, "more.bin"), "utf8"), pushed);
  });
});
