import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { count, list, plainlyNotSecret, typed } from "../../src/core/messages/define.ts";
import {
  MESSAGES,
  type MessageId,
  type Problem,
  problem,
  render,
} from "../../src/core/messages/index.ts";
import { type FrontEnd, type Medium, rendererFor } from "../../src/core/render/renderer.ts";
import { accessToken, apiToken, appPassword, randomChars } from "./fixtures.ts";

const FRONT_ENDS: FrontEnd[] = ["action", "command", "pipe"];
const MEDIA: Medium[] = ["markdown", "plain"];
const IDS = Object.keys(MESSAGES) as MessageId[];
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const example = (id: MessageId): Problem =>
  problem(id, MESSAGES[id].example as Parameters<typeof problem>[1]);

/** Every message rendered for every front end and medium. */
const RENDERED = IDS.flatMap((id) =>
  FRONT_ENDS.flatMap((frontEnd) =>
    MEDIA.map((medium) => ({
      id,
      frontEnd,
      medium,
      ...render(example(id), rendererFor(frontEnd, medium)),
    })),
  ),
);

/** Sentences, split after . ! or ? before a space; short fragments ("e.g.") are not sentences. */
const sentences = (text: string) =>
  text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 20);

describe("the message catalogue", () => {
  it("has messages, each with a group, an about and an example", () => {
    assert.ok(IDS.length >= 50, `${IDS.length} messages`);
    for (const id of IDS) {
      const def = MESSAGES[id];
      assert.match(id, /^[a-z][a-z0-9-]*$/, id);
      assert.ok(def.group && def.about, id);
      assert.equal(typeof def.example, "object", id);
    }
  });

  it("renders every example for every front end and medium without throwing", () => {
    assert.equal(RENDERED.length, IDS.length * FRONT_ENDS.length * MEDIA.length);
    for (const r of RENDERED) {
      assert.ok(r.text.length > 10, `${r.id}: ${r.text}`);
      assert.equal(r.about, MESSAGES[r.id].about);
      if (r.fix !== undefined) assert.ok(r.fix.length > 10, `${r.id}: fix ${r.fix}`);
    }
  });

  it("ends every text and fix as a sentence", () => {
    for (const r of RENDERED) {
      if (r.id === "unexpected") continue; // ends with the error's own words (see below)
      assert.match(r.text, /[.)?!]$/, `${r.id} (${r.frontEnd}, ${r.medium}): ${r.text}`);
      if (r.fix) assert.match(r.fix, /[.)?!]$/, `${r.id} fix (${r.frontEnd}): ${r.fix}`);
    }
  });

  it("ends the unexpected error's text as a sentence too", () => {
    const { text } = render(example("unexpected"), rendererFor("action", "plain"));
    assert.match(text, /[.)?!]$/, text);
  });

  it("never says undefined, NaN or [object …]", () => {
    for (const r of RENDERED) {
      for (const part of [r.text, r.fix ?? ""]) {
        assert.doesNotMatch(
          part,
          /undefined|\[object|NaN/,
          `${r.id} (${r.frontEnd}, ${r.medium}): ${part}`,
        );
      }
    }
  });

  it("holds no line break, control character or doubled space", () => {
    for (const r of RENDERED) {
      for (const part of [r.text, r.fix ?? ""]) {
        assert.doesNotMatch(part, UNSAFE, r.id);
        assert.doesNotMatch(part, / {2}/, `${r.id}: ${part}`);
        assert.equal(part, part.trim(), r.id);
      }
    }
  });

  it("gives no two messages the same text", () => {
    for (const frontEnd of FRONT_ENDS) {
      for (const medium of MEDIA) {
        const seen = new Map<string, MessageId>();
        for (const r of RENDERED.filter((x) => x.frontEnd === frontEnd && x.medium === medium)) {
          const other = seen.get(r.text);
          assert.equal(other, undefined, `${r.id} and ${other} read the same: ${r.text}`);
          seen.set(r.text, r.id);
        }
      }
    }
  });

  it("never repeats a sentence of its text in its fix, nor a sentence twice", () => {
    for (const r of RENDERED) {
      const text = sentences(r.text);
      const fix = sentences(r.fix ?? "");
      assert.equal(new Set(text).size, text.length, `${r.id} repeats itself: ${r.text}`);
      assert.equal(new Set(fix).size, fix.length, `${r.id}'s fix repeats itself: ${r.fix}`);
      for (const s of fix) assert.ok(!text.includes(s), `${r.id}'s fix repeats "${s}"`);
    }
  });

  it("names inputs the way each front end's user sets them", () => {
    const { text: action } = render(example("email-invalid"), rendererFor("action", "plain"));
    const { text: command } = render(example("email-invalid"), rendererFor("command", "plain"));
    const { text: pipe } = render(example("email-invalid"), rendererFor("pipe", "plain"));
    assert.equal(action, 'The input `email` ("alice") is not an email address.');
    assert.equal(command, '--email ("alice") is not an email address.');
    assert.equal(pipe, 'The pipe variable EMAIL ("alice") is not an email address.');
    // No message shows another front end's way of naming an input.
    for (const r of RENDERED) {
      const all = `${r.text} ${r.fix ?? ""}`;
      if (r.frontEnd !== "action")
        assert.doesNotMatch(all, /the input `/i, `${r.id} (${r.frontEnd})`);
      if (r.frontEnd !== "pipe")
        assert.doesNotMatch(all, /the pipe variable/i, `${r.id} (${r.frontEnd})`);
      if (r.frontEnd === "action" && MESSAGES[r.id].group !== "command")
        assert.doesNotMatch(
          all,
          /(^|\s)--(email|repositories|required-scopes|expires-at|retries)\b/,
          r.id,
        );
    }
  });

  it("escapes server text for markdown, and only there", () => {
    const p = problem("failed-attempts", {
      host: "api.bitbucket.org",
      attempts: 2,
      retries: 1,
      last: "a|b <i>",
    });
    assert.match(render(p, rendererFor("action", "markdown")).text, /last: a\\\|b &lt;i&gt;\./);
    assert.match(render(p, rendererFor("action", "plain")).text, /last: a\|b <i>\./);
  });
});

describe("typed: what a user typed is shown only when it cannot be a secret", () => {
  const hidden = (value: string) => {
    assert.equal(plainlyNotSecret(value), false, JSON.stringify(value));
    assert.equal(
      typed(value),
      `a value of ${[...value].length} character${[...value].length === 1 ? "" : "s"}, not shown: it could be a secret`,
    );
    if (value.trim() !== "") assert.ok(!typed(value).includes(value));
  };

  it("echoes short plain values", () => {
    for (const value of [
      "2026-02-30",
      "acme",
      "read:repo",
      "31/12/2026",
      "yes",
      "-1",
      "two weeks",
      "dev.example.com",
      "https://bitbucket.org/acme/app",
      "read:repositry:bitbucket",
    ]) {
      assert.equal(plainlyNotSecret(value), true, value);
      assert.equal(typed(value), `"${value}"`);
    }
  });

  it("never echoes a token, an access token or an app password", () => {
    for (let i = 0; i < 20; i++) {
      const token = apiToken();
      assert.equal(token.length, 192);
      hidden(token);
      hidden(accessToken());
      const password = appPassword();
      assert.match(password, /^ATBB[A-Za-z0-9]{32}$/);
      hidden(password);
    }
  });

  it("never echoes a part of a token long enough to matter", () => {
    const token = apiToken();
    for (const [from, to] of [
      [0, 64],
      [0, 40],
      [20, 60],
      [100, 136],
    ]) {
      const part = token.slice(from, to);
      if (/[A-Za-z0-9]{16,}/.test(part) || part.length > 64) hidden(part);
    }
    hidden(token.slice(0, 65));
    hidden(`${"ab12".repeat(4)}`);
  });

  it("never echoes control characters, line breaks or odd spacing", () => {
    for (const value of [
      "a\nb",
      "acme\r",
      "\u001b[31mred",
      "x\u0000",
      "tab\there",
      "two  spaces",
      " lead",
      "trail ",
      "bidi\u202e",
      "del\u007f",
      "nbsp\u00a0x",
      "é",
      "",
    ]) {
      hidden(value);
    }
  });

  it("describes a hidden value of one character as '1 character'", () => {
    assert.equal(typed("é"), "a value of 1 character, not shown: it could be a secret");
  });

  it("for any string: shown only when short, printable and without a long letter-and-digit run", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: "binary", maxLength: 30 })),
        (value) => {
          const shown = typed(value) === `"${value}"`;
          if (shown) {
            assert.ok(value.length <= 64);
            assert.match(value, /^[\x21-\x7e]+( [\x21-\x7e]+)*$/);
            assert.doesNotMatch(value, /[A-Za-z0-9]{16,}/);
          } else {
            assert.match(
              typed(value),
              /^a value of \d+ characters?, not shown: it could be a secret$/,
            );
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("no message with a typed value shows a token given as that value", () => {
    const token = apiToken();
    const withValue: Problem[] = [
      problem("email-invalid", { value: token }),
      problem("expires-at-invalid", { value: token, reason: "is not a real calendar date" }),
      problem("expires-at-too-far", { value: token }),
      problem("number-invalid", { input: "retries", value: token, min: 0, max: 10, integer: true }),
      problem("boolean-invalid", { input: "cleanup", value: token }),
      problem("url-invalid", { input: "git-url", value: token }),
      problem("url-not-https", { input: "git-url", origin: `http://${token.toLowerCase()}` }),
      problem("scopes-unknown", { unknown: [{ name: token }] }),
      problem("repositories-malformed", { entries: [`${randomChars(3)}/${token}`] }),
    ];
    for (const p of withValue) {
      for (const frontEnd of FRONT_ENDS) {
        for (const medium of MEDIA) {
          const { text, fix } = render(p, rendererFor(frontEnd, medium));
          const all = `${text} ${fix ?? ""}`;
          assert.ok(!all.includes(token.slice(5, 30)), `${p.id}: ${text}`);
          assert.ok(!all.toLowerCase().includes(token.slice(5, 30).toLowerCase()), p.id);
        }
      }
    }
  });
});

describe("count and list", () => {
  it("words singular and plural", () => {
    assert.equal(count(1, "scope"), "1 scope");
    assert.equal(count(0, "scope"), "0 scopes");
    assert.equal(count(3, "entry", "entries"), "3 entries");
    assert.equal(list(["a", "b", "c"]), "a, b, c");
    assert.equal(list([]), "");
  });
});
