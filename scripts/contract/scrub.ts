/**
 * Every cell of the live check's output passes through here: tokens and their derived forms
 * (src/core/inputs/credential.ts secretForms, and any 16-character run of a token) never reach
 * the output, and values that identify an account or its repositories are replaced by their
 * shape (`<email>`, `{uuid}`, `<workspace 1>`). Known values first, then patterns for the ones
 * nobody told us about (an email or a UUID inside an error message).
 */
import { holdsCredential, secretForms } from "../../src/core/inputs/credential.ts";
import { untrusted } from "../../src/core/render/sanitize.ts";

export const WITHHELD = "(withheld: it carries a token)";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const PATTERNS: [RegExp, string][] = [
  [/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{12,}/gi, "$1 ***"],
  [/AT(?:ATT|CTT)[A-Za-z0-9_+/=-]{16,}|ATBB[A-Za-z0-9]{16,}/g, "***"],
  [new RegExp(`\\b\\d{5,7}:${UUID}\\b`, "gi"), "<account-id>"],
  [/\b[0-9a-f]{24}\b/gi, "<account-id>"],
  [new RegExp(`\\{?${UUID}\\}?`, "gi"), "{uuid}"],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, "<email>"],
];

export interface Scrubber {
  /** A token (and the email it is paired with): none of its forms is ever shown. */
  secret(token: string, email?: string): void;
  /** A value that identifies someone or something, shown as `shape` instead. */
  identifier(value: string | undefined, shape: string): void;
  /** One line, safe to print. */
  scrub(text: string, max?: number): string;
}

export function createScrubber(): Scrubber {
  const secrets: { token: string; email: string; forms: string[] }[] = [];
  const identifiers = new Map<string, string>();
  return {
    secret(token, email = "") {
      if (token.trim() === "") return;
      const forms = secretForms(token, email).sort((a, b) => b.length - a.length);
      secrets.push({ token, email, forms });
    },
    identifier(value, shape) {
      // A one-character value would scrub every line; Bitbucket's names are longer.
      if (value && value.trim().length >= 2) identifiers.set(value.trim(), shape);
    },
    scrub(text, max = 80) {
      let out = text;
      for (const { token, email, forms } of secrets) {
        for (const form of forms) out = out.replace(new RegExp(escapeRegExp(form), "gi"), "***");
        if (holdsCredential(out, token, email)) return WITHHELD;
      }
      const known = [...identifiers].sort(([a], [b]) => b.length - a.length);
      for (const [value, shape] of known) {
        const bounded = new RegExp(
          `(?<![A-Za-z0-9_-])${escapeRegExp(value)}(?![A-Za-z0-9_-])`,
          "gi",
        );
        out = out.replace(bounded, shape);
      }
      for (const [pattern, shape] of PATTERNS) out = out.replace(pattern, shape);
      return untrusted(out, max);
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
