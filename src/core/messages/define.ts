/**
 * A message is data until the last moment: an id, parameters, and functions that word it for a
 * medium (Renderer). The catalogue (index.ts) is the list the docs are checked against; each entry
 * carries example parameters so that the docs test can render it.
 */
import type { Renderer } from "../render/renderer.ts";

export type Group =
  | "inputs"
  | "token"
  | "repositories"
  | "bitbucket"
  | "git"
  | "command"
  | "cleanup"
  | "unexpected";

export interface MessageDef<P> {
  group: Group;
  /** What it concerns, for an annotation's title: an input's name, "git", "network"… */
  about: string;
  text: (p: P, r: Renderer) => string;
  /** What to do about it; absent for notes that need no action. */
  fix?: (p: P, r: Renderer) => string;
  example: P;
}

export function message<P extends object>(def: MessageDef<P>): MessageDef<P> {
  return def;
}

/**
 * Text the user typed, shown (in quotes) only when it cannot be a secret pasted in the wrong
 * place: short, printable, and without the long letter-and-digit runs every token has.
 * Otherwise described by its length.
 */
export function typed(value: string): string {
  return plainlyNotSecret(value)
    ? `"${value}"`
    : `a value of ${count([...value].length, "character")}, not shown: it could be a secret`;
}

export function plainlyNotSecret(value: string): boolean {
  return (
    value.length <= 64 &&
    /^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(value) &&
    !/[A-Za-z0-9]{16,}/.test(value)
  );
}

/** "1 scope" / "3 scopes". */
export const count = (n: number, one: string, many = `${one}s`): string =>
  `${n} ${n === 1 ? one : many}`;

export const list = (items: string[]): string => items.join(", ");
