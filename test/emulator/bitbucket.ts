/**
 * A Bitbucket Cloud emulator on loopback: the REST API and a smart-HTTP git host backed by the
 * real `git http-backend`. Tests run the action and the CLI against it instead of bitbucket.org.
 *
 *   const bb = await startBitbucket();            // { delayMs } delays every answer
 *   startBitbucket({ publicUrls: { api: "https://api.bitbucket.org/2.0",
 *     git: "https://bitbucket.org", media: "https://media.bitbucket.test" } })
 *                          // behind a TLS front: every URL in bodies, LFS hrefs and .gitmodules
 *                          // uses these; apiUrl/gitUrl/mediaUrl stay the loopback listeners
 *   const alice = bb.addAccount({ email, username, displayName });
 *   bb.addRepository("acme/lib");                 // private by default, one commit on main
 *   bb.addRepository("acme/app", { submodule: "acme/lib" });
 *   const pkg = bb.addRepository("acme/pkg", { files: { "composer.json": "…" },
 *     lfs: { "big.bin": "…" }, tags: ["v1.0.0"] });  // pkg.head: the commit's hash
 *   bb.grant(alice, "acme", "write");             // workspace membership ("acme/app" = one repo)
 *   const token = bb.issueApiToken(alice, { scopes: ["read:repository:bitbucket"] });
 *   bb.issueAccessToken({ kind: "repository", target: "acme/app", scopes: ["repository"] });
 *   bb.issueAppPassword(alice); bb.revoke(token); bb.setDelay(50);
 *   bb.inject({ server: "api", path: "/2.0/user", times: 2 }, { status: 503 });
 *   bb.requests  // every request on the three servers: { server, method, url, headers, status, at, done }
 *   bb.connections.git.peak  // most connections open at once on a server (resetConnections())
 *   bb.setNearLimit(true)    // access tokens' /repositories/* answers say X-RateLimit-NearLimit: true
 *   await bb.close();
 *
 * REST (`apiUrl` = http://127.0.0.1:P/2.0): only the endpoints in ENDPOINTS, GET only: /user,
 *   /user/workspaces[/{ws}/permission], /repositories/{ws}/{slug} and under it refs/branches,
 *   refs/tags, commit/{commit} and src/{commit}/{path} (raw file content, or a directory's
 *   entries as JSON), read from the bare repository by refs.ts.
 *   Basic email:api-token, or Bearer access-token. Anything else is 401 with Bitbucket's body.
 *   A missing scope is 403 with detail {required, granted}: granular names for API tokens,
 *   legacy names for access tokens. Repositories answer 404 both when missing and forbidden.
 * Git (`gitUrl` = http://127.0.0.1:Q): /{ws}/{slug}.git/info/refs, git-upload-pack and
 *   git-receive-pack. Basic with the usernames Bitbucket wants (x-bitbucket-api-token-auth or the
 *   Bitbucket username for API tokens, never the email; x-token-auth for access tokens); 401
 *   carries `WWW-Authenticate: Basic realm="Bitbucket.org HTTP"`. Retired app passwords get 410.
 *   upload-pack needs read:repository (legacy `repository`), receive-pack write:repository
 *   (`repository:write`) and write access.
 *   Also GET /{ws}/{slug}/get/{rev}.zip|.tar.gz (Composer's dist URL): `git archive` for git's
 *   credentials, 401 without.
 * Git LFS (lfs.ts): POST /{ws}/{slug}.git/info/lfs/objects/batch, same credentials and scopes as
 *   upload-pack (download) or receive-pack (upload), but **403 instead of 401** without a usable
 *   credential. Actions point at the media host (`mediaUrl`, requests recorded as server
 *   "media"): GET or PUT `<media>/lfs/<random short-lived key>/<oid>`, no credential needed or
 *   wanted there. Other info/lfs paths (locks) answer 404.
 *
 * Also exported for tests: ENDPOINTS and GIT_SERVICES (the scope each path needs),
 * REMOVED_ENDPOINTS, MESSAGES (the error messages sent).
 *
 * Decisions where Bitbucket's behaviour is not pinned down:
 * - Access tokens are not users: the /user endpoints answer them 403 missing-scope with
 *   required ["account"], and an access token cannot be issued with a user scope (account, email).
 * - Requests without credentials get 401 even for public repositories (the action always sends
 *   credentials; it keeps "bad credentials" tests deterministic).
 * - Git also accepts `Authorization: Bearer <access token>` (an http.extraHeader form).
 * - Git checks in this order: credentials (401/410), scope of the service (403), repository
 *   exists and is readable (404), write access for receive-pack (403).
 * - An access token acts with full rights on what it targets; its scopes are the only limit.
 *   A project access token targets "ws/PROJECTKEY"; repositories are in project "PROJ" unless
 *   addRepository says otherwise.
 * - /user/workspaces/{ws}/permission reports "owner" for workspace admins, "member" for other
 *   workspace members and "collaborator" for accounts that only have access to a repository.
 * - pagelen is clamped to 1..100 (default 10); `fields`, `sort` and `q` are ignored.
 * - Repository bodies carry `website: null` and links.branches/links.tags (Bitbucket sends them,
 *   Composer reads them); src/{commit}/{path} answers text/plain, or application/octet-stream
 *   for content with a NUL byte, and an LFS file's pointer, not its content. A missing path is
 *   404 "No such file or directory: <path>"; an unknown commit 404 "Commit not found".
 * - 410 for removed endpoints and 404 for unknown paths come before authentication.
 * - Requests are routed by path alone: the Host header (a public name behind the front) is
 *   ignored.
 * - Git LFS: every unusable credential (none, wrong username, expired, app password) is 403 with
 *   the emulator's own message; the locks API is not served (404, git-lfs carries on). The
 *   media key in an href is random (never derived from the token), bound to one repository,
 *   one operation and the oids of that batch, and expires after MEDIA_TTL_SECONDS.
 * - /get/ archives: which credentials bitbucket.org takes there is unconfirmed (Composer's
 *   logs show 401 without); here the git ones.
 * - Fault `path` is a prefix of, or a RegExp tested on, the request URL (path + query).
 * - X-RateLimit-Limit/-Resource/-NearLimit go to access tokens only, on /repositories/* (the
 *   scaled "api" resource group: Atlassian's blog and support, 2026), on every answer there;
 *   the values are the base plan's (1000 an hour), near the limit only after setNearLimit(true).
 */

