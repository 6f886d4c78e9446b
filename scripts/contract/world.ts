/**
 * The emulator's world, read from Bitbucket's answers: what the real tokens hold (x-oauth-scopes,
 * or a 403's detail.granted), what kind of access token it is (x-credential-type), and what git
 * let each token do with each repository. Only then is the emulator asked the same cases, so
 * that what is compared is how each side answers, not what the real account happens to own.
 */
import { grantedScopes, tokenKind } from "../../src/core/bitbucket/read.ts";
import { parseScopeHeader } from "../../src/core/inputs/scopes.ts";
import type { Bitbucket, Level } from "../../test/emulator/bitbucket.ts";
import type { Case, Plan, SideCredentials, Subject } from "./cases.ts";
import type { Observation } from "./compare.ts";

export const EMULATOR_EMAIL = "live-check@example.com";
const PLACEHOLDER = "contract-live-placeholder";
type AccessKind = "repository" | "project" | "workspace";

export interface WorldFacts {
  api?: { scopes: string[]; refused: boolean; levels: (Level | undefined)[]; member: boolean[] };
  access?: { scopes: string[]; refused: boolean; kind: AccessKind; covered: boolean[] };
  /** Per repository: Bitbucket said is_private false. */
  public: boolean[];
}

type Answered = { c: Case; o: Extract<Observation, { kind: "answer" }> };

export function readFacts(plan: Plan, live: Observation[]): WorldFacts {
  const answered: Answered[] = plan.cases.flatMap((c, i) => {
    const o = live[i];
    return o?.kind === "answer" && c.variant === "right" ? [{ c, o }] : [];
  });
  const of = (subject: Subject) => answered.filter((a) => a.c.subject === subject);
  const status = (subject: Subject, test: (c: Case) => boolean) =>
    of(subject).find((a) => test(a.c))?.o.response.status;
  const gitStatus = (subject: Subject, i: number, service: string) =>
    status(
      subject,
      (c) => c.repository === i && c.request.kind === "git" && c.request.service === service,
    );
  const isUser = (c: Case) => c.request.kind === "rest" && c.request.path === "/user";
  const scopesOf = (subject: Subject) => {
    const answers = of(subject).map((a) => a.o.response);
    // The /user answer's order first, then whatever other answers added. Lenient on purpose:
    // names separated by spaces still build the right world; the comparison flags the spaces.
    const first = parseScopeHeader(answers[0]?.headers["x-oauth-scopes"]);
    const names = [...first, ...(grantedScopes(answers) ?? [])].flatMap((s) => s.split(/\s+/));
    return [...new Set(names)];
  };
  const repositories = plan.repositories.map((_, i) => i);
  const facts: WorldFacts = {
    public: repositories.map((i) =>
      answered.some(
        ({ c, o }) =>
          c.repository === i &&
          c.request.kind === "rest" &&
          o.response.status === 200 &&
          (o.response.json as { is_private?: unknown } | undefined)?.is_private === false,
      ),
    ),
  };
  if (plan.cases.some((c) => c.subject === "api")) {
    facts.api = {
      scopes: scopesOf("api"),
      refused: status("api", isUser) === 401,
      levels: repositories.map((i): Level | undefined => {
        if (gitStatus("api", i, "git-receive-pack") === 200) return "write";
        const read = gitStatus("api", i, "git-upload-pack");
        // 403 on upload-pack is a missing scope, which git checks first: any level answers alike.
        return read === 200 || read === 403 ? "read" : undefined;
      }),
      member: plan.workspaces.map(
        (_, i) => status("api", (c) => c.workspace === i && c.request.kind === "rest") === 200,
      ),
    };
  }
  if (plan.cases.some((c) => c.subject === "access")) {
    const kind = tokenKind(
      of("access").map((a) => a.o.response),
      "access-token",
    );
    facts.access = {
      scopes: scopesOf("access"),
      refused: status("access", isUser) === 401,
      kind:
        kind === "project-access-token"
          ? "project"
          : kind === "workspace-access-token"
            ? "workspace"
            : "repository",
      covered: repositories.map((i) => gitStatus("access", i, "git-upload-pack") === 200),
    };
  }
  return facts;
}

/** Fills a fresh emulator with the equivalent world; returns the emulator's own credentials. */
export function buildWorld(bb: Bitbucket, plan: Plan, facts: WorldFacts): SideCredentials {
  const covered = plan.repositories.filter((_, i) => facts.access?.covered[i]);
  const inProject = (i: number) => facts.access?.kind === "project" && facts.access.covered[i];
  plan.repositories.forEach((r, i) => {
    bb.addRepository(r.fullName, {
      private: !facts.public[i],
      project: inProject(i) ? "LIVE" : "PROJ",
    });
  });
  const credentials: SideCredentials = {};

  if (facts.api) {
    const account = bb.addAccount({ email: EMULATOR_EMAIL, username: "live-check" });
    plan.repositories.forEach((r, i) => {
      const level = facts.api?.levels[i];
      // Reading a public repository says nothing about membership: no grant for it.
      if (level && !(level === "read" && facts.public[i])) bb.grant(account, r.fullName, level);
    });
    // A member of a workspace where none of the named repositories is readable.
    plan.workspaces.forEach((ws, i) => {
      const hasRepository = plan.repositories.some(
        (r, j) => r.workspace === ws && facts.api?.levels[j] && !facts.public[j],
      );
      if (facts.api?.member[i] && !hasRepository) {
        bb.addRepository(`${ws}/${PLACEHOLDER}`);
        bb.grant(account, `${ws}/${PLACEHOLDER}`, "read");
      }
    });
    const token = bb.issueApiToken(account, { scopes: facts.api.scopes });
    if (facts.api.refused) bb.revoke(token);
    credentials.api = { email: EMULATOR_EMAIL, token };
  }

  if (facts.access) {
    const { kind, refused } = facts.access;
    let first = covered[0]?.fullName;
    if (!first) {
      first = `${PLACEHOLDER}/${PLACEHOLDER}`;
      bb.addRepository(first, { project: "LIVE" });
    }
    const workspace = first.split("/")[0];
    const target =
      kind === "repository" ? first : kind === "project" ? `${workspace}/LIVE` : workspace;
    // Access tokens cannot hold user scopes; if Bitbucket reported one, the scope rows show it.
    const scopes = facts.access.scopes.filter((s) => s !== "account" && s !== "email");
    const token = bb.issueAccessToken({ kind, target, scopes });
    if (refused) bb.revoke(token);
    credentials.access = { token };
  }
  return credentials;
}
