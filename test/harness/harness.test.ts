// Tests of the test harness itself, against tiny fake actions generated in a
// temp dir (so they do not need dist/ to exist).

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, relative, sep } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { parseEnvFile, parseWorkflowCommand } from "./commands.ts";
import { gitShimSupported, installGitShim, readGitLog } from "./git-shim.ts";
import {
  assertNoLeaks,
  base64Fragments,
  findLeaks,
  labelledSecretForms,
  scanTree,
  secretForms,
} from "./leaks.ts";
import {
  gitEnv,
  inputEnvName,
  type Job,
  newJob,
  REPO_ROOT,
  readActionMetadata,
  runGit,
  runMain,
  runPost,
  runStep,
} from "./runner.ts";

const ACTION_YML = `name: fake
description: fake action for the harness tests
inputs:
  api-token:
    description: token
    required: true
  my input:
    description: spaced name
    default: spaced default
  count:
    description: numeric default
    default: 14
  flag:
    description: boolean default
    default: true
  empty-default:
    description: empty
    default: ""
  no-default:
    description: nothing
  exit-code:
    description: how to exit
    default: "0"
outputs:
  simple:
    description: x
runs:
  using: node24
  main: main.mjs
  post: post.mjs
  post-if: always()
`;

// Plain fs appends and stdout lines: no @actions/core.
const MAIN_MJS = `import fs from "node:fs";
const e = process.env;
const out = (f, s) => fs.appendFileSync(e[f], s);
out("GITHUB_OUTPUT", "simple=value=with=equals\\n");
out("GITHUB_OUTPUT", "multi<<EOF_1\\nline1\\r\\nline2\\nEOF_1\\n");
out("GITHUB_OUTPUT", "\\nempty<<D\\nD\\n");
out("GITHUB_OUTPUT", "twice=first\\ntwice=second\\n");
const snapshot = {
  cwd: process.cwd(),
  argv1: process.argv[1],
  env: Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith("npm_"))),
};
out("GITHUB_OUTPUT", "snapshot<<SNAP\\n" + JSON.stringify(snapshot) + "\\nSNAP\\n");
out("GITHUB_STATE", "pid=4242\\nmulti-state<<S\\na\\nb\\nS\\n");
out("GITHUB_ENV", "EXPORTED_ONE=1\\nEXPORTED_MULTI<<X\\nx\\ny\\nX\\nNODE_OPTIONS=--require=evil\\n");
out("GITHUB_PATH", "/opt/fake-bin\\n");
out("GITHUB_STEP_SUMMARY", "# Hello\\n\\n| a | b |\\n");
console.log("plain log line");
console.log("::error file=src/a%3Ab.ts,line=3,title=T%2C x::bad%0Athing %25 done");
console.log("::warning::careful");
console.log("::notice title=n::note");
console.log("::debug::dbg");
console.log("::add-mask::s3cret%0Avalue");
console.log("   ::add-mask::indented");
console.log("::add-mask::  ");
console.log("::stop-commands::tok123");
console.log("::error::ignored while stopped");
console.log("::tok123::");
console.log("::unknown-cmd::not a command");
console.log("not ::error::at line start");
console.log("::group::A group");
console.log("::endgroup::");
console.error("::warning file=x.ts::from stderr");
process.exit(Number(e["INPUT_EXIT-CODE"] || "0"));
`;

const POST_MJS = `import fs from "node:fs";
const e = process.env;
const pick = (p) => Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith(p)));
const snapshot = { state: pick("STATE_"), inputs: pick("INPUT_"), exported: pick("EXPORTED_"), path: e.PATH, node: e.NODE_OPTIONS ?? null };
fs.appendFileSync(e.GITHUB_OUTPUT, "snapshot<<SNAP\\n" + JSON.stringify(snapshot) + "\\nSNAP\\n");
fs.appendFileSync(e.GITHUB_STATE, "from-post=1\\n");
console.log("::notice::post ran");
`;

