/**
 * The leak audit. Every end-to-end scenario (successes with later git steps, every kind of
 * unfit token, bad input, every fault and hostile answer) runs with debug logging on
 * (ACTIONS_STEP_DEBUG=true, RUNNER_DEBUG=1) and a recording `git` shim first on PATH, and then
 * every place a secret could end up is searched for every form of it:
 *
 *   forms:  the token; base64 of `user:token` for the email, x-bitbucket-api-token-auth and
 *           x-token-auth; the URL-encoded token; base64 fragments of the token at each byte
 *           alignment (any base64 text containing the token contains one of them);
 *   places: stdout and stderr of every step (main, later git steps, post), each runner file
 *           (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH, GITHUB_STEP_SUMMARY), the
 *           exported variables and outputs as parsed, every file under the workspace and HOME
 *           while the job runs, every git command line the shim recorded (argv), the command
 *           line of every process on the machine sampled while the audit ran (Linux), and
 *           after post every file (and file name) under the job's whole directory.
 *
 * `::add-mask::` lines are the one exception: they are how a secret is registered with the
 * runner, which consumes them and never shows them. They are checked apart: they come first and
 * carry exactly the forms a log could otherwise show.
 *
 * Zero hits is the bar. The figures (scenarios × places × forms) are printed at the end.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES as SCOPES } from "../emulator/demo-world.ts";
import { gitShimSupported, installGitShim, readGitLog } from "../harness/git-shim.ts";
import {
  findLeaks,
  labelledSecretForms,
  type Place,
  type SecretForm,
  scanTree,
} from "../harness/leaks.ts";
import { type Job, newJob, runGit, runMain, runPost, type StepResult } from "../harness/runner.ts";

const DEBUG = { ACTIONS_STEP_DEBUG: "true", RUNNER_DEBUG: "1" };
const USER_CONFIG = "[user]\n\tname = CI\n\temail = ci@example.com\n";

interface World {
  bb: Bitbucket;
  alice: Account;
  /** A fit API token with the default scopes. */
  token: string;
}

interface Scenario {
  name: string;
  /** The secret the step gets (default: the world's token), and the inputs around it. */
  secret?: (w: World) => string;
  inputs?: (w: World, secret: string) => Record<string, string>;
  /** Faults or changes to the world before main runs. */
  arrange?: (w: World) => void;
  debug?: boolean;
  /** Exit code main must end with. */
  code: 0 | 1;
  /** Run git like later steps would (clone with submodules, commit, push, ssh-style URLs). */
  laterGit?: boolean;
  /** The credential reaches one repository only: clone without submodules. */
  noSubmodules?: boolean;
  /** Test of the audit itself: plants leaks after main; audit() then returns the hits. */
  canary?: (job: Job, secret: string, w: World) => Promise<void>;
  /** Extra literal strings that must appear nowhere (parts of a mangled token). */
  alsoSearch?: (secret: string) => string[];
}

const api = (w: World, secret: string, extra: Record<string, string> = {}) => ({
  email: w.alice.email,
  "api-token": secret,
  "api-url": w.bb.apiUrl,
  "git-url": w.bb.gitUrl,
  "timeout-seconds": "3",
  retries: "1",
  ...extra,
});
const user = () => ({ server: "api" as const, path: "/2.0/user", times: Infinity });

