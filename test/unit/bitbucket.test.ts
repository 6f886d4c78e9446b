import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstHeader, joinUrl, parseRetryAfter } from "../../src/core/checks/bitbucket.ts";

describe("joinUrl", () => {
  it("joins a base with or without a path and trailing slashes", () => {
    assert.equal(
      joinUrl(new URL("https://api.bitbucket.org/2.0"), "/user"),
      "https://api.bitbucket.org/2.0/user",
    );
    assert.equal(
      joinUrl(new URL("https://api.bitbucket.org/2.0///"), "/user"),
      "https://api.bitbucket.org/2.0/user",
    );
    assert.equal(
      joinUrl(new URL("https://bitbucket.org"), "/acme/app.git/info/refs"),
      "https://bitbucket.org/acme/app.git/info/refs",
    );
    assert.equal(joinUrl(new URL("https://bitbucket.org/"), "/a"), "https://bitbucket.org/a");
  });

  it("keeps the port and the path's query, and drops anything else of the base", () => {
    assert.equal(
      joinUrl(
        new URL("http://127.0.0.1:8080/git/"),
        "/acme/app.git/info/refs?service=git-upload-pack",
      ),
      "http://127.0.0.1:8080/git/acme/app.git/info/refs?service=git-upload-pack",
    );
    assert.equal(
      joinUrl(new URL("https://u:p@example.test/base?q=1#f"), "/x"),
      "https://example.test/base/x",
    );
  });
});

describe("firstHeader", () => {
  it("takes the first of a repeated header", () => {
    assert.equal(firstHeader(["5", "7"]), "5");
    assert.equal(firstHeader("5"), "5");
    assert.equal(firstHeader(undefined), undefined);
    assert.equal(firstHeader([]), undefined);
  });
});

describe("parseRetryAfter", () => {
  const NOW = Date.UTC(2026, 7, 15, 12, 0, 0);

  it("reads delay-seconds", () => {
    assert.equal(parseRetryAfter("0", NOW), 0);
    assert.equal(parseRetryAfter("7", NOW), 7000);
    assert.equal(parseRetryAfter(" 120 ", NOW), 120_000);
  });

  it("reads the three HTTP date forms as a delay from now, never negative", () => {
    assert.equal(parseRetryAfter("Sat, 15 Aug 2026 12:00:30 GMT", NOW), 30_000);
    assert.equal(parseRetryAfter("Saturday, 15-Aug-26 12:01:00 GMT", NOW), 60_000);
    assert.equal(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW), 0);
  });

  it("ignores absent, empty and meaningless values", () => {
    for (const value of [undefined, "", "   ", "soon", "10 seconds", "1e3"]) {
      assert.equal(parseRetryAfter(value, NOW), undefined, JSON.stringify(value));
    }
  });

  it("ignores values that are neither delay-seconds nor an HTTP date", {}, () => {
    for (const value of ["1.5", "-1", "5s"])
      assert.equal(parseRetryAfter(value, NOW), undefined, value);
  });
});
