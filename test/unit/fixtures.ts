// Shared test data for the unit tests. Tokens are generated per run, never hard-coded.
import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** `n` random characters a token may contain (letters, digits, `_`, `-`). */
export function randomChars(n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** Shaped like an Atlassian API token: ATATT prefix, 192 chars, `=` + 8 hex at the end. */
export function apiToken(): string {
  return `ATATT3xFfGF0${randomChars(171)}=${randomBytes(4).toString("hex")}`;
}

/** Shaped like a repository/project/workspace access token. */
export function accessToken(): string {
  return `ATCTT3xFfGN0${randomChars(171)}=${randomBytes(4).toString("hex")}`;
}

/** Shaped like a retired app password. */
export function appPassword(): string {
  return `ATBB${randomChars(32).replace(/[_-]/g, "x")}`;
}

export const EMAIL = "dev@example.com";

/** A fixed clock for everything date-related. */
export const NOW = new Date("2026-08-15T12:00:00.000Z");
