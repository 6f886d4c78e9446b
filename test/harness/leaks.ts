// Finding a token, or a form derived from it, where it must never be.
//
// secretForms(token, usernames) lists what to look for:
//   - the token itself;
//   - base64 of `username:token` for each username (an HTTP Basic header);
//   - encodeURIComponent(token) (a token inside a URL);
//   - three base64 fragments of the token alone, one per byte alignment: any
//     base64 encoding of any text containing the token contains one of them,
//     whatever comes before or after it (a Basic header for a username the
//     test did not think of, a base64-encoded config file …).
// findLeaks(forms, places) reports every place holding any form; scanTree(dir)
// turns a directory into places (file contents, loose git objects inflated,
// symlink targets, and the file names themselves).
//
// Hits carry a label ("token", "base64(user:token) for alice") so an
// assertion message never has to print the secret.

import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative } from "node:path";
import { inflateSync } from "node:zlib";

export interface SecretForm {
  label: string;
  value: string;
}

export interface Place {
  name: string;
  text: string;
}

export interface LeakHit {
  /** The form found (the secret or a derived form: do not print it). */
  form: string;
  /** What the form is, safe to print. */
  label: string;
  /** Place name. */
  place: string;
  /** Offset of the first occurrence in the place's text. */
  index: number;
}

export interface SecretFormOptions {
  /** Include the alignment-independent base64 fragments of the token (default true). */
  base64Fragments?: boolean;
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

/** Base64 characters that depend only on the token's bytes, for each of the 3 alignments. */
export function base64Fragments(token: string): string[] {
  const bytes = Buffer.from(token, "utf8");
  const fragments: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const firstGroup = Math.ceil(shift / 3);
    const endGroup = Math.floor((shift + bytes.length) / 3);
    if (endGroup > firstGroup) fragments.push(encoded.slice(firstGroup * 4, endGroup * 4));
  }
  return fragments;
}

/** Every form of the token to look for, labelled. */
export function labelledSecretForms(
  token: string,
  usernames: string[] = [],
  opts: SecretFormOptions = {},
): SecretForm[] {
  if (token.length < 8) throw new Error("secretForms: token too short to search for reliably");
  const forms: SecretForm[] = [{ label: "token", value: token }];
  for (const user of usernames) {
    forms.push({ label: `base64(user:token) for ${user}`, value: b64(`${user}:${token}`) });
  }
  forms.push({ label: "encodeURIComponent(token)", value: encodeURIComponent(token) });
  if (opts.base64Fragments !== false) {
    base64Fragments(token).forEach((value, shift) => {
      forms.push({ label: `base64 fragment of token (alignment ${shift})`, value });
    });
  }
  const seen = new Set<string>();
  return forms.filter((f) => !seen.has(f.value) && seen.add(f.value));
}

/** The token, base64 of `user:token` per username, the URL-encoded token (+ base64 fragments). */
export function secretForms(
  token: string,
  usernames: string[] = [],
  opts: SecretFormOptions = {},
): string[] {
  return labelledSecretForms(token, usernames, opts).map((f) => f.value);
}

/** Every (form, place) pair where the place's text contains the form. */
export function findLeaks(forms: Array<string | SecretForm>, places: Place[]): LeakHit[] {
  const labelled = forms.map((f, i) =>
    typeof f === "string" ? { label: `form #${i}`, value: f } : f,
  );
  const hits: LeakHit[] = [];
  for (const place of places) {
    for (const form of labelled) {
      if (form.value === "") continue;
      const index = place.text.indexOf(form.value);
      if (index >= 0) hits.push({ form: form.value, label: form.label, place: place.name, index });
    }
  }
  return hits;
}

/** Throw (without printing any secret) when any form is found in any place. */
export function assertNoLeaks(forms: Array<string | SecretForm>, places: Place[]): void {
  const hits = findLeaks(forms, places);
  if (hits.length > 0) {
    const lines = hits.map((h) => `  ${h.label} in ${h.place} at offset ${h.index}`);
    throw new Error(`secret found where it must not be:\n${lines.join("\n")}`);
  }
}

export interface ScanOptions {
  /** Skip files larger than this (default 5 MB). */
  maxBytes?: number;
}

// Inside any git directory (`.git`, or a bare `name.git`).
const PACK_FILE = /(^|[\\/])objects[\\/]pack[\\/][^\\/]+$/;
const LOOSE_OBJECT = /(^|[\\/])objects[\\/][0-9a-f]{2}[\\/][0-9a-f]{38,62}$/;

/**
 * Every regular file under `dir` as a place (name: the file's path). Files
 * over maxBytes and git pack files are skipped; loose git objects are
 * inflated so committed content is searched too; symlinks are not followed
 * but their targets are searched; one extra place lists every entry's path.
 */
export async function scanTree(dir: string, opts: ScanOptions = {}): Promise<Place[]> {
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const places: Place[] = [];
  const names: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(current);
    } catch {
      return; // vanished or unreadable
    }
    for (const entry of entries.sort()) {
      const full = join(current, entry);
      const rel = relative(dir, full);
      names.push(rel);
      let st: Awaited<ReturnType<typeof lstat>>;
      try {
        st = await lstat(full);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        await walk(full);
      } else if (st.isSymbolicLink()) {
        places.push({ name: `${full} (symlink target)`, text: await readlink(full) });
      } else if (st.isFile()) {
        if (st.size > maxBytes) continue;
        if (PACK_FILE.test(rel)) continue;
        const data = await readFile(full);
        if (LOOSE_OBJECT.test(rel)) {
          try {
            places.push({ name: `${full} (inflated)`, text: inflateSync(data).toString("utf8") });
            continue;
          } catch {
            // not zlib after all: search it raw
          }
        }
        places.push({ name: full, text: data.toString("utf8") });
      }
    }
  };
  await walk(dir);
  places.push({ name: `${dir} (file names)`, text: names.join("\n") });
  return places;
}
