/**
 * Proxies for real: Bitbucket over https behind a corporate proxy. The emulator sits behind TLS
 * front ends whose certificate (for bitbucket.test and api.bitbucket.test) comes from a test CA,
 * given to the step with NODE_EXTRA_CA_CERTS and to git with GIT_SSL_CAINFO. The proxy
 * (test/harness/tls-proxy.ts) is the only thing that can resolve those names, and it records the
 * local port of every connection it opens onward: when every connection a front accepted came
 * from one of those ports, every request went through the proxy.
 *
 * The action, the command and the pipe; git cloning through the same proxy afterwards; the
 * variables in either case; proxy credentials in the URL (used, never printed); NO_PROXY; and
 * the connection bound through a tunnel. The http-only proxy tests are in proxy.test.ts.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { newJob, REPO_ROOT, runGit, runMain, runPost, type StepResult } from "../harness/runner.ts";
import {
  type Certificates,
  makeCertificates,
  startTlsFront,
  startTunnelProxy,
  type TlsFront,
  type TunnelProxy,
} from "../harness/tls-proxy.ts";

const PASSWORD = "Pr0xy-pa55word";
const HOSTS = { "bitbucket.test": "127.0.0.1", "api.bitbucket.test": "127.0.0.1" };

let dir: string;
let certs: Certificates;
let bb: Bitbucket;
let alice: Account;
let token: string;
let apiFront: TlsFront;
let gitFront: TlsFront;
let proxy: TunnelProxy;
let guarded: TunnelProxy;
let apiUrl: string;
let gitUrl: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "proxy-tls-"));
  certs = makeCertificates(dir, Object.keys(HOSTS), ["127.0.0.1"]);
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/app");
  for (let i = 0; i < 40; i++) bb.addRepository(`many/repo-${i}`);
  bb.grant(alice, "acme", "write");
  bb.grant(alice, "many", "write");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
  apiFront = await startTlsFront(bb.apiUrl, certs);
  gitFront = await startTlsFront(bb.gitUrl, certs);
  proxy = await startTunnelProxy({ hosts: HOSTS });
  guarded = await startTunnelProxy({ hosts: HOSTS, credentials: `corp:${PASSWORD}` });
  apiUrl = `https://api.bitbucket.test:${apiFront.port}/2.0`;
  gitUrl = `https://bitbucket.test:${gitFront.port}`;
});
after(async () => {
  await Promise.all([apiFront, gitFront, proxy, guarded].map((server) => server.close()));
  await bb.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  bb.clearRequests();
  for (const p of [proxy, guarded]) {
    p.tunnels.length = 0;
    p.statuses.length = 0;
  }
  for (const front of [apiFront, gitFront]) {
    front.connections.from.length = 0;
    front.connections.peak = front.connections.open;
  }
});

const inputs = (extra: Record<string, string> = {}) => ({
  email: alice.email,
  "api-token": token,
  "api-url": apiUrl,
  "git-url": gitUrl,
  repositories: "acme/app",
  "timeout-seconds": "10",
  retries: "1",
  ...extra,
});
const trust = () => ({ NODE_EXTRA_CA_CERTS: certs.ca, GIT_SSL_CAINFO: certs.ca });
const withPassword = (p: TunnelProxy) => p.url.replace("http://", `http://corp:${PASSWORD}@`);
const errors = (step: StepResult) =>
  step.annotations
    .filter((a) => a.level === "error")
    .map((a) => a.message)
    .join("\n");

/** Every connection the fronts accepted came from the proxy, and there was at least one. */
function assertAllThrough(p: TunnelProxy, fronts: TlsFront[] = [apiFront, gitFront]) {
  const from = fronts.flatMap((front) => front.connections.from);
  assert.ok(from.length > 0, "the fronts were reached");
  const direct = from.filter((port) => !p.onward.has(port));
  assert.deepEqual(direct, [], "connections that did not come through the proxy");
}

const tunnelHosts = (p: TunnelProxy) => new Set(p.tunnels.map((t) => t.replace(/:\d+$/, "")));

