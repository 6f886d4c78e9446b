/** Setting up git for the rest of the job, and proving through git itself that it works. */
import { message } from "./define.ts";

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
  "credentials-replaced": message({
    group: "git",
    about: "git",
    text: (p: { count: number }) =>
      `Replaced ${p.count} earlier git credential(s) of this tool for the same URLs: the later one wins.`,
    example: { count: 1 },
  }),
};
