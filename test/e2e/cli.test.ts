/**
 * The bundled command (dist/cli.js) and pipe entry point (dist/pipe.js) run as processes, each
 * with an isolated HOME, TMPDIR and an explicit environment (nothing inherited but PATH), against
 * the Bitbucket emulator and real git: the scenarios of action.test.ts, as a terminal or a
 * Bitbucket Pipelines step sees them. Every output and every file left under HOME, the clone
 * directory and the output-variables file is searched for every form of every token issued.
 *
 * With BITBUCKET_AUTH_EXECUTABLE naming a single executable (`npm run build:binary`; run by
 * test/e2e/binary.test.ts), every scenario runs that executable instead of `node dist/cli.js`,
 * with no `node` on the PATH of anything the scenarios start, as in a step image without Node.
 * The pipe's scenarios run dist/pipe.js in its own image and are skipped then.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { useColor } from "../../src/cli/io.ts";
import { PIPE_VARIABLES, pipeInputs } from "../../src/cli/pipe.ts";
import { DEFAULTS, type InputName, rawInputs, type Source } from "../../src/core/inputs/names.ts";
import { problem, render } from "../../src/core/messages/index.ts";
import { rendererFor } from "../../src/core/render/renderer.ts";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { labelledSecretForms, type Place, type SecretForm, scanTree } from "../harness/leaks.ts";
import { newJob, REPO_ROOT } from "../harness/runner.ts";

const CLI = join(REPO_ROOT, "dist", "cli.js");
/** A single executable to test instead of dist/cli.js (see the top of this file). */
const EXECUTABLE = process.env.BITBUCKET_AUTH_EXECUTABLE
  ? resolve(REPO_ROOT, process.env.BITBUCKET_AUTH_EXECUTABLE)
  : undefined;
/** `bitbucket-auth`, as a command line: this Node running dist/cli.js, or the executable. */
const COMMAND: readonly string[] = EXECUTABLE ? [EXECUTABLE] : [process.execPath, CLI];
/** The PATH of every process a scenario starts. */
const PATH = EXECUTABLE ? pathWithoutNode() : (process.env.PATH ?? "/usr/bin:/bin");
/** Each credential has a directory of its own under TMPDIR: bitbucket-api-token-auth-<id>/. */
const CREDENTIAL_DIR = "bitbucket-api-token-auth-";
const DAY_MS = 86_400_000;
const ESC = "\u001b[";

let bb: Bitbucket;
let alice: Account;
let token: string;

/** Every token issued, and everything any process printed or left behind, for the leak checks. */
const secrets: SecretForm[] = [];
const seen: Place[] = [];

function remember(secret: string): string {
  const users = [alice.email, alice.username, "x-bitbucket-api-token-auth", "x-token-auth"];
  secrets.push(...labelledSecretForms(secret, users));
  return secret;
}

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({
    email: "alice@example.com",
    username: "alice",
    displayName: "Alice Example",
  });
  bb.addRepository("acme/lib");
  bb.addRepository("acme/app", { submodule: "acme/lib" });
  bb.addRepository("acme/tools");
  bb.addRepository("acme/readonly");
  bb.addRepository("other/secret");
  bb.addRepository("acme/common-lib"); // examples/maven-pipelines.yml
  bb.addRepository("acme/platform", { submodule: "acme/common-lib" });
  bb.grant(alice, "acme/app", "write");
  bb.grant(alice, "acme/lib", "write");
  bb.grant(alice, "acme/tools", "write");
  bb.grant(alice, "acme/readonly", "read");
  bb.grant(alice, "acme/common-lib", "read");
  bb.grant(alice, "acme/platform", "read");
  token = remember(bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES }));
});
after(() => bb.close());

// ---------------------------------------------------------------------------
// A shell: temp HOME and TMPDIR, optionally a Bitbucket Pipelines step container.

interface Shell {
  dir: string;
  home: string;
  tmp: string;
  cloneDir?: string;
  variablesFile?: string;
  env: Record<string, string>;
  cwd: string;
  close(): Promise<void>;
}

interface ShellOptions {
  gitconfig?: string;
  pipelines?: boolean;
  /** Replaces the token variables (BITBUCKET_API_TOKEN, BITBUCKET_EMAIL). */
  tokenEnv?: Record<string, string>;
  env?: Record<string, string>;
}

async function newShell(opts: ShellOptions = {}): Promise<Shell> {
  const job = await newJob({ gitconfig: opts.gitconfig });
  const tmp = join(job.dir, "tmp");
  mkdirSync(tmp);
  const env: Record<string, string> = {
    PATH,
    HOME: job.home,
    TMPDIR: tmp,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    ...(opts.tokenEnv ?? { BITBUCKET_API_TOKEN: token, BITBUCKET_EMAIL: alice.email }),
  };
  const shell: Shell = {
    dir: job.dir,
    home: job.home,
    tmp,
    env,
    cwd: job.home,
    close: () => job.close(),
  };
  if (opts.pipelines) {
    // As in a step container: the build directory, and the agent's files outside it.
    shell.cloneDir = join(job.dir, "opt", "atlassian", "pipelines", "agent", "build");
    const agentTmp = join(job.dir, "opt", "atlassian", "pipelines", "agent", "tmp");
    mkdirSync(shell.cloneDir, { recursive: true });
    mkdirSync(agentTmp, { recursive: true });
    shell.variablesFile = join(agentTmp, "pipelinesVariables");
    shell.cwd = shell.cloneDir;
    Object.assign(env, pipelinesVariables(shell.cloneDir, shell.variablesFile));
  }
  Object.assign(env, opts.env ?? {});
  return shell;
}

/** The default variables of a Bitbucket Pipelines step building acme/app. */
function pipelinesVariables(cloneDir: string, variablesFile: string): Record<string, string> {
  return {
    CI: "true",
    BITBUCKET_BUILD_NUMBER: "42",
    BITBUCKET_CLONE_DIR: cloneDir,
    BITBUCKET_WORKSPACE: "acme",
    BITBUCKET_REPO_SLUG: "app",
    BITBUCKET_REPO_FULL_NAME: "acme/app",
    BITBUCKET_REPO_OWNER: "acme",
    BITBUCKET_REPO_UUID: "{0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9}",
    BITBUCKET_BRANCH: "main",
    BITBUCKET_COMMIT: "4f9d1c3ab2e8c07d6f5a4b3c2d1e0f9a8b7c6d5e",
    BITBUCKET_GIT_HTTP_ORIGIN: "http://bitbucket.org/acme/app",
    BITBUCKET_GIT_SSH_ORIGIN: "git@bitbucket.org:acme/app.git",
    BITBUCKET_PIPELINE_UUID: "{1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d}",
    BITBUCKET_STEP_UUID: "{9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}",
    BITBUCKET_PROJECT_KEY: "PROJ",
    BITBUCKET_PIPELINES_VARIABLES_PATH: variablesFile,
  };
}

async function withShell(opts: ShellOptions, fn: (shell: Shell) => Promise<void>): Promise<void> {
  const shell = await newShell(opts);
  try {
    await fn(shell);
    await scanShell(shell);
  } finally {
    await shell.close();
  }
}

/** Files a leak must never reach: HOME, the clone directory, the output-variables file. */
async function scanShell(shell: Shell): Promise<void> {
  const places = await scanTree(shell.home);
  if (shell.cloneDir) places.push(...(await scanTree(shell.cloneDir)));
  if (shell.variablesFile && existsSync(shell.variablesFile))
    places.push({ name: shell.variablesFile, text: readFileSync(shell.variablesFile, "utf8") });
  seen.push(...places);
  assertNoLeak(places);
}

