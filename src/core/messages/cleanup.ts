/** Removing the credentials: the post step and `bitbucket-auth cleanup`. Removal never fails a job. */
import { message } from "./define.ts";

export const CLEANUP_MESSAGES = {
  "cleanup-disabled": message({
    group: "cleanup",
    about: "cleanup",
    text: (_, r) =>
      `Skipping cleanup: ${r.input("cleanup")} is false. The git credentials stay until RUNNER_TEMP is emptied at the end of the job (the runner does that), or until something removes them.`,
    example: {},
  }),
  "cleanup-not-configured": message({
    group: "cleanup",
    about: "cleanup",
    text: (_, r) =>
      `Skipping cleanup: the main step configured no git credentials (${r.input("configure-git")} is false, or the token was not fit).`,
    example: {},
  }),
  "cleanup-nothing-written": message({
    group: "cleanup",
    about: "cleanup",
    text: () => "Nothing to clean up: main stopped before configuring git.",
    example: {},
  }),
  "cleanup-already-gone": message({
    group: "cleanup",
    about: "cleanup",
    text: () =>
      "The git credentials this step configured were already gone: removed by hand, or RUNNER_TEMP was emptied before this post step.",
    example: {},
  }),
  "cleanup-file-gone": message({
    group: "cleanup",
    about: "cleanup",
    text: (p: { file: string }, r) =>
      `The file ${r.untrusted(p.file)} was already deleted (RUNNER_TEMP emptied before this post step?); nothing of the credential is left.`,
    example: {
      file: "/home/runner/work/_temp/bitbucket-api-token-auth-1f2e3d4c5b6a7988/credentials.gitconfig",
    },
  }),
  "cleanup-failed": message({
    group: "cleanup",
    about: "cleanup",
    text: (p: { reason: string }, r) =>
      `Could not remove the git credentials: ${r.untrusted(p.reason)}.`,
    fix: () =>
      'Remove the lines between "# bitbucket-api-token-auth … begin" and "… end" from the git config named (`git config --list --show-origin` shows it), and the bitbucket-api-token-auth-… directory of the file they include.',
    example: { reason: "EACCES: permission denied, open '/home/runner/.gitconfig'" },
  }),
  "cleanup-none-found": message({
    group: "cleanup",
    about: "cleanup",
    text: () =>
      "Nothing to clean up: no git credentials that bitbucket-auth set up from this shell or step were found.",
    example: {},
  }),
};
