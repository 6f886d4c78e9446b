/**
 * A netrc file for the clients that read one through the NETRC variable (Go, Python's requests
 * and so pip, `curl --netrc-file "$NETRC"`): the REST API host with the account email (API
 * tokens only: access tokens need `Authorization: Bearer`, which netrc cannot express), and the
 * git host with git's username. Pure.
 *
 * NETRC replaces ~/.netrc for those clients, so the user's own machines are carried over, after
 * ours, minus any entry for our hosts: clients disagree on which of two entries for one host
 * wins (curl and Go take the first, Python the last).
 */
import type { Credential } from "../inputs/credential.ts";

export interface NetrcEntry {
  machine: string;
  login: string;
  password: string;
}

export function netrcEntries(credential: Credential, apiUrl: URL, gitUrl: URL): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  if (credential.kind === "api-token" && credential.email)
    entries.push({ machine: apiUrl.hostname, login: credential.email, password: credential.token });
  if (!entries.some((e) => e.machine === gitUrl.hostname))
    entries.push({
      machine: gitUrl.hostname,
      login: credential.gitUsername,
      password: credential.token,
    });
  return entries;
}

export function netrcText(entries: NetrcEntry[], userEntries: string[] = []): string {
  const ours = entries.map(
    (e) => `machine ${e.machine}\n  login ${e.login}\n  password ${e.password}\n`,
  );
  return [
    "# Written by bitbucket-api-token-auth for one CI job; its cleanup deletes this file.\n",
    ...ours,
    ...userEntries.map((text) => (text.endsWith("\n") ? text : `${text}\n`)),
  ].join("");
}

/**
 * The entries of a netrc file, as written, except those for `machines`. An entry runs from its
 * `machine` (or `default`) token to the next one; a `macdef` body (up to a blank line) is part
 * of its entry and is never read as tokens. `default` entries are kept and stay last.
 */
export function otherEntries(text: string, machines: string[]): string[] {
  const starts: { at: number; machine?: string }[] = [];
  const token = /"(?:[^"\\]|\\.)*"|\S+/g;
  const words: { text: string; at: number }[] = [];
  for (let m = token.exec(text); m; m = token.exec(text)) {
    words.push({ text: m[0], at: m.index });
    if (m[0] !== "macdef") continue;
    // The macro's name and body run to the first blank line.
    const body = text.indexOf("\n\n", m.index);
    token.lastIndex = body < 0 ? text.length : body + 2;
  }
  words.forEach((word, i) => {
    if (word.text === "machine") starts.push({ at: word.at, machine: unquote(words[i + 1]?.text) });
    else if (word.text === "default") starts.push({ at: word.at });
  });
  const kept: string[] = [];
  const defaults: string[] = [];
  starts.forEach((start, i) => {
    const entry = text.slice(start.at, starts[i + 1]?.at ?? text.length).trim();
    if (start.machine === undefined) defaults.push(entry);
    else if (!machines.includes(start.machine.toLowerCase())) kept.push(entry);
  });
  return [...kept, ...defaults];
}

const unquote = (word = ""): string =>
  word.startsWith('"') ? word.slice(1, -1).replace(/\\(.)/g, "$1") : word;
