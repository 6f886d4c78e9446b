/**
 * What the live contract check compares, pure: for one case, the answer Bitbucket gave and the
 * answer the emulator gave, aspect by aspect, as rows of a table. Only what the product reads is
 * a difference (status, media type, the headers src/core reads, the JSON types at the body paths
 * it reads); anything else that differs is information. Values that identify an account are never
 * compared, only their JSON types; cells still pass through the scrubber before they are shown.
 */
import type { BitbucketResponse } from "../../src/core/bitbucket/client.ts";
import { isKnownScope } from "../../src/core/inputs/scopes.ts";

/** One request's outcome on one side: an answer, or why there was none. */
export type Observation =
  | {
      kind: "answer";
      response: BitbucketResponse;
      /** The body as received; undefined when the client did not read it (git advertisements). */
      text?: string;
    }
  | { kind: "failed"; reason: string; unreachable: boolean };

export type Result = "match" | "diff" | "info";

export interface Row {
  case: string;
  aspect: string;
  live: string;
  emulator: string;
  result: Result;
}

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
const sameType = (a: string, b: string) =>
  a === b || (a.startsWith("array") && b.startsWith("array") && [a, b].includes("array (empty)"));

// ---- comparison ------------------------------------------------------------------------------

export function compareCase(name: string, live: Observation, emulator: Observation): Row[] {
  const row = (aspect: string, l: string, e: string, result: Result): Row => ({
    case: name,
    aspect,
    live: l,
    emulator: e,
    result,
  });
  if (live.kind === "failed" || emulator.kind === "failed") {
    const describe = (o: Observation) => (o.kind === "failed" ? o.reason : "answered");
    const same =
      live.kind === "failed" && emulator.kind === "failed" && live.reason === emulator.reason;
    return [row("answer", describe(live), describe(emulator), same ? "match" : "diff")];
  }
  const l = shapeOf(live.response, live.text);
  const e = shapeOf(emulator.response, emulator.text);
  const rows: Row[] = [];
  const equal = (aspect: string, a: string, b: string) =>
    rows.push(row(aspect, a, b, a === b ? "match" : "diff"));

  equal("status", String(l.status), String(e.status));
  equal("content-type", l.mediaType || "(none)", e.mediaType || "(none)");
  rows.push(...scopeRows(l.scopes, e.scopes).map((r) => ({ ...r, case: name })));

  if (l.credentialType || e.credentialType) {
    const lv = l.credentialType?.value ?? "absent";
    const ev = e.credentialType?.value ?? "absent";
    if (lv !== ev) rows.push(row("x-credential-type", lv, ev, "diff"));
    else if (l.credentialType?.raw.trim() !== e.credentialType?.raw.trim())
      rows.push(
        row("x-credential-type", l.credentialType?.raw ?? "", e.credentialType?.raw ?? "", "info"),
      );
    else rows.push(row("x-credential-type", lv, ev, "match"));
  }
  if (l.accepted || e.accepted) {
    const show = (a?: string[]) => (a ? a.join(", ") || "(empty)" : "absent");
    const result =
      !l.accepted || !e.accepted
        ? "diff"
        : show(l.accepted) === show(e.accepted)
          ? "match"
          : "info";
    rows.push(row("x-accepted-oauth-scopes", show(l.accepted), show(e.accepted), result));
  }
  if (l.retryAfter || e.retryAfter) {
    const show = (present: boolean) => (present ? "present" : "absent");
    equal("retry-after", show(l.retryAfter), show(e.retryAfter));
  }
  if (l.rateLimit.length > 0 || e.rateLimit.length > 0) {
    const show = (names: string[]) => (names.length ? names.join(", ") : "none");
    equal("x-ratelimit-*", show(l.rateLimit), show(e.rateLimit));
  }
  if (l.wwwAuthenticate || e.wwwAuthenticate) {
    const lv = l.wwwAuthenticate?.scheme ?? "absent";
    const ev = e.wwwAuthenticate?.scheme ?? "absent";
    if (lv !== ev) rows.push(row("www-authenticate", lv, ev, "diff"));
    else if (l.wwwAuthenticate?.raw !== e.wwwAuthenticate?.raw)
      rows.push(
        row("www-authenticate", l.wwwAuthenticate?.raw ?? "", e.wwwAuthenticate?.raw ?? "", "info"),
      );
    else rows.push(row("www-authenticate", lv, ev, "match"));
  }
  if (l.body && e.body) rows.push(...bodyRows(l.body, e.body).map((r) => ({ ...r, case: name })));
  return rows;
}

