import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Report } from "../../src/core/checks/checks.ts";
import type { Problem } from "../../src/core/errors.ts";
import type { GitSetup } from "../../src/core/git/setup.ts";
import {
  expiryText,
  failureMarkdown,
  outputsOf,
  summaryMarkdown,
  terminalText,
} from "../../src/core/report/report.ts";

const ESC = "\u001b";
const hasAnsi = (text: string) => text.includes(`${ESC}[`);

function fitReport(): Report {
  return {
    credentialKind: "api-token",
    gitUsername: "x-bitbucket-api-token-auth",
    account: { accountId: "557058:abc", uuid: "{u-1}", username: "jdoe", displayName: "Jane Doe" },
    grantedScopes: [
      "read:user:bitbucket",
      "read:repository:bitbucket",
      "write:repository:bitbucket",
    ],
    required: [
      { name: "read:user:bitbucket", held: true, purpose: "to prove who the token belongs to" },
      { name: "read:repository:bitbucket", held: true, purpose: "to clone and fetch repositories" },
    ],
    missingScopes: [],
    repositories: [{ name: "acme/app", read: "ok", write: "ok" }],
    expiry: { status: "ok", expiresAt: new Date("2026-12-31T00:00:00Z"), daysLeft: 137 },
    problems: [],
    warnings: [],
  };
}

function unfitReport(): Report {
  return {
    credentialKind: "access-token",
    gitUsername: "x-token-auth",
    grantedScopes: ["repository"],
    required: [
      { name: "repository", held: true, purpose: "to clone and fetch repositories" },
      { name: "repository:write", held: false, purpose: "to push to repositories" },
    ],
    missingScopes: ["repository:write"],
    repositories: [
      { name: "acme/app", read: "ok", write: "unchecked" },
      { name: "acme/gone", read: "missing", write: "not-required" },
      { name: "acme/secret", read: "denied", write: "denied" },
    ],
    expiry: { status: "warn", expiresAt: new Date("2026-08-20T00:00:00Z"), daysLeft: 4 },
    problems: [
      {
        subject: "required-scopes",
        message: "The token lacks 1 required scope(s): a | b.",
        fix: "Create a new\naccess token.",
      },
      { subject: "repositories", message: "acme/gone: 404.", fix: "Check the spelling." },
    ],
    warnings: ["The token expires on 2026-08-20, in 4 day(s)."],
  };
}

const GIT: GitSetup = {
  replaced: 0,
  host: "bitbucket.org",
  gitUsername: "x-bitbucket-api-token-auth",
  credentialFile: "/runner/temp/bitbucket-api-token-auth/0123.gitconfig",
  globalConfig: "/home/runner/.gitconfig",
  rewriteSshUrls: true,
};

describe("outputsOf", () => {
  it("maps a fit report to every output", () => {
    assert.deepEqual(outputsOf(fitReport()), {
      "account-id": "557058:abc",
      username: "jdoe",
      "display-name": "Jane Doe",
      "credential-type": "api-token",
      "git-username": "x-bitbucket-api-token-auth",
      scopes: "read:user:bitbucket read:repository:bitbucket write:repository:bitbucket",
      "missing-scopes": "",
      "expires-in-days": "137",
    });
  });

  it("gives empty strings where there is no account or no expiry", () => {
    const report = unfitReport();
    report.expiry = { status: "unknown" };
    assert.deepEqual(outputsOf(report), {
      "account-id": "",
      username: "",
      "display-name": "",
      "credential-type": "access-token",
      "git-username": "x-token-auth",
      scopes: "repository",
      "missing-scopes": "repository:write",
      "expires-in-days": "",
    });
  });

  it("keeps 0 and negative day counts", () => {
    const report = fitReport();
    report.expiry = { status: "warn", expiresAt: new Date(), daysLeft: 0 };
    assert.equal(outputsOf(report)["expires-in-days"], "0");
    report.expiry = { status: "expired", expiresAt: new Date(), daysLeft: -2 };
    assert.equal(outputsOf(report)["expires-in-days"], "-2");
  });
});

