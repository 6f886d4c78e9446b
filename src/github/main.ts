/**
 * The action's main step: mask first, then the core's flow, then the outcome to the runner.
 * Returns the exit code; src/bin/action-main.ts runs it.
 */
import * as core from "@actions/core";
import { authenticate, failed } from "../core/flow.ts";
import { secretForms } from "../core/inputs/credential.ts";
import { INPUT_NAMES, type InputName, rawInputs } from "../core/inputs/names.ts";
import type { Outcome } from "../core/outcome.ts";
import { runnerGitEnvironment } from "./git-environment.ts";
import { publish } from "./publish.ts";
import * as state from "./state.ts";

export async function main(): Promise<number> {
  // The token and every form derived from it are masked before anything else can print.
  const rawToken = core.getInput("api-token", { trimWhitespace: false });
  for (const form of secretForms(rawToken, core.getInput("email"))) core.setSecret(form);
  for (const secret of proxySecrets(process.env)) core.setSecret(secret);

  const values: Partial<Record<InputName, string>> = {};
  for (const name of INPUT_NAMES) values[name] = core.getInput(name);
  const raw = rawInputs(values, () => ({ kind: "input" }));
  let outcome: Outcome;
  try {
    outcome = await authenticate(raw, {
      now: () => new Date(),
      log: (line) => core.debug(line),
      git: { environment: runnerGitEnvironment(), forJob: true, remember: state.saveGit },
    });
    await publish(outcome, raw);
  } catch (error) {
    // Even a failure while reporting ends as one annotation, never as a stack trace.
    outcome = failed(error);
    await publish(outcome).catch(() => {});
  }
  return outcome.verdict === "fit" ? 0 : core.ExitCode.Failure;
}

/** A password in HTTPS_PROXY / HTTP_PROXY is masked too, in both its spellings. */
export function proxySecrets(env: Record<string, string | undefined>): string[] {
  const secrets: string[] = [];
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
    try {
      const { password } = new URL(env[name] ?? "");
      if (password.length >= 4) secrets.push(password, decodeURIComponent(password));
    } catch {
      // not a URL: nothing to mask, and undici will say so
    }
  }
  return [...new Set(secrets)];
}
