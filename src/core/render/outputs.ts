/** The action's outputs and Pipelines' output variables: one line each, server text sanitised. */
import type { Report } from "../verdict.ts";
import { untrusted } from "./sanitize.ts";

export function outputsOf(report: Report | undefined): Record<string, string> {
  if (!report) return {};
  return {
    "account-id": untrusted(report.account?.accountId ?? ""),
    username: untrusted(report.account?.username ?? ""),
    "display-name": untrusted(report.account?.displayName ?? ""),
    "credential-type": report.credentialKind,
    "token-kind": report.tokenKind,
    "git-username": report.gitUsername,
    scopes: report.grantedScopes.map((s) => untrusted(s, 80)).join(" "),
    "missing-scopes": report.missingScopes.join(" "),
    "expires-in-days": report.expiry.daysLeft === undefined ? "" : String(report.expiry.daysLeft),
  };
}

/**
 * output-variables for later Pipelines steps: NAME=value lines of non-secret results. The expiry
 * line is left out when the expiry is unknown.
 */
export function pipelinesVariables(report: Report): string {
  const lines = [`BITBUCKET_AUTH_USERNAME=${report.gitUsername}`];
  if (report.expiry.daysLeft !== undefined)
    lines.push(`BITBUCKET_AUTH_EXPIRES_IN_DAYS=${report.expiry.daysLeft}`);
  return `${lines.join("\n")}\n`;
}
