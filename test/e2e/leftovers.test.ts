/**
 * Several credentials, several jobs, and what a crashed job leaves. Self-hosted machines run
 * several runners under one user (jobs share HOME, each has its own RUNNER_TEMP), the action may
 * run twice in one job with two tokens, a job may die between main and post. Whatever happened,
 * each job's git sends the token proven for each URL, each post removes only its own credential,
 * and the user's global git config is never touched (git ≥ 2.31: the job's environment includes
 * the credential) or, with an older git, restored byte for byte. Every test has its own job(s):
 * they run side by side.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES as SCOPES } from "../emulator/demo-world.ts";
import { gitShimSupported, installGitShim } from "../harness/git-shim.ts";
import { labelledSecretForms, scanTree } from "../harness/leaks.ts";
import {
  type Job,
  type NewJobOptions,
  newJob,
  runGit,
  runMain,
  runPost,
  type StepResult,
} from "../harness/runner.ts";

const USER_CONFIG = "[user]\n\tname = CI\n\temail = ci@example.com\n";
const PREFIX = "bitbucket-api-token-auth-";

let bb: Bitbucket;
let alice: Account;
let bob: Account;
let aliceToken: string;
let bobToken: string;
/** Repository access tokens, one per repository. */
let appToken: string;
let toolToken: string;
let oldGit: { binDir: string; dir: string };

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
  const write = ["repository:write"];
  appToken = bb.issueAccessToken({ kind: "repository", target: "acme/app", scopes: write });
  toolToken = bb.issueAccessToken({ kind: "repository", target: "bobco/tool", scopes: write });
  const dir = mkdtempSync(join(tmpdir(), "bbauth-old-git-"));
  // No git older than 2.31 on this machine: a shim answers `git --version` for one.
  if (gitShimSupported) oldGit = { dir, binDir: installGitShim(dir, { version: "2.30.2" }).binDir };
});
after(async () => {
  await bb.close();
  if (oldGit) rmSync(oldGit.dir, { recursive: true, force: true });
});

const common = () => ({ "api-url": bb.apiUrl, "git-url": bb.gitUrl });
const asAlice = () => ({
  ...common(),
  email: alice.email,
  "api-token": aliceToken,
  repositories: "acme/app",
});
const asBob = () => ({
  ...common(),
  email: bob.email,
  "api-token": bobToken,
  repositories: "bobco/tool",
});
const appOnly = () => ({ ...common(), "api-token": appToken, repositories: "acme/app" });
const toolOnly = () => ({ ...common(), "api-token": toolToken, repositories: "bobco/tool" });

const level = (step: StepResult, l: string) =>
  step.annotations.filter((a) => a.level === l).map((a) => a.message);
const gitconfig = (job: Job) => join(job.home, ".gitconfig");
/** Credential files under a RUNNER_TEMP, one per credential directory. */
const credentialFiles = (runnerTemp: string) =>
  readdirSync(runnerTemp)
    .filter((name) => name.startsWith(PREFIX))
    .flatMap((name) => readdirSync(join(runnerTemp, name)).map((f) => join(runnerTemp, name, f)))
    .filter((file) => file.endsWith("credentials.gitconfig"));
/** The user's global config as it is: bytes, inode and modification time. */
const homeConfig = (job: Job) => {
  const { ino, mtimeMs, size } = statSync(gitconfig(job));
  return { text: readFileSync(gitconfig(job), "utf8"), ino, mtimeMs, size };
};

/** Which repositories git reaches now in this job, in both URL forms. */
async function gitReaches(job: Job): Promise<{ app: boolean; tool: boolean }> {
  const ok = async (path: string) => {
    const [withGit, without] = await Promise.all([
      runGit(job, ["ls-remote", `${bb.gitUrl}/${path}.git`]),
      runGit(job, ["ls-remote", `${bb.gitUrl}/${path}`]),
    ]);
    assert.equal(withGit.code, without.code, `${path}: the .git form and the plain one agree`);
    return withGit.code === 0;
  };
  const [app, tool] = await Promise.all([ok("acme/app"), ok("bobco/tool")]);
  return { app, tool };
}

