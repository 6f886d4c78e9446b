/**
 * Is the token fit? A pure function of the settings, Bitbucket's answers and the clock:
 * answers → Report (data, not text) plus the problems and warnings to tell. No I/O, so every
 * case is unit-tested with canned answers. Text in a Report came from a server: renderers
 * sanitise it.
 */
import type { BitbucketResponse } from "./bitbucket/client.ts";
import {
  type Account,
  advertisementProblem,
  echoes,
  grantedScopes,
  nearLimit,
  readAccount,
  type TokenKind,
  tokenKind,
} from "./bitbucket/read.ts";
import {
  READ_SCOPE,
  type RepositoryResponses,
  type Responses,
  WRITE_SCOPE,
  wantsWrite,
} from "./bitbucket/requests.ts";
import { type CredentialKind, looksLikeAppPassword } from "./inputs/credential.ts";
import { type Expiry, judgeExpiry } from "./inputs/dates.ts";
import { missingScopes, scopePurpose, toGranular, toLegacyName } from "./inputs/scopes.ts";
import type { Settings } from "./inputs/settings.ts";
import { type Problem, problem } from "./messages/index.ts";

export type { Account, TokenKind };

/**
 * proven: git said yes. denied: authenticated, not allowed. missing: 404 (missing or
 * forbidden). not-checked: a missing scope explains it. not-required: push was not asked for.
 */
export type Access = "proven" | "denied" | "missing" | "not-checked" | "not-required" | "failed";

export interface RepositoryResult {
  name: string;
  read: Access;
  write: Access;
}

export interface ScopeResult {
  name: string;
  held: boolean;
  purpose: string;
}

export interface Report {
  credentialKind: CredentialKind;
  tokenKind: TokenKind;
  gitUsername: string;
  account?: Account;
  /** As Bitbucket reported them (lower-cased). */
  grantedScopes: string[];
  required: ScopeResult[];
  /** In the credential's own naming: granular for API tokens, legacy for access tokens. */
  missingScopes: string[];
  repositories: RepositoryResult[];
  expiry: Expiry;
}

export type Judgement =
  | { verdict: "fit" | "unfit"; report: Report; problems: Problem[]; warnings: Problem[] }
  | { verdict: "unreachable" | "bad-input"; problems: Problem[] };

/** What can be judged with no request: nothing is sent for a token that cannot work. */
export function judgeOffline(
  settings: Settings,
  now: Date,
): { expiry: Expiry; problems: Problem[] } {
  const expiry = judgeExpiry(settings.expiresAt, now, settings.expiryWarningDays);
  const problems: Problem[] = [];
  if (looksLikeAppPassword(settings.credential.token)) problems.push(problem("app-password", {}));
  else if (expiry.status === "expired")
    problems.push(problem("expired", { day: expiry.day ?? "" }));
  return { expiry, problems };
}

