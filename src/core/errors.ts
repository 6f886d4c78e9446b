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

/**
 * dist/ holds two bundles (entry points, and the lazily loaded checks), each with its own copy of
 * these classes; `instanceof` must recognise an error thrown by either copy, so it looks at a
 * branded name rather than at the prototype chain.
 */
function branded(name: string) {
  return (value: unknown): boolean => value instanceof Error && value.name === name;
}

export class UnfitError extends Error {
  static [Symbol.hasInstance] = branded("UnfitError");
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
  static [Symbol.hasInstance] = branded("UnreachableError");
  readonly host: string;

  constructor(host: string, message: string) {
    super(`${message} The token was not judged: this is not a verdict on the token.`);
    this.name = "UnreachableError";
    this.host = host;
  }
}
