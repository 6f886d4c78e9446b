/**
 * Composer's auth.json for its Bitbucket driver, which asks api.bitbucket.org itself with its
 * own HTTP client (a `type: vcs` repository on bitbucket.org): `http-basic` with the account
 * email for an API token, `bearer` for an access token. Pure.
 *
 * Deliberately nothing for the git host (bitbucket.org): when a git command of Composer's fails
 * for a bitbucket.org URL and Composer holds a credential for that host, it runs git again with
 * the credential in the URL, on git's command line (Composer's Util/Git.php). Git itself has
 * the credential already; Composer's archive downloads from bitbucket.org then fall back to git.
 *
 * The file replaces the user's global auth.json (COMPOSER_HOME points elsewhere), so the user's
 * own entries are carried over, minus any for our host.
 */
import type { Credential } from "../inputs/credential.ts";

type AuthJson = Record<string, unknown>;

export function composerAuth(credential: Credential, apiUrl: URL, userText?: string): string {
  const host = apiUrl.host;
  const auth = parseObject(userText) ?? {};
  for (const section of Object.values(auth))
    if (isObject(section)) delete (section as Record<string, unknown>)[host];
  const add = (section: string, value: unknown) => {
    const current = isObject(auth[section]) ? (auth[section] as object) : {};
    auth[section] = { ...current, [host]: value };
  };
  if (credential.kind === "api-token" && credential.email)
    add("http-basic", { username: credential.email, password: credential.token });
  else add("bearer", credential.token);
  return `${JSON.stringify(auth, null, 2)}\n`;
}

/** `[home] /root/.config/composer` and `[cache-dir] …` from `composer config --global --list`. */
export function parseComposerConfig(output: string): { home?: string; cacheDir?: string } {
  const value = (key: string) =>
    new RegExp(`^\\[${key}\\] (.+)$`, "m").exec(output)?.[1]?.trim() || undefined;
  return { home: value("home"), cacheDir: value("cache-dir") };
}

function parseObject(text: string | undefined): AuthJson | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? (parsed as AuthJson) : undefined;
  } catch {
    return undefined; // Composer would not read it either
  }
}

const isObject = (value: unknown): boolean =>
  typeof value === "object" && value !== null && !Array.isArray(value);
