/**
 * Text a server sends is untrusted. Here the emulator's account has a display name (and a rate
 * limit header) built to forge workflow commands (`\n::error::`, `::add-mask::`, `%0A`-encoded
 * ones), drive a terminal (OSC and CSI escape sequences, 8-bit C1 controls, a forged "✔" line),
 * break the job summary's tables and HTML, and flood the log (10 kB). The action, the command and
 * the pipe must show it as one harmless line: no command the runner acts on but ours, no escape
 * sequence, no broken table, capped.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Account, type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { runOnce } from "../harness/command.ts";
import { splitLines } from "../harness/commands.ts";
import { newJob, parseWorkflowCommand, REPO_ROOT, runMain } from "../harness/runner.ts";

const HOSTILE = [
  "Eve\n::error title=x::forged\n::add-mask::fit\r\n::warning::forged",
  "%0A::error title=encoded::forged%0D%0A::add-mask::fit",
  "\u001b]0;pwned\u0007\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\",
  "\u001b[2J\u001b[H\u001b[32m✔ The token is fit for use.\u001b[0m\u001b[1A\u001b[K",
  "\u009b2J\u009d0;pwned\u009c\u007f\u0000",
  "| a | b |\n|---|---|\n<script>alert(1)</script> [x](javascript:alert(1)) `code` ![i](http://evil.example/i.png)",
  "\u202eevil\u202c",
  "A".repeat(10_000),
].join(" ");

/** Every character a terminal or the runner could act on, and the raw pieces of HOSTILE. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

let bb: Bitbucket;
let eve: Account;
let token: string;

before(async () => {
  bb = await startBitbucket();
  eve = bb.addAccount({ email: "eve@example.com", username: "eve", displayName: HOSTILE });
  bb.addRepository("acme/app");
  bb.grant(eve, "acme", "write");
  token = bb.issueApiToken(eve, { scopes: DEFAULT_SCOPES });
});
after(() => bb.close());

/** Near-limit headers with 8-bit controls (a header cannot carry ESC or a line break). */
function nearLimitHeaders(): void {
  bb.inject(
    { server: "api", path: "/2.0/user", times: 1 },
    {
      status: 200,
      headers: {
        "x-oauth-scopes": DEFAULT_SCOPES.join(", "),
        "x-credential-type": "api_token",
        "x-ratelimit-nearlimit": "true",
        "x-ratelimit-resource": "api \u009b2J::error title=x::forged",
      },
      body: {
        type: "user",
        uuid: eve.uuid,
        account_id: eve.accountId,
        username: "eve",
        display_name: HOSTILE,
      },
    },
  );
}

describe("the action", () => {
  test("runs only its own workflow commands; outputs and summary hold one harmless line", async () => {
    nearLimitHeaders();
    const job = await newJob();
    try {
      const main = await runMain(job, {
        email: eve.email,
        "api-token": token,
        "api-url": bb.apiUrl,
        "git-url": bb.gitUrl,
        repositories: "acme/app",
        "configure-git": "false",
      });
      assert.equal(main.code, 0, main.stdout);
      for (const command of main.commands) {
        const parsed = parseWorkflowCommand(command);
        assert.ok(parsed, command);
        assert.ok(["add-mask", "debug", "warning", "notice"].includes(parsed.name), command);
        if (parsed.name === "warning")
          assert.match(parsed.properties.title ?? "", /^Bitbucket token: /);
        // Forged text may be quoted inside our own annotation, never be a command of its own.
        assert.ok(!["x", "encoded"].includes(parsed.properties.title ?? ""), command);
      }
      assert.ok(!job.masks.includes("fit"), "no mask forged");
      const warning = main.annotations.find((a) => a.level === "warning");
      assert.match(warning?.message ?? "", /near its rate limit for api .*::error title=x::forged/);
      assert.doesNotMatch(warning?.message ?? "", CONTROL);
      for (const line of splitLines(main.stdout))
        assert.doesNotMatch(line.trimStart(), /^::(?!add-mask|debug|warning)/, line);

      const name = main.outputs["display-name"];
      assert.doesNotMatch(name, CONTROL);
      assert.doesNotMatch(name, /\n/);
      assert.ok([...name].length <= 200, `display-name has ${name.length} characters`);
      assert.ok(name.startsWith("Eve ::error title=x::forged ::add-mask::fit"), name.slice(0, 60));

      assert.doesNotMatch(main.summary, CONTROL);
      assert.doesNotMatch(main.summary, /<script>|\]\(javascript:|!\[i\]\(/);
      const account = main.summary.split("\n").filter((l) => l.startsWith("| Account |"));
      assert.equal(account.length, 1, "the account is one table row");
      assert.equal(account[0].split(/(?<!\\)\|/).length, 4, "its name adds no cell");
    } finally {
      await job.close();
    }
  });
});

function assertHarmless(out: string): void {
  assert.doesNotMatch(out, CONTROL, "no control character or escape sequence reaches the terminal");
  assert.doesNotMatch(out, /\r/);
  assert.equal(out.match(/^✔ /gm)?.length ?? 0, 1, "one ✔ line: ours");
  for (const line of out.split("\n"))
    assert.doesNotMatch(
      line.trimStart(),
      /^::/,
      `no line starts a workflow command: ${line.slice(0, 80)}`,
    );
  const account = out.split("\n").find((l) => l.includes("Account:")) ?? "";
  assert.ok(account.length < 260, `the account line is capped (${account.length})`);
}

describe("the command and the pipe", () => {
  test("the command prints the name as one capped line without control characters", async () => {
    nearLimitHeaders();
    const run = await runOnce(
      "bitbucket-auth",
      ["check", `--api-url=${bb.apiUrl}`, `--git-url=${bb.gitUrl}`],
      {
        BITBUCKET_API_TOKEN: token,
        BITBUCKET_EMAIL: eve.email,
      },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assertHarmless(run.stdout + run.stderr);
    assert.match(run.stdout, /near its rate limit for api .*::error title=x::forged/);
  });

  test("the pipe too", async () => {
    const run = await runOnce(process.execPath, [join(REPO_ROOT, "dist", "pipe.js")], {
      BITBUCKET_API_TOKEN: token,
      BITBUCKET_EMAIL: eve.email,
      API_URL: bb.apiUrl,
      GIT_URL: bb.gitUrl,
      REPOSITORIES: "acme/app",
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assertHarmless(run.stdout + run.stderr);
  });
});
