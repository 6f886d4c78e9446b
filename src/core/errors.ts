/**
 * The two ways a run can end badly, kept apart because they call for different actions:
 * an UnfitError means a person must fix an input or the token; an UnreachableError means
 * Bitbucket could not be asked (or answered nonsense), so the token was not judged at all.
 */

/** One thing wrong, with what it concerns (an input name or a scope) and what to do about it. */
export interface Problem {
  subject: string;
  message: string;
  fix: string;
}

/** "input" problems are found before any request; "token" problems are Bitbucket's verdict. */
export type Stage = "input" | "token";

export class UnfitError extends Error {
  readonly stage: Stage;
  readonly problems: Problem[];

  constructor(stage: Stage, problems: Problem[]) {
    super(problems.map((p) => `${p.message} ${p.fix}`).join("\n"));
    this.name = "UnfitError";
    this.stage = stage;
    this.problems = problems;
  }
}

export class UnreachableError extends Error {
  readonly host: string;

  constructor(host: string, message: string) {
    super(`${message} The token was not judged: this is not a verdict on the token.`);
    this.name = "UnreachableError";
    this.host = host;
  }
}
