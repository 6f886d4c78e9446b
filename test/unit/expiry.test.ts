import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isBeyondMaxLifetime, judgeExpiry, parseExpiryDate } from "../../src/core/checks/expiry.ts";
import { parseSettings, withDefaults } from "../../src/core/inputs/settings.ts";
import { apiToken, EMAIL, NOW } from "./fixtures.ts";

const DAY = 24 * 60 * 60 * 1000;

function date(raw: string): Date {
  const parsed = parseExpiryDate(raw);
  assert.ok(parsed instanceof Date, `${raw}: ${String(parsed)}`);
  return parsed;
}

describe("parseExpiryDate", () => {
  it("reads a date alone as the start of that day, UTC", () => {
    assert.equal(date("2026-12-31").toISOString(), "2026-12-31T00:00:00.000Z");
    assert.equal(date("2028-02-29").toISOString(), "2028-02-29T00:00:00.000Z");
    assert.equal(date("2026-01-01").getTime(), Date.UTC(2026, 0, 1));
  });

  it("reads timestamps with Z and with offsets", () => {
    const cases: [string, string][] = [
      ["2026-12-31T10:00:00Z", "2026-12-31T10:00:00.000Z"],
      ["2026-12-31T10:00Z", "2026-12-31T10:00:00.000Z"],
      ["2026-12-31T10:00:00.250Z", "2026-12-31T10:00:00.250Z"],
      ["2026-12-31T10:00:00+02:00", "2026-12-31T08:00:00.000Z"],
      ["2026-12-31T10:00:00-05:30", "2026-12-31T15:30:00.000Z"],
      ["2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"],
      ["2026-12-31T10:00+0200", "2026-12-31T08:00:00.000Z"],
    ];
    for (const [raw, iso] of cases) assert.equal(date(raw).toISOString(), iso, raw);
  });

  it("rejects timestamps without a zone and other forms", () => {
    const FORM = "is not a date in the form YYYY-MM-DD or an ISO 8601 timestamp with a time zone";
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

  it("rejects timestamps whose time of day is impossible", {}, () => {
    for (const raw of ["2026-12-31T25:00Z", "2026-12-31T10:60:00Z", "2026-12-31T10:00:60Z"]) {
      const parsed = parseExpiryDate(raw);
      assert.equal(typeof parsed, "string", `${raw} returned ${String(parsed)}`);
    }
  });

  it("parseSettings refuses an impossible time instead of keeping an Invalid Date", {}, () => {
    assert.throws(() =>
      parseSettings(
        withDefaults({ email: EMAIL, "api-token": apiToken(), "expires-at": "2026-12-31T25:00Z" }),
        NOW,
      ),
    );
  });

  it("reads years before 100 as themselves", {}, () => {
    const parsed = parseExpiryDate("0050-01-01");
    assert.ok(parsed instanceof Date);
    assert.equal(parsed.toISOString().slice(0, 10), "0050-01-01");
  });
});

describe("isBeyondMaxLifetime", () => {
  it("allows up to 366 days ahead, exactly", () => {
    assert.equal(isBeyondMaxLifetime(new Date(NOW.getTime() + 366 * DAY), NOW), false);
    assert.equal(isBeyondMaxLifetime(new Date(NOW.getTime() + 366 * DAY + 1), NOW), true);
    assert.equal(isBeyondMaxLifetime(new Date(NOW.getTime() - 1000 * DAY), NOW), false);
  });
});

describe("judgeExpiry", () => {
  const at = (ms: number) => new Date(NOW.getTime() + ms);

  it("is unknown without a date", () => {
    assert.deepEqual(judgeExpiry(undefined, NOW, 14), { status: "unknown" });
  });

  it("exactly at the expiry instant the token is expired", () => {
    assert.deepEqual(judgeExpiry(NOW, NOW, 14), { status: "expired", expiresAt: NOW, daysLeft: 0 });
  });

  it("one millisecond before expiry it is not expired (but warned)", () => {
    assert.deepEqual(judgeExpiry(at(1), NOW, 14), {
      status: "warn",
      expiresAt: at(1),
      daysLeft: 0,
    });
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
      expiresAt: at(14 * DAY),
      daysLeft: 14,
    });
    assert.deepEqual(judgeExpiry(at(14 * DAY - 1), NOW, 14), {
      status: "warn",
      expiresAt: at(14 * DAY - 1),
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
    assert.equal(judgeExpiry(NOW, NOW, 0).status, "expired");
  });

  it("a date-only expiry is judged against the start of that day UTC", () => {
    const expiresAt = date("2026-08-16");
    // NOW is 2026-08-15T12:00Z: twelve hours left.
    assert.deepEqual(judgeExpiry(expiresAt, NOW, 1), { status: "warn", expiresAt, daysLeft: 0 });
    assert.equal(judgeExpiry(expiresAt, new Date("2026-08-16T00:00:00Z"), 1).status, "expired");
  });
});
