/**
 * What Bitbucket's responses say, read carefully: the account, the scopes, the precise kind of
 * token, the rate limit, and whether an answer is Bitbucket's at all. Pure; the verdict uses it.
 */

import { type CredentialKind, holdsCredential } from "../inputs/credential.ts";
import { parseScopeHeader } from "../inputs/scopes.ts";
import type { Settings } from "../inputs/settings.ts";
import { type Problem, problem } from "../messages/index.ts";
import { type BitbucketResponse, firstHeader } from "./client.ts";
import type { RepositoryResponses } from "./requests.ts";

export interface Account {
  accountId?: string;
  uuid?: string;
  username?: string;
  displayName?: string;
}

/** The precise kind when Bitbucket names it (x-credential-type); the inferred one otherwise. */
export type TokenKind =
  | "api-token"
  | "repository-access-token"
  | "project-access-token"
  | "workspace-access-token"
  | "access-token";

const CREDENTIAL_TYPES: Record<string, TokenKind> = {
  api_token: "api-token",
  repo_access_token: "repository-access-token",
  repository_access_token: "repository-access-token",
  project_access_token: "project-access-token",
  workspace_access_token: "workspace-access-token",
};

/**
 * Account fields, scopes and header values end up in outputs, the log and the summary. A
 * response carrying the credential back, even in part (a hostile or broken middlebox), is
 * refused whole, so none of it is shown.
 */
export function echoes(settings: Settings, responses: BitbucketResponse[]): boolean {
  const { token, email } = settings.credential;
  return responses.some((response) => {
    const text = [
      JSON.stringify(response.json ?? null),
      ...SHOWN_HEADERS.map((name) => String(response.headers[name] ?? "")),
    ].join("\n");
    return holdsCredential(text, token, email);
  });
}

/** The headers whose values may be shown somewhere (in part, after sanitising). */
const SHOWN_HEADERS = [
  "x-oauth-scopes",
  "x-credential-type",
  "x-ratelimit-resource",
  "content-type",
  "location",
];

export function tokenKind(answers: BitbucketResponse[], kind: CredentialKind): TokenKind {
  for (const answer of answers) {
    const type = firstHeader(answer.headers["x-credential-type"])?.trim().toLowerCase() ?? "";
    if (type in CREDENTIAL_TYPES) return CREDENTIAL_TYPES[type];
  }
  return kind;
}

/** Scopes from x-oauth-scopes and from a 403's `detail.granted`; undefined when no answer said. */
export function grantedScopes(answers: BitbucketResponse[]): Set<string> | undefined {
  const granted = new Set<string>();
  let said = false;
  for (const answer of answers) {
    const header = answer.headers["x-oauth-scopes"];
    if (header !== undefined) {
      said = true;
      for (const scope of parseScopeHeader(header)) granted.add(scope);
    }
    const detail = answer.status === 403 ? errorDetail(answer) : undefined;
    if (Array.isArray(detail?.granted)) {
      said = true;
      for (const scope of detail.granted)
        if (typeof scope === "string") granted.add(scope.trim().toLowerCase());
    }
  }
  return said ? granted : undefined;
}

export function errorDetail(
  answer: BitbucketResponse,
): { granted?: unknown; required?: unknown } | undefined {
  const detail = (answer.json as { error?: { detail?: unknown } } | undefined)?.error?.detail;
  return typeof detail === "object" && detail !== null ? detail : undefined;
}

export function readAccount(user: BitbucketResponse): Account | undefined {
  const body = user.json as Record<string, unknown>;
  const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
  const account: Account = {
    accountId: text("account_id"),
    uuid: text("uuid"),
    username: text("username") ?? text("nickname"),
    displayName: text("display_name"),
  };
  // A 200 that does not name anyone is not proof of identity, whatever the status says.
  return account.accountId || account.uuid ? account : undefined;
}

/** A 200 must be git's advertisement: a proxy's or portal's page is not proof of access. */
export function advertisementProblem(
  settings: Settings,
  entry: RepositoryResponses,
): Problem | undefined {
  const services: [BitbucketResponse | undefined, string][] = [
    [entry.read, "git-upload-pack"],
    [entry.write, "git-receive-pack"],
  ];
  for (const [answer, service] of services) {
    if (answer?.status !== 200) continue;
    const type = String(firstHeader(answer.headers["content-type"]) ?? "");
    if (!type.startsWith(`application/x-${service}-advertisement`)) {
      return problem("not-an-advertisement", {
        host: settings.gitUrl.host,
        name: entry.repository.fullName,
        service,
        // Only a well-formed media type is shown; anything else a server sends is described.
        type: /^[\w.+-]+\/[\w.+-]+$/.test(type.split(";")[0].trim())
          ? type.split(";")[0].trim()
          : type
            ? "unrecognised"
            : "",
      });
    }
  }
  return undefined;
}

/** X-RateLimit-NearLimit: the first response that says the token is near its limit, and for what. */
export function nearLimit(responses: BitbucketResponse[]): { resource?: string } | undefined {
  const near = responses.find((r) =>
    /^(true|1|yes)$/i.test(firstHeader(r.headers["x-ratelimit-nearlimit"]) ?? ""),
  );
  return near ? { resource: firstHeader(near.headers["x-ratelimit-resource"]) } : undefined;
}