import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  downloadAnswer,
  LFS_CONTENT_TYPE,
  LFS_MESSAGES,
  lfsPointer,
  MediaKeys,
  matchesObject,
  parseBatch,
  uploadAnswer,
} from "./lfs.ts";
import type { BaseUrls } from "./refs.ts";
import {
  commitBody,
  commitInfos,
  gitRunner,
  listRefs,
  paginate,
  readPath,
  refBody,
  resolveCommit,
  treeEntriesBody,
} from "./refs.ts";

export type Level = "read" | "write" | "admin";
export type ServerName = "api" | "git" | "media";
export type CredentialType =
  | "api_token"
  | "repo_access_token"
  | "project_access_token"
  | "workspace_access_token";

export interface Account {
  uuid: string;
  accountId: string;
  email: string;
  username: string;
  displayName: string;
}

export interface Repository {
  workspace: string;
  slug: string;
  fullName: string;
  uuid: string;
  isPrivate: boolean;
  project: string;
  /** The bare repository on disk. */
  dir: string;
  /** The hash of the one commit addRepository wrote on main. */
  head: string;
}

export interface RepositoryOptions {
  private?: boolean;
  /** Project key (default "PROJ"). */
  project?: string;
  /** Full name of a repository added before: a submodule at path <its slug>. */
  submodule?: string;
  /** Extra files in the commit: path → text. */
  files?: Record<string, string>;
  /** Files stored as Git LFS objects: the commit holds pointers and .gitattributes lines. */
  lfs?: Record<string, string>;
  /** Lightweight tags on the commit, e.g. "v1.0.0". */
  tags?: string[];
}

export interface StartOptions {
  delayMs?: number;
  /**
   * The URLs clients see (behind a TLS front): used in every URL the emulator writes into bodies,
   * LFS hrefs and .gitmodules. E.g. { api: "https://api.bitbucket.org/2.0",
   * git: "https://bitbucket.org", media: "https://media.bitbucket.test" }.
   */
  publicUrls?: BaseUrls;
}

export interface RecordedRequest {
  server: ServerName;
  method: string;
  /** Path and query as received. */
  url: string;
  /** Raw (lower-cased) headers, authorization included. */
  headers: IncomingHttpHeaders;
  /** Set once the answer has been sent; absent for reset, hung or truncated answers. */
  status?: number;
  /** performance.now() when the request arrived, and when its answer was sent. */
  at: number;
  done?: number;
}

/** Connections to one server: open now, and the most open at once since the last reset. */
export interface ConnectionCount {
  open: number;
  peak: number;
}

export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string | Uint8Array | object }
  | "reset"
  | "hang"
  | { redirect: string; status?: number }
  | { truncate: true; body?: string };

export interface FaultMatch {
  /** Omitted: either server. */
  server?: ServerName;
  path: string | RegExp;
  /** How many matching requests get the fault (default 1; Infinity allowed). */
  times?: number;
}

export interface Bitbucket {
  /** Loopback URLs the servers listen on. */
  apiUrl: string;
  gitUrl: string;
  mediaUrl: string;
  /** The URLs written into bodies: publicUrls if given, else the loopback ones. */
  publicUrls: BaseUrls;
  requests: RecordedRequest[];
  connections: Record<ServerName, ConnectionCount>;
  resetConnections(): void;
  setNearLimit(near: boolean): void;
  addAccount(options: { email: string; username: string; displayName?: string }): Account;
  addRepository(fullName: string, options?: RepositoryOptions): Repository;
  grant(account: Account, target: string, level: Level): void;
  issueApiToken(
    account: Account,
    options: { scopes: readonly string[]; expired?: boolean; classic?: boolean },
  ): string;
  issueAccessToken(options: {
    kind: "repository" | "project" | "workspace";
    target: string;
    scopes: readonly string[];
    expired?: boolean;
  }): string;
  issueAppPassword(account: Account): string;
  revoke(token: string): void;
  setDelay(ms: number): void;
  inject(match: FaultMatch, fault: Fault): void;
  clearRequests(): void;
  close(): Promise<void>;
}

/** The REST endpoints served, as OpenAPI path templates under basePath /2.0, with the scope each needs. */
export const ENDPOINTS = [
  { path: "/user", scope: "read:user:bitbucket", legacy: "account" },
  { path: "/user/workspaces", scope: "read:workspace:bitbucket", legacy: "account" },
  {
    path: "/user/workspaces/{workspace}/permission",
    scope: "read:workspace:bitbucket",
    legacy: "account",
  },
  {
    path: "/repositories/{workspace}/{repo_slug}",
    scope: "read:repository:bitbucket",
    legacy: "repository",
  },
  {
    path: "/repositories/{workspace}/{repo_slug}/refs/branches",
    scope: "read:repository:bitbucket",
    legacy: "repository",
  },
  {
    path: "/repositories/{workspace}/{repo_slug}/refs/tags",
    scope: "read:repository:bitbucket",
    legacy: "repository",
  },
  {
    path: "/repositories/{workspace}/{repo_slug}/commit/{commit}",
    scope: "read:repository:bitbucket",
    legacy: "repository",
  },
  {
    path: "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}",
    scope: "read:repository:bitbucket",
    legacy: "repository",
  },
] as const;
type Endpoint = (typeof ENDPOINTS)[number];
interface Need {
  scope: string;
  legacy: string;
}

/** Removed by CHANGE-2770: 410 Gone. */
export const REMOVED_ENDPOINTS = [
  "/workspaces",
  "/user/permissions/workspaces",
  "/user/permissions/repositories",
  "/repositories",
] as const;

export const GIT_SERVICES: Record<string, Need> = {
  "git-upload-pack": { scope: "read:repository:bitbucket", legacy: "repository" },
  "git-receive-pack": { scope: "write:repository:bitbucket", legacy: "repository:write" },
};

export const MESSAGES = {
  invalidToken: "Token is invalid, expired, or not supported for this endpoint.",
  missingScope: "Your credentials lack one or more required privilege scopes.",
  repositoryNotFound:
    "You may not have access to this repository or it no longer exists in this workspace. If you think this repository exists and you have access, make sure you are authenticated.",
  noWorkspaceAccess: "You do not have access to this workspace.",
  removed: "Resource removed",
  notFound: "Resource not found",
  commitNotFound: "Commit not found",
  /** Followed by ": <path>". */
  noSuchPath: "No such file or directory",
};