function assertNoLeak(places: Place[]): void {
  const hits: string[] = [];
  for (const place of places)
    for (const form of secrets)
      if (place.text.includes(form.value)) hits.push(`${form.label} in ${place.name}`);
  assert.deepEqual(hits, [], "a form of a token was found");
}

// ---------------------------------------------------------------------------
// Processes

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function exec(
  command: string,
  args: string[],
  shell: Shell,
  opts: { stdin?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? shell.cwd,
      env: { ...shell.env, ...(opts.env ?? {}) },
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: Date.now() - started,
      };
      const label = `${command.split("/").pop()} ${args.slice(0, 2).join(" ")}`;
      const places = [
        { name: `${label} (stdout)`, text: result.stdout },
        { name: `${label} (stderr)`, text: result.stderr },
      ];
      seen.push(...places);
      try {
        assertNoLeak(places);
      } catch (error) {
        reject(error);
        return;
      }
      resolve(result);
    });
    if (opts.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(opts.stdin);
    }
  });
}

const emulatorFlags = () => [`--api-url=${bb.apiUrl}`, `--git-url=${bb.gitUrl}`];

/** `bitbucket-auth <args>` against the emulator (unless the args name other URLs). */
function cli(
  shell: Shell,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  const [command, ...rest] = args;
  const urls = rest.some((a) => a.startsWith("--api-url")) ? [] : emulatorFlags();
  const withUrls =
    command === "cleanup" || command?.startsWith("-") ? args : [command, ...urls, ...rest];
  return bitbucketAuth(shell, withUrls, opts);
}

/** `bitbucket-auth <args>` exactly as given. */
function bitbucketAuth(
  shell: Shell,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  const [command, ...rest] = COMMAND;
  return exec(command, [...rest, ...args], shell, opts);
}

const git = (shell: Shell, args: string[], cwd?: string) => exec("git", args, shell, { cwd });
const apiRequests = () => bb.requests.filter((r) => r.server === "api").length;
const gitconfigOf = (shell: Shell) => join(shell.home, ".gitconfig");
/** Every credential file setup left under TMPDIR (absolute paths). */
const credentialFiles = (shell: Shell) =>
  readdirSync(shell.tmp)
    .filter((name) => name.startsWith(CREDENTIAL_DIR))
    .flatMap((name) =>
      readdirSync(join(shell.tmp, name)).map((file) => join(shell.tmp, name, file)),
    )
    .filter((file) => file.endsWith("/credentials.gitconfig"));
const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------

