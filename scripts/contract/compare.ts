/**
 * What the live contract check compares, pure: for one case, the answer Bitbucket gave and the
 * answer the emulator gave, aspect by aspect, as rows of a table. Only what the product reads is
 * a difference (status, media type, the headers src/core reads, the JSON types at the body paths
 * it reads); anything else that differs is information. Values that identify an account are never
 * compared, only their JSON types (shape.ts); cells still pass the scrubber before being shown.
 */
import type { BitbucketResponse } from "../../src/core/bitbucket/client.ts";
import { type BodyShape, READ_PATHS, type ScopeHeader, sameType, shapeOf } from "./shape.ts";

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

type Aspect = Omit<Row, "case">;
const aspect = (name: string, live: string, emulator: string, result: Result): Aspect => ({
  aspect: name,
  live,
  emulator,
  result,
});
/** Equal values match, others differ. */
const equal = (name: string, live: string, emulator: string) =>
  aspect(name, live, emulator, live === emulator ? "match" : "diff");
const presence = (present: boolean) => (present ? "present" : "absent");

export function compareCase(name: string, live: Observation, emulator: Observation): Row[] {
  return aspects(live, emulator).map((a) => ({ case: name, ...a }));
}

function aspects(live: Observation, emulator: Observation): Aspect[] {
  if (live.kind === "failed" || emulator.kind === "failed") {
    const describe = (o: Observation) => (o.kind === "failed" ? o.reason : "answered");
    return [equal("answer", describe(live), describe(emulator))];
  }
  const l = shapeOf(live.response, live.text);
  const e = shapeOf(emulator.response, emulator.text);
  const rows: Aspect[] = [
    equal("status", String(l.status), String(e.status)),
    equal("content-type", l.mediaType || "(none)", e.mediaType || "(none)"),
    ...scopeAspects(l.scopes, e.scopes),
  ];
  if (l.credentialType || e.credentialType)
    rows.push(valueThenRaw("x-credential-type", l.credentialType, e.credentialType));
  if (l.accepted || e.accepted) {
    const show = (a?: string[]) => (a ? a.join(", ") || "(empty)" : "absent");
    // Its presence is a documented fact; its names are not read by the product.
    const result =
      !l.accepted || !e.accepted
        ? "diff"
        : show(l.accepted) === show(e.accepted)
          ? "match"
          : "info";
    rows.push(aspect("x-accepted-oauth-scopes", show(l.accepted), show(e.accepted), result));
  }
  if (l.retryAfter || e.retryAfter)
    rows.push(equal("retry-after", presence(l.retryAfter), presence(e.retryAfter)));
  if (l.rateLimit.length > 0 || e.rateLimit.length > 0) {
    const show = (names: string[]) => (names.length ? names.join(", ") : "none");
    rows.push(equal("x-ratelimit-*", show(l.rateLimit), show(e.rateLimit)));
  }
  if (l.wwwAuthenticate || e.wwwAuthenticate) {
    const scheme = (w?: { scheme: string; raw: string }) => w && { value: w.scheme, raw: w.raw };
    rows.push(
      valueThenRaw("www-authenticate", scheme(l.wwwAuthenticate), scheme(e.wwwAuthenticate)),
    );
  }
  if (l.body && e.body) rows.push(...bodyAspects(l.body, e.body));
  return rows;
}

/** The normalised value must agree (diff); the raw text may differ (info: case, a realm). */
function valueThenRaw(
  name: string,
  l?: { value: string; raw: string },
  e?: { value: string; raw: string },
): Aspect {
  const lv = l?.value ?? "absent";
  const ev = e?.value ?? "absent";
  if (lv !== ev) return aspect(name, lv, ev, "diff");
  if (l?.raw.trim() !== e?.raw.trim()) return aspect(name, l?.raw ?? "", e?.raw ?? "", "info");
  return aspect(name, lv, ev, "match");
}

function scopeAspects(l?: ScopeHeader, e?: ScopeHeader): Aspect[] {
  if (!l && !e) return [];
  const describe = (s?: ScopeHeader) =>
    !s ? "absent" : s.commaList ? plural(s.names.length, "name") : "not a comma-separated list";
  if (!l || !e || l.commaList !== e.commaList)
    return [aspect("x-oauth-scopes", describe(l), describe(e), "diff")];
  const lNames = l.names.join(", ");
  const eNames = e.names.join(", ");
  const rows = [
    lNames === eNames
      ? aspect("x-oauth-scopes", describe(l), describe(e), "match")
      : aspect("x-oauth-scopes", lNames || "(empty)", eNames || "(empty)", "diff"),
  ];
  // Names must be ones src/core/inputs/scopes.ts knows, whatever the emulator was told.
  if (l.unknown.length > 0 || e.unknown.length > 0) {
    const show = (s: ScopeHeader) =>
      s.unknown.length ? `unknown: ${s.unknown.join(", ")}` : "all known";
    rows.push(aspect("x-oauth-scopes names", show(l), show(e), "diff"));
  }
  if (l.spacing !== e.spacing)
    rows.push(aspect("x-oauth-scopes spacing", l.spacing, e.spacing, "info"));
  return rows;
}

function bodyAspects(l: BodyShape, e: BodyShape): Aspect[] {
  const rows = [equal("body", l.form, e.form)];
  if (l.form === "json" && e.form === "json") {
    if (l.typeValue !== undefined || e.typeValue !== undefined)
      rows.push(equal("body type", l.typeValue ?? "absent", e.typeValue ?? "absent"));
    const read = READ_PATHS.filter((p) => l.types[p] !== "absent" || e.types[p] !== "absent");
    const differing = read.filter((p) => !sameType(l.types[p], e.types[p]));
    for (const path of differing)
      rows.push(aspect(`body ${path}`, l.types[path], e.types[path], "diff"));
    if (differing.length === 0) {
      const keys = read.join(", ") || "none";
      rows.push(aspect("body keys read", keys, keys, "match"));
    }
    const onlyLive = l.otherKeys.filter((k) => !e.otherKeys.includes(k));
    const onlyEmulator = e.otherKeys.filter((k) => !l.otherKeys.includes(k));
    if (onlyLive.length > 0 || onlyEmulator.length > 0) {
      const show = (keys: string[]) => (keys.length ? `only here: ${keys.join(", ")}` : "-");
      rows.push(aspect("body other keys", show(onlyLive), show(onlyEmulator), "info"));
    }
  }
  if ((l.message !== undefined || e.message !== undefined) && l.message !== e.message)
    rows.push(aspect("body message", l.message ?? "(none)", e.message ?? "(none)", "info"));
  return rows;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a set of rows adds up to. */
export function tally(rows: Row[]): Record<Result, number> {
  const counts: Record<Result, number> = { match: 0, diff: 0, info: 0 };
  for (const r of rows) counts[r.result]++;
  return counts;
}
