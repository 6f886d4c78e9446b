/** Words for the parts of a Report, shared by the summary and the terminal report. */
import type { Expiry } from "../inputs/dates.ts";
import type { Access, Report, TokenKind } from "../verdict.ts";
import type { Words } from "./words.ts";

export const ACCESS_WORDS: Record<Access, { mark: string; words: string }> = {
  proven: { mark: "✅", words: "proven" },
  denied: { mark: "❌", words: "denied" },
  missing: { mark: "❌", words: "not found" },
  failed: { mark: "❌", words: "refused" },
  "not-checked": { mark: "➖", words: "not checked (scope missing)" },
  "not-required": { mark: "➖", words: "not required" },
};

export const TOKEN_KIND_WORDS: Record<TokenKind, string> = {
  "api-token": "Atlassian API token",
  "repository-access-token": "repository access token",
  "project-access-token": "project access token",
  "workspace-access-token": "workspace access token",
  "access-token": "access token",
};

/** "Alice Example (alice, 712020:…)": every part came from Bitbucket. */
export function accountText(report: Report, w: Words): string {
  const a = report.account;
  if (!a)
    return report.credentialKind === "access-token" ? "an access token (not a user)" : "unknown";
  const name = a.displayName ? `${w.untrusted(a.displayName, 100)} ` : "";
  const ids = [a.username, a.accountId]
    .filter((x): x is string => Boolean(x))
    .map((x) => w.untrusted(x, 100));
  return `${name}(${ids.join(", ")})`;
}

export function expiryText(expiry: Expiry, w: Words): string {
  if (expiry.status === "unknown")
    return `unknown (set ${w.input("expires-at")} to be warned before it expires)`;
  if (expiry.status === "today") return `⚠️ ${expiry.day}, today`;
  const left = `${expiry.day}, in ${expiry.daysLeft} day(s)`;
  return expiry.status === "warn" ? `⚠️ ${left}` : left;
}
