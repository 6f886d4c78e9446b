/**
 * One job in the bitbucket.org world (test/harness/bitbucket-org.ts), run by
 * test/e2e/clients.test.ts inside `unshare --net --mount`:
 *
 *   node world.ts <action|command> <report.json>
 *
 * The step runs in one mode (the action as the runner runs it; or `bitbucket-auth setup
 * --export` eval'd by bash, as a Pipelines script line does), then each client case as a later
 * step, then the post step or `bitbucket-auth cleanup`. The report holds one result per check:
 * the step, every case, and what cleanup left. Each case is also a leak check: no form of the
 * token in its output, in any argument list of any process it started (strace records every
 * execve), or in the workspace; after cleanup, nowhere on the job's disk.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SCOPES } from "../../emulator/demo-world.ts";
import { type BitbucketOrg, enterBitbucketOrg } from "../../harness/bitbucket-org.ts";
import { CLI, newShell, runIn } from "../../harness/command.ts";
import {
  findLeaks,
  type LeakHit,
  labelledSecretForms,
  type Place,
  scanTree,
} from "../../harness/leaks.ts";
import { gitEnv, newJob, runMain, runPost } from "../../harness/runner.ts";
import {
  addDependencies,
  CASES,
  CLEANUP,
  type Report,
  type RunOptions,
  STEP,
  type Step,
} from "./cases.ts";

/** What a mode hands the cases, and how it ends. */
interface Mode {
  /** The environment of every later step. */
  env: Record<string, string>;
  home: string;
  workspace: string;
  /** The job's whole disk: home, temp directories, workspace. */
  root: string;
  /** Variables the step added for later steps, with where they came from. */
  exported: Place[];
  /** Removes the credential (post step or cleanup); returns its output. */
  cleanup(): Promise<string>;
  close(): Promise<void>;
}

const [modeName, reportFile] = process.argv.slice(2);
const report: Report = {};
let world: BitbucketOrg | undefined;
let forms: ReturnType<typeof labelledSecretForms> = [];

/** Records a check; a failure is kept (scrubbed), never thrown. */
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await fn();
    report[name] = { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    report[name] = { ok: false, error: scrub(text), ms: Math.round(performance.now() - started) };
  }
}

const scrub = (text: string) =>
  forms.reduce((t, form) => t.split(form.value).join(`[${form.label}]`), text);

function assertNoLeaks(places: Place[]): void {
  const hits: LeakHit[] = findLeaks(forms, places);
  assert.deepEqual(
    hits.map((h) => `${h.label} in ${h.place}`),
    [],
    "a form of the token where it must never be",
  );
}

interface Credentials {
  email: string;
  token: string;
  repositories: string[];
}

