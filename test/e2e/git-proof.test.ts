/**
 * git itself, run by the step: it must be there (and new enough) before anything is configured,
 * and after set-up `git ls-remote` proves the credential through exactly the configuration later
 * steps see; whatever fails is rolled back and named. The credential never goes to another host:
 * not through a redirect, and not to Pipelines' own clone, served over plain http through its
 * auth proxy. Real git against the emulator throughout.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { newShell, runIn, type Shell, show } from "../harness/command.ts";
import { gitShimSupported, installGitShim } from "../harness/git-shim.ts";
import { type Job, newJob, runGit, runMain, runPost, type StepResult } from "../harness/runner.ts";
import {
  type Certificates,
  makeCertificates,
  startTlsFront,
  type TlsFront,
} from "../harness/tls-proxy.ts";

const PREFIX = "bitbucket-api-token-auth-";
let bb: Bitbucket;
let alice: Account;
let token: string;
let scratch: string;
const servers: Server[] = [];

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/app");
  // Faults are injected by path: tests running side by side each break a repository of their own.
  bb.addRepository("acme/down");
  bb.addRepository("acme/hangs");
  bb.grant(alice, "acme", "write");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
  scratch = mkdtempSync(join(tmpdir(), "bbauth-git-proof-"));
});
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await bb.close();
  rmSync(scratch, { recursive: true, force: true });
});

const inputs = (extra: Record<string, string> = {}) => ({
  email: alice.email,
  "api-token": token,
  "api-url": bb.apiUrl,
  "git-url": bb.gitUrl,
  repositories: "acme/app",
  ...extra,
});
const tokenEnv = () => ({ BITBUCKET_API_TOKEN: token, BITBUCKET_EMAIL: alice.email });
const emulator = () => [`--api-url=${bb.apiUrl}`, `--git-url=${bb.gitUrl}`];
const errors = (step: StepResult) =>
  step.annotations.filter((a) => a.level === "error").map((a) => a.message);
const warnings = (step: StepResult) =>
  step.annotations.filter((a) => a.level === "warning").map((a) => a.message);
const ours = (dir: string) => readdirSync(dir).filter((name) => name.startsWith(PREFIX));

async function withJob(fn: (job: Job) => Promise<void>, gitconfig?: string): Promise<void> {
  const job = await newJob({ gitconfig });
  try {
    await fn(job);
  } finally {
    await job.close();
  }
}

async function withShell(
  fn: (shell: Shell) => Promise<void>,
  env: Record<string, string> = {},
  gitconfig?: string,
): Promise<void> {
  const shell = await newShell({ ...tokenEnv(), ...env }, gitconfig);
  try {
    await fn(shell);
  } finally {
    await shell.close();
  }
}

/** Nothing of a set-up anywhere: no credential directory, no export, HOME as it was. */
function assertNothingConfigured(job: Job, main: StepResult, gitconfig?: string) {
  assert.deepEqual(ours(job.runnerTemp), [], "rolled back: no credential directory");
  assert.deepEqual(main.exported, {}, "nothing exported");
  assert.equal(main.savedState.configured, undefined);
  if (gitconfig !== undefined)
    assert.equal(readFileSync(join(job.home, ".gitconfig"), "utf8"), gitconfig);
}

