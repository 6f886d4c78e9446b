/** How the action tells a person what happened: error annotations and the job summary. */
import { appendFileSync } from "node:fs";
import * as core from "@actions/core";
import type { Problem } from "../core/errors.ts";

/** One `::error` per problem, titled with what it concerns, saying what to do. */
export function annotate(problems: Problem[]): void {
  for (const p of problems) {
    core.error(`${p.message} ${p.fix}`, { title: `Bitbucket token: ${p.subject}` });
  }
}

/**
 * The job summary file exists only on a runner. A plain append is all `core.summary` would do
 * with markdown we render ourselves, without loading fs/promises into every run.
 */
export function writeSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown);
}
