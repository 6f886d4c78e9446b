import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { parseRetryAfter } from "../../src/core/checks/bitbucket.ts";
import { parseExpiryDate } from "../../src/core/checks/expiry.ts";
import { UnfitError } from "../../src/core/errors.ts";
import {
  configure,
  cutBlocks,
  type GitCredential,
  type GitEnvironment,
  remove,
} from "../../src/core/git/git-credentials.ts";
import { parseScopeHeader, splitList } from "../../src/core/inputs/scopes.ts";
import { parseSettings, type RawInputs, withDefaults } from "../../src/core/inputs/settings.ts";
import { apiToken, EMAIL, NOW, randomChars } from "./fixtures.ts";

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
  const settingsWith = (repositories: string) =>
    parseSettings(
      { ...withDefaults({ email: EMAIL, "api-token": token }), repositories } satisfies RawInputs,
      NOW,
    );

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
          try {
            settingsWith(entries.join(sep));
          } catch (error) {
            assert.ok(error instanceof UnfitError);
            assert.deepEqual(
              error.problems.map((p) => p.subject),
              ["repositories"],
            );
            assert.ok(error.problems[0].message.includes(`"${bad}"`), error.problems[0].message);
            return;
          }
          assert.fail(`accepted ${JSON.stringify(bad)}`);
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
          assert.ok(parsed instanceof Date, `${day}: ${String(parsed)}`);
          assert.equal(parsed.toISOString(), `${day}T00:00:00.000Z`);
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
          assert.ok(parsed instanceof Date, raw);
          assert.equal(parsed.getTime(), ms, raw);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("cutBlocks restores the original config text", () => {
  let root: string;
  let n = 0;
  const credential = (): GitCredential => ({
    gitUrl: new URL("https://bitbucket.org"),
    authorization: `Basic ${Buffer.from(`x-bitbucket-api-token-auth:ATATT3xFfGF0${randomChars(40)}`).toString("base64")}`,
    rewriteSshUrls: false,
  });
  const freshPlaces = async (): Promise<GitEnvironment & { gitconfig: string }> => {
    const base = join(root, String(n++));
    const home = join(base, "home");
    await mkdir(home, { recursive: true });
    return { home, tempDir: join(base, "tmp"), env: {}, gitconfig: join(home, ".gitconfig") };
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bb-unit-prop-"));
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** Config-like text: brackets, quotes, tabs, CR and LF, plus arbitrary code points. */
  const configText = fc.oneof(
    fc.string({
      unit: fc.constantFrom(
        "\n",
        "\r\n",
        "\r",
        "\t",
        " ",
        "[",
        "]",
        "#",
        ";",
        "=",
        '"',
        "\\",
        "a",
        "z",
        "0",
        "é",
        "\u{1F600}",
      ),
      maxLength: 80,
    }),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.constant(""),
  );

  it("for a block appended the way configure appends it (pure)", async () => {
    // Capture the exact block configure appends to a non-empty file, once.
    const places = await freshPlaces();
    await writeFile(places.gitconfig, "x");
    const configured = await configure(credential(), places, "0123456789abcdef");
    const block = (await readFile(places.gitconfig, "utf8")).slice("x\n".length);
    assert.ok(block.startsWith("# bitbucket-api-token-auth 0123456789abcdef begin:"));

    fc.assert(
      fc.property(configText, (original) => {
        const text = original === "" ? block : `${original}\n${block}`;
        const { kept, blocks } = cutBlocks(text);
        assert.equal(kept, original);
        assert.deepEqual(blocks, [{ includePath: configured.credentialFile, createdFile: false }]);
        assert.equal(cutBlocks(text, "0123456789abcdef").kept, original);
        assert.equal(cutBlocks(text, "fedcba9876543210").kept, text);
      }),
      { numRuns: 1000 },
    );
  });

  it("through configure() and remove() on real files, byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(configText, fc.boolean(), async (original, twice) => {
        const places = await freshPlaces();
        const before = Buffer.from(original, "utf8");
        await writeFile(places.gitconfig, before);
        const first = await configure(credential(), places);
        if (twice) await configure(credential(), places);
        const removal = await remove(places, twice ? undefined : first.id);
        assert.equal(removal.found, twice ? 2 : 1);
        assert.deepEqual(await readFile(places.gitconfig), before);
      }),
      { numRuns: 60 },
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
