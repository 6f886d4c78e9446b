/**
 * What the emulator's REST API reads from a bare repository, and the bodies Bitbucket sends for
 * it: branches and tags (definitions `branch`, `tag`, `paginated_branches`, `paginated_tags`), a
 * commit (`commit`), a file's raw content or a directory (`paginated_treeentries`) under
 * /repositories/{workspace}/{repo_slug}/src/{commit}/{path}. Used by bitbucket.ts; git runs
 * asynchronously here because the servers live in the test's own process.
 */

import { execFile } from "node:child_process";

/** Runs git in `dir`; stdout, or undefined when git exits non-zero. */
export type GitRunner = (dir: string, args: string[]) => Promise<Buffer | undefined>;

export function gitRunner(env: NodeJS.ProcessEnv): GitRunner {
  return (dir, args) =>
    new Promise((resolve) => {
      execFile(
        "git",
        args,
        { cwd: dir, env, encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
        (error, stdout) => resolve(error ? undefined : stdout),
      );
    });
}

/** Where bodies point: the public (or loopback) base URLs, without a trailing slash. */
export interface BaseUrls {
  /** REST base, e.g. https://api.bitbucket.org/2.0 */
  api: string;
  /** Web and git host, e.g. https://bitbucket.org */
  git: string;
  /** Host LFS objects are downloaded from. */
  media: string;
}

export interface RepoIdentity {
  fullName: string;
  slug: string;
  uuid: string;
}

export interface CommitInfo {
  hash: string;
  parents: string[];
  /** "Name <email>", Bitbucket's `raw`. */
  author: string;
  /** ISO 8601 with offset, as Bitbucket writes dates. */
  date: string;
  message: string;
}

export interface RefInfo {
  name: string;
  /** The commit the ref points at (annotated tags peeled). */
  hash: string;
}

export type PathContent =
  | { kind: "file"; data: Buffer }
  | { kind: "directory"; entries: { path: string; type: "file" | "directory"; size?: number }[] };

// A branch, tag or hash: no option-looking argument, no revision syntax beyond names.
const SAFE_REV = /^(?!-)(?!.*\.\.)[\w./-]+$/;

export async function resolveCommit(
  run: GitRunner,
  dir: string,
  rev: string,
): Promise<string | undefined> {
  if (!SAFE_REV.test(rev)) return undefined;
  const out = await run(dir, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  return out?.toString().trim() || undefined;
}

export async function listRefs(
  run: GitRunner,
  dir: string,
  kind: "branches" | "tags",
): Promise<RefInfo[]> {
  const prefix = kind === "branches" ? "refs/heads/" : "refs/tags/";
  const out = await run(dir, [
    "for-each-ref",
    "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
    prefix,
  ]);
  return (out?.toString() ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name, object, peeled] = line.split("\0");
      return { name, hash: peeled || object };
    });
}

export async function commitInfos(
  run: GitRunner,
  dir: string,
  hashes: readonly string[],
): Promise<Map<string, CommitInfo>> {
  const unique = [...new Set(hashes)];
  const infos = new Map<string, CommitInfo>();
  if (unique.length === 0) return infos;
  const out = await run(dir, [
    "log",
    "--no-walk=unsorted",
    "--format=%H%x1f%P%x1f%an <%ae>%x1f%aI%x1f%B%x1e",
    ...unique,
  ]);
  for (const record of (out?.toString() ?? "").split("\x1e")) {
    const fields = record.replace(/^\n/, "").split("\x1f");
    if (fields.length < 5) continue;
    const [hash, parents, author, date, message] = fields;
    infos.set(hash, { hash, parents: parents.split(" ").filter(Boolean), author, date, message });
  }
  return infos;
}

/** The file or directory at `path` (no leading slash; "" is the root) in `commit`. */
export async function readPath(
  run: GitRunner,
  dir: string,
  commit: string,
  path: string,
): Promise<PathContent | undefined> {
  const clean = path.replace(/^\/+|\/+$/g, "");
  if (clean.split("/").some((part) => part === "." || part === "..") || clean.includes("\0")) {
    return undefined;
  }
  const spec = `${commit}:${clean}`;
  const type = (await run(dir, ["cat-file", "-t", spec]))?.toString().trim();
  if (type === "blob") {
    const data = await run(dir, ["cat-file", "blob", spec]);
    return data && { kind: "file", data };
  }
  if (type !== "tree") return undefined;
  const out = await run(dir, ["ls-tree", "-l", "-z", spec]);
  const entries = (out?.toString() ?? "")
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [, objectType, , size] = line.slice(0, tab).split(/\s+/);
      const name = line.slice(tab + 1);
      const full = clean ? `${clean}/${name}` : name;
      return objectType === "tree"
        ? { path: full, type: "directory" as const }
        : { path: full, type: "file" as const, size: Number.parseInt(size, 10) || 0 };
    });
  return { kind: "directory", entries };
}

