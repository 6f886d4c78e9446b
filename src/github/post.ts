/**
 * The post step: remove exactly what main configured. It says why when it skips, and only warns
 * when removal fails: cleanup never fails a job. Returns the exit code (always 0).
 */
import * as core from "@actions/core";
import { remove } from "../core/git/git-credentials.ts";
import { parseBoolean } from "../core/inputs/settings.ts";
import { type Problem, problem, word } from "../core/messages/index.ts";
import { wordsFor } from "../core/render/words.ts";
import { runnerPlaces } from "./places.ts";
import { annotate } from "./publish.ts";
import * as state from "./state.ts";

const words = wordsFor("action", "plain");
const note = (p: Problem) => core.info(word(p, words).text);

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
    const removal = await remove(runnerPlaces(), git.id);
    if (removal.found === 0 && git.configured) note(problem("cleanup-already-gone", {}));
    for (const file of removal.missing)
      annotate("warning", problem("cleanup-file-gone", { file }), words);
    for (const file of removal.removed) core.info(`Cleaned up ${file}`);
    if (removal.removed.length === 0 && !git.configured)
      note(problem("cleanup-nothing-written", {}));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    annotate("warning", problem("cleanup-failed", { reason }), words);
  }
  return 0;
}