function scopeRows(l?: ScopeHeader, e?: ScopeHeader): Row[] {
  if (!l && !e) return [];
  const row = (aspect: string, live: string, emulator: string, result: Result): Row => ({
    case: "",
    aspect,
    live,
    emulator,
    result,
  });
  const describe = (s?: ScopeHeader) =>
    !s ? "absent" : s.commaList ? plural(s.names.length, "name") : "not a comma-separated list";
  if (!l || !e || l.commaList !== e.commaList)
    return [row("x-oauth-scopes", describe(l), describe(e), "diff")];
  const rows: Row[] = [];
  const lNames = l.names.join(", ");
  const eNames = e.names.join(", ");
  rows.push(
    lNames === eNames
      ? row("x-oauth-scopes", describe(l), describe(e), "match")
      : row("x-oauth-scopes", lNames || "(empty)", eNames || "(empty)", "diff"),
  );
  // Names must be ones src/core/inputs/scopes.ts knows, whatever the emulator was told.
  if (l.unknown.length > 0 || e.unknown.length > 0) {
    const show = (s: ScopeHeader) =>
      s.unknown.length ? `unknown: ${s.unknown.join(", ")}` : "all known";
    rows.push(row("x-oauth-scopes names", show(l), show(e), "diff"));
  }
  if (l.spacing !== e.spacing)
    rows.push(row("x-oauth-scopes spacing", l.spacing, e.spacing, "info"));
  return rows;
}

function bodyRows(l: BodyShape, e: BodyShape): Row[] {
  const row = (aspect: string, live: string, emulator: string, result: Result): Row => ({
    case: "",
    aspect,
    live,
    emulator,
    result,
  });
  const rows: Row[] = [row("body", l.form, e.form, l.form === e.form ? "match" : "diff")];
  if (l.form === "json" && e.form === "json") {
    if (l.typeValue !== undefined || e.typeValue !== undefined) {
      const lv = l.typeValue ?? "absent";
      const ev = e.typeValue ?? "absent";
      rows.push(row("body type", lv, ev, lv === ev ? "match" : "diff"));
    }
    const read = READ_PATHS.filter((p) => l.types[p] !== "absent" || e.types[p] !== "absent");
    const differing = read.filter((p) => !sameType(l.types[p], e.types[p]));
    for (const path of differing)
      rows.push(row(`body ${path}`, l.types[path], e.types[path], "diff"));
    if (differing.length === 0) {
      const keys = read.join(", ") || "none";
      rows.push(row("body keys read", keys, keys, "match"));
    }
    const onlyLive = l.otherKeys.filter((k) => !e.otherKeys.includes(k));
    const onlyEmulator = e.otherKeys.filter((k) => !l.otherKeys.includes(k));
    if (onlyLive.length > 0 || onlyEmulator.length > 0) {
      const show = (keys: string[]) => (keys.length ? `only here: ${keys.join(", ")}` : "-");
      rows.push(row("body other keys", show(onlyLive), show(onlyEmulator), "info"));
    }
  }
  if ((l.message !== undefined || e.message !== undefined) && l.message !== e.message)
    rows.push(row("body message", l.message ?? "(none)", e.message ?? "(none)", "info"));
  return rows;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What a set of rows adds up to. */
export function tally(rows: Row[]): Record<Result, number> {
  const counts: Record<Result, number> = { match: 0, diff: 0, info: 0 };
  for (const r of rows) counts[r.result]++;
  return counts;
}
