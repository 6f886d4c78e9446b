import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type ExpiryDate,
  isBeyondMaxLifetime,
  judgeExpiry,
  parseExpiryDate,
} from "../../src/core/inputs/dates.ts";
import { rawInputs } from "../../src/core/inputs/names.ts";
import { parseSettings } from "../../src/core/inputs/settings.ts";
import { problem } from "../../src/core/messages/index.ts";
import { apiToken, EMAIL, NOW } from "./fixtures.ts";

const DAY = 24 * 60 * 60 * 1000;
const FORM = "is not a date in the form YYYY-MM-DD or an ISO 8601 timestamp with a time zone";

function date(raw: string): ExpiryDate {
  const parsed = parseExpiryDate(raw);
  assert.ok(typeof parsed !== "string", `${raw}: ${parsed}`);
  return parsed;
}

const instant = (at: Date): ExpiryDate => ({ at, dateOnly: false });
const day = (iso: string): ExpiryDate => ({ at: new Date(`${iso}T00:00:00.000Z`), dateOnly: true });

describe("parseExpiryDate", () => {
  it("reads a date alone as that day (its start, UTC), marked dateOnly", () => {
    assert.deepEqual(date("2026-12-31"), day("2026-12-31"));
    assert.deepEqual(date("2028-02-29"), day("2028-02-29"));
    assert.equal(date("2026-01-01").at.getTime(), Date.UTC(2026, 0, 1));
  });

  it("reads timestamps with Z and with offsets, not dateOnly", () => {
    const cases: [string, string][] = [
      ["2026-12-31T10:00:00Z", "2026-12-31T10:00:00.000Z"],
      ["2026-12-31T10:00Z", "2026-12-31T10:00:00.000Z"],
      ["2026-12-31T10:00:00.250Z", "2026-12-31T10:00:00.250Z"],
      ["2026-12-31T10:00:00+02:00", "2026-12-31T08:00:00.000Z"],
      ["2026-12-31T10:00:00-05:30", "2026-12-31T15:30:00.000Z"],
      ["2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"],
      ["2026-12-31T10:00+0200", "2026-12-31T08:00:00.000Z"],
    ];
    for (const [raw, iso] of cases) assert.deepEqual(date(raw), instant(new Date(iso)), raw);
  });

  it("rejects timestamps without a zone and other forms", () => {
    for (const raw of [
      "2026-12-31T10:00:00",
      "2026-12-31T10:00",
      "2026-12-31 10:00:00Z",
      "31/12/2026",
      "12/31/2026",
      "2026/12/31",
      "2026-1-5",
      "26-12-31",
      "20261231",
      "Dec 31 2026",
      "",
      " 2026-12-31",
      "2026-12-31\n",
      "2026-12-31T10:00:00+2",
    ]) {
      assert.equal(parseExpiryDate(raw), FORM, JSON.stringify(raw));
    }
  });

  it("rejects impossible calendar dates instead of rolling them over", () => {
    for (const raw of [
      "2026-02-29",
      "2026-02-30",
      "2026-04-31",
      "2026-13-01",
      "2026-00-10",
      "2026-01-00",
      "2026-01-32",
      "2026-02-30T10:00:00Z",
    ]) {
      assert.equal(parseExpiryDate(raw), "is not a real calendar date", raw);
    }
  });

  it("rejects timestamps whose time of day is impossible", () => {
    for (const raw of ["2026-12-31T25:00Z", "2026-12-31T10:60:00Z", "2026-12-31T10:00:60Z"]) {
      assert.equal(parseExpiryDate(raw), "is not a real date and time", raw);
    }
  });

  it("parseSettings refuses an impossible time instead of keeping an Invalid Date", () => {
    const parsed = parseSettings(
      rawInputs(
        { email: EMAIL, "api-token": apiToken(), "expires-at": "2026-12-31T25:00Z" },
        () => ({ kind: "input" }),
      ),
      NOW,
    );
    assert.deepEqual(parsed.problems, [
      problem("expires-at-invalid", {
        value: "2026-12-31T25:00Z",
        reason: "is not a real date and time",
      }),
    ]);
  });

  it("reads years before 100 as themselves", () => {
    assert.equal(date("0050-01-01").at.toISOString().slice(0, 10), "0050-01-01");
  });
});

describe("isBeyondMaxLifetime", () => {
  it("allows up to 366 days ahead, exactly", () => {
    const ahead = (ms: number) => instant(new Date(NOW.getTime() + ms));
    assert.equal(isBeyondMaxLifetime(ahead(366 * DAY), NOW), false);
    assert.equal(isBeyondMaxLifetime(ahead(366 * DAY + 1), NOW), true);
    assert.equal(isBeyondMaxLifetime(ahead(-1000 * DAY), NOW), false);
  });

  it("measures a date-only expiry from the start of its day", () => {
    // NOW is 2026-08-15T12:00Z: 2027-08-16T00:00Z is 365.5 days away, 2027-08-17 366.5.
    assert.equal(isBeyondMaxLifetime(day("2027-08-16"), NOW), false);
    assert.equal(isBeyondMaxLifetime(day("2027-08-17"), NOW), true);
  });
});

