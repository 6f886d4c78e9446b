/**
 * How a message names things in one medium: the place the user set an input (the input `email`,
 * the flag --email, the variable BITBUCKET_EMAIL, the pipe's variable EMAIL), code, and text
 * that came from a server. Messages are written once against this interface; each renderer
 * hands them the Renderer of its medium.
 */
import type { InputName, RawInputs, Source } from "../inputs/names.ts";
import { untrusted, untrustedMarkdown } from "./sanitize.ts";

export type FrontEnd = "action" | "command" | "pipe";
export type Medium = "markdown" | "plain";

export interface Renderer {
  frontEnd: FrontEnd;
  /** A noun phrase for the place an input is set: "the input `email`", "--email", "BITBUCKET_EMAIL". */
  input(name: InputName): string;
  code(text: string): string;
  /** Server text, made safe for this medium. */
  untrusted(text: string, max?: number): string;
}

export function rendererFor(frontEnd: FrontEnd, medium: Medium, raw?: RawInputs): Renderer {
  return {
    frontEnd,
    input: (name) => describeSource(name, raw?.sources[name] ?? defaultSource(frontEnd, name)),
    code: (text) => `\`${text}\``,
    untrusted: medium === "markdown" ? untrustedMarkdown : untrusted,
  };
}

function describeSource(name: InputName, source: Source): string {
  switch (source.kind) {
    case "input":
      return `the input \`${name}\``;
    case "flag":
      return source.variable ? `${source.flag} (or ${source.variable})` : source.flag;
    case "variable":
      return source.variable;
    case "pipe-variable":
      return `the pipe variable ${source.variable}`;
    case "stdin":
      return "the token on standard input";
  }
}

/** Before any input is read (a usage error), each front end's natural name for an input. */
function defaultSource(frontEnd: FrontEnd, name: InputName): Source {
  if (frontEnd === "action") return { kind: "input" };
  if (frontEnd === "pipe")
    return { kind: "pipe-variable", variable: name.toUpperCase().replace(/-/g, "_") };
  if (name === "api-token") return { kind: "variable", variable: "BITBUCKET_API_TOKEN" };
  return { kind: "flag", flag: `--${name}` };
}

export const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
