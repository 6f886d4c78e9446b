/**
 * Every check at once → a Report (data, not text). Checks that need no network (app password,
 * expiry) run first and stop the run without a request; the rest go out concurrently: one REST
 * identity call, and per repository a REST read, a git read and (if push is required) a git
 * write advertisement. Each message lives next to the check that raises it.
 */

import { type Problem, UnfitError, UnreachableError } from "../errors.ts";
import type { CredentialKind } from "../inputs/credential.ts";
import { looksLikeAppPassword, secretForms } from "../inputs/credential.ts";
import {
  missingScopes,
  parseScopeHeader,
  scopePurpose,
  toGranular,
  toLegacyName,
} from "../inputs/scopes.ts";
import { CREATE_API_TOKEN_STEPS, type Repository, type Settings } from "../inputs/settings.ts";
import { type Answer, BitbucketClient, type Clock, realClock } from "./bitbucket.ts";
import { type Expiry, judgeExpiry } from "./expiry.ts";

export interface Account {
  accountId?: string;
  uuid?: string;
  username?: string;
  displayName?: string;
}

/** ok: proven; denied: authenticated but not allowed; missing: 404; unchecked: a missing scope explains it. */
export type Access = "ok" | "denied" | "missing" | "unchecked" | "not-required";

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
  gitUsername: string;
  account?: Account;
  /** As Bitbucket reported them. */
  grantedScopes: string[];
  required: ScopeResult[];
  /** In the credential's own naming: granular for API tokens, legacy for access tokens. */
  missingScopes: string[];
  repositories: RepositoryResult[];
  expiry: Expiry;
  problems: Problem[];
  warnings: string[];
}

export interface CheckOptions {
  clock?: Clock;
  now?: Date;
  /** Debug lines: one per request, without headers or bodies. */
  log?: (line: string) => void;
}

const WRITE = "write:repository:bitbucket";
const READ = "read:repository:bitbucket";

const REPLACE_TOKEN = `Create a new token and update the CI secret. ${CREATE_API_TOKEN_STEPS}`;

/** Checks that need no network; throws so that nothing is sent for a token that cannot work. */
export function checkOffline(settings: Settings, now: Date): Expiry {
  const { credential } = settings;
  if (looksLikeAppPassword(credential.token)) {
    throw new UnfitError("token", [
      {
        subject: "api-token",
        message:
          "The input `api-token` is a Bitbucket app password (it starts with ATBB). App passwords were retired: creation stopped in September 2025 and they stopped working on 28 July 2026.",
        fix: CREATE_API_TOKEN_STEPS,
      },
    ]);
  }
  const expiry = judgeExpiry(settings.expiresAt, now, settings.expiryWarningDays);
  if (expiry.status === "expired") {
    throw new UnfitError("token", [
      {
        subject: "expires-at",
        message: `The token expired on ${isoDay(expiry.expiresAt)} (input \`expires-at\`).`,
        fix: `${REPLACE_TOKEN} Then update \`expires-at\` to the new token's expiry date.`,
      },
    ]);
  }
  return expiry;
}

export async function runChecks(settings: Settings, options: CheckOptions = {}): Promise<Report> {
  const now = options.now ?? new Date();
  const expiry = checkOffline(settings, now);
  const client = new BitbucketClient(settings, options.clock ?? realClock, options.log);
  const wantsWrite = toGranular(settings.requiredScopes).has(WRITE);
  try {
    const [user, repositories] = await Promise.all([
      client.rest("/user"),
      Promise.all(
        settings.repositories.map((repo) =>
          Promise.all([
            client.rest(`/repositories/${repo.workspace}/${repo.slug}`),
            client.gitAdvertisement(repo, "git-upload-pack"),
            wantsWrite ? client.gitAdvertisement(repo, "git-receive-pack") : undefined,
          ]),
        ),
      ),
    ]);
    const report = judge(settings, expiry, user, repositories);
    await explainMissingRepositories(client, settings, report);
    return report;
  } finally {
    await client.close();
  }
}