const LEGACY_IMPLIES: Record<string, readonly string[]> = {
  "repository:write": ["repository"],
  "pullrequest:write": ["pullrequest", "repository:write"],
  pullrequest: ["repository"],
  project: ["repository"],
};

const REMOVED_DETAIL =
  "This API is no longer supported. See https://developer.atlassian.com/cloud/bitbucket/changelog/#CHANGE-2770";

// Where git keeps its helpers differs by system (Debian, Homebrew, Xcode, Git for Windows).
const GIT_HTTP_BACKEND = join(
  execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(),
  process.platform === "win32" ? "git-http-backend.exe" : "git-http-backend",
);
const REALM = 'Basic realm="Bitbucket.org HTTP"';
const RANK: Record<Level, number> = { read: 1, write: 2, admin: 3 };

interface Workspace {
  slug: string;
  uuid: string;
  members: Map<string, Level>;
  projects: Map<string, string>; // key → uuid
}
interface ApiToken {
  kind: "api_token";
  account: Account;
  scopes: readonly string[];
  expired: boolean;
  classic: boolean;
  revoked: boolean;
}
interface AccessToken {
  kind: "access_token";
  type: "repository" | "project" | "workspace";
  target: string;
  scopes: readonly string[];
  expired: boolean;
  revoked: boolean;
}
interface AppPassword {
  kind: "app_password";
  account: Account;
  revoked: boolean;
}
type Credential = ApiToken | AccessToken | AppPassword;
type Usable = ApiToken | AccessToken;
interface RepoState extends Repository {
  members: Map<string, Level>;
  /** LFS objects by sha256 oid. */
  lfs: Map<string, Buffer>;
}
interface PendingFault {
  match: FaultMatch;
  left: number;
  fault: Fault;
}

const CREATED_ON = "2024-01-15T09:30:00.000000+00:00";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `prefix` + base64url body + `=` + 8 hex: 192 characters, like Atlassian's tokens. */
function atlassianToken(prefix: string): string {
  const body = [...randomBytes(192 - prefix.length - 9)].map((b) => B64URL[b % 64]).join("");
  return `${prefix}${body}=${randomBytes(4).toString("hex").toUpperCase()}`;
}

function expandLegacy(scopes: readonly string[]): Set<string> {
  const all = new Set<string>();
  const visit = (s: string): void => {
    if (all.has(s)) return;
    all.add(s);
    for (const implied of LEGACY_IMPLIES[s] ?? []) visit(implied);
  };
  scopes.forEach(visit);
  return all;
}

function holds(cred: Usable, need: Need): boolean {
  return cred.kind === "api_token"
    ? cred.scopes.includes(need.scope)
    : expandLegacy(cred.scopes).has(need.legacy);
}

function credentialType(cred: Usable): CredentialType {
  return cred.kind === "api_token"
    ? "api_token"
    : (`${cred.type === "repository" ? "repo" : cred.type}_access_token` as CredentialType);
}

/** Comma-separated with uneven spacing, as Bitbucket sends it: clients must trim. */
function oddlySpaced(scopes: readonly string[]): string {
  return scopes.map((s, i) => (i % 2 === 1 ? `  ${s} ` : s)).join(",");
}

function rateLimitHeaders(cred: Usable, endpoint: Endpoint, near: boolean): OutgoingHttpHeaders {
  if (cred.kind !== "access_token" || !endpoint.path.startsWith("/repositories/")) return {};
  return {
    "x-ratelimit-limit": "1000",
    "x-ratelimit-resource": "api",
    "x-ratelimit-nearlimit": String(near),
  };
}

function parseAuthorization(header: string | undefined): {
  basic?: [string, string];
  bearer?: string;
} {
  if (!header) return {};
  const [scheme, value = ""] = header.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return { bearer: value };
  if (!/^basic$/i.test(scheme)) return {};
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? {} : { basic: [decoded.slice(0, colon), decoded.slice(colon + 1)] };
}

function maxLevel(...levels: (Level | undefined)[]): Level | undefined {
  return levels.reduce<Level | undefined>(
    (best, l) => (l && (!best || RANK[l] > RANK[best]) ? l : best),
    undefined,
  );
}

/** One path segment per parameter; a trailing `{path}` takes the rest, slashes included, or nothing. */
/** The request body, or undefined when longer than `limit` bytes. */
async function readBytes(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length <= limit) chunks.push(chunk);
  }
  return length > limit ? undefined : Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return (await readBytes(req, limit))?.toString("utf8");
}

function templateRegExp(template: string): RegExp {
  const body = template.replace(/\/\{path\}$/, "(?:/(.*))?").replace(/\{[^}]+\}/g, "([^/]+)");
  return new RegExp(`^${body}$`);
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

function decodeParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export async function startBitbucket(options: StartOptions = {}): Promise<Bitbucket> {
  const root = mkdtempSync(join(tmpdir(), "bitbucket-emulator-"));
  const reposDir = join(root, "repos");
  const homeDir = join(root, "home");
  mkdirSync(reposDir);
  mkdirSync(homeDir);
  // The emulator's own git commands must not read the developer's or the test's configuration.
  const gitEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: homeDir,
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const git = (dir: string, args: string[], input?: string): string =>
    execFileSync("git", args, { cwd: dir, env: gitEnv, input, encoding: "utf8" }).trim();
  const gitAsync = gitRunner(gitEnv);

  let delay = options.delayMs ?? 0;
  const workspaces = new Map<string, Workspace>();
  const repos = new Map<string, RepoState>();
  const credentials = new Map<string, Credential>();
  const faults: PendingFault[] = [];
  const requests: RecordedRequest[] = [];
  const children = new Set<ChildProcess>();
  const mediaKeys = new MediaKeys();

  let nearLimit = false;
  const apiServer = createServer((req, res) => void serve("api", req, res, handleApi));
  const gitServer = createServer((req, res) => void serve("git", req, res, handleGit));
  const mediaServer = createServer((req, res) => void serve("media", req, res, handleMedia));
  const servers = [apiServer, gitServer, mediaServer];
  const connections: Record<ServerName, ConnectionCount> = {
    api: { open: 0, peak: 0 },
    git: { open: 0, peak: 0 },
    media: { open: 0, peak: 0 },
  };
  for (const [name, server] of [
    ["api", apiServer],
    ["git", gitServer],
    ["media", mediaServer],
  ] as const) {
    server.on("connection", (socket) => {
      const count = connections[name];
      count.peak = Math.max(count.peak, ++count.open);
      socket.on("close", () => count.open--);
    });
  }
  const listen = (server: Server): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
  const apiUrl = `http://127.0.0.1:${await listen(apiServer)}/2.0`;
  const gitUrl = `http://127.0.0.1:${await listen(gitServer)}`;
  const mediaUrl = `http://127.0.0.1:${await listen(mediaServer)}`;
  // What clients see: every URL written into a body, an LFS href or .gitmodules starts so.
  const pub: BaseUrls = {
    api: trimSlash(options.publicUrls?.api ?? apiUrl),
    git: trimSlash(options.publicUrls?.git ?? gitUrl),
    media: trimSlash(options.publicUrls?.media ?? mediaUrl),
  };

  // ---- world ---------------------------------------------------------------------------------

  function workspace(slug: string): Workspace {
    let ws = workspaces.get(slug);
    if (!ws) {
      ws = { slug, uuid: `{${randomUUID()}}`, members: new Map(), projects: new Map() };
      workspaces.set(slug, ws);
    }
    return ws;
  }

  function splitFullName(fullName: string): [string, string] {
    const m = /^([\w.-]+)\/([\w.-]+)$/.exec(fullName);
    if (!m) throw new Error(`expected "workspace/slug", got ${JSON.stringify(fullName)}`);
    return [m[1], m[2]];
  }

  function existingRepo(fullName: string): RepoState {
    const repo = repos.get(fullName);
    if (!repo) throw new Error(`no repository ${fullName}; addRepository it first`);
    return repo;
  }

  function addRepository(fullName: string, opts: RepositoryOptions = {}): Repository {
    const [wsSlug, slug] = splitFullName(fullName);
    if (repos.has(fullName)) throw new Error(`repository ${fullName} exists already`);
    const ws = workspace(wsSlug);
    const project = opts.project ?? "PROJ";
    if (!ws.projects.has(project)) ws.projects.set(project, `{${randomUUID()}}`);
    const dir = join(reposDir, wsSlug, `${slug}.git`);
    mkdirSync(dir, { recursive: true });
    git(dir, ["init", "--bare", "--quiet", "--initial-branch=main"]);
    // One commit written by a single fast-import: no work tree, few processes.
    const files = new Map<string, string>([["README.md", `# ${slug}\n`]]);
    for (const [path, content] of Object.entries(opts.files ?? {})) files.set(path, content);
    const lfs = new Map<string, Buffer>();
    const attributes: string[] = [];
    for (const [path, content] of Object.entries(opts.lfs ?? {})) {
      const object = lfsPointer(content);
      lfs.set(object.oid, Buffer.from(content));
      files.set(path, object.pointer);
      attributes.push(`${path} filter=lfs diff=lfs merge=lfs -text\n`);
    }
    if (attributes.length > 0) {
      const before = files.get(".gitattributes") ?? "";
      files.set(
        ".gitattributes",
        before + (before && !before.endsWith("\n") ? "\n" : "") + attributes.join(""),
      );
    }
    let commands = "";
    for (const [path, content] of files) {
      if (/[\n"]/.test(path) || path.startsWith("/")) throw new Error(`unusable path ${path}`);
      commands += `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
    }
    if (opts.submodule) {
      const sub = existingRepo(opts.submodule);
      const gitmodules = `[submodule "${sub.slug}"]\n\tpath = ${sub.slug}\n\turl = ${pub.git}/${sub.fullName}.git\n`;
      commands += `M 100644 inline .gitmodules\ndata ${Buffer.byteLength(gitmodules)}\n${gitmodules}\n`;
      commands += `M 160000 ${git(sub.dir, ["rev-parse", "refs/heads/main"])} ${sub.slug}\n`;
    }
    const message = "Initial commit\n";
    const tags = (opts.tags ?? []).map((tag) => `reset refs/tags/${tag}\nfrom :1\n`);
    git(
      dir,
      ["fast-import", "--quiet"],
      [
        "commit refs/heads/main",
        "mark :1",
        "committer Emulator <emulator@example.com> 1705311000 +0000",
        `data ${message.length}`,
        message + commands,
        ...tags,
      ].join("\n"),
    );
    const repo: RepoState = {
      workspace: wsSlug,
      slug,
      fullName,
      uuid: `{${randomUUID()}}`,
      isPrivate: opts.private ?? true,
      project,
      dir,
      head: git(dir, ["rev-parse", "refs/heads/main"]),
      members: new Map(),
      lfs,
    };
    repos.set(fullName, repo);
    const { members: _members, lfs: _lfs, ...view } = repo;
    return view;
  }

  function issue(token: string, cred: Credential): string {
    credentials.set(token, cred);
    return token;
  }

  function issueAccessToken(opts: {
    kind: "repository" | "project" | "workspace";
    target: string;
    scopes: readonly string[];
    expired?: boolean;
  }): string {
    const userScope = opts.scopes.find((s) => s === "account" || s === "email");
    if (userScope) throw new Error(`access tokens cannot hold the user scope ${userScope}`);
    if (opts.kind === "repository") existingRepo(opts.target);
    else if (opts.kind === "workspace") {
      if (!workspaces.has(opts.target)) throw new Error(`no workspace ${opts.target}`);
    } else {
      const [ws, key] = splitFullName(opts.target);
      if (!workspaces.get(ws)?.projects.has(key)) throw new Error(`no project ${opts.target}`);
    }
    return issue(atlassianToken("ATCTT3xFfGN0"), {
      kind: "access_token",
      type: opts.kind,
      target: opts.target,
      scopes: [...opts.scopes],
      expired: opts.expired ?? false,
      revoked: false,
    });
  }

  // ---- who may do what ------------------------------------------------------------------------

  function usable(cred: Credential | undefined): Usable | undefined {
    if (!cred || cred.kind === "app_password" || cred.revoked || cred.expired) return undefined;
    return cred.kind === "api_token" && cred.classic ? undefined : cred;
  }

  function restCredential(header: string | undefined): Usable | undefined {
    const { basic, bearer } = parseAuthorization(header);
    if (bearer !== undefined) {
      const cred = usable(credentials.get(bearer));
      return cred?.kind === "access_token" ? cred : undefined;
    }
    if (!basic) return undefined;
    const cred = usable(credentials.get(basic[1]));
    return cred?.kind === "api_token" && cred.account.email.toLowerCase() === basic[0].toLowerCase()
      ? cred
      : undefined;
  }

  function gitCredential(header: string | undefined): Usable | "gone" | undefined {
    const { basic, bearer } = parseAuthorization(header);
    if (bearer !== undefined) {
      const cred = usable(credentials.get(bearer));
      return cred?.kind === "access_token" ? cred : undefined;
    }
    if (!basic) return undefined;
    const [user, password] = basic;
    const stored = credentials.get(password);
    if (stored?.kind === "app_password") return "gone";
    const cred = usable(stored);
    if (cred?.kind === "api_token") {
      return user === "x-bitbucket-api-token-auth" || user === cred.account.username
        ? cred
        : undefined;
    }
    return cred && user === "x-token-auth" ? cred : undefined;
  }

  function covers(cred: AccessToken, repo: RepoState): boolean {
    if (cred.type === "repository") return cred.target === repo.fullName;
    if (cred.type === "project") return cred.target === `${repo.workspace}/${repo.project}`;
    return cred.target === repo.workspace;
  }

  function repoLevel(cred: Usable, repo: RepoState): Level | undefined {
    const publicRead: Level | undefined = repo.isPrivate ? undefined : "read";
    if (cred.kind === "access_token") return covers(cred, repo) ? "admin" : publicRead;
    const uuid = cred.account.uuid;
    return maxLevel(
      workspaces.get(repo.workspace)?.members.get(uuid),
      repo.members.get(uuid),
      publicRead,
    );
  }

  /** How the account relates to a workspace, or undefined when it has nothing there. */
  function workspaceRole(
    account: Account,
    ws: Workspace,
  ): "owner" | "member" | "collaborator" | undefined {
    const level = ws.members.get(account.uuid);
    if (level) return level === "admin" ? "owner" : "member";
    for (const repo of repos.values()) {
      if (repo.workspace === ws.slug && repo.members.has(account.uuid)) return "collaborator";
    }
    return undefined;
  }

  // ---- bodies ---------------------------------------------------------------------------------

  const enc = encodeURIComponent;
  const link = (href: string) => ({ href });

  function accountBody(account: Account) {
    return {
      type: "user",
      uuid: account.uuid,
      account_id: account.accountId,
      username: account.username,
      nickname: account.username,
      display_name: account.displayName,
      account_status: "active",
      is_staff: false,
      created_on: CREATED_ON,
      links: {
        self: link(`${pub.api}/users/${enc(account.uuid)}`),
        html: link(`${pub.git}/${enc(account.uuid)}/`),
        avatar: link(`${pub.git}/avatars/${enc(account.accountId)}`),
      },
    };
  }

  function workspaceBase(ws: Workspace) {
    return {
      type: "workspace_base",
      uuid: ws.uuid,
      slug: ws.slug,
      links: {
        avatar: link(`${pub.git}/workspaces/${ws.slug}/avatar/`),
        self: link(`${pub.api}/workspaces/${ws.slug}`),
      },
    };
  }

  function workspaceBody(ws: Workspace) {
    return {
      type: "workspace",
      uuid: ws.uuid,
      slug: ws.slug,
      name: ws.slug,
      is_private: true,
      created_on: CREATED_ON,
      links: {
        avatar: link(`${pub.git}/workspaces/${ws.slug}/avatar/`),
        html: link(`${pub.git}/${ws.slug}/`),
        self: link(`${pub.api}/workspaces/${ws.slug}`),
        repositories: link(`${pub.api}/repositories/${ws.slug}`),
      },
    };
  }

  function repositoryBody(repo: RepoState) {
    const ws = workspace(repo.workspace);
    const self = `${pub.api}/repositories/${repo.fullName}`;
    return {
      type: "repository",
      uuid: repo.uuid,
      full_name: repo.fullName,
      name: repo.slug,
      slug: repo.slug,
      description: "",
      scm: "git",
      is_private: repo.isPrivate,
      fork_policy: repo.isPrivate ? "no_public_forks" : "allow_forks",
      language: "",
      size: 1024,
      has_issues: false,
      has_wiki: false,
      created_on: CREATED_ON,
      updated_on: CREATED_ON,
      owner: {
        type: "team",
        uuid: ws.uuid,
        username: ws.slug,
        display_name: ws.slug,
        links: {
          self: link(`${pub.api}/workspaces/${ws.slug}`),
          avatar: link(`${pub.git}/workspaces/${ws.slug}/avatar/`),
        },
      },
      workspace: workspaceBody(ws),
      project: {
        type: "project",
        key: repo.project,
        uuid: ws.projects.get(repo.project),
        name: repo.project,
        links: { html: link(`${pub.git}/${ws.slug}/workspace/projects/${repo.project}`) },
      },
      mainbranch: { type: "branch", name: "main" },
      // Not in the document's repository schema (additionalProperties allows it); Bitbucket
      // sends it, null when unset, and Composer reads it.
      website: null,
      links: {
        self: link(self),
        html: link(`${pub.git}/${repo.fullName}`),
        pullrequests: link(`${self}/pullrequests`),
        commits: link(`${self}/commits`),
        forks: link(`${self}/forks`),
        watchers: link(`${self}/watchers`),
        downloads: link(`${self}/downloads`),
        hooks: link(`${self}/hooks`),
        clone: [{ name: "https", href: `${pub.git}/${repo.fullName}.git` }],
        // Bitbucket sends these two (Composer follows them) though the document's `links`
        // forbids properties it does not list: see test/contract/openapi.test.ts.
        branches: link(`${self}/refs/branches`),
        tags: link(`${self}/refs/tags`),
      },
    };
  }

  const errorBody = (message: string, extra: Record<string, unknown> = {}) => ({
    type: "error",
    error: { message, ...extra },
  });

  function sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: OutgoingHttpHeaders = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  function sendText(
    res: ServerResponse,
    status: number,
    text: string,
    headers: OutgoingHttpHeaders = {},
  ): void {
    res.writeHead(status, {
      ...headers,
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  // ---- request plumbing -----------------------------------------------------------------------

  async function serve(
    server: ServerName,
    req: IncomingMessage,
    res: ServerResponse,
    handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
  ): Promise<void> {
    const entry: RecordedRequest = {
      server,
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: req.headers,
      at: performance.now(),
    };
    requests.push(entry);
    res.on("finish", () => {
      entry.status = res.statusCode;
      entry.done = performance.now();
    });
    try {
      if (delay > 0) await sleep(delay);
      const pending = faults.find((f) => f.left > 0 && matches(f.match, server, entry.url));
      if (pending) {
        pending.left--;
        return applyFault(pending.fault, req, res);
      }
      await handler(req, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, errorBody(`emulator failure: ${String(error)}`));
      else res.destroy();
    }
  }

  function matches(match: FaultMatch, server: ServerName, url: string): boolean {
    if (match.server && match.server !== server) return false;
    return typeof match.path === "string" ? url.startsWith(match.path) : match.path.test(url);
  }

  function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse): void {
    if (fault === "reset") {
      req.socket.destroy();
    } else if (fault === "hang") {
      // Never answer: close() ends the socket through closeAllConnections().
    } else if ("redirect" in fault) {
      res.writeHead(fault.status ?? 302, { location: fault.redirect, "content-length": 0 });
      res.end();
    } else if ("truncate" in fault) {
      const body = fault.body ?? '{"type": "user", "uuid": "';
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body) + 512,
      });
      res.write(body, () => req.socket.destroy());
    } else {
      const headers: Record<string, string> = { ...fault.headers };
      let body: string | Uint8Array = "";
      if (typeof fault.body === "string" || fault.body instanceof Uint8Array) body = fault.body;
      else if (fault.body !== undefined) {
        body = JSON.stringify(fault.body);
        headers["content-type"] ??= "application/json; charset=utf-8";
      }
      if (
        typeof body === "string" &&
        body &&
        !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")
      ) {
        headers["content-type"] = "text/plain; charset=utf-8";
      }
      res.writeHead(fault.status, { ...headers, "content-length": Buffer.byteLength(body) });
      res.end(body);
    }
  }

  // ---- REST -----------------------------------------------------------------------------------

  const routes = ENDPOINTS.map((endpoint) => ({
    endpoint,
    pattern: templateRegExp(endpoint.path),
  }));

  interface Answer {
    status: number;
    body: unknown;
    headers?: OutgoingHttpHeaders;
    /** Sent as is instead of `body` as JSON (a file's content). */
    raw?: { data: Buffer; contentType: string };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { status, body, headers, raw } = await restAnswer(req);
    if (!raw) return sendJson(res, status, body, headers);
    res.writeHead(status, {
      ...headers,
      "content-type": raw.contentType,
      "content-length": raw.data.length,
    });
    res.end(raw.data);
  }

  async function restAnswer(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? "/", apiUrl);
    const path = url.pathname.startsWith("/2.0/")
      ? url.pathname.slice(4).replace(/\/+$/, "")
      : undefined;
    if (path && (REMOVED_ENDPOINTS as readonly string[]).includes(path)) {
      return { status: 410, body: errorBody(MESSAGES.removed, { detail: REMOVED_DETAIL }) };
    }
    let route: { endpoint: Endpoint; params: string[] } | undefined;
    for (const { endpoint, pattern } of routes) {
      const m = path === undefined ? null : pattern.exec(path);
      if (m) route = { endpoint, params: m.slice(1).map((p) => decodeParam(p ?? "")) };
    }
    if (!route) {
      const detail = "There is no API hosted at this URL.";
      return { status: 404, body: errorBody(MESSAGES.notFound, { detail }) };
    }
    if (req.method !== "GET") {
      const body = errorBody(`Method ${req.method} not allowed`);
      return { status: 405, body, headers: { allow: "GET" } };
    }
    const cred = restCredential(req.headers.authorization);
    if (!cred) return { status: 401, body: errorBody(MESSAGES.invalidToken) };

    const { endpoint, params } = route;
    const headers: OutgoingHttpHeaders = {
      "x-oauth-scopes": oddlySpaced(cred.scopes),
      "x-accepted-oauth-scopes": endpoint.legacy,
      "x-credential-type": credentialType(cred),
      ...rateLimitHeaders(cred, endpoint, nearLimit),
    };
    if (!holds(cred, endpoint)) {
      const required = [cred.kind === "api_token" ? endpoint.scope : endpoint.legacy];
      const detail = { required, granted: cred.scopes };
      return { status: 403, body: errorBody(MESSAGES.missingScope, { detail }), headers };
    }
    if (endpoint.path.startsWith("/repositories/")) {
      const repo = repos.get(`${params[0]}/${params[1]}`);
      if (!repo || !repoLevel(cred, repo)) {
        return { status: 404, body: errorBody(MESSAGES.repositoryNotFound), headers };
      }
      return { ...(await repositoryAnswer(endpoint, repo, params.slice(2), url)), headers };
    }
    // The /user endpoints: only API tokens get past their scope check (see header comment).
    const account = (cred as ApiToken).account;
    if (endpoint.path === "/user") return { status: 200, body: accountBody(account), headers };
    if (endpoint.path === "/user/workspaces") {
      return { status: 200, body: workspacePage(account, url.searchParams), headers };
    }
    const ws = workspaces.get(params[0]);
    const role = ws && workspaceRole(account, ws);
    if (!ws || !role) return { status: 403, body: errorBody(MESSAGES.noWorkspaceAccess), headers };
    const body = {
      type: "workspace_membership",
      permission: role,
      user: accountBody(account),
      workspace: workspaceBody(ws),
      links: { self: link(`${pub.api}/workspaces/${ws.slug}/members/${enc(account.uuid)}`) },
    };
    return { status: 200, body, headers };
  }

  /** The /repositories/{workspace}/{repo_slug}[/…] endpoints, once the repository is readable. */
  async function repositoryAnswer(
    endpoint: Endpoint,
    repo: RepoState,
    params: string[],
    url: URL,
  ): Promise<Answer> {
    const self = `${pub.api}/repositories/${repo.fullName}`;
    switch (endpoint.path) {
      case "/repositories/{workspace}/{repo_slug}":
        return { status: 200, body: repositoryBody(repo) };
      case "/repositories/{workspace}/{repo_slug}/refs/branches":
      case "/repositories/{workspace}/{repo_slug}/refs/tags": {
        const kind = endpoint.path.endsWith("branches") ? "branches" : "tags";
        const page = paginate(
          await listRefs(gitAsync, repo.dir, kind),
          url.searchParams,
          `${self}/refs/${kind}`,
        );
        const infos = await commitInfos(
          gitAsync,
          repo.dir,
          page.values.map((r) => r.hash),
        );
        const values = page.values.flatMap((r) => {
          const target = infos.get(r.hash);
          return target ? [refBody(pub, repo, kind, r.name, target)] : [];
        });
        return { status: 200, body: { ...page, values } };
      }
      case "/repositories/{workspace}/{repo_slug}/commit/{commit}": {
        const hash = await resolveCommit(gitAsync, repo.dir, params[0]);
        const info = hash && (await commitInfos(gitAsync, repo.dir, [hash])).get(hash);
        if (!info) {
          return {
            status: 404,
            body: errorBody(MESSAGES.commitNotFound, { data: { shas: [params[0]] } }),
          };
        }
        return { status: 200, body: commitBody(pub, repo, info) };
      }
      default: {
        // /src/{commit}/{path}: raw file content, or the directory's entries.
        const [rev, path] = params;
        const hash = await resolveCommit(gitAsync, repo.dir, rev);
        if (!hash) {
          return {
            status: 404,
            body: errorBody(MESSAGES.commitNotFound, { data: { shas: [rev] } }),
          };
        }
        const content = await readPath(gitAsync, repo.dir, hash, path);
        if (!content) {
          return { status: 404, body: errorBody(`${MESSAGES.noSuchPath}: ${path}`) };
        }
        if (content.kind === "directory") {
          return { status: 200, body: treeEntriesBody(pub, repo, hash, content.entries) };
        }
        const binary = content.data.includes(0);
        const contentType = binary ? "application/octet-stream" : "text/plain; charset=utf-8";
        return { status: 200, body: undefined, raw: { data: content.data, contentType } };
      }
    }
  }

  function workspacePage(account: Account, query: URLSearchParams) {
    const all = [...workspaces.values()]
      .filter((ws) => workspaceRole(account, ws))
      .sort((a, b) => a.slug.localeCompare(b.slug));
    const pagelen = Math.min(
      100,
      Math.max(1, Number.parseInt(query.get("pagelen") ?? "", 10) || 10),
    );
    const page = Math.max(1, Number.parseInt(query.get("page") ?? "", 10) || 1);
    const values = all.slice((page - 1) * pagelen, page * pagelen).map((ws) => ({
      type: "workspace_access",
      administrator: ws.members.get(account.uuid) === "admin",
      workspace: workspaceBase(ws),
      links: { self: link(`${pub.api}/user/workspaces/${ws.slug}/permission`) },
    }));
    const next =
      page * pagelen < all.length
        ? { next: `${pub.api}/user/workspaces?page=${page + 1}&pagelen=${pagelen}` }
        : {};
    return { pagelen, page, size: all.length, values, ...next };
  }

  // ---- git smart HTTP -------------------------------------------------------------------------

  function handleGit(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const url = new URL(req.url ?? "/", gitUrl);
    const lfs = /^\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/info\/lfs\/(.*)$/.exec(url.pathname);
    if (lfs) return handleLfs(req, res, `${lfs[1]}/${lfs[2]}`, lfs[3]);
    const archive = /^\/([\w.-]+)\/([\w.-]+)\/get\/([\w./-]+?)\.(zip|tar\.gz)$/.exec(url.pathname);
    if (archive) {
      return handleArchive(req, res, `${archive[1]}/${archive[2]}`, archive[3], archive[4]);
    }
    const m =
      /^\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(
        url.pathname,
      );
    if (!m) return sendText(res, 404, "Not Found\n");
    const [, wsSlug, slug, action] = m;
    const service = action === "info/refs" ? (url.searchParams.get("service") ?? "") : action;
    const need = GIT_SERVICES[service];
    if (!need) return sendText(res, 403, "Dumb HTTP is not supported: use a smart git client.\n");
    const cred = gitCredential(req.headers.authorization);
    if (cred === "gone") {
      return sendText(
        res,
        410,
        "App passwords are no longer supported for Git over HTTPS. Use an API token.\n",
      );
    }
    if (!cred) return sendText(res, 401, "Authentication failed\n", { "www-authenticate": REALM });
    if (!holds(cred, need)) {
      const required = cred.kind === "api_token" ? need.scope : need.legacy;
      return sendText(
        res,
        403,
        `Your credentials lack one or more required privilege scopes: ${required}\n`,
      );
    }
    const repo = repos.get(`${wsSlug}/${slug}`);
    const level = repo && repoLevel(cred, repo);
    if (!repo || !level) return sendText(res, 404, "Repository not found\n");
    if (service === "git-receive-pack" && RANK[level] < RANK.write) {
      return sendText(res, 403, "You do not have write access to this repository.\n");
    }
    const user = cred.kind === "api_token" ? cred.account.username : "x-token-auth";
    const pathInfo = `/${repo.workspace}/${repo.slug}.git/${action}`;
    return runHttpBackend(req, res, pathInfo, url.search.slice(1), user);
  }

  /**
   * GET /{ws}/{slug}/get/{rev}.zip|.tar.gz: the archive Composer's Bitbucket driver names as dist.
   * 401 without credentials (what Composer logs against bitbucket.org; it then falls back to
   * cloning); which credentials bitbucket.org takes there is unconfirmed: here, git's.
   */
  async function handleArchive(
    req: IncomingMessage,
    res: ServerResponse,
    fullName: string,
    rev: string,
    format: string,
  ): Promise<void> {
    const cred = gitCredential(req.headers.authorization);
    if (!cred || cred === "gone") {
      return sendText(res, 401, "Unauthorized\n", { "www-authenticate": REALM });
    }
    if (!holds(cred, GIT_SERVICES["git-upload-pack"])) {
      return sendText(res, 403, `${MESSAGES.missingScope}\n`);
    }
    const repo = repos.get(fullName);
    const hash = repo && repoLevel(cred, repo) && (await resolveCommit(gitAsync, repo.dir, rev));
    if (!repo || !hash) return sendText(res, 404, "Not Found\n");
    const prefix = `${repo.workspace}-${repo.slug}-${hash.slice(0, 12)}`;
    const data = await gitAsync(repo.dir, [
      "archive",
      `--format=${format}`,
      `--prefix=${prefix}/`,
      hash,
    ]);
    if (!data) return sendText(res, 500, "git archive failed\n");
    res.writeHead(200, {
      "content-type": format === "zip" ? "application/zip" : "application/x-gzip",
      "content-disposition": `attachment; filename="${prefix}.${format}"`,
      "content-length": data.length,
    });
    res.end(data);
  }

  // ---- Git LFS (see lfs.ts) --------------------------------------------------------------------

  async function handleLfs(
    req: IncomingMessage,
    res: ServerResponse,
    fullName: string,
    rest: string,
  ): Promise<void> {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": LFS_CONTENT_TYPE,
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    // No credential, or one Bitbucket does not take: 403, never 401 (git-lfs#2658).
    const cred = gitCredential(req.headers.authorization);
    if (!cred || cred === "gone") return send(403, { message: LFS_MESSAGES.forbidden });
    const text = await readBody(req, 1024 * 1024);
    if (rest !== "objects/batch" || req.method !== "POST") {
      return send(404, { message: MESSAGES.notFound });
    }
    const batch = text === undefined ? undefined : parseBatch(text);
    if (!batch) return send(422, { message: LFS_MESSAGES.badRequest });
    const need =
      GIT_SERVICES[batch.operation === "upload" ? "git-receive-pack" : "git-upload-pack"];
    if (!holds(cred, need)) return send(403, { message: LFS_MESSAGES.missingScope });
    const repo = repos.get(fullName);
    const level = repo && repoLevel(cred, repo);
    if (!repo || !level) return send(404, { message: LFS_MESSAGES.notFound });
    const href = (key: string) => (oid: string) => `${pub.media}/lfs/${key}/${oid}`;
    if (batch.operation === "upload") {
      if (RANK[level] < RANK.write) return send(403, { message: LFS_MESSAGES.noWrite });
      const key = mediaKeys.issue(repo.fullName, "upload", batch.objects);
      return send(200, uploadAnswer(batch, repo.lfs, href(key)));
    }
    const stored = batch.objects.filter((o) => repo.lfs.has(o.oid));
    const key = mediaKeys.issue(repo.fullName, "download", stored);
    send(200, downloadAnswer(batch, repo.lfs, href(key)));
  }

  /**
   * The media host: GET/HEAD /lfs/<key>/<oid> with a key from a download batch answer, PUT with
   * one from an upload answer (kept when sha256 and size match); anything else 404.
   */
  async function handleMedia(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/lfs\/([\w-]+)\/([0-9a-f]{64})$/.exec(new URL(req.url ?? "/", mediaUrl).pathname);
    const [key, oid] = m ? [m[1], m[2]] : ["", ""];
    if (m && req.method === "PUT") {
      const grant = mediaKeys.check(key, "upload", oid);
      const repo = grant && repos.get(grant.repo);
      if (!grant || !repo) return sendText(res, 404, "Not Found\n");
      const data = await readBytes(req, grant.size);
      if (!data || !matchesObject(data, oid, grant.size)) {
        return sendText(res, 400, "The content does not match the object id and size\n");
      }
      repo.lfs.set(oid, data);
      return sendText(res, 200, "");
    }
    const readable = req.method === "GET" || req.method === "HEAD";
    const grant = readable ? mediaKeys.check(key, "download", oid) : undefined;
    const data = grant && repos.get(grant.repo)?.lfs.get(oid);
    if (!data) return sendText(res, 404, "Not Found\n");
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": data.length,
    });
    res.end(req.method === "HEAD" ? undefined : data);
  }

  /** Runs git http-backend as a CGI: request body to stdin, `Status:` and headers parsed from stdout. */
  function runHttpBackend(
    req: IncomingMessage,
    res: ServerResponse,
    pathInfo: string,
    query: string,
    user: string,
  ): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...gitEnv,
      GIT_PROJECT_ROOT: reposDir,
      GIT_HTTP_EXPORT_ALL: "1",
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REMOTE_USER: user, // receive-pack is only enabled for authenticated users
      REMOTE_ADDR: "127.0.0.1",
    };
    const optional: Record<string, string | undefined> = {
      CONTENT_TYPE: req.headers["content-type"],
      CONTENT_LENGTH: req.headers["content-length"],
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"],
      GIT_PROTOCOL: req.headers["git-protocol"] as string | undefined,
    };
    for (const [name, value] of Object.entries(optional)) if (value) env[name] = value;

    return new Promise((resolve) => {
      const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
      children.add(child);
      child.stdin.on("error", () => {}); // the backend may exit before reading everything
      req.pipe(child.stdin);
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      let head: Buffer = Buffer.alloc(0);
      let headersDone = false;
      child.stdout.on("data", (chunk: Buffer) => {
        if (headersDone) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const text = head.toString("latin1"); // one char per byte: indexes stay byte offsets
        const blank = /\r?\n\r?\n/.exec(text);
        if (!blank) return;
        let status = 200;
        const headers: OutgoingHttpHeaders = {};
        for (const line of text.slice(0, blank.index).split(/\r?\n/)) {
          const colon = line.indexOf(":");
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (/^status$/i.test(name)) status = Number.parseInt(value, 10);
          else headers[name.toLowerCase()] = value;
        }
        headersDone = true;
        res.writeHead(status, headers);
        res.write(head.subarray(blank.index + blank[0].length));
      });
      child.on("close", () => {
        children.delete(child);
        if (!headersDone) sendText(res, 500, `git http-backend failed: ${stderr}\n`);
        else res.end();
        resolve();
      });
    });
  }

  // ---- the object tests hold ------------------------------------------------------------------

  return {
    apiUrl,
    gitUrl,
    mediaUrl,
    publicUrls: pub,
    requests,
    connections,
    resetConnections() {
      for (const count of Object.values(connections)) count.peak = count.open;
    },
    setNearLimit(near) {
      nearLimit = near;
    },
    addAccount({ email, username, displayName }) {
      const account: Account = {
        uuid: `{${randomUUID()}}`,
        accountId: `712020:${randomUUID()}`,
        email,
        username,
        displayName: displayName ?? username,
      };
      return account;
    },
    addRepository,
    grant(account, target, level) {
      if (target.includes("/")) existingRepo(target).members.set(account.uuid, level);
      else workspace(target).members.set(account.uuid, level);
    },
    issueApiToken(account, { scopes, expired = false, classic = false }) {
      return issue(atlassianToken("ATATT3xFfGF0"), {
        kind: "api_token",
        account,
        scopes: classic ? [] : [...scopes],
        expired,
        classic,
        revoked: false,
      });
    },
    issueAccessToken,
    issueAppPassword(account) {
      const password = `ATBB${Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join("")}`;
      return issue(password, { kind: "app_password", account, revoked: false });
    },
    revoke(token) {
      const cred = credentials.get(token);
      if (!cred) throw new Error("revoke: unknown token");
      cred.revoked = true;
    },
    setDelay(ms) {
      delay = ms;
    },
    inject(match, fault) {
      faults.push({ match, left: match.times ?? 1, fault });
    },
    clearRequests() {
      requests.length = 0;
    },
    async close() {
      for (const child of children) child.kill("SIGKILL");
      const closed = servers.map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      for (const server of servers) server.closeAllConnections();
      await Promise.all(closed);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
