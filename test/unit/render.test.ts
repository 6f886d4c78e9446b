import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GitSetup } from "../../src/core/git/setup.ts";
import { INPUT_NAMES, type RawInputs, rawInputs } from "../../src/core/inputs/names.ts";
import { problem } from "../../src/core/messages/index.ts";
import type { Outcome } from "../../src/core/outcome.ts";
import {
  ACCESS_TEXT,
  accountText,
  clientText,
  expiryText,
  TOKEN_KIND_TEXT,
} from "../../src/core/render/describe.ts";
import { summaryMarkdown } from "../../src/core/render/markdown.ts";
import { outputsOf, pipelinesVariables } from "../../src/core/render/outputs.ts";
import { capitalise, rendererFor } from "../../src/core/render/renderer.ts";
import { problemsText, reportText } from "../../src/core/render/terminal.ts";
import type { Access, Report } from "../../src/core/verdict.ts";

const ESC = "\u001b";
const hasAnsi = (text: string) => text.includes(`${ESC}[`);
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/;

const ACTION: RawInputs = rawInputs({}, () => ({ kind: "input" }));
const markdown = rendererFor("action", "markdown", ACTION);
const plain = rendererFor("action", "plain", ACTION);
const command = rendererFor("command", "plain");

function fitReport(): Report {
  return {
    credentialKind: "api-token",
    tokenKind: "api-token",
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
    repositories: [{ name: "acme/app", read: "proven", write: "proven" }],
    expiry: { status: "ok", day: "2026-12-31", daysLeft: 137 },
  };
}

function unfitReport(): Report {
  return {
    credentialKind: "access-token",
    tokenKind: "repository-access-token",
    gitUsername: "x-token-auth",
    grantedScopes: ["repository"],
    required: [
      { name: "repository", held: true, purpose: "to clone and fetch repositories" },
      { name: "repository:write", held: false, purpose: "to push to repositories" },
    ],
    missingScopes: ["repository:write"],
    repositories: [
      { name: "acme/app", read: "proven", write: "not-checked" },
      { name: "acme/gone", read: "missing", write: "not-required" },
      { name: "acme/secret", read: "denied", write: "denied" },
      { name: "acme/odd", read: "failed", write: "failed" },
    ],
    expiry: { status: "warn", day: "2026-08-20", daysLeft: 4 },
  };
}

const UNFIT_PROBLEMS = [
  problem("scopes-missing", {
    kind: "access-token",
    scopes: [{ name: "repository:write", purpose: "to push to repositories" }],
  }),
  problem("repository-not-found", { name: "acme/gone" }),
];
const UNFIT_WARNINGS = [problem("expires-soon", { day: "2026-08-20", days: 4 })];

const GIT: GitSetup = {
  replaced: 0,
  host: "bitbucket.org",
  gitUsername: "x-bitbucket-api-token-auth",
  scopes: ["https://bitbucket.org/"],
  credentialFile: "/runner/temp/bitbucket-api-token-auth-0123456789abcdef/credentials.gitconfig",
  globalConfig: "/home/runner/.gitconfig",
  jobConfig: false,
  rewriteSshUrls: true,
  exports: {},
  clients: [],
  proven: "https://bitbucket.org/acme/app.git",
  warnings: [],
};

const fit = (report = fitReport(), git: GitSetup | undefined = GIT): Outcome => ({
  verdict: "fit",
  problems: [],
  warnings: [],
  report,
  git,
});
const unfit = (report = unfitReport()): Outcome => ({
  verdict: "unfit",
  problems: UNFIT_PROBLEMS,
  warnings: UNFIT_WARNINGS,
  report,
});

/** A display name that tries everything: forged lines, workflow commands, escapes, markdown. */
const HOSTILE =
  "Eve\n::error title=x::y\r\n## Fit | ✅ <img src=x onerror=alert(1)> [ok](javascript:alert(1)) `x` \u001b]0;pwned\u0007\u001b[2J\u009b31m\u202edone";