type RepositoryAnswers = [rest: Answer, gitRead: Answer, gitWrite: Answer | undefined];

function judge(
  settings: Settings,
  expiry: Expiry,
  user: Answer,
  repoAnswers: RepositoryAnswers[],
): Report {
  const { credential } = settings;
  const apiHost = settings.apiUrl.host;
  const restAnswers = [user, ...repoAnswers.map(([rest]) => rest)];
  const report: Report = {
    credentialKind: credential.kind,
    gitUsername: credential.gitUsername,
    grantedScopes: [],
    required: [],
    missingScopes: [],
    repositories: [],
    expiry,
    problems: [],
    warnings: [],
  };

  refuseEchoes(settings, restAnswers);
  // Access tokens are not users, and how Bitbucket answers them on /user is not documented:
  // when there is a repository to prove them on, only the repositories' answers are a verdict.
  const verdicts =
    credential.kind === "access-token" && repoAnswers.length > 0
      ? repoAnswers.map(([rest]) => rest)
      : restAnswers;
  if (verdicts.some((answer) => answer.status === 401)) {
    report.problems.push(rejected(settings));
    return report;
  }
  for (const answer of restAnswers) {
    if (
      answer.status === 200 &&
      (answer.notJson || typeof answer.json !== "object" || answer.json === null)
    ) {
      throw new UnreachableError(
        apiHost,
        `Bitbucket (${apiHost}) answered 200 with a body that is not the expected JSON (a proxy's page?).`,
      );
    }
  }

  report.account = readAccount(user, settings);
  const granted = new Set<string>();
  let sawScopes = false;
  for (const answer of restAnswers) {
    const header = answer.headers["x-oauth-scopes"];
    if (header !== undefined) {
      sawScopes = true;
      for (const scope of parseScopeHeader(header)) granted.add(scope);
    }
    const detail = errorDetail(answer);
    if (Array.isArray(detail?.granted)) {
      sawScopes = true;
      for (const scope of detail.granted)
        if (typeof scope === "string") granted.add(scope.trim().toLowerCase());
    }
  }
  if (!sawScopes) {
    throw new UnreachableError(
      apiHost,
      `Bitbucket (${apiHost}) did not say which scopes the token holds (no x-oauth-scopes header), so they cannot be checked.`,
    );
  }
  report.grantedScopes = [...granted];

  const missing = missingScopes(settings.requiredScopes, granted);
  const grantedGranular = toGranular(granted);
  const nameOf = (scope: string) =>
    credential.kind === "access-token" ? toLegacyName(scope) : scope;
  report.required = [...toGranular(settings.requiredScopes)].map((scope) => ({
    name: nameOf(scope),
    held: grantedGranular.has(scope),
    purpose: scopePurpose(scope),
  }));
  report.missingScopes = [...new Set(missing.map(nameOf))];
  if (missing.length > 0) report.problems.push(missingScopesProblem(settings, missing.map(nameOf)));

  settings.repositories.forEach((repo, i) => {
    const [rest, gitRead, gitWrite] = repoAnswers[i];
    report.repositories.push(
      judgeRepository(settings, repo, rest, gitRead, gitWrite, grantedGranular, report.problems),
    );
  });

  if (expiry.status === "warn") {
    report.warnings.push(
      `The token expires on ${isoDay(expiry.expiresAt)}, in ${expiry.daysLeft} day(s). ${REPLACE_TOKEN} Then update \`expires-at\`.`,
    );
  }
  return report;
}

/**
 * Account fields and scopes end up in outputs, the log and the summary. An answer carrying the
 * credential back (a hostile or broken middlebox) is refused whole, so none of it is shown.
 * Scopes are lower-cased before use, hence the lower-case comparison too.
 */