describe("check", () => {
  test("a fit token: exit 0 and a readable report; nothing is written", async () => {
    await withShell({}, async (shell) => {
      const run = await cli(shell, ["check", "--repositories", "acme/app acme/lib"]);
      assert.equal(run.code, 0, show(run));
      assert.match(run.stdout, /^✔ The token is fit for use\.$/m);
      assert.match(run.stdout, /Account: +Alice Example \(alice, /);
      assert.match(
        run.stdout,
        /Token: +Atlassian API token \(git username x-bitbucket-api-token-auth\)/,
      );
      for (const scope of DEFAULT_SCOPES) assert.match(run.stdout, new RegExp(`✔ ${scope}`));
      assert.match(run.stdout, /acme\/app: read proven, write proven/);
      assert.match(run.stdout, /acme\/lib: read proven, write proven/);
      assert.match(run.stdout, /Expires: +unknown \(set --expires-at to be warned/);
      assert.ok(!run.stdout.includes(ESC) && !run.stderr.includes(ESC), "no colour off a TTY");
      assert.equal(run.stderr, "", "no spinner off a TTY");
      assert.ok(!existsSync(gitconfigOf(shell)), "check changes nothing");
      assert.deepEqual(credentialFiles(shell), []);
    });
  });

  test("the email comes from --email or BITBUCKET_EMAIL; --email wins", async () => {
    await withShell({}, async (shell) => {
      assert.equal((await cli(shell, ["check"])).code, 0);
      const wrongEnv = { BITBUCKET_EMAIL: "bob@example.com" };
      const overridden = await cli(shell, ["check", "--email", alice.email], { env: wrongEnv });
      assert.equal(overridden.code, 0, show(overridden));
      const wrong = await cli(shell, ["check"], { env: wrongEnv });
      assert.equal(wrong.code, 1, show(wrong));
      assert.match(wrong.stdout, /not the token of this email's account/);
      assert.match(
        wrong.stdout,
        /Check that BITBUCKET_EMAIL is the email/,
        "the variable it came from",
      );
    });
  });

  test("--token-stdin reads the token from standard input (a trailing newline is fine)", async () => {
    await withShell({ tokenEnv: { BITBUCKET_EMAIL: alice.email } }, async (shell) => {
      const run = await cli(shell, ["check", "--token-stdin"], { stdin: `${token}\n` });
      assert.equal(run.code, 0, show(run));
      const empty = await cli(shell, ["check", "--token-stdin"], { stdin: "" });
      assert.equal(empty.code, 2, show(empty));
      assert.match(empty.stderr, /The token on standard input is empty/);
      const none = await cli(shell, ["check"]);
      assert.equal(none.code, 2, show(none));
      assert.match(none.stderr, /BITBUCKET_API_TOKEN is empty or not set/);
    });
  });

  test("an access token: no email, git username x-token-auth", async () => {
    const access = remember(
      bb.issueAccessToken({ kind: "repository", target: "acme/app", scopes: ["repository:write"] }),
    );
    await withShell({ tokenEnv: { BITBUCKET_API_TOKEN: access } }, async (shell) => {
      const run = await cli(shell, ["check", "--repositories=acme/app"]);
      assert.equal(run.code, 0, show(run));
      assert.match(run.stdout, /repository access token \(git username x-token-auth\)/);
    });
  });

  test("a token expiring within --expiry-warning-days warns and passes", async () => {
    await withShell({}, async (shell) => {
      const run = await cli(shell, ["check", "--expires-at", isoDay(5)]);
      assert.equal(run.code, 0, show(run));
      assert.match(
        run.stdout,
        /⚠ The token expires on .*, in [45] days \(--expires-at\)\.\n.*set --expires-at/,
      );
    });
  });

  test("missing scopes: exit 1, every one named with what it is for", async () => {
    const narrow = remember(bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] }));
    await withShell(
      { tokenEnv: { BITBUCKET_API_TOKEN: narrow, BITBUCKET_EMAIL: alice.email } },
      async (shell) => {
        const run = await cli(shell, ["check", "--repositories=acme/app"]);
        assert.equal(run.code, 1, show(run));
        assert.match(run.stdout, /^✘ The token is not fit for use\.$/m);
        assert.match(run.stdout, /lacks 3 required scopes/);
        for (const scope of [
          "read:user:bitbucket",
          "read:workspace:bitbucket",
          "write:repository:bitbucket",
        ])
          assert.match(run.stdout, new RegExp(`✘ ${scope}  missing: `));
        assert.match(run.stdout, /to push to repositories/);
        assert.match(run.stdout, /remove them from --required-scopes/);
        assert.ok(!run.stdout.includes("`required-scopes`"), "flags, not action inputs");
      },
    );
  });

  test("a revoked token: exit 1 with the 401 explanation", async () => {
    const revoked = remember(bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES }));
    bb.revoke(revoked);
    await withShell(
      { tokenEnv: { BITBUCKET_API_TOKEN: revoked, BITBUCKET_EMAIL: alice.email } },
      async (shell) => {
        const run = await cli(shell, ["check"]);
        assert.equal(run.code, 1, show(run));
        assert.match(
          run.stdout,
          /rejected the token \(401\) for alice@example\.com: it is expired, revoked/,
        );
        // Nothing was learnt about scopes or repositories: no heading with nothing under it.
        assert.doesNotMatch(run.stdout, /Scopes:|Repositories:/);
        const fix = run.stdout.split("\n").find((line) => line.startsWith("  → ")) ?? "";
        const sentences = fix.split(/(?<=\.) /);
        assert.equal(new Set(sentences).size, sentences.length, "no sentence said twice");
      },
    );
  });

  test("a missing or forbidden repository is named", async () => {
    await withShell({}, async (shell) => {
      const run = await cli(shell, ["check", "--repositories", "acme/app,other/secret"]);
      assert.equal(run.code, 1, show(run));
      assert.match(run.stdout, /other\/secret: Bitbucket answered 404/);
      assert.match(run.stdout, /not a member of workspace other/);
      const readonly = await cli(shell, ["check", "--repositories", "acme/readonly"]);
      assert.equal(readonly.code, 1, show(readonly));
      assert.match(readonly.stdout, /acme\/readonly: the token's account may not push/);
    });
  });

  test("an app password: exit 1 at once, without a request", async () => {
    const appPassword = remember(bb.issueAppPassword(alice));
    await withShell(
      { tokenEnv: { BITBUCKET_API_TOKEN: appPassword, BITBUCKET_EMAIL: alice.email } },
      async (shell) => {
        bb.clearRequests();
        const run = await cli(shell, ["check"]);
        assert.equal(run.code, 1, show(run));
        assert.match(run.stderr, /BITBUCKET_API_TOKEN is a Bitbucket app password/);
        assert.match(run.stderr, /Create API token with scopes/);
        assert.equal(apiRequests(), 0);
      },
    );
  });

  test("an expiry date in the past: exit 1 without a request", async () => {
    await withShell({}, async (shell) => {
      bb.clearRequests();
      const run = await cli(shell, ["check", `--expires-at=${isoDay(-1)}`]);
      assert.equal(run.code, 1, show(run));
      assert.match(run.stderr, /The token expired on .* \(--expires-at\)/);
      assert.match(run.stderr, /set --expires-at to the new token's expiry date/);
      assert.equal(apiRequests(), 0);
    });
  });

  test("bad flags and usage: exit 2 before any request, naming the flag", async () => {
    await withShell({}, async (shell) => {
      bb.clearRequests();
      const cases: Array<[string[], RegExp]> = [
        [["check", "--email", "alice"], /--email \("alice"\) is not an email address/],
        [
          ["check", "--required-scopes", "read:repo"],
          /--required-scopes names an unknown scope: "read:repo" \(did you mean read:repository:bitbucket\?\)/,
        ],
        [
          ["check", "--repositories", "acme"],
          /--repositories has an entry that is not workspace\/repo-slug: "acme"/,
        ],
        [
          ["check", "--expires-at", "2026-02-30"],
          /--expires-at \("2026-02-30"\) is not a real calendar date/,
        ],
        [["check", "--retries", "eleven"], /--retries \("eleven"\) is not a whole number/],
        [
          ["check", "--api-url", "http://example.com/2.0"],
          /--api-url \("http:\/\/example\.com"\) does not use https/,
        ],
        [["check", "--no-such-flag"], /Unknown option "--no-such-flag"/],
        [["check", "--email"], /--email needs a value/],
        [["frobnicate"], /Unknown command "frobnicate": check, setup or cleanup/],
        [[], /A command is needed/],
        [["check", "extra"], /Unexpected argument "extra"/],
        [
          ["check", "--repositories", "acme/app", "acme/lib"],
          /Unexpected argument "acme\/lib" after --repositories[\s\S]*quote it, e\.g\. --repositories "acme\/app acme\/lib"/,
        ],
        [["check", "--rewrite-ssh-urls=yes"], /--rewrite-ssh-urls takes no value/],
      ];
      for (const [args, pattern] of cases) {
        const run = await bitbucketAuth(shell, args);
        assert.equal(run.code, 2, `${args.join(" ")}: ${show(run)}`);
        assert.match(run.stderr, pattern, args.join(" "));
        assert.equal(run.stdout, "");
      }
      assert.equal(apiRequests(), 0);
    });
  });

  test("the token is never a flag, and a token pasted as an argument is not echoed", async () => {
    await withShell({}, async (shell) => {
      for (const args of [
        ["check", `--token=${token}`],
        ["check", "--api-token", token],
        ["check", token],
        [token],
      ]) {
        const run = await bitbucketAuth(shell, args);
        assert.equal(run.code, 2, show(run));
        assert.match(run.stderr, /never a flag|not shown: it could be a secret/);
      }
    });
  });

  test("a token pasted as an option or as a flag's value is described, never echoed", async () => {
    await withShell({}, async (shell) => {
      for (const args of [
        ["check", `--${token}`],
        ["check", "--expires-at", token],
        ["check", `--email=${token}`],
        ["check", "--repositories", token],
        ["check", "--retries", token],
        ["check", "--api-url", token],
        ["setup", `--required-scopes=${token}`],
      ]) {
        const run = await exec(process.execPath, [CLI, ...args], shell);
        assert.equal(run.code, 2, show(run));
        assert.match(
          run.stderr,
          /(an option|a value) of \d+ characters, not shown: it could be a secret/,
        );
        assert.ok(!run.stderr.includes(token.slice(0, 24)), "not even the token's start");
      }
    });
  });

  test("a repository that does not exist is never reported as writable", async () => {
    await withShell({}, async (shell) => {
      const run = await cli(shell, ["check", "--repositories", "acme/nope"]);
      assert.equal(run.code, 1, show(run));
      assert.match(run.stdout, /acme\/nope: read not found, write not found/);
      assert.doesNotMatch(run.stdout, /proven/);
    });
  });

  test("Bitbucket out of reach: exit 3 quickly, and it is no verdict on the token", async () => {
    const closed = await freePort();
    const hanging = await hangingServer();
    try {
      await withShell({}, async (shell) => {
        const refused = await cli(shell, [
          "check",
          `--api-url=http://127.0.0.1:${closed}/2.0`,
          `--git-url=http://127.0.0.1:${closed}`,
          "--timeout-seconds",
          "2",
          "--retries",
          "0",
        ]);
        assert.equal(refused.code, 3, show(refused));
        assert.match(refused.stderr, /ECONNREFUSED.*not a verdict on the token/);
        assert.ok(refused.ms < 5_000, `took ${refused.ms} ms`);

        const silent = await cli(shell, [
          "check",
          `--api-url=http://127.0.0.1:${hanging.port}/2.0`,
          `--git-url=http://127.0.0.1:${hanging.port}`,
          "--timeout-seconds",
          "2",
          "--retries",
          "0",
        ]);
        assert.equal(silent.code, 3, show(silent));
        assert.match(silent.stderr, /no answer in time|did not answer in time/);
        assert.ok(silent.ms < 8_000, `took ${silent.ms} ms`);
      });
    } finally {
      await hanging.close();
    }
  });

  test("--help and --version", async () => {
    await withShell({}, async (shell) => {
      for (const flag of ["--help", "-h"]) {
        const help = await bitbucketAuth(shell, [flag]);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /^Usage: bitbucket-auth <check\|setup\|cleanup>/);
        assert.match(help.stdout, /BITBUCKET_API_TOKEN/);
        assert.match(help.stdout, /--token-stdin/);
        assert.match(help.stdout, /Exit codes: 0 .* 1 .* 2 .*\n3 .* 4 /);
        for (const input of Object.keys(DEFAULTS).filter(
          (name) => !["api-token", "configure-git", "cleanup"].includes(name),
        ))
          assert.ok(help.stdout.includes(`--${input}`), `--help documents --${input}`);
      }
      const version = await bitbucketAuth(shell, ["--version"]);
      const { version: expected } = JSON.parse(
        readFileSync(join(REPO_ROOT, "package.json"), "utf8"),
      );
      assert.equal(version.code, 0);
      assert.equal(version.stdout, `${expected}\n`);
      const checkHelp = await bitbucketAuth(shell, ["check", "--help"]);
      assert.equal(checkHelp.code, 0);
    });
  });
});

