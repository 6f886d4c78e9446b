/** Inputs: every problem found before any request, each naming where the user set the value. */
import { capitalise as cap } from "../render/renderer.ts";
import { count, list, message, typed } from "./define.ts";

export const INPUT_MESSAGES = {
  "token-empty": message({
    group: "inputs",
    about: "api-token",
    text: (_, r) => `${cap(r.input("api-token"))} is empty or not set.`,
    fix: (_, r) => {
      if (r.frontEnd === "action")
        // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow syntax, shown to the user
        return "Pass the token from a secret, e.g. `api-token: ${{ secrets.BITBUCKET_API_TOKEN }}`. Secrets are empty in pull requests from forks and when the secret name is misspelt.";
      if (r.frontEnd === "pipe")
        return "Pass it to the pipe from a secured variable: `BITBUCKET_API_TOKEN: $BITBUCKET_API_TOKEN` under the pipe's `variables:`. Secured variables are empty in builds of pull requests from forks and when the name is misspelt.";
      if (r.input("api-token").includes("standard input"))
        return "Pipe the token in, e.g. `bitbucket-auth check --token-stdin < token.txt`.";
      return "Set BITBUCKET_API_TOKEN (in Bitbucket Pipelines, a secured repository or workspace variable), or pipe the token in with --token-stdin. Secured variables are empty in builds of pull requests from forks and when the name is misspelt.";
    },
    example: {},
  }),
  "token-whitespace": message({
    group: "inputs",
    about: "api-token",
    text: (_, r) => `${cap(r.input("api-token"))} contains whitespace inside the token.`,
    fix: () => "Copy the token again in one piece; a token never contains spaces or line breaks.",
    example: {},
  }),
  "token-characters": message({
    group: "inputs",
    about: "api-token",
    text: (_, r) => `${cap(r.input("api-token"))} contains characters a token never has.`,
    fix: () =>
      "Copy the token again from the page that showed it, without quotes or typographic characters.",
    example: {},
  }),
  "token-too-short": message({
    group: "inputs",
    about: "api-token",
    text: (p: { length: number }, r) =>
      `${cap(r.input("api-token"))} is ${count(p.length, "character")} long: too short to be a Bitbucket token (API tokens and access tokens have about 190).`,
    fix: () =>
      "Copy the whole token from where you saved it when it was created (Bitbucket shows it only once); if it is lost, create a new one.",
    example: { length: 5 },
  }),
  "email-invalid": message({
    group: "inputs",
    about: "email",
    text: (p: { value: string }, r) =>
      `${cap(r.input("email"))} (${typed(p.value)}) is not an email address.`,
    fix: () =>
      "Give the email address of your Atlassian account (not your Bitbucket username: git's username is set for you).",
    example: { value: "alice" },
  }),
  "email-with-access-token": message({
    group: "inputs",
    about: "email",
    text: (_, r) =>
      `${cap(r.input("email"))} is set, but ${r.input("api-token")} looks like a repository, project or workspace access token.`,
    fix: (_, r) =>
      `Leave ${r.input("email")} empty for access tokens; only Atlassian API tokens are paired with an email.`,
    example: {},
  }),
  "email-missing": message({
    group: "inputs",
    about: "email",
    text: (_, r) =>
      `${cap(r.input("email"))} is empty, but ${r.input("api-token")} looks like an Atlassian API token.`,
    fix: (_, r) =>
      `Set ${r.input("email")} to the Atlassian account email the token belongs to; Bitbucket's REST API refuses API tokens without it.`,
    example: {},
  }),
  "scopes-unknown": message({
    group: "inputs",
    about: "required-scopes",
    text: (p: { unknown: { name: string; suggestion?: string }[] }, r) =>
      `${cap(r.input("required-scopes"))} names ${p.unknown.length === 1 ? "an unknown scope" : "unknown scopes"}: ${list(
        p.unknown.map(
          (u) => `${typed(u.name)}${u.suggestion ? ` (did you mean ${u.suggestion}?)` : ""}`,
        ),
      )}.`,
    fix: () =>
      "Use Bitbucket's scope names, e.g. read:repository:bitbucket write:repository:bitbucket (API tokens) or repository repository:write (access tokens), separated by spaces, commas or newlines.",
    example: { unknown: [{ name: "read:repo", suggestion: "read:repository:bitbucket" }] },
  }),
  "repositories-malformed": message({
    group: "inputs",
    about: "repositories",
    text: (p: { entries: string[] }, r) =>
      `${cap(r.input("repositories"))} has ${p.entries.length === 1 ? "an entry that is not" : "entries that are not"} workspace/repo-slug: ${list(p.entries.map(typed))}.`,
    fix: () =>
      "Write each repository as workspace/repo-slug, e.g. acme/app (no URL, no .git), separated by spaces, commas or newlines.",
    example: { entries: ["acme"] },
  }),
  "credential-files-unknown": message({
    group: "inputs",
    about: "credential-files",
    text: (p: { entries: string[] }, r) =>
      `${cap(r.input("credential-files"))} names ${p.entries.length === 1 ? "a file kind" : "file kinds"} this step does not write: ${list(p.entries.map(typed))}.`,
    fix: (_, r) =>
      `List any of netrc and composer in ${r.input("credential-files")} (separated by spaces or commas), or leave it empty.`,
    example: { entries: ["npmrc"] },
  }),
  "credential-files-without-git": message({
    group: "inputs",
    about: "credential-files",
    text: (_, r) =>
      r.frontEnd === "action"
        ? `${cap(r.input("credential-files"))} is set, but ${r.input("configure-git")} is false: the files are written only with git's set-up, and removed with it.`
        : `${cap(r.input("credential-files"))} is given to \`bitbucket-auth check\`, which changes nothing: the files are written only by \`bitbucket-auth setup\`.`,
    fix: (_, r) =>
      r.frontEnd === "action"
        ? `Set ${r.input("configure-git")} to true, or leave ${r.input("credential-files")} empty.`
        : "Run `bitbucket-auth setup` to write them, or leave the flag out.",
    example: {},
  }),
  "expires-at-invalid": message({
    group: "inputs",
    about: "expires-at",
    text: (p: { value: string; reason: string }, r) =>
      `${cap(r.input("expires-at"))} (${typed(p.value)}) ${p.reason}.`,
    fix: () => "Write the date as YYYY-MM-DD, e.g. 2027-03-31.",
    example: {
      value: "31/03/2027",
      reason: "is not a date in the form YYYY-MM-DD or an ISO 8601 timestamp with a time zone",
    },
  }),
  "expires-at-too-far": message({
    group: "inputs",
    about: "expires-at",
    text: (p: { value: string }, r) =>
      `${cap(r.input("expires-at"))} (${typed(p.value)}) is more than a year away, but API tokens live at most 365 days.`,
    fix: () =>
      "Check the year: use the expiry date shown in your Atlassian account's API token list.",
    example: { value: "2099-01-01" },
  }),
  "number-invalid": message({
    group: "inputs",
    about: "number",
    text: (
      p: {
        input: "expiry-warning-days" | "timeout-seconds" | "retries";
        value: string;
        min: number;
        max: number;
        integer: boolean;
      },
      r,
    ) =>
      `${cap(r.input(p.input))} (${typed(p.value)}) is not ${p.integer ? "a whole number" : "a number"} from ${p.min} to ${p.max}.`,
    fix: (p, r) =>
      `Set ${r.input(p.input)} to a value in that range, or leave it out to use the default.`,
    example: { input: "expiry-warning-days", value: "two", min: 0, max: 365, integer: true },
  }),
  "boolean-invalid": message({
    group: "inputs",
    about: "boolean",
    text: (p: { input: "configure-git" | "rewrite-ssh-urls" | "cleanup"; value: string }, r) =>
      `${cap(r.input(p.input))} (${typed(p.value)}) is not true or false.`,
    fix: (p, r) => `Set ${r.input(p.input)} to true or false.`,
    example: { input: "configure-git", value: "yes" },
  }),
  "url-invalid": message({
    group: "inputs",
    about: "url",
    text: (p: { input: "api-url" | "git-url"; value: string }, r) =>
      `${cap(r.input(p.input))} (${typed(p.value)}) is not a URL.`,
    fix: (p, r) =>
      `Give a full URL like ${p.input === "api-url" ? "https://api.bitbucket.org/2.0" : "https://bitbucket.org"}, or leave ${r.input(p.input)} out to use it.`,
    example: { input: "api-url", value: "api.bitbucket.org" },
  }),
  "url-not-https": message({
    group: "inputs",
    about: "url",
    text: (p: { input: "api-url" | "git-url"; origin: string }, r) =>
      `${cap(r.input(p.input))} (${typed(p.origin)}) does not use https; the token would cross the network in clear text.`,
    fix: () => "Use an https:// URL (plain http is allowed only for loopback test servers).",
    example: { input: "api-url", origin: "http://bitbucket.example.com" },
  }),
  "url-extras": message({
    group: "inputs",
    about: "url",
    text: (p: { input: "api-url" | "git-url" }, r) =>
      `${cap(r.input(p.input))} must not contain credentials, a query or a fragment.`,
    fix: (p) =>
      `Give just the base URL, e.g. ${p.input === "api-url" ? "https://api.bitbucket.org/2.0" : "https://bitbucket.org"}.`,
    example: { input: "git-url" },
  }),
};
