/**
 * The emulator's own machinery: credential formats, the git host's HTTP answers, the Git LFS
 * batch API and media host, repositories with files, LFS files and tags, fault injection, delays
 * and the request log. What it answers is checked against the OpenAPI document in
 * test/contract/; what git makes of it in git-server.test.ts.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import type { Account, Bitbucket, Repository } from "./bitbucket.ts";
import { startBitbucket } from "./bitbucket.ts";
import { LFS_CONTENT_TYPE, lfsPointer } from "./lfs.ts";

let bb: Bitbucket;
let alice: Account;
let token: string;
let app: Repository;
const BIG = "large file content\n".repeat(100);

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const restAuth = () => ({ authorization: basic(alice.email, token) });
const gitAuth = () => ({ authorization: basic("x-bitbucket-api-token-auth", token) });

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  app = bb.addRepository("acme/app");
  bb.addRepository("acme/big", { lfs: { "big.bin": BIG, "other.bin": "other\n" } });
  bb.addRepository("other/secret", { lfs: { "big.bin": BIG } });
  bb.grant(alice, "acme", "write");
  token = bb.issueApiToken(alice, { scopes: ["read:user:bitbucket", "read:repository:bitbucket"] });
});

after(() => bb.close());

describe("credentials", () => {
  test("look like Atlassian's and are new every time", () => {
    const api = bb.issueApiToken(alice, { scopes: [] });
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository"],
    });
    assert.match(api, /^ATATT3xFfGF0[A-Za-z0-9_-]{171}=[0-9A-F]{8}$/);
    assert.match(access, /^ATCTT3xFfGN0[A-Za-z0-9_-]{171}=[0-9A-F]{8}$/);
    assert.equal(api.length, 192);
    assert.equal(access.length, 192);
    assert.match(bb.issueAppPassword(alice), /^ATBB[A-Za-z0-9]{32}$/);
    assert.notEqual(bb.issueApiToken(alice, { scopes: [] }), api);
  });

  test("mistakes in the world are refused loudly", () => {
    assert.throws(() => bb.addRepository("acme/app"), /exists already/);
    assert.throws(() => bb.addRepository("no-slash"), /workspace\/slug/);
    assert.throws(
      () => bb.addRepository("acme/x", { submodule: "acme/missing" }),
      /addRepository it first/,
    );
    assert.throws(() => bb.grant(alice, "acme/missing", "read"), /addRepository it first/);
    assert.throws(
      () => bb.issueAccessToken({ kind: "workspace", target: "acme", scopes: ["account"] }),
      /user scope/,
    );
    assert.throws(
      () => bb.issueAccessToken({ kind: "project", target: "acme/NOPE", scopes: ["repository"] }),
      /no project/,
    );
    assert.throws(() => bb.revoke("not-a-token"), /unknown token/);
  });
});

describe("rate-limit headers", () => {
  test("access tokens get X-RateLimit-* on /repositories/*, API tokens never", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository"],
    });
    const bearer = { authorization: `Bearer ${access}` };
    for (const path of ["/repositories/acme/app", "/repositories/acme/missing"]) {
      const res = await fetch(`${bb.apiUrl}${path}`, { headers: bearer });
      await res.arrayBuffer();
      assert.equal(res.headers.get("x-ratelimit-limit"), "1000", path);
      assert.equal(res.headers.get("x-ratelimit-resource"), "api", path);
      assert.equal(res.headers.get("x-ratelimit-nearlimit"), "false", path);
    }
    const user = await fetch(`${bb.apiUrl}/user`, { headers: bearer });
    await user.arrayBuffer();
    assert.equal(user.headers.get("x-ratelimit-limit"), null);
    const api = await fetch(`${bb.apiUrl}/repositories/acme/app`, { headers: restAuth() });
    await api.arrayBuffer();
    assert.equal(api.status, 200);
    assert.equal(api.headers.get("x-ratelimit-limit"), null);
  });
});

describe("git host over HTTP", () => {
  const refs = (service: string) => `${bb.gitUrl}/acme/app.git/info/refs?service=${service}`;

  test("401 asks for Basic credentials with Bitbucket's realm", async () => {
    for (const headers of [{}, { authorization: basic(alice.email, token) }]) {
      const res = await fetch(refs("git-upload-pack"), { headers });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), 'Basic realm="Bitbucket.org HTTP"');
    }
  });

  test("the advertisement proves read or push rights without transferring anything", async () => {
    const read = await fetch(refs("git-upload-pack"), { headers: gitAuth() });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    assert.match(await read.text(), /^001e# service=git-upload-pack\n/);
    // This token lacks write:repository.
    assert.equal((await fetch(refs("git-receive-pack"), { headers: gitAuth() })).status, 403);
  });

  test("a Bearer access token works for git too; a Bearer API token does not", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository"],
    });
    assert.equal(
      (await fetch(refs("git-upload-pack"), { headers: { authorization: `Bearer ${access}` } }))
        .status,
      200,
    );
    assert.equal(
      (await fetch(refs("git-upload-pack"), { headers: { authorization: `Bearer ${token}` } }))
        .status,
      401,
    );
  });

  test("gzip-encoded request bodies reach http-backend", async () => {
    const head = (
      await (await fetch(refs("git-upload-pack"), { headers: gitAuth() })).text()
    ).match(/([0-9a-f]{40}) HEAD/)?.[1];
    assert.ok(head);
    const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, "0")}${line}`;
    const body = gzipSync(`${pkt(`want ${head}\n`)}0000${pkt("done\n")}`);
    const res = await fetch(`${bb.gitUrl}/acme/app.git/git-upload-pack`, {
      method: "POST",
      headers: {
        ...gitAuth(),
        "content-type": "application/x-git-upload-pack-request",
        "content-encoding": "gzip",
      },
      body,
    });
    assert.equal(res.status, 200);
    assert.match(Buffer.from(await res.arrayBuffer()).toString("latin1"), /NAK\n.*PACK/s);
  });
});

describe("fault injection", () => {
  const user = () => fetch(`${bb.apiUrl}/user`, { headers: restAuth(), redirect: "manual" });

  test("a raw answer for `times` matches, then normal service", async () => {
    bb.inject(
      { server: "api", path: "/2.0/user", times: 2 },
      { status: 503, body: "upstream unavailable" },
    );
    const answers = [await user(), await user(), await user()];
    assert.deepEqual(
      answers.map((r) => r.status),
      [503, 503, 200],
    );
    assert.equal(await answers[0].text(), "upstream unavailable");
  });

  test("faults queue in the order injected; headers, HTML, objects and empty bodies pass through", async () => {
    const date = new Date(Date.now() + 3000).toUTCString();
    bb.inject(
      { path: "/2.0/user" },
      {
        status: 429,
        headers: { "Retry-After": "7" },
        body: {
          type: "error",
          error: { message: "Rate limit for this resource has been exceeded" },
        },
      },
    );
    bb.inject({ path: "/2.0/user" }, { status: 429, headers: { "Retry-After": date } });
    bb.inject(
      { path: "/2.0/user" },
      {
        status: 502,
        headers: { "content-type": "text/html" },
        body: "<html><body>Bad Gateway</body></html>",
      },
    );
    bb.inject(
      { path: "/2.0/user" },
      { status: 200, headers: { "content-type": "application/json" }, body: '{"type": "user", ' },
    );
    bb.inject({ path: "/2.0/user" }, { status: 200, body: {} });

    const first = await user();
    assert.equal(first.status, 429);
    assert.equal(first.headers.get("retry-after"), "7");
    assert.match(first.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await first.json()) as { error: { message: string } };
    assert.equal(body.error.message, "Rate limit for this resource has been exceeded");
    assert.equal((await user()).headers.get("retry-after"), date);
    const html = await user();
    assert.equal(html.headers.get("content-type"), "text/html");
    assert.match(await html.text(), /Bad Gateway/);
    await assert.rejects((await user()).json(), SyntaxError);
    assert.deepEqual(await (await user()).json(), {});
    assert.equal((await user()).status, 200);
  });

  test("redirect, reset and truncate", async () => {
    bb.inject({ path: "/2.0/user" }, { redirect: "http://127.0.0.1:9/elsewhere" });
    bb.inject({ path: "/2.0/user" }, { redirect: "http://127.0.0.1:9/moved", status: 301 });
    bb.inject({ path: "/2.0/user" }, "reset");
    bb.inject({ path: "/2.0/user" }, { truncate: true });

    const found = await user();
    assert.equal(found.status, 302);
    assert.equal(found.headers.get("location"), "http://127.0.0.1:9/elsewhere");
    assert.equal((await user()).status, 301);
    await assert.rejects(user());
    const truncated = await user();
    await assert.rejects(truncated.text());
  });

  test("matches by server and RegExp on path + query; Infinity repeats", async () => {
    bb.inject(
      { server: "git", path: /service=git-receive-pack$/, times: Infinity },
      { status: 500 },
    );
    const refs = (service: string) =>
      fetch(`${bb.gitUrl}/acme/app.git/info/refs?service=${service}`, { headers: gitAuth() });
    assert.equal((await refs("git-receive-pack")).status, 500);
    assert.equal((await refs("git-receive-pack")).status, 500);
    assert.equal((await refs("git-upload-pack")).status, 200);
    assert.equal((await user()).status, 200, "the api server is not affected");
  });

  test("a hung request is cut by close()", async () => {
    const own = await startBitbucket();
    own.inject({ path: "/" }, "hang");
    const pending = fetch(`${own.apiUrl}/user`);
    while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await own.close();
    await assert.rejects(pending);
  });
});

describe("delay and request log", () => {
  test("every answer waits for the current delay, git included", async () => {
    const own = await startBitbucket({ delayMs: 60 });
    try {
      let started = performance.now();
      await fetch(`${own.apiUrl}/user`);
      assert.ok(performance.now() - started >= 55);
      started = performance.now();
      await fetch(`${own.gitUrl}/x/y.git/info/refs?service=git-upload-pack`);
      assert.ok(performance.now() - started >= 55);
      own.setDelay(0);
      started = performance.now();
      await fetch(`${own.apiUrl}/user`);
      assert.ok(performance.now() - started < 55);
    } finally {
      await own.close();
    }
  });

  test("records server, method, url, raw headers and status; clearRequests empties it", async () => {
    bb.clearRequests();
    await fetch(`${bb.apiUrl}/user?x=1`, { headers: restAuth() });
    await fetch(`${bb.gitUrl}/acme/app.git/info/refs?service=git-upload-pack`);
    assert.deepEqual(
      bb.requests.map(({ server, method, url, status }) => ({ server, method, url, status })),
      [
        { server: "api", method: "GET", url: "/2.0/user?x=1", status: 200 },
        {
          server: "git",
          method: "GET",
          url: "/acme/app.git/info/refs?service=git-upload-pack",
          status: 401,
        },
      ],
    );
    assert.equal(bb.requests[0].headers.authorization, restAuth().authorization);
    assert.equal(bb.requests[1].headers.authorization, undefined);
    for (const r of bb.requests) assert.ok(r.done !== undefined && r.done >= r.at);
    bb.clearRequests();
    assert.equal(bb.requests.length, 0);
  });

  test("counts the connections open at once, per server", async () => {
    const own = await startBitbucket({ delayMs: 100 });
    try {
      const { Agent, request } = await import("undici");
      const agent = new Agent({ connections: 5 });
      await Promise.all(
        Array.from({ length: 12 }, () =>
          request(`${own.gitUrl}/x/y.git/info/refs?service=git-upload-pack`, {
            dispatcher: agent,
          }).then((r) => r.body.dump()),
        ),
      );
      assert.equal(own.connections.git.peak, 5);
      assert.equal(own.connections.api.peak, 0);
      await agent.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(own.connections.git.open, 0);
      own.resetConnections();
      assert.equal(own.connections.git.peak, 0);
    } finally {
      await own.close();
    }
  });
});

describe("rate-limit headers", () => {
  test("setNearLimit(true): access tokens' /repositories/* answers say so; /user and API tokens never", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository"],
    });
    const bearer = { authorization: `Bearer ${access}` };
    bb.setNearLimit(true);
    try {
      let res = await fetch(`${bb.apiUrl}/repositories/acme/app`, { headers: bearer });
      await res.arrayBuffer();
      assert.equal(res.headers.get("x-ratelimit-nearlimit"), "true");
      assert.equal(res.headers.get("x-ratelimit-resource"), "api");
      res = await fetch(`${bb.apiUrl}/user`, { headers: bearer });
      await res.arrayBuffer();
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("x-ratelimit-nearlimit"), null);
      res = await fetch(`${bb.apiUrl}/repositories/acme/app`, { headers: restAuth() });
      await res.arrayBuffer();
      assert.equal(res.headers.get("x-ratelimit-nearlimit"), null);
    } finally {
      bb.setNearLimit(false);
    }
  });
});

test("serve.ts prints where the demo is, keeps the token in a 0600 file, and stops on SIGTERM", async () => {
  const child = execFile(process.execPath, [new URL("./serve.ts", import.meta.url).pathname]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d;
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      child.on("exit", () => reject(new Error(`serve.ts exited early: ${out}`)));
    });
    const info = JSON.parse(line);
    assert.deepEqual(Object.keys(info).sort(), ["apiUrl", "email", "gitUrl", "tokenFile"]);
    assert.equal(statSync(info.tokenFile).mode & 0o777, 0o600);
    const demoToken = readFileSync(info.tokenFile, "utf8");
    assert.ok(!line.includes(demoToken));
    const res = await fetch(`${info.apiUrl}/repositories/acme/app`, {
      headers: { authorization: basic(info.email, demoToken) },
    });
    assert.equal(res.status, 200);
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.equal(existsSync(info.tokenFile), false, "the token file is removed");
  } finally {
    child.kill("SIGKILL");
  }
});

describe("Git LFS batch API and media host", () => {
  const batchUrl = (repo: string) => `${bb.gitUrl}/${repo}.git/info/lfs/objects/batch`;
  const big = lfsPointer(BIG);
  interface BatchAnswer {
    status: number;
    contentType: string;
    // biome-ignore lint/suspicious/noExplicitAny: batch answers are JSON checked field by field
    body: any;
  }
  async function batch(
    repo: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<BatchAnswer> {
    const res = await fetch(batchUrl(repo), {
      method: "POST",
      headers: {
        accept: LFS_CONTENT_TYPE,
        "content-type": LFS_CONTENT_TYPE,
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return {
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      body: await res.json(),
    };
  }
  const download = (...objects: { oid: string; size: number }[]) => ({
    operation: "download",
    transfers: ["basic"],
    objects,
  });

  test("403, not 401, without a usable credential; JSON in git-lfs's media type", async () => {
    const expired = bb.issueApiToken(alice, {
      scopes: ["read:repository:bitbucket"],
      expired: true,
    });
    const cases: [string, Record<string, string>][] = [
      ["no credential", {}],
      ["the email as username", { authorization: basic(alice.email, token) }],
      ["expired", { authorization: basic("x-bitbucket-api-token-auth", expired) }],
      ["app password", { authorization: basic("alice", bb.issueAppPassword(alice)) }],
    ];
    for (const [name, headers] of cases) {
      const answer = await batch("acme/big", download(big), headers);
      assert.equal(answer.status, 403, name);
      assert.match(answer.contentType, /^application\/vnd\.git-lfs\+json/, name);
      assert.equal(typeof answer.body.message, "string", name);
    }
  });

  test("scope, repository and write checks as for git; bad requests 422", async () => {
    const writeOnly = bb.issueApiToken(alice, { scopes: ["write:repository:bitbucket"] });
    const noScope = await batch("acme/big", download(big), {
      authorization: basic("x-bitbucket-api-token-auth", writeOnly),
    });
    assert.equal(noScope.status, 403);
    for (const repo of ["other/secret", "acme/none"]) {
      assert.equal((await batch(repo, download(big), gitAuth())).status, 404, repo);
    }
    const upload = { operation: "upload", objects: [big] };
    assert.equal((await batch("acme/big", upload, gitAuth())).status, 403, "no write scope");
    for (const body of ["{", "{}", JSON.stringify({ operation: "download", objects: [{}] })]) {
      assert.equal((await batch("acme/big", body, gitAuth())).status, 422, body);
    }
  });

  test("upload: a PUT href on the media host for new objects; it keeps only matching content", async () => {
    const readWrite = {
      authorization: basic(
        "x-bitbucket-api-token-auth",
        bb.issueApiToken(alice, {
          scopes: ["read:repository:bitbucket", "write:repository:bitbucket"],
        }),
      ),
    };
    const fresh = lfsPointer("uploaded content\n");
    const answer = await batch(
      "acme/big",
      { operation: "upload", objects: [big, fresh] },
      readWrite,
    );
    assert.equal(answer.status, 200);
    const [present, added] = answer.body.objects;
    assert.equal(present.actions, undefined, "already stored: nothing to upload");
    const action = added.actions.upload;
    assert.equal(action.header, undefined);
    assert.match(action.href, new RegExp(`^${bb.mediaUrl}/lfs/[\\w-]{20,}/${fresh.oid}$`));

    const put = (body: string, href = action.href) =>
      fetch(href, { method: "PUT", body }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    assert.equal(await put("something else\n"), 400);
    assert.equal(
      await put("uploaded content\n", action.href.replace(/\/lfs\/[^/]+/, "/lfs/x")),
      404,
    );
    const downloadHref = (
      await batch("acme/big", download(big), gitAuth())
    ).body.objects[0].actions.download.href.replace(big.oid, fresh.oid);
    assert.equal(
      await put("uploaded content\n", downloadHref),
      404,
      "a download key cannot upload",
    );
    assert.equal(await put("uploaded content\n"), 200);

    const fetched = await batch("acme/big", download(fresh), gitAuth());
    const res = await fetch(fetched.body.objects[0].actions.download.href);
    assert.equal(await res.text(), "uploaded content\n");
  });

  test("download: a signed media href per stored object, no header, a 404 error for others", async () => {
    const unknown = { oid: "0".repeat(64), size: 3 };
    const answer = await batch("acme/big", download(big, unknown), gitAuth());
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^application\/vnd\.git-lfs\+json/);
    const [found, missing] = answer.body.objects;
    assert.equal(found.oid, big.oid);
    assert.equal(found.size, big.size);
    const action = found.actions.download;
    assert.equal(action.header, undefined, "no Authorization handed out");
    assert.ok(action.expires_in > 0);
    const href = new URL(action.href);
    assert.equal(href.origin, new URL(bb.mediaUrl).origin);
    assert.match(href.pathname, new RegExp(`^/lfs/[\\w-]{20,}/${big.oid}$`));
    assert.ok(!action.href.includes(token), "the token is not in the href");
    assert.deepEqual(missing.error?.code, 404);
    assert.equal(missing.actions, undefined);

    bb.clearRequests();
    const res = await fetch(action.href);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.equal(await res.text(), BIG);
    assert.deepEqual(
      bb.requests.map((r) => [r.server, r.method, r.url, r.status]),
      [["media", "GET", href.pathname, 200]],
    );
    assert.equal(bb.requests[0].headers.authorization, undefined);
  });

  test("the media host serves only what a key was issued for; everything else is 404", async () => {
    const other = lfsPointer("other\n");
    const answer = await batch("acme/big", download(big), gitAuth());
    const href: string = answer.body.objects[0].actions.download.href;
    const key = new URL(href).pathname.split("/")[2];
    const media = (path: string, method = "GET") =>
      fetch(`${bb.mediaUrl}${path}`, { method }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    assert.equal(await media(`/lfs/${key}/${big.oid}`), 200);
    assert.equal(await media(`/lfs/${key}/${big.oid}`, "HEAD"), 200);
    assert.equal(await media(`/lfs/${key}/${other.oid}`), 404, "an oid the key was not issued for");
    assert.equal(await media(`/lfs/not-a-key/${big.oid}`), 404);
    assert.equal(await media(`/lfs/${key}/${big.oid}`, "POST"), 404);
    assert.equal(await media("/"), 404);
    assert.equal(bb.connections.media.peak > 0, true);
  });

  test("with publicUrls the href names the public media host", async () => {
    const own = await startBitbucket({
      publicUrls: {
        api: "https://api.bitbucket.org/2.0",
        git: "https://bitbucket.org",
        media: "https://media.bitbucket.test/",
      },
    });
    try {
      const carol = own.addAccount({ email: "carol@example.com", username: "carol" });
      own.addRepository("acme/big", { lfs: { "big.bin": BIG } });
      own.grant(carol, "acme", "read");
      const carolToken = own.issueApiToken(carol, { scopes: ["read:repository:bitbucket"] });
      const res = await fetch(`${own.gitUrl}/acme/big.git/info/lfs/objects/batch`, {
        method: "POST",
        headers: {
          "content-type": LFS_CONTENT_TYPE,
          host: "bitbucket.org",
          authorization: basic("x-bitbucket-api-token-auth", carolToken),
        },
        body: JSON.stringify(download(big)),
      });
      const body = (await res.json()) as {
        objects: { actions: { download: { href: string } } }[];
      };
      const href = body.objects[0].actions.download.href;
      assert.match(href, new RegExp(`^https://media\\.bitbucket\\.test/lfs/[\\w-]+/${big.oid}$`));
      // The front forwards the path unchanged: the loopback listener serves it.
      const served = await fetch(`${own.mediaUrl}${new URL(href).pathname}`, {
        headers: { host: "media.bitbucket.test" },
      });
      assert.equal(await served.text(), BIG);
    } finally {
      await own.close();
    }
  });
});

describe("repositories with files, LFS files and tags", () => {
  test("one commit on main holding the files, LFS pointers and .gitattributes; tags on it", () => {
    const repo = bb.addRepository("acme/content", {
      files: { "src/index.js": "module.exports = 1;\n", ".gitattributes": "*.txt text" },
      lfs: { "assets/model.bin": "weights\n" },
      tags: ["v1.0.0", "v1.1.0"],
    });
    const git = (...args: string[]) =>
      execFileSync("git", ["--git-dir", repo.dir, ...args], { encoding: "utf8" });
    assert.equal(git("rev-parse", "refs/heads/main").trim(), repo.head);
    assert.equal(git("show", "main:src/index.js"), "module.exports = 1;\n");
    assert.equal(git("show", "main:assets/model.bin"), lfsPointer("weights\n").pointer);
    assert.equal(
      git("show", "main:.gitattributes"),
      "*.txt text\nassets/model.bin filter=lfs diff=lfs merge=lfs -text\n",
    );
    assert.deepEqual(git("tag", "--points-at", repo.head).trim().split("\n"), ["v1.0.0", "v1.1.0"]);
  });

  test(".gitmodules names the submodule at the public git URL", async () => {
    const own = await startBitbucket({
      publicUrls: {
        api: "https://api.bitbucket.org/2.0",
        git: "https://bitbucket.org",
        media: "https://media.bitbucket.test",
      },
    });
    try {
      own.addRepository("acme/lib");
      const app = own.addRepository("acme/app", { submodule: "acme/lib" });
      const gitmodules = execFileSync(
        "git",
        [
          "--git-dir",
          app.dir,
          "config",
          "--blob",
          "main:.gitmodules",
          "--get",
          "submodule.lib.url",
        ],
        { encoding: "utf8" },
      );
      assert.equal(gitmodules.trim(), "https://bitbucket.org/acme/lib.git");
    } finally {
      await own.close();
    }
  });
});

describe("archives under /{ws}/{slug}/get/ (Composer's dist URL)", () => {
  const archive = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${bb.gitUrl}${path}`, { headers }).then(async (r) => ({
      status: r.status,
      type: r.headers.get("content-type"),
      bytes: Buffer.from(await r.arrayBuffer()),
    }));

  test("401 without a credential, 404 for an unknown revision or a forbidden repository", async () => {
    assert.equal((await archive("/acme/app/get/main.zip")).status, 401);
    assert.equal((await archive("/acme/app/get/nope.zip", gitAuth())).status, 404);
    assert.equal((await archive("/other/secret/get/main.zip", gitAuth())).status, 404);
  });

  test("zip and tar.gz of a branch or commit for git's credentials", async () => {
    const zip = await archive("/acme/app/get/main.zip", gitAuth());
    assert.equal(zip.status, 200);
    assert.equal(zip.type, "application/zip");
    assert.equal(zip.bytes.subarray(0, 4).toString("latin1"), "PK\x03\x04");
    const byHash = await archive(`/acme/app/get/${app.head}.zip`, gitAuth());
    assert.equal(byHash.status, 200);
    const prefix = `acme-app-${app.head.slice(0, 12)}/README.md`;
    assert.ok(byHash.bytes.includes(prefix), `the zip holds ${prefix}`);
    const tar = await archive("/acme/app/get/main.tar.gz", gitAuth());
    assert.equal(tar.status, 200);
    assert.deepEqual([...tar.bytes.subarray(0, 2)], [0x1f, 0x8b]);
  });
});
