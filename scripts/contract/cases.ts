/**
 * The cases the live check asks of both Bitbucket and the emulator: the requests the step makes
 * (GET /user, git's upload-pack and receive-pack advertisements per repository, and the REST
 * questions asked to explain a refusal), plus failures that are safe to provoke: a wrong token,
 * an API token sent as Bearer, the email as git's username, a repository and a workspace that do
 * not exist. Every request is a GET of an answer; receive-pack is asked for its advertisement
 * only, so nothing can be written.
 *
 * Each case goes through the product's own BitbucketClient (src/core/bitbucket/client.ts), so
 * Basic/Bearer, git's usernames, no redirects, retries and the body cap are the step's.
 */
import { randomBytes } from "node:crypto";
import {
  BitbucketClient,
  type BitbucketResponse,
  type GitService,
} from "../../src/core/bitbucket/client.ts";
import type { RawResponse, SendOptions, Transport } from "../../src/core/bitbucket/transport.ts";
import {
  ACCESS_TOKEN_GIT_USERNAME,
  type Credential,
  credentialFor,
} from "../../src/core/inputs/credential.ts";
import type { Repository, Settings } from "../../src/core/inputs/settings.ts";
import { render } from "../../src/core/messages/index.ts";
import { Failure } from "../../src/core/outcome.ts";
import { rendererFor } from "../../src/core/render/renderer.ts";
import type { Observation } from "./compare.ts";

export type Subject = "api" | "access";
/** right: as the step sends it. The others are mistakes Bitbucket must refuse. */
export type Variant = "right" | "wrong-token" | "as-bearer" | "email-as-git-username";

export type Request =
  | { kind: "rest"; path: string }
  | { kind: "git"; repository: Repository; service: GitService };

export interface Case {
  name: string;
  subject: Subject;
  variant: Variant;
  request: Request;
  /** Index into the given repositories, for reading the world from the answers. */
  repository?: number;
  /** Index into the given repositories' workspaces. */
  workspace?: number;
}

/** The tokens one side uses: Bitbucket's real ones, or the emulator's own. */
export interface SideCredentials {
  api?: { email: string; token: string };
  access?: { token: string };
}

export interface Side {
  apiUrl: URL;
  gitUrl: URL;
  credentials: SideCredentials;
  transport: Transport;
  timeoutMs: number;
  retries: number;
}

export interface Plan {
  cases: Case[];
  repositories: Repository[];
  workspaces: string[];
  missing: Repository;
  missingWorkspace: string;
  /** Fakes in Atlassian's format, known to neither side. */
  wrongTokens: { api: string; access: string };
}

/** `prefix` + 171 base64url characters + `=` + 8 hex: 192 characters, like a real token. */
export function fakeToken(prefix: "ATATT3xFfGF0" | "ATCTT3xFfGN0"): string {
  const body = randomBytes(160)
    .toString("base64url")
    .slice(0, 192 - prefix.length - 9);
  return `${prefix}${body}=${randomBytes(4).toString("hex").toUpperCase()}`;
}