describe("the action behind a proxy, Bitbucket over https", () => {
  test("HTTPS_PROXY: proven through CONNECT tunnels; a later git clone goes through them too", async () => {
    const job = await newJob({ env: { HTTPS_PROXY: proxy.url, ...trust() } });
    try {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout + main.stderr);
      assert.equal(main.outputs.username, "alice");
      assert.match(main.summary, /`acme\/app` \| ✅ proven \| ✅ proven/);
      // The step's own requests; git's proof of the set-up (ls-remote) comes on top.
      const ours = bb.requests.filter((r) => !String(r.headers["user-agent"]).startsWith("git/"));
      assert.equal(ours.length, 3, "/user and two advertisements");
      assert.deepEqual(tunnelHosts(proxy), new Set(Object.keys(HOSTS)));
      assertAllThrough(proxy);

      proxy.tunnels.length = 0;
      const clone = await runGit(job, ["clone", `${gitUrl}/acme/app.git`, "app"]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.deepEqual(tunnelHosts(proxy), new Set(["bitbucket.test"]));
      assertAllThrough(proxy, [gitFront]);
      assert.equal((await runPost(job)).code, 0);
    } finally {
      await job.close();
    }
  });

  test("https_proxy in lower case, for the step and for git (git given http.sslCAInfo in the global config instead)", async () => {
    // A runner that trusts a corporate CA in its global git config: the step's own proof
    // through git and the later clone both read it.
    const job = await newJob({
      env: { https_proxy: proxy.url, NODE_EXTRA_CA_CERTS: certs.ca },
      gitconfig: `[http]\n\tsslCAInfo = ${certs.ca}\n`,
    });
    try {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout);
      assertAllThrough(proxy);
      const clone = await runGit(job, ["clone", `${gitUrl}/acme/app.git`, "app"]);
      assert.equal(clone.code, 0, clone.stderr);
      assertAllThrough(proxy, [gitFront]);
      await runPost(job);
    } finally {
      await job.close();
    }
  });

  test("HTTP_PROXY alone: the step tunnels https through it too (git would not: for https it reads HTTPS_PROXY or ALL_PROXY)", async () => {
    const job = await newJob({ env: { HTTP_PROXY: proxy.url, ...trust() } });
    try {
      const main = await runMain(job, inputs({ "configure-git": "false" }));
      assert.equal(main.code, 0, main.stdout);
      assert.deepEqual(tunnelHosts(proxy), new Set(Object.keys(HOSTS)));
      assertAllThrough(proxy);
    } finally {
      await job.close();
    }
  });

  test("credentials in the proxy URL: used, never printed, the password masked", async () => {
    const job = await newJob({ env: { HTTPS_PROXY: withPassword(guarded), ...trust() } });
    try {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 0, main.stdout + main.stderr);
      assert.ok(main.masks.includes(PASSWORD), "the runner is told to mask the password");
      // The step's tunnels are opened with the credentials at once; git's proof may first ask
      // without them (libcurl's default) and get a 407, then with them.
      assert.ok(guarded.statuses.includes(200));
      assertAllThrough(guarded);
      const printed = [main.stdout, main.stderr, main.summary, JSON.stringify(main.outputs)];
      const withoutMasks = printed.join("\n").replaceAll(`::add-mask::${PASSWORD}`, "");
      assert.ok(!withoutMasks.includes(PASSWORD), "the password is printed nowhere");
      // Only the include of the credential file (and cargo's switch to git) is exported:
      // nothing about the proxy.
      assert.deepEqual(Object.keys(main.exported).sort(), [
        "CARGO_NET_GIT_FETCH_WITH_CLI",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_KEY_0",
        "GIT_CONFIG_VALUE_0",
      ]);
      assert.ok(!JSON.stringify(main.exported).includes(PASSWORD));

      const clone = await runGit(job, ["clone", `${gitUrl}/acme/app.git`, "app"]);
      assert.equal(clone.code, 0, clone.stderr);
      await runPost(job);
    } finally {
      await job.close();
    }
  });

  test("a proxy that wants credentials and gets none: a clear error, the token not judged", async () => {
    const job = await newJob({ env: { HTTPS_PROXY: guarded.url, ...trust() } });
    try {
      const main = await runMain(job, inputs());
      assert.equal(main.code, 1);
      assert.ok(guarded.statuses.includes(407));
      assert.match(errors(main), /proxy authentication \(407\).*token was not judged/s);
      assert.equal(bb.requests.length, 0);
    } finally {
      await job.close();
    }
  });

  for (const [variable, value] of [
    ["NO_PROXY", "127.0.0.1"],
    ["no_proxy", "example.com,127.0.0.1"],
  ]) {
    test(`${variable}=${value}: the host it names is reached directly, the other through the proxy`, async () => {
      const job = await newJob({ env: { HTTPS_PROXY: proxy.url, [variable]: value, ...trust() } });
      try {
        const direct = `https://127.0.0.1:${apiFront.port}/2.0`;
        const main = await runMain(job, inputs({ "api-url": direct, "configure-git": "false" }));
        assert.equal(main.code, 0, main.stdout);
        assert.deepEqual(tunnelHosts(proxy), new Set(["bitbucket.test"]));
        assertAllThrough(proxy, [gitFront]);
        assert.ok(apiFront.connections.from.every((port) => !proxy.onward.has(port)));
      } finally {
        await job.close();
      }
    });
  }

  test("40 repositories through a tunnel: at most 32 connections to the git host at once", async () => {
    bb.setDelay(100);
    const job = await newJob({ env: { HTTPS_PROXY: proxy.url, ...trust() } });
    try {
      const many = Array.from({ length: 40 }, (_, i) => `many/repo-${i}`).join(" ");
      const main = await runMain(job, inputs({ repositories: many, "configure-git": "false" }));
      assert.equal(main.code, 0, main.stdout);
      assert.equal(bb.requests.filter((r) => r.server === "git").length, 80);
      assert.ok(gitFront.connections.peak <= 32, `${gitFront.connections.peak} at once`);
      assert.ok(gitFront.connections.peak >= 16, "the tunnels are pooled, not one at a time");
      assertAllThrough(proxy);
    } finally {
      bb.setDelay(0);
      await job.close();
    }
  });
});

