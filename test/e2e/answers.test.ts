/**
 * What Bitbucket says, read carefully, end to end: 401s whose body is plain text (REST and git),
 * never mistaken for "something else answered"; and the rate-limit headers Bitbucket sends
 * access tokens, turned into a warning by the action and the command.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { runOnce } from "../harness/command.ts";
import { newJob, runMain, type StepResult } from "../harness/runner.ts";

let bb: Bitbucket;
let alice: Account;
let token: string;

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({ email: "alice@example.com", username: "alice" });
  bb.addRepository("acme/app");
  bb.grant(alice, "acme", "write");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
});
after(() => bb.close());

const inputs = (extra: Record<string, string> = {}) => ({
  email: alice.email,
  "api-token": token,
  "api-url": bb.apiUrl,
  "git-url": bb.gitUrl,
  repositories: "acme/app",
  "configure-git": "false",
  ...extra,
});
const annotations = (step: StepResult, level: "error" | "warning") =>
  step.annotations
    .filter((a) => a.level === level)
    .map((a) => a.message)
    .join("\n");

async function action(extra: Record<string, string> = {}): Promise<StepResult> {
  const job = await newJob();
  try {
    return await runMain(job, inputs(extra));
  } finally {
    await job.close();
  }
}

describe("401 with a plain-text body", () => {
  for (const body of [
    "Login failed due to incorrect login credentials or method.",
    "This API is not accessible by this authentication mechanism",
  ]) {
    test(`REST /user: "${body.slice(0, 30)}…" is a rejected token, not a foreign answer`, async () => {
      bb.inject(
        { server: "api", path: "/2.0/user", times: 1 },
        { status: 401, headers: { "content-type": "text/plain" }, body },
      );
      const main = await action();
      assert.equal(main.code, 1, main.stdout);
      const errors = annotations(main, "error");
      assert.match(errors, /Bitbucket rejected the token \(401\) for alice@example\.com/);
      assert.doesNotMatch(errors, /not judged|not the expected JSON/);
      assert.equal(main.outputs.verdict ?? "unfit", "unfit");
    });
  }

  test("git: a 401 text body on the advertisement is a refusal of git's username, not a foreign answer", async () => {
    bb.inject(
      { server: "git", path: /info\/refs/, times: 2 },
      {
        status: 401,
        headers: {
          "content-type": "text/plain",
          "www-authenticate": 'Basic realm="Bitbucket.org HTTP"',
        },
        body: "Login failed due to incorrect login credentials or method.\n",
      },
    );
    const main = await action();
    assert.equal(main.code, 1, main.stdout);
    const errors = annotations(main, "error");
    assert.match(
      errors,
      /acme\/app: git over HTTPS .* refused the token with username x-bitbucket-api-token-auth \(401\)/,
    );
    assert.doesNotMatch(errors, /not judged|not git's answer/);
    assert.match(main.summary, /acme\/app/);
  });
});

describe("X-RateLimit-NearLimit, as Bitbucket sends it to access tokens", () => {
  test("the action warns, and names the precise kind of token", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository:write"],
    });
    bb.setNearLimit(true);
    try {
      const main = await action({ email: "", "api-token": access });
      assert.equal(main.code, 0, main.stdout);
      assert.match(annotations(main, "warning"), /near its rate limit for api/);
      assert.equal(main.outputs["token-kind"], "repository-access-token");
    } finally {
      bb.setNearLimit(false);
    }
  });

  test("not near the limit: no warning", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository:write"],
    });
    const main = await action({ email: "", "api-token": access });
    assert.equal(main.code, 0, main.stdout);
    assert.doesNotMatch(annotations(main, "warning"), /rate limit/);
  });

  test("the command says it too", async () => {
    const access = bb.issueAccessToken({
      kind: "workspace",
      target: "acme",
      scopes: ["repository:write"],
    });
    bb.setNearLimit(true);
    try {
      const run = await runOnce(
        "bitbucket-auth",
        ["check", `--api-url=${bb.apiUrl}`, `--git-url=${bb.gitUrl}`, "--repositories=acme/app"],
        { BITBUCKET_API_TOKEN: access },
      );
      const [code, output] = [run.code, run.stdout + run.stderr];
      assert.equal(code, 0, output);
      assert.match(output, /near its rate limit/);
      assert.match(output, /workspace access token/i);
    } finally {
      bb.setNearLimit(false);
    }
  });
});
