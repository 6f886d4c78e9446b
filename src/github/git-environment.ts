/** Where things live on a GitHub runner. */
import * as os from "node:os";
import type { GitEnvironment } from "../core/git/git-credentials.ts";

export function runnerGitEnvironment(): GitEnvironment {
  return {
    // RUNNER_TEMP is outside the workspace and emptied after each job on hosted runners.
    tempDir: process.env.RUNNER_TEMP || os.tmpdir(),
    home: os.homedir(),
    env: process.env,
    workspace: process.env.GITHUB_WORKSPACE,
  };
}