const SCENARIOS: Scenario[] = [
  // ---- successes ----------------------------------------------------------------------------
  {
    name: "fit API token: configure-git, repositories, rewrite-ssh-urls, later clone and push",
    inputs: (w, s) => api(w, s, { repositories: "acme/app acme/lib", "rewrite-ssh-urls": "true" }),
    code: 0,
    laterGit: true,
  },
  {
    name: "the same without debug logging",
    inputs: (w, s) => api(w, s, { repositories: "acme/app acme/lib", "rewrite-ssh-urls": "true" }),
    debug: false,
    code: 0,
    laterGit: true,
  },
  {
    name: "repository access token, later clone and push",
    secret: (w) =>
      w.bb.issueAccessToken({
        kind: "repository",
        target: "acme/app",
        scopes: ["repository:write"],
      }),
    inputs: (w, s) => ({ ...api(w, s, { repositories: "acme/app" }), email: "" }),
    code: 0,
    laterGit: true,
    noSubmodules: true,
  },
  {
    name: "token pasted with a trailing newline and spaces",
    inputs: (w, s) => api(w, `  ${s}\n`, { repositories: "acme/app" }),
    code: 0,
    laterGit: true,
  },
  {
    name: "configure-git false",
    inputs: (w, s) => api(w, s, { "configure-git": "false", repositories: "acme/app" }),
    code: 0,
  },
  {
    name: "expiring soon (warning)",
    inputs: (w, s) =>
      api(w, s, {
        "expires-at": new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
      }),
    code: 0,
  },
  // ---- Bitbucket's verdicts -----------------------------------------------------------------
  {
    name: "revoked token (401)",
    secret: (w) => {
      const t = w.bb.issueApiToken(w.alice, { scopes: SCOPES });
      w.bb.revoke(t);
      return t;
    },
    code: 1,
  },
  {
    name: "classic unscoped token (401)",
    secret: (w) => w.bb.issueApiToken(w.alice, { scopes: [], classic: true }),
    code: 1,
  },
  {
    name: "wrong email (401)",
    inputs: (w, s) => ({ ...api(w, s), email: "bob@example.com" }),
    code: 1,
  },
  {
    name: "missing scopes (403)",
    secret: (w) => w.bb.issueApiToken(w.alice, { scopes: ["read:repository:bitbucket"] }),
    inputs: (w, s) => api(w, s, { repositories: "acme/app" }),
    code: 1,
  },
  {
    name: "repository missing or forbidden (404)",
    inputs: (w, s) => api(w, s, { repositories: "acme/app other/secret" }),
    code: 1,
  },
  {
    name: "push denied by git (403)",
    inputs: (w, s) => api(w, s, { repositories: "acme/readonly" }),
    code: 1,
  },
  {
    name: "access token used as an API token with an email (401)",
    secret: (w) =>
      w.bb.issueAccessToken({ kind: "repository", target: "acme/app", scopes: ["repository"] }),
    code: 1,
  },
  // ---- refused before any request -----------------------------------------------------------
  {
    name: "retired app password",
    secret: (w) => w.bb.issueAppPassword(w.alice),
    code: 1,
  },
  {
    name: "expired by expires-at",
    inputs: (w, s) => api(w, s, { "expires-at": "2020-01-01" }),
    code: 1,
  },
  {
    name: "token with an inner newline",
    inputs: (w, s) => api(w, `${s.slice(0, 96)}\n${s.slice(96)}`),
    alsoSearch: (s) => [s.slice(0, 96), s.slice(96)],
    code: 1,
  },
  {
    name: "token with an inner space",
    inputs: (w, s) => api(w, `${s.slice(0, 96)} ${s.slice(96)}`),
    alsoSearch: (s) => [s.slice(0, 96), s.slice(96)],
    code: 1,
  },
  {
    name: "bad inputs all at once (email, scopes, repositories, http:// remote URL, date)",
    inputs: (w, s) =>
      api(w, s, {
        email: "alice",
        "required-scopes": "read:repo write:repositry:bitbucket",
        repositories: "acme",
        "api-url": "http://api.bitbucket.example/2.0",
        "expires-at": "31/12/2027",
      }),
    code: 1,
  },
  // ---- faults and hostile answers -----------------------------------------------------------
  {
    name: "503 forever",
    arrange: (w) => w.bb.inject(user(), { status: 503 }),
    code: 1,
  },
  {
    name: "429 with a Retry-After past the budget",
    arrange: (w) => w.bb.inject(user(), { status: 429, headers: { "retry-after": "600" } }),
    code: 1,
  },
  {
    name: "connection reset",
    arrange: (w) => w.bb.inject(user(), "reset"),
    code: 1,
  },
  {
    name: "a server that never answers",
    arrange: (w) => w.bb.inject(user(), "hang"),
    inputs: (w, s) => api(w, s, { "timeout-seconds": "1" }),
    code: 1,
  },
  {
    name: "redirect from the API",
    arrange: (w) => w.bb.inject(user(), { redirect: "http://127.0.0.1:9/2.0/user" }),
    code: 1,
  },
  {
    name: "redirect from the git host",
    arrange: (w) =>
      w.bb.inject(
        { server: "git", path: /info\/refs/, times: Infinity },
        { redirect: "http://127.0.0.1:9/x.git/info/refs" },
      ),
    inputs: (w, s) => api(w, s, { repositories: "acme/app" }),
    code: 1,
  },
  {
    name: "truncated body",
    arrange: (w) => w.bb.inject(user(), { truncate: true }),
    code: 1,
  },
  {
    name: "malformed JSON with 200",
    arrange: (w) =>
      w.bb.inject(user(), {
        status: 200,
        headers: { "content-type": "application/json", "x-oauth-scopes": SCOPES.join(",") },
        body: '{"uuid": ',
      }),
    code: 1,
  },
  {
    name: "HTML 502 from a proxy",
    arrange: (w) =>
      w.bb.inject(user(), {
        status: 502,
        headers: { "content-type": "text/html" },
        body: "<html>Bad Gateway</html>",
      }),
    code: 1,
  },
  {
    name: "HTML 200 from the git host",
    arrange: (w) =>
      w.bb.inject(
        { server: "git", path: /info\/refs/, times: Infinity },
        { status: 200, headers: { "content-type": "text/html" }, body: "<html>portal</html>" },
      ),
    inputs: (w, s) => api(w, s, { repositories: "acme/app" }),
    code: 1,
  },
  {
    name: "huge body",
    arrange: (w) =>
      w.bb.inject(user(), {
        status: 200,
        headers: { "x-oauth-scopes": SCOPES.join(",") },
        body: { pad: "x".repeat(1_500_000) },
      }),
    code: 1,
  },
  {
    name: "200 /user without account fields",
    arrange: (w) =>
      w.bb.inject(user(), {
        status: 200,
        headers: { "x-oauth-scopes": SCOPES.join(",") },
        body: { type: "user" },
      }),
    code: 1,
  },
  {
    name: "no x-oauth-scopes header",
    arrange: (w) =>
      w.bb.inject(user(), {
        status: 200,
        body: { type: "user", uuid: "{u}", account_id: "712020:x", username: "alice" },
      }),
    code: 1,
  },
  {
    name: "a hostile API echoing the token (and base64 of email:token) in every field and header",
    arrange: (w) => {
      const basic = Buffer.from(`${w.alice.email}:${w.token}`).toString("base64");
      w.bb.inject(user(), {
        status: 200,
        headers: {
          "x-oauth-scopes": `${SCOPES.join(",")},${w.token}`,
          "x-credential-type": w.token,
          location: `https://x/${w.token}`,
        },
        body: {
          type: "user",
          uuid: `{${w.token}}`,
          account_id: w.token,
          username: w.token,
          nickname: basic,
          display_name: `${basic} ${w.token}`,
        },
      });
    },
    code: 1,
  },
  {
    name: "407 from a proxy",
    arrange: (w) => w.bb.inject(user(), { status: 407 }),
    code: 1,
  },
];

