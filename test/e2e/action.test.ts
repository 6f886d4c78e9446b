/**
 * The bundled action (dist/) run exactly as the GitHub runner runs it, against the Bitbucket
 * emulator and real git through `git http-backend`: main, later "steps" using plain git, post.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { type Job, newJob, runGit, runMain, runPost, type StepResult } from "../harness/runner.ts";

let bb: Bitbucket;
let alice: Account;
let token: string;

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({
    email: "alice@example.com",
    username: "alice",
    displayName: "Alice Example",
  });
  bb.addRepository("acme/lib");
  bb.addRepository("acme/app", { submodule: "acme/lib" });
  bb.addRepository("acme/readonly");
  bb.addRepository("other/secret");
  bb.grant(alice, "acme/app", "write");
  bb.grant(alice, "acme/lib", "write");
  bb.grant(alice, "acme/readonly", "read");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
});
after(() => bb.close());

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    email: alice.email,
    "api-token": token,
    "api-url": bb.apiUrl,
    "git-url": bb.gitUrl,
    ...extra,
  };
}

async function withJob(fn: (job: Job) => Promise<void>, gitconfig?: string): Promise<void> {
  const job = await newJob({ gitconfig });
  try {
    await fn(job);
  } finally {
    await job.close();
  }
}

const errors = (step: StepResult) =>
  step.annotations.filter((a) => a.level === "error").map((a) => a.message);
const gitconfigPath = (job: Job) => join(job.home, ".gitconfig");
const apiRequests = () => bb.requests.filter((r) => r.server === "api").length;
/** Every credential file under RUNNER_TEMP (each in a bitbucket-api-token-auth-<id>/ of its own). */
const credentialFiles = (job: Job) =>
  readdirSync(job.runnerTemp)
    .filter((name) => name.startsWith("bitbucket-api-token-auth"))
    .flatMap((name) =>
      readdirSync(join(job.runnerTemp, name)).map((f) => join(job.runnerTemp, name, f)),
    )
    .filter((file) => file.endsWith("/credentials.gitconfig"));