/** No form of any token in any file (or file name) under these directories. */
async function assertNothingLeft(...dirs: string[]): Promise<void> {
  const users = [alice.email, bob.email, "x-bitbucket-api-token-auth", "x-token-auth"];
  const forms = [aliceToken, bobToken, appToken, toolToken].flatMap((t, i) =>
    labelledSecretForms(t, users).map((f) => ({ ...f, label: `token ${i} ${f.label}` })),
  );
  for (const dir of dirs)
    for (const place of await scanTree(dir))
      for (const form of forms)
        assert.ok(!place.text.includes(form.value), `${form.label} left in ${place.name}`);
}

async function withJobs(
  options: NewJobOptions[],
  fn: (...jobs: Job[]) => Promise<void>,
): Promise<void> {
  const jobs = await Promise.all(options.map((o) => newJob({ gitconfig: USER_CONFIG, ...o })));
  try {
    await fn(...jobs);
  } finally {
    await Promise.all(jobs.map((job) => job.close()));
  }
}

describe("the action twice in one job, each use with its own state", { concurrency: true }, () => {
  test("two repository access tokens: each reaches its repository; each post removes only its own", async () => {
    await withJobs([{}], async (job) => {
      const before = homeConfig(job);
      const first = await runMain(job, appOnly());
      assert.equal(first.code, 0, first.stdout);
      assert.deepEqual(await gitReaches(job), { app: true, tool: false });
      const second = await runMain(job, toolOnly());
      assert.equal(second.code, 0, second.stdout);
      assert.deepEqual(level(second, "warning"), [], "different repositories: nothing replaced");
      // Each adds its own include after those already in the job's environment.
      assert.equal(first.exported.GIT_CONFIG_COUNT, "1");
      assert.equal(second.exported.GIT_CONFIG_COUNT, "2");
      assert.equal(second.exported.GIT_CONFIG_KEY_1, "include.path");
      assert.equal(second.exported.GIT_CONFIG_VALUE_0, undefined, "the first's left as it was");
      assert.deepEqual(await gitReaches(job), { app: true, tool: true }, "both tokens in force");
      const clone = await runGit(job, ["clone", `${bb.gitUrl}/acme/app`, "app"]);
      assert.equal(clone.code, 0, clone.stderr);

      // Post steps run in reverse order, each with its own step's state.
      const post2 = await runPost(job, { main: second });
      assert.deepEqual(await gitReaches(job), { app: true, tool: false }, "only its own removed");
      const post1 = await runPost(job, { main: first });
      for (const post of [post2, post1]) {
        assert.equal(post.code, 0, post.stdout);
        assert.deepEqual([...level(post, "error"), ...level(post, "warning")], []);
      }
      assert.deepEqual(await gitReaches(job), { app: false, tool: false });
      assert.deepEqual(credentialFiles(job.runnerTemp), []);
      assert.deepEqual(homeConfig(job), before, "the user's global config never touched");
      await assertNothingLeft(job.dir);
    });
  });

  test("two API tokens for one host: the later wins, with a warning; each post removes only its own", async () => {
    await withJobs([{}], async (job) => {
      const first = await runMain(job, asAlice());
      const second = await runMain(job, asBob());
      assert.equal(first.code + second.code, 0, second.stdout);
      const [warning] = level(second, "warning");
      assert.match(
        warning ?? "",
        /1 earlier git credential\(s\) of this tool also cover http:\/\/127\.0\.0\.1:\d+\/: git now sends this one there/,
      );
      assert.deepEqual(await gitReaches(job), { app: false, tool: true }, "bob's, set up later");
      assert.equal(credentialFiles(job.runnerTemp).length, 2);

      await runPost(job, { main: second });
      assert.deepEqual(
        await gitReaches(job),
        { app: true, tool: false },
        "alice's is in force again",
      );
      const post1 = await runPost(job, { main: first });
      assert.deepEqual(level(post1, "warning"), []);
      assert.deepEqual(await gitReaches(job), { app: false, tool: false });
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      await assertNothingLeft(job.dir);
    });
  });

  test("a retried step (same inputs twice): both posts together leave nothing", async () => {
    await withJobs([{}], async (job) => {
      const first = await runMain(job, asAlice());
      const retry = await runMain(job, asAlice());
      assert.equal(first.code + retry.code, 0);
      assert.notEqual(first.savedState["credential-id"], retry.savedState["credential-id"]);
      assert.deepEqual(await gitReaches(job), { app: true, tool: false });
      for (const main of [retry, first]) {
        const post = await runPost(job, { main });
        assert.equal(post.code, 0);
        assert.deepEqual([...level(post, "error"), ...level(post, "warning")], []);
      }
      assert.deepEqual(credentialFiles(job.runnerTemp), []);
      await assertNothingLeft(job.dir);
    });
  });

  test("the first main configured git, the second failed: the first's credential stays until its post", async () => {
    await withJobs([{}], async (job) => {
      const first = await runMain(job, asAlice());
      assert.equal(first.code, 0);
      const revoked = bb.issueApiToken(bob, { scopes: SCOPES });
      bb.revoke(revoked);
      const failed = await runMain(job, { ...asBob(), "api-token": revoked });
      assert.equal(failed.code, 1);
      assert.deepEqual(await gitReaches(job), { app: true, tool: false });
      assert.equal((await runPost(job, { main: failed })).code, 0);
      assert.deepEqual(await gitReaches(job), { app: true, tool: false }, "untouched by that post");
      assert.equal((await runPost(job, { main: first })).code, 0);
      assert.deepEqual(await gitReaches(job), { app: false, tool: false });
      await assertNothingLeft(job.dir);
    });
  });
});

