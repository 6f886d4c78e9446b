/** Setting up git for the rest of the job, and proving through git itself that it works. */
import type { Renderer } from "../render/renderer.ts";
import { message } from "./define.ts";

const CHECK_ONLY = (r: Renderer) =>
  r.frontEnd === "action"
    ? `or set ${r.input("configure-git")} to false to only check the token`
    : "or run `bitbucket-auth check` to only check the token";

export const GIT_MESSAGES = {
  "temp-inside-workspace": message({
    group: "git",
    about: "temp directory",
    text: (p: { tempDir: string; workspace: string }, r) =>
      `The temp directory ${r.untrusted(p.tempDir)} is inside the workspace ${r.untrusted(p.workspace)}; the credential file must live outside it.`,
    fix: (_, r) =>
      r.frontEnd === "action"
        ? "Run the step with RUNNER_TEMP pointing outside the checkout, as runners do by default."
        : "Run the command with TMPDIR pointing outside the clone directory, as Pipelines does by default.",
    example: { tempDir: "/work/repo/tmp", workspace: "/work/repo" },
  }),
  "git-missing": message({
    group: "git",
    about: "git",
    text: (p: { reason: string }, r) =>
      `git is needed to set up credentials for later steps, and it could not be run: ${r.untrusted(p.reason)}.`,
    fix: (_, r) => `Install git (2.13 or later) before this step, ${CHECK_ONLY(r)}.`,
    example: { reason: "Unable to locate executable file: git" },
  }),
  "git-too-old": message({
    group: "git",
    about: "git",
    text: (p: { version: string; minimum: string }) =>
      `git ${p.version} is too old to keep the credential on the git host (it needs ${p.minimum} or later).`,
    fix: (_, r) => `Install a newer git before this step, ${CHECK_ONLY(r)}.`,
    example: { version: "2.11.0", minimum: "2.13.0" },
  }),
  "git-timeout": message({
    group: "git",
    about: "git",
    text: (p: { command: string; seconds: number }) =>
      `${p.command} did not finish within ${p.seconds} seconds; nothing was left configured.`,
    fix: (_, r) =>
      `Check that this machine reaches the git host (proxy settings are taken from the environment, as for every git command), or raise ${r.input("timeout-seconds")}.`,
    example: { command: "git ls-remote", seconds: 35 },
  }),
  "git-config-unparsable": message({
    group: "git",
    about: "git config",
    text: (p: { reason: string }, r) =>
      `git cannot read its configuration: ${r.untrusted(p.reason)}. Nothing was configured.`,
    fix: () =>
      "Fix the file and line git names (`git config --list --show-origin` shows every file git reads).",
    example: { reason: "fatal: bad config line 3 in file /home/runner/.gitconfig" },
  }),
  "git-config-locked": message({
    group: "git",
    about: "git config",
    text: (p: { file: string; lock: string }, r) =>
      `The git config ${r.untrusted(p.file)} is locked (${r.untrusted(p.lock)} exists): another git command is changing it, or one was killed while doing so. Nothing was changed.`,
    fix: () =>
      "Run the step again once the other command is done; if no git command is running, delete the .lock file.",
    example: { file: "/home/runner/.gitconfig", lock: "/home/runner/.gitconfig.lock" },
  }),
  "git-config-not-a-file": message({
    group: "git",
    about: "git config",
    text: (p: { file: string }, r) =>
      `The global git config ${r.untrusted(p.file)} is not a regular file (GIT_CONFIG_GLOBAL=/dev/null?), so nothing can be included from it.`,
    fix: () =>
      "Unset GIT_CONFIG_GLOBAL for this command, or point it at a file (it may not exist yet).",
    example: { file: "/dev/null" },
  }),
  "git-url-rewritten": message({
    group: "git",
    about: "git config",
    text: (p: { url: string; to: string; prefix: string; file: string }, r) =>
      `${r.untrusted(p.file)} sets url."${r.untrusted(p.to)}".insteadOf "${r.untrusted(p.prefix)}": git would fetch ${r.untrusted(p.url)} from ${r.untrusted(p.to)}… and never use the credential. Nothing was left configured.`,
    fix: () =>
      "Remove that rewrite for CI (e.g. `git config --global --unset-all url.<…>.insteadOf`), or run the job where it is not set; git@ URLs can go over HTTPS with rewrite-ssh-urls instead.",
    example: {
      url: "https://bitbucket.org/acme/app.git",
      to: "git@bitbucket.org:",
      prefix: "https://bitbucket.org/",
      file: "/home/runner/.gitconfig",
    },
  }),
  "git-push-rewritten": message({
    group: "git",
    about: "git config",
    text: (p: { url: string; to: string; prefix: string; file: string }, r) =>
      `${r.untrusted(p.file)} sets url."${r.untrusted(p.to)}".pushInsteadOf "${r.untrusted(p.prefix)}": git push sends to ${r.untrusted(p.to)}… without the credential (fetching uses it).`,
    fix: () => "Remove that rewrite for CI if the job pushes over HTTPS.",
    example: {
      url: "https://bitbucket.org/acme/app.git",
      to: "git@bitbucket.org:",
      prefix: "https://bitbucket.org/",
      file: "/home/runner/.gitconfig",
    },
  }),
  "git-proof-failed": message({
    group: "git",
    about: "git",
    text: (p: { url: string; reason: string }, r) =>
      `git could not read ${r.untrusted(p.url)} with the credential just configured: ${r.untrusted(p.reason)}. Nothing was left configured.`,
    fix: () =>
      "The token itself was proven; look at what differs for git on this machine: its proxy settings, an `http.*` setting in the global or system git config, or a network rule for git.",
    example: {
      url: "https://bitbucket.org/acme/app.git",
      reason:
        "fatal: unable to access 'https://bitbucket.org/acme/app.git/': Could not resolve proxy: proxy.internal",
    },
  }),
  "credentials-replaced": message({
    group: "git",
    about: "git",
    text: (p: { count: number; scope: string }, r) =>
      `${p.count} earlier git credential(s) of this tool also cover ${r.untrusted(p.scope)}: git now sends this one there, set up later; each is removed by its own cleanup.`,
    example: { count: 1, scope: "https://bitbucket.org/" },
  }),
  "repository-token-host-wide": message({
    group: "git",
    about: "repositories",
    text: (_, r) =>
      `This repository access token is configured for the whole git host, because ${r.input("repositories")} names no repository; a second token in this job would replace it there.`,
    fix: (_, r) =>
      `Name the token's repository in ${r.input("repositories")}: the credential then applies to that repository only, and tokens for other repositories can be set up beside it.`,
    example: {},
  }),
};