// ---- bodies -----------------------------------------------------------------------------------

const link = (href: string) => ({ href });
const enc = encodeURIComponent;
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function commitLinks(urls: BaseUrls, repo: RepoIdentity, hash: string) {
  return {
    self: link(`${urls.api}/repositories/${repo.fullName}/commit/${hash}`),
    html: link(`${urls.git}/${repo.fullName}/commits/${hash}`),
  };
}

export function commitBody(urls: BaseUrls, repo: RepoIdentity, commit: CommitInfo) {
  const api = `${urls.api}/repositories/${repo.fullName}`;
  return {
    type: "commit",
    hash: commit.hash,
    date: commit.date,
    author: { type: "author", raw: commit.author },
    message: commit.message,
    summary: {
      raw: commit.message,
      markup: "markdown",
      html: `<p>${escapeHtml(commit.message.trim())}</p>`,
    },
    parents: commit.parents.map((hash) => ({
      type: "commit",
      hash,
      links: commitLinks(urls, repo, hash),
    })),
    links: {
      ...commitLinks(urls, repo, commit.hash),
      diff: link(`${api}/diff/${commit.hash}`),
      patch: link(`${api}/patch/${commit.hash}`),
      comments: link(`${api}/commit/${commit.hash}/comments`),
      statuses: link(`${api}/commit/${commit.hash}/statuses`),
    },
    repository: {
      type: "repository",
      full_name: repo.fullName,
      name: repo.slug,
      uuid: repo.uuid,
      links: {
        self: link(api),
        html: link(`${urls.git}/${repo.fullName}`),
        avatar: link(`${urls.git}/${repo.fullName}/avatar/32/`),
      },
    },
  };
}

export function refBody(
  urls: BaseUrls,
  repo: RepoIdentity,
  kind: "branches" | "tags",
  name: string,
  target: CommitInfo,
) {
  const api = `${urls.api}/repositories/${repo.fullName}`;
  const links = {
    self: link(`${api}/refs/${kind}/${enc(name)}`),
    commits: link(`${api}/commits/${enc(name)}`),
    html: link(
      `${urls.git}/${repo.fullName}/${kind === "branches" ? "branch" : "commits/tag"}/${enc(name)}`,
    ),
  };
  const base = { name, target: commitBody(urls, repo, target), links };
  return kind === "branches"
    ? {
        type: "branch",
        ...base,
        merge_strategies: ["merge_commit", "squash", "fast_forward"],
        default_merge_strategy: "merge_commit",
      }
    : { type: "tag", ...base };
}

export function treeEntriesBody(
  urls: BaseUrls,
  repo: RepoIdentity,
  commit: string,
  entries: { path: string; type: "file" | "directory"; size?: number }[],
) {
  const src = `${urls.api}/repositories/${repo.fullName}/src/${commit}`;
  const values = entries.map((entry) => ({
    type: entry.type === "file" ? "commit_file" : "commit_directory",
    path: entry.path,
    ...(entry.type === "file" ? { size: entry.size, escaped_path: entry.path } : {}),
    commit: { type: "commit", hash: commit, links: commitLinks(urls, repo, commit) },
    links: {
      self: link(`${src}/${entry.path}${entry.type === "directory" ? "/" : ""}`),
      meta: link(`${src}/${entry.path}${entry.type === "directory" ? "/" : ""}?format=meta`),
    },
  }));
  return { pagelen: Math.max(values.length, 1), page: 1, size: values.length, values };
}

/** One page of `all`, Bitbucket-style: pagelen clamped to 1..100 (default 10), `next` kept opaque. */
export function paginate<T>(all: readonly T[], query: URLSearchParams, selfUrl: string) {
  const pagelen = Math.min(100, Math.max(1, Number.parseInt(query.get("pagelen") ?? "", 10) || 10));
  const page = Math.max(1, Number.parseInt(query.get("page") ?? "", 10) || 1);
  const values = all.slice((page - 1) * pagelen, page * pagelen);
  let next: { next: string } | Record<string, never> = {};
  if (page * pagelen < all.length) {
    const params = new URLSearchParams(query);
    params.set("pagelen", String(pagelen));
    params.set("page", String(page + 1));
    next = { next: `${selfUrl}?${params}` };
  }
  return { pagelen, page, size: all.length, values, ...next };
}
