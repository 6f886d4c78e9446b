import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ATTEMPT_TIMEOUT_MS,
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  BitbucketClient,
  backoffMs,
  type Clock,
  firstHeader,
  joinUrl,
  parseRetryAfter,
} from "../../src/core/bitbucket/client.ts";
import { ask } from "../../src/core/bitbucket/requests.ts";
import {
  normalise,
  type RawResponse,
  type SendOptions,
  type Transport,
  TransportError,
} from "../../src/core/bitbucket/transport.ts";
import { secretForms } from "../../src/core/inputs/credential.ts";
import { type InputName, rawInputs } from "../../src/core/inputs/names.ts";
import { parseSettings, type Settings } from "../../src/core/inputs/settings.ts";
import { problem } from "../../src/core/messages/index.ts";
import { Failure } from "../../src/core/outcome.ts";
import { apiToken, EMAIL, NOW } from "./fixtures.ts";

describe("joinUrl", () => {
  it("joins a base with or without a path and trailing slashes", () => {
    assert.equal(
      joinUrl(new URL("https://api.bitbucket.org/2.0"), "/user"),
      "https://api.bitbucket.org/2.0/user",
    );
    assert.equal(
      joinUrl(new URL("https://api.bitbucket.org/2.0///"), "/user"),
      "https://api.bitbucket.org/2.0/user",
    );
    assert.equal(
      joinUrl(new URL("https://bitbucket.org"), "/acme/app.git/info/refs"),
      "https://bitbucket.org/acme/app.git/info/refs",
    );
    assert.equal(joinUrl(new URL("https://bitbucket.org/"), "/a"), "https://bitbucket.org/a");
  });

  it("keeps the port and the path's query, and drops anything else of the base", () => {
    assert.equal(
      joinUrl(
        new URL("http://127.0.0.1:8080/git/"),
        "/acme/app.git/info/refs?service=git-upload-pack",
      ),
      "http://127.0.0.1:8080/git/acme/app.git/info/refs?service=git-upload-pack",
    );
    assert.equal(
      joinUrl(new URL("https://u:p@example.test/base?q=1#f"), "/x"),
      "https://example.test/base/x",
    );
  });
});

describe("firstHeader", () => {
  it("takes the first of a repeated header", () => {
    assert.equal(firstHeader(["5", "7"]), "5");
    assert.equal(firstHeader("5"), "5");
    assert.equal(firstHeader(undefined), undefined);
    assert.equal(firstHeader([]), undefined);
  });
});

describe("parseRetryAfter", () => {
  const NOW_MS = Date.UTC(2026, 7, 15, 12, 0, 0);

  it("reads delay-seconds", () => {
    assert.equal(parseRetryAfter("0", NOW_MS), 0);
    assert.equal(parseRetryAfter("7", NOW_MS), 7000);
    assert.equal(parseRetryAfter(" 120 ", NOW_MS), 120_000);
  });

  it("reads the three HTTP date forms as a delay from now, never negative", () => {
    assert.equal(parseRetryAfter("Sat, 15 Aug 2026 12:00:30 GMT", NOW_MS), 30_000);
    assert.equal(parseRetryAfter("Saturday, 15-Aug-26 12:01:00 GMT", NOW_MS), 60_000);
    assert.equal(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW_MS), 0);
  });

  it("ignores absent, empty and meaningless values", () => {
    for (const value of [undefined, "", "   ", "soon", "10 seconds", "1e3"]) {
      assert.equal(parseRetryAfter(value, NOW_MS), undefined, JSON.stringify(value));
    }
  });

  it("ignores values that are neither delay-seconds nor an HTTP date", () => {
    for (const value of ["1.5", "-1", "5s"])
      assert.equal(parseRetryAfter(value, NOW_MS), undefined, value);
  });
});