// ---------------------------------------------------------------------------

describe("setup and cleanup", () => {
  test("setup, then plain git clone (with a submodule) and push; cleanup leaves nothing", async () => {
    const before = "[user]\n\tname = Alice\n\temail = alice@example.com\n";
    await withShell({ gitconfig: before }, async (shell) => {
      const setup = await cli(shell, ["setup", "--repositories", "acme/app acme/lib"]);
      assert.equal(setup.code, 0, show(setup));
      assert.match(setup.stdout, /✔ The token is fit for use\./);
      assert.match(
        setup.stdout,
        /Git: +credentials configured for 127\.0\.0\.1:\d+ \(include in .*\.gitconfig\)/,
      );
      assert.match(setup.stdout, /bitbucket-auth cleanup/);

      // The credential: one 0600 file under TMPDIR, included from the global config.
      const files = credentialFiles(shell);
      assert.equal(files.length, 1);
      assert.equal(statSync(files[0]).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(files[0])).mode & 0o777, 0o700);
      const config = readFileSync(gitconfigOf(shell), "utf8");
      assert.ok(config.startsWith(before));
      assert.ok(config.includes(files[0]));

      const clone = await git(shell, [
        "clone",
        "--recurse-submodules",
        `${bb.gitUrl}/acme/app.git`,
        "app",
      ]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.ok(existsSync(join(shell.cwd, "app", "lib", "README.md")), "the submodule was cloned");
      const repo = join(shell.cwd, "app");
      await git(
        shell,
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
        repo,
      );
      const push = await git(shell, ["push", "origin", "HEAD:refs/heads/from-cli"], repo);
      assert.equal(push.code, 0, push.stderr);
      await scanShell(shell);

      const cleanup = await cli(shell, ["cleanup"]);
      assert.equal(cleanup.code, 0, show(cleanup));
      assert.match(cleanup.stdout, /Removed the git credentials: /);
      assert.equal(readFileSync(gitconfigOf(shell), "utf8"), before, "byte for byte as before");
      assert.deepEqual(credentialFiles(shell), [], "no credential file left");

      const denied = await git(shell, ["ls-remote", `${bb.gitUrl}/acme/app.git`]);
      assert.notEqual(denied.code, 0, "git no longer authenticates");
      assert.match(denied.stderr, /Authentication failed|could not read Username/);
      const fetch = await git(shell, ["fetch", "origin"], repo);
      assert.notEqual(fetch.code, 0, "not even in the clone");
    });
  });

  test("with no global git config, setup creates it and cleanup deletes it", async () => {
    await withShell({}, async (shell) => {
      const setup = await cli(shell, ["setup"]);
      assert.equal(setup.code, 0, show(setup));
      assert.ok(existsSync(gitconfigOf(shell)));
      assert.ok(!readFileSync(gitconfigOf(shell), "utf8").includes(token));
      const cleanup = await cli(shell, ["cleanup"]);
      assert.equal(cleanup.code, 0, show(cleanup));
      assert.ok(!existsSync(gitconfigOf(shell)), "the file setup created is gone");
      assert.deepEqual(credentialFiles(shell), []);
    });
  });

  test("cleanup twice, and cleanup without setup, exit 0 and change nothing", async () => {
    const gitconfig = "[core]\n\tautocrlf = input\n"; // no trailing blank line
    await withShell({ gitconfig }, async (shell) => {
      const never = await cli(shell, ["cleanup"]);
      assert.equal(never.code, 0, show(never));
      assert.match(never.stdout, /Nothing to clean up/);
      assert.equal(readFileSync(gitconfigOf(shell), "utf8"), gitconfig);

      assert.equal((await cli(shell, ["setup"])).code, 0);
      assert.equal((await cli(shell, ["cleanup"])).code, 0);
      const again = await cli(shell, ["cleanup"]);
      assert.equal(again.code, 0, show(again));
      assert.match(again.stdout, /Nothing to clean up/);
      assert.equal(readFileSync(gitconfigOf(shell), "utf8"), gitconfig);
    });
    // Without a token in the environment at all, as in an after-script of a fork's build.
    await withShell({ tokenEnv: {} }, async (shell) => {
      assert.equal((await cli(shell, ["cleanup"])).code, 0);
    });
  });

  test("a cleanup that cannot read the global git config fails loudly (exit 4)", async () => {
    await withShell({}, async (shell) => {
      const notAFile = join(shell.dir, "gitconfig-is-a-directory");
      mkdirSync(notAFile);
      const run = await cli(shell, ["cleanup"], { env: { GIT_CONFIG_GLOBAL: notAFile } });
      assert.equal(run.code, 4, show(run));
      assert.match(run.stderr, /Could not remove the git credentials/);
    });
  });

  test("setup twice: both stay configured, git sends the later one (a warning says so); cleanup removes both", async () => {
    const bob = bb.addAccount({ email: "bob@example.com", username: "bob" });
    bb.grant(bob, "other/secret", "write");
    const bobToken = bb.issueApiToken(bob, { scopes: DEFAULT_SCOPES });
    secrets.push(...labelledSecretForms(bobToken, [bob.email, "x-bitbucket-api-token-auth"]));
    const reaches = async (shell: Shell) => ({
      app: (await git(shell, ["ls-remote", `${bb.gitUrl}/acme/app.git`])).code === 0,
      secret: (await git(shell, ["ls-remote", `${bb.gitUrl}/other/secret.git`])).code === 0,
    });
    await withShell({}, async (shell) => {
      assert.equal((await cli(shell, ["setup"])).code, 0);
      assert.deepEqual(await reaches(shell), { app: true, secret: false });
      const again = await cli(shell, ["setup", "--repositories", "other/secret"], {
        env: { BITBUCKET_API_TOKEN: bobToken, BITBUCKET_EMAIL: bob.email },
      });
      assert.equal(again.code, 0, show(again));
      assert.match(
        again.stdout,
        /⚠ 1 earlier git credential\(s\) of this tool also cover http:\/\/127\.0\.0\.1:\d+\/: git now sends this one there/,
      );
      assert.equal(credentialFiles(shell).length, 2);
      assert.equal(readFileSync(gitconfigOf(shell), "utf8").match(/\[include\]/g)?.length, 2);
      assert.deepEqual(await reaches(shell), { app: false, secret: true }, "the later one wins");
      const cleanup = await cli(shell, ["cleanup"]);
      assert.equal(cleanup.code, 0, show(cleanup));
      assert.ok(!existsSync(gitconfigOf(shell)), "the file setup created is gone");
      assert.deepEqual(credentialFiles(shell), []);
      assert.deepEqual(await reaches(shell), { app: false, secret: false });
    });
  });

  test("setup with a token that is not fit configures nothing", async () => {
    const narrow = remember(bb.issueApiToken(alice, { scopes: ["read:user:bitbucket"] }));
    await withShell(
      { tokenEnv: { BITBUCKET_API_TOKEN: narrow, BITBUCKET_EMAIL: alice.email } },
      async (shell) => {
        const setup = await cli(shell, ["setup"]);
        assert.equal(setup.code, 1, show(setup));
        assert.ok(!existsSync(gitconfigOf(shell)));
        assert.deepEqual(credentialFiles(shell), []);
        assert.equal((await cli(shell, ["cleanup"])).code, 0);
      },
    );
  });

  test("--rewrite-ssh-urls sends git@ and ssh:// URLs of the git host over HTTPS", async () => {
    await withShell({}, async (shell) => {
      assert.equal((await cli(shell, ["setup", "--rewrite-ssh-urls"])).code, 0);
      const { hostname } = new URL(bb.gitUrl);
      for (const url of [`git@${hostname}:acme/app.git`, `ssh://git@${hostname}/acme/lib.git`]) {
        const ls = await git(shell, ["ls-remote", url]);
        assert.equal(ls.code, 0, `${url}: ${ls.stderr}`);
      }
      assert.equal((await cli(shell, ["cleanup"])).code, 0);
    });
  });
});