// ---------------------------------------------------------------------------------------------

const figures = {
  scenarios: 0,
  placeChecks: 0,
  checks: 0,
  forms: 0,
  gitCommandLines: 0,
  argvSamples: 0,
};

/**
 * The world: the full one (repositories with a submodule, read-only and foreign ones) is built
 * once and shared by every scenario that injects no fault (building it spawns some twenty git
 * processes); a scenario with faults gets its own small world, because faults outlive it.
 */
async function buildWorld(full: boolean): Promise<World> {
  const bb = await startBitbucket();
  const alice = bb.addAccount({
    email: "alice@example.com",
    username: "alice",
    displayName: "Alice Example",
  });
  if (full) {
    bb.addRepository("acme/lib");
    bb.addRepository("acme/app", { submodule: "acme/lib" });
    bb.addRepository("acme/readonly");
    bb.addRepository("other/secret");
    bb.grant(alice, "acme/lib", "write");
    bb.grant(alice, "acme/readonly", "read");
  } else {
    bb.addRepository("acme/app");
  }
  bb.grant(alice, "acme/app", "write");
  return { bb, alice, token: bb.issueApiToken(alice, { scopes: SCOPES }) };
}

let shared: Promise<World> | undefined;
after(async () => {
  if (shared) await (await shared).bb.close();
});