describe("git, before anything is configured", { concurrency: true }, () => {
  test("no git on PATH: set-up fails naming git; a check-only run needs no git", async () => {
    const noGit = mkdtempSync(join(scratch, "no-git-"));
    await withJob(async (job) => {
      const main = await runMain(job, inputs(), { env: { PATH: noGit } });
      assert.equal(main.code, 1, main.stdout);
      assert.match(
        errors(main).join("\n"),
        /git is needed to set up credentials for later steps, and it could not be run/,
      );
      assert.match(errors(main).join("\n"), /or set the input `configure-git` to false/);
      assertNothingConfigured(job, main);
      const check = await runMain(job, inputs({ "configure-git": "false" }), {
        env: { PATH: noGit },
      });
      assert.equal(check.code, 0, check.stdout);
    });
    await withShell(async (shell) => {
      const setup = await runIn(shell, "bitbucket-auth", ["setup", ...emulator()], {
        env: { PATH: noGit },
      });
      assert.equal(setup.code, 2, show(setup));
      assert.match(setup.stdout, /git is needed .* could not be run/);
      assert.match(setup.stdout, /run `bitbucket-auth check` to only check the token/);
      assert.deepEqual(ours(shell.tmp), []);
      const check = await runIn(shell, "bitbucket-auth", ["check", ...emulator()], {
        env: { PATH: noGit },
      });
      assert.equal(check.code, 0, show(check));
    });
  });

  test("a git too old to keep the credential on its host: fails naming its version", {
    skip: !gitShimSupported,
  }, async () => {
    const shim = installGitShim(mkdtempSync(join(scratch, "old-")), { version: "2.11.0" });
    await withJob(async (job) => {
      const main = await runMain(job, inputs(), {
        env: { PATH: `${shim.binDir}:${process.env.PATH}` },
      });
      assert.equal(main.code, 1);
      assert.match(errors(main)[0], /git 2\.11\.0 is too old .* needs 2\.13\.0 or later/);
      assertNothingConfigured(job, main);
    });
  });

  test("a global config git cannot parse: named, and left exactly as it was", async () => {
    const broken = "[user]\n\tname = CI\n[core\n";
    await withShell(
      async (shell) => {
        const setup = await runIn(shell, "bitbucket-auth", ["setup", ...emulator()]);
        assert.equal(setup.code, 2, show(setup));
        assert.match(
          setup.stdout,
          /git cannot read its configuration: .*bad config line 3 in file .*\.gitconfig/,
        );
        assert.equal(readFileSync(join(shell.home, ".gitconfig"), "utf8"), broken);
        assert.deepEqual(ours(shell.tmp), []);
      },
      {},
      broken,
    );
  });
});

