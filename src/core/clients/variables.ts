/**
 * Variables for clients that would not use git's credentials, or would ask hosts that cannot
 * know a private module. None of them is secret. Pure.
 *
 * - cargo fetches git dependencies with libgit2 by default, which reads neither the job's
 *   GIT_CONFIG_* include nor http.extraHeader ("failed to acquire username/password from local
 *   configuration"). CARGO_NET_GIT_FETCH_WITH_CLI=true makes it run git. A value the user set
 *   stays as it is.
 * - Go asks proxy.golang.org and sum.golang.org for every module outside GOPRIVATE, and neither
 *   can know a private one. The workspace of each proven repository is added to GOPRIVATE, and
 *   to GONOPROXY / GONOSUMDB when they are in force (a set one overrides GOPRIVATE). With no
 *   repository proven nothing is added: which workspaces hold Go modules is not known.
 */
import type { Repository } from "../inputs/settings.ts";

export const CARGO_VARIABLE = "CARGO_NET_GIT_FETCH_WITH_CLI";
export const GO_VARIABLES = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"] as const;
export type GoVariable = (typeof GO_VARIABLES)[number];

/** CARGO_NET_GIT_FETCH_WITH_CLI=true, unless the job sets it already. */
export function cargoVariables(env: Record<string, string | undefined>): Record<string, string> {
  return env[CARGO_VARIABLE] === undefined ? { [CARGO_VARIABLE]: "true" } : {};
}

/**
 * Module path patterns for the proven repositories' workspaces: `bitbucket.org/acme`. None for
 * a git URL with a port, which no module path can name.
 */
export function goPatterns(gitUrl: URL, repositories: Repository[]): string[] {
  if (gitUrl.port !== "") return [];
  const base = `${gitUrl.hostname}${gitUrl.pathname.replace(/\/+$/, "")}`;
  return [...new Set(repositories.map((r) => `${base}/${r.workspace}`))];
}

/**
 * The Go variables to export: each one in force, with the patterns it lacks added. `current`
 * holds the values in force (from `go env`, or the environment when go is not installed).
 */
export function goVariables(
  current: Partial<Record<GoVariable, string>>,
  patterns: string[],
): Partial<Record<GoVariable, string>> {
  const changed: Partial<Record<GoVariable, string>> = {};
  for (const name of GO_VARIABLES) {
    // GONOPROXY and GONOSUMDB default to GOPRIVATE: left unset, they follow it.
    if (name !== "GOPRIVATE" && !current[name]) continue;
    const items = (current[name] ?? "").split(",").filter((item) => item.trim() !== "");
    const missing = patterns.filter((p) => !items.includes(p));
    if (missing.length > 0) changed[name] = [...items, ...missing].join(",");
  }
  return changed;
}