/**
 * Samples the command line of every process on the machine while the audit runs (Linux /proc):
 * whatever the action or anything it starts runs for more than a few milliseconds, its argv
 * is seen. One sampler for the whole file (reads are async, so the emulator keeps answering).
 */
const argvSeen = new Set<string>();
let sampling = false;
let sampler: Promise<void> | undefined;
before(() => {
  if (!existsSync("/proc/self/cmdline")) return;
  sampling = true;
  sampler = (async () => {
    while (sampling) {
      const pids = (await readdir("/proc")).filter((pid) => /^\d+$/.test(pid));
      await Promise.all(
        pids.map((pid) =>
          readFile(`/proc/${pid}/cmdline`, "utf8").then(
            (cmdline) => argvSeen.add(cmdline.replaceAll("\0", " ")),
            () => {}, // gone already
          ),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
});
after(async () => {
  sampling = false;
  await sampler;
});

const STEP_FILES = [
  "GITHUB_OUTPUT",
  "GITHUB_ENV",
  "GITHUB_STATE",
  "GITHUB_PATH",
  "GITHUB_STEP_SUMMARY",
] as const;

/** The places one step offers: its output streams, the runner files, what they parse into. */
function stepPlaces(label: string, step: StepResult, masks: string[]): Place[] {
  const lines = step.stdout.split("\n");
  masks.push(...step.masks);
  const places: Place[] = [
    {
      name: `${label} stdout`,
      text: lines.filter((l) => !l.startsWith("::add-mask::")).join("\n"),
    },
    { name: `${label} stderr`, text: step.stderr },
    { name: `${label} exported variables`, text: JSON.stringify(step.exported) },
    { name: `${label} outputs`, text: JSON.stringify(step.outputs) },
    { name: `${label} annotations`, text: JSON.stringify(step.annotations) },
  ];
  for (const file of STEP_FILES) {
    const path = step.env[file];
    places.push({
      name: `${label} ${file}`,
      text: path && existsSync(path) ? readFileSync(path, "utf8") : "",
    });
  }
  assert.ok(!/::add-mask::/.test(step.stderr), "masks go to stdout only");
  return places;
}

async function audit(scenario: Scenario): Promise<string[]> {
  const own = scenario.arrange !== undefined;
  if (!own && shared === undefined) shared = buildWorld(true);
  const w = own ? await buildWorld(false) : await (shared as Promise<World>);
  const shimDir = mkdtempSync(join(tmpdir(), "bbauth-shim-"));
  const shim = installGitShim(shimDir);
  const debug = scenario.debug ?? true;
  const job: Job = await newJob({
    pathPrepend: [shim.binDir],
    env: debug ? DEBUG : {},
    gitconfig: USER_CONFIG,
  });
  try {
    scenario.arrange?.(w);
    const secret = scenario.secret?.(w) ?? w.token;
    const inputs: Record<string, string> = scenario.inputs?.(w, secret) ?? api(w, secret);
    const places: Place[] = [];
    const masks: string[] = [];

    const main = await runMain(job, inputs);
    await scenario.canary?.(job, secret, w);
    assert.equal(main.code, scenario.code, main.stdout + main.stderr);
    if (debug && main.code === 0) assert.match(main.stdout, /^::debug::/m, "debug lines were on");
    places.push(...stepPlaces("main", main, masks));

    if (scenario.laterGit) {
      const gitSteps: [string, string[], string?][] = [
        [
          "clone",
          [
            "clone",
            ...(scenario.noSubmodules ? [] : ["--recurse-submodules"]),
            `${w.bb.gitUrl}/acme/app.git`,
            "app",
          ],
        ],
        [
          "commit",
          [
            "-c",
            "user.name=CI",
            "-c",
            "user.email=ci@example.com",
            "commit",
            "--allow-empty",
            "-m",
            "ci",
          ],
          "app",
        ],
        ["push", ["push", "origin", `HEAD:refs/heads/leak-audit-${randomUUID()}`], "app"],
        ["fetch", ["fetch", "--all"], "app"],
      ];
      if (inputs["rewrite-ssh-urls"] === "true") {
        const host = new URL(w.bb.gitUrl).hostname;
        gitSteps.push(["ssh-style ls-remote", ["ls-remote", `git@${host}:acme/app.git`]]);
      }
      for (const [name, args, dir] of gitSteps) {
        // Debug tracing on, as someone chasing a problem would: git redacts Authorization.
        const env: Record<string, string> = debug
          ? { GIT_TRACE: "1", GIT_TRACE_CURL: "1", GIT_CURL_VERBOSE: "1" }
          : {};
        const result = await runGit(job, args, {
          cwd: dir ? join(job.workspace, dir) : undefined,
          env,
        });
        assert.equal(result.code, 0, `${name}: ${result.stderr.slice(-500)}`);
        places.push(
          { name: `git ${name} stdout`, text: result.stdout },
          { name: `git ${name} stderr`, text: result.stderr },
        );
      }
    }

    // While the job runs: the workspace and HOME (RUNNER_TEMP holds the credential file).
    for (const [label, dir] of [
      ["workspace", job.workspace],
      ["HOME", job.home],
    ] as const) {
      for (const place of await scanTree(dir))
        places.push({ ...place, name: `during job, ${label}: ${place.name}` });
    }

    const post = await runPost(job);
    const argv = [...argvSeen];
    assert.equal(post.code, 0);
    places.push(...stepPlaces("post", post, masks));

    const gitLines = readGitLog(shim.logFile);
    if (scenario.laterGit) assert.ok(gitLines.length >= 4, "the shim recorded the git steps");
    const configured = main.code === 0 && inputs["configure-git"] !== "false";
    if (!configured && !scenario.canary)
      assert.deepEqual(gitLines, [], "no git run without git set-up");
    if (configured && !scenario.laterGit && !scenario.canary) {
      // The action's own git: its version, the config parses, no rewrite, then the proof.
      const verbs = gitLines.map((args) => args.filter((a) => !/^https?:\/\//.test(a)).join(" "));
      assert.deepEqual(verbs.slice(0, 4), [
        "--version",
        "config --list --name-only",
        "config --list --name-only",
        "config --show-origin -z --get-regexp ^url\\..*\\.(insteadof|pushinsteadof)$",
      ]);
      assert.match(
        verbs[4],
        /^(-c credential\.helper= ls-remote HEAD|config -z --get-urlmatch http\.extraheader)$/,
      );
      assert.equal(gitLines.length, 5);
    }
    places.push(
      ...gitLines.map((args, i) => ({ name: `git command line #${i + 1}`, text: args.join("\0") })),
      { name: "argv of every process sampled so far", text: argv.join("\n") },
    );

    // After post: nothing anywhere under the job (HOME, RUNNER_TEMP, workspace, runner files).
    for (const place of await scanTree(job.dir))
      places.push({ ...place, name: `after post: ${place.name}` });

    const users = [
      ...new Set([w.alice.email, inputs.email, "x-bitbucket-api-token-auth", "x-token-auth"]),
    ].filter(Boolean);
    const forms: SecretForm[] = [
      ...labelledSecretForms(secret, users),
      ...(scenario.alsoSearch?.(secret) ?? []).map((value, i) => ({
        label: `token part ${i + 1}`,
        value,
      })),
    ];
    const hits = findLeaks(forms, places);
    if (scenario.canary) return hits.map((h) => `${h.label} in ${h.place}`);
    assert.deepEqual(
      hits.map((h) => `${h.label} in ${h.place}`),
      [],
      "no form of the secret anywhere",
    );

    // The masks: registered before any other output, covering what a log could show.
    assert.ok(main.stdout.startsWith("::add-mask::"), "masking comes first");
    const given = inputs["api-token"].trim();
    const maskUsers = ["x-bitbucket-api-token-auth", "x-token-auth", inputs.email ?? ""];
    const expected = [
      given,
      ...given.split("\n").map((line) => line.trim()),
      encodeURIComponent(given),
      ...maskUsers.filter(Boolean).map((u) => Buffer.from(`${u}:${given}`).toString("base64")),
    ];
    for (const form of expected)
      assert.ok(masks.includes(form), "every form a log could show is masked");

    figures.scenarios++;
    figures.forms += forms.length;
    figures.placeChecks += places.length;
    figures.checks += places.length * forms.length;
    figures.gitCommandLines += gitLines.length;
    figures.argvSamples = Math.max(figures.argvSamples, argv.length);
    return [];
  } finally {
    await job.close();
    rmSync(shimDir, { recursive: true, force: true });
    if (own) await w.bb.close();
  }
}

// Every scenario has its own emulator, job and git shim: they run side by side.
describe("leak audit: no form of the token anywhere, in any scenario", {
  skip: !gitShimSupported,
  concurrency: 4,
}, () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario.name}${scenario.debug === false ? "" : " (debug on)"}`, async () => {
      await audit(scenario);
    });
  }
});

test("the audit finds planted leaks in every kind of place (a test of the test)", async () => {
  const hits = await audit({
    name: "canary",
    inputs: (w, s) => api(w, s, { repositories: "acme/app" }),
    code: 0,
    async canary(job, secret, w) {
      const b64 = (u: string) => Buffer.from(`${u}:${secret}`).toString("base64");
      writeFileSync(join(job.workspace, "build.log"), `auth=${b64("x-bitbucket-api-token-auth")}`);
      writeFileSync(join(job.home, ".netrc"), `password ${encodeURIComponent(secret)}`);
      // A git command line carrying the token in its URL (the shim records it), …
      await runGit(job, [
        "ls-remote",
        `${w.bb.gitUrl.replace("://", `://x-token-auth:${secret}@`)}/acme/app.git`,
      ]);
      // … and any other process with it in its argv while the step runs.
      const child = spawn(process.execPath, [
        "-e",
        "setTimeout(() => {}, 300)",
        b64(w.alice.email),
      ]);
      await new Promise((resolve) => child.on("exit", resolve));
    },
  });
  const expect = (pattern: RegExp) =>
    assert.ok(
      hits.some((h) => pattern.test(h)),
      `expected a hit like ${pattern} in ${hits.join("; ")}`,
    );
  expect(
    /base64\(user:token\) for x-bitbucket-api-token-auth in during job, workspace: .*build\.log/,
  );
  expect(/encodeURIComponent\(token\) in during job, HOME: .*\.netrc/);
  expect(/^token in git command line #\d+$/);
  expect(/base64\(user:token\) for alice@example\.com in argv of every process sampled/);
  expect(/in after post: .*build\.log/);
});

after(() => {
  console.log(
    `# leak audit: ${figures.scenarios} scenarios, ${figures.placeChecks} places, ${figures.forms} forms in all (${(figures.forms / Math.max(1, figures.scenarios)).toFixed(1)} per scenario), ${figures.checks} place×form checks; ${figures.gitCommandLines} git command lines, ${figures.argvSamples} distinct process command lines sampled`,
  );
});
