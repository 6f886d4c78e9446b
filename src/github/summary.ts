import * as core from "@actions/core";

/** The job summary file exists only on a runner; elsewhere there is nowhere to write it. */
export async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}
