/**
 * Real Bitbucket is https. The emulator speaks plain http on loopback, so here a TLS front end
 * (its certificate from a test CA the step is told to trust, as a corporate CA would be) forwards to
 * it, and the bundled action must prove the token over https, with no proxy in between.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { newJob, runMain, runPost } from "../harness/runner.ts";
import {
  type Certificates,
  makeCertificates,
  startTlsFront,
  type TlsFront,
} from "../harness/tls-proxy.ts";

let bb: Bitbucket;
let certDir: string;
let certs: Certificates;
const fronts: TlsFront[] = [];

/** An https server on loopback that forwards every request to `target` (http): its URL. */
async function tlsFront(target: string): Promise<string> {
  const front = await startTlsFront(target, certs);
  fronts.push(front);
  const { pathname } = new URL(target);
  return `https://127.0.0.1:${front.port}${pathname === "/" ? "" : pathname}`;
}

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), "tls-"));
  certs = makeCertificates(certDir, ["localhost"], ["127.0.0.1"]);
  bb = await startBitbucket();
});

after(async () => {
  await Promise.all(fronts.map((front) => front.close()));
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
  const ca = certs.ca;
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
