/**
 * How a run ends, as data. The flow returns an Outcome whatever happens; the front ends turn it
 * into their world (annotations and outputs; terminal text and an exit code).
 */
import type { GitSetup } from "./git/setup.ts";
import type { Problem } from "./messages/index.ts";
import type { Report } from "./verdict.ts";

/**
 * fit: proven (and git set up if asked). unfit: a person must fix the token or its access.
 * bad-input: an input or the machine's set-up is wrong. unreachable: Bitbucket could not be
 * asked, so the token was not judged. unexpected: a bug.
 */
export type Verdict = "fit" | "unfit" | "bad-input" | "unreachable" | "unexpected";

export interface Outcome {
  verdict: Verdict;
  /** Why it is not fit; empty when fit. */
  problems: Problem[];
  warnings: Problem[];
  /** What Bitbucket said, when it was asked and answered. */
  report?: Report;
  git?: GitSetup;
}

export const EXIT_CODES: Record<Verdict, number> = {
  fit: 0,
  unfit: 1,
  "bad-input": 2,
  unreachable: 3,
  unexpected: 4,
};

/** Thrown where a run must stop; the flow turns it into an Outcome. */
export class Failure extends Error {
  readonly verdict: Exclude<Verdict, "fit">;
  readonly problems: Problem[];
  constructor(verdict: Exclude<Verdict, "fit">, problems: Problem[]) {
    super(problems.map((p) => p.id).join(", "));
    this.name = "Failure";
    this.verdict = verdict;
    this.problems = problems;
  }
}