describe("expiryText", () => {
  it("words each status", () => {
    const report = fitReport();
    assert.equal(expiryText(report), "2026-12-31, in 137 day(s)");
    report.expiry = { status: "warn", expiresAt: new Date("2026-08-20T00:00:00Z"), daysLeft: 4 };
    assert.equal(expiryText(report), "⚠️ 2026-08-20, in 4 day(s)");
    report.expiry = { status: "unknown" };
    assert.equal(expiryText(report), "unknown (set `expires-at` to be warned before it expires)");
  });
});

describe("summaryMarkdown", () => {
  it("renders a fit report exactly", () => {
    assert.equal(
      summaryMarkdown(fitReport(), GIT),
      [
        "## Bitbucket token ✅ fit for use",
        "",
        "| | |",
        "|---|---|",
        "| Account | Jane Doe (jdoe, 557058:abc) |",
        "| Credential | api-token (git username `x-bitbucket-api-token-auth`) |",
        "| Expires | 2026-12-31, in 137 day(s) |",
        "| Git credentials | configured for bitbucket.org (SSH URLs rewritten to HTTPS) |",
        "",
        "### Required scopes",
        "",
        "| Scope | Held | What it is for |",
        "|---|---|---|",
        "| `read:user:bitbucket` | ✅ | to prove who the token belongs to |",
        "| `read:repository:bitbucket` | ✅ | to clone and fetch repositories |",
        "",
        "### Repositories",
        "",
        "| Repository | Read (REST + git) | Write (git) |",
        "|---|---|---|",
        "| `acme/app` | ✅ proven | ✅ proven |",
        "",
      ].join("\n"),
    );
  });

  it("renders an unfit report: missing scopes, every access word, problems and warnings", () => {
    const md = summaryMarkdown(unfitReport());
    const lines = md.split("\n");
    assert.equal(lines[0], "## Bitbucket token ❌ not fit for use");
    assert.ok(lines.includes("| Account | an access token (not a user) |"));
    assert.ok(lines.includes("| Credential | access-token (git username `x-token-auth`) |"));
    assert.ok(lines.includes("| Expires | ⚠️ 2026-08-20, in 4 day(s) |"));
    assert.ok(lines.includes("| Git credentials | not configured |"));
    assert.ok(lines.includes("| `repository` | ✅ | to clone and fetch repositories |"));
    assert.ok(lines.includes("| `repository:write` | ❌ missing | to push to repositories |"));
    assert.ok(lines.includes("| `acme/app` | ✅ proven | ➖ not checked (scope missing) |"));
    assert.ok(lines.includes("| `acme/gone` | ❌ not found | ➖ not required |"));
    assert.ok(lines.includes("| `acme/secret` | ❌ denied | ❌ denied |"));
    const fix = lines.indexOf("### What to fix");
    assert.ok(fix > 0);
    assert.deepEqual(lines.slice(fix, fix + 4), [
      "### What to fix",
      "",
      "- **The token lacks 1 required scope(s): a \\| b.** Create a new access token.",
      "- **acme/gone: 404.** Check the spelling.",
    ]);
    const warnings = lines.indexOf("### Warnings");
    assert.ok(warnings > fix);
    assert.deepEqual(lines.slice(warnings), [
      "### Warnings",
      "",
      "- ⚠️ The token expires on 2026-08-20, in 4 day(s).",
      "",
    ]);
  });

  it("leaves out the repository section when no repository was checked", () => {
    const report = fitReport();
    report.repositories = [];
    const md = summaryMarkdown(report);
    assert.equal(md.includes("### Repositories"), false);
    assert.equal(md.includes("### What to fix"), false);
    assert.equal(md.includes("### Warnings"), false);
    assert.ok(
      md.endsWith("| `read:repository:bitbucket` | ✅ | to clone and fetch repositories |\n"),
    );
  });

  it("names an API-token account it could not read as unknown, and one without a display name by ids", () => {
    const report = fitReport();
    report.account = undefined;
    assert.ok(summaryMarkdown(report).includes("| Account | unknown |"));
    report.account = { accountId: "557058:abc" };
    assert.ok(summaryMarkdown(report).includes("| Account | (557058:abc) |"));
  });

  it("escapes pipes in cells so a display name cannot break the table", () => {
    const report = fitReport();
    report.account = { accountId: "1", displayName: "A | B" };
    assert.ok(summaryMarkdown(report).includes("| Account | A \\| B (1) |"));
  });

  it("without SSH rewrite says just configured", () => {
    assert.ok(
      summaryMarkdown(fitReport(), { ...GIT, rewriteSshUrls: false }).includes(
        "| Git credentials | configured for bitbucket.org |\n",
      ),
    );
  });
});

