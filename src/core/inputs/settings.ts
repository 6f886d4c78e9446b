/**
 * Raw inputs → Settings, or every problem at once, each naming where the user set the value.
 * Pure: nothing here touches the network, the disk or the clock (`now` is given).
 */
import { type Problem, problem } from "../messages/index.ts";
import {
  type Credential,
  credentialFor,
  looksLikeAccessToken,
  looksLikeApiToken,
} from "./credential.ts";
import { type ExpiryDate, isBeyondMaxLifetime, parseExpiryDate } from "./dates.ts";
import { DEFAULTS, effectiveValue, type InputName, type RawInputs } from "./names.ts";
import {
  DEFAULT_ACCESS_TOKEN_SCOPES,
  DEFAULT_API_TOKEN_SCOPES,
  isKnownScope,
  splitList,
  suggestScope,
} from "./scopes.ts";

export interface Repository {
  workspace: string;
  slug: string;
  fullName: string;
}

/** Files for clients that do not read git's config (src/core/clients/). */
export const CREDENTIAL_FILES = ["netrc", "composer"] as const;
export type CredentialFile = (typeof CREDENTIAL_FILES)[number];

export interface Settings {
  credential: Credential;
  /** As the user named them (granular or legacy), lower-cased and de-duplicated. */
  requiredScopes: string[];
  repositories: Repository[];
  expiresAt?: ExpiryDate;
  expiryWarningDays: number;
  configureGit: boolean;
  rewriteSshUrls: boolean;
  credentialFiles: CredentialFile[];
  /** No trailing slash: `https://api.bitbucket.org/2.0`. */
  apiUrl: URL;
  /** No trailing slash: `https://bitbucket.org`. */
  gitUrl: URL;
  timeoutMs: number;
  retries: number;
}

/** Shorter than this cannot be a Bitbucket token (they are about 190 characters). */
export const MIN_TOKEN_LENGTH = 20;

export type Parsed = { settings: Settings; problems?: undefined } | { problems: Problem[] };

