/**
 * Raw strings (action inputs, command flags) → Settings, or one UnfitError naming every bad
 * input and its fix. Pure: nothing here touches the network, the disk or the clock.
 */

import { isBeyondMaxLifetime, parseExpiryDate } from "../checks/expiry.ts";
import type { Problem } from "../errors.ts";
import { UnfitError } from "../errors.ts";
import {
  type Credential,
  credentialFor,
  looksLikeAccessToken,
  looksLikeApiToken,
} from "./credential.ts";
import {
  DEFAULT_ACCESS_TOKEN_SCOPES,
  DEFAULT_API_TOKEN_SCOPES,
  isKnownScope,
  splitList,
  suggestScope,
} from "./scopes.ts";

/** Input names exactly as action.yml spells them; the command's flags use the same words. */
export interface RawInputs {
  email: string;
  "api-token": string;
  "required-scopes": string;
  repositories: string;
  "expires-at": string;
  "expiry-warning-days": string;
  "configure-git": string;
  "rewrite-ssh-urls": string;
  cleanup: string;
  "api-url": string;
  "git-url": string;
  "timeout-seconds": string;
  retries: string;
}

export const DEFAULT_INPUTS: RawInputs = {
  email: "",
  "api-token": "",
  "required-scopes": DEFAULT_API_TOKEN_SCOPES.join(" "),
  repositories: "",
  "expires-at": "",
  "expiry-warning-days": "14",
  "configure-git": "true",
  "rewrite-ssh-urls": "false",
  cleanup: "true",
  "api-url": "https://api.bitbucket.org/2.0",
  "git-url": "https://bitbucket.org",
  "timeout-seconds": "30",
  retries: "3",
};

/** An empty input means "the default" (the runner sends defaults; the command and tests may not). */
export function withDefaults(given: Partial<RawInputs>): RawInputs {
  const raw = { ...DEFAULT_INPUTS };
  for (const name of Object.keys(DEFAULT_INPUTS) as (keyof RawInputs)[]) {
    const value = given[name];
    if (value !== undefined && value.trim() !== "") raw[name] = value;
  }
  return raw;
}

export interface Repository {
  workspace: string;
  slug: string;
  fullName: string;
}

export interface Settings {
  credential: Credential;
  /** As the user named them (granular or legacy), lower-cased and de-duplicated. */
  requiredScopes: string[];
  repositories: Repository[];
  expiresAt?: Date;
  expiryWarningDays: number;
  configureGit: boolean;
  rewriteSshUrls: boolean;
  cleanup: boolean;
  /** No trailing slash: `https://api.bitbucket.org/2.0`. */
  apiUrl: URL;
  /** No trailing slash: `https://bitbucket.org`. */
  gitUrl: URL;
  timeoutMs: number;
  retries: number;
}

export const CREATE_API_TOKEN_STEPS =
  "Create an API token with scopes: Atlassian account settings → Security → Create and manage API tokens → " +
  "Create API token with scopes → app: Bitbucket → choose the scopes → copy the token into the CI secret " +
  "(and pass your Atlassian account email as `email`).";

