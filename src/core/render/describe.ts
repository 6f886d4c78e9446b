/** Renderer for the parts of a Report, shared by the summary and the terminal report. */
import type { ClientNote } from "../clients/setup.ts";
import { CARGO_VARIABLE } from "../clients/variables.ts";
import type { Expiry } from "../inputs/dates.ts";
import type { Access, Report, TokenKind } from "../verdict.ts";
import type { Renderer } from "./renderer.ts";

export const ACCESS_TEXT: Record<Access, { mark: string; text: string }> = {
  proven: { mark: "✅", text: "proven" },
  denied: { mark: "❌", text: "denied" },
  missing: { mark: "❌", text: "not found" },
  failed: { mark: "❌", text: "refused" },
  "not-checked": { mark: "➖", text: "not checked (scope missing)" },
  "not-required": { mark: "➖", text: "not required" },
};

export const TOKEN_KIND_TEXT: Record<TokenKind, string> = {
  "api-token": "Atlassian API token",
  "repository-access-token": "repository access token",
  "project-access-token": "project access token",
  "workspace-access-token": "workspace access token",
  "access-token": "access token",
};

/** "Alice Example (alice, 712020:…)": every part came from Bitbucket. */
export function accountText(report: Report, r: Renderer): string {
  const a = report.account;
  if (!a)
    return report.credentialKind === "access-token" ? "an access token (not a user)" : "unknown";
  const name = a.displayName ? `${r.untrusted(a.displayName, 100)} ` : "";
  const ids = [a.username, a.accountId]
    .filter((x): x is string => Boolean(x))
    .map((x) => r.untrusted(x, 100));
  return `${name}(${ids.join(", ")})`;
}

export function expiryText(expiry: Expiry, r: Renderer): string {
  if (expiry.status === "unknown")
    return `unknown (set ${r.input("expires-at")} to be warned before it expires)`;
  if (expiry.status === "today") return `⚠️ ${expiry.day}, today`;
  const left = `${expiry.day}, in ${expiry.daysLeft} day(s)`;
  return expiry.status === "warn" ? `⚠️ ${left}` : left;
}

/** "bitbucket.org", or "bitbucket.org/acme/app, bitbucket.org/acme/lib" for a repository token. */
export function scopeText(scopes: string[]): string {
  return scopes.map((s) => s.replace(/^[a-z]+:\/\//, "").replace(/\/$/, "")).join(", ");
}

/** One line per client given something beside git (cargo, Go, netrc, Composer). */
export function clientText(note: ClientNote, r: Renderer): { client: string; text: string } {
  switch (note.client) {
    case "cargo":
      return {
        client: "cargo",
        text: note.exported
          ? `${r.code(`${CARGO_VARIABLE}=true`)}: cargo fetches git dependencies with git, and so with these credentials`
          : `${r.code(CARGO_VARIABLE)} was set already (to ${r.untrusted(note.value, 40)}): left as it is`,
      };
    case "go": {
      const patterns = note.patterns.map((p) => r.code(p)).join(", ");
      const text =
        note.patterns.length === 0
          ? `GOPRIVATE unchanged: no repository named, so no workspace proven (for private modules set ${r.code("GOPRIVATE=<git host>/<workspace>")})`
          : note.variables.length === 0
            ? `GOPRIVATE covers ${patterns} already`
            : `${patterns} added to ${note.variables.map((v) => r.code(v)).join(", ")}: fetched with git, not through proxy.golang.org and sum.golang.org`;
      return { client: "Go", text };
    }
    case "netrc":
      return {
        client: "netrc",
        text: `${r.code("NETRC")} = ${r.untrusted(note.file)}, for ${note.machines.join(", ")}${note.carried > 0 ? `; ${note.carried} other entr${note.carried === 1 ? "y" : "ies"} of your netrc carried over` : ""}`,
      };
    case "composer":
      return {
        client: "Composer",
        text: `${r.code("COMPOSER_HOME")} = ${r.untrusted(note.home)}, with a credential for ${note.host}${note.carried ? `; the rest of ${r.untrusted(note.carried)} stays in use` : ""}`,
      };
  }
}