describe("only the proxy knows the names", () => {
  const unshare = spawnSync("unshare", ["--mount", "true"]);
  const skip =
    unshare.status === 0 ? false : "unshare --mount is not permitted here: it needs root";

  test("NO_PROXY naming api.bitbucket.test: the step goes there directly and cannot find it", {
    skip,
  }, async (t) => {
    const report = join(dir, "dns-report.json");
    const launcher = ["unshare", "--mount", process.execPath, ownDns, "nxdomain", report];
    const job = await newJob({
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: "api.bitbucket.test", ...trust() },
    });
    try {
      const main = await runMain(job, inputs({ retries: "0" }), { launcher });
      if (main.code === 77) return t.skip(main.stderr.trim()); // own-dns.ts could not listen
      assert.equal(main.code, 1, main.stdout);
      assert.match(errors(main), /\(api\.bitbucket\.test:\d+\).*host name was not found/);
      assert.match(errors(main), /token was not judged/);
      assert.ok(
        !tunnelHosts(proxy).has("api.bitbucket.test"),
        "the API was not asked of the proxy",
      );
      assert.ok(JSON.parse(readFileSync(report, "utf8")).questions > 0, "the step asked DNS");
    } finally {
      await job.close();
    }
  });
});

const ownDns = join(REPO_ROOT, "test", "harness", "own-dns.ts");

describe("the command and the pipe behind a proxy", () => {
  test("bitbucket-auth setup through HTTPS_PROXY with credentials, then git clones through it", async () => {
    const home = mkdtempSync(join(dir, "home-"));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      TMPDIR: mkdtempSync(join(dir, "tmp-")),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      HTTPS_PROXY: withPassword(guarded),
      ...trust(),
      BITBUCKET_EMAIL: alice.email,
      BITBUCKET_API_TOKEN: token,
    };
    const setup = await run(
      [
        process.execPath,
        join(REPO_ROOT, "dist", "cli.js"),
        "setup",
        `--api-url=${apiUrl}`,
        `--git-url=${gitUrl}`,
        "--repositories=acme/app",
      ],
      env,
    );
    assert.equal(setup.code, 0, setup.output);
    assert.ok(!setup.output.includes(PASSWORD));
    assertAllThrough(guarded);
    const { BITBUCKET_API_TOKEN: _, ...gitEnv } = env;
    const clone = await run(["git", "clone", `${gitUrl}/acme/app.git`, join(home, "app")], gitEnv);
    assert.equal(clone.code, 0, clone.output);
    assert.ok(!clone.output.includes(PASSWORD));
    assertAllThrough(guarded, [gitFront]);
    const cleanup = await run(
      [process.execPath, join(REPO_ROOT, "dist", "cli.js"), "cleanup"],
      env,
    );
    assert.equal(cleanup.code, 0, cleanup.output);
  });

  test("the pipe: the built repository checked through the proxy", async () => {
    const { code, output } = await run([process.execPath, join(REPO_ROOT, "dist", "pipe.js")], {
      PATH: process.env.PATH ?? "",
      HOME: mkdtempSync(join(dir, "home-")),
      HTTPS_PROXY: withPassword(guarded),
      NODE_EXTRA_CA_CERTS: certs.ca,
      BITBUCKET_REPO_FULL_NAME: "acme/app",
      BITBUCKET_EMAIL: alice.email,
      BITBUCKET_API_TOKEN: token,
      API_URL: apiUrl,
      GIT_URL: gitUrl,
    });
    assert.equal(code, 0, output);
    assert.match(output, /acme\/app: read proven, write proven/);
    assert.ok(!output.includes(PASSWORD));
    assertAllThrough(guarded);
  });
});

function run(
  command: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