describe("backoffMs", () => {
  it("waits half the doubling ceiling plus a random half", () => {
    assert.equal(backoffMs(0, 0), BACKOFF_BASE_MS / 2);
    assert.equal(backoffMs(0, 0.5), 375);
    assert.equal(backoffMs(1, 0), BACKOFF_BASE_MS);
    assert.equal(backoffMs(2, 0.999_999), 2000);
  });

  it("never exceeds the cap, and grows whatever the dice say", () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const random of [0, 0.25, 0.5, 0.999]) {
        const wait = backoffMs(attempt, random);
        assert.ok(wait <= BACKOFF_CAP_MS, `${attempt}, ${random}: ${wait}`);
        if (attempt > 0) assert.ok(wait >= backoffMs(attempt - 1, 0.999) / 2, `${attempt}`);
      }
    }
    assert.equal(backoffMs(30, 0), BACKOFF_CAP_MS / 2);
  });
});

describe("normalise", () => {
  it("passes a TransportError through", () => {
    const error = new TransportError("refused", "x");
    assert.equal(normalise(error), error);
  });

  it("tells the attempt's time limit from the client closing", () => {
    const timedOut = AbortSignal.abort(new DOMException("t", "TimeoutError"));
    const closed = AbortSignal.abort(new DOMException("c", "AbortError"));
    const cause = new Error("aborted");
    assert.deepEqual(
      [normalise(cause, timedOut).failure, normalise(cause, timedOut).message],
      ["timeout", "no answer in time"],
    );
    assert.deepEqual(
      [normalise(cause, closed).failure, normalise(cause, closed).message],
      ["other", "stopped"],
    );
  });

  it("maps Node's and undici's codes, however deep the cause", () => {
    const cases: [unknown, string, string][] = [
      [{ code: "ECONNREFUSED" }, "refused", "the connection was refused (ECONNREFUSED)"],
      [
        new Error("fetch failed", { cause: { code: "ENOTFOUND", message: "getaddrinfo" } }),
        "host-not-found",
        "the host name was not found (ENOTFOUND)",
      ],
      [
        new Error("a", { cause: new Error("b", { cause: { code: "UND_ERR_HEADERS_TIMEOUT" } }) }),
        "timeout",
        "no answer in time (UND_ERR_HEADERS_TIMEOUT)",
      ],
      [
        { code: "UND_ERR_SOCKET" },
        "reset",
        "the connection closed before the answer was complete (UND_ERR_SOCKET)",
      ],
      [{ code: "ETIMEDOUT" }, "connect-timeout", "the connection timed out (ETIMEDOUT)"],
      [{ code: "ENETUNREACH" }, "unreachable", "the network is unreachable (ENETUNREACH)"],
    ];
    for (const [error, failure, message] of cases) {
      const normalised = normalise(error);
      assert.deepEqual([normalised.failure, normalised.message], [failure, message]);
    }
  });

  it("recognises TLS failures by their code", () => {
    for (const code of [
      "CERT_HAS_EXPIRED",
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
    ]) {
      const normalised = normalise(new Error("fetch failed", { cause: { code } }));
      assert.equal(normalised.failure, "tls", code);
      assert.equal(
        normalised.message,
        `the server's TLS certificate was not accepted (${code})`,
        code,
      );
    }
  });

  it("recognises a proxy asking for credentials, and a proxy refusing the tunnel", () => {
    const auth = normalise(new Error("Proxy response (407) !== 200 when HTTP Tunneling"));
    assert.equal(auth.failure, "proxy-authentication");
    const tunnel = normalise(new Error("Proxy response (502) !== 200 when HTTP Tunneling"));
    assert.equal(tunnel.failure, "proxy");
    assert.equal(
      tunnel.message,
      "the proxy refused the tunnel (Proxy response (502) !== 200 when HTTP Tunneling)",
    );
  });

  it("never repeats a password found in a URL of the error", () => {
    const password = "pr0xy-Passw0rd";
    for (const error of [
      new Error(`proxy http://user:${password}@proxy.example:3128 tunnel failed`),
      { code: "EWHATEVER", message: `could not reach https://me:${password}@host.example/x` },
      new Error(`odd: socks5://${password}@10.0.0.1:1080`),
    ]) {
      const normalised = normalise(error);
      assert.ok(!normalised.message.includes(password), normalised.message);
    }
    assert.equal(
      normalise({ code: "EWHATEVER", message: `see https://me:${password}@host.example/x` })
        .message,
      "EWHATEVER see https://host.example/x",
    );
  });

  it("turns anything else into 'other' with its words", () => {
    assert.deepEqual(
      [normalise(new Error("boom")).failure, normalise(new Error("boom")).message],
      ["other", "boom"],
    );
    assert.equal(normalise("just a string").message, "just a string");
  });
});