export function planCases(
  subjects: { api: boolean; access: boolean },
  repositories: Repository[],
): Plan {
  const workspaces = [...new Set(repositories.map((r) => r.workspace))];
  const suffix = randomBytes(4).toString("hex");
  const missingWorkspace = `contract-live-nowhere-${suffix}`;
  const home = workspaces[0] ?? missingWorkspace;
  const slug = `contract-live-missing-${suffix}`;
  const missing = { workspace: home, slug, fullName: `${home}/${slug}` };
  const rest = (path: string): Request => ({ kind: "rest", path });
  const git = (repository: Repository, service: GitService): Request => ({
    kind: "git",
    repository,
    service,
  });
  const cases: Case[] = [];
  for (const subject of (["api", "access"] as const).filter((s) => subjects[s])) {
    const add = (label: string, request: Request, more: Partial<Case> = {}) =>
      cases.push({ name: `${subject}: ${label}`, subject, variant: "right", request, ...more });
    add("GET /user", rest("/user"));
    for (const [i, r] of repositories.entries()) {
      const n = { repository: i };
      add(`git upload-pack, repo ${i + 1}`, git(r, "git-upload-pack"), n);
      add(`git receive-pack, repo ${i + 1}`, git(r, "git-receive-pack"), n);
      add(`GET repository, repo ${i + 1}`, rest(`/repositories/${r.workspace}/${r.slug}`), n);
    }
    // Asked by the step (API tokens only) to explain a 404: member of the workspace or not.
    if (subject === "api") {
      for (const [i, ws] of workspaces.entries())
        add(`GET permission, workspace ${i + 1}`, rest(`/user/workspaces/${ws}/permission`), {
          workspace: i,
        });
      const nowhere = rest(`/user/workspaces/${missingWorkspace}/permission`);
      add("GET permission, missing workspace", nowhere);
    }
    add("git upload-pack, missing repo", git(missing, "git-upload-pack"));
    add("GET repository, missing repo", rest(`/repositories/${missing.workspace}/${slug}`));
    const target = repositories[0] ?? missing;
    const label = repositories[0] ? "repo 1" : "missing repo";
    add("GET /user, wrong token", rest("/user"), { variant: "wrong-token" });
    add(`git upload-pack, ${label}, wrong token`, git(target, "git-upload-pack"), {
      variant: "wrong-token",
    });
    if (subject === "api") {
      add("GET /user, API token as Bearer", rest("/user"), { variant: "as-bearer" });
      add(`git upload-pack, ${label}, email as username`, git(target, "git-upload-pack"), {
        variant: "email-as-git-username",
      });
    }
  }
  return {
    cases,
    repositories,
    workspaces,
    missing,
    missingWorkspace,
    wrongTokens: { api: fakeToken("ATATT3xFfGF0"), access: fakeToken("ATCTT3xFfGN0") },
  };
}

/** The credential a case sends on one side, in the product's own form. */
export function credentialOf(c: Case, side: SideCredentials, plan: Plan): Credential {
  if (c.subject === "access") {
    const token = c.variant === "wrong-token" ? plan.wrongTokens.access : side.access?.token;
    return credentialFor(token ?? "", undefined);
  }
  const { email, token } = side.api ?? { email: "", token: "" };
  switch (c.variant) {
    case "wrong-token":
      return credentialFor(plan.wrongTokens.api, email);
    case "as-bearer":
      return { kind: "access-token", token, gitUsername: ACCESS_TOKEN_GIT_USERNAME };
    case "email-as-git-username":
      return { ...credentialFor(token, email), gitUsername: email };
    default:
      return credentialFor(token, email);
  }
}

/** Asks every case of the plan of one side, one after another (gentle on a real rate limit). */
export async function askAll(
  plan: Plan,
  side: Side,
  options: { stopWhenUnreachable?: boolean } = {},
): Promise<Observation[]> {
  const observations: Observation[] = [];
  for (const c of plan.cases) {
    const observation = await ask(c, side, plan);
    observations.push(observation);
    if (options.stopWhenUnreachable && observation.kind === "failed" && observation.unreachable)
      break;
  }
  return observations;
}

async function ask(c: Case, side: Side, plan: Plan): Promise<Observation> {
  let last: RawResponse | undefined;
  const recording: Transport = {
    send: async (url: string, options: SendOptions) => {
      last = await side.transport.send(url, options);
      return last;
    },
    close: async () => {}, // the side's transport outlives each case
  };
  const settings: Settings = {
    credential: credentialOf(c, side.credentials, plan),
    requiredScopes: [],
    repositories: [],
    expiryWarningDays: 14,
    configureGit: false,
    rewriteSshUrls: false,
    credentialFiles: [],
    apiUrl: side.apiUrl,
    gitUrl: side.gitUrl,
    timeoutMs: side.timeoutMs,
    retries: side.retries,
  };
  const client = new BitbucketClient(settings, { transport: recording });
  try {
    const response: BitbucketResponse =
      c.request.kind === "rest"
        ? await client.rest(c.request.path)
        : await client.git(c.request.repository, c.request.service);
    const text = c.request.kind === "rest" ? last?.body.toString("utf8") : undefined;
    return { kind: "answer", response, text };
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const renderer = rendererFor("command", "plain");
    const reason = error.problems.map((p) => render(p, renderer).text).join(" ");
    return { kind: "failed", reason, unreachable: error.verdict === "unreachable" };
  } finally {
    await client.close();
  }
}
