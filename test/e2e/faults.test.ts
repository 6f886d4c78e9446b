/**
 * Faults, hostile answers and timeouts. Two levels:
 *
 * - the bundled action (dist/main.js, then dist/post.js) against the emulator driven into each
 *   fault: every fault the token cannot be blamed for ends with exit code 1, one `::error`
 *   annotation that names the host and says the token was not judged, no stack trace, and
 *   nothing configured; faults that a retry fixes end in success;
 * - the client (src/core/bitbucket/client.ts) with an injected clock: backoff, jitter, Retry-After and
 *   the overall budget, checked to the millisecond without waiting for any of it.
 *
 * Small `timeout-seconds` and `retries` keep the whole file to seconds.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BACKOFF_CAP_MS, BitbucketClient, type Clock } from "../../src/core/bitbucket/client.ts";
import { createTransport, MAX_BODY_BYTES } from "../../src/core/bitbucket/transport.ts";
import { type InputName, rawInputs } from "../../src/core/inputs/names.ts";
import { parseSettings } from "../../src/core/inputs/settings.ts";
import { render } from "../../src/core/messages/index.ts";
import { Failure } from "../../src/core/outcome.ts";
import { rendererFor } from "../../src/core/render/renderer.ts";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES as SCOPES } from "../emulator/demo-world.ts";
import { type Job, newJob, runMain, runPost, type StepResult } from "../harness/runner.ts";

/** Faults tried, counted as the tests run (reported at the end). */
const faultsTried = { action: 0, client: 0 };

interface World {
  bb: Bitbucket;
  alice: Account;
  token: string;
  apiHost: string;
  gitHost: string;
  /** Arrival time (performance.now, and wall clock) of every request the emulator records. */
  arrivals: { url: string; at: number; wall: number }[];
}

/** A fresh emulator per test: faults injected with `times: Infinity` never leak into the next. */
async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  const bb = await startBitbucket();
  const alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/app");
  bb.grant(alice, "acme", "write");
  const token = bb.issueApiToken(alice, { scopes: SCOPES });
  const arrivals: World["arrivals"] = [];
  // The emulator pushes every request onto this array as it arrives: stamp them.
  const push = bb.requests.push.bind(bb.requests);
  bb.requests.push = (...items) => {
    for (const item of items)
      arrivals.push({ url: item.url, at: performance.now(), wall: Date.now() });
    return push(...items);
  };
  try {
    await fn({
      bb,
      alice,
      token,
      apiHost: new URL(bb.apiUrl).host,
      gitHost: new URL(bb.gitUrl).host,
      arrivals,
    });
  } finally {
    await bb.close();
  }
}

function inputs(w: World, extra: Record<string, string> = {}): Record<string, string> {
  return {
    email: w.alice.email,
    "api-token": w.token,
    "api-url": w.bb.apiUrl,
    "git-url": w.bb.gitUrl,
    "timeout-seconds": "5",
    retries: "2",
    ...extra,
  };
}

const errors = (step: StepResult) =>
  step.annotations.filter((a) => a.level === "error").map((a) => a.message);
const count = (w: World, prefix: string) =>
  w.bb.requests.filter((r) => r.url.startsWith(prefix)).length;
const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

interface Run {
  main: StepResult;
  post: StepResult;
  ms: number;
  job: Job;
}

/** main then post in a fresh job; asserts what every run must hold, whatever its outcome. */
async function run(w: World, extra: Record<string, string> = {}): Promise<Run> {
  faultsTried.action++;
  const job = await newJob();
  try {
    const started = performance.now();
    const main = await runMain(job, inputs(w, extra), { timeoutMs: 90_000 });
    const ms = performance.now() - started;
    const post = await runPost(job);
    const output = main.stdout + main.stderr + post.stdout + post.stderr;
    assert.doesNotMatch(output, STACK_TRACE, "no stack trace in any output");
    assert.doesNotMatch(output, /Unexpected error/, "every fault is an expected one");
    assert.equal(post.code, 0, "post never fails");
    assert.deepEqual(errors(post), []);
    assert.ok(!existsSync(join(job.home, ".gitconfig")), "nothing left in the global git config");
    assert.deepEqual(readdirOrEmpty(join(job.runnerTemp, "bitbucket-api-token-auth")), []);
    return { main, post, ms, job };
  } finally {
    await job.close();
  }
}