// --- BitbucketClient with a fake transport and clock -------------------------------------------

const TOKEN = apiToken();

function settingsWith(values: Partial<Record<InputName, string>> = {}): Settings {
  const parsed = parseSettings(
    rawInputs({ email: EMAIL, "api-token": TOKEN, ...values }, () => ({ kind: "input" })),
    NOW,
  );
  if (parsed.problems) assert.fail(JSON.stringify(parsed.problems));
  return parsed.settings;
}

type Answer = Omit<RawResponse, "body"> & { body?: string };
type Handler = (url: string, options: SendOptions) => Answer | Error;

interface Fake {
  transport: Transport;
  clock: Clock;
  calls: { url: string; options: SendOptions }[];
  sleeps: number[];
  log: string[];
  closed: () => boolean;
  advance: (ms: number) => void;
}

function fake(handler: Handler): Fake {
  let now = 1_000_000;
  let closed = false;
  const calls: Fake["calls"] = [];
  const sleeps: number[] = [];
  const log: string[] = [];
  return {
    calls,
    sleeps,
    log,
    closed: () => closed,
    advance: (ms) => {
      now += ms;
    },
    transport: {
      async send(url, options) {
        calls.push({ url, options });
        const answer = handler(url, options);
        if (answer instanceof Error) throw answer;
        return { ...answer, body: Buffer.from(answer.body ?? "") };
      },
      async close() {
        closed = true;
      },
    },
    clock: {
      now: () => now,
      async sleep(ms, signal) {
        signal.throwIfAborted();
        sleeps.push(ms);
        now += ms;
      },
      timeout: () => new AbortController().signal,
      random: () => 0.5,
    },
  };
}

function clientFor(f: Fake, settings = settingsWith()): BitbucketClient {
  return new BitbucketClient(settings, {
    transport: f.transport,
    clock: f.clock,
    log: (line) => f.log.push(line),
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Failure, `expected a Failure, got ${String(error)}`);
    return error;
  }
  assert.fail("resolved");
}

