/** Loaded once the inputs are valid: the checks, the report, git. */
import { appendFile } from "node:fs/promises";
import { fit, type Report, runChecks } from "../core/checks.ts";
import { newCredentialId, remove } from "../core/git-credentials.ts";
import { type GitSetup, terminalText } from "../core/report.ts";
import type { Settings } from "../core/settings.ts";
import { setUpGit } from "../core/setup.ts";
import { commandPlaces, inPipelines } from "./places.ts";
import { EXIT, type Io } from "./run.ts";

export async function checkAndMaybeSetUp(
  settings: Settings,
  setup: boolean,
  io: Io,
  color: boolean,
): Promise<number> {
  const stopSpinner = spinner(io, "Checking the token with Bitbucket");
  let report: Report;
  try {
    report = await runChecks(settings, {
      log: io.env.BITBUCKET_AUTH_DEBUG ? (line) => io.stderr.write(`debug: ${line}\n`) : undefined,
    });
  } finally {
    stopSpinner();
  }
  if (!fit(report)) {
    io.stdout.write(terminalText(report, { color }));
    return EXIT.unfit;
  }
  let git: GitSetup | undefined;
  if (setup) git = await setUpGit(settings, commandPlaces(io.env), newCredentialId());
  io.stdout.write(terminalText(report, { color }, git));
  if (inPipelines(io.env) && io.env.BITBUCKET_PIPELINES_VARIABLES_PATH) {
    // output-variables for later steps: non-secret results only.
    const lines = [
      `BITBUCKET_AUTH_USERNAME=${report.gitUsername}`,
      `BITBUCKET_AUTH_EXPIRES_IN_DAYS=${report.expiry.daysLeft ?? ""}`,
    ];
    await appendFile(io.env.BITBUCKET_PIPELINES_VARIABLES_PATH, `${lines.join("\n")}\n`);
  }
  return EXIT.ok;
}

export async function cleanup(io: Io, _color: boolean): Promise<number> {
  try {
    const removal = await remove(commandPlaces(io.env));
    io.stdout.write(
      removal.removed.length > 0
        ? `Removed the git credentials: ${removal.removed.join(", ")}\n`
        : "Nothing to clean up: no git credentials of bitbucket-auth were found.\n",
    );
  } catch (error) {
    // Like the action's post step: a failed cleanup warns, it does not fail the step.
    io.stderr.write(`⚠ Could not remove the git credentials: ${(error as Error).message}\n`);
  }
  return EXIT.ok;
}

/** A progress line only on a terminal; logs get nothing to clear. */
function spinner(io: Io, text: string): () => void {
  if (!io.stderr.isTTY) return () => {};
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let i = 0;
  const draw = () => io.stderr.write(`\r${frames[i++ % frames.length]} ${text}…`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return () => {
    clearInterval(timer);
    io.stderr.write("\r\u001b[K");
  };
}
