/**
 * Report → words: the job summary (markdown), terminal text, and the action's outputs. Nothing
 * here can see the token: a Report holds none of it, by construction.
 */
import type { Access, Report } from "../checks/checks.ts";
import type { Problem } from "../errors.ts";
import type { GitSetup } from "../git/setup.ts";

/** The action's outputs; every value is safe to show. */
export function outputsOf(report: Report): Record<string, string> {
  return {
    "account-id": report.account?.accountId ?? "",
    username: report.account?.username ?? "",
    "display-name": report.account?.displayName ?? "",
    "credential-type": report.credentialKind,
    "git-username": report.gitUsername,
    scopes: report.grantedScopes.join(" "),
    "missing-scopes": report.missingScopes.join(" "),
    "expires-in-days": report.expiry.daysLeft === undefined ? "" : String(report.expiry.daysLeft),
  };
}

const ACCESS_WORDS: Record<Access, string> = {
  ok: "✅ proven",
  denied: "❌ denied",
  missing: "❌ not found",
  unchecked: "➖ not checked (scope missing)",
  "not-required": "➖ not required",
};

export function expiryText(report: Report): string {
  const { expiry } = report;
  if (expiry.status === "unknown")
    return "unknown (set `expires-at` to be warned before it expires)";
  const day = expiry.expiresAt?.toISOString().slice(0, 10);
  const left = `${day}, in ${expiry.daysLeft} day(s)`;
  return expiry.status === "warn" ? `⚠️ ${left}` : left;
}

function accountText(report: Report): string {
  const a = report.account;
  if (!a)
    return report.credentialKind === "access-token" ? "an access token (not a user)" : "unknown";
  const name = a.displayName ? `${a.displayName} ` : "";
  return `${name}(${[a.username, a.accountId].filter(Boolean).join(", ")})`;
}

export function summaryMarkdown(report: Report, git?: GitSetup): string {
  const ok = report.problems.length === 0;
  const rows = [
    `## Bitbucket token ${ok ? "✅ fit for use" : "❌ not fit for use"}`,
    "",
    "| | |",
    "|---|---|",
    `| Account | ${escapeCell(accountText(report))} |`,
    `| Credential | ${report.credentialKind} (git username \`${report.gitUsername}\`) |`,
    `| Expires | ${escapeCell(expiryText(report))} |`,
    `| Git credentials | ${git ? `configured for ${git.host}${git.rewriteSshUrls ? " (SSH URLs rewritten to HTTPS)" : ""}` : "not configured"} |`,
    "",
    "### Required scopes",
    "",
    "| Scope | Held | What it is for |",
    "|---|---|---|",
    ...report.required.map(
      (s) => `| \`${s.name}\` | ${s.held ? "✅" : "❌ missing"} | ${s.purpose} |`,
    ),
  ];
  if (report.repositories.length > 0) {
    rows.push(
      "",
      "### Repositories",
      "",
      "| Repository | Read (REST + git) | Write (git) |",
      "|---|---|---|",
    );
    for (const r of report.repositories)
      rows.push(`| \`${r.name}\` | ${ACCESS_WORDS[r.read]} | ${ACCESS_WORDS[r.write]} |`);
  }
  if (report.problems.length > 0)
    rows.push("", "### What to fix", "", ...problemList(report.problems));
  if (report.warnings.length > 0)
    rows.push("", "### Warnings", "", ...report.warnings.map((w) => `- ⚠️ ${w}`));
  return `${rows.join("\n")}\n`;
}

/** For runs that end before there is a report: bad inputs, or Bitbucket out of reach. */
export function failureMarkdown(title: string, problems: Problem[]): string {
  return `## Bitbucket token ❌ ${title}\n\n${problemList(problems).join("\n")}\n`;
}

function problemList(problems: Problem[]): string[] {
  return problems.map((p) => `- **${escapeCell(p.message)}** ${escapeCell(p.fix)}`);
}

export interface Style {
  color: boolean;
}

export function terminalText(report: Report, style: Style, git?: GitSetup): string {
  const paint = (code: number, text: string) =>
    style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const good = (t: string) => paint(32, t);
  const bad = (t: string) => paint(31, t);
  const ok = report.problems.length === 0;
  const lines = [
    ok ? good("✔ The token is fit for use.") : bad("✘ The token is not fit for use."),
    `  Account:     ${accountText(report)}`,
    `  Credential:  ${report.credentialKind} (git username ${report.gitUsername})`,
    `  Expires:     ${expiryText(report).replace(/`/g, "")}`,
    "  Scopes:",
    ...report.required.map(
      (s) =>
        `    ${s.held ? good("✔") : bad("✘")} ${s.name}  ${s.held ? "" : bad("missing: ")}${s.purpose}`,
    ),
  ];
  if (report.repositories.length > 0) {
    lines.push("  Repositories:");
    for (const r of report.repositories) {
      lines.push(
        `    ${r.name}: read ${ACCESS_WORDS[r.read].replace(/^\S+ /, "")}, write ${ACCESS_WORDS[r.write].replace(/^\S+ /, "")}`,
      );
    }
  }
  if (git)
    lines.push(
      `  Git:         credentials configured for ${git.host} (include in ${git.globalConfig})`,
    );
  for (const p of report.problems) lines.push(bad(`✘ ${p.message}`), `  → ${p.fix}`);
  for (const w of report.warnings) lines.push(paint(33, `⚠ ${w}`));
  return `${lines.join("\n")}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
