/**
 * When to try again: the clock (injected, so tests drive every wait without waiting), the
 * jittered backoff between attempts, and Retry-After in both its forms.
 */
import { setTimeout as sleepFor } from "node:timers/promises";

export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts (the client was closed). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A signal that aborts with a "TimeoutError" once `ms` have passed: one attempt's limit. */
  timeout(ms: number): AbortSignal;
  /** In [0, 1), for backoff jitter. */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
  timeout: (ms) => AbortSignal.timeout(ms),
  random: Math.random,
};

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 8_000;

/**
 * Backoff before retry number `attempt + 1`: "equal jitter". The ceiling doubles from
 * BACKOFF_BASE_MS up to BACKOFF_CAP_MS; the wait is at least half of it (so waits grow whatever
 * the dice say) plus a random part (so runners that failed together do not retry together).
 */
export function backoffMs(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/** `Retry-After` is either delay-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; without a letter it is junk like "1.5" or "-1",
  // which Date.parse would still read as some day in 2001.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