describe("terminalText", () => {
  it("has ANSI codes only when color is true", () => {
    for (const report of [fitReport(), unfitReport()]) {
      assert.equal(hasAnsi(terminalText(report, { color: false }, GIT)), false);
      assert.equal(hasAnsi(terminalText(report, { color: true }, GIT)), true);
    }
  });

  it("colors the verdict, marks and warnings", () => {
    const colored = terminalText(unfitReport(), { color: true });
    assert.ok(colored.startsWith("\u001b[31m✘ The token is not fit for use.\u001b[0m\n"));
    assert.ok(colored.includes("\u001b[32m✔\u001b[0m repository  to clone"));
    assert.ok(
      colored.includes(
        "\u001b[31m✘\u001b[0m repository:write  \u001b[31mmissing: \u001b[0mto push to repositories",
      ),
    );
    assert.ok(
      colored.includes("\u001b[33m⚠ The token expires on 2026-08-20, in 4 day(s).\u001b[0m"),
    );
    assert.ok(
      terminalText(fitReport(), { color: true }).startsWith(
        "\u001b[32m✔ The token is fit for use.\u001b[0m\n",
      ),
    );
  });

  it("renders a fit report in plain text exactly", () => {
    assert.equal(
      terminalText(fitReport(), { color: false }, GIT),
      [
        "✔ The token is fit for use.",
        "  Account:     Jane Doe (jdoe, 557058:abc)",
        "  Credential:  api-token (git username x-bitbucket-api-token-auth)",
        "  Expires:     2026-12-31, in 137 day(s)",
        "  Scopes:",
        "    ✔ read:user:bitbucket  to prove who the token belongs to",
        "    ✔ read:repository:bitbucket  to clone and fetch repositories",
        "  Repositories:",
        "    acme/app: read proven, write proven",
        "  Git:         credentials configured for bitbucket.org (include in /home/runner/.gitconfig)",
        "",
      ].join("\n"),
    );
  });

  it("lists problems with their fixes, and strips backticks from the expiry", () => {
    const report = unfitReport();
    const text = terminalText(report, { color: false });
    const lines = text.split("\n");
    assert.ok(lines.includes("✘ The token lacks 1 required scope(s): a | b."));
    assert.ok(lines.includes("  → Create a new"), "fix follows its problem");
    assert.ok(lines.includes("    acme/gone: read not found, write not required"));
    assert.ok(lines.includes("    acme/app: read proven, write not checked (scope missing)"));
    report.expiry = { status: "unknown" };
    assert.ok(
      terminalText(report, { color: false }).includes(
        "  Expires:     unknown (set expires-at to be warned before it expires)\n",
      ),
    );
  });
});

describe("failureMarkdown", () => {
  it("renders a title and every problem", () => {
    const problems: Problem[] = [
      {
        subject: "api-token",
        message: "The input `api-token` is empty.",
        fix: "Pass the token | from a secret.",
      },
      { subject: "retries", message: "Bad\nretries.", fix: "Fix it." },
    ];
    assert.equal(
      failureMarkdown("inputs are not usable", problems),
      "## Bitbucket token ❌ inputs are not usable\n\n- **The input `api-token` is empty.** Pass the token \\| from a secret.\n- **Bad retries.** Fix it.\n",
    );
  });

  it("works with no problems", () => {
    assert.equal(failureMarkdown("x", []), "## Bitbucket token ❌ x\n\n\n");
  });
});
