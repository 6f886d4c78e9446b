/** Outcome → the job summary (markdown). Server text is escaped by the Renderer it is given. */

import type { GitSetup } from "../git/setup.ts";
import { type Problem, render } from "../messages/index.ts";
import type { Outcome, Verdict } from "../outcome.ts";
import {
  ACCESS_TEXT,
  accountText,
  clientText,
  expiryText,
  scopeText,
  TOKEN_KIND_TEXT,
} from "./describe.ts";
import type { Renderer } from "./renderer.ts";

const TITLES: Record<Verdict, string> = {
  fit: "✅ fit for use",
  unfit: "❌ not fit for use",
  "bad-input": "❌ bad input",
  unreachable: "❌ not checked",
  unexpected: "❌ unexpected error",
};

export function summaryMarkdown(outcome: Outcome, r: Renderer): string {
  const rows = [`## Bitbucket token ${TITLES[outcome.verdict]}`];
  const { report, git } = outcome;
  if (report) {
    rows.push(
      "",
      "| | |",
      "|---|---|",
      `| Account | ${accountText(report, r)} |`,
      `| Token | ${TOKEN_KIND_TEXT[report.tokenKind]} (git username \`${report.gitUsername}\`) |`,
      `| Expires | ${expiryText(report.expiry, r)} |`,
      `| Git credentials | ${git ? gitText(git) : "not configured"} |`,
    );
    if (report.required.length > 0) {
      rows.push(
        "",
        "### Required scopes",
        "",
        "| Scope | Held | What it is for |",
        "|---|---|---|",
      );
      for (const s of report.required)
        rows.push(`| \`${s.name}\` | ${s.held ? "✅" : "❌ missing"} | ${s.purpose} |`);
    }
    if (report.repositories.length > 0) {
      rows.push(
        "",
        "### Repositories",
        "",
        "| Repository | Read (git) | Write (git) |",
        "|---|---|---|",
      );
      for (const r of report.repositories) {
        const [read, write] = [ACCESS_TEXT[r.read], ACCESS_TEXT[r.write]];
        rows.push(`| \`${r.name}\` | ${read.mark} ${read.text} | ${write.mark} ${write.text} |`);
      }
    }
  }
  if (git && git.clients.length > 0) {
    rows.push("", "### Other clients", "", "| Client | Set up for later steps |", "|---|---|");
    for (const note of git.clients) {
      const { client, text } = clientText(note, r);
      rows.push(`| ${client} | ${text} |`);
    }
  }
  if (outcome.problems.length > 0)
    rows.push("", "### What to fix", "", ...items(outcome.problems, r, ""));
  if (outcome.warnings.length > 0)
    rows.push("", "### Warnings", "", ...items(outcome.warnings, r, "⚠️ "));
  return `${rows.join("\n")}\n`;
}

/** The scope comes from validated settings (a URL, repository slugs): no server text. */
function gitText(git: GitSetup): string {
  const ssh = git.rewriteSshUrls ? " (SSH URLs rewritten to HTTPS)" : "";
  const where = git.jobConfig ? "for this job only" : "included from the global git config";
  const proof = git.proven.endsWith("/")
    ? "in force in git's config"
    : "proven with `git ls-remote`";
  return `configured for ${scopeText(git.scopes)}${ssh}, ${where}; ${proof}`;
}

function items(problems: Problem[], r: Renderer, mark: string): string[] {
  return problems.map((p) => {
    const { text, fix } = render(p, r);
    return `- ${mark}**${oneLine(text)}**${fix ? ` ${oneLine(fix)}` : ""}`;
  });
}

/** Our own words never hold a line break; this keeps a list item whole if one ever does. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ");
