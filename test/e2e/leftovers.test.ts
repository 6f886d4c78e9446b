/**
 * Self-hosted runners are reused: HOME (and often RUNNER_TEMP) outlive a job, steps are retried,
 * the action may run twice in one job, a job may die between main and post. Whatever happened
 * before, during the job exactly one credential of this action works (the latest), and after
 * post none is left: not in the global git config, not in any file under the job's directories.
 * Every test has its own job(s), so the tests of a group run side by side.
 */
import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configure } from "../../src/core/git/git-credentials.ts";
import { gitAuthorization } from "../../src/core/inputs/credential.ts";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES as SCOPES } from "../emulator/demo-world.ts";
import { labelledSecretForms, scanTree } from "../harness/leaks.ts";
import { type Job, newJob, runGit, runMain, runPost, type StepResult } from "../harness/runner.ts";

const USER_CONFIG = "[user]\n\tname = CI\n\temail = ci@example.com\n";
const DIR = "bitbucket-api-token-auth";
const BEGIN = /^# bitbucket-api-token-auth [0-9a-f]+ begin/gm;

let bb: Bitbucket;
let alice: Account;
let bob: Account;
let aliceToken: string;
let bobToken: string;

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bob = bb.addAccount({ email: "bob@example.com", username: "bob" });
  bb.addRepository("acme/app");
  bb.addRepository("bobco/tool");
  bb.grant(alice, "acme", "write");
  bb.grant(bob, "bobco", "write");
  aliceToken = bb.issueApiToken(alice, { scopes: SCOPES });
  bobToken = bb.issueApiToken(bob, { scopes: SCOPES });
});
after(() => bb.close());

const asAlice = (extra: Record<string, string> = {}) => ({
  email: alice.email,
  "api-token": aliceToken,
  "api-url": bb.apiUrl,
  "git-url": bb.gitUrl,
  repositories: "acme/app",
  ...extra,
});
const asBob = (extra: Record<string, string> = {}) => ({
  ...asAlice(extra),
  email: bob.email,
  "api-token": bobToken,
  repositories: "bobco/tool",
});

const level = (step: StepResult, l: string) =>
  step.annotations.filter((a) => a.level === l).map((a) => a.message);