describe("a fit API token", () => {
  test("proves the token, configures git for later steps, and post removes every trace", async () => {
    const before = "[user]\n\tname = Alice\n\temail = alice@example.com\n";
    await withJob(async (job) => {
      const main = await runMain(job, inputs({ repositories: "acme/app acme/lib" }));
      assert.equal(main.code, 0, main.stdout + main.stderr);
      assert.deepEqual(errors(main), []);
      assert.equal(main.outputs["account-id"], alice.accountId);
      assert.equal(main.outputs.username, "alice");
      assert.equal(main.outputs["display-name"], "Alice Example");
      assert.equal(main.outputs["credential-type"], "api-token");
      assert.equal(main.outputs["token-kind"], "api-token");
      assert.equal(main.outputs["git-username"], "x-bitbucket-api-token-auth");
      assert.deepEqual(main.outputs.scopes.split(" ").sort(), [...DEFAULT_SCOPES].sort());
      assert.equal(main.outputs["missing-scopes"], "");
      assert.equal(main.outputs["expires-in-days"], "");
      assert.match(main.summary, /fit for use/);
      assert.match(main.summary, /Alice Example/);
      assert.match(main.summary, /`acme\/app` \| ✅ proven \| ✅ proven/);
      assert.match(main.summary, /configured for 127\.0\.0\.1:\d+, for this job only; proven/);

      // Included through the job's environment, from RUNNER_TEMP; the user's config untouched.
      // (and cargo told to fetch with git: test/e2e/client-setup.test.ts).
      assert.deepEqual(Object.keys(main.exported).sort(), [
        "CARGO_NET_GIT_FETCH_WITH_CLI",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_KEY_0",
        "GIT_CONFIG_VALUE_0",
      ]);
      assert.equal(main.exported.GIT_CONFIG_KEY_0, "include.path");
      assert.ok(main.exported.GIT_CONFIG_VALUE_0.startsWith(`${job.runnerTemp}/`));
      const home = () => statSync(gitconfigPath(job), { bigint: true });
      const untouched = { ...home(), atimeNs: 0n };
      assert.equal(readFileSync(gitconfigPath(job), "utf8"), before);
      const userName = await runGit(job, ["config", "--global", "user.name"]);
      assert.equal(userName.stdout, "Alice\n", "`git config --global` works as before");

      // The token is masked before anything else is printed.
      assert.match(main.commands[0], /^::add-mask::/);
      assert.ok(job.masks.includes(token));

      // A later step: plain git clones (with the submodule) and pushes.
      const clone = await runGit(job, [
        "clone",
        "--recurse-submodules",
        `${bb.gitUrl}/acme/app.git`,
        "app",
      ]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.ok(
        existsSync(join(job.workspace, "app", "lib", "README.md")),
        "the submodule was cloned",
      );
      const cwd = join(job.workspace, "app");
      await runGit(
        job,
        [
          "-c",
          "user.name=CI",
          "-c",
          "user.email=ci@example.com",
          "commit",
          "--allow-empty",
          "-m",
          "from CI",
        ],
        { cwd },
      );
      const push = await runGit(job, ["push", "origin", "HEAD:refs/heads/ci-branch"], { cwd });
      assert.equal(push.code, 0, push.stderr);

      const post = await runPost(job);
      assert.equal(post.code, 0, post.stderr);
      assert.deepEqual(errors(post), []);
      assert.equal(readFileSync(gitconfigPath(job), "utf8"), before, "the user's config as before");
      assert.deepEqual({ ...home(), atimeNs: 0n }, untouched, "never written, not even renamed");
      assert.deepEqual(credentialFiles(job), [], "no credential file left");

      // The variables stay set for later post steps (an export cannot be taken back): git
      // ignores an include whose file is gone, and global config writes go where they always went.
      const list = await runGit(job, ["config", "--list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.doesNotMatch(list.stdout, /extraheader/i);
      const set = await runGit(job, ["config", "--global", "safe.directory", job.workspace]);
      assert.equal(set.code, 0, set.stderr);
      assert.match(readFileSync(gitconfigPath(job), "utf8"), /\[safe\]/);

      const afterPost = await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`]);
      assert.notEqual(afterPost.code, 0, "git no longer authenticates after post");
      assert.match(afterPost.stderr, /Authentication failed|could not read Username/);
    }, before);
  });

  test("with no global git config, none is created; the credential is 0600 in a 0700 directory", async () => {
    await withJob(async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout);
      assert.ok(!existsSync(gitconfigPath(job)), "nothing written to HOME");
      const [file] = credentialFiles(job);
      assert.ok(file, "one credential file");
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
      assert.equal(main.exported.GIT_CONFIG_VALUE_0, file);
      assert.equal((await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`])).code, 0);
      await runPost(job);
      assert.ok(!existsSync(gitconfigPath(job)));
      assert.deepEqual(credentialFiles(job), []);
    });
  });

  test("git sends the credential up front, once, to the Bitbucket git host only", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { "www-authenticate": 'Basic realm="elsewhere"' }).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    try {
      await withJob(async (job) => {
        assert.equal((await runMain(job, inputs({ "configure-git": "true" }))).code, 0);
        // Protocol v0: the advertisement is the whole answer, so one request is the minimum.
        bb.clearRequests();
        const ls = await runGit(job, [
          "-c",
          "protocol.version=0",
          "ls-remote",
          `${bb.gitUrl}/acme/app.git`,
        ]);
        assert.equal(ls.code, 0, ls.stderr);
        const gitRequests = bb.requests.filter((r) => r.server === "git");
        assert.equal(gitRequests.length, 1, "no 401 challenge round trip");
        assert.match(String(gitRequests[0].headers.authorization), /^Basic /);
        // Protocol v2 (git's default) adds its ls-refs POST, but still no challenge.
        bb.clearRequests();
        assert.equal((await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`])).code, 0);
        assert.ok(
          bb.requests.every((r) => r.status !== 401 && r.headers.authorization !== undefined),
        );

        const port = (elsewhere.address() as AddressInfo).port;
        await runGit(job, ["ls-remote", `http://127.0.0.1:${port}/acme/app.git`]);
        assert.ok(seen.length > 0);
        assert.ok(
          seen.every((h) => h.authorization === undefined),
          "no credential sent to another host",
        );
        await runPost(job);
      });
    } finally {
      elsewhere.close();
    }
  });

  test("a repository with a huge ref advertisement (many branches and tags) is proven", async () => {
    // Only the status and content type prove access; the body (here 3 MiB) is never read.
    for (const service of ["git-upload-pack", "git-receive-pack"]) {
      bb.inject(
        { server: "git", path: `/acme/app.git/info/refs?service=${service}`, times: 1 },
        {
          status: 200,
          headers: { "content-type": `application/x-${service}-advertisement` },
          body: "0".repeat(3 * 1024 * 1024),
        },
      );
    }
    await withJob(async (job) => {
      const main = await runMain(
        job,
        inputs({ repositories: "acme/app", "configure-git": "false" }),
      );
      assert.equal(main.code, 0, main.stdout);
      assert.match(main.summary, /`acme\/app` \| ✅ proven \| ✅ proven/);
    });
  });

  test("a stale credential helper on the runner does not win", async () => {
    await withJob(async (job) => {
      const marker = join(job.dir, "helper-was-asked");
      const helper = join(job.dir, "stale-helper.sh");
      writeFileSync(
        helper,
        `#!/bin/sh\necho asked >> '${marker}'\necho username=alice\necho password=stale-password\n`,
      );
      chmodSync(helper, 0o755);
      const gitconfig = `[credential]\n\thelper = ${helper}\n`;
      writeFileSync(gitconfigPath(job), gitconfig);
      assert.equal((await runMain(job, inputs())).code, 0);
      const clone = await runGit(job, ["clone", `${bb.gitUrl}/acme/app.git`, "app"]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.ok(!existsSync(marker), "the stale helper was never consulted");
      await runPost(job);
      assert.equal(readFileSync(gitconfigPath(job), "utf8"), gitconfig);
    });
  });

  test("rewrite-ssh-urls sends git@ and ssh:// URLs of the git host over HTTPS", async () => {
    await withJob(async (job) => {
      assert.equal((await runMain(job, inputs({ "rewrite-ssh-urls": "true" }))).code, 0);
      const { hostname } = new URL(bb.gitUrl);
      for (const url of [`git@${hostname}:acme/app.git`, `ssh://git@${hostname}/acme/lib.git`]) {
        const ls = await runGit(job, ["ls-remote", url]);
        assert.equal(ls.code, 0, `${url}: ${ls.stderr}`);
      }
      await runPost(job);
    });
  });

  test("a token expiring within expiry-warning-days warns and succeeds", async () => {
    await withJob(async (job) => {
      // A date-only expiry counts whole UTC days, so five days ahead is 5 at any time of day.
      const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
      const main = await runMain(job, inputs({ "expires-at": soon, "configure-git": "false" }));
      assert.equal(main.code, 0);
      assert.ok(
        ["4", "5"].includes(main.outputs["expires-in-days"]),
        main.outputs["expires-in-days"],
      );
      const warnings = main.annotations.filter((a) => a.level === "warning");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /expires on .* in \d day/);
      assert.match(main.summary, /⚠️/);
      const post = await runPost(job);
      assert.match(post.stdout, /Skipping cleanup: .*configure-git/);
    });
  });
});

