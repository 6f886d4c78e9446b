/**
 * Every setting a front end can pass, spelt as action.yml spells it, with its default. Each
 * value arrives with its source (the action input, a flag, a variable), so that a message can
 * name the place the user actually set it.
 */
import { DEFAULT_API_TOKEN_SCOPES } from "./scopes.ts";

export const DEFAULTS = {
  email: "",
  "api-token": "",
  "required-scopes": DEFAULT_API_TOKEN_SCOPES.join(" "),
  repositories: "",
  "expires-at": "",
  "expiry-warning-days": "14",
  "configure-git": "true",
  "rewrite-ssh-urls": "false",
  "credential-files": "",
  cleanup: "true",
  "api-url": "https://api.bitbucket.org/2.0",
  "git-url": "https://bitbucket.org",
  "timeout-seconds": "30",
  retries: "3",
} as const;

export type InputName = keyof typeof DEFAULTS;
export const INPUT_NAMES = Object.keys(DEFAULTS) as InputName[];

/** Where a value came from, or (when it was not given) where the user would set it. */
export type Source =
  | { kind: "input" }
  | { kind: "flag"; flag: string; variable?: string }
  | { kind: "variable"; variable: string }
  | { kind: "pipe-variable"; variable: string }
  | { kind: "stdin" };

export interface RawInputs {
  /** Values as given; absent or blank means the default. */
  values: Partial<Record<InputName, string>>;
  sources: Record<InputName, Source>;
}

/** The value to parse: the given one, or the default when it is absent or blank. */
export function effectiveValue(raw: RawInputs, name: InputName): string {
  const given = raw.values[name];
  return given !== undefined && given.trim() !== "" ? given : DEFAULTS[name];
}

/** Raw inputs that all come from one kind of place, e.g. the action's inputs. */
export function rawInputs(
  values: Partial<Record<InputName, string>>,
  sourceOf: (name: InputName) => Source,
): RawInputs {
  const sources = {} as Record<InputName, Source>;
  for (const name of INPUT_NAMES) sources[name] = sourceOf(name);
  return { values, sources };
}
