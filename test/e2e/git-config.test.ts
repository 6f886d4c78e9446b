/**
 * The command's edits of the global git config (Pipelines steps and terminals, where the global
 * config is the right place) against what real machines have: a shared /tmp where another user
 * got there first, a temp dir reached through a link, a config held by git's lock, a linked or
 * dangling ~/.gitconfig, GIT_CONFIG_GLOBAL changing between setup and cleanup or naming
 * /dev/null, and steps of self-hosted runners sharing HOME and /tmp. Real git throughout.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { newShell, runIn, type Shell, show } from "../harness/command.ts";
import { newJob, runGit, runMain, runPost } from "../harness/runner.ts";

const USER_CONFIG = "[user]\n\tname = Dev\n";
const PREFIX = "bitbucket-api-token-auth-";
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

const flags = () => [`--api-url=${bb.apiUrl}`, `--git-url=${bb.gitUrl}`, "--repositories=acme/app"];
const setup = (shell: Shell, env: Record<string, string> = {}) =>
  runIn(shell, "bitbucket-auth", ["setup", ...flags()], { env });
const cleanup = (shell: Shell, env: Record<string, string> = {}) =>
  runIn(shell, "bitbucket-auth", ["cleanup"], { env });
const reaches = async (shell: Shell, env: Record<string, string> = {}) =>
  (await runIn(shell, "git", ["ls-remote", `${bb.gitUrl}/acme/app.git`], { env })).code === 0;
const ours = (dir: string) => readdirSync(dir).filter((name) => name.startsWith(PREFIX));

async function withShell(
  fn: (shell: Shell) => Promise<void>,
  gitconfig: string | null = USER_CONFIG,
  env: Record<string, string> = {},
): Promise<void> {
  const shell = await newShell(
    { BITBUCKET_API_TOKEN: token, BITBUCKET_EMAIL: alice.email, ...env },
    gitconfig ?? undefined,
  );
  try {
    await fn(shell);
  } finally {
    await shell.close();
  }
}

describe("where the credential goes", { concurrency: true }, () => {
  test("a shared TMPDIR where another user made bitbucket-api-token-auth first: never used", async () => {
    await withShell(async (shell) => {
      // The old fixed name, made first: by another user (when we are root), open to everyone,
      // or as a link to a place of someone else's choosing.
      const theirs = join(shell.tmp, "bitbucket-api-token-auth");
      mkdirSync(theirs, { mode: 0o777 });
      chmodSync(theirs, 0o777);
      if (process.getuid?.() === 0) chownSync(theirs, 65534, 65534);
      const target = join(shell.dir, "attacker");
      mkdirSync(target);
      symlinkSync(target, join(shell.tmp, `${PREFIX}0000000000000000`));

      const run = await setup(shell);
      assert.equal(run.code, 0, show(run));
      assert.deepEqual(readdirSync(theirs), [], "nothing written into their directory");
      assert.deepEqual(readdirSync(target), [], "nor through their link");
      const [dir] = ours(shell.tmp).filter((name) => !name.endsWith("0000000000000000"));
      const stat = lstatSync(join(shell.tmp, dir));
      assert.ok(stat.isDirectory() && (stat.mode & 0o777) === 0o700);
      assert.equal(stat.uid, process.getuid?.());
      assert.equal((await cleanup(shell)).code, 0);
      assert.ok(
        lstatSync(join(shell.tmp, `${PREFIX}0000000000000000`)).isSymbolicLink(),
        "their link left alone",
      );
      assert.equal(readFileSync(join(shell.home, ".gitconfig"), "utf8"), USER_CONFIG);
    });
  });

  test("a TMPDIR that is a link into the clone directory is inside it", async () => {
    await withShell(async (shell) => {
      const clone = join(shell.dir, "build");
      mkdirSync(join(clone, ".cache"), { recursive: true });
      const link = join(shell.dir, "tmp-link");
      symlinkSync(join(clone, ".cache"), link);
      const run = await setup(shell, { TMPDIR: link, BITBUCKET_CLONE_DIR: clone });
      assert.equal(run.code, 2, show(run));
      assert.match(run.stdout, /is inside the workspace .*must live outside it/);
      assert.deepEqual(readdirSync(join(clone, ".cache")), []);
      assert.equal(readFileSync(join(shell.home, ".gitconfig"), "utf8"), USER_CONFIG);
    });
  });
});

describe("the global config, as git keeps it", { concurrency: true }, () => {
  test("held by git's lock: an error naming the file; nothing changed, nothing left", async () => {
    await withShell(async (shell) => {
      const config = join(shell.home, ".gitconfig");
      writeFileSync(`${config}.lock`, "");
      const run = await setup(shell);
      assert.equal(run.code, 2, show(run));
      assert.match(
        run.stdout,
        /The git config .*\.gitconfig is locked \(.*\.gitconfig\.lock exists\)/,
      );
      assert.equal(readFileSync(config, "utf8"), USER_CONFIG);
      assert.ok(existsSync(`${config}.lock`), "not ours to remove");
      assert.deepEqual(ours(shell.tmp), [], "rolled back");
    });
  });

  test("a linked ~/.gitconfig is edited where it points; a dangling link stays a dangling link", async () => {
    await withShell(async (shell) => {
      const config = join(shell.home, ".gitconfig");
      const real = join(shell.dir, "dotfiles-gitconfig");
      writeFileSync(real, USER_CONFIG);
      symlinkSync(real, config);
      assert.equal((await setup(shell)).code, 0);
      assert.ok(lstatSync(config).isSymbolicLink());
      assert.ok(await reaches(shell));
      assert.equal((await cleanup(shell)).code, 0);
      assert.equal(readFileSync(real, "utf8"), USER_CONFIG);
    }, null);
    await withShell(async (shell) => {
      const config = join(shell.home, ".gitconfig");
      const nowhere = join(shell.dir, "not-there-yet");
      symlinkSync(nowhere, config);
      const run = await setup(shell);
      assert.equal(run.code, 0, show(run));
      assert.ok(existsSync(nowhere), "git's rule: the link's target is created");
      assert.equal((await cleanup(shell)).code, 0);
      assert.ok(lstatSync(config).isSymbolicLink(), "not replaced by a file");
      assert.equal(readlinkSync(config), nowhere);
      assert.ok(!existsSync(nowhere));
    }, null);
  });

  test("GIT_CONFIG_GLOBAL changed between setup and cleanup: cleanup still finds what setup wrote", async () => {
    await withShell(async (shell) => {
      const elsewhere = join(shell.dir, "ci.gitconfig");
      writeFileSync(elsewhere, "[core]\n\tautocrlf = input\n");
      const env = { GIT_CONFIG_GLOBAL: elsewhere };
      assert.equal((await setup(shell, env)).code, 0);
      assert.ok(await reaches(shell, env));
      const run = await cleanup(shell); // GIT_CONFIG_GLOBAL no longer set
      assert.equal(run.code, 0, show(run));
      assert.equal(readFileSync(elsewhere, "utf8"), "[core]\n\tautocrlf = input\n");
      assert.deepEqual(ours(shell.tmp), []);
      assert.equal(readFileSync(join(shell.home, ".gitconfig"), "utf8"), USER_CONFIG);
    });
  });

  test("GIT_CONFIG_GLOBAL=/dev/null: the command says it cannot include there; the action still works", async () => {
    await withShell(async (shell) => {
      const run = await setup(shell, { GIT_CONFIG_GLOBAL: "/dev/null" });
      assert.equal(run.code, 2, show(run));
      assert.match(run.stdout, /The global git config \/dev\/null is not a regular file/);
      assert.deepEqual(ours(shell.tmp), []);
    });
    const job = await newJob({ env: { GIT_CONFIG_GLOBAL: "/dev/null" } });
    try {
      const main = await runMain(job, {
        email: alice.email,
        "api-token": token,
        "api-url": bb.apiUrl,
        "git-url": bb.gitUrl,
      });
      assert.equal(main.code, 0, main.stdout);
      assert.equal(main.exported.GIT_CONFIG_COUNT, "1", "included through the environment");
      assert.equal((await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`])).code, 0);
      assert.equal((await runPost(job)).code, 0);
    } finally {
      await job.close();
    }
  });
});

describe("leftovers: swept only when provably ours and dead", { concurrency: true }, () => {
  test("two Pipelines steps sharing HOME and /tmp: each cleanup takes its own; a dead one is swept", async () => {
    await withShell(async (shell) => {
      const step = (uuid: string) => ({ BITBUCKET_STEP_UUID: uuid });
      assert.equal((await setup(shell, step("{a}"))).code, 0);
      assert.equal((await setup(shell, step("{b}"))).code, 0);
      const config = join(shell.home, ".gitconfig");
      const blocks = () => (readFileSync(config, "utf8").match(/ begin/g) ?? []).length;
      assert.equal(blocks(), 2);

      assert.equal((await cleanup(shell, step("{a}"))).code, 0);
      assert.equal(blocks(), 1, "step b's credential stays while b runs");
      assert.ok(await reaches(shell), "and still works for it");

      // A crashed step whose temp files are gone: its include is provably dead.
      const [dir] = ours(shell.tmp);
      const deadDir = join(shell.dir, "moved-away");
      renameSync(join(shell.tmp, dir), deadDir);
      assert.equal((await setup(shell, step("{c}"))).code, 0);
      assert.equal(blocks(), 1, "the dead include swept by setup, c's added");
      assert.equal((await cleanup(shell, step("{c}"))).code, 0);
      assert.equal(readFileSync(config, "utf8"), USER_CONFIG);
    });
  });

  test("in a terminal, cleanup removes every credential setup made from this TMPDIR", async () => {
    await withShell(async (shell) => {
      assert.equal((await setup(shell)).code, 0);
      assert.equal((await setup(shell)).code, 0);
      assert.equal(ours(shell.tmp).length, 2);
      const run = await cleanup(shell);
      assert.equal(run.code, 0, show(run));
      assert.match(run.stdout, /Removed the git credentials/);
      assert.deepEqual(ours(shell.tmp), []);
      assert.equal(readFileSync(join(shell.home, ".gitconfig"), "utf8"), USER_CONFIG);
      assert.ok(!(await reaches(shell)));
    });
  });
});
