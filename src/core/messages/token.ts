/** The token: what Bitbucket's answers (or the token's own shape and date) say about it. */
import { capitalise as cap, type Renderer } from "../render/renderer.ts";
import { count, list, message } from "./define.ts";

/** Where API tokens are made; one sentence, so that no fix repeats it. */
export const createApiToken = (r: Renderer): string =>
  `Create an API token with scopes: Atlassian account settings → Security → Create and manage API tokens → Create API token with scopes → app: Bitbucket → choose the scopes → copy the token into the CI secret (and pass your Atlassian account email as ${r.input("email")}).`;

const updateExpiry = (r: Renderer) =>
  `Then set ${r.input("expires-at")} to the new token's expiry date.`;

export const TOKEN_MESSAGES = {
  "app-password": message({
    group: "token",
    about: "api-token",
    text: (_, r) =>
      `${cap(r.input("api-token"))} is a Bitbucket app password (it starts with ATBB). App passwords were retired: creation stopped in September 2025 and they stopped working on 28 July 2026.`,
    fix: (_, r) => createApiToken(r),
    example: {},
  }),
  expired: message({
    group: "token",
    about: "expires-at",
    text: (p: { day: string }, r) => `The token expired on ${p.day} (${r.input("expires-at")}).`,
    fix: (_, r) => `${createApiToken(r)} ${updateExpiry(r)}`,
    example: { day: "2026-10-31" },
  }),
  "expires-today": message({
    group: "token",
    about: "expires-at",
    text: (p: { day: string }, r) =>
      `The token expires today, ${p.day} (${r.input("expires-at")}); it may stop working at any time of the day.`,
    fix: (_, r) => `${createApiToken(r)} ${updateExpiry(r)}`,
    example: { day: "2026-11-28" },
  }),
  "expires-soon": message({
    group: "token",
    about: "expires-at",
    text: (p: { day: string; days: number }, r) =>
      `The token expires on ${p.day}, in ${count(p.days, "day")} (${r.input("expires-at")}).`,
    fix: (_, r) => `${createApiToken(r)} ${updateExpiry(r)}`,
    example: { day: "2026-12-05", days: 7 },
  }),
  rejected: message({
    group: "token",
    about: "api-token",
    text: (p: { email: string }) =>
      `Bitbucket rejected the token (401) for ${p.email}: it is expired, revoked, an API token without scopes (a classic token), a token for another Atlassian app, or not the token of this email's account.`,
    fix: (_, r) =>
      `Check that ${r.input("email")} is the email of the account that created the token. Otherwise the token must be replaced. ${createApiToken(r)}`,
    example: { email: "you@example.com" },
  }),
  "access-token-rejected": message({
    group: "token",
    about: "api-token",
    text: (_: { repositories: number }, r) =>
      `Bitbucket rejected the access token (401): it is expired or revoked, or it is an Atlassian API token used without ${r.input("email")}.`,
    fix: (p, r) =>
      `For an Atlassian API token, set ${r.input("email")}. For an access token, create a new one in the repository, project or workspace settings → Access tokens, and update the CI secret.${p.repositories === 0 ? ` If the token is valid, name a repository it can read in ${r.input("repositories")}: access tokens are not users, so they are proven on a repository.` : ""}`,
    example: { repositories: 0 },
  }),
  "scopes-missing": message({
    group: "token",
    about: "required-scopes",
    text: (p: {
      scopes: { name: string; purpose: string }[];
      kind: "api-token" | "access-token";
    }) =>
      `The token lacks ${count(p.scopes.length, "required scope")}: ${list(p.scopes.map((s) => `${s.name} (${s.purpose})`))}.`,
    fix: (p, r) =>
      `${
        p.kind === "api-token"
          ? "API tokens cannot be edited: create a new API token with scopes that include them (Atlassian account settings → Security → Create and manage API tokens), then update the CI secret."
          : "Access tokens cannot be edited: create a new access token with them (repository, project or workspace settings → Access tokens), then update the CI secret."
      } Or, if this job does not need them, remove them from ${r.input("required-scopes")}.`,
    example: {
      kind: "api-token",
      scopes: [
        { name: "read:user:bitbucket", purpose: "to prove who the token belongs to" },
        { name: "write:repository:bitbucket", purpose: "to push to repositories" },
      ],
    },
  }),
  "rate-limit-near": message({
    group: "token",
    about: "rate limit",
    text: (p: { resource?: string }, r) =>
      `Bitbucket says this token is near its rate limit${p.resource ? ` for ${r.untrusted(p.resource, 60)}` : ""} (X-RateLimit-NearLimit).`,
    fix: () =>
      "Jobs sharing this token may soon be refused with 429 for up to an hour: spread them out, or give busy jobs their own token.",
    example: { resource: "api" },
  }),
};
