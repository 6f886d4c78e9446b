/**
 * The request plan. A successful check costs one REST request whatever the number of
 * repositories: `GET /user` proves who the token belongs to and (in x-oauth-scopes) what it may
 * do, and git's own advertisements, sent with git's username, prove read and push per
 * repository. An access token is not a user: with a repository to prove, its one REST request
 * is that repository's, which carries the same scope headers and, unlike /user, Bitbucket's
 * rate-limit headers. The REST API is asked about other repositories only to explain a git
 * refusal (missing vs forbidden), in a second round that a fit token never needs.
 */

import { parseScopeHeader, toGranular } from "../inputs/scopes.ts";
import type { Repository, Settings } from "../inputs/settings.ts";
import type { BitbucketClient, BitbucketResponse } from "./client.ts";

export interface RepositoryResponses {
  repository: Repository;
  /** The upload-pack advertisement: clone and fetch. */
  read: BitbucketResponse;
  /** The receive-pack advertisement, when push is required. */
  write?: BitbucketResponse;
  /** GET /repositories/{ws}/{slug}, only to explain a refusal. */
  rest?: BitbucketResponse;
  /** GET /user/workspaces/{ws}/permission, only to explain a 404 (API tokens). */
  membership?: BitbucketResponse;
}

export interface Responses {
  /** The one REST request of every run: GET /user, or an access token's first repository. */
  identity: { path: string; response: BitbucketResponse };
  repositories: RepositoryResponses[];
}

/** Where the run's one REST request goes. */
export function identityPath(settings: Settings): string {
  const [first] = settings.repositories;
  return settings.credential.kind === "access-token" && first
    ? `/repositories/${first.workspace}/${first.slug}`
    : "/user";
}

export const WRITE_SCOPE = "write:repository:bitbucket";
export const READ_SCOPE = "read:repository:bitbucket";

export const wantsWrite = (settings: Settings): boolean =>
  toGranular(settings.requiredScopes).has(WRITE_SCOPE);

export async function ask(settings: Settings, client: BitbucketClient): Promise<Responses> {
  const write = wantsWrite(settings);
  const path = identityPath(settings);
  const [identity, repositories] = await Promise.all([
    client.rest(path),
    Promise.all(
      settings.repositories.map(async (repository): Promise<RepositoryResponses> => {
        const [read, pushed] = await Promise.all([
          client.git(repository, "git-upload-pack"),
          write ? client.git(repository, "git-receive-pack") : undefined,
        ]);
        return { repository, read, write: pushed };
      }),
    ),
  ]);
  if (path !== "/user") repositories[0].rest = identity;
  const answers: Responses = { identity: { path, response: identity }, repositories };
  const { explain, workspaces } = followUps(settings, answers);
  await Promise.all([
    ...explain.map(async (entry) => {
      const { workspace, slug } = entry.repository;
      entry.rest = await client.rest(`/repositories/${workspace}/${slug}`);
    }),
    ...workspaces.map(async (workspace) => {
      const membership = await client.rest(`/user/workspaces/${workspace}/permission`);
      for (const entry of repositories)
        if (entry.repository.workspace === workspace) entry.membership = membership;
    }),
  ]);
  return answers;
}

/**
 * What the first round leaves unexplained: each repository git refused for a reason other than
 * the credential itself, and (for API tokens that may read workspaces) the workspaces of those
 * git answered 404 for. When the first answer gave no scopes (an access token answered 401 on
 * /user), the first repository is asked too: its answer carries them.
 */
export function followUps(
  settings: Settings,
  answers: Responses,
): { explain: RepositoryResponses[]; workspaces: string[] } {
  const refused = (a: BitbucketResponse | undefined) =>
    a !== undefined && a.status !== 200 && a.status !== 401 && a.status !== 410;
  const unexplained = (r: RepositoryResponses) => r.rest === undefined;
  const explain = answers.repositories.filter(
    (r) => unexplained(r) && (refused(r.read) || refused(r.write)),
  );
  const scopes = answers.identity.response.headers["x-oauth-scopes"];
  const [first] = answers.repositories;
  if (scopes === undefined && first && unexplained(first) && !explain.includes(first))
    explain.unshift(first);
  const granted = toGranular(parseScopeHeader(scopes));
  const workspaces =
    settings.credential.kind === "api-token" && granted.has("read:workspace:bitbucket")
      ? [
          ...new Set(
            answers.repositories
              .filter((r) => r.read.status === 404)
              .map((r) => r.repository.workspace),
          ),
        ]
      : [];
  return { explain, workspaces };
}
