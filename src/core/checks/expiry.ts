/**
 * Token expiry. Bitbucket reveals no expiry date, so the user tells us the date they chose when
 * creating the token (1 to 365 days ahead) and we count the days. The clock is a parameter.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_LIFETIME_DAYS = 366; // 365 days, plus slack for time zones

export type ExpiryStatus = "unknown" | "ok" | "warn" | "expired";

export interface Expiry {
  status: ExpiryStatus;
  expiresAt?: Date;
  /** Whole days left; negative once expired; undefined when no date was given. */
  daysLeft?: number;
}

/**
 * `YYYY-MM-DD` (the token stops working at the start of that day, UTC: the safe reading) or a
 * full ISO 8601 timestamp with a zone. Returns an error text for the caller to attach to the input.
 */
export function parseExpiryDate(raw: string): Date | string {
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
  if (dateOnly) return calendar;
  const instant = new Date(raw);
  return Number.isNaN(instant.getTime()) ? "is not a real date and time" : instant;
}

/** Whether a date is further away than any API token can live: almost certainly a typo. */
export function isBeyondMaxLifetime(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() - now.getTime() > MAX_LIFETIME_DAYS * DAY_MS;
}

export function judgeExpiry(expiresAt: Date | undefined, now: Date, warningDays: number): Expiry {
  if (!expiresAt) return { status: "unknown" };
  const msLeft = expiresAt.getTime() - now.getTime();
  const daysLeft = Math.floor(msLeft / DAY_MS);
  if (msLeft <= 0) return { status: "expired", expiresAt, daysLeft };
  return { status: daysLeft < warningDays ? "warn" : "ok", expiresAt, daysLeft };
}