describe("tokens that are not fit fail early, and nothing is configured", () => {
  async function expectFailure(
    extra: Record<string, string>,
    pattern: RegExp,
  ): Promise<StepResult> {
    let main: StepResult | undefined;
    await withJob(async (job) => {
      main = await runMain(job, inputs(extra));
      assert.equal(main.code, 1, main.stdout);
      assert.ok(
        errors(main).some((e) => pattern.test(e)),
        `expected ${pattern} in ${JSON.stringify(errors(main))}`,
      );
      // Errors thrown by the lazily loaded bundle are recognised as what they are.
      assert.ok(
        !errors(main).some((e) => e.startsWith("Unexpected error")),
        JSON.stringify(errors(main)),
      );
      assert.doesNotMatch(main.summary, /unexpected error/);
      assert.ok(!existsSync(gitconfigPath(job)), "no global git config written");
      assert.deepEqual(credentialFiles(job), []);
      assert.deepEqual(main.exported, {}, "nothing exported");
      const post = await runPost(job);
      assert.equal(post.code, 0);
      assert.match(post.stdout, /Skipping cleanup/);
    });
    return main as StepResult;
  }

  test("every missing scope is named at once, with what it is for", async () => {
    const narrow = bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] });
    const main = await expectFailure(
      { "api-token": narrow, repositories: "acme/app" },
      /lacks 3 required scope/,
    );
    const message = errors(main).join("\n");
    for (const scope of [
      "read:user:bitbucket",
      "read:workspace:bitbucket",
      "write:repository:bitbucket",
    ]) {
      assert.ok(message.includes(scope), scope);
    }
    assert.match(message, /to push to repositories/);
    assert.equal(
      main.outputs["missing-scopes"],
      "read:user:bitbucket read:workspace:bitbucket write:repository:bitbucket",
    );
    assert.match(main.summary, /❌ missing/);
  });

  test("a revoked token gets a 401 explanation", async () => {
    const revoked = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
    bb.revoke(revoked);
    await expectFailure({ "api-token": revoked }, /rejected the token \(401\).*expired, revoked/);
  });

  test("a classic (unscoped) token and a wrong email get the same 401 explanation", async () => {
    await expectFailure(
      { "api-token": bb.issueApiToken(alice, { scopes: [], classic: true }) },
      /without scopes/,
    );
    await expectFailure({ email: "bob@example.com" }, /not the token of this email's account/);
  });

  test("an app password fails at once, without a request", async () => {
    bb.clearRequests();
    await expectFailure(
      { "api-token": bb.issueAppPassword(alice) },
      /app password.*retired.*Create API token with scopes/s,
    );
    assert.equal(apiRequests(), 0);
  });

  test("an expiry date in the past fails without a request", async () => {
    bb.clearRequests();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await expectFailure({ "expires-at": yesterday }, /expired on/);
    assert.equal(apiRequests(), 0);
  });

  test("bad input fails before any request, naming the input", async () => {
    bb.clearRequests();
    await expectFailure({ email: "alice", repositories: "acme" }, /`email`/);
    await expectFailure({ "required-scopes": "read:repo" }, /`required-scopes`.*did you mean/);
    assert.equal(apiRequests(), 0);
  });

  test("a repository that is missing or forbidden is named, and never shown as writable", async () => {
    await expectFailure({ repositories: "acme/app other/secret" }, /other\/secret: .*404/);
    const main = await expectFailure({ repositories: "acme/nope" }, /acme\/nope/);
    assert.match(main.summary, /`acme\/nope` \| ❌ not found \| ❌ not found \|/);
  });

  test("read-only access to a repository fails when push is required", async () => {
    await expectFailure(
      { repositories: "acme/readonly" },
      /acme\/readonly: the token's account may not push/,
    );
  });
});