export function parseSettings(raw: RawInputs, now: Date): Parsed {
  const problems: Problem[] = [];
  const text = (name: InputName) => effectiveValue(raw, name).trim();

  const token = text("api-token");
  const email = text("email");
  if (token === "") problems.push(problem("token-empty", {}));
  else if (/\s/.test(token)) problems.push(problem("token-whitespace", {}));
  else if (!/^[\x21-\x7e]+$/.test(token)) problems.push(problem("token-characters", {}));
  else if (token.length < MIN_TOKEN_LENGTH)
    problems.push(problem("token-too-short", { length: token.length }));

  if (email !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    problems.push(problem("email-invalid", { value: email }));
  if (email !== "" && looksLikeAccessToken(token))
    problems.push(problem("email-with-access-token", {}));
  if (email === "" && looksLikeApiToken(token)) problems.push(problem("email-missing", {}));

  const credential = credentialFor(token, email || undefined);
  const requiredScopes = parseRequiredScopes(text("required-scopes"), credential.kind, problems);
  const repositories = parseRepositories(text("repositories"), problems);
  const expiresAt = parseExpiresAt(text("expires-at"), now, problems);

  const number = (
    name: "expiry-warning-days" | "timeout-seconds" | "retries",
    min: number,
    max: number,
    integer: boolean,
  ) => {
    const value = text(name);
    const n = Number(value);
    // Plain decimals only: Number() would also read "0x5", "1e1" and "0b11".
    if (
      !/^\d+(\.\d+)?$/.test(value) ||
      !Number.isFinite(n) ||
      n < min ||
      n > max ||
      (integer && !Number.isInteger(n))
    ) {
      problems.push(problem("number-invalid", { input: name, value, min, max, integer }));
      return Number(DEFAULTS[name]);
    }
    return n;
  };
  const flag = (name: "configure-git" | "rewrite-ssh-urls" | "cleanup") => {
    const value = parseBoolean(text(name));
    if (value !== undefined) return value;
    problems.push(problem("boolean-invalid", { input: name, value: text(name) }));
    return DEFAULTS[name] === "true";
  };

  const settings: Settings = {
    credential,
    requiredScopes,
    repositories,
    expiresAt,
    expiryWarningDays: number("expiry-warning-days", 0, 365, true),
    configureGit: flag("configure-git"),
    rewriteSshUrls: flag("rewrite-ssh-urls"),
    credentialFiles: parseCredentialFiles(text("credential-files"), problems),
    apiUrl: parseBaseUrl("api-url", text("api-url"), problems),
    gitUrl: parseBaseUrl("git-url", text("git-url"), problems),
    timeoutMs: number("timeout-seconds", 1, 600, false) * 1000,
    retries: number("retries", 0, 10, true),
  };
  if (settings.credentialFiles.length > 0 && !settings.configureGit)
    problems.push(problem("credential-files-without-git", {}));
  // `cleanup` belongs to the action's post step, which reads it itself; a typo is still caught here.
  flag("cleanup");
  return problems.length > 0 ? { problems } : { settings };
}

/** YAML's spellings of a boolean, as the action toolkit reads them; undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  return undefined;
}

function parseRequiredScopes(raw: string, kind: Credential["kind"], problems: Problem[]): string[] {
  let names = [...new Set(splitList(raw))];
  // The input's default names granular scopes that access tokens cannot hold; swap in theirs.
  const isDefault =
    names.length === DEFAULT_API_TOKEN_SCOPES.length &&
    DEFAULT_API_TOKEN_SCOPES.every((s) => names.includes(s));
  if (kind === "access-token" && (isDefault || names.length === 0))
    names = [...DEFAULT_ACCESS_TOKEN_SCOPES];
  if (names.length === 0) names = [...DEFAULT_API_TOKEN_SCOPES];
  const unknown = names.filter((name) => !isKnownScope(name));
  if (unknown.length > 0) {
    problems.push(
      problem("scopes-unknown", {
        unknown: unknown.map((name) => ({ name, suggestion: suggestScope(name) })),
      }),
    );
  }
  return names;
}

function parseCredentialFiles(raw: string, problems: Problem[]): CredentialFile[] {
  const items = [...new Set(splitList(raw))];
  const known = (item: string): item is CredentialFile =>
    (CREDENTIAL_FILES as readonly string[]).includes(item);
  const unknown = items.filter((item) => !known(item));
  if (unknown.length > 0) problems.push(problem("credential-files-unknown", { entries: unknown }));
  return items.filter(known);
}

const SLUG = /^[a-z0-9][a-z0-9._-]*$/;

function parseRepositories(raw: string, problems: Problem[]): Repository[] {
  const repositories = new Map<string, Repository>();
  const malformed: string[] = [];
  for (const item of splitList(raw)) {
    const [workspace, slug, extra] = item.split("/");
    if (
      extra !== undefined ||
      !SLUG.test(workspace ?? "") ||
      !SLUG.test(slug ?? "") ||
      slug.endsWith(".git")
    ) {
      malformed.push(item);
      continue;
    }
    repositories.set(item, { workspace, slug, fullName: item });
  }
  if (malformed.length > 0)
    problems.push(problem("repositories-malformed", { entries: malformed }));
  return [...repositories.values()];
}

function parseExpiresAt(value: string, now: Date, problems: Problem[]): ExpiryDate | undefined {
  if (value === "") return undefined;
  const parsed = parseExpiryDate(value);
  if (typeof parsed === "string") {
    problems.push(problem("expires-at-invalid", { value, reason: parsed }));
    return undefined;
  }
  if (isBeyondMaxLifetime(parsed, now)) {
    problems.push(problem("expires-at-too-far", { value }));
    return undefined;
  }
  return parsed;
}

/** https only, except on loopback where the tests' emulator lives; no credentials or query. */
function parseBaseUrl(input: "api-url" | "git-url", value: string, problems: Problem[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(problem("url-invalid", { input, value }));
    return new URL(DEFAULTS[input]);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    problems.push(problem("url-not-https", { input, origin: url.origin }));
  } else if (url.username || url.password || url.search || url.hash) {
    problems.push(problem("url-extras", { input }));
  }
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}
