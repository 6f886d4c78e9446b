/**
 * The post step: remove exactly what this use of the action configured (its own state names it),
 * never another's. The GIT_CONFIG_* variables main exported stay set for later post steps; git
 * ignores an include whose file is gone. It says why when it skips, and only warns when removal
 * fails: cleanup never fails a job. Returns the exit code (always 0).
 */
import * as core from "@actions/core";
import { removeWritten } from "../core/git/remove.ts";
import { parseBoolean } from "../core/inputs/settings.ts";
import { type Problem, problem, render } from "../core/messages/index.ts";
import { rendererFor } from "../core/render/renderer.ts";
import { annotate } from "./publish.ts";
import * as state from "./state.ts";

const renderer = rendererFor("action", "plain");
const note = (p: Problem) => core.info(render(p, renderer).text);

export async function post(): Promise<number> {
  // A value main could not read was reported there; cleaning up is then the safe reading.
  if (parseBoolean(core.getInput("cleanup")) === false) {
    note(problem("cleanup-disabled", {}));
    return 0;
  }
  const git = state.git();
  if (!git) {
    note(problem("cleanup-not-configured", {}));
    return 0;
  }
  try {
    const removal = await removeWritten(git);
    if (removal.found === 0 && git.configured) note(problem("cleanup-already-gone", {}));
    // Files gone after a main that never finished are its own roll-back, not a surprise.
    if (git.configured)
      for (const file of removal.missing)
        annotate("warning", problem("cleanup-file-gone", { file }), renderer);
    for (const file of removal.removed) core.info(`Cleaned up ${file}`);
    if (removal.removed.length === 0 && !git.configured)
      note(problem("cleanup-nothing-written", {}));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    annotate("warning", problem("cleanup-failed", { reason }), renderer);
  }
  return 0;
}