describe("judgeExpiry: timestamps, to the millisecond", () => {
  const at = (ms: number) => instant(new Date(NOW.getTime() + ms));

  it("is unknown without a date", () => {
    assert.deepEqual(judgeExpiry(undefined, NOW, 14), { status: "unknown" });
  });

  it("exactly at the expiry instant the token is expired", () => {
    assert.deepEqual(judgeExpiry(at(0), NOW, 14), {
      status: "expired",
      day: "2026-08-15",
      daysLeft: 0,
    });
  });

  it("one millisecond before expiry it is not expired (but warned)", () => {
    assert.deepEqual(judgeExpiry(at(1), NOW, 14), {
      status: "warn",
      day: "2026-08-15",
      daysLeft: 0,
    });
  });

  it("a timestamp later today is never 'today': that status is for dates", () => {
    assert.equal(judgeExpiry(at(DAY / 4), NOW, 14).status, "warn");
    assert.equal(judgeExpiry(at(DAY / 4), NOW, 0).status, "ok");
  });

  it("after expiry daysLeft is negative", () => {
    assert.equal(judgeExpiry(at(-1), NOW, 14).daysLeft, -1);
    assert.equal(judgeExpiry(at(-1), NOW, 14).status, "expired");
    assert.equal(judgeExpiry(at(-3 * DAY), NOW, 14).daysLeft, -3);
    assert.equal(judgeExpiry(at(-3 * DAY - 1), NOW, 14).daysLeft, -4);
  });

  it("warns while fewer than warningDays whole days are left", () => {
    assert.deepEqual(judgeExpiry(at(14 * DAY), NOW, 14), {
      status: "ok",
      day: "2026-08-29",
      daysLeft: 14,
    });
    assert.deepEqual(judgeExpiry(at(14 * DAY - 1), NOW, 14), {
      status: "warn",
      day: "2026-08-29",
      daysLeft: 13,
    });
    assert.equal(judgeExpiry(at(15 * DAY - 1), NOW, 14).status, "ok");
    assert.equal(judgeExpiry(at(1 * DAY), NOW, 1).status, "ok");
    assert.equal(judgeExpiry(at(1 * DAY - 1), NOW, 1).status, "warn");
  });

  it("warningDays 0 never warns, however close", () => {
    for (const ms of [1, 1000, DAY - 1, DAY, 10 * DAY]) {
      assert.equal(judgeExpiry(at(ms), NOW, 0).status, "ok", String(ms));
    }
    assert.equal(judgeExpiry(at(0), NOW, 0).status, "expired");
  });

  it("names the UTC day of the instant", () => {
    // 23:30 at -01:00 on the 31st is 00:30 UTC on the 1st.
    assert.equal(judgeExpiry(date("2026-12-31T23:30:00-01:00"), NOW, 14).day, "2027-01-01");
  });
});

describe("judgeExpiry: dates, by whole UTC days", () => {
  it("today is 'today' (a warning), whatever the hour and warningDays", () => {
    const today = day("2026-08-15");
    for (const now of [
      "2026-08-15T00:00:00.000Z",
      "2026-08-15T12:00:00.000Z",
      "2026-08-15T23:59:59.999Z",
    ]) {
      for (const warningDays of [0, 1, 14]) {
        assert.deepEqual(
          judgeExpiry(today, new Date(now), warningDays),
          { status: "today", day: "2026-08-15", daysLeft: 0 },
          `${now}, ${warningDays}`,
        );
      }
    }
  });

  it("only a past day is expired", () => {
    assert.deepEqual(judgeExpiry(day("2026-08-14"), NOW, 14), {
      status: "expired",
      day: "2026-08-14",
      daysLeft: -1,
    });
    assert.equal(
      judgeExpiry(day("2026-08-15"), new Date("2026-08-16T00:00:00.000Z"), 14).status,
      "expired",
    );
    assert.equal(judgeExpiry(day("2026-08-01"), NOW, 14).daysLeft, -14);
  });

  it("tomorrow is one day left, however late today it is", () => {
    for (const now of ["2026-08-15T00:00:00.000Z", "2026-08-15T23:59:59.999Z"]) {
      assert.deepEqual(judgeExpiry(day("2026-08-16"), new Date(now), 2), {
        status: "warn",
        day: "2026-08-16",
        daysLeft: 1,
      });
      assert.equal(judgeExpiry(day("2026-08-16"), new Date(now), 1).status, "ok");
    }
  });

  it("warns while fewer than warningDays days are left", () => {
    assert.equal(judgeExpiry(day("2026-08-29"), NOW, 14).status, "ok");
    assert.equal(judgeExpiry(day("2026-08-28"), NOW, 14).status, "warn");
    assert.equal(judgeExpiry(day("2026-08-28"), NOW, 14).daysLeft, 13);
    assert.equal(judgeExpiry(day("2026-08-16"), NOW, 0).status, "ok");
  });

  it("for any day and any time, the status follows the calendar", () => {
    const dayMs = fc.integer({ min: 0, max: 20_000 }).map((d) => d * DAY);
    fc.assert(
      fc.property(dayMs, dayMs, fc.integer({ min: 0, max: DAY - 1 }), fc.nat(400), (e, n, t, w) => {
        const expiry: ExpiryDate = { at: new Date(e), dateOnly: true };
        const judged = judgeExpiry(expiry, new Date(n + t), w);
        const left = (e - n) / DAY;
        assert.equal(judged.daysLeft, left);
        assert.equal(judged.day, new Date(e).toISOString().slice(0, 10));
        const status = left < 0 ? "expired" : left === 0 ? "today" : left < w ? "warn" : "ok";
        assert.equal(judged.status, status);
      }),
      { numRuns: 500 },
    );
  });
});
