/**
 * Real Bitbucket is https. The emulator speaks plain http on loopback, so here a TLS front end
 * (a self-signed certificate the step is told to trust, as a corporate CA would be) forwards to
 * it, and the bundled action must prove the token over https, with no proxy in between.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { newJob, runMain, runPost } from "../harness/runner.ts";

let bb: Bitbucket;
let certDir: string;
const fronts: Server[] = [];

/** An https server on loopback that forwards every request to `target` (http). */
async function tlsFront(target: string): Promise<string> {
  const key = readFileSync(join(certDir, "key.pem"));
  const cert = readFileSync(join(certDir, "cert.pem"));
  const { origin, pathname } = new URL(target);
  const server = createServer({ key, cert }, (req, res) => {
    const upstream = httpRequest(
      `${origin}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fronts.push(server);
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}${pathname === "/" ? "" : pathname}`;
}

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), "tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(certDir, "key.pem"),
      "-out",
      join(certDir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  bb = await startBitbucket();
});

after(async () => {
  for (const server of fronts) server.close();
  await bb.close();
  rmSync(certDir, { recursive: true, force: true });
});

test("the bundled action proves a token over https without a proxy", async () => {
  const account = bb.addAccount({ email: "tls@example.com", username: "tls" });
  bb.addRepository("tls/app");
  bb.grant(account, "tls", "write");
  const token = bb.issueApiToken(account, {
    scopes: [
      "read:user:bitbucket",
      "read:workspace:bitbucket",
      "read:repository:bitbucket",
      "write:repository:bitbucket",
    ],
  });
  const apiUrl = await tlsFront(bb.apiUrl);
  const gitUrl = await tlsFront(bb.gitUrl);
  // The CA is trusted by Node (the checks) and by git (the proof, and later steps), as a
  // corporate CA installed on a runner would be.
  const ca = join(certDir, "cert.pem");
  const job = await newJob({ env: { NODE_EXTRA_CA_CERTS: ca, GIT_SSL_CAINFO: ca } });
  try {
    const main = await runMain(job, {
      email: account.email,
      "api-token": token,
      "api-url": apiUrl,
      "git-url": gitUrl,
      repositories: "tls/app",
    });
    assert.equal(main.code, 0, main.stdout + main.stderr);
    assert.equal(main.outputs.username, "tls");
    assert.match(main.summary, /`tls\/app` \| ✅ proven \| ✅ proven/);
    assert.equal((await runPost(job)).code, 0);
  } finally {
    await job.close();
  }
});

test("an untrusted certificate is a clear 'could not reach', not a verdict", async () => {
  const account = bb.addAccount({ email: "tls2@example.com", username: "tls2" });
  const token = bb.issueApiToken(account, { scopes: ["read:user:bitbucket"] });
  const apiUrl = await tlsFront(bb.apiUrl);
  const job = await newJob();
  try {
    const main = await runMain(job, {
      email: account.email,
      "api-token": token,
      "api-url": apiUrl,
      retries: "0",
    });
    assert.equal(main.code, 1);
    const errors = main.annotations.filter((a) => a.level === "error").map((a) => a.message);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /certificate/i);
    assert.match(errors[0], /not judged/);
  } finally {
    await job.close();
  }
});
