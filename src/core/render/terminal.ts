/**
 * Outcome → text for a terminal or a CI log (the command and the pipe). Colour is optional and
 * never carries meaning alone. Server text arrives sanitised by the Renderer given.
 */
import { type Problem, render } from "../messages/index.ts";
import type { Outcome } from "../outcome.ts";
import {
  ACCESS_TEXT,
  accountText,
  clientText,
  expiryText,
  scopeText,
  TOKEN_KIND_TEXT,
} from "./describe.ts";
import type { Renderer } from "./renderer.ts";

export interface Style {
  color: boolean;
}

const paint = (style: Style, code: number) => (text: string) =>
  style.color ? `\u001b[${code}m${text}\u001b[0m` : text;

/** The report of a check: on stdout. Absent when Bitbucket gave no report. */
export function reportText(outcome: Outcome, r: Renderer, style: Style): string {
  const { report, git } = outcome;
  if (!report) return "";
  const good = paint(style, 32);
  const bad = paint(style, 31);
  const fit = outcome.verdict === "fit";
  const lines = [
    fit ? good("✔ The token is fit for use.") : bad("✘ The token is not fit for use."),
    `  Account:     ${accountText(report, r)}`,
    `  Token:       ${TOKEN_KIND_TEXT[report.tokenKind]} (git username ${report.gitUsername})`,
    `  Expires:     ${expiryText(report.expiry, r)}`,
  ];
  if (report.required.length > 0) {
    lines.push("  Scopes:");
    for (const s of report.required)
      lines.push(
        `    ${s.held ? good("✔") : bad("✘")} ${s.name}  ${s.held ? "" : bad("missing: ")}${s.purpose}`,
      );
  }
  if (report.repositories.length > 0) {
    lines.push("  Repositories:");
    for (const r of report.repositories)
      lines.push(
        `    ${r.name}: read ${ACCESS_TEXT[r.read].text}, write ${ACCESS_TEXT[r.write].text}`,
      );
  }
  if (git) {
    lines.push(
      `  Git:         credentials configured for ${scopeText(git.scopes)} (include in ${git.globalConfig ?? "the job's environment"})`,
    );
    for (const note of git.clients) {
      const { client, text } = clientText(note, r);
      lines.push(`  ${`${client}:`.padEnd(12)} ${text}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Problems then warnings, each with its fix on the next line. */
export function problemsText(
  outcome: Pick<Outcome, "problems" | "warnings">,
  r: Renderer,
  style: Style,
): string {
  return [
    ...outcome.problems.map((p) => lines(p, r, paint(style, 31)("✘"))),
    ...outcome.warnings.map((p) => lines(p, r, paint(style, 33)("⚠"))),
  ].join("");
}

function lines(p: Problem, r: Renderer, mark: string): string {
  const { text, fix } = render(p, r);
  return `${mark} ${text}\n${fix ? `  → ${fix}\n` : ""}`;
}
