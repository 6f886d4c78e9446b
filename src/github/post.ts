/** The post step: remove exactly what main configured; warn, never fail; say why when skipping. */
import * as core from "@actions/core";
import { remove } from "../core/git/git-credentials.ts";
import { runnerPlaces } from "./places.ts";
import * as state from "./state.ts";

async function post(): Promise<void> {
  if (/^false$/i.test(core.getInput("cleanup"))) {
    core.info(
      "Skipping cleanup: `cleanup` is false. The credential file stays in RUNNER_TEMP, and its include in the global git config, until the runner is discarded (hosted runners) or something removes them (self-hosted: a later run of this action does).",
    );
    return;
  }
  const id = state.credentialId();
  if (!id) {
    core.info(
      "Skipping cleanup: the main step configured no git credentials (`configure-git` is false, or the token was not fit).",
    );
    return;
  }
  try {
    const removal = await remove(runnerPlaces(), id);
    if (removal.found === 0 && state.wasConfigured()) {
      // Expected when the action ran again later in the job (two accounts, a retried step):
      // that run replaced these credentials and its own post removes its own.
      core.info(
        "The git credentials this step configured were already gone: a later run of this action replaced them, or they were removed by hand.",
      );
    }
    for (const file of removal.missing) {
      core.warning(
        `The credential file ${file} was already deleted (RUNNER_TEMP emptied before this post step?); removed the include that pointed to it from the global git config.`,
        { title: "bitbucket-api-token-auth cleanup" },
      );
    }
    for (const file of removal.removed) core.info(`Cleaned up ${file}`);
    if (removal.removed.length === 0 && !state.wasConfigured())
      core.info("Nothing to clean up: main stopped before configuring git.");
  } catch (error) {
    core.warning(
      `Could not remove the git credentials: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

void post();