async function runCase(mode: Mode, name: string, fn: (step: Step) => Promise<void>) {
  const dir = join(mode.workspace, name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
  mkdirSync(dir, { recursive: true });
  const places: Place[] = [];
  const step: Step = {
    dir,
    home: mode.home,
    env: mode.env,
    bb: (world as BitbucketOrg).bb,
    async run(file, args, opts = {}) {
      const ran = await record(file, args, opts);
      if (ran.code !== 0)
        throw new Error(
          `${file} ${args.join(" ")} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`,
        );
      return ran.stdout;
    },
    async fail(file, args, opts = {}) {
      const ran = await record(file, args, opts);
      assert.notEqual(ran.code, 0, `${file} ${args.join(" ")} was expected to fail\n${ran.stdout}`);
      return ran.stdout + ran.stderr;
    },
  };
  async function record(file: string, args: string[], opts: RunOptions) {
    const ran = await traced(mode, file, args, { cwd: opts.cwd ?? dir, env: opts.env });
    if (/^strace: Can't stat/m.test(ran.stderr))
      throw new Error(`${file} is not installed here: scripts/test-tools.sh installs it`);
    places.push(
      { name: `${file}'s argument lists (and its children's)`, text: ran.argv },
      { name: `${file}'s output`, text: ran.stdout + ran.stderr },
    );
    return ran;
  }
  try {
    await fn(step);
  } finally {
    assertNoLeaks([...places, ...(await scanTree(mode.workspace))]);
  }
}

let traces = 0;
/** `file args` as a later step, every execve of it and its children recorded by strace. */
function traced(
  mode: Mode,
  file: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string; argv: string }> {
  const log = join((world as BitbucketOrg).dir, `execve-${traces++}.log`);
  const strace = ["-f", "-qq", "-e", "trace=execve", "-s", "65536", "-o", log, "--", file, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn("strace", strace, {
      cwd: opts.cwd ?? mode.workspace,
      env: { ...mode.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const argv = existsSync(log) ? readFileSync(log, "utf8") : "";
      rmSync(log, { force: true });
      resolve({ code: code ?? -1, stdout, stderr, argv });
    });
  });
}

/** The action as the runner runs it; later steps get the job's environment plus its exports. */
async function actionMode(w: BitbucketOrg, c: Credentials): Promise<Mode> {
  // A job that has a private module host of its own already: the step adds to it.
  const job = await newJob({
    env: { NODE_EXTRA_CA_CERTS: w.ca, GOPRIVATE: "example.com/mine", ...passOn() },
  });
  const main = await runMain(job, {
    email: c.email,
    "api-token": c.token,
    repositories: c.repositories.join(" "),
    "rewrite-ssh-urls": "true",
    "credential-files": "netrc composer",
  });
  // `::add-mask::` lines are how the runner learns the secret; nothing else may carry it.
  const log = `${main.stdout}\n${main.stderr}`
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"));
  assertNoLeaks([{ name: "the action's log", text: log.join("\n") }]);
  assert.equal(main.code, 0, `the action failed:\n${main.stdout}\n${main.stderr}`);
  assert.equal(main.exported.GOPRIVATE, "example.com/mine,bitbucket.org/acme");
  assert.equal(main.exported.CARGO_NET_GIT_FETCH_WITH_CLI, "true");
  return {
    env: gitEnv(job),
    home: job.home,
    workspace: job.workspace,
    root: job.dir,
    exported: [{ name: "GITHUB_ENV", text: JSON.stringify(main.exported) }],
    async cleanup() {
      const post = await runPost(job);
      assert.equal(post.code, 0, `the post step failed:\n${post.stdout}\n${post.stderr}`);
      return post.stdout + post.stderr;
    },
    close: () => job.close(),
  };
}

/** `eval "$(bitbucket-auth setup --export …)"` in bash, as a Pipelines script line. */
async function commandMode(w: BitbucketOrg, c: Credentials): Promise<Mode> {
  const shell = await newShell({ NODE_EXTRA_CA_CERTS: w.ca, ...passOn() });
  const workspace = join(shell.dir, "build");
  mkdirSync(workspace);
  const bitbucketAuth = `"${process.execPath}" "${CLI}"`;
  const script = `eval "$(${bitbucketAuth} setup --export --repositories "$REPOS" --rewrite-ssh-urls --credential-files netrc,composer)" && env -0`;
  const before = { ...shell.env, BITBUCKET_EMAIL: c.email, REPOS: c.repositories.join(" ") };
  const ran = await runIn(shell, "bash", ["-c", script], {
    cwd: workspace,
    env: { ...before, BITBUCKET_API_TOKEN: c.token },
  });
  assertNoLeaks([{ name: "setup's output", text: ran.stdout.split("\0").pop() + ran.stderr }]);
  assert.equal(ran.code, 0, `setup failed:\n${ran.stderr}`);
  const env = Object.fromEntries(
    ran.stdout
      .split("\0")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  assert.equal(env.GOPRIVATE, "bitbucket.org/acme", "Go had no GOPRIVATE: the step sets one");
  assert.equal(env.CARGO_NET_GIT_FETCH_WITH_CLI, "true");
  // Clients work through what setup set up, not because the token is in their environment.
  delete env.BITBUCKET_API_TOKEN;
  const added = Object.entries(env).filter(
    ([name, value]) =>
      (before as Record<string, string>)[name] !== value &&
      name !== "_" &&
      name !== "SHLVL" &&
      name !== "PWD",
  );
  return {
    env,
    home: shell.home,
    workspace,
    root: shell.dir,
    exported: [{ name: "setup --export", text: JSON.stringify(Object.fromEntries(added)) }],
    async cleanup() {
      const done = await runIn(shell, "bitbucket-auth", ["cleanup"], { cwd: workspace, env });
      assert.equal(done.code, 0, `cleanup failed:\n${done.stdout}\n${done.stderr}`);
      return done.stdout + done.stderr;
    },
    close: () => shell.close(),
  };
}

/** What the machine's own toolchains need from the real environment (rustup's cargo). */
function passOn(): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ["RUSTUP_HOME", "RUSTUP_TOOLCHAIN"])
    if (process.env[name]) kept[name] = process.env[name] as string;
  if (!kept.RUSTUP_HOME && process.env.HOME && existsSync(join(process.env.HOME, ".rustup")))
    kept.RUSTUP_HOME = join(process.env.HOME, ".rustup");
  return kept;
}

async function main(): Promise<void> {
  try {
    world = await enterBitbucketOrg();
    const { bb } = world;
    const alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
    const repositories = addDependencies(bb);
    bb.grant(alice, "acme", "write");
    const token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
    forms = labelledSecretForms(token, [alice.email, "x-bitbucket-api-token-auth", "alice"]);

    let mode: Mode | undefined;
    await check(STEP, async () => {
      mode = await (modeName === "action" ? actionMode : commandMode)(world as BitbucketOrg, {
        email: alice.email,
        token,
        repositories,
      });
      assertNoLeaks(mode.exported);
      // The argument-list check can fail: a grandchild's arguments reach the record.
      const marker = `marker-${process.pid}-${Date.now()}`;
      const ran = await traced(mode, "sh", ["-c", `sh -c 'true ${marker}'; true`], {});
      assert.match(ran.argv, new RegExp(marker), "strace records every process's argument list");
    });
    if (mode) {
      const m = mode;
      for (const c of CASES) await check(c.name, () => runCase(m, c.name, c.run));
      await check(CLEANUP, async () => {
        const output = await m.cleanup();
        assertNoLeaks([{ name: "cleanup's output", text: output }]);
        for (const file of [m.env.NETRC, m.env.COMPOSER_HOME])
          if (file) assert.equal(existsSync(file), false, `${file} is gone`);
        const after = await traced(
          m,
          "git",
          ["ls-remote", "https://bitbucket.org/acme/lib.git"],
          {},
        );
        assert.notEqual(after.code, 0, "git has no credential for bitbucket.org any more");
        assertNoLeaks(await scanTree(m.root));
      });
      await m.close();
    }
  } catch (error) {
    report["the world"] = {
      ok: false,
      error: scrub(String((error as Error)?.stack ?? error)),
      ms: 0,
    };
  } finally {
    writeFileSync(reportFile, JSON.stringify(report, null, 2));
    await world?.close();
  }
}

await main();
