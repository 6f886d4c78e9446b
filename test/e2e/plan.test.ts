/**
 * The request plan and its bounds, end to end against the emulator: a successful check costs
 * exactly one REST request (GET /2.0/user) whatever the number of repositories, git's
 * advertisements take at most two rounds for 20 repositories, and 200 repositories whose every
 * answer is 150 ms late use at most 32 connections per host (their time is the bench's).
 * Speed is the benchmark's (scripts/bench.ts); the bounds here are generous.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { networkRounds } from "../emulator/rounds.ts";
import { runOnce } from "../harness/command.ts";
import { newJob, runMain } from "../harness/runner.ts";

let bb: Bitbucket;
let alice: Account;
let token: string;
const names = (count: number) => Array.from({ length: count }, (_, i) => `many/repo-${i}`);

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  for (const name of names(200)) bb.addRepository(name);
  bb.grant(alice, "many", "write");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
});
after(() => bb.close());

const count = (server: "api" | "git") => bb.requests.filter((r) => r.server === server).length;

for (const repositories of [1, 20]) {
  test(`a fit token, ${repositories} repositor${repositories === 1 ? "y" : "ies"}: one REST request, GET /2.0/user`, async () => {
    const job = await newJob();
    try {
      bb.clearRequests();
      bb.setDelay(150);
      const main = await runMain(job, {
        email: alice.email,
        "api-token": token,
        "api-url": bb.apiUrl,
        "git-url": bb.gitUrl,
        repositories: names(repositories).join(" "),
        "configure-git": "false",
      });
      assert.equal(main.code, 0, main.stdout);
      const rest = bb.requests.filter((r) => r.server === "api");
      assert.deepEqual(
        rest.map((r) => r.url),
        ["/2.0/user"],
      );
      assert.equal(count("git"), 2 * repositories, "upload-pack and receive-pack for each");
      assert.ok(networkRounds(bb.requests) <= 2, `${networkRounds(bb.requests)} rounds`);
    } finally {
      bb.setDelay(0);
      await job.close();
    }
  });
}

// How long this takes is the bench's row ("200 repositories at 150 ms"), not an assertion here:
// beside the other suites on two cores, 400 git http-backend processes take what they take.
test("200 repositories, every answer 150 ms late: at most 32 connections per host", async (t) => {
  bb.clearRequests();
  bb.resetConnections();
  bb.setDelay(150);
  try {
    const started = performance.now();
    const run = await runOnce(
      "bitbucket-auth",
      [
        "check",
        `--api-url=${bb.apiUrl}`,
        `--git-url=${bb.gitUrl}`,
        `--repositories=${names(200).join(",")}`,
        "--timeout-seconds=120",
      ],
      { BITBUCKET_EMAIL: alice.email, BITBUCKET_API_TOKEN: token },
    );
    const [code, output] = [run.code, run.stdout + run.stderr];
    const seconds = (performance.now() - started) / 1000;
    assert.equal(code, 0, output);
    assert.equal(count("api"), 1);
    assert.equal(count("git"), 400);
    assert.ok(bb.connections.git.peak <= 32, `${bb.connections.git.peak} connections to git`);
    assert.ok(bb.connections.git.peak >= 16, "and the pool is used, not one at a time");
    assert.ok(bb.connections.api.peak <= 1);
    t.diagnostic(`took ${seconds.toFixed(1)} s (13 rounds of 150 ms at the least)`);
  } finally {
    bb.setDelay(0);
  }
});