// The same protocol through the real @actions/core writers (ghadelimiter_<uuid> heredocs).
const coreUrl = pathToFileURL(
  join(REPO_ROOT, "node_modules", "@actions", "core", "lib", "core.js"),
);
const CORE_MJS = `import * as core from ${JSON.stringify(coreUrl.href)};
core.setOutput("multi", "first\\nsecond\\n");
core.setOutput("json", { a: 1 });
core.setOutput("spaced", core.getInput("my input"));
core.setOutput("flag", String(core.getBooleanInput("flag")));
core.setOutput("token-length", String(core.getInput("api-token", { required: true }).length));
core.saveState("state-key", "v1\\nv2");
core.exportVariable("CORE_EXPORT", "a=b<<c");
core.setSecret("core-secret");
core.addPath("/opt/core-bin");
core.error("with props", { file: "a,b:c.ts", startLine: 7, title: "T" });
core.warning("multi\\nline 100%");
core.info("info line");
await core.summary.addHeading("Summary").addRaw("body").write();
`;

const CRASH_MJS = `console.log("::error::boom"); throw new Error("crash");`;
const HANG_MJS = `setInterval(() => {}, 1000);`;
const STDIN_MJS = `let s = "";
process.stdin.on("data", (d) => (s += d));
process.stdin.on("end", () => console.log("::notice::" + s.trim()));`;

let actionDir: string;
let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "bbauth-harness-"));
  actionDir = join(scratch, "action");
  await mkdir(actionDir);
  await writeFile(join(actionDir, "action.yml"), ACTION_YML);
  await writeFile(join(actionDir, "main.mjs"), MAIN_MJS);
  await writeFile(join(actionDir, "post.mjs"), POST_MJS);
  await writeFile(join(actionDir, "core.mjs"), CORE_MJS);
  await writeFile(join(actionDir, "crash.mjs"), CRASH_MJS);
  await writeFile(join(actionDir, "hang.mjs"), HANG_MJS);
  await writeFile(join(actionDir, "stdin.mjs"), STDIN_MJS);
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("commands parsing", () => {
  it("names inputs like the runner", () => {
    assert.equal(inputEnvName("api-token"), "INPUT_API-TOKEN");
    assert.equal(inputEnvName("my input"), "INPUT_MY_INPUT");
    assert.equal(inputEnvName("expiry-warning-days"), "INPUT_EXPIRY-WARNING-DAYS");
  });

  it("parses name=value and heredoc pairs", () => {
    const text = "a=1\n\nb=x=y\nc<<EOF\nl1\r\nl2\nEOF\nd<<E\nE\ne=\nf<<=g\n=\n=g\n";
    assert.deepEqual(parseEnvFile(text), [
      ["a", "1"],
      ["b", "x=y"],
      ["c", "l1\r\nl2"],
      ["d", ""],
      ["e", ""],
      ["f", "="],
    ]);
    assert.deepEqual(parseEnvFile("x<<D\r\nv\r\nD\r\n"), [["x", "v"]]);
    assert.deepEqual(parseEnvFile("last<<D\nv\nD"), [["last", "v"]]);
  });

  it("rejects what the runner rejects", () => {
    assert.throws(() => parseEnvFile("=v\n"), /Name must not be empty/);
    assert.throws(() => parseEnvFile("x<<\n"), /delimiter must not be empty/);
    assert.throws(() => parseEnvFile("x<<D\nvalue\n"), /Matching delimiter not found/);
    assert.throws(() => parseEnvFile("x<<D\nvalue"), /EOF marker missing new line/);
    assert.throws(() => parseEnvFile("novalue\n"), /Invalid format/);
  });

  it("round-trips any value written in the @actions/core heredoc form", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.constantFrom("\n", "\r\n"), (value, eol) => {
        const delim = "ghadelimiter_0b5b0d1c-6a1e-4e8a-9d39-3a8e4d3f1c2a";
        // A "\r" before a line break is part of the break for the runner too: no round trip exists.
        fc.pre(!value.includes(delim) && !value.includes("\r"));
        const text = `name<<${delim}${eol}${value}${eol}${delim}${eol}`;
        assert.deepEqual(parseEnvFile(text), [["name", value]]);
      }),
    );
  });

  it("parses workflow commands with the runner's unescaping", () => {
    assert.deepEqual(parseWorkflowCommand("::error file=a%3Ab%2Cc,line=2::x%0Ay%0Dz %25 %3A"), {
      name: "error",
      properties: { file: "a:b,c", line: "2" },
      data: "x\ny\rz % %3A",
    });
    assert.deepEqual(parseWorkflowCommand("  ::add-mask::v"), {
      name: "add-mask",
      properties: {},
      data: "v",
    });
    assert.equal(parseWorkflowCommand("::bogus::x"), undefined);
    assert.equal(parseWorkflowCommand("x ::error::x"), undefined);
    assert.equal(parseWorkflowCommand("::error"), undefined);
    assert.deepEqual(parseWorkflowCommand("::warning a=,=b,c==d::m")?.properties, { c: "=d" });
    // %25 is undone last, as in the runner: an escaped "%0A" stays literal.
    assert.equal(parseWorkflowCommand("::notice::%250A")?.data, "%0A");
  });
});