// ---------------------------------------------------------------------------

describe("Bitbucket Pipelines", () => {
  test("a step: the built repository is proven by default, output variables, setup, git, cleanup", async () => {
    await withShell({ pipelines: true }, async (shell) => {
      const cloneDir = shell.cloneDir as string;
      bb.clearRequests();
      const expiresAt = new Date(Date.now() + 60 * DAY_MS + 12 * 3_600_000).toISOString();
      const setup = await cli(shell, ["setup", "--expires-at", expiresAt]);
      assert.equal(setup.code, 0, show(setup));
      assert.match(setup.stdout, /acme\/app: read proven, write proven/);
      assert.ok(
        bb.requests.some((r) => r.server === "git" && r.url.startsWith("/acme/app.git/info/refs")),
        "the repository being built was proven",
      );
      assert.match(setup.stdout, /`bitbucket-auth cleanup` in after-script:/);
      assert.equal(
        readFileSync(shell.variablesFile as string, "utf8"),
        "BITBUCKET_AUTH_USERNAME=x-bitbucket-api-token-auth\nBITBUCKET_AUTH_EXPIRES_IN_DAYS=60\n",
      );

      // The credential lives outside the clone directory; only an include path is in HOME.
      const [file] = credentialFiles(shell);
      assert.ok(file);
      assert.ok(!file.startsWith(cloneDir));
      assert.deepEqual(readdirSync(cloneDir), [], "nothing written to the clone directory");

      // The step's script: two private repositories and one with a submodule, plain git.
      for (const [repo, extra] of [
        ["acme/app", ["--recurse-submodules"]],
        ["acme/lib", []],
        ["acme/tools", []],
      ] as const) {
        const clone = await git(shell, ["clone", ...extra, `${bb.gitUrl}/${repo}.git`]);
        assert.equal(clone.code, 0, `${repo}: ${clone.stderr}`);
      }
      assert.ok(existsSync(join(cloneDir, "app", "lib", "README.md")));
      await scanShell(shell);

      // after-script
      const cleanup = await cli(shell, ["cleanup"], { env: { BITBUCKET_EXIT_CODE: "0" } });
      assert.equal(cleanup.code, 0, show(cleanup));
      assert.ok(!existsSync(gitconfigOf(shell)));
      assert.deepEqual(credentialFiles(shell), []);
      const denied = await git(shell, ["ls-remote", `${bb.gitUrl}/acme/lib.git`]);
      assert.notEqual(denied.code, 0);
    });
  });

  test("check: output variables appended after what earlier commands wrote", async () => {
    await withShell({ pipelines: true }, async (shell) => {
      writeFileSync(shell.variablesFile as string, "VERSION=1.2.3"); // no final newline
      const run = await cli(shell, ["check"]);
      assert.equal(run.code, 0, show(run));
      assert.equal(
        readFileSync(shell.variablesFile as string, "utf8"),
        "VERSION=1.2.3\nBITBUCKET_AUTH_USERNAME=x-bitbucket-api-token-auth\n",
      );
    });
  });

  test("the default repository must be proven; --repositories replaces it; empty means none", async () => {
    await withShell(
      { pipelines: true, env: { BITBUCKET_REPO_FULL_NAME: "other/secret" } },
      async (shell) => {
        const failed = await cli(shell, ["check"]);
        assert.equal(failed.code, 1, show(failed));
        assert.match(failed.stdout, /other\/secret: Bitbucket answered 404/);
        assert.ok(
          !existsSync(shell.variablesFile as string),
          "no output variables for an unfit token",
        );

        const named = await cli(shell, ["check", "--repositories", "acme/lib"]);
        assert.equal(named.code, 0, show(named));
        assert.ok(!named.stdout.includes("other/secret"));

        bb.clearRequests();
        const none = await cli(shell, ["check", "--repositories="]);
        assert.equal(none.code, 0, show(none));
        assert.ok(!bb.requests.some((r) => r.url.includes("/repositories/")));
      },
    );
  });

  test("outside Pipelines nothing is defaulted and no variables file is written", async () => {
    await withShell({}, async (shell) => {
      const file = join(shell.dir, "variables");
      bb.clearRequests();
      const run = await cli(shell, ["check"], {
        env: { BITBUCKET_REPO_FULL_NAME: "other/secret", BITBUCKET_PIPELINES_VARIABLES_PATH: file },
      });
      assert.equal(run.code, 0, show(run));
      assert.ok(!bb.requests.some((r) => r.url.includes("/repositories/")));
      assert.ok(!existsSync(file));
    });
  });

  test("the credential file must not be inside the clone directory", async () => {
    await withShell({ pipelines: true }, async (shell) => {
      const inside = join(shell.cloneDir as string, ".tmp");
      mkdirSync(inside);
      const run = await cli(shell, ["setup"], { env: { TMPDIR: inside } });
      assert.equal(run.code, 2, show(run));
      assert.match(run.stdout, /must live outside it/);
      assert.ok(!existsSync(gitconfigOf(shell)));
      assert.deepEqual(readdirSync(inside), []);
    });
  });
});

// ---------------------------------------------------------------------------

