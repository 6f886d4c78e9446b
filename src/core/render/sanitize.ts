/**
 * The one gate for text a server sent (names, error messages, header values): it may try to
 * forge workflow commands (`\n::error::`, `::add-mask::`), drive a terminal (OSC and CSI escape
 * sequences: window titles, clearing the screen, a forged "✔" line) or break a markdown table.
 * Everything that came from the network passes `untrusted` before any output; the renderers
 * then never put it at the start of a line.
 */

// ESC-introduced sequences, 7-bit and 8-bit: CSI (ESC [ or 0x9B) up to its final byte; OSC, DCS,
// SOS, PM and APC (ESC ] P X ^ _ or 0x9D 0x90 0x98 0x9E 0x9F) up to BEL or ST; any other ESC pair.
const ESCAPE_SEQUENCES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u007e]?/g;
// C0, DEL, C1; line and paragraph separators; bidirectional overrides and isolates, which can
// make a log line read differently from what it says.
const CONTROLS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export const UNTRUSTED_MAX = 200;

/** One line of plain text: no control characters or escape sequences, spaces collapsed, capped. */
export function untrusted(text: string, max = UNTRUSTED_MAX): string {
  const clean = text
    .replace(ESCAPE_SEQUENCES, "")
    .replace(CONTROLS, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : clean;
}

/** Text for a markdown cell or paragraph: sanitised, then every character markdown or HTML reads escaped. */
export function untrustedMarkdown(text: string, max = UNTRUSTED_MAX): string {
  return escapeMarkdown(untrusted(text, max));
}

export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_{}[\]()#+\-!|~.:@]/g, "\\$&");
}