describe("runStep against a fake action", () => {
  let job: Job;
  const realHome = process.env.HOME;

  before(async () => {
    process.env.HARNESS_SENTINEL = "must-not-leak-into-steps";
    job = await newJob({ actionDir, env: { JOB_LEVEL: "job" } });
  });
  after(async () => {
    delete process.env.HARNESS_SENTINEL;
    await job.close();
    assert.equal(existsSync(job.dir), false);
  });

  it("reads the fake action.yml", () => {
    const meta = readActionMetadata(actionDir);
    assert.equal(meta.runs.using, "node24");
    assert.equal(meta.runs.post, "post.mjs");
    assert.equal(meta.inputs.count?.default, "14");
    assert.equal(meta.inputs["api-token"]?.required, true);
    assert.equal(meta.inputs["no-default"]?.default, undefined);
  });

  it("lays out the job like a hosted runner", () => {
    assert.ok(job.home.startsWith(job.dir));
    assert.ok(job.runnerTemp.startsWith(job.dir));
    assert.ok(job.workspace.startsWith(job.dir));
    assert.ok(
      relative(job.runnerTemp, job.workspace).startsWith(".."),
      "workspace outside RUNNER_TEMP",
    );
    assert.ok(
      relative(job.workspace, job.runnerTemp).startsWith(".."),
      "RUNNER_TEMP outside workspace",
    );
    assert.notEqual(job.home, realHome);
  });

  let main: Awaited<ReturnType<typeof runStep>>;

  it("runs main and parses outputs, state, env, path and summary", async () => {
    main = await runStep(job, "main.mjs", { "api-token": "tok-en", "my input": "given" });
    assert.equal(main.code, 0, main.stderr);
    assert.equal(main.outputs.simple, "value=with=equals");
    assert.equal(main.outputs.multi, "line1\r\nline2");
    assert.equal(main.outputs.empty, "");
    assert.equal(main.outputs.twice, "second");
    assert.deepEqual(main.savedState, { pid: "4242", "multi-state": "a\nb" });
    assert.deepEqual(main.exported, { EXPORTED_ONE: "1", EXPORTED_MULTI: "x\ny" });
    assert.deepEqual(main.addedPath, ["/opt/fake-bin"]);
    assert.equal(main.summary, "# Hello\n\n| a | b |\n");
    assert.match(main.stdout, /plain log line/);
    // merged into the job
    assert.deepEqual(job.env, { EXPORTED_ONE: "1", EXPORTED_MULTI: "x\ny" });
    assert.deepEqual(job.state, { pid: "4242", "multi-state": "a\nb" });
    assert.deepEqual(job.path, ["/opt/fake-bin"]);
  });

  it("gives the step inputs with action.yml defaults, and a minimal env", () => {
    const snap = JSON.parse(main.outputs.snapshot ?? "{}") as {
      cwd: string;
      argv1: string;
      env: Record<string, string>;
    };
    const env = snap.env;
    assert.equal(env["INPUT_API-TOKEN"], "tok-en");
    assert.equal(env.INPUT_MY_INPUT, "given");
    assert.equal(env.INPUT_COUNT, "14");
    assert.equal(env.INPUT_FLAG, "true");
    assert.equal(env["INPUT_EMPTY-DEFAULT"], "");
    assert.equal(env["INPUT_NO-DEFAULT"], "");
    assert.equal(env["INPUT_EXIT-CODE"], "0");
    assert.equal(main.inputs["my input"], "given");
    assert.equal(env.HOME, job.home);
    assert.equal(env.RUNNER_TEMP, job.runnerTemp);
    assert.equal(env.GITHUB_WORKSPACE, job.workspace);
    assert.equal(env.GITHUB_ACTIONS, "true");
    assert.equal(env.CI, "true");
    assert.equal(env.GIT_CONFIG_NOSYSTEM, "1");
    assert.equal(env.GIT_TERMINAL_PROMPT, "0");
    assert.equal(env.JOB_LEVEL, "job");
    assert.equal(env.HARNESS_SENTINEL, undefined, "the test process env is not inherited");
    assert.equal(env.EXPORTED_ONE, undefined, "a step does not see its own exports");
    for (const f of [
      "GITHUB_OUTPUT",
      "GITHUB_ENV",
      "GITHUB_STATE",
      "GITHUB_PATH",
      "GITHUB_STEP_SUMMARY",
    ]) {
      assert.ok(env[f]?.startsWith(job.runnerTemp + sep), `${f} under RUNNER_TEMP`);
    }
    assert.equal(snap.cwd, job.workspace);
    assert.equal(snap.argv1, join(actionDir, "main.mjs"));
  });

  it("parses annotations, masks and commands from stdout and stderr", () => {
    assert.deepEqual(main.annotations, [
      {
        level: "error",
        message: "bad\nthing % done",
        properties: { file: "src/a:b.ts", line: "3", title: "T, x" },
      },
      { level: "warning", message: "careful", properties: {} },
      { level: "notice", message: "note", properties: { title: "n" } },
      { level: "debug", message: "dbg", properties: {} },
      {
        level: "warning",
        message: "Can't add secret mask for empty string in ##[add-mask] command.",
        properties: {},
      },
      { level: "warning", message: "from stderr", properties: { file: "x.ts" } },
      {
        level: "warning",
        message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
        properties: {},
      },
    ]);
    assert.deepEqual(main.masks, ["s3cret\nvalue", "indented"]);
    assert.deepEqual(job.masks, ["s3cret\nvalue", "indented"]);
    assert.ok(main.commands.includes("::stop-commands::tok123"));
    assert.ok(!main.commands.some((c) => c.includes("ignored while stopped")));
    assert.ok(!main.commands.some((c) => c.includes("unknown-cmd")));
    assert.ok(main.commands.includes("::group::A group"));
    assert.ok(main.commands.includes("::add-mask::indented"));
  });

  it("passes exports and GITHUB_PATH to later steps; step env wins over exports", async () => {
    const second = await runStep(
      job,
      "main.mjs",
      { "api-token": "t2" },
      { env: { EXPORTED_ONE: "step" } },
    );
    const snap = JSON.parse(second.outputs.snapshot ?? "{}") as { env: Record<string, string> };
    assert.equal(snap.env.EXPORTED_ONE, "step");
    assert.equal(snap.env.EXPORTED_MULTI, "x\ny");
    assert.equal(snap.env.NODE_OPTIONS, undefined);
    assert.equal(snap.env.PATH?.split(delimiter)[0], "/opt/fake-bin");
    assert.equal(snap.env.INPUT_MY_INPUT, "spaced default");
  });

  it("runs post with STATE_*, the main step's inputs and the job's exports", async () => {
    const post = await runPost(job, { main });
    assert.equal(post.code, 0, post.stderr);
    assert.equal(post.script, join(actionDir, "post.mjs"));
    const snap = JSON.parse(post.outputs.snapshot ?? "{}") as {
      state: Record<string, string>;
      inputs: Record<string, string>;
      exported: Record<string, string>;
      path: string;
      node: string | null;
    };
    assert.deepEqual(snap.state, { STATE_pid: "4242", "STATE_multi-state": "a\nb" });
    assert.equal(snap.inputs["INPUT_API-TOKEN"], "tok-en");
    assert.equal(snap.inputs.INPUT_MY_INPUT, "given");
    assert.deepEqual(snap.exported, { EXPORTED_ONE: "1", EXPORTED_MULTI: "x\ny" });
    assert.equal(snap.path.split(delimiter)[0], "/opt/fake-bin");
    assert.equal(snap.node, null);
    assert.deepEqual(post.annotations, [{ level: "notice", message: "post ran", properties: {} }]);
    assert.equal(job.state["from-post"], undefined, "state saved by post is not kept");
  });

  it("runs post with the latest main's inputs by default", async () => {
    const post = await runPost(job);
    const snap = JSON.parse(post.outputs.snapshot ?? "{}") as { inputs: Record<string, string> };
    assert.equal(snap.inputs["INPUT_API-TOKEN"], "t2");
  });

  it("reports exit codes, crashes and timeouts", async () => {
    const failed = await runStep(
      job,
      "main.mjs",
      { "api-token": "x", "exit-code": "3" },
      { isolated: true },
    );
    assert.equal(failed.code, 3);
    const crashed = await runStep(job, join(actionDir, "crash.mjs"));
    assert.equal(crashed.code, 1);
    assert.match(crashed.stderr, /Error: crash/);
    assert.deepEqual(crashed.annotations, [{ level: "error", message: "boom", properties: {} }]);
    const hung = await runStep(job, "hang.mjs", {}, { timeoutMs: 300 });
    assert.equal(hung.timedOut, true);
    assert.equal(hung.code, -1);
    assert.equal(hung.signal, "SIGKILL");
  });

  it("feeds stdin when asked", async () => {
    const r = await runStep(job, "stdin.mjs", {}, { stdin: "hello\n" });
    assert.deepEqual(r.annotations, [{ level: "notice", message: "hello", properties: {} }]);
  });
});