describe("the pipe", {
  skip: EXECUTABLE !== undefined && "the pipe is dist/pipe.js in its image, not the executable",
}, () => {
  const pipeYml = () =>
    parseYaml(readFileSync(join(REPO_ROOT, "pipe", "pipe.yml"), "utf8")) as {
      name: string;
      image: string;
      variables: Array<{
        name: string;
        default?: unknown;
        required?: boolean;
        secret?: boolean;
        description?: string;
      }>;
      [key: string]: unknown;
    };

  /** What a pipe container gets: its image's PATH and HOME, its variables, the BITBUCKET_* defaults. */
  async function runPipe(shell: Shell, variables: Record<string, string>): Promise<Run> {
    // The image's /pipe: exactly what the Dockerfile copies.
    const image = join(shell.dir, "image");
    const dockerfile = readFileSync(join(REPO_ROOT, "pipe", "Dockerfile"), "utf8");
    for (const [, from, to] of dockerfile.matchAll(/^COPY\s+(\S+)\s+(\S+)\s*$/gm))
      cpSync(join(REPO_ROOT, from), join(image, to), { recursive: true });
    const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
    const [node, script] = JSON.parse(entry as string) as string[];
    assert.equal(node, "node");
    const env: Record<string, string> = {
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: shell.home,
      TMPDIR: shell.tmp,
      ...pipelinesVariables(shell.cloneDir as string, shell.variablesFile as string),
      ...variables,
    };
    return exec(
      process.execPath,
      [join(image, script)],
      { ...shell, env },
      { cwd: shell.cloneDir },
    );
  }

  test("pipe.yml: metadata, and variables that match the entry point's", () => {
    const pipe = pipeYml();
    for (const key of [
      "name",
      "image",
      "description",
      "category",
      "repository",
      "maintainer",
      "vendor",
      "tags",
    ])
      assert.ok(pipe[key], `pipe.yml has ${key}`);
    const names = pipe.variables.map((v) => v.name);
    assert.deepEqual(names.sort(), Object.values(PIPE_VARIABLES).sort());
    const byName = new Map(pipe.variables.map((v) => [v.name, v]));
    assert.equal(byName.get("BITBUCKET_API_TOKEN")?.secret, true);
    assert.equal(byName.get("BITBUCKET_API_TOKEN")?.required, true);
    for (const v of pipe.variables) {
      assert.ok(v.description, `${v.name} has a description`);
      if (v.name !== "BITBUCKET_API_TOKEN") assert.equal(v.secret ?? false, false, v.name);
      const input = (Object.keys(PIPE_VARIABLES) as (keyof typeof PIPE_VARIABLES)[]).find(
        (name) => PIPE_VARIABLES[name] === v.name,
      );
      assert.ok(input, `${v.name} is an input`);
      assert.equal(String(v.default ?? ""), DEFAULTS[input], `${v.name}'s default`);
    }
    const raw = pipeInputs({ REPOSITORIES: "acme/app", RETRIES: " ", BITBUCKET_API_TOKEN: token });
    assert.equal(raw.values.repositories, "acme/app");
    assert.equal(raw.values["configure-git"], "false", "the pipe only checks");
    assert.deepEqual(raw.sources.retries, { kind: "pipe-variable", variable: "RETRIES" });
  });

  test("Dockerfile: the official Node 24 image, dist/ and package.json, node dist/pipe.js", () => {
    const dockerfile = readFileSync(join(REPO_ROOT, "pipe", "Dockerfile"), "utf8");
    const instructions = dockerfile
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    assert.deepEqual(instructions, [
      "FROM node:24-alpine",
      "WORKDIR /pipe",
      "COPY package.json /pipe/package.json",
      "COPY dist/ /pipe/dist/",
      'ENTRYPOINT ["node", "/pipe/dist/pipe.js"]',
    ]);
    assert.match(pipeYml().image, /:\d+\.\d+\.\d+$/, "the image is pinned to a version");
  });

  test("the entry point, with only a pipe's environment: the built repository is checked", async () => {
    await withShell({ pipelines: true }, async (shell) => {
      bb.clearRequests();
      const run = await runPipe(shell, {
        BITBUCKET_EMAIL: alice.email,
        BITBUCKET_API_TOKEN: token,
        API_URL: bb.apiUrl,
        GIT_URL: bb.gitUrl,
        REQUIRED_SCOPES: "",
        EXPIRY_WARNING_DAYS: "14",
      });
      assert.equal(run.code, 0, show(run));
      assert.match(run.stdout, /✔ The token is fit for use\./);
      assert.match(run.stdout, /acme\/app: read proven, write proven/);
      assert.ok(bb.requests.some((r) => r.url.startsWith("/acme/app.git/info/refs")));
      assert.ok(!existsSync(gitconfigOf(shell)), "the pipe only checks");
      assert.deepEqual(credentialFiles(shell), []);
    });
  });

  test("the pipe fails the step, naming its variables", async () => {
    const narrow = remember(bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] }));
    await withShell({ pipelines: true }, async (shell) => {
      const common = { BITBUCKET_EMAIL: alice.email, API_URL: bb.apiUrl, GIT_URL: bb.gitUrl };
      const unfit = await runPipe(shell, { ...common, BITBUCKET_API_TOKEN: narrow });
      assert.equal(unfit.code, 1, show(unfit));
      assert.match(unfit.stdout, /lacks 3 required scope/);
      assert.match(unfit.stdout, /remove them from the pipe variable REQUIRED_SCOPES/);

      const bad = await runPipe(shell, {
        ...common,
        BITBUCKET_API_TOKEN: token,
        REPOSITORIES: "acme",
        EXPIRES_AT: "soon",
      });
      assert.equal(bad.code, 2, show(bad));
      assert.match(bad.stderr, /REPOSITORIES has an entry/);
      assert.match(bad.stderr, /EXPIRES_AT \("soon"\)/);

      const noToken = await runPipe(shell, { ...common, BITBUCKET_API_TOKEN: "" });
      assert.equal(noToken.code, 2, show(noToken));
      assert.match(noToken.stderr, /The pipe variable BITBUCKET_API_TOKEN is empty/);
      assert.doesNotMatch(noToken.stderr, /--token-stdin/, "a pipe cannot read standard input");

      const noEmail = await runPipe(shell, { API_URL: bb.apiUrl, BITBUCKET_API_TOKEN: token });
      assert.equal(noEmail.code, 2, show(noEmail));
      assert.match(
        noEmail.stderr,
        /The pipe variable BITBUCKET_EMAIL is empty, but the pipe variable BITBUCKET_API_TOKEN looks like an Atlassian API token/,
      );
    });
  });
});

// ---------------------------------------------------------------------------