describe("rendererFor", () => {
  it("names each kind of source", () => {
    const raw = rawInputs({}, (name) => {
      switch (name) {
        case "email":
          return { kind: "flag", flag: "--email", variable: "BITBUCKET_EMAIL" };
        case "api-token":
          return { kind: "stdin" };
        case "repositories":
          return { kind: "variable", variable: "BITBUCKET_REPO_FULL_NAME" };
        case "retries":
          return { kind: "pipe-variable", variable: "RETRIES" };
        case "cleanup":
          return { kind: "input" };
        default:
          return { kind: "flag", flag: `--${name}` };
      }
    });
    const r = rendererFor("command", "plain", raw);
    assert.equal(r.input("email"), "--email (or BITBUCKET_EMAIL)");
    assert.equal(r.input("api-token"), "the token on standard input");
    assert.equal(r.input("repositories"), "BITBUCKET_REPO_FULL_NAME");
    assert.equal(r.input("retries"), "the pipe variable RETRIES");
    assert.equal(r.input("cleanup"), "the input `cleanup`");
    assert.equal(r.input("git-url"), "--git-url");
    assert.equal(r.frontEnd, "command");
  });

  it("without raw inputs, uses each front end's natural name", () => {
    for (const name of INPUT_NAMES) {
      assert.equal(rendererFor("action", "plain").input(name), `the input \`${name}\``);
      assert.equal(
        rendererFor("pipe", "plain").input(name),
        `the pipe variable ${name.toUpperCase().replace(/-/g, "_")}`,
      );
    }
    assert.equal(command.input("api-token"), "BITBUCKET_API_TOKEN");
    assert.equal(command.input("expiry-warning-days"), "--expiry-warning-days");
  });

  it("sanitises server text for its medium", () => {
    assert.equal(plain.untrusted("a | b\nc"), "a | b c");
    assert.equal(markdown.untrusted("a | b\nc"), "a \\| b c");
    assert.equal(markdown.untrusted("x".repeat(50), 10), `${"x".repeat(9)}…`);
    assert.equal(plain.code("git"), "`git`");
  });

  it("capitalise upper-cases the first letter only", () => {
    assert.equal(capitalise("the input `email`"), "The input `email`");
    assert.equal(capitalise("--email"), "--email");
    assert.equal(capitalise(""), "");
  });
});

