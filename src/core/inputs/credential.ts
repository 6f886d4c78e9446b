/**
 * Credential kinds and how each one authenticates. The trap this module exists for: an API
 * token uses the account *email* for REST but a fixed username for git over HTTPS.
 */

export type CredentialKind = "api-token" | "access-token";

export const API_TOKEN_GIT_USERNAME = "x-bitbucket-api-token-auth";
export const ACCESS_TOKEN_GIT_USERNAME = "x-token-auth";

export interface Credential {
  kind: CredentialKind;
  /** The Atlassian account email; only API tokens have one. */
  email?: string;
  token: string;
  gitUsername: string;
}

/** An email means an Atlassian API token; no email means a repository/project/workspace token. */
export function credentialFor(token: string, email: string | undefined): Credential {
  return email
    ? { kind: "api-token", email, token, gitUsername: API_TOKEN_GIT_USERNAME }
    : { kind: "access-token", token, gitUsername: ACCESS_TOKEN_GIT_USERNAME };
}

export const looksLikeAppPassword = (token: string): boolean => /^ATBB[A-Za-z0-9]/.test(token);
export const looksLikeApiToken = (token: string): boolean => token.startsWith("ATATT");
export const looksLikeAccessToken = (token: string): boolean => token.startsWith("ATCTT");

const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;

/** REST: Basic email:token for API tokens (Bearer gives 401), Bearer for access tokens. */
export function restAuthorization(c: Credential): string {
  return c.kind === "api-token" ? basic(c.email as string, c.token) : `Bearer ${c.token}`;
}

/** git over HTTPS: Basic with the kind's fixed username, never the email. */
export function gitAuthorization(c: Credential): string {
  return basic(c.gitUsername, c.token);
}

/**
 * Every form of the secret that could end up in a log: the token as given (line by line, since
 * runners mask line by line), trimmed, URL-encoded, and base64 of `user:token` for every user
 * name it may be paired with. Computed from raw input so masking can happen before validation.
 */
export function secretForms(rawToken: string, rawEmail = ""): string[] {
  const token = rawToken.trim();
  if (token === "") return [];
  const users = [API_TOKEN_GIT_USERNAME, ACCESS_TOKEN_GIT_USERNAME, rawEmail.trim()].filter(
    Boolean,
  );
  const forms = [
    token,
    ...rawToken.split(/\r?\n/).map((line) => line.trim()),
    encodeURIComponent(token),
    ...users.map((user) => Buffer.from(`${user}:${token}`).toString("base64")),
  ];
  // Tiny fragments (a stray one-character line) would mask every log line; they are not secret.
  return [...new Set(forms)].filter((form) => form.length >= 4);
}

/** Shorter runs of the token can occur by chance; from this length on, a match is an echo. */
const ECHO_WINDOW = 16;

/**
 * Whether a text carries the credential back, whole, in a derived form, or in part (any run of
 * ECHO_WINDOW characters of the token), ignoring case: such a text is never shown.
 */
export function holdsCredential(text: string, token: string, email = ""): boolean {
  const lower = text.toLowerCase();
  if (secretForms(token, email).some((form) => lower.includes(form.toLowerCase()))) return true;
  const secret = token.trim().toLowerCase();
  for (let i = 0; i + ECHO_WINDOW <= secret.length; i++)
    if (lower.includes(secret.slice(i, i + ECHO_WINDOW))) return true;
  return false;
}
