/**
 * The action's main step. Masks first, validates inputs with no network, and only then loads the
 * checks (HTTP client, git set-up: dist/lazy), so a bad input is rejected as fast as Node starts.
 */
import * as core from "@actions/core";
import { UnfitError, UnreachableError } from "../core/errors.ts";
import { secretForms } from "../core/inputs/credential.ts";
import {
  DEFAULT_INPUTS,
  parseSettings,
  type RawInputs,
  withDefaults,
} from "../core/inputs/settings.ts";
import { failureMarkdown } from "../core/report/report.ts";
import { annotate, writeSummary } from "./report.ts";

async function main(): Promise<void> {
  // Mask the token and every form derived from it before anything else can print.
  const rawToken = core.getInput("api-token", { trimWhitespace: false });
  for (const form of secretForms(rawToken, core.getInput("email"))) core.setSecret(form);
  try {
    const given: Partial<RawInputs> = {};
    for (const name of Object.keys(DEFAULT_INPUTS) as (keyof RawInputs)[])
      given[name] = core.getInput(name);
    const settings = parseSettings(withDefaults(given), new Date());
    const { checkAndConfigure } = await import("./check.ts");
    await checkAndConfigure(settings);
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): void {
  process.exitCode = core.ExitCode.Failure;
  let markdown: string;
  if (error instanceof UnfitError) {
    annotate(error.problems);
    markdown = failureMarkdown(
      error.stage === "input" ? "bad input" : "not fit for use",
      error.problems,
    );
  } else if (error instanceof UnreachableError) {
    core.error(error.message, { title: "Bitbucket could not be reached" });
    markdown = failureMarkdown("not checked", [
      {
        subject: error.host,
        message: error.message,
        fix: "Re-run the job; if it keeps failing, check the network, proxy settings (HTTPS_PROXY, NO_PROXY) and https://bitbucket.status.atlassian.com.",
      },
    ]);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    core.error(`Unexpected error: ${message}`, { title: "bitbucket-api-token-auth" });
    markdown = failureMarkdown("unexpected error", [
      { subject: "action", message, fix: "Please report this with the job log." },
    ]);
  }
  writeSummary(markdown);
}

// Even a failure while reporting a failure ends as one annotation, never as a stack trace.
main().catch((error: unknown) => {
  process.exitCode = core.ExitCode.Failure;
  core.error(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`, {
    title: "bitbucket-api-token-auth",
  });
});
