/**
 * The credential file: git config that sends the token up front (`http.<scope>.extraHeader`, so
 * git never needs a 401 round trip), for what the token was proven for and nothing else.
 *
 * - Scope. A repository access token reaches its repositories: `http.<base>/<ws>/<slug>` and
 *   the `.git` form (git matches URL paths component by component). Every other token is for
 *   the host: `http.<base>/`. git uses the most specific match, and among equally specific ones
 *   the last: the empty extraHeader before ours drops the headers matched before it.
 * - No redirects. git follows a redirect of its first request and then sends extraHeader to the
 *   new host with the next one; `followRedirects = false` under the same scope stops that.
 * - No helper. An empty `credential.<host>.helper` drops every helper configured before, so a
 *   stale keychain or Git Credential Manager password cannot win, nor be told the token.
 */
import { quote } from "./config-file.ts";

export interface GitCredential {
  /** Base URL of the git host, e.g. https://bitbucket.org (no trailing slash). */
  gitUrl: URL;
  /** The full `Authorization` header value for git (Basic with the git username). */
  authorization: string;
  /** URL prefixes it applies to: the host (`https://bitbucket.org/`) or repositories. */
  scopes: string[];
  rewriteSshUrls: boolean;
}

/** The base URL as git config keys spell it: origin and path, no trailing slash. */
export const baseOf = (gitUrl: URL): string =>
  `${gitUrl.origin}${gitUrl.pathname.replace(/\/+$/, "")}`;

/** The host (`<base>/`) or, for a repository access token, each repository (`<base>/<ws>/<slug>`). */
export function scopesFor(gitUrl: URL, repositories: string[] | undefined): string[] {
  const base = baseOf(gitUrl);
  if (!repositories || repositories.length === 0) return [`${base}/`];
  return repositories.map((fullName) => `${base}/${fullName}`);
}

/** What a scope matches in git's config: a repository with and without `.git`. */
function urlsOf(scope: string): string[] {
  return scope.endsWith("/") ? [scope] : [scope, `${scope}.git`];
}

export function credentialConfig(credential: GitCredential): string {
  const { gitUrl, authorization, scopes, rewriteSshUrls } = credential;
  const base = baseOf(gitUrl);
  const lines = [
    "# Written by bitbucket-api-token-auth for one CI job; its cleanup deletes this file.",
  ];
  for (const url of scopes.flatMap(urlsOf)) {
    lines.push(
      `[http ${quote(url)}]`,
      "\textraHeader =", // an empty value drops extra headers matched before this one
      `\textraHeader = ${quote(`Authorization: ${authorization}`)}`,
      "\tfollowRedirects = false", // a redirect must not carry the header to another host
    );
  }
  // credential.<url> matches hosts (paths only with useHttpPath): helpers are off for the host.
  lines.push(`[credential ${quote(base)}]`, "\thelper =");
  if (rewriteSshUrls) {
    const host = gitUrl.hostname;
    lines.push(
      `[url ${quote(`${base}/`)}]`,
      `\tinsteadOf = ${quote(`git@${host}:`)}`,
      `\tinsteadOf = ${quote(`ssh://git@${host}/`)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