/** A run that must fail: exit 1, one error naming what is asked, nothing configured. */
async function expectFailure(
  w: World,
  extra: Record<string, string>,
  ...patterns: RegExp[]
): Promise<Run> {
  const job = await newJob();
  faultsTried.action++;
  try {
    const started = performance.now();
    const main = await runMain(job, inputs(w, extra), { timeoutMs: 90_000 });
    const ms = performance.now() - started;
    assert.equal(main.code, 1, main.stdout + main.stderr);
    const found = errors(main);
    assert.ok(found.length >= 1, "an ::error annotation");
    const text = found.join("\n");
    for (const pattern of patterns) assert.match(text, pattern);
    assert.ok(!existsSync(join(job.home, ".gitconfig")), "no ~/.gitconfig written");
    assert.deepEqual(readdirOrEmpty(join(job.runnerTemp, "bitbucket-api-token-auth")), []);
    assert.doesNotMatch(main.stdout, /The token is fit for use/);
    assert.doesNotMatch(main.summary, /✅ fit for use/);
    assert.equal(main.savedState["credential-id"], undefined, "git setup never started");
    const post = await runPost(job);
    const output = main.stdout + main.stderr + post.stdout + post.stderr;
    assert.doesNotMatch(output, STACK_TRACE, "no stack trace in any output");
    assert.doesNotMatch(output, /Unexpected error/);
    assert.equal(post.code, 0, "post never fails");
    assert.deepEqual(errors(post), []);
    return { main, post, ms, job };
  } finally {
    await job.close();
  }
}

