/** Loaded once the inputs are valid: the checks, the report, git. */
import { appendFile, readFile } from "node:fs/promises";
import { fit, type Report, runChecks } from "../core/checks/checks.ts";
import { newCredentialId, remove } from "../core/git/git-credentials.ts";
import { type GitSetup, setUpGit } from "../core/git/setup.ts";
import type { Settings } from "../core/inputs/settings.ts";
import { terminalText } from "../core/report/report.ts";
import { commandPlaces, inPipelines } from "./places.ts";
import { EXIT, type Io, painter, useColor } from "./terminal.ts";

export async function checkAndMaybeSetUp(
  settings: Settings,
  setup: boolean,
  io: Io,
  words: (text: string) => string,
): Promise<number> {
  const color = useColor(io.stdout, io.env);
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
    io.stdout.write(words(terminalText(report, { color })));
    return EXIT.unfit;
  }
  let git: GitSetup | undefined;
  if (setup) git = await setUpGit(settings, commandPlaces(io.env), newCredentialId());
  io.stdout.write(words(terminalText(report, { color }, git)));
  if (git) {
    if (git.replaced > 0)
      io.stdout.write(`  Replaced ${git.replaced} earlier git credential(s) of this command.\n`);
    io.stdout.write(
      inPipelines(io.env)
        ? "  Remove them with `bitbucket-auth cleanup` in after-script: (it runs even when the step fails).\n"
        : "  Remove them with `bitbucket-auth cleanup` when you are done.\n",
    );
  }
  if (inPipelines(io.env) && io.env.BITBUCKET_PIPELINES_VARIABLES_PATH) {
    await writeOutputVariables(io, io.env.BITBUCKET_PIPELINES_VARIABLES_PATH, report);
  }
  return EXIT.ok;
}

/**
 * output-variables for later steps: non-secret results only, one NAME=value line each. The expiry
 * line is left out when the expiry is unknown (no --expires-at). Failing to write them is a
 * warning: the token was proven, and the step's own commands do not need them.
 */
export function outputVariables(report: Report): string {
  const lines = [`BITBUCKET_AUTH_USERNAME=${report.gitUsername}`];
  if (report.expiry.daysLeft !== undefined)
    lines.push(`BITBUCKET_AUTH_EXPIRES_IN_DAYS=${report.expiry.daysLeft}`);
  return `${lines.join("\n")}\n`;
}

async function writeOutputVariables(io: Io, file: string, report: Report): Promise<void> {
  try {
    const before = await readFile(file, "utf8").catch(() => "");
    const separator = before !== "" && !before.endsWith("\n") ? "\n" : "";
    await appendFile(file, `${separator}${outputVariables(report)}`);
  } catch (error) {
    io.stderr.write(
      `⚠ Could not append the output variables to ${file}: ${(error as Error).message}\n`,
    );
  }
}

/**
 * Removes every credential of ours (the command keeps no state between setup and cleanup, so it
 * removes all blocks of ours, not one id). A failure is exit 4: a credential may be left behind.
 */
export async function cleanup(io: Io): Promise<number> {
  try {
    const removal = await remove(commandPlaces(io.env));
    io.stdout.write(
      removal.removed.length > 0
        ? `Removed the git credentials: ${removal.removed.join(", ")}\n`
        : "Nothing to clean up: no git credentials of bitbucket-auth were found.\n",
    );
    return EXIT.ok;
  } catch (error) {
    const red = painter(useColor(io.stderr, io.env), 31);
    io.stderr.write(
      `${red(`✘ Could not remove the git credentials: ${(error as Error).message}`)}\n  → Remove the lines between "# bitbucket-api-token-auth … begin" and "… end" from the global git config, and the file they include.\n`,
    );
    return EXIT.unexpected;
  }
}

/** A progress line only on a terminal (stderr); logs get nothing to clear. */
export function spinner(io: Pick<Io, "stderr" | "env">, text: string, intervalMs = 80): () => void {
  if (io.stderr.isTTY !== true || io.env.TERM === "dumb") return () => {};
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let i = 0;
  const draw = () => io.stderr.write(`\r${frames[i++ % frames.length]} ${text}…`);
  draw();
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    io.stderr.write("\r\u001b[K");
  };
}