function refuseEchoes(settings: Settings, answers: Answer[]): void {
  const apiHost = settings.apiUrl.host;
  const forms = secretForms(settings.credential.token, settings.credential.email ?? "");
  for (const answer of answers) {
    const text = [
      JSON.stringify(answer.json ?? null),
      ...["x-oauth-scopes", "x-credential-type"].map((name) => String(answer.headers[name] ?? "")),
    ].join("\n");
    const lower = text.toLowerCase();
    if (forms.some((form) => text.includes(form) || lower.includes(form.toLowerCase()))) {
      throw new UnreachableError(
        apiHost,
        `Bitbucket (${apiHost}) sent the credential itself back in its answer; that is not Bitbucket's answer (a hostile or broken proxy?), and none of it is shown.`,
      );
    }
  }
}

function rejected(settings: Settings): Problem {
  const { credential } = settings;
  if (credential.kind === "api-token") {
    return {
      subject: "api-token",
      message: `Bitbucket rejected the token (401) for ${credential.email}: it is expired, revoked, an API token without scopes (a classic token), a token for another Atlassian app, or not the token of this email's account.`,
      fix: `Check that \`email\` is the email of the account that created the token. Otherwise: ${REPLACE_TOKEN}`,
    };
  }
  return {
    subject: "api-token",
    message:
      "Bitbucket rejected the access token (401): it is expired or revoked, or it is an Atlassian API token used without `email`.",
    fix: `For an Atlassian API token, set \`email\`. For an access token, create a new one in the repository, project or workspace settings → Access tokens, and update the CI secret.${settings.repositories.length === 0 ? " If the token is valid, name a repository it can read in `repositories`: access tokens are not users, so they are best proven on a repository." : ""}`,
  };
}

function missingScopesProblem(settings: Settings, missing: string[]): Problem {
  const listed = missing.map((scope) => `${scope} (${scopePurpose(scope)})`).join(", ");
  const where =
    settings.credential.kind === "api-token"
      ? "API tokens cannot be edited: create a new API token with scopes that include them (Atlassian account settings → Security → Create and manage API tokens), then update the CI secret."
      : "Access tokens cannot be edited: create a new access token with them (repository, project or workspace settings → Access tokens), then update the CI secret.";
  return {
    subject: "required-scopes",
    message: `The token lacks ${missing.length} required scope(s): ${listed}.`,
    fix: `${where} Or, if this job does not need them, remove them from \`required-scopes\`.`,
  };
}

function judgeRepository(
  settings: Settings,
  repo: Repository,
  rest: Answer,
  gitRead: Answer,
  gitWrite: Answer | undefined,
  granted: Set<string>,
  problems: Problem[],
): RepositoryResult {
  const name = repo.fullName;
  const gitHost = settings.gitUrl.host;
  const canRead = granted.has(READ);
  const result: RepositoryResult = {
    name,
    read: canRead ? "ok" : "unchecked",
    write: gitWrite ? (granted.has(WRITE) ? "ok" : "unchecked") : "not-required",
  };
  if (canRead && rest.status !== 200) {
    result.read = rest.status === 404 ? "missing" : "denied";
    problems.push({
      subject: "repositories",
      message: `${name}: Bitbucket answered ${rest.status} to reading it over the REST API; ${rest.status === 404 ? "it does not exist, or the token's account has no access to it (Bitbucket answers 404 for both)" : "the token's account may not read it"}.`,
      fix: `Check the spelling of ${name} (workspace/repo-slug as in its URL), and that the account has at least read access to it.`,
    });
  } else if (canRead && gitRead.status !== 200) {
    result.read = gitRead.status === 404 ? "missing" : "denied";
    problems.push(gitProblem(settings, name, gitHost, "read (clone or fetch)", gitRead.status));
  }
  if (gitWrite && result.write === "ok" && result.read === "ok" && gitWrite.status !== 200) {
    result.write = gitWrite.status === 404 ? "missing" : "denied";
    problems.push(gitProblem(settings, name, gitHost, "push to", gitWrite.status));
  }
  return result;
}

