/**
 * An Outcome → the runner: outputs, one annotation per problem and warning, a few log lines,
 * the job summary. The only place the action puts anything into words.
 */
import * as core from "@actions/core";
import type { RawInputs } from "../core/inputs/names.ts";
import { type Problem, render } from "../core/messages/index.ts";
import type { Outcome } from "../core/outcome.ts";
import { scopeText } from "../core/render/describe.ts";
import { summaryMarkdown } from "../core/render/markdown.ts";
import { outputsOf } from "../core/render/outputs.ts";
import { type Renderer, rendererFor } from "../core/render/renderer.ts";

export async function publish(outcome: Outcome, raw?: RawInputs): Promise<void> {
  const plain = rendererFor("action", "plain", raw);
  for (const [name, value] of Object.entries(outputsOf(outcome.report)))
    core.setOutput(name, value);
  for (const p of outcome.problems) annotate("error", p, plain);
  for (const p of outcome.warnings) annotate("warning", p, plain);
  const git = outcome.git;
  if (git) {
    // Later steps include the credential through these (GIT_CONFIG_COUNT, _KEY_n, _VALUE_n).
    for (const [name, value] of Object.entries(git.exports)) core.exportVariable(name, value);
    const where = git.jobConfig
      ? `for this job only (included through GIT_CONFIG_COUNT=${git.exports.GIT_CONFIG_COUNT})`
      : `included from ${git.globalConfig}`;
    const proof = git.proven.endsWith("/")
      ? `git sends them to ${git.proven}`
      : `git itself read ${git.proven} with them`;
    core.info(
      `Git credentials configured for ${scopeText(git.scopes)} (username ${git.gitUsername}), ${where}; ${proof}.`,
    );
    const others = Object.keys(git.exports).filter((name) => !name.startsWith("GIT_CONFIG_"));
    if (others.length > 0) core.info(`For the other clients, exported: ${others.join(", ")}.`);
  }
  if (outcome.verdict === "fit") {
    const name = outcome.report?.account?.displayName;
    core.info(`The token is fit for use${name ? ` (${plain.untrusted(name, 100)})` : ""}.`);
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    const markdown = summaryMarkdown(outcome, rendererFor("action", "markdown", raw));
    await core.summary.addRaw(markdown).write();
  }
}

/** An annotation says what is wrong and what to do, titled with what it concerns. */
export function annotate(level: "error" | "warning" | "notice", p: Problem, r: Renderer): void {
  const { text, fix, about } = render(p, r);
  const message = fix ? `${text} ${fix}` : text;
  const properties = { title: `Bitbucket token: ${about}` };
  if (level === "error") core.error(message, properties);
  else if (level === "warning") core.warning(message, properties);
  else core.notice(message, properties);
}
