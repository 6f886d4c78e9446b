/**
 * Token expiry. Bitbucket reveals no expiry date, so the user tells us the date they chose when
 * creating the token (1 to 365 days ahead) and we count the days. The clock is a parameter.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_LIFETIME_DAYS = 366; // 365 days, plus slack for time zones

/** The expiry the user gave: a day (Atlassian shows days) or an exact instant. */
export interface ExpiryDate {
  at: Date;
  /** A date without a time: the token works until some time that day (in some time zone). */
  dateOnly: boolean;
}

export type ExpiryStatus = "unknown" | "ok" | "warn" | "today" | "expired";

export interface Expiry {
  status: ExpiryStatus;
  /** The day, YYYY-MM-DD, when known. */
  day?: string;
  /** Whole days left; 0 on the day itself; undefined when no date was given. */
  daysLeft?: number;
}

/**
 * `YYYY-MM-DD` or a full ISO 8601 timestamp with a zone. Returns the reason it is not a date
 * (worded to follow "the input … (value)") for the caller to report.
 */
export function parseExpiryDate(raw: string): ExpiryDate | string {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const timestamp =
    /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(raw);
  const parts = dateOnly ?? timestamp;
  if (!parts)
    return "is not a date in the form YYYY-MM-DD or an ISO 8601 timestamp with a time zone";
  const [year, month, day] = parts.slice(1, 4).map(Number);
  // Date.parse quietly rolls 2026-02-30 over to March; a typo should not pass as a date.
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0–99 as 1900–1999
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    return "is not a real calendar date";
  }
  if (dateOnly) return { at: calendar, dateOnly: true };
  const instant = new Date(raw);
  return Number.isNaN(instant.getTime())
    ? "is not a real date and time"
    : { at: instant, dateOnly: false };
}

/** Whether a date is further away than any API token can live: almost certainly a typo. */
export function isBeyondMaxLifetime(expiry: ExpiryDate, now: Date): boolean {
  return expiry.at.getTime() - now.getTime() > MAX_LIFETIME_DAYS * DAY_MS;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const startOfDay = (date: Date) => Math.floor(date.getTime() / DAY_MS) * DAY_MS;

/**
 * A past day has expired. The day itself is "today": the token may still work for hours, so
 * Bitbucket's answer decides (days are compared in UTC, the zone Atlassian's dates are in).
 */
export function judgeExpiry(
  expiry: ExpiryDate | undefined,
  now: Date,
  warningDays: number,
): Expiry {
  if (!expiry) return { status: "unknown" };
  const day = isoDay(expiry.at);
  if (expiry.dateOnly) {
    const daysLeft = Math.round((startOfDay(expiry.at) - startOfDay(now)) / DAY_MS);
    if (daysLeft < 0) return { status: "expired", day, daysLeft };
    if (daysLeft === 0) return { status: "today", day, daysLeft };
    return { status: daysLeft < warningDays ? "warn" : "ok", day, daysLeft };
  }
  const msLeft = expiry.at.getTime() - now.getTime();
  const daysLeft = Math.floor(msLeft / DAY_MS);
  if (msLeft <= 0) return { status: "expired", day, daysLeft };
  return { status: daysLeft < warningDays ? "warn" : "ok", day, daysLeft };
}
