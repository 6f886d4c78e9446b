/**
 * What the step sets up for the clients that do not read git's config (src/core/clients/), on
 * loopback against the emulator: the variables the action exports and the command prints for
 * `eval`, the files `credential-files` writes (where, with what mode, holding what), what they
 * carry over from the user's own netrc and Composer home, and that post and cleanup remove them.
 * The real clients (cargo, Go, Composer, curl…) use them in test/e2e/clients.test.ts, against
 * bitbucket.org's own names in a network namespace.
 */
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { CLI, newShell, runIn, show } from "../harness/command.ts";
import { findLeaks, labelledSecretForms, scanTree } from "../harness/leaks.ts";
import { type Job, newJob, runMain, runPost, type StepResult } from "../harness/runner.ts";

let bb: Bitbucket;
let alice: Account;
let token: string;

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/app");
  bb.grant(alice, "acme", "write");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
});
after(() => bb.close());

const inputs = (extra: Record<string, string> = {}) => ({
  email: alice.email,
  "api-token": token,
  "api-url": bb.apiUrl,
  "git-url": bb.gitUrl,
  repositories: "acme/app",
  ...extra,
});

async function withJob(fn: (job: Job) => Promise<void>, env: Record<string, string> = {}) {
  const job = await newJob({ env });
  try {
    await fn(job);
  } finally {
    await job.close();
  }
}

const mode = (file: string) => statSync(file).mode & 0o777;
const errors = (step: StepResult) =>
  step.annotations.filter((a) => a.level === "error").map((a) => a.message);
const forms = () => labelledSecretForms(token, [alice.email, "x-bitbucket-api-token-auth"]);

describe("the action", () => {
  test("exports cargo's variable and nothing secret; no credential files unless asked", async () => {
    await withJob(async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout + main.stderr);
      assert.equal(main.exported.CARGO_NET_GIT_FETCH_WITH_CLI, "true");
      assert.equal(main.exported.NETRC, undefined);
      assert.equal(main.exported.COMPOSER_HOME, undefined);
      assert.match(main.summary, /### Other clients/);
      assert.match(main.summary, /\| cargo \| `CARGO_NET_GIT_FETCH_WITH_CLI=true`/);
      assert.deepEqual(
        findLeaks(forms(), [{ name: "exports", text: JSON.stringify(main.exported) }]),
        [],
      );
    });
  });

  test("leaves a CARGO_NET_GIT_FETCH_WITH_CLI the job set as it is", async () => {
    await withJob(
      async (job) => {
        const main = await runMain(job, inputs());
        assert.equal(main.code, 0, main.stdout + main.stderr);
        assert.equal(main.exported.CARGO_NET_GIT_FETCH_WITH_CLI, undefined);
        assert.match(main.summary, /was set already \(to false\): left as it is/);
      },
      { CARGO_NET_GIT_FETCH_WITH_CLI: "false" },
    );
  });

  test("netrc and composer: 0600 files in the credential's directory, removed by post", async () => {
    await withJob(async (job) => {
      const main = await runMain(job, inputs({ "credential-files": "netrc, composer" }));
      assert.equal(main.code, 0, main.stdout + main.stderr);
      const { NETRC, COMPOSER_HOME } = main.exported;
      const dir = dirname(NETRC);
      assert.equal(dirname(COMPOSER_HOME), dir);
      assert.ok(dir.startsWith(`${job.runnerTemp}/bitbucket-api-token-auth-`), dir);
      assert.equal(mode(dir), 0o700);
      assert.equal(mode(NETRC), 0o600);
      assert.equal(mode(join(COMPOSER_HOME, "auth.json")), 0o600);

      const host = new URL(bb.apiUrl).hostname;
      assert.match(
        readFileSync(NETRC, "utf8"),
        new RegExp(`machine ${host}\\n  login ${alice.email}\\n  password ${token}\\n`),
      );
      const auth = JSON.parse(readFileSync(join(COMPOSER_HOME, "auth.json"), "utf8"));
      assert.deepEqual(auth["http-basic"][new URL(bb.apiUrl).host], {
        username: alice.email,
        password: token,
      });
      assert.deepEqual(
        findLeaks(forms(), [{ name: "exports", text: JSON.stringify(main.exported) }]),
        [],
      );
      assert.deepEqual(findLeaks(forms(), await scanTree(job.workspace)), []);

      const post = await runPost(job);
      assert.equal(post.code, 0);
      assert.match(post.stdout, /Cleaned up .*\/netrc/);
      assert.match(post.stdout, /Cleaned up .*\/composer\/auth\.json/);
      assert.equal(existsSync(dir), false, "the whole directory is gone");
      assert.deepEqual(findLeaks(forms(), await scanTree(job.dir)), [], "nothing left on disk");
    });
  });

  test("the user's own netrc machines and Composer home stay in use; theirs for our hosts do not", async () => {
    await withJob(async (job) => {
      const host = new URL(bb.apiUrl).hostname;
      writeFileSync(
        join(job.home, ".netrc"),
        `machine ${host} login stale password old\nmachine pypi.corp.example login bot password keep\n`,
      );
      const composerHome = join(job.home, ".config", "composer");
      mkdirSync(composerHome, { recursive: true });
      writeFileSync(join(composerHome, "config.json"), '{"config": {"process-timeout": 600}}\n');
      writeFileSync(
        join(composerHome, "auth.json"),
        JSON.stringify({ "github-oauth": { "github.com": "gho_keep" } }),
      );
      const main = await runMain(job, inputs({ "credential-files": "netrc composer" }));
      assert.equal(main.code, 0, main.stdout + main.stderr);
      const netrc = readFileSync(main.exported.NETRC, "utf8");
      assert.match(netrc, /machine pypi\.corp\.example login bot password keep/);
      assert.doesNotMatch(netrc, /stale/);
      const home = main.exported.COMPOSER_HOME;
      const auth = JSON.parse(readFileSync(join(home, "auth.json"), "utf8"));
      assert.equal(auth["github-oauth"]["github.com"], "gho_keep");
      // Composer itself was asked where its home is, when it is installed.
      if (existsSync(join(home, "config.json")))
        assert.ok(lstatSync(join(home, "config.json")).isSymbolicLink());
      assert.equal((await runPost(job)).code, 0);
      assert.equal(existsSync(join(composerHome, "config.json")), true, "the user's files stay");
      assert.match(readFileSync(join(job.home, ".netrc"), "utf8"), /stale/, "and are unchanged");
    });
  });

  test("GOPRIVATE is left alone for a git URL with a port, which no module path can name", async () => {
    // bitbucket.org itself, with a GOPRIVATE of the job's own kept, is in clients.test.ts.
    await withJob(
      async (job) => {
        const main = await runMain(job, inputs());
        assert.equal(main.code, 0, main.stdout + main.stderr);
        assert.equal(main.exported.GOPRIVATE, undefined, "no module path for 127.0.0.1:port");
      },
      { GOPRIVATE: "example.com/mine" },
    );
  });

  test("a bad credential-files is named, and nothing is configured", async () => {
    await withJob(async (job) => {
      const main = await runMain(job, inputs({ "credential-files": "netrc npmrc" }));
      assert.equal(main.code, 1);
      assert.match(
        errors(main).join("\n"),
        /The input `credential-files` names a file kind this step does not write: "npmrc"/,
      );
      assert.deepEqual(main.exported, {});
      const off = await runMain(
        job,
        inputs({ "credential-files": "netrc", "configure-git": "false" }),
      );
      assert.match(errors(off).join("\n"), /`configure-git` is false/);
    });
  });
});