describe("two jobs on one machine: one HOME, a RUNNER_TEMP each", { concurrency: true }, () => {
  test("each job's git sends its own token; neither's set-up nor post touches the other's", async () => {
    await withJobs([{}], async (a) => {
      await withJobs([{ gitconfig: undefined, env: { HOME: a.home } }], async (b) => {
        const before = homeConfig(a);
        assert.equal((await runMain(a, asAlice())).code, 0);
        assert.equal((await runMain(b, asBob())).code, 0);
        assert.deepEqual(await gitReaches(a), { app: true, tool: false }, "job A: alice's only");
        assert.deepEqual(await gitReaches(b), { app: false, tool: true }, "job B: bob's only");
        assert.equal((await runPost(b)).code, 0);
        assert.deepEqual(await gitReaches(a), { app: true, tool: false }, "B's post left A's");
        assert.equal((await runPost(a)).code, 0);
        assert.deepEqual(await gitReaches(a), { app: false, tool: false });
        assert.deepEqual(homeConfig(a), before, "the shared HOME's config never touched");
        await assertNothingLeft(a.dir, b.dir);
      });
    });
  });

  test("with git older than 2.31: both include into the shared global config, each post removes only its own", {
    skip: !gitShimSupported,
  }, async () => {
    await withJobs([{ pathPrepend: [oldGit.binDir] }], async (a) => {
      const shared = { gitconfig: undefined, env: { HOME: a.home }, pathPrepend: [oldGit.binDir] };
      await withJobs([shared], async (b) => {
        const mainA = await runMain(a, appOnly());
        const mainB = await runMain(b, toolOnly());
        assert.equal(mainA.code + mainB.code, 0, mainB.stdout);
        assert.deepEqual(
          Object.keys(mainA.exported),
          ["CARGO_NET_GIT_FETCH_WITH_CLI"],
          "no include to export before git 2.31",
        );
        assert.match(mainA.stdout, /included from .*\.gitconfig/);
        // The limit of an old git: one global config, so each job sees both credentials.
        assert.deepEqual(await gitReaches(a), { app: true, tool: true });
        assert.equal((await runPost(a)).code, 0);
        assert.deepEqual(await gitReaches(b), { app: false, tool: true }, "A's post left B's");
        assert.equal((await runPost(b)).code, 0);
        assert.equal(readFileSync(gitconfig(a), "utf8"), USER_CONFIG, "byte for byte as before");
        assert.deepEqual([...credentialFiles(a.runnerTemp), ...credentialFiles(b.runnerTemp)], []);
        await assertNothingLeft(a.dir, b.dir);
      });
    });
  });
});

