/**
 * The live check's output: the table of rows, the facts seen on Bitbucket today (those the
 * project's notes on Bitbucket mark unconfirmed), and a markdown version for a workflow's step
 * summary. Every value passes through the scrubber; case and aspect labels are ours and name
 * repositories and workspaces by number only.
 */
import type { Case, Plan, Subject } from "./cases.ts";
import { type Observation, plural, type Row, tally } from "./compare.ts";
import type { Scrubber } from "./scrub.ts";
import { shapeOf } from "./shape.ts";

const MARK = { match: "match", diff: "DIFF", info: "info" } as const;
const WIDTHS = { live: 32, emulator: 32 };

type Scrub = Scrubber["scrub"];

export function tableText(rows: Row[], scrub: Scrub): string {
  const cells = rows.map((r, i) => [
    i > 0 && rows[i - 1].case === r.case ? "" : r.case,
    r.aspect,
    scrub(r.live, WIDTHS.live),
    scrub(r.emulator, WIDTHS.emulator),
    MARK[r.result],
  ]);
  const header = ["case", "aspect", "Bitbucket", "emulator", "result"];
  const widths = header.map((h, col) =>
    Math.max(h.length, ...cells.map((c) => [...c[col]].length)),
  );
  const line = (c: string[]) =>
    c
      .map((cell, col) => (col < c.length - 1 ? cell.padEnd(widths[col]) : cell))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...cells.map(line)].map((l) => `  ${l}`).join("\n");
}

/** Markdown's and HTML's own characters escaped: server text stays text. */
const cell = (text: string) => text.replace(/[\\`*_{}[\]<>|#~!]/g, "\\$&");

export function markdownTable(rows: Row[], scrub: Scrub): string {
  const lines = [
    "| case | aspect | Bitbucket | emulator | result |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${cell(r.case)} | ${cell(r.aspect)} | ${cell(scrub(r.live, WIDTHS.live))} | ${cell(scrub(r.emulator, WIDTHS.emulator))} | ${r.result === "diff" ? "**DIFF**" : r.result} |`,
    ),
  ];
  return lines.join("\n");
}

export function summaryLine(rows: Row[], cases: number): string {
  const { match, diff, info } = tally(rows);
  return `${plural(cases, "case")}, ${plural(rows.length, "aspect")}: ${match} match, ${diff} differ, ${info} for information.`;
}

/**
 * What Bitbucket itself said about the facts still unconfirmed, with the date, ready to be
 * copied into the docs. Only shapes, statuses and header values (scrubbed) are shown.
 */
export function factsSeen(plan: Plan, live: Observation[], scrub: Scrub, date: string): string[] {
  const shapes = live.map((o) => (o.kind === "answer" ? shapeOf(o.response, o.text) : undefined));
  const find = (test: (c: Case) => boolean) => shapes[plan.cases.findIndex(test)];
  const user = (subject: Subject, variant: Case["variant"] = "right") =>
    find(
      (c) =>
        c.subject === subject &&
        c.variant === variant &&
        c.request.kind === "rest" &&
        c.request.path === "/user",
    );
  const lines: string[] = [`Facts seen on Bitbucket on ${date}:`];
  const fact = (label: string, value: string) => lines.push(`  ${label}: ${scrub(value, 200)}`);
  const names = { api: "API token", access: "access token" } as const;

  for (const subject of ["api", "access"] as const) {
    const answer = user(subject);
    if (!answer) continue;
    fact(
      `x-credential-type (${names[subject]})`,
      answer.credentialType ? answer.credentialType.raw : "absent",
    );
    fact(
      `x-oauth-scopes (${names[subject]})`,
      answer.scopes
        ? `${plural(answer.scopes.names.length, "name")}${answer.scopes.names.length > 1 ? `, ${answer.scopes.spacing}` : ""}${answer.scopes.commaList ? "" : " (not a comma-separated list)"}`
        : "absent",
    );
    fact(`GET /user status (${names[subject]})`, String(answer.status));
  }
  const refused = user("api", "wrong-token") ?? user("access", "wrong-token");
  if (refused?.body) {
    const { body } = refused;
    const keys = Object.entries(body.types)
      .filter(([, t]) => t !== "absent")
      .map(([k]) => k);
    fact(
      "REST 401 body (wrong token)",
      `${refused.status} ${refused.mediaType || "(no content type)"}, ${body.form}${keys.length ? ` with ${keys.join(", ")}` : ""}${body.message ? `: "${body.message}"` : ""}`,
    );
  }
  const git = find((c) => c.variant === "wrong-token" && c.request.kind === "git");
  if (git) {
    const auth = git.wwwAuthenticate ? git.wwwAuthenticate.raw : "no WWW-Authenticate";
    fact("git 401 (wrong token)", `${git.status}, ${auth}`);
  }
  const scoped = shapes.findIndex(
    (s) => s?.status === 403 && s.body?.types["error.detail"] === "object",
  );
  const detail = shapes[scoped]?.body?.types;
  fact(
    "missing-scope 403 body",
    detail
      ? `seen on "${plan.cases[scoped].name}": error.detail.required ${detail["error.detail.required"]}, granted ${detail["error.detail.granted"]}`
      : "not provoked: the token holds every scope these requests need (an access token in BITBUCKET_ACCESS_TOKEN provokes it on GET /user)",
  );
  const retry = shapes.filter((s) => s?.retryAfter).length;
  fact("Retry-After", retry ? `sent on ${retry} answers` : "not sent on any answer");
  for (const subject of ["api", "access"] as const) {
    const indexes = plan.cases.flatMap((c, i) => (c.subject === subject ? [i] : []));
    if (indexes.length === 0) continue;
    const seen = new Set(indexes.flatMap((i) => shapes[i]?.rateLimit ?? []));
    fact(
      `X-RateLimit-* (${names[subject]})`,
      seen.size ? [...seen].map((n) => `x-ratelimit-${n}`).join(", ") : "none sent",
    );
  }
  return lines;
}

/** Lines already scrubbed (the facts), as a markdown list. */
export function markdownList(lines: string[]): string {
  const [title, ...items] = lines;
  return [cell(title), "", ...items.map((l) => `- ${cell(l.trim())}`)].join("\n");
}
