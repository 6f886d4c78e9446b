// Property tests of the pure parsers. The git credential properties are in git-properties.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseRetryAfter } from "../../src/core/bitbucket/client.ts";
import { parseExpiryDate } from "../../src/core/inputs/dates.ts";
import { INPUT_NAMES, type InputName, rawInputs } from "../../src/core/inputs/names.ts";
import { parseScopeHeader, splitList } from "../../src/core/inputs/scopes.ts";
import { parseSettings, type Settings } from "../../src/core/inputs/settings.ts";
import { problem, render } from "../../src/core/messages/index.ts";
import { type FrontEnd, type Medium, rendererFor } from "../../src/core/render/renderer.ts";
import { accessToken, apiToken, EMAIL, NOW } from "./fixtures.ts";

/** Text rich in the characters that matter to the parsers, plus arbitrary code points. */
const listText = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      " ",
      ",",
      "\n",
      "\r",
      "\t",
      "\u00a0",
      "\u2028",
      "\ufeff",
      "a",
      "B",
      ":",
      "-",
      "é",
      "İ",
      "/",
    ),
    maxLength: 40,
  }),
  fc.string({ unit: "binary", maxLength: 40 }),
);

describe("splitList", () => {
  it("never returns empty, whitespace or comma-bearing items; is idempotent on re-joined output", () => {
    fc.assert(
      fc.property(listText, fc.constantFrom(" ", ",", "\n", ", ", " \r\n "), (raw, separator) => {
        const items = splitList(raw);
        for (const item of items) {
          assert.notEqual(item, "");
          assert.equal(item.trim(), item);
          assert.doesNotMatch(item, /[\s,]/);
          assert.equal(item, item.toLowerCase());
        }
        assert.deepEqual(splitList(items.join(separator)), items);
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseScopeHeader", () => {
  it("never returns empty or untrimmed items or duplicates; is idempotent on re-joined output", () => {
    fc.assert(
      fc.property(listText, fc.constantFrom(",", " , ", ",\t"), (raw, separator) => {
        const items = parseScopeHeader(raw);
        for (const item of items) {
          assert.notEqual(item, "");
          assert.equal(item.trim(), item);
          assert.equal(item.includes(","), false);
        }
        assert.equal(new Set(items).size, items.length);
        assert.deepEqual(parseScopeHeader(items.join(separator)), items);
      }),
      { numRuns: 500 },
    );
  });

  it("reads the array form as the comma-joined header", () => {
    fc.assert(
      fc.property(fc.array(listText, { maxLength: 5 }), (parts) => {
        assert.deepEqual(parseScopeHeader(parts), parseScopeHeader(parts.join(",")));
      }),
    );
  });
});

describe("repository lists", () => {
  const token = apiToken();
  const parse = (repositories: string) =>
    parseSettings(
      rawInputs({ email: EMAIL, "api-token": token, repositories }, () => ({ kind: "input" })),
      NOW,
    );
  const settingsWith = (repositories: string): Settings => {
    const parsed = parse(repositories);
    if (parsed.problems) assert.fail(JSON.stringify(parsed.problems));
    return parsed.settings;
  };

  const slug = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/).filter((s) => !s.endsWith(".git"));
  const repo = fc.record({ workspace: slug, slug });
  const separator = fc.constantFrom(" ", ",", "\n", ", ", " \n\t", "\r\n");

  it("accepts any list of valid workspace/slug entries, de-duplicated in order", () => {
    fc.assert(
      fc.property(fc.array(repo, { minLength: 1, maxLength: 8 }), separator, (repos, sep) => {
        const settings = settingsWith(
          `${sep}${repos.map((r) => `${r.workspace}/${r.slug}`).join(sep)}${sep}`,
        );
        const expected = new Map(
          repos.map((r) => [
            `${r.workspace}/${r.slug}`,
            { ...r, fullName: `${r.workspace}/${r.slug}` },
          ]),
        );
        assert.deepEqual(settings.repositories, [...expected.values()]);
      }),
      { numRuns: 200 },
    );
  });

  // Entries without exactly one slash: one segment, or three or more (segments may be empty).
  const segment = fc.stringMatching(/^[a-z0-9._-]{0,8}$/);
  const badEntry = fc
    .oneof(
      fc.array(segment, { minLength: 1, maxLength: 1 }),
      fc.array(segment, { minLength: 3, maxLength: 5 }),
    )
    .map((segments) => segments.join("/"))
    .filter((entry) => entry !== "");

  it("rejects every entry without exactly one slash, naming it", () => {
    fc.assert(
      fc.property(
        fc.array(repo, { maxLength: 4 }),
        badEntry,
        fc.nat(),
        separator,
        (repos, bad, at, sep) => {
          const entries = repos.map((r) => `${r.workspace}/${r.slug}`);
          entries.splice(at % (entries.length + 1), 0, bad);
          const parsed = parse(entries.join(sep));
          assert.deepEqual(parsed.problems, [
            problem("repositories-malformed", { entries: [bad] }),
          ]);
          const { text } = render(parsed.problems[0], rendererFor("action", "plain"));
          assert.ok(text.includes(`"${bad}"`), text);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseExpiryDate", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

  it("accepts every real YYYY-MM-DD from 1970 to 9999 and round-trips it", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1970-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          const parsed = parseExpiryDate(day);
          assert.ok(typeof parsed !== "string", `${day}: ${parsed}`);
          assert.equal(parsed.at.toISOString(), `${day}T00:00:00.000Z`);
          assert.equal(parsed.dateOnly, true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects every impossible month or day", () => {
    const impossible = fc.integer({ min: 1970, max: 9999 }).chain((year) =>
      fc.oneof(
        fc.record({
          year: fc.constant(year),
          month: fc.constantFrom(0, 13, 14, 20, 99),
          day: fc.integer({ min: 1, max: 28 }),
        }),
        fc.integer({ min: 1, max: 12 }).chain((month) =>
          fc.record({
            year: fc.constant(year),
            month: fc.constant(month),
            day: fc.oneof(fc.constant(0), fc.integer({ min: daysIn(year, month) + 1, max: 99 })),
          }),
        ),
      ),
    );
    fc.assert(
      fc.property(impossible, fc.boolean(), ({ year, month, day }, withTime) => {
        const raw = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${withTime ? "T12:00:00Z" : ""}`;
        assert.equal(parseExpiryDate(raw), "is not a real calendar date", raw);
      }),
      { numRuns: 500 },
    );
  });

  it("reads any timestamp with any whole-quarter-hour offset as the same instant", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(9998, 0, 1) })
          .map((ms) => Math.floor(ms / 1000) * 1000),
        fc.integer({ min: -14 * 4, max: 14 * 4 }).map((q) => q * 15),
        (ms, offsetMinutes) => {
          const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const abs = Math.abs(offsetMinutes);
          const raw = `${local}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
          const parsed = parseExpiryDate(raw);
          assert.ok(typeof parsed !== "string", raw);
          assert.equal(parsed.at.getTime(), ms, raw);
          assert.equal(parsed.dateOnly, false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds, with or without surrounding whitespace", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom("", " ", "\t"),
        fc.integer({ min: 0, max: 4e12 }),
        (seconds, ws, now) => {
          assert.equal(parseRetryAfter(`${ws}${seconds}${ws}`, now), seconds * 1000);
        },
      ),
    );
  });

  it("reads any IMF-fixdate as the delay from now, clamped at 0", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
        (epochSeconds, now) => {
          const at = epochSeconds * 1000;
          const value = new Date(at).toUTCString();
          assert.match(value, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
          assert.equal(parseRetryAfter(value, now), Math.max(0, at - now));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseSettings on arbitrary inputs", () => {
  const FRONT_ENDS: FrontEnd[] = ["action", "command", "pipe"];
  const MEDIA: Medium[] = ["plain", "markdown"];
  const anyText = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.constantFrom("", " ", "true", "0", "-1", "1e3", "NaN", "Infinity", "2026-02-30", "acme/app"),
  );
  const anyValues = fc.dictionary(fc.constantFrom(...INPUT_NAMES), anyText);

  it("never throws: settings, or at least one problem that renders everywhere without the token", () => {
    for (const token of [apiToken(), accessToken()]) {
      fc.assert(
        fc.property(anyValues, (values) => {
          const given = { email: EMAIL, ...values, "api-token": token } as Partial<
            Record<InputName, string>
          >;
          const raw = rawInputs(given, () => ({ kind: "input" }));
          const parsed = parseSettings(raw, NOW);
          if (!parsed.problems) {
            assert.equal(parsed.settings.credential.token, token);
            return;
          }
          assert.ok(parsed.problems.length > 0);
          for (const p of parsed.problems) {
            for (const frontEnd of FRONT_ENDS) {
              for (const medium of MEDIA) {
                const { text, fix } = render(p, rendererFor(frontEnd, medium, raw));
                assert.ok(text.length > 0 && !text.includes(token));
                assert.ok(!fix?.includes(token));
              }
            }
          }
        }),
        { numRuns: 300 },
      );
    }
  });
});