describe("the command", () => {
  test("setup --export: shell code on stdout for eval, the report on stderr; cleanup removes the files", async () => {
    const shell = await newShell({ BITBUCKET_API_TOKEN: token, BITBUCKET_EMAIL: alice.email });
    try {
      const setup = `${process.execPath} ${CLI} setup --export --api-url ${bb.apiUrl} --git-url ${bb.gitUrl} --repositories acme/app --credential-files "netrc composer"`;
      const ran = await runIn(shell, "sh", [
        "-c",
        `eval "$(${setup})" && printf '%s\\n' "$CARGO_NET_GIT_FETCH_WITH_CLI" "$NETRC" "$COMPOSER_HOME"`,
      ]);
      assert.equal(ran.code, 0, show(ran));
      const [cargo, netrc, composer] = ran.stdout.trim().split("\n");
      assert.equal(cargo, "true");
      assert.ok(netrc.startsWith(`${shell.tmp}/bitbucket-api-token-auth-`), netrc);
      assert.equal(mode(netrc), 0o600);
      assert.equal(dirname(composer), dirname(netrc));
      assert.match(ran.stderr, /✔ The token is fit for use/);
      assert.deepEqual(findLeaks(forms(), [{ name: "stdout", text: ran.stdout }]), []);

      const cleanup = await runIn(shell, "bitbucket-auth", ["cleanup"]);
      assert.equal(cleanup.code, 0, show(cleanup));
      assert.equal(existsSync(dirname(netrc)), false);
      assert.deepEqual(findLeaks(forms(), await scanTree(shell.dir)), [], "nothing left on disk");
    } finally {
      await shell.close();
    }
  });

  test("setup --export that fails makes eval fail with its exit code", async () => {
    const shell = await newShell({
      BITBUCKET_API_TOKEN: "too-short",
      BITBUCKET_EMAIL: alice.email,
    });
    try {
      for (const [flags, code] of [
        [`--api-url ${bb.apiUrl}`, 2],
        ["--bogus", 2],
      ] as const) {
        const ran = await runIn(shell, "sh", [
          "-c",
          `eval "$(${process.execPath} ${CLI} setup --export ${flags})"; echo "status $?"`,
        ]);
        assert.equal(ran.stdout.trim(), `status ${code}`, show(ran));
        assert.match(ran.stderr, /✘/);
      }
    } finally {
      await shell.close();
    }
  });

  test("plain setup says which variables later commands need; --export belongs to setup", async () => {
    const shell = await newShell({ BITBUCKET_API_TOKEN: token, BITBUCKET_EMAIL: alice.email });
    try {
      const ran = await runIn(shell, "bitbucket-auth", [
        "setup",
        `--api-url=${bb.apiUrl}`,
        `--git-url=${bb.gitUrl}`,
      ]);
      assert.equal(ran.code, 0, show(ran));
      assert.match(ran.stdout, /Later commands also need CARGO_NET_GIT_FETCH_WITH_CLI/);
      assert.equal((await runIn(shell, "bitbucket-auth", ["cleanup"])).code, 0);
      const check = await runIn(shell, "bitbucket-auth", ["check", "--export"]);
      assert.equal(check.code, 2);
      assert.match(check.stderr, /--export belongs to `bitbucket-auth setup`/);
      const files = await runIn(shell, "bitbucket-auth", [
        "check",
        `--api-url=${bb.apiUrl}`,
        "--credential-files=netrc",
      ]);
      assert.equal(files.code, 2);
      assert.match(files.stderr, /only by `bitbucket-auth setup`/);
    } finally {
      await shell.close();
    }
  });
});
