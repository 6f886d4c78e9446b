/**
 * Bitbucket scope names. API tokens hold granular scopes (`read:repository:bitbucket`), access
 * tokens hold legacy ones (`repository:write`). We compare everything as granular names:
 * legacy names are first closed under their documented implications, then translated.
 * Granular scopes imply nothing: `write:repository` does not give read.
 */

const GRANULAR_FAMILIES: Record<string, readonly string[]> = {
  repository: ["read", "write", "admin", "delete"],
  pullrequest: ["read", "write"],
  project: ["read", "admin"],
  workspace: ["read", "admin"],
  user: ["read", "write"],
  pipeline: ["read", "write", "admin"],
  runner: ["read", "write"],
  issue: ["read", "write", "delete"],
  webhook: ["read", "write", "delete"],
  snippet: ["read", "write", "delete"],
  "ssh-key": ["read", "write", "delete"],
  "gpg-key": ["read", "write", "delete"],
  permission: ["read", "write", "delete"],
};

export const GRANULAR_SCOPES: readonly string[] = Object.entries(GRANULAR_FAMILIES).flatMap(
  ([resource, actions]) => actions.map((action) => `${action}:${resource}:bitbucket`),
);

/** Legacy name → the granular scopes it stands for (approximate where Atlassian says so). */
const LEGACY_TO_GRANULAR: Record<string, readonly string[]> = {
  account: ["read:user:bitbucket", "read:workspace:bitbucket"],
  email: ["read:user:bitbucket"],
  team: ["read:workspace:bitbucket"],
  repository: ["read:repository:bitbucket"],
  "repository:write": ["write:repository:bitbucket"],
  "repository:admin": ["admin:repository:bitbucket"],
  "repository:delete": ["delete:repository:bitbucket"],
  project: ["read:project:bitbucket"],
  "project:admin": ["admin:project:bitbucket"],
  pullrequest: ["read:pullrequest:bitbucket"],
  "pullrequest:write": ["write:pullrequest:bitbucket"],
  issue: ["read:issue:bitbucket"],
  "issue:write": ["write:issue:bitbucket"],
  wiki: ["wiki"], // no granular counterpart: it only ever matches itself
  webhook: ["read:webhook:bitbucket", "write:webhook:bitbucket", "delete:webhook:bitbucket"],
  snippet: ["read:snippet:bitbucket"],
  "snippet:write": ["write:snippet:bitbucket"],
  pipeline: ["read:pipeline:bitbucket"],
  "pipeline:write": ["write:pipeline:bitbucket"],
  "pipeline:variable": ["admin:pipeline:bitbucket"],
  runner: ["read:runner:bitbucket"],
  "runner:write": ["write:runner:bitbucket"],
};

export const LEGACY_SCOPES: readonly string[] = Object.keys(LEGACY_TO_GRANULAR);

/** The only implications Bitbucket documents, all between legacy names. */
const LEGACY_IMPLIES: Record<string, readonly string[]> = {
  "repository:write": ["repository"],
  "pullrequest:write": ["pullrequest", "repository:write"],
  pullrequest: ["repository"],
  project: ["repository"],
};

const KNOWN = new Set([...GRANULAR_SCOPES, ...LEGACY_SCOPES]);

export const DEFAULT_API_TOKEN_SCOPES: readonly string[] = [
  "read:user:bitbucket",
  "read:workspace:bitbucket",
  "read:repository:bitbucket",
  "write:repository:bitbucket",
];

/** Access tokens have no user or workspace scopes; clone and push is what CI needs of them. */
export const DEFAULT_ACCESS_TOKEN_SCOPES: readonly string[] = ["repository", "repository:write"];

export function isKnownScope(name: string): boolean {
  return KNOWN.has(name);
}

/** Split a user's list (spaces, commas or newlines); empty items vanish, names are lower-cased. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
}

/** `x-oauth-scopes`: comma-separated, with whatever whitespace the server felt like. */
export function parseScopeHeader(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(",") : (header ?? "");
  return [
    ...new Set(
      joined
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** Every granular scope a set of (granular or legacy) names amounts to. */
export function toGranular(names: Iterable<string>): Set<string> {
  const legacy = new Set<string>();
  const granular = new Set<string>();
  const pending = [...names];
  while (pending.length > 0) {
    const name = pending.shift() as string; // first in, first out: the user's order is kept
    if (name in LEGACY_TO_GRANULAR) {
      if (legacy.has(name)) continue;
      legacy.add(name);
      pending.push(...(LEGACY_IMPLIES[name] ?? []));
      for (const g of LEGACY_TO_GRANULAR[name]) granular.add(g);
    } else {
      granular.add(name);
    }
  }
  return granular;
}

/** Required scopes the granted ones do not cover, as granular names, in the order required. */
export function missingScopes(required: Iterable<string>, granted: Iterable<string>): string[] {
  const have = toGranular(granted);
  return [...toGranular(required)].filter((s) => !have.has(s));
}

/** The legacy name to tick when creating an access token, for a granular scope. */
export function toLegacyName(granular: string): string {
  for (const [legacy, targets] of Object.entries(LEGACY_TO_GRANULAR)) {
    if (targets.length === 1 && targets[0] === granular) return legacy;
  }
  return granular;
}

const RESOURCE_PURPOSE: Record<string, string> = {
  repository: "repositories",
  pullrequest: "pull requests",
  project: "projects",
  workspace: "workspaces",
  user: "the account",
  pipeline: "Pipelines",
  runner: "Pipelines runners",
  issue: "issues",
  webhook: "webhooks",
  snippet: "snippets",
  "ssh-key": "SSH keys",
  "gpg-key": "GPG keys",
  permission: "permissions",
};

const SPECIFIC_PURPOSE: Record<string, string> = {
  "read:user:bitbucket": "to prove who the token belongs to",
  "read:workspace:bitbucket": "to see the workspaces the account belongs to",
  "read:repository:bitbucket": "to clone and fetch repositories (git needs it even to push)",
  "write:repository:bitbucket": "to push to repositories",
  "read:pullrequest:bitbucket": "to read pull requests",
  "write:pullrequest:bitbucket": "to create, comment on and merge pull requests",
};

/** What a scope is for, in words a person choosing scopes understands. */
export function scopePurpose(name: string): string {
  const granular = [...toGranular([name])][0] ?? name;
  if (granular in SPECIFIC_PURPOSE) return SPECIFIC_PURPOSE[granular];
  const [action, resource] = granular.split(":");
  const thing = RESOURCE_PURPOSE[resource];
  return thing ? `to ${action} ${thing}` : "a scope this job asked for";
}

/** The closest known scope name, for "did you mean" in error messages. */
export function suggestScope(unknown: string): string | undefined {
  // A cut-short name ("read:repo") has one obvious completion.
  const completions = GRANULAR_SCOPES.filter((s) => s.startsWith(unknown));
  if (completions.length === 1) return completions[0];
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(unknown.length / 4));
  for (const candidate of [...KNOWN, ...GRANULAR_SCOPES.map((s) => s.replace(/:bitbucket$/, ""))]) {
    const d = editDistance(unknown, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best =
        candidate.includes(":") && !KNOWN.has(candidate) ? `${candidate}:bitbucket` : candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
