/** Where things live on a GitHub runner. */
import * as os from "node:os";
import type { GitEnvironment } from "../core/git/credential-dir.ts";

export function runnerGitEnvironment(): GitEnvironment {
  return {
    // RUNNER_TEMP is the job's own: outside the workspace, emptied by the runner after each job.
    tempDir: process.env.RUNNER_TEMP || os.tmpdir(),
    home: os.homedir(),
    env: process.env,
    workspace: process.env.GITHUB_WORKSPACE,
    // The action's credentials are the post step's to remove, never `bitbucket-auth cleanup`'s.
    session: "github-action",
  };
}