export function parseSettings(raw: RawInputs, now: Date): Settings {
  const problems: Problem[] = [];
  const bad = (subject: string, message: string, fix: string) =>
    problems.push({ subject, message, fix });
  const input = (name: keyof RawInputs) => (raw[name] ?? "").trim();

  const token = input("api-token");
  const email = input("email");
  if (token === "") {
    bad(
      "api-token",
      "The input `api-token` is empty.",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow syntax, shown to the user
      "Pass the token from a secret, e.g. `api-token: ${{ secrets.BITBUCKET_API_TOKEN }}`. Secrets are empty in pull requests from forks and when the secret name is misspelt.",
    );
  } else if (/\s/.test(token)) {
    bad(
      "api-token",
      "The input `api-token` contains whitespace inside the token.",
      "Copy the token again in one piece; a token never contains spaces or line breaks.",
    );
  } else if (!/^[\x21-\x7e]+$/.test(token)) {
    bad(
      "api-token",
      "The input `api-token` contains characters a token never has.",
      "Copy the token again from the page that showed it, without quotes or typographic characters.",
    );
  }

  if (email !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    bad(
      "email",
      `The input \`email\` is not an email address.`,
      "Give the email address of your Atlassian account (not your Bitbucket username: git's username is set for you).",
    );
  }
  if (email !== "" && looksLikeAccessToken(token)) {
    bad(
      "email",
      "The input `email` is set, but `api-token` looks like a repository, project or workspace access token.",
      "Leave `email` empty for access tokens; only Atlassian API tokens are paired with an email.",
    );
  }
  if (email === "" && looksLikeApiToken(token)) {
    bad(
      "email",
      "The input `email` is empty, but `api-token` looks like an Atlassian API token.",
      "Set `email` to the Atlassian account email the token belongs to; Bitbucket's REST API refuses API tokens without it.",
    );
  }

  const credential = credentialFor(token, email || undefined);
  const requiredScopes = parseRequiredScopes(input("required-scopes"), credential.kind, bad);
  const repositories = parseRepositories(input("repositories"), bad);

  let expiresAt: Date | undefined;
  const expiresRaw = input("expires-at");
  if (expiresRaw !== "") {
    const parsed = parseExpiryDate(expiresRaw);
    if (typeof parsed === "string") {
      bad(
        "expires-at",
        `The input \`expires-at\` ("${expiresRaw}") ${parsed}.`,
        "Write the date as YYYY-MM-DD, e.g. 2027-03-31.",
      );
    } else if (isBeyondMaxLifetime(parsed, now)) {
      bad(
        "expires-at",
        `The input \`expires-at\` (${expiresRaw}) is more than a year away, but API tokens live at most 365 days.`,
        "Check the year: use the expiry date shown in your Atlassian account's API token list.",
      );
    } else {
      expiresAt = parsed;
    }
  }

  const number = (name: keyof RawInputs, min: number, max: number, integer: boolean) => {
    const text = input(name);
    const value = Number(text);
    if (
      text === "" ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      bad(
        name,
        `The input \`${name}\` ("${text}") is not ${integer ? "a whole number" : "a number"} from ${min} to ${max}.`,
        `Set \`${name}\` to a value in that range, or remove it to use the default (${DEFAULT_INPUTS[name]}).`,
      );
      return Number(DEFAULT_INPUTS[name]);
    }
    return value;
  };
  const flag = (name: keyof RawInputs) => {
    const text = input(name);
    if (/^(true|True|TRUE)$/.test(text)) return true;
    if (/^(false|False|FALSE)$/.test(text)) return false;
    bad(
      name,
      `The input \`${name}\` ("${text}") is not true or false.`,
      `Set \`${name}\` to true or false.`,
    );
    return DEFAULT_INPUTS[name] === "true";
  };

  const settings = {
    credential,
    requiredScopes,
    repositories,
    expiresAt,
    expiryWarningDays: number("expiry-warning-days", 0, 365, true),
    configureGit: flag("configure-git"),
    rewriteSshUrls: flag("rewrite-ssh-urls"),
    cleanup: flag("cleanup"),
    apiUrl: parseBaseUrl("api-url", input("api-url"), bad),
    gitUrl: parseBaseUrl("git-url", input("git-url"), bad),
    timeoutMs: number("timeout-seconds", 1, 600, false) * 1000,
    retries: number("retries", 0, 10, true),
  };
  if (problems.length > 0) throw new UnfitError("input", problems);
  return settings;
}

type Complain = (subject: string, message: string, fix: string) => void;

function parseRequiredScopes(raw: string, kind: Credential["kind"], bad: Complain): string[] {
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
    const described = unknown.map((name) => {
      const guess = suggestScope(name);
      return guess ? `"${name}" (did you mean ${guess}?)` : `"${name}"`;
    });
    bad(
      "required-scopes",
      `The input \`required-scopes\` names ${unknown.length === 1 ? "an unknown scope" : "unknown scopes"}: ${described.join(", ")}.`,
      "Use Bitbucket's scope names, e.g. read:repository:bitbucket write:repository:bitbucket (API tokens) or repository repository:write (access tokens), separated by spaces, commas or newlines.",
    );
  }
  return names;
}

const SLUG = /^[a-z0-9][a-z0-9._-]*$/;

function parseRepositories(raw: string, bad: Complain): Repository[] {
  const repositories = new Map<string, Repository>();
  const malformed: string[] = [];
  for (const item of splitList(raw)) {
    const [workspace, slug, extra] = item.split("/");
    if (
      extra !== undefined ||
      !workspace ||
      !slug ||
      !SLUG.test(workspace) ||
      !SLUG.test(slug) ||
      slug.endsWith(".git")
    ) {
      malformed.push(item);
      continue;
    }
    repositories.set(item, { workspace, slug, fullName: item });
  }
  if (malformed.length > 0) {
    bad(
      "repositories",
      `The input \`repositories\` has ${malformed.length === 1 ? "an entry" : "entries"} that ${malformed.length === 1 ? "is not" : "are not"} workspace/repo-slug: ${malformed.map((m) => `"${m}"`).join(", ")}.`,
      "Write each repository as workspace/repo-slug, e.g. acme/app (no URL, no .git), separated by spaces, commas or newlines.",
    );
  }
  return [...repositories.values()];
}

/** https only, except on loopback where the tests' emulator lives; no credentials or query. */
function parseBaseUrl(name: string, raw: string, bad: Complain): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    bad(
      name,
      `The input \`${name}\` ("${raw}") is not a URL.`,
      `Give a full URL like ${DEFAULT_INPUTS[name as keyof RawInputs]}, or remove the input to use it.`,
    );
    return new URL(DEFAULT_INPUTS[name as keyof RawInputs]);
  }
  const loopback = isLoopback(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    bad(
      name,
      `The input \`${name}\` (${url.origin}) does not use https; the token would cross the network in clear text.`,
      `Use an https:// URL (plain http is allowed only for loopback test servers).`,
    );
  } else if (url.username || url.password || url.search || url.hash) {
    bad(
      name,
      `The input \`${name}\` must not contain credentials, a query or a fragment.`,
      `Give just the base URL, e.g. ${DEFAULT_INPUTS[name as keyof RawInputs]}.`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}