describe("BitbucketClient", () => {
  it("sends REST with Basic email:token and git with git's username, and parses JSON", async () => {
    const f = fake((url) =>
      url.includes("/info/refs")
        ? {
            status: 200,
            headers: { "content-type": "application/x-git-upload-pack-advertisement" },
          }
        : json(200, { account_id: "1" }),
    );
    const client = clientFor(f);
    const user = await client.rest("/user");
    assert.deepEqual(user, {
      status: 200,
      headers: { "content-type": "application/json" },
      json: { account_id: "1" },
      notJson: false,
    });
    await client.git({ workspace: "acme", slug: "app", fullName: "acme/app" }, "git-upload-pack");
    const [rest, git] = f.calls;
    assert.equal(rest.url, "https://api.bitbucket.org/2.0/user");
    assert.equal(
      rest.options.headers.authorization,
      `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString("base64")}`,
    );
    assert.equal(rest.options.headers.accept, "application/json");
    assert.equal(rest.options.readBody, true);
    assert.equal(git.url, "https://bitbucket.org/acme/app.git/info/refs?service=git-upload-pack");
    assert.equal(
      git.options.headers.authorization,
      `Basic ${Buffer.from(`x-bitbucket-api-token-auth:${TOKEN}`).toString("base64")}`,
    );
    assert.equal(git.options.readBody, false);
    assert.ok(rest.options.timeoutMs <= ATTEMPT_TIMEOUT_MS);
    assert.deepEqual(client.sent, { rest: 1, git: 1 });
  });

  it("logs one line per attempt, never a header or the credential", async () => {
    let n = 0;
    const f = fake(() => (n++ === 0 ? { status: 503, headers: {} } : json(200, { a: 1 })));
    await clientFor(f).rest("/user");
    assert.deepEqual(f.log, [
      "GET https://api.bitbucket.org/2.0/user → 503",
      "GET https://api.bitbucket.org/2.0/user → 200",
    ]);
    for (const form of secretForms(TOKEN, EMAIL))
      assert.ok(!f.log.join("\n").includes(form), "a form of the secret in the log");
  });

  it("reads an empty body as no JSON, and a page as not JSON", async () => {
    const f = fake((url) =>
      url.endsWith("/empty")
        ? { status: 204, headers: {} }
        : { status: 401, headers: { "content-type": "text/html" }, body: "<html>no</html>" },
    );
    const client = clientFor(f);
    const empty = await client.rest("/empty");
    assert.deepEqual([empty.json, empty.notJson], [undefined, false]);
    const page = await client.rest("/page");
    assert.deepEqual([page.status, page.json, page.notJson], [401, undefined, true]);
  });

  it("returns 4xx answers at once: they are the verdict's to read", async () => {
    for (const status of [400, 401, 403, 404, 410]) {
      const f = fake(() => json(status, { type: "error" }));
      assert.equal((await clientFor(f).rest("/user")).status, status);
      assert.equal(f.calls.length, 1);
      assert.deepEqual(f.sleeps, []);
    }
  });

  it("never follows a redirect, and names only the origin it pointed to", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ location: "https://evil.example/steal?x=1" }, "https://evil.example"],
      [{ location: "/login" }, "https://api.bitbucket.org"],
      [{}, "nowhere (no Location header)"],
      [{ location: "http://[nope" }, "an address that is not a URL"],
    ];
    for (const [headers, to] of cases) {
      const f = fake(() => ({ status: 302, headers }));
      const error = await failure(clientFor(f).rest("/user"));
      assert.equal(error.verdict, "bad-input");
      assert.deepEqual(error.problems, [
        problem("redirected", { input: "api-url", host: "api.bitbucket.org", status: 302, to }),
      ]);
      assert.equal(f.calls.length, 1);
    }
    const f = fake(() => ({ status: 301, headers: { location: "https://elsewhere.example/" } }));
    const error = await failure(
      clientFor(f).git({ workspace: "a", slug: "b", fullName: "a/b" }, "git-receive-pack"),
    );
    assert.deepEqual(error.problems, [
      problem("redirected", {
        input: "git-url",
        host: "bitbucket.org",
        status: 301,
        to: "https://elsewhere.example",
      }),
    ]);
  });

  it("stops at a proxy's 407, as an answer or as an error", async () => {
    for (const answer of [
      { status: 407, headers: {} },
      new TransportError("proxy-authentication", "the proxy asked for credentials (407)"),
    ]) {
      const f = fake(() => answer);
      const error = await failure(clientFor(f).rest("/user"));
      assert.equal(error.verdict, "unreachable");
      assert.deepEqual(error.problems, [
        problem("proxy-authentication", { host: "api.bitbucket.org" }),
      ]);
      assert.equal(f.calls.length, 1);
    }
  });

  it("stops at an answer too large, without retrying", async () => {
    const f = fake(() => new TransportError("too-large", "x", { status: 200, bytes: "99999999" }));
    const error = await failure(clientFor(f).rest("/user"));
    assert.deepEqual(error.problems, [
      problem("too-large", { host: "api.bitbucket.org", status: 200, bytes: "99999999" }),
    ]);
    assert.equal(f.calls.length, 1);
  });

  it("retries 5xx and network errors with backoff, then answers", async () => {
    const answers: (Answer | Error)[] = [
      { status: 503, headers: {} },
      new TransportError("reset", "the connection was reset (ECONNRESET)"),
      json(200, { ok: true }),
    ];
    const f = fake(() => answers.shift() as Answer | Error);
    const answer = await clientFor(f).rest("/user");
    assert.equal(answer.status, 200);
    assert.deepEqual(f.sleeps, [backoffMs(0, 0.5), backoffMs(1, 0.5)]);
  });

  it("gives up after `retries` retries, naming the last failure", async () => {
    const f = fake(() => ({ status: 502, headers: { "content-type": "text/html" } }));
    const error = await failure(clientFor(f, settingsWith({ retries: "2" })).rest("/user"));
    assert.equal(error.verdict, "unreachable");
    assert.deepEqual(error.problems, [
      problem("failed-attempts", {
        host: "api.bitbucket.org",
        attempts: 3,
        retries: 2,
        last: "HTTP 502 (an HTML page, likely from a proxy)",
      }),
    ]);
    assert.equal(f.calls.length, 3);
  });

  it("with retries 0 tries once", async () => {
    const f = fake(() => ({ status: 500, headers: {} }));
    const error = await failure(clientFor(f, settingsWith({ retries: "0" })).rest("/user"));
    assert.deepEqual(error.problems, [
      problem("failed-attempts", {
        host: "api.bitbucket.org",
        attempts: 1,
        retries: 0,
        last: "HTTP 500",
      }),
    ]);
  });

  it("says 'did not answer in time' when every attempt timed out", async () => {
    const f = fake(() => new TransportError("timeout", "no answer in time"));
    const error = await failure(clientFor(f, settingsWith({ retries: "1" })).rest("/user"));
    assert.deepEqual(error.problems, [
      problem("no-answer", { host: "api.bitbucket.org", attempts: 2, retries: 1 }),
    ]);
  });

  it("honours Retry-After on 429", async () => {
    let n = 0;
    const f = fake(() =>
      n++ === 0 ? { status: 429, headers: { "retry-after": "7" } } : json(200, {}),
    );
    assert.equal((await clientFor(f).rest("/user")).status, 200);
    assert.deepEqual(f.sleeps, [7000]);
  });

  it("does not wait for a Retry-After longer than the time left", async () => {
    const f = fake(() => ({ status: 429, headers: { "retry-after": "600" } }));
    const error = await failure(clientFor(f).rest("/user"));
    assert.deepEqual(error.problems, [
      problem("retry-after-too-long", {
        host: "api.bitbucket.org",
        last: "HTTP 429 (rate limit exceeded)",
        wait: 600,
        left: 30,
      }),
    ]);
    assert.deepEqual(f.sleeps, []);
  });

  it("stops when the overall time budget is spent", async () => {
    let f: Fake | undefined;
    f = fake(() => {
      f?.advance(12_000);
      return { status: 503, headers: {} };
    });
    const error = await failure(clientFor(f, settingsWith({ retries: "10" })).rest("/user"));
    assert.deepEqual(error.problems, [
      problem("out-of-time", { host: "api.bitbucket.org", seconds: 30, last: "HTTP 503" }),
    ]);
    // Every attempt's limit is what is left of the budget, at most ATTEMPT_TIMEOUT_MS.
    const limits = f.calls.map((c) => c.options.timeoutMs);
    assert.ok(
      limits.every((ms) => ms > 0 && ms <= ATTEMPT_TIMEOUT_MS),
      String(limits),
    );
    assert.ok(limits[limits.length - 1] < ATTEMPT_TIMEOUT_MS);
  });

  it("after close() sends nothing more and closes the transport", async () => {
    const f = fake(() => json(200, {}));
    const client = clientFor(f);
    await client.close();
    assert.equal(f.closed(), true);
    await assert.rejects(client.rest("/user"), /stopped/);
    assert.equal(f.calls.length, 0);
  });
});