describe("what a crashed job leaves in HOME", { concurrency: true }, () => {
  /** A job that ran main with an old git (an include in HOME) and died before its post. */
  async function crashed(home: string): Promise<string> {
    let block = "";
    await withJobs(
      [{ gitconfig: undefined, env: { HOME: home }, pathPrepend: [oldGit.binDir] }],
      async (job) => {
        const main = await runMain(job, asBob());
        assert.equal(main.code, 0, main.stdout);
        block = readFileSync(join(home, ".gitconfig"), "utf8").slice(USER_CONFIG.length);
      },
    ); // closing the job deletes its RUNNER_TEMP, as the runner does
    return block;
  }

  test("git ≥ 2.31: the action leaves the dead include alone and still works", {
    skip: !gitShimSupported,
  }, async () => {
    await withJobs([{}], async (job) => {
      const leftover = await crashed(job.home);
      assert.match(leftover, /# bitbucket-api-token-auth [0-9a-f]+ begin/);
      const before = homeConfig(job);
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0, main.stdout);
      assert.deepEqual(await gitReaches(job), { app: true, tool: false });
      assert.equal((await runPost(job)).code, 0);
      assert.deepEqual(homeConfig(job), before, "HOME untouched, the inert leftover too");
    });
  });

  test("an older git: the dead include is provably ours and dead, so main sweeps it", {
    skip: !gitShimSupported,
  }, async () => {
    await withJobs([{ pathPrepend: [oldGit.binDir] }], async (job) => {
      await crashed(job.home);
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0, main.stdout);
      assert.deepEqual(level(main, "warning"), [], "a dead credential is no earlier credential");
      assert.equal((readFileSync(gitconfig(job), "utf8").match(/ begin/g) ?? []).length, 1);
      assert.equal((await runPost(job)).code, 0);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      await assertNothingLeft(job.dir);
    });
  });
});

describe("post after main stopped half-way", { concurrency: true }, () => {
  test("main killed after writing (state saved, not configured): post removes what is there", async () => {
    await withJobs([{}], async (job) => {
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0);
      const { configured, ...state } = main.savedState;
      assert.equal(configured, "true");
      const post = await runPost(job, { state });
      assert.equal(post.code, 0);
      assert.deepEqual([...level(post, "error"), ...level(post, "warning")], []);
      assert.match(post.stdout, /Cleaned up/);
      assert.deepEqual(credentialFiles(job.runnerTemp), []);
      await assertNothingLeft(job.dir);
    });
  });

  test("state has the credential id, nothing was written", async () => {
    await withJobs([{}], async (job) => {
      const post = await runPost(job, {
        inputs: asAlice(),
        state: { "credential-id": "0123456789abcdef" },
      });
      assert.equal(post.code, 0);
      assert.deepEqual([...level(post, "error"), ...level(post, "warning")], []);
      assert.match(post.stdout, /Nothing to clean up: main stopped before configuring git/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
    });
  });

  test("a global config git cannot read: main fails naming it, before writing anything", async () => {
    await withJobs([{}], async (job) => {
      const env = { GIT_CONFIG_GLOBAL: join(job.home, "a-directory") };
      mkdirSync(env.GIT_CONFIG_GLOBAL);
      const main = await runMain(job, asAlice(), { env });
      assert.equal(main.code, 1);
      assert.match(
        level(main, "error").join("\n"),
        /git cannot read its configuration: .*a-directory/,
      );
      assert.doesNotMatch(main.stdout + main.stderr, /^\s+at .+:\d+:\d+\)?$/m);
      assert.equal(main.savedState["credential-id"], undefined, "nothing to remember");
      assert.deepEqual(
        readdirSync(job.runnerTemp).filter((n) => n.startsWith(PREFIX)),
        [],
      );
      const post = await runPost(job, { env });
      assert.equal(post.code, 0, "post never fails");
      assert.deepEqual(level(post, "error"), []);
    });
  });

  test("a real main that fails before writing (RUNNER_TEMP inside the workspace)", async () => {
    await withJobs([{}], async (job) => {
      const env = { RUNNER_TEMP: join(job.workspace, "tmp") };
      mkdirSync(env.RUNNER_TEMP);
      const main = await runMain(job, asAlice(), { env });
      assert.equal(main.code, 1);
      assert.match(level(main, "error").join("\n"), /inside the workspace/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
      assert.deepEqual(readdirSync(env.RUNNER_TEMP), []);
      const post = await runPost(job, { env });
      assert.equal(post.code, 0);
      assert.deepEqual(level(post, "error"), []);
    });
  });
});

