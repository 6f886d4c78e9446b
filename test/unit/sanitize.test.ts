import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  escapeMarkdown,
  UNTRUSTED_MAX,
  untrusted,
  untrustedMarkdown,
} from "../../src/core/render/sanitize.ts";

const ESC = "\u001b";
const BEL = "\u0007";
const ST = `${ESC}\\`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

describe("untrusted: forged workflow commands", () => {
  it("cannot start a line: newlines become spaces", () => {
    assert.equal(
      untrusted("Eve\n::error title=x::y\n::add-mask::fit"),
      "Eve ::error title=x::y ::add-mask::fit",
    );
    assert.equal(untrusted("Eve\r::warning::x"), "Eve ::warning::x");
    assert.equal(untrusted("Eve\r\n::set-output name=a::b"), "Eve ::set-output name=a::b");
    assert.equal(untrusted("\n::stop-commands::tok\n"), "::stop-commands::tok");
  });

  it("leaves %0A-encoded line breaks as literal text, on the same line", () => {
    const text = untrusted("Eve%0A::error::x%0D%0A::add-mask::y");
    assert.equal(text, "Eve%0A::error::x%0D%0A::add-mask::y");
    assert.doesNotMatch(text, LINE_BREAK);
  });

  it("removes every other kind of line break", () => {
    for (const sep of ["\u2028", "\u2029", "\u0085", "\u000b", "\u000c"]) {
      assert.equal(untrusted(`a${sep}::error::b`), "a ::error::b", JSON.stringify(sep));
    }
  });
});

describe("untrusted: terminal escape sequences", () => {
  it("drops OSC window titles and hyperlinks, ended by BEL or ST", () => {
    assert.equal(untrusted(`${ESC}]0;pwned${BEL}Eve`), "Eve");
    assert.equal(untrusted(`${ESC}]2;title${ST}Eve`), "Eve");
    assert.equal(
      untrusted(`${ESC}]8;;https://evil.example${ST}click me${ESC}]8;;${ST}`),
      "click me",
    );
    assert.equal(untrusted(`\u009d0;title\u009cEve`), "Eve");
  });

  it("drops an unterminated OSC with everything after it", () => {
    assert.equal(untrusted(`Eve ${ESC}]0;title forever`), "Eve");
  });

  it("drops CSI sequences: clear screen, cursor moves, colours", () => {
    assert.equal(untrusted(`${ESC}[2J${ESC}[HEve`), "Eve");
    assert.equal(
      untrusted(`${ESC}[1A${ESC}[2K✔ The token is fit for use.`),
      "✔ The token is fit for use.",
    );
    assert.equal(
      untrusted(`${ESC}[31mred${ESC}[0m and ${ESC}[1;38;5;196mbold${ESC}[m`),
      "red and bold",
    );
    assert.equal(untrusted(`${ESC}[?25l${ESC}[10;20Hhidden cursor`), "hidden cursor");
  });

  it("drops 8-bit C1 CSI and other C1 introducers", () => {
    assert.equal(untrusted("\u009b2J\u009b31mEve\u009b0m"), "Eve");
    assert.equal(untrusted(`\u0090qDCS payload${ST}Eve`), "Eve");
    assert.equal(untrusted(`\u009fAPC${BEL}Eve`), "Eve");
  });

  it("drops DCS, SOS, PM and APC strings and lone ESC pairs", () => {
    assert.equal(untrusted(`${ESC}Pq#0;2;0;0;0${ST}Eve`), "Eve");
    assert.equal(untrusted(`${ESC}X sos ${ST}${ESC}^pm${ST}${ESC}_apc${ST}Eve`), "Eve");
    assert.equal(untrusted(`${ESC}cEve${ESC}7${ESC}8`), "Eve");
    assert.equal(untrusted(`Eve${ESC}`), "Eve");
    assert.equal(untrusted(`${ESC}${ESC}[31mEve`), "Eve");
  });

  it("replaces DEL, NUL and the other C0 and C1 characters", () => {
    assert.equal(untrusted("a\u007fb"), "a b");
    assert.equal(untrusted("a\u0000b\u0000"), "a b");
    assert.equal(untrusted("a\u0008\u0008\u0008b"), "a b");
    assert.equal(untrusted(`a${BEL}b\u0085c\u009ad`), "a b c d");
  });

  it("replaces bidirectional overrides and isolates", () => {
    assert.equal(untrusted("Eve\u202etxt.exe"), "Eve txt.exe");
    for (const bidi of [
      "\u202a",
      "\u202b",
      "\u202c",
      "\u202d",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
      "\u200e",
      "\u200f",
      "\u061c",
    ]) {
      assert.equal(untrusted(`a${bidi}b`), "a b", bidi.codePointAt(0)?.toString(16));
    }
  });
});

