/**
 * What the product can see in one answer, reduced to shapes: status, media type, the headers
 * src/core reads (x-oauth-scopes parsed as the product parses it), and the JSON type at each body
 * path it reads. Identifying values (uuid, account_id, names) are kept only as their JSON types.
 * Pure.
 */
import type { BitbucketResponse } from "../../src/core/bitbucket/client.ts";
import { isKnownScope } from "../../src/core/inputs/scopes.ts";

/** Body paths src/core reads (read.ts, verdict.ts): their JSON types must agree. */
export const READ_PATHS = [
  "type",
  "uuid",
  "account_id",
  "username",
  "nickname",
  "display_name",
  "error",
  "error.message",
  "error.detail",
  "error.detail.required",
  "error.detail.granted",
] as const;

const RATE_LIMIT_HEADERS = ["limit", "resource", "nearlimit"] as const;

export interface ScopeHeader {
  names: string[];
  /** Every item is one name: the product splits on commas only. */
  commaList: boolean;
  /** How the names are separated: `separated by ", "`, "unevenly spaced", "a single item". */
  spacing: string;
  unknown: string[];
}

/** What the product can see in one answer, with identifying values reduced to their types. */
export interface Shape {
  status: number;
  mediaType: string;
  scopes?: ScopeHeader;
  credentialType?: { value: string; raw: string };
  accepted?: string[];
  retryAfter: boolean;
  rateLimit: string[];
  wwwAuthenticate?: { scheme: string; raw: string };
  /** Undefined when the body was not read. */
  body?: BodyShape;
}

export interface BodyShape {
  form: "json" | "text" | "empty";
  /** JSON type at each of READ_PATHS ("absent" when missing). */
  types: Record<string, string>;
  /** Keys at the top level and under `error`, other than READ_PATHS. */
  otherKeys: string[];
  /** The value of `type`, a discriminator ("user", "error"), not an identifier. */
  typeValue?: string;
  /** error.message, or the first line of a text body: shown as information only. */
  message?: string;
}

export function shapeOf(response: BitbucketResponse, text?: string): Shape {
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const credentialType = header("x-credential-type");
  const accepted = header("x-accepted-oauth-scopes");
  const authenticate = header("www-authenticate");
  const scopes = response.headers["x-oauth-scopes"];
  return {
    status: response.status,
    mediaType: mediaType(header("content-type")),
    scopes: scopes === undefined ? undefined : scopeHeader(scopes),
    credentialType:
      credentialType === undefined
        ? undefined
        : { value: credentialType.trim().toLowerCase(), raw: credentialType },
    accepted: accepted === undefined ? undefined : splitNames(accepted),
    retryAfter: header("retry-after") !== undefined,
    rateLimit: RATE_LIMIT_HEADERS.filter((n) => header(`x-ratelimit-${n}`) !== undefined),
    wwwAuthenticate:
      authenticate === undefined
        ? undefined
        : { scheme: authenticate.trim().split(/\s+/)[0].toLowerCase(), raw: authenticate },
    body: text === undefined ? undefined : bodyShape(response, text),
  };
}

export const mediaType = (value: string | undefined): string =>
  (value ?? "").split(";")[0].trim().toLowerCase();

const splitNames = (value: string): string[] =>
  value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

export function scopeHeader(value: string | string[]): ScopeHeader {
  const raw = Array.isArray(value) ? value.join(",") : value;
  const items = raw.split(",").map((s) => s.trim());
  const names = [...new Set(splitNames(raw))].sort();
  const separators = [...new Set(raw.match(/\s*,\s*/g) ?? [])];
  const spacing =
    separators.length === 0
      ? "a single item"
      : separators.length === 1
        ? `separated by "${separators[0]}"`
        : "unevenly spaced";
  return {
    names,
    commaList: items.every((item) => !/\s/.test(item)),
    spacing,
    unknown: names.filter((n) => !isKnownScope(n)),
  };
}

function bodyShape(response: BitbucketResponse, text: string): BodyShape {
  if (response.notJson || (response.json === undefined && text.trim() !== "")) {
    const firstLine = text.trim().split(/\r?\n/)[0];
    return { form: "text", types: {}, otherKeys: [], message: firstLine };
  }
  if (response.json === undefined) return { form: "empty", types: {}, otherKeys: [] };
  const json = response.json;
  const types: Record<string, string> = {};
  for (const path of READ_PATHS) types[path] = jsonType(at(json, path));
  const keysOf = (value: unknown, prefix: string) =>
    isObject(value) ? Object.keys(value).map((k) => `${prefix}${k}`) : [];
  const otherKeys = [...keysOf(json, ""), ...keysOf(at(json, "error"), "error.")]
    .filter((k) => !(READ_PATHS as readonly string[]).includes(k))
    .sort();
  const type = at(json, "type");
  const message = at(json, "error.message");
  return {
    form: "json",
    types,
    otherKeys,
    typeValue: typeof type === "string" ? type : undefined,
    message: typeof message === "string" ? message : undefined,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function at(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split(".")) here = isObject(here) ? here[key] : undefined;
  return here;
}

/** A JSON type; arrays say what they hold, since `detail.required` must hold names. */
export function jsonType(value: unknown): string {
  if (value === undefined) return "absent";
  if (value === null) return "null";
  if (!Array.isArray(value)) return typeof value;
  if (value.length === 0) return "array (empty)";
  const inner = [...new Set(value.map(jsonType))].sort().join("|");
  return `array of ${inner}`;
}

/** An empty array says nothing about what it would hold: it agrees with any array. */
export const sameType = (a: string, b: string) =>
  a === b || (a.startsWith("array") && b.startsWith("array") && [a, b].includes("array (empty)"));