export function judge(settings: Settings, answers: Responses, expiry: Expiry): Judgement {
  const { credential } = settings;
  const apiHost = settings.apiUrl.host;
  const { identity } = answers;
  const rest = [
    ...new Set([identity.response, ...answers.repositories.flatMap((r) => [r.rest, r.membership])]),
  ].filter((a): a is BitbucketResponse => a !== undefined);
  const stop = (verdict: "unreachable" | "bad-input", p: Problem): Judgement => ({
    verdict,
    problems: [p],
  });

  const git = answers.repositories.flatMap((r) => (r.write ? [r.read, r.write] : [r.read]));
  if (echoes(settings, [...rest, ...git]))
    return stop("unreachable", problem("credential-echoed", { host: apiHost }));
  // /user exists for everyone, and a repository git can read exists: a 404 means api-url is wrong.
  const gitReadsIt = answers.repositories[0]?.read.status === 200;
  if (identity.response.status === 404 && (identity.path === "/user" || gitReadsIt))
    return stop(
      "bad-input",
      problem("api-url-not-found", {
        host: apiHost,
        path: settings.apiUrl.pathname,
        asked: identity.path,
      }),
    );

  const report: Report = {
    credentialKind: credential.kind,
    tokenKind: tokenKind(rest, credential.kind),
    gitUsername: credential.gitUsername,
    grantedScopes: [],
    required: [],
    missingScopes: [],
    repositories: [],
    expiry,
  };
  const problems: Problem[] = [];
  const warnings = expiryWarnings(expiry);

  // Access tokens are not users, and how Bitbucket answers them on /user is not documented:
  // when there are repositories to prove them on, git's answers are the verdict. A 403 or 404
  // from git means the token did authenticate.
  const refusedByGit = (r: RepositoryResponses) => r.read.status === 401 || r.read.status === 410;
  const rejected =
    credential.kind === "api-token" || answers.repositories.length === 0
      ? identity.response.status === 401
      : answers.repositories.every(refusedByGit);
  if (rejected) {
    problems.push(
      credential.kind === "api-token"
        ? problem("rejected", { email: credential.email ?? "" })
        : problem("access-token-rejected", { repositories: settings.repositories.length }),
    );
    return { verdict: "unfit", report, problems, warnings };
  }

  for (const answer of rest) {
    if (
      answer.status === 200 &&
      (answer.notJson || typeof answer.json !== "object" || answer.json === null)
    )
      return stop("unreachable", problem("not-json", { host: apiHost, status: 200 }));
  }
  const { status } = identity.response;
  if (identity.path === "/user" && status === 200) {
    const account = readAccount(identity.response);
    if (!account) return stop("unreachable", problem("no-account", { host: apiHost }));
    report.account = account;
  } else if (![200, 401, 403, 404].includes(status)) {
    return stop(
      "unreachable",
      problem("user-status", { host: apiHost, status, path: identity.path }),
    );
  }

  const granted = grantedScopes(rest);
  if (!granted) return stop("unreachable", problem("no-scopes-header", { host: apiHost }));
  report.grantedScopes = [...granted];
  const held = toGranular(granted);
  const nameOf = (scope: string) =>
    credential.kind === "access-token" ? toLegacyName(scope) : scope;
  report.required = [...toGranular(settings.requiredScopes)].map((scope) => ({
    name: nameOf(scope),
    held: held.has(scope),
    purpose: scopePurpose(scope),
  }));
  const missing = missingScopes(settings.requiredScopes, granted);
  report.missingScopes = [...new Set(missing.map(nameOf))];
  if (missing.length > 0) {
    problems.push(
      problem("scopes-missing", {
        kind: credential.kind,
        scopes: report.missingScopes.map((name) => ({ name, purpose: scopePurpose(name) })),
      }),
    );
  }

  for (const entry of answers.repositories) {
    const notAdvertised = advertisementProblem(settings, entry);
    if (notAdvertised) return stop("unreachable", notAdvertised);
    report.repositories.push(judgeRepository(settings, entry, held, problems));
  }

  const near = nearLimit(rest);
  if (near) warnings.push(problem("rate-limit-near", near));
  return { verdict: problems.length > 0 ? "unfit" : "fit", report, problems, warnings };
}

function expiryWarnings(expiry: Expiry): Problem[] {
  if (expiry.status === "today") return [problem("expires-today", { day: expiry.day ?? "" })];
  if (expiry.status === "warn")
    return [problem("expires-soon", { day: expiry.day ?? "", days: expiry.daysLeft ?? 0 })];
  return [];
}

type Doing = "read (clone or fetch)" | "push to";

function judgeRepository(
  settings: Settings,
  entry: RepositoryResponses,
  held: Set<string>,
  problems: Problem[],
): RepositoryResult {
  const name = entry.repository.fullName;
  const canRead = held.has(READ_SCOPE);
  const canWrite = held.has(WRITE_SCOPE);
  const result: RepositoryResult = { name, read: "not-checked", write: "not-required" };
  if (canRead) result.read = access(entry.read.status);
  if (wantsWrite(settings)) {
    // git needs read even to push: write is proven only where read was.
    if (!canWrite || !canRead) result.write = "not-checked";
    else if (result.read !== "proven") result.write = result.read;
    else result.write = entry.write ? access(entry.write.status) : "failed";
  }
  if (canRead && result.read !== "proven") {
    problems.push(explain(settings, entry, entry.read.status, "read (clone or fetch)"));
  } else if (canWrite && entry.write && result.write !== "proven" && result.read === "proven") {
    // A refused read already explains a refused push: one problem per repository.
    problems.push(explain(settings, entry, entry.write.status, "push to"));
  }
  if (result.read === "missing" && entry.membership && entry.membership.status !== 200) {
    const email = settings.credential.email ?? "";
    const workspace = entry.repository.workspace;
    if (!problems.some((p) => p.id === "not-a-member" && p.params.workspace === workspace))
      problems.push(problem("not-a-member", { email, workspace }));
  }
  return result;
}

function access(status: number): Access {
  if (status === 200) return "proven";
  if (status === 404) return "missing";
  if (status === 401 || status === 403 || status === 410) return "denied";
  return "failed";
}

function explain(
  settings: Settings,
  entry: RepositoryResponses,
  status: number,
  doing: Doing,
): Problem {
  const name = entry.repository.fullName;
  const host = settings.gitUrl.host;
  const { credential } = settings;
  if (status === 401 || status === 410)
    return problem("git-refused", {
      name,
      host,
      username: credential.gitUsername,
      status,
      kind: credential.kind,
    });
  if (status === 403) return problem("git-denied", { name, doing });
  // git says 404: the REST answer tells "missing or forbidden" from "the git host is wrong".
  if (status === 404 && entry.rest?.status !== 200)
    return problem("repository-not-found", { name });
  return problem("git-status", { name, host, status, doing, origin: settings.gitUrl.origin });
}
