/** Where things live for the command: a Pipelines step container or a terminal. */
import * as os from "node:os";
import type { GitEnvironment } from "../core/git/credential-dir.ts";

export function commandGitEnvironment(env: Record<string, string | undefined>): GitEnvironment {
  return {
    // RUNNER_TEMP when run on a GitHub runner; otherwise the system temp dir, which is outside
    // the Pipelines clone directory.
    tempDir: env.RUNNER_TEMP || env.TMPDIR || os.tmpdir(),
    home: env.HOME || os.homedir(),
    env,
    workspace: env.BITBUCKET_CLONE_DIR || env.GITHUB_WORKSPACE,
    // Steps of self-hosted Pipelines runners may share HOME and /tmp: cleanup takes its step's only.
    session: env.BITBUCKET_STEP_UUID || undefined,
  };
}
