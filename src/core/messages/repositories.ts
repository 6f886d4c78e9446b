/** Repositories: what git (and, to explain a refusal, the REST API) said about each one. */
import { message } from "./define.ts";

type Doing = "read (clone or fetch)" | "push to";

export const REPOSITORY_MESSAGES = {
  "repository-not-found": message({
    group: "repositories",
    about: "repositories",
    text: (p: { name: string }) =>
      `${p.name}: Bitbucket answered 404 to reading it; it does not exist, or the token's account has no access to it (Bitbucket answers 404 for both).`,
    fix: (p, r) =>
      `Check the spelling of ${p.name} in ${r.input("repositories")} (workspace/repo-slug as in its URL), and that the account has at least read access to it.`,
    example: { name: "acme/app" },
  }),
  "not-a-member": message({
    group: "repositories",
    about: "repositories",
    text: (p: { email: string; workspace: string }) =>
      `The token's account (${p.email}) is not a member of workspace ${p.workspace}.`,
    fix: (p) =>
      `Ask an administrator of ${p.workspace} to give the account access, or use a token of an account that has it.`,
    example: { email: "you@example.com", workspace: "acme" },
  }),
  "git-denied": message({
    group: "repositories",
    about: "repositories",
    text: (p: { name: string; doing: Doing }) =>
      `${p.name}: the token's account may not ${p.doing} this repository over git (403).`,
    fix: (p, r) =>
      `Give the account ${p.doing === "push to" ? "write" : "read"} access to ${p.name}, or remove it from ${r.input("repositories")}${p.doing === "push to" ? ` (or write:repository:bitbucket from ${r.input("required-scopes")} if this job never pushes)` : ""}.`,
    example: { name: "acme/app", doing: "push to" },
  }),
  "git-refused": message({
    group: "repositories",
    about: "api-token",
    text: (p: {
      name: string;
      host: string;
      username: string;
      status: number;
      kind: "api-token" | "access-token";
    }) =>
      `${p.name}: git over HTTPS (${p.host}) refused the token with username ${p.username} (${p.status}), although the REST API accepted it.`,
    fix: (p) =>
      p.kind === "api-token"
        ? `Check that ${p.username} is the git username in use (never the email), then create a new API token with read:repository:bitbucket (and write:repository:bitbucket to push) and update the CI secret.`
        : "Create a new access token with the repository (and repository:write to push) scopes for this repository, and update the CI secret.",
    example: {
      name: "acme/app",
      host: "bitbucket.org",
      username: "x-bitbucket-api-token-auth",
      status: 401,
      kind: "api-token",
    },
  }),
  "git-status": message({
    group: "repositories",
    about: "git-url",
    text: (p: { name: string; host: string; status: number; doing: Doing; origin: string }) =>
      `${p.name}: git over HTTPS (${p.host}) answered ${p.status} when asked to ${p.doing} it.`,
    fix: (p, r) =>
      `Check that ${p.name} exists at ${p.origin} and that ${r.input("git-url")} is right.`,
    example: {
      name: "acme/app",
      host: "bitbucket.org",
      status: 500,
      doing: "read (clone or fetch)",
      origin: "https://bitbucket.org",
    },
  }),
};
