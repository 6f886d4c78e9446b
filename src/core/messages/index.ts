/**
 * The catalogue: every problem, warning and note a user can see, by id. Code raises a Problem
 * (an id and its parameters); only a renderer turns it into words, for the medium it writes to.
 * docs/messages.md has one entry per id, checked by test/docs.test.ts.
 */
import type { Renderer } from "../render/renderer.ts";
import { BITBUCKET_MESSAGES } from "./bitbucket.ts";
import { CLEANUP_MESSAGES } from "./cleanup.ts";
import { COMMAND_MESSAGES } from "./command.ts";
import { type MessageDef, message } from "./define.ts";
import { GIT_MESSAGES } from "./git.ts";
import { INPUT_MESSAGES } from "./inputs.ts";
import { REPOSITORY_MESSAGES } from "./repositories.ts";
import { TOKEN_MESSAGES } from "./token.ts";

const UNEXPECTED_MESSAGES = {
  unexpected: message({
    group: "unexpected",
    about: "unexpected error",
    text: (p: { reason: string }, r) =>
      `Unexpected error: ${r.untrusted(p.reason, 500).replace(/[.\s]*$/, "")}.`,
    fix: () =>
      "Please report this at https://github.com/bitbucket-api-token-auth/bitbucket-api-token-auth/issues with the log.",
    example: { reason: "EACCES: permission denied, mkdir '/home/runner/work/_temp'" },
  }),
};

export const MESSAGES = {
  ...INPUT_MESSAGES,
  ...TOKEN_MESSAGES,
  ...REPOSITORY_MESSAGES,
  ...BITBUCKET_MESSAGES,
  ...GIT_MESSAGES,
  ...COMMAND_MESSAGES,
  ...CLEANUP_MESSAGES,
  ...UNEXPECTED_MESSAGES,
};

export type MessageId = keyof typeof MESSAGES;
export type ParamsOf<Id extends MessageId> =
  (typeof MESSAGES)[Id] extends MessageDef<infer P> ? P : never;

/** One thing to tell the user: which message, with what. */
export type Problem = { [Id in MessageId]: { id: Id; params: ParamsOf<Id> } }[MessageId];

export function problem<Id extends MessageId>(id: Id, params: ParamsOf<Id>): Problem {
  return { id, params } as Problem;
}

export interface Rendered {
  text: string;
  fix?: string;
  /** What it concerns, for titles. */
  about: string;
}

export function render(p: Problem, r: Renderer): Rendered {
  const def = MESSAGES[p.id] as MessageDef<unknown>;
  return { text: def.text(p.params, r), fix: def.fix?.(p.params, r), about: def.about };
}
