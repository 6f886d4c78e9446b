/**
 * The live contract check's comparison (scripts/contract/compare.ts) against canned answers
 * shaped like Bitbucket's that differ in every way the product cares about, and its scrubber.
 * The whole command is tested in live-command.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compareCase, type Observation, type Row, tally } from "../../scripts/contract/compare.ts";
import { createScrubber, WITHHELD } from "../../scripts/contract/scrub.ts";
import { advertisement, answer, REAL_MISSING_SCOPE, REAL_USER } from "./live-fixtures.ts";

const user = (
  change: { status?: number; headers?: Record<string, string | undefined>; body?: unknown } = {},
): Observation => {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...REAL_USER.headers, ...change.headers }))
    if (v !== undefined) headers[k] = v;
  return answer(change.status ?? REAL_USER.status, headers, change.body ?? REAL_USER.body);
};
const rowsOf = (live: Observation, emulator: Observation = user()) =>
  compareCase("api: GET /user", live, emulator);
const only = (rows: Row[], result: Row["result"]) =>
  rows.filter((r) => r.result === result).map((r) => r.aspect);

describe("comparing one case", () => {
  test("the same answer matches in every aspect, identifiers and all", () => {
    const rows = rowsOf(user());
    assert.deepEqual(tally(rows), { match: rows.length, diff: 0, info: 0 });
    assert.deepEqual(
      rows.map((r) => r.aspect),
      [
        "status",
        "content-type",
        "x-oauth-scopes",
        "x-credential-type",
        "x-accepted-oauth-scopes",
        "body",
        "body type",
        "body keys read",
      ],
    );
  });

  test("values that identify the account are never compared, only their types", () => {
    const other = { ...REAL_USER.body, uuid: "{other}", account_id: "557058:x", display_name: "B" };
    assert.equal(tally(rowsOf(user({ body: other }))).diff, 0);
  });

  test("status", () => {
    assert.deepEqual(only(rowsOf(user({ status: 403 })), "diff"), ["status"]);
  });

  test("content type: the media type counts, parameters do not", () => {
    assert.deepEqual(
      only(rowsOf(user({ headers: { "content-type": "text/html; charset=utf-8" } })), "diff"),
      ["content-type"],
    );
    const charset = user({ headers: { "content-type": "application/json" } });
    assert.equal(tally(rowsOf(charset)).diff, 0);
  });

  test("a missing header, or one spelt otherwise (which is the same to the product)", () => {
    const missing = rowsOf(user({ headers: { "x-credential-type": undefined } }));
    assert.deepEqual(only(missing, "diff"), ["x-credential-type"]);
    assert.equal(missing.find((r) => r.result === "diff")?.live, "absent");
    const misspelt = user({
      headers: {
        "x-oauth-scopes": undefined,
        "x-oauth-scope": REAL_USER.headers["x-oauth-scopes"],
      },
    });
    assert.deepEqual(only(rowsOf(misspelt), "diff"), ["x-oauth-scopes"]);
  });

  test("x-oauth-scopes: spacing is information, a list not separated by commas is a difference", () => {
    const tight = user({
      headers: {
        "x-oauth-scopes":
          "read:user:bitbucket,read:workspace:bitbucket,  read:repository:bitbucket ,write:repository:bitbucket",
      },
    });
    const spacing = rowsOf(tight);
    assert.deepEqual(only(spacing, "diff"), []);
    assert.deepEqual(only(spacing, "info"), ["x-oauth-scopes spacing"]);

    const spaces = user({
      headers: { "x-oauth-scopes": "read:user:bitbucket read:workspace:bitbucket" },
    });
    const row = rowsOf(spaces).find((r) => r.aspect === "x-oauth-scopes");
    assert.equal(row?.result, "diff");
    assert.equal(row?.live, "not a comma-separated list");
  });

  test("x-oauth-scopes: other names, and names src/core/inputs/scopes.ts does not know", () => {
    const fewer = user({ headers: { "x-oauth-scopes": "read:user:bitbucket" } });
    assert.deepEqual(only(rowsOf(fewer), "diff"), ["x-oauth-scopes"]);
    const unknown = "read:user:bitbucket, read:repository:bitbucket:v2";
    const both = user({ headers: { "x-oauth-scopes": unknown } });
    // Unknown to the product is a difference even when the emulator echoes the same names.
    assert.deepEqual(only(rowsOf(both, both), "diff"), ["x-oauth-scopes names"]);
  });

  test("x-credential-type: another value is a difference, another case only information", () => {
    const renamed = user({ headers: { "x-credential-type": "atlassian_api_token" } });
    assert.deepEqual(only(rowsOf(renamed), "diff"), ["x-credential-type"]);
    const upper = user({ headers: { "x-credential-type": "API_TOKEN" } });
    assert.deepEqual(only(rowsOf(upper), "diff"), []);
    assert.deepEqual(only(rowsOf(upper), "info"), ["x-credential-type"]);
  });

  test("x-accepted-oauth-scopes: presence matters, its names are information", () => {
    const gone = user({ headers: { "x-accepted-oauth-scopes": undefined } });
    assert.deepEqual(only(rowsOf(gone), "diff"), ["x-accepted-oauth-scopes"]);
    const granular = user({ headers: { "x-accepted-oauth-scopes": "read:user:bitbucket" } });
    assert.deepEqual(only(rowsOf(granular), "info"), ["x-accepted-oauth-scopes"]);
  });

  test("Retry-After and X-RateLimit-*: present on one side only", () => {
    const retry = user({ headers: { "retry-after": "30" } });
    assert.deepEqual(only(rowsOf(retry), "diff"), ["retry-after"]);
    const limited = user({
      headers: { "x-ratelimit-limit": "1000", "x-ratelimit-resource": "api" },
    });
    const rows = rowsOf(limited);
    assert.deepEqual(only(rows, "diff"), ["x-ratelimit-*"]);
    assert.equal(rows.find((r) => r.aspect === "x-ratelimit-*")?.live, "limit, resource");
  });

  test("a body that is not JSON (Bitbucket's other 401s)", () => {
    const realText = answer(
      401,
      { "content-type": "text/plain" },
      "Login failed due to incorrect login credentials or method.",
    );
    const emulated = answer(
      401,
      { "content-type": "application/json; charset=utf-8" },
      { type: "error", error: { message: "Token is invalid, expired, or not supported." } },
    );
    const rows = compareCase("api: GET /user, wrong token", realText, emulated);
    assert.deepEqual(only(rows, "diff"), ["content-type", "body"]);
    assert.deepEqual(only(rows, "info"), ["body message"]);
  });

  test("a key the product reads is missing", () => {
    const { username: _, ...withoutUsername } = REAL_USER.body;
    const rows = rowsOf(user({ body: withoutUsername }));
    assert.deepEqual(only(rows, "diff"), ["body username"]);
    const row = rows.find((r) => r.aspect === "body username");
    assert.deepEqual([row?.live, row?.emulator], ["absent", "string"]);
  });

  test("a key the product reads has another type", () => {
    const stringDetail = {
      type: "error",
      error: { message: REAL_MISSING_SCOPE.error.message, detail: "read:workspace:bitbucket" },
    };
    const headers = { "content-type": "application/json" };
    const rows = compareCase(
      "api: GET permission",
      answer(403, headers, stringDetail),
      answer(403, headers, REAL_MISSING_SCOPE),
    );
    assert.deepEqual(only(rows, "diff"), [
      "body error.detail",
      "body error.detail.required",
      "body error.detail.granted",
    ]);
    assert.equal(rows.find((r) => r.aspect === "body error.detail")?.live, "string");
    const numbers = structuredClone(REAL_MISSING_SCOPE);
    (numbers.error.detail as { required: unknown }).required = [1];
    const typed = compareCase(
      "x",
      answer(403, headers, numbers),
      answer(403, headers, REAL_MISSING_SCOPE),
    );
    assert.deepEqual(only(typed, "diff"), ["body error.detail.required"]);
  });

  test("an empty list agrees with a list of names; other keys are only information", () => {
    const empty = structuredClone(REAL_MISSING_SCOPE);
    empty.error.detail.granted = [];
    const headers = { "content-type": "application/json" };
    const rows = compareCase(
      "x",
      answer(403, headers, { ...empty, data: { extra: true } }),
      answer(403, headers, REAL_MISSING_SCOPE),
    );
    assert.deepEqual(only(rows, "diff"), []);
    assert.deepEqual(only(rows, "info"), ["body other keys"]);
  });

  test("git: WWW-Authenticate's scheme matters, its realm is information; bodies are not read", () => {
    const emulated = advertisement(401, {
      "content-type": "text/plain",
      "www-authenticate": 'Basic realm="Bitbucket.org HTTP"',
    });
    const none = advertisement(401, { "content-type": "text/plain" });
    assert.deepEqual(only(compareCase("git", none, emulated), "diff"), ["www-authenticate"]);
    const realm = advertisement(401, {
      "content-type": "text/plain",
      "www-authenticate": 'Basic realm="Atlassian"',
    });
    const rows = compareCase("git", realm, emulated);
    assert.deepEqual(only(rows, "info"), ["www-authenticate"]);
    assert.ok(!rows.some((r) => r.aspect.startsWith("body")));
  });

  test("no answer on one side", () => {
    const failed: Observation = { kind: "failed", reason: "redirected", unreachable: false };
    assert.deepEqual(only(compareCase("x", failed, user()), "diff"), ["answer"]);
  });
});

describe("the scrubber", () => {
  const token = `ATATT3xFfGF0${"Ab9_-".repeat(34)}=0A1B2C3D`;
  const email = "jane.doe@example.com";
  const scrubber = createScrubber();
  scrubber.secret(token, email);
  scrubber.identifier(email, "<email>");
  scrubber.identifier("jdoe", "<username>");
  scrubber.identifier("Jane Doe", "<display_name>");
  scrubber.identifier("acme", "<workspace 1>");

  test("tokens and their derived forms are replaced or the whole value withheld", () => {
    const basic = Buffer.from(`x-bitbucket-api-token-auth:${token}`).toString("base64");
    assert.equal(scrubber.scrub(`Basic ${basic}`), "Basic ***");
    assert.equal(scrubber.scrub(`echo ${encodeURIComponent(token)}!`), "echo ***!");
    assert.equal(scrubber.scrub(`part ${token.slice(20, 60)} of it`), WITHHELD);
    assert.equal(scrubber.scrub(`looks like ATCTT3xFfGN0${"z".repeat(40)}`), "looks like ***");
  });

  test("identifiers become their shape, known or not", () => {
    assert.equal(
      scrubber.scrub("Jane Doe (jdoe, JANE.DOE@example.com) in acme/webapp"),
      "<display_name> (<username>, <email>) in <workspace 1>/webapp",
    );
    assert.equal(
      scrubber.scrub(
        "user {5c7e7b3e-1a2b-4c3d-8e9f-0a1b2c3d4e5f} is 712020:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b, other@corp.example",
      ),
      "user {uuid} is <account-id>, <email>",
    );
    assert.equal(scrubber.scrub("jdoenot acmecorp"), "jdoenot acmecorp", "whole words only");
  });

  test("control characters and escape sequences never pass", () => {
    assert.equal(scrubber.scrub("a\u001b[2Jb\n::error::x"), "ab ::error::x");
  });
});