const gitconfig = (job: Job) => join(job.home, ".gitconfig");
const credentialFiles = (job: Job) => readdirOrEmpty(join(job.runnerTemp, DIR));
const blocks = (job: Job) =>
  existsSync(gitconfig(job)) ? [...readFileSync(gitconfig(job), "utf8").matchAll(BEGIN)].length : 0;

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Which of the two repositories git can reach now, in this job's environment. */
async function gitReaches(job: Job): Promise<{ alice: boolean; bob: boolean }> {
  const [a, b] = await Promise.all([
    runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`]),
    runGit(job, ["ls-remote", `${bb.gitUrl}/bobco/tool.git`]),
  ]);
  return { alice: a.code === 0, bob: b.code === 0 };
}

/** No form of either token in any file (or file name) under these directories. */
async function assertNothingLeft(...dirs: string[]): Promise<void> {
  const users = [alice.email, bob.email, "x-bitbucket-api-token-auth", "x-token-auth"];
  const forms = [
    ...labelledSecretForms(aliceToken, users).map((f) => ({ ...f, label: `alice ${f.label}` })),
    ...labelledSecretForms(bobToken, users).map((f) => ({ ...f, label: `bob ${f.label}` })),
  ];
  for (const dir of dirs) {
    for (const place of await scanTree(dir)) {
      for (const form of forms) {
        assert.ok(!place.text.includes(form.value), `${form.label} left in ${place.name}`);
      }
    }
  }
}

async function withJobs(
  n: number,
  fn: (...jobs: Job[]) => Promise<void>,
  gitconfig: string | null = USER_CONFIG,
): Promise<void> {
  const jobs = await Promise.all(
    Array.from({ length: n }, () => newJob({ gitconfig: gitconfig ?? undefined })),
  );
  try {
    await fn(...jobs);
  } finally {
    await Promise.all(jobs.map((job) => job.close()));
  }
}

describe("the action twice in one job", { concurrency: true }, () => {
  test("two accounts: only the second one's credential works; both posts leave nothing", async () => {
    await withJobs(1, async (job) => {
      const first = await runMain(job, asAlice());
      assert.equal(first.code, 0, first.stdout);
      assert.deepEqual(await gitReaches(job), { alice: true, bob: false });

      const second = await runMain(job, asBob());
      assert.equal(second.code, 0, second.stdout);
      assert.match(second.stdout, /Replaced 1 earlier git credential/);
      assert.equal(blocks(job), 1, "one include in the global config");
      assert.deepEqual(credentialFiles(job), [`${second.savedState["credential-id"]}.gitconfig`]);
      const file = readFileSync(join(job.runnerTemp, DIR, credentialFiles(job)[0]), "utf8");
      assert.ok(
        file.includes(
          gitAuthorization({
            kind: "api-token",
            email: bob.email,
            token: bobToken,
            gitUsername: "x-bitbucket-api-token-auth",
          }),
        ),
      );
      assert.deepEqual(
        await gitReaches(job),
        { alice: false, bob: true },
        "exactly one credential: bob's",
      );

      // The runner runs post steps in reverse order, each with its own step's state.
      const post2 = await runPost(job, { main: second });
      const post1 = await runPost(job, { main: first });
      for (const post of [post2, post1]) {
        assert.equal(post.code, 0, post.stdout);
        assert.deepEqual(level(post, "error"), []);
        assert.deepEqual(level(post, "warning"), [], "the expected replacement is no warning");
      }
      assert.match(post1.stdout, /already gone: a later run of this action replaced them/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG, "global config as before");
      assert.deepEqual(credentialFiles(job), []);
      assert.deepEqual(await gitReaches(job), { alice: false, bob: false });
      await assertNothingLeft(job.dir);
    });
  });

  test("a retried step (same inputs twice): one credential during the job, none after", async () => {
    await withJobs(1, async (job) => {
      const first = await runMain(job, asAlice());
      const retry = await runMain(job, asAlice());
      assert.equal(first.code + retry.code, 0);
      assert.notEqual(first.savedState["credential-id"], retry.savedState["credential-id"]);
      assert.equal(blocks(job), 1);
      assert.equal(credentialFiles(job).length, 1);
      assert.deepEqual(await gitReaches(job), { alice: true, bob: false });
      for (const main of [retry, first]) {
        const post = await runPost(job, { main });
        assert.equal(post.code, 0);
        assert.deepEqual(level(post, "error"), []);
      }
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      assert.deepEqual(credentialFiles(job), []);
      await assertNothingLeft(job.dir);
    });
  });

  test("the first main configured git, the second failed: the first's credential stays until its post", async () => {
    await withJobs(1, async (job) => {
      const first = await runMain(job, asAlice());
      assert.equal(first.code, 0);
      const revoked = bb.issueApiToken(bob, { scopes: SCOPES });
      bb.revoke(revoked);
      const failed = await runMain(job, { ...asBob(), "api-token": revoked });
      assert.equal(failed.code, 1);
      assert.equal(blocks(job), 1);
      assert.deepEqual(await gitReaches(job), { alice: true, bob: false });
      assert.equal((await runPost(job, { main: failed })).code, 0);
      assert.equal(blocks(job), 1, "the failed step's post does not touch the first's credential");
      assert.equal((await runPost(job, { main: first })).code, 0);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      await assertNothingLeft(job.dir);
    });
  });
});

describe("leftovers from a crashed earlier job on a reused runner", { concurrency: true }, () => {
  /** A job whose main configured bob's credential and that died before its post. */
  async function crashedJob(job: Job): Promise<string> {
    const main = await runMain(job, asBob());
    assert.equal(main.code, 0, main.stdout);
    return join(job.runnerTemp, DIR, `${main.savedState["credential-id"]}.gitconfig`);
  }

  for (const userConfig of [USER_CONFIG, null]) {
    test(`an include in HOME and its file (and an orphan in RUNNER_TEMP): replaced by main, nothing after post (${userConfig ? "user's ~/.gitconfig" : "~/.gitconfig created by the crashed job"})`, async () => {
      await withJobs(
        2,
        async (crashed, job) => {
          const leftoverFile = await crashedJob(crashed);
          // The same HOME on the next job, and a RUNNER_TEMP that was not emptied.
          cpSync(gitconfig(crashed), gitconfig(job));
          mkdirSync(join(job.runnerTemp, DIR), { recursive: true });
          cpSync(leftoverFile, join(job.runnerTemp, DIR, basename(leftoverFile)));
          assert.deepEqual(
            await gitReaches(job),
            { alice: false, bob: true },
            "the leftover is live",
          );

          const main = await runMain(job, asAlice());
          assert.equal(main.code, 0, main.stdout);
          assert.match(main.stdout, /Replaced 1 earlier git credential/);
          assert.equal(blocks(job), 1);
          assert.deepEqual(credentialFiles(job), [`${main.savedState["credential-id"]}.gitconfig`]);
          assert.ok(!existsSync(leftoverFile), "the included leftover file is deleted");
          assert.deepEqual(await gitReaches(job), { alice: true, bob: false });

          const post = await runPost(job);
          assert.equal(post.code, 0);
          assert.deepEqual(level(post, "error"), []);
          if (userConfig) assert.equal(readFileSync(gitconfig(job), "utf8"), userConfig);
          else assert.ok(!existsSync(gitconfig(job)), "the config the crashed job created is gone");
          assert.deepEqual(credentialFiles(job), []);
          assert.deepEqual(await gitReaches(job), { alice: false, bob: false });
          await assertNothingLeft(job.dir, crashed.dir);
        },
        userConfig,
      );
    });
  }

  test("an include whose file RUNNER_TEMP cleaning already took: removed by main", async () => {
    await withJobs(2, async (crashed, job) => {
      const leftoverFile = await crashedJob(crashed);
      cpSync(gitconfig(crashed), gitconfig(job));
      rmSync(leftoverFile);
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0, main.stdout);
      assert.equal(blocks(job), 1);
      assert.equal((await runPost(job)).code, 0);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      await assertNothingLeft(job.dir, crashed.dir);
    });
  });
});

describe("post after main stopped half-way", { concurrency: true }, () => {
  const places = (job: Job) => ({
    tempDir: job.runnerTemp,
    home: job.home,
    env: {},
    workspace: job.workspace,
  });
  const credential = (token: string) => ({
    gitUrl: new URL(bb.gitUrl),
    authorization: gitAuthorization({
      kind: "api-token",
      email: alice.email,
      token,
      gitUsername: "x-bitbucket-api-token-auth",
    }),
    rewriteSshUrls: false,
  });

  test("state has the credential id, both files were written, `configured` was not saved", async () => {
    await withJobs(1, async (job) => {
      const { id } = await configure(credential(aliceToken), places(job));
      const post = await runPost(job, { inputs: asAlice(), state: { "credential-id": id } });
      assert.equal(post.code, 0);
      assert.deepEqual(level(post, "error"), []);
      assert.match(post.stdout, /Cleaned up/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      assert.deepEqual(credentialFiles(job), []);
      await assertNothingLeft(job.dir);
    });
  });

  test("state has the credential id, only the credential file was written", async () => {
    await withJobs(1, async (job) => {
      const { id } = await configure(credential(aliceToken), places(job));
      writeFileSync(gitconfig(job), USER_CONFIG); // the include never made it
      const post = await runPost(job, { inputs: asAlice(), state: { "credential-id": id } });
      assert.equal(post.code, 0);
      assert.deepEqual(level(post, "error"), []);
      assert.deepEqual(credentialFiles(job), []);
      await assertNothingLeft(job.dir);
    });
  });

  test("state has the credential id, nothing was written", async () => {
    await withJobs(1, async (job) => {
      const post = await runPost(job, {
        inputs: asAlice(),
        state: { "credential-id": "0123456789abcdef" },
      });
      assert.equal(post.code, 0);
      assert.deepEqual(level(post, "error"), []);
      assert.deepEqual(level(post, "warning"), []);
      assert.match(post.stdout, /Nothing to clean up: main stopped before configuring git/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
    });
  });

  test("a real main that fails while writing git config (global config unwritable)", async () => {
    await withJobs(1, async (job) => {
      // GIT_CONFIG_GLOBAL naming a directory: the include cannot be appended.
      const env = { GIT_CONFIG_GLOBAL: join(job.home, "a-directory") };
      mkdirSync(env.GIT_CONFIG_GLOBAL);
      const main = await runMain(job, asAlice(), { env });
      assert.equal(main.code, 1);
      assert.equal(level(main, "error").length, 1);
      assert.doesNotMatch(main.stdout + main.stderr, /^\s+at .+:\d+:\d+\)?$/m);
      assert.ok(main.savedState["credential-id"], "the id was saved before writing");
      assert.equal(main.savedState.configured, undefined);
      assert.deepEqual(credentialFiles(job), [], "main removed the file it had written");
      const post = await runPost(job, { env });
      assert.equal(post.code, 0, "post never fails");
      assert.deepEqual(level(post, "error"), []);
      await assertNothingLeft(job.dir);
    });
  });

  test("a real main that fails before writing (RUNNER_TEMP inside the workspace)", async () => {
    await withJobs(1, async (job) => {
      const env = { RUNNER_TEMP: join(job.workspace, "tmp") };
      mkdirSync(env.RUNNER_TEMP);
      const main = await runMain(job, asAlice(), { env });
      assert.equal(main.code, 1);
      assert.match(level(main, "error").join("\n"), /inside the workspace/);
      assert.ok(
        !existsSync(gitconfig(job)) || readFileSync(gitconfig(job), "utf8") === USER_CONFIG,
      );
      const post = await runPost(job, { env });
      assert.equal(post.code, 0);
      assert.deepEqual(level(post, "error"), []);
      await assertNothingLeft(job.dir);
    });
  });
});

describe("post in odd places", { concurrency: true }, () => {
  test("RUNNER_TEMP already emptied: warns, never fails, the include is removed", async () => {
    await withJobs(1, async (job) => {
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0);
      rmSync(job.runnerTemp, { recursive: true, force: true });
      mkdirSync(job.runnerTemp);
      const post = await runPost(job);
      assert.equal(post.code, 0);
      assert.deepEqual(level(post, "error"), []);
      const warnings = level(post, "warning");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /already deleted \(RUNNER_TEMP emptied/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG, "include removed");
      await assertNothingLeft(job.dir);
    });
  });

  test("post run twice: the second finds nothing and does not fail", async () => {
    await withJobs(1, async (job) => {
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0);
      const once = await runPost(job);
      const twice = await runPost(job);
      for (const post of [once, twice]) {
        assert.equal(post.code, 0);
        assert.deepEqual(level(post, "error"), []);
      }
      assert.deepEqual(level(twice, "warning"), []);
      assert.match(twice.stdout, /already gone/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      await assertNothingLeft(job.dir);
    });
  });
});
