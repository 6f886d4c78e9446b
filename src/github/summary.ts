import { appendFileSync } from "node:fs";

/**
 * The job summary file exists only on a runner. A plain append is all `core.summary` would do
 * with markdown we render ourselves, without loading fs/promises into every run.
 */
export async function writeSummary(markdown: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown);
}
