/** Outcome → the command's and the pipe's output. */
import type { RawInputs } from "../core/inputs/names.ts";
import { type Problem, word } from "../core/messages/index.ts";
import type { Outcome } from "../core/outcome.ts";
import { problemsText, reportText } from "../core/render/terminal.ts";
import { type FrontEnd, wordsFor } from "../core/render/words.ts";
import { type Io, useColor } from "./io.ts";

export type Told = Pick<Outcome, "problems" | "warnings"> & Partial<Outcome>;

/** The report and its problems on stdout; without a report (nothing was judged) on stderr. */
export function tell(io: Io, frontEnd: FrontEnd, outcome: Told, raw?: RawInputs): void {
  const words = wordsFor(frontEnd, "plain", raw);
  const stream = outcome.report ? io.stdout : io.stderr;
  const style = { color: useColor(stream, io.env) };
  const report = outcome.report ? reportText(outcome as Outcome, words, style) : "";
  stream.write(report + problemsText(outcome, words, style));
}

/** A line of information that asks nothing of the user. */
export function note(io: Io, frontEnd: FrontEnd, p: Problem): void {
  io.stdout.write(`${word(p, wordsFor(frontEnd, "plain")).text}\n`);
}