describe("ask: the request plan", () => {
  const ADVERTISEMENT = (service: string): Answer => ({
    status: 200,
    headers: { "content-type": `application/x-${service}-advertisement` },
  });
  const SCOPES =
    "read:user:bitbucket, read:workspace:bitbucket, read:repository:bitbucket, write:repository:bitbucket";

  /** A Bitbucket where `gone` repositories do not exist. */
  function bitbucket(gone: string[] = [], scopes: string | null = SCOPES): Fake {
    return fake((url) => {
      const { pathname, searchParams } = new URL(url);
      if (pathname === "/2.0/user")
        return json(200, { account_id: "1" }, scopes === null ? {} : { "x-oauth-scopes": scopes });
      const git = /^\/(.+)\.git\/info\/refs$/.exec(pathname);
      if (git) {
        if (gone.includes(git[1])) return { status: 404, headers: {} };
        return ADVERTISEMENT(searchParams.get("service") ?? "");
      }
      if (pathname.startsWith("/2.0/repositories/")) return json(404, { type: "error" });
      if (pathname.startsWith("/2.0/user/workspaces/")) return json(404, { type: "error" });
      return new Error(`unexpected ${url}`);
    });
  }
  const paths = (f: Fake) =>
    f.calls.map((c) => {
      const u = new URL(c.url);
      return `${u.host}${u.pathname}${u.search}`;
    });

  it("a fit token costs one REST request whatever the number of repositories", async () => {
    const f = bitbucket();
    const settings = settingsWith({ repositories: "acme/app acme/lib other/x" });
    const client = clientFor(f, settings);
    const answers = await ask(settings, client);
    assert.deepEqual(client.sent, { rest: 1, git: 6 });
    assert.deepEqual([answers.identity.path, answers.identity.response.status], ["/user", 200]);
    assert.deepEqual(
      answers.repositories.map((r) => [r.repository.fullName, r.read.status, r.write?.status]),
      [
        ["acme/app", 200, 200],
        ["acme/lib", 200, 200],
        ["other/x", 200, 200],
      ],
    );
    assert.ok(answers.repositories.every((r) => !r.rest && !r.membership));
  });

  it("asks for receive-pack only when push is required", async () => {
    const f = bitbucket();
    const settings = settingsWith({
      repositories: "acme/app",
      "required-scopes": "read:user:bitbucket read:repository:bitbucket",
    });
    const answers = await ask(settings, clientFor(f, settings));
    assert.deepEqual(paths(f).sort(), [
      "api.bitbucket.org/2.0/user",
      "bitbucket.org/acme/app.git/info/refs?service=git-upload-pack",
    ]);
    assert.equal(answers.repositories[0].write, undefined);
  });

  it("explains a git 404 with REST, and asks each workspace once about membership", async () => {
    const f = bitbucket(["acme/gone", "acme/lost"]);
    const settings = settingsWith({ repositories: "acme/gone acme/lost acme/app" });
    const client = clientFor(f, settings);
    const answers = await ask(settings, client);
    assert.deepEqual(client.sent, { rest: 4, git: 6 });
    const rest = paths(f).filter((p) => p.startsWith("api."));
    assert.deepEqual(rest.sort(), [
      "api.bitbucket.org/2.0/repositories/acme/gone",
      "api.bitbucket.org/2.0/repositories/acme/lost",
      "api.bitbucket.org/2.0/user",
      "api.bitbucket.org/2.0/user/workspaces/acme/permission",
    ]);
    const [gone, lost, app] = answers.repositories;
    assert.equal(gone.rest?.status, 404);
    assert.equal(lost.rest?.status, 404);
    assert.equal(app.rest, undefined);
    // The membership answer is shared by every repository of the workspace.
    assert.equal(gone.membership?.status, 404);
    assert.equal(gone.membership, app.membership);
  });

  it("when /user names no scopes, asks the first repository for them", async () => {
    const f = bitbucket([], null);
    const settings = settingsWith({ repositories: "acme/app acme/lib" });
    const answers = await ask(settings, clientFor(f, settings));
    assert.ok(paths(f).includes("api.bitbucket.org/2.0/repositories/acme/app"));
    assert.ok(!paths(f).includes("api.bitbucket.org/2.0/repositories/acme/lib"));
    assert.equal(answers.repositories[0].rest?.status, 404);
  });
});
