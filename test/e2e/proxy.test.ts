/**
 * Corporate proxies: the bundled action run with HTTPS_PROXY/HTTP_PROXY pointing at a real
 * forwarding proxy on loopback (the `proxy` package), which stamps a `Via` header on everything it
 * forwards, so the emulator's own request log proves which requests went through it.
 *
 * undici's EnvHttpProxyAgent (what the client uses once a proxy is configured) does not exempt
 * loopback by itself: only NO_PROXY does. The harness passes no NO_PROXY of the developer's
 * through, so these tests see exactly the variables they set.
 *
 * git is never run by the action: later steps' git reads the same variables itself (libcurl:
 * lower-case http_proxy for http URLs, HTTPS_PROXY/https_proxy, NO_PROXY), and the credential
 * config is keyed by URL, not by route, so it applies through a proxy unchanged. The last test
 * shows exactly that; the action needs no proxy handling for git.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { createProxy, type ProxyServer } from "proxy";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES as SCOPES } from "../emulator/demo-world.ts";
import { type Job, newJob, runGit, runMain, runPost, type StepResult } from "../harness/runner.ts";

let bb: Bitbucket;
let alice: Account;
let token: string;
let proxy: ProxyServer;
let proxyUrl: string;
/** Requests the proxy forwarded (absolute-URI form) and tunnels it opened (CONNECT). */
const forwarded: { method?: string; url?: string; authorization: boolean }[] = [];
const tunnels: string[] = [];
let requireProxyAuth = false;

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/app");
  bb.grant(alice, "acme", "write");
  token = bb.issueApiToken(alice, { scopes: SCOPES });

  proxy = createProxy(createServer());
  proxy.authenticate = (req: IncomingMessage) =>
    !requireProxyAuth ||
    req.headers["proxy-authorization"] === `Basic ${Buffer.from("corp:pw").toString("base64")}`;
  proxy.on("request", (req: IncomingMessage) =>
    forwarded.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization !== undefined,
    }),
  );
  proxy.on("connect", (req: IncomingMessage) => tunnels.push(String(req.url)));
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await bb.close();
});
beforeEach(() => {
  forwarded.length = 0;
  tunnels.length = 0;
  requireProxyAuth = false;
  bb.clearRequests();
});

const inputs = (extra: Record<string, string> = {}) => ({
  email: alice.email,
  "api-token": token,
  "api-url": bb.apiUrl,
  "git-url": bb.gitUrl,
  repositories: "acme/app",
  "timeout-seconds": "5",
  retries: "1",
  ...extra,
});
const errors = (step: StepResult) =>
  step.annotations.filter((a) => a.level === "error").map((a) => a.message);
const viaProxy = () => bb.requests.filter((r) => String(r.headers.via ?? "").includes("proxy/"));

async function withJob(env: Record<string, string>, fn: (job: Job) => Promise<void>) {
  const job = await newJob({ env });
  try {
    await fn(job);
  } finally {
    await job.close();
  }
}

describe("REST and git-advertisement calls honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY", () => {
  test("through the proxy: every request the action sends goes through it", async () => {
    await withJob({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl }, async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout + main.stderr);
      // /user, and the upload-pack and receive-pack advertisements. (git's own proof after set-up
      // follows git's proxy rules: libcurl ignores upper-case HTTP_PROXY for http:// URLs.)
      const ours = bb.requests.filter((r) => !String(r.headers["user-agent"]).startsWith("git/"));
      assert.equal(ours.length, 3);
      assert.equal(viaProxy().length, 3, "the emulator saw each request arrive via the proxy");
      assert.equal(forwarded.length, 3, "and the proxy counted each one");
      assert.ok(forwarded.every((r) => r.authorization));
      assert.deepEqual(
        forwarded.map((r) => new URL(String(r.url)).pathname).sort(),
        ["/2.0/user", "/acme/app.git/info/refs", "/acme/app.git/info/refs"].sort(),
      );
      await runPost(job);
    });
  });

  test("lower-case http_proxy is honoured too", async () => {
    await withJob({ http_proxy: proxyUrl }, async (job) => {
      const main = await runMain(job, inputs({ "configure-git": "false" }));
      assert.equal(main.code, 0, main.stdout);
      assert.equal(viaProxy().length, bb.requests.length);
      assert.ok(forwarded.length > 0);
    });
  });

  for (const noProxy of ["127.0.0.1", "localhost,127.0.0.1", "*", "example.com, 127.0.0.1"]) {
    test(`NO_PROXY=${JSON.stringify(noProxy)} covering the host: nothing goes through the proxy`, async () => {
      await withJob(
        { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, NO_PROXY: noProxy },
        async (job) => {
          const main = await runMain(job, inputs({ "configure-git": "false" }));
          assert.equal(main.code, 0, main.stdout);
          assert.equal(bb.requests.length, 3);
          assert.equal(viaProxy().length, 0);
          assert.equal(forwarded.length + tunnels.length, 0);
        },
      );
    });
  }

  test("NO_PROXY naming another host: still through the proxy", async () => {
    await withJob(
      { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, no_proxy: "bitbucket.example,10.0.0.1" },
      async (job) => {
        const main = await runMain(job, inputs({ "configure-git": "false" }));
        assert.equal(main.code, 0, main.stdout);
        assert.equal(viaProxy().length, 3);
      },
    );
  });

  test("a proxy that wants credentials: given in the proxy URL, it works", async () => {
    requireProxyAuth = true;
    const withCredentials = proxyUrl.replace("http://", "http://corp:pw@");
    await withJob({ HTTP_PROXY: withCredentials }, async (job) => {
      const main = await runMain(job, inputs({ "configure-git": "false" }));
      assert.equal(main.code, 0, main.stdout);
      assert.equal(viaProxy().length, 3);
      assert.doesNotMatch(main.stdout + main.stderr, /corp:pw/);
    });
  });

  test("a proxy that wants credentials and gets none: a clear error, the token not judged", async () => {
    requireProxyAuth = true;
    await withJob({ HTTP_PROXY: proxyUrl }, async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 1);
      assert.match(errors(main).join("\n"), /proxy authentication \(407\).*token was not judged/s);
      assert.ok(forwarded.length <= 4, "a 407 is not retried");
      assert.ok(!existsSync(join(job.home, ".gitconfig")));
    });
  });

  test("a proxy that is down: retried, then a clear error, the token not judged", async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await withJob({ HTTP_PROXY: `http://127.0.0.1:${port}` }, async (job) => {
      const started = performance.now();
      const main = await runMain(job, inputs());
      assert.equal(main.code, 1);
      assert.match(errors(main).join("\n"), /refused.*token was not judged/s);
      assert.match(main.summary, /HTTPS_PROXY, NO_PROXY/, "the summary points at proxy settings");
      assert.ok(performance.now() - started < 5_000);
      assert.equal(bb.requests.length, 0);
    });
  });
});