/** "Not judged": the error names the host and says the token got no verdict. */
const notJudged = (host: string) => [
  new RegExp(`\\b${escapeRegExp(host)}\\b`),
  /token was not judged/,
];
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Each test has its own emulator and job: they run side by side (the recorder below must stay
// empty whichever test is running, so sharing it is fine).
describe("the action under faults (dist/main.js against the emulator)", { concurrency: 6 }, () => {
  test("503 twice then an answer: retried, and the token passes", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: 2 }, { status: 503 });
      const { main } = await run(w);
      assert.equal(main.code, 0, main.stdout);
      assert.equal(count(w, "/2.0/user"), 3);
    });
  });

  test("503 forever: fails naming the host, the token not judged; retries+1 attempts", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, { status: 503 });
      const { main } = await expectFailure(w, {}, ...notJudged(w.apiHost), /HTTP 503/);
      assert.equal(count(w, "/2.0/user"), 3, "retries: 2 → three attempts");
      assert.match(main.summary, /not checked/);
    });
  });

  test("429 with Retry-After in seconds: waits that long, then passes", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: 1 },
        { status: 429, headers: { "retry-after": "1" } },
      );
      const { main } = await run(w);
      assert.equal(main.code, 0, main.stdout);
      const user = w.arrivals.filter((a) => a.url.startsWith("/2.0/user"));
      assert.equal(user.length, 2);
      // Backoff alone would wait at most 500 ms before the first retry.
      assert.ok(user[1].at - user[0].at >= 950, `retried after ${user[1].at - user[0].at} ms`);
    });
  });

  test("429 with Retry-After as an HTTP date: waits until then, then passes", async () => {
    await withWorld(async (w) => {
      // HTTP dates have whole seconds: 4 s ahead is 3 to 4 s ahead, later than any backoff
      // (at most 500 ms before the first retry) and far enough for a loaded machine.
      const date = new Date(Date.now() + 4_000).toUTCString();
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: 1 },
        { status: 429, headers: { "retry-after": date } },
      );
      const { main } = await run(w, { "timeout-seconds": "15" });
      assert.equal(main.code, 0, main.stdout);
      const user = w.arrivals.filter((a) => a.url.startsWith("/2.0/user"));
      assert.equal(user.length, 2);
      assert.ok(user[0].wall < Date.parse(date), "the date was still ahead when it was sent");
      assert.ok(
        user[1].wall >= Date.parse(date) - 50,
        `retried ${Date.parse(date) - user[1].wall} ms before the date`,
      );
    });
  });

  test("Retry-After longer than the budget: fails at once, saying so", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        { status: 429, headers: { "retry-after": "120" } },
      );
      const { ms } = await expectFailure(
        w,
        {},
        ...notJudged(w.apiHost),
        /asked to wait 120 s/,
        /timeout-seconds/,
      );
      assert.equal(count(w, "/2.0/user"), 1, "no retry");
      assert.ok(ms < 4_000, `ended in ${ms} ms`);
    });
  });

  test("a 503 with a Retry-After date past the budget: fails at once too", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        { status: 503, headers: { "retry-after": new Date(Date.now() + 3_600_000).toUTCString() } },
      );
      await expectFailure(w, {}, ...notJudged(w.apiHost), /asked to wait \d+ s/);
      assert.equal(count(w, "/2.0/user"), 1);
    });
  });

  test("a connection reset: retried, and the token passes", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: 1 }, "reset");
      const { main } = await run(w);
      assert.equal(main.code, 0, main.stdout);
      assert.equal(count(w, "/2.0/user"), 2);
    });
  });

  test("connection resets every time: fails naming the host", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, "reset");
      await expectFailure(w, {}, ...notJudged(w.apiHost), /connection/);
      assert.equal(count(w, "/2.0/user"), 3);
    });
  });

  test("a server that never answers: fails in about timeout-seconds", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, "hang");
      const { ms } = await expectFailure(
        w,
        { "timeout-seconds": "3", retries: "3" },
        ...notJudged(w.apiHost),
        /did not answer in time/,
      );
      assert.ok(ms >= 2_900 && ms < 8_000, `ended after ${Math.round(ms)} ms`);
    });
  });

  test("a git host that never answers: the same, naming the git host", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "git", path: /info\/refs/, times: Infinity }, "hang");
      const { ms } = await expectFailure(
        w,
        { "timeout-seconds": "2", repositories: "acme/app" },
        ...notJudged(w.gitHost),
        /did not answer in time/,
      );
      assert.ok(ms >= 1_900 && ms < 7_000, `ended after ${Math.round(ms)} ms`);
    });
  });

  for (const status of [400, 401, 403, 404]) {
    test(`${status} on /user is never retried`, async () => {
      await withWorld(async (w) => {
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: Infinity },
          {
            status,
            headers: { "x-oauth-scopes": "read:repository:bitbucket" },
            body: { type: "error", error: { message: "no" } },
          },
        );
        await expectFailure(w, { retries: "3" }, /./);
        assert.equal(count(w, "/2.0/user"), 1);
      });
    });
  }

  test("404 and 403 from git, and the 404 that explains them, are never retried", async () => {
    await withWorld(async (w) => {
      w.bb.addRepository("acme/other");
      w.bb.inject(
        { server: "git", path: "/acme/app.git/info/refs", times: Infinity },
        { status: 404, body: "Repository not found" },
      );
      w.bb.inject(
        { server: "api", path: "/2.0/repositories/acme/app", times: Infinity },
        { status: 404, body: { type: "error", error: { message: "Repository not found" } } },
      );
      w.bb.inject(
        { server: "git", path: "/acme/other.git/info/refs", times: Infinity },
        { status: 403, body: "no" },
      );
      await expectFailure(
        w,
        { retries: "3", repositories: "acme/app acme/other" },
        /acme\/app: Bitbucket answered 404/,
        /acme\/other: the token's account may not read/,
      );
      assert.equal(count(w, "/acme/app.git/info/refs?service=git-upload-pack"), 1);
      assert.equal(count(w, "/2.0/repositories/acme/app"), 1);
      assert.equal(count(w, "/acme/other.git/info/refs?service=git-upload-pack"), 1);
    });
  });

  describe("a redirect to another server", () => {
    let recorder: Server;
    let recorderUrl: string;
    const received: { url?: string; headers: IncomingHttpHeaders }[] = [];
    before(async () => {
      recorder = createServer((req, res) => {
        received.push({ url: req.url, headers: req.headers });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
      await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
      recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => recorder.close(() => resolve())));

    for (const status of [301, 302, 307, 308]) {
      test(`${status} from the API: not followed, no credential reaches it, names api-url`, async () => {
        await withWorld(async (w) => {
          w.bb.inject(
            { server: "api", path: "/2.0/user", times: Infinity },
            { redirect: `${recorderUrl}/2.0/user?token=stolen`, status },
          );
          const { main } = await expectFailure(
            w,
            { retries: "3" },
            /`api-url`/,
            new RegExp(`redirected to ${escapeRegExp(recorderUrl)};`),
            /never sent after a redirect/,
          );
          assert.equal(received.length, 0, "the other server received nothing");
          assert.equal(count(w, "/2.0/user"), 1, "a redirect is not retried");
          assert.doesNotMatch(main.stdout, /stolen/, "the Location is not echoed whole");
        });
      });
    }

    test("a redirect from the git host names git-url", async () => {
      await withWorld(async (w) => {
        w.bb.inject(
          { server: "git", path: /info\/refs/, times: Infinity },
          { redirect: `${recorderUrl}/acme/app.git/info/refs?service=git-upload-pack` },
        );
        await expectFailure(w, { repositories: "acme/app" }, /`git-url`/);
        assert.equal(received.length, 0);
      });
    });
  });

  test("a truncated body once: retried, and the token passes", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: 1 }, { truncate: true });
      const { main } = await run(w);
      assert.equal(main.code, 0, main.stdout);
    });
  });

  test("truncated bodies every time: fails naming the host", async () => {
    await withWorld(async (w) => {
      w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, { truncate: true });
      await expectFailure(
        w,
        {},
        ...notJudged(w.apiHost),
        /connection was reset|closed before the answer was complete|cut short/,
      );
    });
  });

  test("malformed JSON with 200", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        {
          status: 200,
          headers: { "content-type": "application/json", "x-oauth-scopes": SCOPES.join(", ") },
          body: '{"type": "user", "uuid": "{1',
        },
      );
      await expectFailure(w, {}, ...notJudged(w.apiHost), /not the expected JSON/);
    });
  });

  test("an HTML error page from a proxy (502 text/html): retried, then a clear error", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        {
          status: 502,
          headers: { "content-type": "text/html; charset=utf-8" },
          body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        },
      );
      await expectFailure(w, {}, ...notJudged(w.apiHost), /HTTP 502 \(an HTML page/);
      assert.equal(count(w, "/2.0/user"), 3);
    });
  });

  test("an HTML page with 200 (a captive portal) on the API", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        {
          status: 200,
          headers: { "content-type": "text/html", "x-oauth-scopes": SCOPES.join(", ") },
          body: "<html><body>Please log in to the network</body></html>",
        },
      );
      await expectFailure(w, {}, ...notJudged(w.apiHost), /not the expected JSON/);
    });
  });

  test("an HTML page with 200 on the git host is not proof of git access", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "git", path: /info\/refs/, times: Infinity },
        { status: 200, headers: { "content-type": "text/html" }, body: "<html>portal</html>" },
      );
      await expectFailure(
        w,
        { repositories: "acme/app" },
        ...notJudged(w.gitHost),
        /not git's answer/,
      );
    });
  });

  test("a huge body (> 1 MiB): a clear error at once, not retried", async () => {
    await withWorld(async (w) => {
      const huge = JSON.stringify({ type: "user", uuid: "{x}", pad: "x".repeat(MAX_BODY_BYTES) });
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        {
          status: 200,
          headers: { "content-type": "application/json", "x-oauth-scopes": SCOPES.join(", ") },
          body: huge,
        },
      );
      await expectFailure(w, { retries: "3" }, ...notJudged(w.apiHost), /more than/);
      assert.equal(count(w, "/2.0/user"), 1);
    });
  });

  test("a 200 /user without account fields is not proof of identity", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        {
          status: 200,
          headers: { "x-oauth-scopes": SCOPES.join(", ") },
          body: { type: "user", display_name: "Somebody" },
        },
      );
      await expectFailure(w, {}, ...notJudged(w.apiHost), /without an account id/);
    });
  });

  test("no x-oauth-scopes header: a clear error, never fit", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        {
          status: 200,
          body: {
            type: "user",
            uuid: `{${crypto.randomUUID()}}`,
            account_id: "712020:x",
            username: "alice",
            display_name: "Alice",
          },
        },
      );
      const { main } = await expectFailure(
        w,
        { "configure-git": "true" },
        ...notJudged(w.apiHost),
        /did not say which scopes/,
      );
      assert.equal(main.outputs.scopes ?? "", "");
    });
  });

  test("a 407 from a proxy on the way: fails at once", async () => {
    await withWorld(async (w) => {
      w.bb.inject(
        { server: "api", path: "/2.0/user", times: Infinity },
        { status: 407, headers: { "proxy-authenticate": 'Basic realm="corp"' } },
      );
      await expectFailure(w, {}, ...notJudged(w.apiHost), /proxy authentication \(407\)/);
      assert.equal(count(w, "/2.0/user"), 1);
    });
  });

  test("nothing listening: connection refused, retried, then a clear error", async () => {
    await withWorld(async (w) => {
      const dead = createServer();
      await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
      const port = (dead.address() as AddressInfo).port;
      await new Promise<void>((resolve) => dead.close(() => resolve()));
      await expectFailure(
        w,
        { "api-url": `http://127.0.0.1:${port}/2.0` },
        ...notJudged(`127.0.0.1:${port}`),
        /refused/,
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The client alone, with an injected clock: no real waiting anywhere.

const EPOCH = Date.UTC(2026, 7, 15, 12, 0, 0);

class FakeClock implements Clock {
  t = EPOCH;
  readonly sleeps: number[] = [];
  /** When set, every attempt "takes" its whole timeout: the signal fires after a real tick. */
  hang = false;
  readonly dice: number[];
  constructor(dice: number[] = []) {
    this.dice = dice;
  }
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    if (this.hang) {
      setTimeout(() => {
        this.t += ms;
        controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
      }, 10);
    }
    return controller.signal;
  }
  random(): number {
    return this.dice.length > 0 ? (this.dice.shift() as number) : 0.5;
  }
}

type Extra = Partial<Record<InputName, string>>;

function clientFor(
  w: World,
  clock: Clock,
  extra: Extra = {},
  apiUrl = w.bb.apiUrl,
): BitbucketClient {
  const values = {
    email: w.alice.email,
    "api-token": w.token,
    "api-url": apiUrl,
    "git-url": w.bb.gitUrl,
    ...extra,
  };
  const parsed = parseSettings(
    rawInputs(values, () => ({ kind: "input" })),
    new Date(EPOCH),
  );
  if (parsed.problems) throw new Error(`bad settings: ${parsed.problems.map((p) => p.id)}`);
  return new BitbucketClient(parsed.settings, { transport: createTransport(), clock });
}

/** What a failure says, as the action words it. */
function said(error: unknown): string {
  assert.ok(error instanceof Failure, String(error));
  return error.problems.map((p) => render(p, rendererFor("action", "plain")).text).join("\n");
}

async function withClient(
  w: World,
  clock: Clock,
  extra: Extra,
  fn: (client: BitbucketClient) => Promise<void>,
): Promise<void> {
  faultsTried.client++;
  const client = clientFor(w, clock, extra);
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * undici's EnvHttpProxyAgent sends directly when no proxy is configured, and through its proxy
 * agent's NO_PROXY logic when one is: every client test runs both ways. A proxy variable naming
 * a dead port with NO_PROXY covering loopback exercises the second while still going direct.
 */
const TRANSPORTS: [string, Record<string, string>][] = [
  ["no proxy configured", {}],
  [
    "a proxy configured, NO_PROXY covering the host",
    { HTTP_PROXY: "http://127.0.0.1:9", NO_PROXY: "127.0.0.1" },
  ],
];
const PROXY_VARS = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
];

for (const [transport, env] of TRANSPORTS)
  describe(`the client with an injected clock (${transport})`, () => {
    const saved: Record<string, string | undefined> = {};
    before(() => {
      for (const name of PROXY_VARS) {
        saved[name] = process.env[name];
        delete process.env[name];
      }
      Object.assign(process.env, env);
    });
    after(() => {
      for (const name of PROXY_VARS) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    test("backoff grows, is jittered, and is capped", async () => {
      await withWorld(async (w) => {
        w.bb.inject({ server: "api", path: "/2.0/user", times: 7 }, { status: 503 });
        const low = new FakeClock([0, 0, 0, 0, 0, 0, 0]);
        await withClient(w, low, { retries: "10", "timeout-seconds": "600" }, async (client) => {
          assert.equal((await client.rest("/user")).status, 200);
        });
        assert.deepEqual(low.sleeps, [250, 500, 1000, 2000, 4000, 4000, 4000]);

        w.bb.inject({ server: "api", path: "/2.0/user", times: 7 }, { status: 503 });
        const high = new FakeClock([0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999]);
        await withClient(w, high, { retries: "10", "timeout-seconds": "600" }, async (client) => {
          assert.equal((await client.rest("/user")).status, 200);
        });
        assert.deepEqual(high.sleeps, [500, 1000, 1999, 3998, 7996, 7996, 7996]);
        assert.ok(high.sleeps.every((ms) => ms <= BACKOFF_CAP_MS));

        // The same failures with other dice wait differently: runners that failed together
        // do not come back together.
        w.bb.inject({ server: "api", path: "/2.0/user", times: 3 }, { status: 503 });
        const mid = new FakeClock([0.1, 0.7, 0.4]);
        await withClient(w, mid, { retries: "3" }, async (client) => {
          assert.equal((await client.rest("/user")).status, 200);
        });
        assert.deepEqual(mid.sleeps, [275, 850, 1400]);
        for (let i = 1; i < mid.sleeps.length; i++) assert.ok(mid.sleeps[i] > mid.sleeps[i - 1]);
      });
    });

    test("Retry-After in seconds is honoured exactly, on 429 and 503", async () => {
      await withWorld(async (w) => {
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: 1 },
          { status: 429, headers: { "retry-after": "7" } },
        );
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: 1 },
          { status: 503, headers: { "retry-after": "0" } },
        );
        const clock = new FakeClock();
        await withClient(w, clock, {}, async (client) => {
          assert.equal((await client.rest("/user")).status, 200);
        });
        assert.deepEqual(clock.sleeps, [7000, 0]);
      });
    });

    test("Retry-After as an HTTP date is honoured", async () => {
      await withWorld(async (w) => {
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: 1 },
          { status: 429, headers: { "retry-after": new Date(EPOCH + 12_000).toUTCString() } },
        );
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: 1 },
          { status: 429, headers: { "retry-after": new Date(EPOCH - 60_000).toUTCString() } },
        );
        const clock = new FakeClock();
        await withClient(w, clock, {}, async (client) => {
          assert.equal((await client.rest("/user")).status, 200);
        });
        // The second date is already past when it arrives (12 s later): retry at once.
        assert.deepEqual(clock.sleeps, [12_000, 0]);
      });
    });

    test("a Retry-After beyond the budget fails at once, without sleeping", async () => {
      await withWorld(async (w) => {
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: Infinity },
          { status: 429, headers: { "retry-after": "31" } },
        );
        const clock = new FakeClock();
        await withClient(w, clock, {}, async (client) => {
          await assert.rejects(client.rest("/user"), (error: Error) => {
            assert.match(said(error), /asked to wait 31 s \(Retry-After\), longer than the 30 s/);
            return true;
          });
        });
        assert.deepEqual(clock.sleeps, []);
        assert.equal(count(w, "/2.0/user"), 1);
      });
    });

    test("the overall budget bounds every wait and every attempt", async () => {
      await withWorld(async (w) => {
        w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, { status: 503 });
        const clock = new FakeClock([0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999]);
        await withClient(w, clock, { "timeout-seconds": "5", retries: "10" }, async (client) => {
          await assert.rejects(client.rest("/user"), (error: Error) => {
            assert.match(said(error), /did not answer in time \(last: HTTP 503\)/);
            return true;
          });
        });
        // 500 + 1000 + 1999 = 3499, then only the 1501 ms left: never past the budget.
        assert.deepEqual(clock.sleeps, [500, 1000, 1999, 1501]);
        assert.equal(clock.t - EPOCH, 5_000);
        assert.equal(count(w, "/2.0/user"), 4);
      });
    });

    test("with the defaults (30 s, 3 retries), a server that never answers fails well under a minute", async () => {
      await withWorld(async (w) => {
        w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, "hang");
        const clock = new FakeClock([0, 0, 0]);
        clock.hang = true;
        const real = performance.now();
        await withClient(w, clock, {}, async (client) => {
          await assert.rejects(client.rest("/user"), (error: Error) => {
            assert.match(said(error), /did not answer in time/);
            assert.match(said(error), /token was not judged/);
            return true;
          });
        });
        const simulated = clock.t - EPOCH;
        // 15 s (one attempt's limit) + 250 ms backoff + the 14.75 s left: exactly the budget.
        assert.equal(simulated, 30_000);
        assert.ok(simulated < 60_000);
        assert.ok(performance.now() - real < 5_000, "and the test itself did not wait");
      });
    });

    test("400, 401, 403 and 404 are answers, never retried", async () => {
      for (const status of [400, 401, 403, 404]) {
        await withWorld(async (w) => {
          w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, { status });
          const clock = new FakeClock();
          await withClient(w, clock, { retries: "10" }, async (client) => {
            assert.equal((await client.rest("/user")).status, status);
          });
          assert.deepEqual(clock.sleeps, []);
          assert.equal(count(w, "/2.0/user"), 1);
        });
      }
    });

    test("a network error is retried", async () => {
      await withWorld(async (w) => {
        w.bb.inject({ server: "api", path: "/2.0/user", times: 2 }, "reset");
        const clock = new FakeClock([0, 0]);
        await withClient(w, clock, {}, async (client) => {
          assert.equal((await client.rest("/user")).status, 200);
        });
        assert.deepEqual(clock.sleeps, [250, 500]);
      });
    });

    test("a redirect is an error naming the input, never followed", async () => {
      await withWorld(async (w) => {
        w.bb.inject(
          { server: "api", path: "/2.0/user", times: Infinity },
          { redirect: "http://127.0.0.1:9/elsewhere?secret=1" },
        );
        const clock = new FakeClock();
        await withClient(w, clock, {}, async (client) => {
          await assert.rejects(client.rest("/user"), (error: Error) => {
            assert.ok(error instanceof Failure && error.verdict === "bad-input");
            assert.deepEqual(error.problems[0].params, {
              input: "api-url",
              host: new URL(w.bb.apiUrl).host,
              status: 302,
              to: "http://127.0.0.1:9",
            });
            assert.match(said(error), /redirected to http:\/\/127\.0\.0\.1:9;/);
            assert.doesNotMatch(said(error), /secret/);
            return true;
          });
        });
      });
    });

    test("a streamed body over 1 MiB (no Content-Length) stops reading and is not retried", async () => {
      let requests = 0;
      const server = createServer((_req, res) => {
        requests++;
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 4 * MAX_BODY_BYTES) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        await withWorld(async (w) => {
          const port = (server.address() as AddressInfo).port;
          faultsTried.client++;
          const client = clientFor(w, new FakeClock(), {}, `http://127.0.0.1:${port}/2.0`);
          try {
            await assert.rejects(client.rest("/user"), (error: Error) => {
              assert.match(said(error), /more than 1048576 bytes/);
              return true;
            });
          } finally {
            await client.close();
          }
        });
        assert.equal(requests, 1);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    test("close() stops requests still running and their retries at once", async () => {
      await withWorld(async (w) => {
        w.bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, "hang");
        const client = clientFor(w, new FakeClock());
        faultsTried.client++;
        const pending = client.rest("/user");
        while (count(w, "/2.0/user") === 0) await new Promise((r) => setTimeout(r, 5));
        const real = performance.now();
        const stopped = assert.rejects(pending, /stopped/);
        await client.close();
        await stopped;
        assert.ok(performance.now() - real < 1_000);
        assert.equal(count(w, "/2.0/user"), 1, "no retry after close");
      });
    });
  });

after(() => {
  console.log(
    `# faults tried: ${faultsTried.action} runs of the action, ${faultsTried.client} client runs (both transports)`,
  );
});