describe("the proof through git, after set-up", { concurrency: true }, () => {
  test("git's own request fails after the checks passed: rolled back, git's reason named", async () => {
    await withJob(async (job) => {
      bb.inject(
        { server: "git", path: "/acme/down.git/git-upload-pack", times: 1 },
        { status: 500, body: "down" },
      );
      const main = await runMain(job, inputs({ repositories: "acme/down" }));
      assert.equal(main.code, 1, main.stdout);
      assert.match(
        errors(main)[0],
        /git could not read http:\/\/127\.0\.0\.1:\d+\/acme\/down\.git with the credential just configured: .*500/,
      );
      assert.match(errors(main)[0], /Nothing was left configured/);
      assertNothingConfigured(job, main);
      const post = await runPost(job);
      assert.equal(post.code, 0);
      assert.deepEqual([...errors(post), ...warnings(post)], []);
    });
  });

  test("a git host that stops answering git: the step still ends in about timeout-seconds", async () => {
    await withJob(async (job) => {
      bb.inject({ server: "git", path: "/acme/hangs.git/git-upload-pack", times: 1 }, "hang");
      const started = Date.now();
      const main = await runMain(
        job,
        inputs({ repositories: "acme/hangs", "timeout-seconds": "3" }),
      );
      const seconds = (Date.now() - started) / 1000;
      assert.equal(main.code, 1, main.stdout);
      assert.ok(seconds < 15, `ended after ${seconds} s`);
      assert.match(errors(main)[0], /git (could not read|ls-remote did not finish)/);
      assertNothingConfigured(job, main);
    });
  });

  test("a git that never finishes (what curl's own limit does not cover): the step stops waiting", {
    skip: !gitShimSupported,
  }, async () => {
    const shim = installGitShim(mkdtempSync(join(scratch, "stall-")), { stall: "ls-remote" });
    await withJob(async (job) => {
      const started = Date.now();
      const main = await runMain(job, inputs({ "timeout-seconds": "2" }), {
        env: { PATH: `${shim.binDir}:${process.env.PATH}` },
      });
      const seconds = (Date.now() - started) / 1000;
      assert.equal(main.code, 1, main.stdout);
      assert.ok(seconds < 20, `ended after ${seconds} s`);
      assert.match(
        errors(main)[0],
        /git ls-remote did not finish within 7 seconds; nothing was left configured/,
      );
      assertNothingConfigured(job, main);
    });
  });

  const REWRITE = '[url "git@bitbucket.example:"]\n\tinsteadOf = URL/\n';
  test("url.*.insteadOf sending the Bitbucket URL to SSH: named with its file, nothing configured", async () => {
    const gitconfig = REWRITE.replace("URL", bb.gitUrl);
    await withJob(async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 1, main.stdout);
      const [error] = errors(main);
      assert.match(
        error,
        /home\/\.gitconfig sets url\."git@bitbucket\.example:"\.insteadOf "http:\/\/127\.0\.0\.1:\d+\/": git would fetch/,
      );
      assertNothingConfigured(job, main, gitconfig);
    }, gitconfig);
    await withShell(
      async (shell) => {
        const setup = await runIn(shell, "bitbucket-auth", [
          "setup",
          "--repositories=acme/app",
          ...emulator(),
        ]);
        assert.equal(setup.code, 2, show(setup));
        assert.match(setup.stdout, /insteadOf/);
        assert.equal(readFileSync(join(shell.home, ".gitconfig"), "utf8"), gitconfig);
        assert.deepEqual(ours(shell.tmp), []);
      },
      {},
      gitconfig,
    );
  });

  test("url.*.pushInsteadOf: a warning naming the file; git fetches with the credential", async () => {
    const gitconfig = REWRITE.replace("insteadOf", "pushInsteadOf").replace("URL", bb.gitUrl);
    await withJob(async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout);
      assert.match(
        warnings(main).join("\n"),
        /\.gitconfig sets url\."git@bitbucket\.example:"\.pushInsteadOf/,
      );
      assert.equal((await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`])).code, 0);
      await runPost(job);
    }, gitconfig);
  });
});

// ---------------------------------------------------------------------------------------------

/** A plain git server (git http-backend, a public repository) recording every request's headers. */
async function recordingGitServer(): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const root = mkdtempSync(join(scratch, "elsewhere-"));
  execFileSync("git", ["init", "-q", "--bare", join(root, "pub.git")]);
  const backend = join(
    execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(),
    "git-http-backend",
  );
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? "/", "http://x");
    const child = spawn(backend, [], {
      env: {
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        GATEWAY_INTERFACE: "CGI/1.1",
      },
    });
    req.pipe(child.stdin);
    const out: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.on("close", () => {
      const all = Buffer.concat(out);
      const split = all.indexOf("\r\n\r\n");
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of all.subarray(0, split).toString("latin1").split("\r\n")) {
        const [name, ...value] = line.split(":");
        if (/^status$/i.test(name)) status = Number.parseInt(value.join(":"), 10);
        else if (name) headers[name] = value.join(":").trim();
      }
      res.writeHead(status, headers).end(all.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("no credential for another host through git", () => {
  test("the git host redirects git elsewhere: the other server never gets the credential", async () => {
    const elsewhere = await recordingGitServer();
    const redirect = (times: number) =>
      bb.inject(
        { server: "git", path: "/acme/moved.git/info/refs?service=git-upload-pack", times },
        { redirect: `${elsewhere.url}/pub.git/info/refs?service=git-upload-pack` },
      );
    await withJob(async (job) => {
      assert.equal((await runMain(job, inputs())).code, 0);
      redirect(1);
      const ls = await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/moved.git`]);
      assert.notEqual(ls.code, 0, "the redirect is not followed");
      assert.ok(
        elsewhere.seen.every((h) => h.authorization === undefined),
        "no credential elsewhere",
      );

      // A test of the test: with git's default (follow the first redirect) it would leak.
      redirect(1);
      const follow = `http.${bb.gitUrl}/.followRedirects=initial`;
      const leaky = await runGit(job, ["-c", follow, "ls-remote", `${bb.gitUrl}/acme/moved.git`]);
      assert.equal(leaky.code, 0, leaky.stderr);
      assert.ok(
        elsewhere.seen.some((h) => /^Basic /.test(String(h.authorization))),
        "the trap works",
      );
      await runPost(job);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("Bitbucket Pipelines' own clone", () => {
  let certs: Certificates;
  const fronts: TlsFront[] = [];
  before(() => {
    certs = makeCertificates(mkdtempSync(join(scratch, "tls-")), ["localhost"], ["127.0.0.1"]);
  });
  after(() => Promise.all(fronts.map((front) => front.close())));

  /** https on loopback in front of the emulator's git server: git-url as on bitbucket.org. */
  async function tlsFront(): Promise<number> {
    const front = await startTlsFront(bb.gitUrl, certs);
    fronts.push(front);
    return front.port;
  }

  /**
   * Pipelines' auth proxy (localhost:29418): git sends it the http origin's requests; it notes
   * the Authorization git sent and answers with its own internal token.
   */
  async function authProxy(
    internal: string,
  ): Promise<{ url: string; seen: (string | undefined)[] }> {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const target = new URL(req.url ?? "/");
      const headers = {
        ...req.headers,
        authorization: `Basic ${Buffer.from(`x-token-auth:${internal}`).toString("base64")}`,
      };
      const upstream = httpRequest(
        `${bb.gitUrl}${target.pathname}${target.search}`,
        { method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
  }

  test("origin over the auth proxy (plain http) is left alone: fetched through it, without our credential", async () => {
    const port = await tlsFront();
    const internal = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository"],
    });
    const proxy = await authProxy(internal);
    const gitUrl = `https://127.0.0.1:${port}`;
    // As Pipelines clones: origin http://<host>/<ws>/<repo>, the proxy set for it in .git/config.
    // Here it is even the same host and port as git-url: only the scheme tells them apart.
    const origin = `http://127.0.0.1:${port}/acme/app`;
    await withShell(
      async (shell) => {
        const clone = join(shell.dir, "build");
        mkdirSync(clone);
        const git = (args: string[]) => runIn(shell, "git", args, { cwd: clone });
        await git(["init", "-q"]);
        await git(["remote", "add", "origin", origin]);
        await git(["config", `http.${origin}.proxy`, proxy.url]);
        const pipelines = {
          BITBUCKET_BUILD_NUMBER: "7",
          BITBUCKET_CLONE_DIR: clone,
          BITBUCKET_REPO_FULL_NAME: "acme/app",
        };
        const setup = await runIn(
          shell,
          "bitbucket-auth",
          ["setup", `--api-url=${bb.apiUrl}`, `--git-url=${gitUrl}`],
          { env: pipelines, cwd: clone },
        );
        assert.equal(setup.code, 0, show(setup));
        assert.deepEqual(
          proxy.seen,
          [],
          "the set-up's own proof went to git-url, not through origin",
        );

        const fetch = await git(["fetch", "origin"]);
        assert.equal(fetch.code, 0, fetch.stderr);
        assert.ok(proxy.seen.length > 0, "fetched through the auth proxy");
        assert.deepEqual(
          proxy.seen.filter(Boolean),
          [],
          "git sent the proxy none of our credential",
        );
        const direct = await git(["ls-remote", `${gitUrl}/acme/app.git`]);
        assert.equal(direct.code, 0, "the https URL does get it");
        assert.equal((await runIn(shell, "bitbucket-auth", ["cleanup"])).code, 0);
      },
      { NODE_EXTRA_CA_CERTS: certs.ca, GIT_SSL_CAINFO: certs.ca },
    );
  });
});
