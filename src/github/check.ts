/** Loaded once inputs are valid: the checks, the outputs, git, the summary. */
import * as core from "@actions/core";
import { fit, runChecks } from "../core/checks/checks.ts";
import { newCredentialId } from "../core/git/git-credentials.ts";
import { type GitSetup, setUpGit } from "../core/git/setup.ts";
import type { Settings } from "../core/inputs/settings.ts";
import { outputsOf, summaryMarkdown } from "../core/report/report.ts";
import { runnerPlaces } from "./places.ts";
import { annotate, writeSummary } from "./report.ts";
import * as state from "./state.ts";

export async function checkAndConfigure(settings: Settings): Promise<void> {
  const report = await runChecks(settings, { log: core.debug });
  for (const [name, value] of Object.entries(outputsOf(report))) core.setOutput(name, value);
  for (const warning of report.warnings)
    core.warning(warning, { title: "Bitbucket token expires soon" });

  if (!fit(report)) {
    process.exitCode = core.ExitCode.Failure;
    annotate(report.problems);
    writeSummary(summaryMarkdown(report));
    return;
  }

  let git: GitSetup | undefined;
  if (settings.configureGit) {
    const id = newCredentialId();
    state.saveCredentialId(id);
    const setup = await setUpGit(settings, runnerPlaces(), id);
    state.saveConfigured();
    if (setup.replaced > 0)
      core.info(`Replaced ${setup.replaced} earlier git credential(s) of this action.`);
    core.info(`Git credentials configured for ${setup.host} (username ${setup.gitUsername}).`);
    git = setup;
  }
  core.info(
    `The token is fit for use${report.account?.displayName ? ` (${report.account.displayName})` : ""}.`,
  );
  writeSummary(summaryMarkdown(report, git));
}