describe("describe: the parts of a report", () => {
  it("has words for every access and every token kind", () => {
    const accesses: Access[] = [
      "proven",
      "denied",
      "missing",
      "failed",
      "not-checked",
      "not-required",
    ];
    assert.deepEqual(Object.keys(ACCESS_TEXT).sort(), [...accesses].sort());
    const kinds: (keyof typeof TOKEN_KIND_TEXT)[] = [
      "api-token",
      "repository-access-token",
      "project-access-token",
      "workspace-access-token",
      "access-token",
    ];
    assert.deepEqual(Object.keys(TOKEN_KIND_TEXT).sort(), [...kinds].sort());
    assert.equal(new Set(Object.values(TOKEN_KIND_TEXT)).size, kinds.length);
    // Only a proof is ticked.
    for (const access of accesses)
      assert.equal(ACCESS_TEXT[access].mark === "✅", access === "proven", access);
  });

  it("accountText: name and ids, or what the token is when there is no account", () => {
    assert.equal(accountText(fitReport(), plain), "Jane Doe (jdoe, 557058:abc)");
    assert.equal(accountText(fitReport(), markdown), "Jane Doe (jdoe, 557058\\:abc)");
    const report = fitReport();
    report.account = { accountId: "557058:abc" };
    assert.equal(accountText(report, plain), "(557058:abc)");
    report.account = undefined;
    assert.equal(accountText(report, plain), "unknown");
    assert.equal(accountText(unfitReport(), plain), "an access token (not a user)");
  });

  it("accountText makes a hostile display name one harmless line", () => {
    const report = fitReport();
    report.account = { accountId: "1", displayName: HOSTILE };
    for (const r of [plain, markdown]) {
      const text = accountText(report, r);
      assert.doesNotMatch(text, UNSAFE);
    }
    const md = accountText(report, markdown);
    assert.ok(!/(^|[^\\])[|<>`[\]]/.test(md), md);
  });

  it("expiryText words each status, naming the input where the user would set it", () => {
    assert.equal(
      expiryText({ status: "ok", day: "2026-12-31", daysLeft: 137 }, plain),
      "2026-12-31, in 137 day(s)",
    );
    assert.equal(
      expiryText({ status: "warn", day: "2026-08-20", daysLeft: 4 }, plain),
      "⚠️ 2026-08-20, in 4 day(s)",
    );
    assert.equal(
      expiryText({ status: "today", day: "2026-08-15", daysLeft: 0 }, plain),
      "⚠️ 2026-08-15, today",
    );
    assert.equal(
      expiryText({ status: "unknown" }, plain),
      "unknown (set the input `expires-at` to be warned before it expires)",
    );
    assert.equal(
      expiryText({ status: "unknown" }, command),
      "unknown (set --expires-at to be warned before it expires)",
    );
    assert.equal(
      expiryText({ status: "unknown" }, rendererFor("pipe", "plain")),
      "unknown (set the pipe variable EXPIRES_AT to be warned before it expires)",
    );
  });
});

describe("outputsOf", () => {
  it("maps a fit report to every output", () => {
    assert.deepEqual(outputsOf(fitReport()), {
      "account-id": "557058:abc",
      username: "jdoe",
      "display-name": "Jane Doe",
      "credential-type": "api-token",
      "token-kind": "api-token",
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
      "token-kind": "repository-access-token",
      "git-username": "x-token-auth",
      scopes: "repository",
      "missing-scopes": "repository:write",
      "expires-in-days": "",
    });
  });

  it("has no outputs without a report", () => {
    assert.deepEqual(outputsOf(undefined), {});
  });

  it("keeps 0 and negative day counts", () => {
    const report = fitReport();
    report.expiry = { status: "today", day: "2026-08-15", daysLeft: 0 };
    assert.equal(outputsOf(report)["expires-in-days"], "0");
    report.expiry = { status: "expired", day: "2026-08-13", daysLeft: -2 };
    assert.equal(outputsOf(report)["expires-in-days"], "-2");
  });

  it("makes every server value one short line", () => {
    const report = fitReport();
    report.account = { accountId: HOSTILE, username: HOSTILE, displayName: "x".repeat(5000) };
    report.grantedScopes = ["read:user:bitbucket\n::add-mask::x", "y".repeat(500)];
    const outputs = outputsOf(report);
    for (const [name, value] of Object.entries(outputs)) {
      assert.doesNotMatch(value, UNSAFE, name);
    }
    assert.equal([...outputs["display-name"]].length, 200);
    assert.ok(outputs["display-name"].endsWith("…"));
    assert.equal(outputs.scopes, `read:user:bitbucket ::add-mask::x ${"y".repeat(79)}…`);
  });
});

describe("pipelinesVariables", () => {
  it("writes the git username and, when known, the days left", () => {
    assert.equal(
      pipelinesVariables(fitReport()),
      "BITBUCKET_AUTH_USERNAME=x-bitbucket-api-token-auth\nBITBUCKET_AUTH_EXPIRES_IN_DAYS=137\n",
    );
    const report = unfitReport();
    report.expiry = { status: "unknown" };
    assert.equal(pipelinesVariables(report), "BITBUCKET_AUTH_USERNAME=x-token-auth\n");
  });

  it("never writes a server value", () => {
    const report = fitReport();
    report.account = { accountId: "1", displayName: "Eve\nBITBUCKET_AUTH_USERNAME=evil" };
    assert.ok(!pipelinesVariables(report).includes("evil"));
  });
});

describe("summaryMarkdown", () => {
  it("renders a fit outcome exactly", () => {
    assert.equal(
      summaryMarkdown(fit(), markdown),
      [
        "## Bitbucket token ✅ fit for use",
        "",
        "| | |",
        "|---|---|",
        "| Account | Jane Doe (jdoe, 557058\\:abc) |",
        "| Token | Atlassian API token (git username `x-bitbucket-api-token-auth`) |",
        "| Expires | 2026-12-31, in 137 day(s) |",
        "| Git credentials | configured for bitbucket.org (SSH URLs rewritten to HTTPS), included from the global git config; proven with `git ls-remote` |",
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
        "| Repository | Read (git) | Write (git) |",
        "|---|---|---|",
        "| `acme/app` | ✅ proven | ✅ proven |",
        "",
      ].join("\n"),
    );
  });

  it("renders an unfit outcome: missing scopes, every access word, problems and warnings", () => {
    const md = summaryMarkdown(unfit(), markdown);
    const lines = md.split("\n");
    assert.equal(lines[0], "## Bitbucket token ❌ not fit for use");
    assert.ok(lines.includes("| Account | an access token (not a user) |"));
    assert.ok(lines.includes("| Token | repository access token (git username `x-token-auth`) |"));
    assert.ok(lines.includes("| Expires | ⚠️ 2026-08-20, in 4 day(s) |"));
    assert.ok(lines.includes("| Git credentials | not configured |"));
    assert.ok(lines.includes("| `repository` | ✅ | to clone and fetch repositories |"));
    assert.ok(lines.includes("| `repository:write` | ❌ missing | to push to repositories |"));
    assert.ok(lines.includes("| `acme/app` | ✅ proven | ➖ not checked (scope missing) |"));
    assert.ok(lines.includes("| `acme/gone` | ❌ not found | ➖ not required |"));
    assert.ok(lines.includes("| `acme/secret` | ❌ denied | ❌ denied |"));
    assert.ok(lines.includes("| `acme/odd` | ❌ refused | ❌ refused |"));
    const fix = lines.indexOf("### What to fix");
    assert.ok(fix > 0);
    assert.deepEqual(lines.slice(fix, fix + 2), ["### What to fix", ""]);
    assert.match(
      lines[fix + 2],
      /^- \*\*The token lacks 1 required scope: repository:write \(to push to repositories\)\.\*\* Access tokens cannot be edited: .* remove them from the input `required-scopes`\.$/,
    );
    assert.match(
      lines[fix + 3],
      /^- \*\*acme\/gone: Bitbucket answered 404 to reading it; .*\*\* Check the spelling of acme\/gone in the input `repositories` /,
    );
    const warnings = lines.indexOf("### Warnings");
    assert.ok(warnings > fix);
    assert.equal(
      lines[warnings + 2].split("**")[1],
      "The token expires on 2026-08-20, in 4 days (the input `expires-at`).",
    );
    assert.ok(lines[warnings + 2].startsWith("- ⚠️ **"));
    assert.equal(lines.at(-1), "");
    assert.equal(lines.length, warnings + 4);
  });

  it("leaves out the repository section when no repository was checked", () => {
    const report = fitReport();
    report.repositories = [];
    const md = summaryMarkdown(fit(report), markdown);
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
    assert.ok(summaryMarkdown(fit(report), markdown).includes("| Account | unknown |"));
    report.account = { accountId: "557058:abc" };
    assert.ok(summaryMarkdown(fit(report), markdown).includes("| Account | (557058\\:abc) |"));
  });

  it("escapes a display name so it cannot break the table or add markup", () => {
    const report = fitReport();
    report.account = { accountId: "1", displayName: "A | B" };
    assert.ok(summaryMarkdown(fit(report), markdown).includes("| Account | A \\| B (1) |"));
    report.account = { accountId: "1", displayName: HOSTILE };
    const md = summaryMarkdown(fit(report), markdown);
    const row = md.split("\n").find((line) => line.startsWith("| Account |")) ?? "";
    // Exactly the table's own three pipes are unescaped.
    assert.equal(row.replace(/\\\|/g, "").split("|").length, 4, row);
    assert.ok(!md.includes("<img") && !md.includes("](javascript"), row);
    assert.ok(!md.includes("\n::") && !md.includes("\n## Fit"), "a forged line");
    assert.ok(!md.includes(ESC) && !md.includes("\u009b") && !md.includes("\u202e"));
  });

  it("without SSH rewrite says just configured", () => {
    assert.ok(
      summaryMarkdown(fit(fitReport(), { ...GIT, rewriteSshUrls: false }), markdown).includes(
        "| Git credentials | configured for bitbucket.org, included from the global git config; proven with `git ls-remote` |\n",
      ),
    );
  });

  it("renders an outcome without a report: its title and what to fix", () => {
    const titles: [Outcome["verdict"], string][] = [
      ["bad-input", "❌ bad input"],
      ["unreachable", "❌ not checked"],
      ["unexpected", "❌ unexpected error"],
    ];
    for (const [verdict, title] of titles) {
      const md = summaryMarkdown(
        { verdict, problems: [problem("token-empty", {})], warnings: [] },
        markdown,
      );
      const lines = md.split("\n");
      assert.equal(lines[0], `## Bitbucket token ${title}`);
      assert.deepEqual(lines.slice(1, 4), ["", "### What to fix", ""]);
      assert.ok(
        lines[4].startsWith("- **The input `api-token` is empty or not set.** Pass the token"),
      );
      assert.equal(lines.length, 6);
    }
  });

  it("escapes server text inside a problem", () => {
    const md = summaryMarkdown(
      {
        verdict: "unreachable",
        problems: [
          problem("failed-attempts", {
            host: "api.bitbucket.org",
            attempts: 4,
            retries: 3,
            last: "<b>x</b> | y\n- **fake item**",
          }),
        ],
        warnings: [],
      },
      markdown,
    );
    const item = md.split("\n")[4];
    assert.ok(item.includes("last: &lt;b&gt;x&lt;/b&gt; \\| y \\- \\*\\*fake item\\*\\*. "), item);
    assert.equal(md.split("\n").length, 6);
  });
});

describe("the other clients", () => {
  const CLIENTS: GitSetup["clients"] = [
    { client: "cargo", exported: true, value: "true" },
    { client: "go", patterns: ["bitbucket.org/acme"], variables: ["GOPRIVATE", "GONOSUMDB"] },
    {
      client: "netrc",
      file: "/runner/temp/bitbucket-api-token-auth-0123456789abcdef/netrc",
      machines: ["api.bitbucket.org", "bitbucket.org"],
      carried: 2,
    },
    {
      client: "composer",
      home: "/runner/temp/bitbucket-api-token-auth-0123456789abcdef/composer",
      host: "api.bitbucket.org",
      carried: "/home/runner/.config/composer",
    },
  ];

  it("words each client in the summary's table and the terminal report", () => {
    const md = summaryMarkdown(fit(fitReport(), { ...GIT, clients: CLIENTS }), markdown);
    assert.match(
      md,
      /### Other clients\n\n\| Client \| Set up for later steps \|\n\|---\|---\|\n\| cargo \| `CARGO_NET_GIT_FETCH_WITH_CLI=true`/,
    );
    assert.match(md, /\| Go \| `bitbucket.org\/acme` added to `GOPRIVATE`, `GONOSUMDB`/);
    assert.match(
      md,
      /\| netrc \| `NETRC` = \/runner\/temp\/bitbucket\\-api\\-token\\-auth\\-0123456789abcdef\/netrc, for api\.bitbucket\.org, bitbucket\.org; 2 other entries of your netrc carried over \|/,
    );
    const text = reportText(fit(fitReport(), { ...GIT, clients: CLIENTS }), plain, {
      color: false,
    });
    assert.match(text, /\n {2}cargo: {7}`CARGO_NET_GIT_FETCH_WITH_CLI=true`: cargo fetches/);
    assert.match(
      text,
      /\n {2}Composer: {4}`COMPOSER_HOME` = \/runner\/temp\/.*\/composer, with a credential for api\.bitbucket\.org; the rest of \/home\/runner\/\.config\/composer stays in use\n/,
    );
  });

  it("says what to set for Go when no repository was named, and what was kept", () => {
    assert.match(
      clientText({ client: "go", patterns: [], variables: [] }, plain).text,
      /set `GOPRIVATE=<git host>\/<workspace>`/,
    );
    assert.equal(
      clientText({ client: "go", patterns: ["bitbucket.org/acme"], variables: [] }, plain).text,
      "GOPRIVATE covers `bitbucket.org/acme` already",
    );
  });

  it("makes a hostile value of the user's one harmless line", () => {
    for (const r of [plain, markdown]) {
      const { text } = clientText({ client: "cargo", exported: false, value: HOSTILE }, r);
      assert.equal(text.split("\n").length, 1);
      assert.doesNotMatch(text, UNSAFE);
    }
    const md = summaryMarkdown(
      fit(fitReport(), { ...GIT, clients: [{ client: "cargo", exported: false, value: "a|b" }] }),
      markdown,
    );
    assert.match(
      md,
      /\| cargo \| `CARGO_NET_GIT_FETCH_WITH_CLI` was set already \(to a\\\|b\): left as it is \|/,
    );
  });
});

describe("reportText", () => {
  it("has ANSI codes only when color is true", () => {
    for (const outcome of [fit(), unfit()]) {
      assert.equal(hasAnsi(reportText(outcome, plain, { color: false })), false);
      assert.equal(hasAnsi(reportText(outcome, plain, { color: true })), true);
    }
  });

  it("is empty without a report", () => {
    assert.equal(
      reportText({ verdict: "bad-input", problems: [], warnings: [] }, plain, { color: true }),
      "",
    );
  });

  it("colours the verdict and the marks", () => {
    const coloured = reportText(unfit(), command, { color: true });
    assert.ok(coloured.startsWith("\u001b[31m✘ The token is not fit for use.\u001b[0m\n"));
    assert.ok(coloured.includes("\u001b[32m✔\u001b[0m repository  to clone"));
    assert.ok(
      coloured.includes(
        "\u001b[31m✘\u001b[0m repository:write  \u001b[31mmissing: \u001b[0mto push to repositories",
      ),
    );
    assert.ok(
      reportText(fit(), command, { color: true }).startsWith(
        "\u001b[32m✔ The token is fit for use.\u001b[0m\n",
      ),
    );
  });

  it("renders a fit outcome in plain text exactly", () => {
    assert.equal(
      reportText(fit(), command, { color: false }),
      [
        "✔ The token is fit for use.",
        "  Account:     Jane Doe (jdoe, 557058:abc)",
        "  Token:       Atlassian API token (git username x-bitbucket-api-token-auth)",
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

  it("lists every repository's access, and names --expires-at when the expiry is unknown", () => {
    const report = unfitReport();
    const lines = reportText(unfit(report), command, { color: false }).split("\n");
    assert.ok(lines.includes("  Token:       repository access token (git username x-token-auth)"));
    assert.ok(lines.includes("    acme/gone: read not found, write not required"));
    assert.ok(lines.includes("    acme/app: read proven, write not checked (scope missing)"));
    assert.ok(lines.includes("    acme/odd: read refused, write refused"));
    report.expiry = { status: "unknown" };
    assert.ok(
      reportText(unfit(report), command, { color: false }).includes(
        "  Expires:     unknown (set --expires-at to be warned before it expires)\n",
      ),
    );
  });

  it("keeps a hostile display name on its own line, without escape sequences", () => {
    const report = fitReport();
    report.account = { accountId: "1", displayName: HOSTILE };
    const text = reportText(fit(report), command, { color: false });
    assert.equal(text.split("\n").length, 11);
    assert.ok(!text.includes(ESC) && !text.includes("\u009b") && !text.includes("\u202e"));
    assert.ok(!/\n::/.test(text));
  });
});

describe("problemsText", () => {
  it("lists problems, then warnings, each with its fix on the next line", () => {
    const text = problemsText(unfit(), command, { color: false });
    const lines = text.split("\n");
    assert.equal(lines.length, 7);
    assert.equal(
      lines[0],
      "✘ The token lacks 1 required scope: repository:write (to push to repositories).",
    );
    assert.ok(lines[1].startsWith("  → Access tokens cannot be edited"));
    assert.ok(lines[1].endsWith("remove them from --required-scopes."));
    assert.ok(lines[2].startsWith("✘ acme/gone: Bitbucket answered 404"));
    assert.ok(lines[3].startsWith("  → Check the spelling of acme/gone in --repositories"));
    assert.equal(lines[4], "⚠ The token expires on 2026-08-20, in 4 days (--expires-at).");
    assert.ok(lines[5].startsWith("  → Create an API token with scopes"));
    assert.equal(lines[6], "");
  });

  it("writes no fix line for a note without one", () => {
    const text = problemsText(
      {
        problems: [],
        warnings: [problem("credentials-replaced", { count: 2, scope: "https://bitbucket.org/" })],
      },
      command,
      { color: false },
    );
    assert.equal(
      text,
      "⚠ 2 earlier git credential(s) of this tool also cover https://bitbucket.org/: git now sends this one there, set up later; each is removed by its own cleanup.\n",
    );
  });

  it("colours only the marks", () => {
    const text = problemsText(unfit(), command, { color: true });
    assert.ok(text.startsWith("\u001b[31m✘\u001b[0m The token lacks"));
    assert.ok(text.includes("\n\u001b[33m⚠\u001b[0m The token expires"));
    assert.equal(problemsText({ problems: [], warnings: [] }, command, { color: true }), "");
  });
});
