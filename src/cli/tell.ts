/** Outcome → the command's and the pipe's output. */
import type { RawInputs } from "../core/inputs/names.ts";
import { type Problem, render } from "../core/messages/index.ts";
import type { Outcome } from "../core/outcome.ts";
import { type FrontEnd, rendererFor } from "../core/render/renderer.ts";
import { problemsText, reportText } from "../core/render/terminal.ts";
import { type Io, useColor } from "./io.ts";

export type Told = Pick<Outcome, "problems" | "warnings"> & Partial<Outcome>;

/** The report and its problems on stdout; without a report (nothing was judged) on stderr. */
export function tell(io: Io, frontEnd: FrontEnd, outcome: Told, raw?: RawInputs): void {
  const renderer = rendererFor(frontEnd, "plain", raw);
  const stream = outcome.report ? io.stdout : io.stderr;
  const style = { color: useColor(stream, io.env) };
  const report = outcome.report ? reportText(outcome as Outcome, renderer, style) : "";
  stream.write(report + problemsText(outcome, renderer, style));
}

/** A line of information that asks nothing of the user. */
export function note(io: Io, frontEnd: FrontEnd, p: Problem): void {
  io.stdout.write(`${render(p, rendererFor(frontEnd, "plain")).text}\n`);
}