describe("runStep with the real @actions/core", () => {
  it("parses what @actions/core writes", async () => {
    const job = await newJob({ actionDir });
    try {
      const r = await runStep(job, "core.mjs", { "api-token": "abcdefgh" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.outputs.multi, "first\nsecond\n");
      assert.equal(r.outputs.json, '{"a":1}');
      assert.equal(r.outputs.spaced, "spaced default");
      assert.equal(r.outputs.flag, "true");
      assert.equal(r.outputs["token-length"], "8");
      assert.deepEqual(r.savedState, { "state-key": "v1\nv2" });
      assert.deepEqual(r.exported, { CORE_EXPORT: "a=b<<c" });
      assert.deepEqual(r.addedPath, ["/opt/core-bin"]);
      assert.deepEqual(r.masks, ["core-secret"]);
      assert.deepEqual(r.annotations, [
        {
          level: "error",
          message: "with props",
          properties: { file: "a,b:c.ts", line: "7", title: "T" },
        },
        { level: "warning", message: "multi\nline 100%", properties: {} },
      ]);
      assert.match(r.summary, /<h1>Summary<\/h1>/);
      assert.match(r.stdout, /^info line$/m);
      // runMain uses runs.main; the state written above reaches runPost
      const m = await runMain(job, { "api-token": "abcdefgh" });
      assert.equal(m.script, join(actionDir, "main.mjs"));
    } finally {
      await job.close();
    }
  });
});

describe("git helpers", () => {
  it("runs git with the job's HOME only", async () => {
    const job = await newJob({ actionDir, gitconfig: "[user]\n\tname = Seeded\n" });
    try {
      assert.equal(gitEnv(job).HOME, job.home);
      const seeded = await runGit(job, ["config", "--global", "user.name"]);
      assert.equal(seeded.stdout.trim(), "Seeded");
      const set = await runGit(job, ["config", "--global", "harness.check", "yes"]);
      assert.equal(set.code, 0, set.stderr);
      assert.match(await readFile(join(job.home, ".gitconfig"), "utf8"), /check = yes/);
      const show = await runGit(job, ["config", "--show-origin", "--get", "harness.check"]);
      assert.ok(show.stdout.includes(job.home), show.stdout);
      const init = await runGit(job, ["init", "-q", "."]);
      assert.equal(init.code, 0, init.stderr);
      assert.ok(existsSync(join(job.workspace, ".git")));
      const bad = await runGit(job, ["no-such-command"]);
      assert.notEqual(bad.code, 0);
    } finally {
      await job.close();
    }
  });

  it("gives runGit the job's exports", async () => {
    const job = await newJob({ actionDir });
    try {
      job.env.GIT_CONFIG_COUNT = "1";
      job.env.GIT_CONFIG_KEY_0 = "exported.key";
      job.env.GIT_CONFIG_VALUE_0 = "v";
      const r = await runGit(job, ["config", "--get", "exported.key"]);
      assert.equal(r.stdout.trim(), "v");
    } finally {
      await job.close();
    }
  });

  it("records every git command line through the shim", { skip: !gitShimSupported }, async () => {
    const shimDir = join(scratch, "shim");
    const shim = installGitShim(shimDir);
    assert.ok((await stat(join(shim.binDir, "git"))).mode & 0o100);
    const job = await newJob({ actionDir, pathPrepend: [shim.binDir] });
    try {
      const odd = 'it\'s a "value"\nwith newline $HOME `x` \\';
      const r = await runGit(job, ["config", "--global", "shim.odd", odd]);
      assert.equal(r.code, 0, r.stderr);
      const back = await runGit(job, ["config", "--global", "--get", "shim.odd"]);
      assert.equal(back.stdout, `${odd}\n`);
      const failing = await runGit(job, ["config", "--global", "--get", "shim.missing"]);
      assert.equal(failing.code, 1, "the real git's exit code passes through");
      // a step sees the shim first on PATH too
      await writeFile(
        join(actionDir, "git-step.mjs"),
        `import { execFileSync } from "node:child_process"; execFileSync("git", ["--version"]);`,
      );
      const step = await runStep(job, "git-step.mjs");
      assert.equal(step.code, 0, step.stderr);
      assert.deepEqual(readGitLog(shim.logFile), [
        ["config", "--global", "shim.odd", odd],
        ["config", "--global", "--get", "shim.odd"],
        ["config", "--global", "--get", "shim.missing"],
        ["--version"],
      ]);
    } finally {
      await job.close();
    }
  });
});

describe("leak detection", () => {
  const token = `ATATT3xFfGF0${"Ab9_-+/=".repeat(22)}=1A2B3C4D`;

  it("lists the token and its derived forms", () => {
    const forms = secretForms(token, ["x-bitbucket-api-token-auth", "dev@example.com"], {
      base64Fragments: false,
    });
    assert.deepEqual(forms, [
      token,
      Buffer.from(`x-bitbucket-api-token-auth:${token}`).toString("base64"),
      Buffer.from(`dev@example.com:${token}`).toString("base64"),
      encodeURIComponent(token),
    ]);
    // forms that coincide are listed once
    assert.deepEqual(secretForms("abcdefgh", [], { base64Fragments: false }), ["abcdefgh"]);
    assert.throws(() => secretForms(""));
  });

  it("base64 fragments catch the token inside any base64 text", () => {
    const fragments = base64Fragments(token);
    assert.equal(fragments.length, 3);
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, afterText) => {
        const encoded = Buffer.from(before + token + afterText).toString("base64");
        assert.ok(fragments.some((f) => encoded.includes(f)));
      }),
    );
  });

  it("finds leaks and labels them without the secret", () => {
    const forms = labelledSecretForms(token, ["x-token-auth"]);
    const basic = Buffer.from(`someone-else:${token}`).toString("base64");
    const hits = findLeaks(forms, [
      { name: "clean", text: "nothing here" },
      { name: "log", text: `Authorization: Basic ${basic}` },
      {
        name: "url",
        text: `https://x-token-auth:${encodeURIComponent(token)}@bitbucket.org/a/b.git`,
      },
    ]);
    // "someone-else:" is 13 bytes: the token sits at alignment 13 % 3 = 1
    assert.deepEqual(
      hits.map((h) => [h.place, h.label]),
      [
        ["log", "base64 fragment of token (alignment 1)"],
        ["url", "encodeURIComponent(token)"],
      ],
    );
    assert.throws(
      () => assertNoLeaks(forms, [{ name: "out", text: `x${token}x` }]),
      (e: Error) => e.message.includes("token in out") && !e.message.includes(token),
    );
    assert.doesNotThrow(() => assertNoLeaks(forms, [{ name: "ok", text: "fine" }]));
  });

  it("scans a tree: files, committed objects, symlinks, names; skips big files", async () => {
    const job = await newJob({ actionDir });
    try {
      const root = job.workspace;
      await writeFile(join(root, "clean.txt"), "nothing");
      await mkdir(join(root, "deep", "er"), { recursive: true });
      await writeFile(join(root, "deep", "er", "leak.cfg"), `password=${token}\n`);
      await writeFile(join(root, "big.bin"), Buffer.alloc(64, 0x61));
      const forms = secretForms(token, ["u"]);
      let hits = findLeaks(forms, await scanTree(root));
      assert.deepEqual(
        [...new Set(hits.map((h) => relative(root, h.place)))],
        [join("deep", "er", "leak.cfg")],
      );

      // a token committed to git is found in the (inflated) loose object
      await rm(join(root, "deep"), { recursive: true });
      await runGit(job, ["init", "-q", "."]);
      await writeFile(join(root, "committed.txt"), `t=${token}`);
      await runGit(job, ["add", "committed.txt"]);
      await rm(join(root, "committed.txt"));
      hits = findLeaks(forms, await scanTree(root));
      assert.ok(
        hits.length > 0 && hits.every((h) => h.place.endsWith("(inflated)")),
        JSON.stringify(hits.map((h) => h.place)),
      );
      await rm(join(root, ".git"), { recursive: true });

      await writeFile(join(root, "big.bin"), Buffer.from(`${"x".repeat(100)}${token}`));
      assert.equal(findLeaks(forms, await scanTree(root, { maxBytes: 64 })).length, 0);
      assert.ok(findLeaks(forms, await scanTree(root)).length > 0);
      await rm(join(root, "big.bin"));

      if (process.platform !== "win32") {
        await symlink(`/nonexistent/${token}`, join(root, "link"));
        hits = findLeaks(forms, await scanTree(root));
        assert.ok(hits.some((h) => h.place.endsWith("(symlink target)")));
        await rm(join(root, "link"));
      }
      await writeFile(join(root, encodeURIComponent(token).slice(0, 200)), "");
      hits = findLeaks([encodeURIComponent(token).slice(0, 200)], await scanTree(root));
      assert.ok(hits.some((h) => h.place.endsWith("(file names)")));
      assert.equal(readFileSync(join(root, "clean.txt"), "utf8"), "nothing");
    } finally {
      await job.close();
    }
  });
});