describe("post in odd places", { concurrency: true }, () => {
  test("RUNNER_TEMP already emptied: says so, never fails; HOME untouched", async () => {
    await withJobs([{}], async (job) => {
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0);
      rmSync(job.runnerTemp, { recursive: true, force: true });
      mkdirSync(job.runnerTemp);
      const post = await runPost(job);
      assert.equal(post.code, 0);
      assert.deepEqual([...level(post, "error"), ...level(post, "warning")], []);
      assert.match(post.stdout, /already gone: removed by hand, or RUNNER_TEMP was emptied/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
    });
  });

  test("with an older git, RUNNER_TEMP emptied early: warns, and the include goes from HOME", {
    skip: !gitShimSupported,
  }, async () => {
    await withJobs([{ pathPrepend: [oldGit.binDir] }], async (job) => {
      assert.equal((await runMain(job, asAlice())).code, 0);
      rmSync(job.runnerTemp, { recursive: true, force: true });
      mkdirSync(job.runnerTemp);
      const post = await runPost(job);
      assert.equal(post.code, 0);
      const warnings = level(post, "warning");
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0], /already deleted \(RUNNER_TEMP emptied/);
      assert.equal(readFileSync(gitconfig(job), "utf8"), USER_CONFIG);
    });
  });

  test("post run twice: the second finds nothing and does not fail", async () => {
    await withJobs([{}], async (job) => {
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
      const write = await runGit(job, ["config", "--global", "user.name", "Later"]);
      assert.equal(write.code, 0, write.stderr);
      await assertNothingLeft(job.dir);
    });
  });

  test("where the credential file is not (a Docker container action, or after post): git ignores the include", async () => {
    await withJobs([{}], async (job) => {
      const main = await runMain(job, asAlice());
      assert.equal(main.code, 0);
      // A container action gets the exported variables, not RUNNER_TEMP: the path is missing.
      const container = { GIT_CONFIG_VALUE_0: "/home/runner/work/_temp/not-in-this-container" };
      const add = ["config", "--global", "--add", "safe.directory", "/github/workspace"];
      const write = await runGit(job, add, { env: container });
      assert.equal(write.code, 0, write.stderr);
      assert.equal((await runGit(job, ["config", "--list"], { env: container })).code, 0);
      assert.equal((await runPost(job)).code, 0);
      assert.equal((await runGit(job, ["config", "--list"])).code, 0, "after post too");
      assert.equal(
        readFileSync(gitconfig(job), "utf8"),
        `${USER_CONFIG}[safe]\n\tdirectory = /github/workspace\n`,
        "global writes go where they always went",
      );
    });
  });
});