describe("the example bitbucket-pipelines.yml", () => {
  interface Step {
    name?: string;
    image?: string;
    clone?: { enabled?: boolean };
    script: Array<string | { pipe: string; variables?: Record<string, string> }>;
    "after-script"?: string[];
    "output-variables"?: string[];
  }
  const steps = (): Step[] => {
    const doc = parseYaml(
      readFileSync(join(REPO_ROOT, "examples", "bitbucket-pipelines.yml"), "utf8"),
    ) as {
      pipelines: { default: Array<{ step: Step }> };
    };
    return doc.pipelines.default.map((s) => s.step);
  };
  const setupStep = () => {
    const step = steps().find((s) =>
      s.script.some((l) => typeof l === "string" && /bitbucket-auth setup/.test(l)),
    );
    assert.ok(step, "a step runs bitbucket-auth setup");
    return step;
  };
  const lines = (step: Step) => step.script.filter((l): l is string => typeof l === "string");

  test("setup in script, clones over HTTPS, cleanup in after-script, built-in clone off", () => {
    const step = setupStep();
    assert.equal(step.clone?.enabled, false);
    assert.equal(step.image, "node:24");
    const script = lines(step);
    const install = script.findIndex((l) =>
      /npm install --global bitbucket-api-token-auth@\d/.test(l),
    );
    const setup = script.findIndex((l) => /^bitbucket-auth setup\b/.test(l));
    const clones = script.filter((l) => /^git clone .*https:\/\/bitbucket\.org\//.test(l));
    assert.ok(install >= 0 && install < setup, "installed before setup");
    assert.equal(clones.length, 3);
    assert.equal(clones.filter((l) => l.includes("--recurse-submodules")).length, 1);
    assert.ok(script.findIndex((l) => l.startsWith("git clone")) > setup, "clones after setup");
    assert.ok((step["after-script"] ?? []).some((l) => /bitbucket-auth cleanup/.test(l)));
    assert.ok(
      !script.some((l) => /bitbucket-auth cleanup/.test(l)),
      "cleanup only in after-script",
    );
    assert.deepEqual(step["output-variables"], ["BITBUCKET_AUTH_USERNAME"]);
  });

  test("the token travels only in the environment, never on a command line or in a URL", () => {
    for (const step of steps()) {
      for (const line of [...step.script, ...(step["after-script"] ?? [])]) {
        if (typeof line === "string") {
          assert.ok(!/BITBUCKET_API_TOKEN/.test(line), `no token on a command line: ${line}`);
          assert.ok(!/https?:\/\/[^/\s]*@/.test(line), `no credentials in a URL: ${line}`);
        } else {
          const pipeVars = new Set(pipeYml().variables.map((v) => v.name));
          for (const [name, value] of Object.entries(line.variables ?? {})) {
            assert.ok(pipeVars.has(name), `${name} is a variable of the pipe`);
            if (name === "BITBUCKET_API_TOKEN") assert.equal(value, "$BITBUCKET_API_TOKEN");
          }
          assert.equal(line.pipe, `docker://${pipeYml().image}`);
        }
      }
    }
    const all = steps();
    const pipeStep = all.findIndex((s) => s.script.some((l) => typeof l !== "string"));
    const setup = all.findIndex((s) => lines(s).some((l) => /bitbucket-auth setup/.test(l)));
    assert.ok(pipeStep >= 0, "a step uses the pipe");
    assert.ok(pipeStep < setup, "the check-only pipe step comes first");
  });

  function pipeYml() {
    return parseYaml(readFileSync(join(REPO_ROOT, "pipe", "pipe.yml"), "utf8")) as {
      image: string;
      variables: Array<{ name: string }>;
    };
  }

  test("its setup step's commands work, run against the emulator", async () => {
    const step = setupStep();
    await withShell({ pipelines: true }, async (shell) => {
      // `npm install --global` → a bitbucket-auth on PATH that runs this dist/cli.js; or the
      // single executable, installed as a download puts it.
      const bin = join(shell.dir, "bin");
      mkdirSync(bin);
      if (EXECUTABLE) symlinkSync(EXECUTABLE, join(bin, "bitbucket-auth"));
      else
        writeFileSync(
          join(bin, "bitbucket-auth"),
          `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`,
          { mode: 0o755 },
        );
      shell.env.PATH = `${bin}:${shell.env.PATH}`;
      const toEmulator = (line: string) =>
        line
          .replaceAll("https://bitbucket.org", bb.gitUrl)
          .replace(/^bitbucket-auth setup\b/, `bitbucket-auth setup ${emulatorFlags().join(" ")}`);
      const commands = lines(step)
        .filter((l) => /^(bitbucket-auth|git clone)\b/.test(l))
        .map(toEmulator);
      const run = await exec("/bin/sh", ["-ec", commands.join("\n")], shell);
      assert.equal(run.code, 0, show(run));
      assert.ok(existsSync(join(shell.cwd, "app", "lib", "README.md")));
      assert.ok(existsSync(join(shell.cwd, "tools", "README.md")));
      const afterScript = await exec(
        "/bin/sh",
        ["-ec", (step["after-script"] ?? []).join("\n")],
        shell,
      );
      assert.equal(afterScript.code, 0, show(afterScript));
      assert.ok(!existsSync(gitconfigOf(shell)));
      assert.deepEqual(credentialFiles(shell), []);
      // The after-script also works when setup never ran, or the install failed.
      shell.env.PATH = shell.env.PATH.replace(`${bin}:`, "");
      const withoutCommand = await exec(
        "/bin/sh",
        ["-ec", (step["after-script"] ?? []).join("\n")],
        shell,
      );
      assert.equal(withoutCommand.code, 0, show(withoutCommand));
    });
  });
});

// ---------------------------------------------------------------------------

describe("the example maven-pipelines.yml: a step image without Node", () => {
  interface Step {
    image?: string;
    script: string[];
    "after-script"?: string[];
  }
  const example = () =>
    parseYaml(readFileSync(join(REPO_ROOT, "examples", "maven-pipelines.yml"), "utf8")) as {
      pipelines: { default: Array<{ step: Step }> };
    };
  const step = () => example().pipelines.default[0].step;
  const version = () =>
    (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string })
      .version;
  const ARCHIVE = "bitbucket-auth-linux-x64.tar.gz";
  const at = (script: string[], pattern: RegExp) => {
    const index = script.findIndex((line) => pattern.test(line));
    assert.ok(index >= 0, `a line matches ${pattern}`);
    return index;
  };

  test("download the release archive, verify its SHA-256, unpack, setup, then clone with submodules", () => {
    const { image, script, "after-script": afterScript = [] } = step();
    assert.match(image ?? "", /^maven:/);
    const repository = (
      parseYaml(readFileSync(join(REPO_ROOT, "pipe", "pipe.yml"), "utf8")) as { repository: string }
    ).repository.replace(/\.git$|\/$/g, "");
    const url = `${repository}/releases/download/v${version()}/${ARCHIVE}`;
    const download = at(script, /^curl /);
    assert.ok(script[download].includes(` ${url}`), `downloads ${url}: ${script[download]}`);
    const verify = at(script, /\| sha256sum -c -$/);
    const unpack = at(script, /^tar -xzf .* bitbucket-auth$/);
    const setup = at(script, /^bitbucket-auth setup /);
    const clone = at(script, /^git clone --recurse-submodules https:\/\/bitbucket\.org\//);
    assert.ok(download < verify && verify < unpack && unpack < setup && setup < clone);
    assert.ok(!script.some((line) => /\b(node|npm|npx)\b/.test(line)), "no Node needed");
    assert.ok(afterScript.some((line) => /bitbucket-auth cleanup/.test(line)));
    for (const line of [...script, ...afterScript]) {
      assert.ok(!/BITBUCKET_API_TOKEN/.test(line), `no token on a command line: ${line}`);
      assert.ok(!/https?:\/\/[^/\s]*@/.test(line), `no credentials in a URL: ${line}`);
    }
  });

  test("docs/install.md shows the same three install lines", () => {
    const docs = readFileSync(join(REPO_ROOT, "docs", "install.md"), "utf8");
    const section = docs.slice(docs.indexOf("## In a Pipelines step"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const install = step().script.slice(0, 3);
    assert.deepEqual(block.trimEnd().split("\n"), install);
    assert.ok(section.includes(install.join(" && ")), "and as one line");
  });

  const archive = join(REPO_ROOT, "build", ARCHIVE);
  const sums = join(REPO_ROOT, "build", "SHA256SUMS");
  const hasCurl = PATH.split(delimiter).some((dir) => existsSync(join(dir, "curl")));
  test("its commands work as written, run against the emulator with the x64 archive", {
    skip:
      (EXECUTABLE === undefined && "runs with BITBUCKET_AUTH_EXECUTABLE (the single executable)") ||
      ((!existsSync(archive) || !existsSync(sums)) && `no ${ARCHIVE}: npm run build:binary`) ||
      (!hasCurl && "no curl"),
  }, async () => {
    const sha256 = readFileSync(sums, "utf8")
      .split("\n")
      .find((line) => line.endsWith(`  ${ARCHIVE}`))
      ?.split(" ")[0];
    assert.ok(sha256, `SHA256SUMS lists ${ARCHIVE}`);
    const { script, "after-script": afterScript = [] } = step();
    await withShell({ pipelines: true }, async (shell) => {
      // The release URL is this build's archive, /usr/local/bin and /tmp are the shell's own.
      const bin = join(shell.dir, "usr-local-bin");
      mkdirSync(bin);
      shell.env.PATH = `${bin}${delimiter}${shell.env.PATH}`;
      const asHere = (line: string, hash: string) =>
        line // the example's own paths first: this checkout may live under /tmp too
          .replaceAll("/tmp/", `${shell.tmp}/`)
          .replaceAll("/usr/local/bin", bin)
          .replace(/https:\/\/github\.com\/\S+/, `file://${archive}`)
          .replace(/echo "[^"]* {2}/, `echo "${hash}  `)
          .replaceAll("https://bitbucket.org", bb.gitUrl)
          .replace(/^bitbucket-auth setup\b/, `bitbucket-auth setup ${emulatorFlags().join(" ")}`);
      const commands = (hash: string) =>
        script
          .filter((line) => !/^mvn\b/.test(line))
          .map((line) => asHere(line, hash))
          .join("\n");

      const tampered = await exec("/bin/sh", ["-ec", commands("0".repeat(64))], shell);
      assert.notEqual(tampered.code, 0, "a wrong SHA-256 stops the step");
      assert.match(tampered.stderr, /did NOT match/);
      assert.ok(!existsSync(join(bin, "bitbucket-auth")), "before anything is unpacked");

      const run = await exec("/bin/sh", ["-ec", commands(sha256)], shell);
      assert.equal(run.code, 0, show(run));
      assert.ok(
        readFileSync(join(bin, "bitbucket-auth")).equals(readFileSync(EXECUTABLE as string)),
        `${ARCHIVE} holds the executable under test`,
      );
      assert.match(run.stdout, /acme\/platform: read proven/);
      assert.ok(existsSync(join(shell.tmp, "platform", "common-lib", "README.md")), "submodule");

      const after = await exec("/bin/sh", ["-ec", afterScript.join("\n")], shell);
      assert.equal(after.code, 0, show(after));
      assert.ok(!existsSync(gitconfigOf(shell)));
      assert.deepEqual(credentialFiles(shell), []);
    });
  });
});

describe("terminal", () => {
  test("colour only on a TTY and never with NO_COLOR (set and not empty)", () => {
    assert.equal(useColor({ isTTY: true }, {}), true);
    assert.equal(useColor({ isTTY: true }, { NO_COLOR: "1" }), false);
    assert.equal(useColor({ isTTY: true }, { NO_COLOR: "" }), true);
    assert.equal(useColor({ isTTY: true }, { TERM: "dumb" }), false);
    assert.equal(useColor({ isTTY: false }, {}), false);
    assert.equal(useColor({}, {}), false);
  });

  test("messages name where the user set the value: flag, variable, or the pipe's variable", () => {
    const emailMissing = problem("email-missing", {});
    const text = (source: (name: InputName) => Source) =>
      render(emailMissing, rendererFor("command", "plain", rawInputs({}, source))).text;
    assert.equal(
      text((name) =>
        name === "api-token"
          ? { kind: "variable", variable: "BITBUCKET_API_TOKEN" }
          : { kind: "flag", flag: `--${name}` },
      ),
      "--email is empty, but BITBUCKET_API_TOKEN looks like an Atlassian API token.",
    );
    assert.equal(
      render(emailMissing, rendererFor("pipe", "plain", pipeInputs({}))).text,
      "The pipe variable BITBUCKET_EMAIL is empty, but the pipe variable BITBUCKET_API_TOKEN looks like an Atlassian API token.",
    );
    assert.equal(
      render(emailMissing, rendererFor("action", "plain")).text,
      "The input `email` is empty, but the input `api-token` looks like an Atlassian API token.",
    );
  });

  const hasScript = existsSync("/usr/bin/script") && process.platform === "linux";
  test("on a TTY: a spinner on stderr and colour; NO_COLOR drops the colour only", {
    skip: !hasScript && "no util-linux script",
  }, async () => {
    await withShell({}, async (shell) => {
      const quote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;
      const command = [...COMMAND, "check", ...emulatorFlags()].map(quote).join(" ");
      const env = { SHELL: "/bin/sh", TERM: "xterm-256color" };
      const tty = await exec("script", ["-qec", command, "/dev/null"], shell, { env });
      assert.equal(tty.code, 0, show(tty));
      assert.match(tty.stdout, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Checking the token with Bitbucket…/);
      assert.ok(
        tty.stdout.includes(`${ESC}32m✔ The token is fit for use.${ESC}0m`),
        "green on a TTY",
      );

      // stdout to a file, stderr on the terminal: the spinner is on stderr, colour per stream.
      const file = join(shell.dir, "stdout.txt");
      const split = await exec(
        "script",
        ["-qec", `${command} > ${quote(file)}`, "/dev/null"],
        shell,
        { env },
      );
      assert.equal(split.code, 0, show(split));
      assert.match(split.stdout, /Checking the token with Bitbucket…/);
      assert.ok(!split.stdout.includes("fit for use"), "the report went to the file");
      const report = readFileSync(file, "utf8");
      seen.push({ name: file, text: report });
      assert.match(report, /^✔ The token is fit for use\./);
      assert.ok(!report.includes(ESC), "no colour in a file, even from a terminal session");

      const plain = await exec("script", ["-qec", command, "/dev/null"], shell, {
        env: { ...env, NO_COLOR: "1" },
      });
      assert.equal(plain.code, 0, show(plain));
      assert.ok(
        !["31m", "32m", "33m"].some((code) => plain.stdout.includes(`${ESC}${code}`)),
        "no colour with NO_COLOR",
      );
      assert.match(plain.stdout, /Checking the token with Bitbucket…/);
    });
  });
});

// ---------------------------------------------------------------------------

describe("the single executable", {
  skip: EXECUTABLE === undefined && "BITBUCKET_AUTH_EXECUTABLE is not set",
}, () => {
  test("the scenarios above ran it with no node on PATH, and git on it", async () => {
    await withShell({}, async (shell) => {
      const node = await exec("/bin/sh", ["-c", "command -v node"], shell);
      assert.notEqual(node.code, 0, `node is on PATH: ${node.stdout}`);
      assert.equal((await git(shell, ["--version"])).code, 0, "git is on PATH");
      const header = readFileSync(EXECUTABLE as string).subarray(0, 4);
      assert.equal(header.toString("latin1"), "\x7fELF", "an executable, not a script");
    });
  });

  test("NODE_OPTIONS, meant for the image's own Node, does not reach it", async () => {
    await withShell({}, async (shell) => {
      const env = { NODE_OPTIONS: "--no-such-node-flag --require /nonexistent/preload.js" };
      const run = await cli(shell, ["check"], { env });
      assert.equal(run.code, 0, show(run));
      assert.equal(run.stderr, "");
    });
  });
});

// ---------------------------------------------------------------------------

test("no form of any token in any output or file of any scenario above", () => {
  assert.ok(seen.length > 100, `searched ${seen.length} places`);
  assert.ok(secrets.length >= 8);
  assertNoLeak(seen);
});

// ---------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Accepts connections and never answers. */
async function hangingServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * PATH as it is, but with no `node`: each directory that holds one is replaced by a directory of
 * links to everything else in it (git's scripts need sed, basename, uname…, which on many machines
 * share /usr/bin with a system Node).
 */
function pathWithoutNode(): string {
  const shadows = mkdtempSync(join(tmpdir(), "path-without-node-"));
  after(() => rmSync(shadows, { recursive: true, force: true }));
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((dir) => isAbsolute(dir));
  return dirs
    .map((dir, index) => {
      const names = existsSync(dir) ? readdirSync(dir) : [];
      if (!names.includes("node") && !names.includes("nodejs")) return dir;
      const shadow = join(shadows, String(index));
      mkdirSync(shadow);
      for (const name of names)
        if (name !== "node" && name !== "nodejs") symlinkSync(join(dir, name), join(shadow, name));
      return shadow;
    })
    .join(delimiter);
}