describe("access tokens", () => {
  test("use Bearer for REST and x-token-auth for git; default scopes are repository read and write", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository:write"],
    });
    await withJob(async (job) => {
      const main = await runMain(job, {
        "api-token": access,
        "api-url": bb.apiUrl,
        "git-url": bb.gitUrl,
        repositories: "acme/app",
      });
      assert.equal(main.code, 0, main.stdout);
      assert.equal(main.outputs["credential-type"], "access-token");
      assert.equal(main.outputs["token-kind"], "repository-access-token", "from x-credential-type");
      assert.equal(main.outputs["git-username"], "x-token-auth");
      assert.equal(main.outputs["account-id"], "");
      const clone = await runGit(job, ["clone", `${bb.gitUrl}/acme/app.git`, "app"]);
      assert.equal(clone.code, 0, clone.stderr);
      await runPost(job);
    });
  });

  test("an access token with a repository to prove is asked about it, never /user", async () => {
    // Access tokens are not users: their one REST request is the repository's, which carries
    // the scopes and Bitbucket's rate-limit headers; a 401 waiting on /user is never met.
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository:write"],
    });
    bb.inject(
      { server: "api", path: "/2.0/user", times: 1 },
      {
        status: 401,
        body: {
          type: "error",
          error: { message: "Token is invalid, expired, or not supported for this endpoint." },
        },
      },
    );
    bb.clearRequests();
    await withJob(async (job) => {
      const main = await runMain(job, {
        "api-token": access,
        "api-url": bb.apiUrl,
        "git-url": bb.gitUrl,
        repositories: "acme/app",
        "configure-git": "false",
      });
      assert.equal(main.code, 0, main.stdout);
      assert.equal(main.outputs["credential-type"], "access-token");
      const rest = bb.requests.filter((r) => r.server === "api").map((r) => r.url);
      assert.deepEqual(rest, ["/2.0/repositories/acme/app"]);
    });
    // The injected 401 is still pending: take it, so it cannot reach another test.
    await fetch(`${bb.apiUrl}/user`).then((r) => r.arrayBuffer());
  });

  test("an access token without write names the legacy scope to add", async () => {
    const readOnly = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository"],
    });
    await withJob(async (job) => {
      const main = await runMain(job, {
        "api-token": readOnly,
        "api-url": bb.apiUrl,
        "git-url": bb.gitUrl,
      });
      assert.equal(main.code, 1);
      assert.equal(main.outputs["missing-scopes"], "repository:write");
    });
  });
});