describe("untrusted: length and whitespace", () => {
  it("collapses whitespace and trims", () => {
    assert.equal(untrusted("  a \t\t b\u00a0\u00a0c  "), "a b c");
    assert.equal(untrusted(""), "");
    assert.equal(untrusted(" \n\t "), "");
  });

  it("caps a 10 kB string, ending it with …", () => {
    const text = untrusted("x".repeat(10_240));
    assert.equal(text.length, UNTRUSTED_MAX);
    assert.ok(text.endsWith("…"));
    assert.equal(untrusted("y".repeat(10_240), 60).length, 60);
    assert.equal(
      untrusted("z".repeat(UNTRUSTED_MAX)),
      "z".repeat(UNTRUSTED_MAX),
      "exactly at the cap",
    );
  });

  it("counts and cuts characters, not UTF-16 units", () => {
    const text = untrusted("😀".repeat(300), 10);
    assert.equal([...text].length, 10);
    assert.equal(text, `${"😀".repeat(9)}…`);
  });

  it("passes ordinary names unchanged", () => {
    for (const name of [
      "Jane Doe",
      "Zoë O'Brien",
      "José Ñúñez-García",
      "Łukasz Żółć",
      "山田 太郎",
      "김민준",
      "محمد",
      "Ελένη",
      "👩‍💻 Dev Team 🚀",
      "d'Artagnan (the 4th)",
      "557058:ba1f2c3d-aaaa-bbbb-cccc-0123456789ab",
      "{6f1e7a52-0000-4000-8000-000000000000}",
      "read:repository:bitbucket write:repository:bitbucket",
    ]) {
      assert.equal(untrusted(name), name);
    }
  });
});

describe("untrustedMarkdown", () => {
  it("escapes what breaks a table, HTML, links and code", () => {
    assert.equal(untrustedMarkdown("A | B"), "A \\| B");
    assert.equal(
      untrustedMarkdown("<script>alert(1)</script>"),
      "&lt;script&gt;alert\\(1\\)&lt;/script&gt;",
    );
    assert.equal(
      untrustedMarkdown("[x](javascript:alert(1))"),
      "\\[x\\]\\(javascript\\:alert\\(1\\)\\)",
    );
    assert.equal(untrustedMarkdown("`rm -rf /`"), "\\`rm \\-rf /\\`");
    assert.equal(
      untrustedMarkdown("**bold** _it_ ~~s~~"),
      "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~",
    );
    assert.equal(untrustedMarkdown("&amp; &#x3C;"), "&amp;amp; &amp;\\#x3C;");
    assert.equal(
      untrustedMarkdown("![img](https://x/y.png)"),
      "\\!\\[img\\]\\(https\\://x/y\\.png\\)",
    );
  });

  it("sanitises before escaping: no line can start with # or -", () => {
    const text = untrustedMarkdown("Eve\n# Fit\n- item\n| a | b |");
    assert.doesNotMatch(text, LINE_BREAK);
    assert.equal(text, "Eve \\# Fit \\- item \\| a \\| b \\|");
  });

  it("leaves no bare markdown or HTML character, for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
        const text = untrustedMarkdown(s);
        // Every special character is preceded by a backslash, and < > only appear as entities.
        assert.doesNotMatch(text, /[<>]/);
        assert.doesNotMatch(
          text.replace(/\\[\\`*_{}[\]()#+\-!|~.:@]/g, ""),
          /[`*_{}[\]()#+\-!|~:@\\]/,
        );
      }),
      { numRuns: 500 },
    );
  });

  it("escapeMarkdown escapes the backslash itself", () => {
    assert.equal(escapeMarkdown("a\\|b"), "a\\\\\\|b");
  });
});

describe("untrusted: for any string", () => {
  const hostile = fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        ESC,
        "[",
        "]",
        "\u009b",
        "\u009d",
        "\u009c",
        BEL,
        "\\",
        "\n",
        "\r",
        "\u2028",
        "\u202e",
        "\u0000",
        "\u007f",
        ":",
        ";",
        "0",
        "m",
        " ",
      ),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ),
    maxLength: 300,
  });
  const any = fc.oneof(hostile, fc.string({ unit: "binary", maxLength: 300 }));

  it("leaves no control character, no ESC, no line break, and respects the cap", () => {
    fc.assert(
      fc.property(any, fc.integer({ min: 1, max: 250 }), (s, max) => {
        for (const text of [untrusted(s), untrusted(s, max)]) {
          assert.doesNotMatch(text, CONTROL);
          assert.ok(!text.includes(ESC));
          assert.doesNotMatch(text, LINE_BREAK);
          assert.doesNotMatch(text, /[\u202a-\u202e\u2066-\u2069]/);
          assert.equal(text, text.trim());
          assert.doesNotMatch(text, /\s\s/);
        }
        assert.ok([...untrusted(s)].length <= UNTRUSTED_MAX);
        assert.ok([...untrusted(s, max)].length <= max);
      }),
      { numRuns: 2000 },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(any, (s) => {
        const once = untrusted(s);
        assert.equal(untrusted(once), once);
      }),
      { numRuns: 1000 },
    );
  });

  it("changes nothing in printable ASCII with single spaces", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]{1,20}( [\x21-\x7e]{1,20}){0,5}$/), (s) => {
        assert.equal(untrusted(s), s);
      }),
      { numRuns: 300 },
    );
  });
});