describe("hostile answers relayed by the proxy (the client's proxy transport)", () => {
  const env = () => ({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl });
  const cases: [string, () => void, Record<string, string>, RegExp][] = [
    [
      "a truncated body every time",
      () => bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, { truncate: true }),
      // The proxy may keep its side open after the emulator cuts the body: then it is a timeout.
      { "timeout-seconds": "2" },
      /failed 2 time\(s\)|did not answer in time/,
    ],
    [
      "a server that never answers",
      () => bb.inject({ server: "api", path: "/2.0/user", times: Infinity }, "hang"),
      { "timeout-seconds": "2" },
      /did not answer in time/,
    ],
    [
      "a huge body",
      () =>
        bb.inject(
          { server: "api", path: "/2.0/user", times: Infinity },
          { status: 200, body: { pad: "x".repeat(2 * 1024 * 1024) } },
        ),
      {},
      /more than/,
    ],
    [
      "a redirect",
      () =>
        bb.inject(
          { server: "api", path: "/2.0/user", times: Infinity },
          { redirect: "http://127.0.0.1:9/2.0/user" },
        ),
      {},
      /`api-url`/,
    ],
    [
      "an HTML page with 200 from the git host",
      () =>
        bb.inject(
          { server: "git", path: /info\/refs/, times: Infinity },
          { status: 200, headers: { "content-type": "text/html" }, body: "<html>portal</html>" },
        ),
      {},
      /not git's answer/,
    ],
  ];
  for (const [name, inject, extra, pattern] of cases) {
    test(`${name}: a clear error, nothing configured`, async () => {
      // Faults outlive a test (times: Infinity): a fresh emulator for each.
      const saved = { bb, alice, token };
      bb = await startBitbucket();
      try {
        alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
        bb.addRepository("acme/app");
        bb.grant(alice, "acme", "write");
        token = bb.issueApiToken(alice, { scopes: SCOPES });
        inject();
        await withJob(env(), async (job) => {
          const started = performance.now();
          const main = await runMain(job, inputs(extra));
          assert.equal(main.code, 1, main.stdout);
          assert.match(errors(main).join("\n"), pattern, main.stdout + main.stderr);
          assert.match(errors(main).join("\n"), /token was not judged|`api-url`/);
          assert.doesNotMatch(main.stdout + main.stderr, /^\s+at .+:\d+:\d+\)?$/m);
          assert.ok(performance.now() - started < 8_000);
          assert.ok(!existsSync(join(job.home, ".gitconfig")));
          assert.ok(forwarded.length > 0, "it went through the proxy");
          assert.equal((await runPost(job)).code, 0);
        });
      } finally {
        await bb.close();
        ({ bb, alice, token } = saved);
      }
    });
  }
});

describe("git in later steps", () => {
  test("uses the proxy from its own environment, with the credential the action set up", async () => {
    // libcurl reads only lower-case http_proxy for http:// URLs (httpoxy); the runner passes the
    // job's environment to every step, so git sees what the user set, untouched by the action.
    await withJob({ HTTP_PROXY: proxyUrl, http_proxy: proxyUrl }, async (job) => {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout);
      assert.equal(main.exported.http_proxy, undefined, "the action exports no proxy settings");
      assert.equal(main.exported.HTTP_PROXY, undefined);
      forwarded.length = 0;
      bb.clearRequests();
      const ls = await runGit(job, [
        "-c",
        "protocol.version=0",
        "ls-remote",
        `${bb.gitUrl}/acme/app.git`,
      ]);
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /refs\/heads\/main/);
      assert.ok(forwarded.length >= 1, "git went through the proxy");
      assert.ok(
        bb.requests.every((r) => String(r.headers.via ?? "").includes("proxy/")),
        "every git request arrived via the proxy",
      );
      assert.ok(bb.requests.every((r) => r.status === 200 && r.headers.authorization));
      await runPost(job);
    });
  });
});
