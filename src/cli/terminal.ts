/** What the command shares with its lazily loaded half: exit codes, streams, colour, wording. */
import { DEFAULT_INPUTS } from "../core/inputs/settings.ts";

export const EXIT = { ok: 0, unfit: 1, badInput: 2, unreachable: 3, unexpected: 4 } as const;

/** How messages name the action's inputs: as command flags, or as the pipe's variables. */
export type Naming = "flags" | "pipe";

export interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readStdin: () => Promise<string>;
  /** Default "flags". */
  naming?: Naming;
}

/**
 * Colour only on a terminal, never with NO_COLOR (https://no-color.org: set and not empty) or
 * on a dumb terminal. Decided per stream: stdout may be a terminal while stderr is a file.
 */
export function useColor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

export function painter(color: boolean, code: number): (text: string) => string {
  return (text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
}

const VARIABLE_FOR_INPUT: Record<string, string> = {
  "api-token": "BITBUCKET_API_TOKEN",
  email: "BITBUCKET_EMAIL",
};

/**
 * The core's messages name action inputs (`required-scopes`, "the input `email`"); name the flag
 * (or, for the pipe, the variable) instead. The token is never a flag: name its variable.
 */
export function wordsFor(naming: Naming): (text: string) => string {
  const nameOf = (input: string) =>
    naming === "pipe"
      ? (VARIABLE_FOR_INPUT[input] ?? input.toUpperCase().replace(/-/g, "_"))
      : input === "api-token"
        ? "BITBUCKET_API_TOKEN"
        : `--${input}`;
  const known = (input: string) => input in DEFAULT_INPUTS;
  return (text) =>
    text
      .replace(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow syntax in the core's message
        "`api-token: ${{ secrets.BITBUCKET_API_TOKEN }}`",
        "a secured variable BITBUCKET_API_TOKEN",
      )
      .replace(/\b([Tt])he input `api-token`/g, `$1he token (${nameOf("api-token")})`)
      .replace(/\binput `api-token`/g, `token (${nameOf("api-token")})`)
      .replace(/\b(?:[Tt]he )?input `([a-z-]+)`/g, (whole, name: string) =>
        known(name) ? nameOf(name) : whole,
      )
      .replace(/`api-token`/g, `the token (${nameOf("api-token")})`)
      .replace(/`([a-z-]+)`/g, (whole, name: string) => (known(name) ? nameOf(name) : whole))
      // The report's expiry line drops backticks: "unknown (set expires-at to be warned …)".
      .replace(/\bset expires-at\b/g, `set ${nameOf("expires-at")}`);
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