function gitProblem(
  settings: Settings,
  name: string,
  gitHost: string,
  what: string,
  status: number,
): Problem {
  const user = settings.credential.gitUsername;
  if (status === 401 || status === 410) {
    return {
      subject: "api-token",
      message: `${name}: git over HTTPS (${gitHost}) refused the token with username ${user} (${status}), although the REST API accepted it.`,
      fix:
        settings.credential.kind === "api-token"
          ? `Check that ${user} is the git username in use (never the email), then create a new API token with read:repository:bitbucket (and write:repository:bitbucket to push) and update the CI secret.`
          : "Create a new access token with the repository (and repository:write to push) scopes for this repository, and update the CI secret.",
    };
  }
  if (status === 403) {
    return {
      subject: "repositories",
      message: `${name}: the token's account may not ${what} this repository over git (403).`,
      fix: `Give the account ${what.startsWith("push") ? "write" : "read"} access to ${name}, or remove it from \`repositories\` (or write:repository:bitbucket from \`required-scopes\` if this job never pushes).`,
    };
  }
  return {
    subject: "repositories",
    message: `${name}: git over HTTPS (${gitHost}) answered ${status} when asked to ${what} it.`,
    fix: `Check that ${name} exists at ${settings.gitUrl.origin} and that \`git-url\` is right.`,
  };
}

/** A repository 404 means "missing or forbidden"; workspace membership tells which is likelier. */
async function explainMissingRepositories(
  client: BitbucketClient,
  settings: Settings,
  report: Report,
): Promise<void> {
  if (settings.credential.kind !== "api-token") return;
  if (!toGranular(report.grantedScopes).has("read:workspace:bitbucket")) return;
  const workspaces = [
    ...new Set(
      report.repositories.filter((r) => r.read === "missing").map((r) => r.name.split("/")[0]),
    ),
  ];
  const answers = await Promise.all(
    workspaces.map((ws) => client.rest(`/user/workspaces/${ws}/permission`)),
  );
  workspaces.forEach((ws, i) => {
    if (answers[i].status === 200) return;
    report.problems.push({
      subject: "repositories",
      message: `The token's account (${settings.credential.email}) is not a member of workspace ${ws}.`,
      fix: `Ask an administrator of ${ws} to give the account access, or use a token of an account that has it.`,
    });
  });
}

function readAccount(user: Answer, settings: Settings): Account | undefined {
  const apiHost = settings.apiUrl.host;
  // Access tokens are not users: Bitbucket refuses them /user, and that is no verdict.
  if (user.status !== 200 && (user.status === 403 || settings.credential.kind === "access-token"))
    return undefined;
  if (user.status !== 200) {
    throw new UnreachableError(apiHost, `Bitbucket (${apiHost}) answered ${user.status} to /user.`);
  }
  const body = user.json as Record<string, unknown>;
  const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
  const account: Account = {
    accountId: text("account_id"),
    uuid: text("uuid"),
    username: text("username") ?? text("nickname"),
    displayName: text("display_name"),
  };
  // A 200 that does not name anyone is not proof of identity, whatever the status says.
  if (!account.accountId && !account.uuid) {
    throw new UnreachableError(
      apiHost,
      `Bitbucket (${apiHost}) answered /user without an account id.`,
    );
  }
  return account;
}

function errorDetail(answer: Answer): { granted?: unknown[] } | undefined {
  if (answer.status !== 403) return undefined;
  const detail = (answer.json as { error?: { detail?: unknown } } | undefined)?.error?.detail;
  return typeof detail === "object" && detail !== null
    ? (detail as { granted?: unknown[] })
    : undefined;
}

function isoDay(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 10) : "an unknown date";
}

export function fit(report: Report): boolean {
  return report.problems.length === 0;
}
