/**
 * The live contract check (npm run contract:live) without the network: its comparison against
 * canned answers shaped like Bitbucket's that differ in every way the product cares about, its
 * scrubber, and the whole command with a first emulator playing Bitbucket (which must match
 * the second one the command builds: the emulator matches itself).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { compareCase, type Observation, type Row, tally } from "../../scripts/contract/compare.ts";
import { NO_TOKEN } from "../../scripts/contract/inputs.ts";
import { createScrubber, WITHHELD } from "../../scripts/contract/scrub.ts";
import { assertNoLeaks, labelledSecretForms } from "../harness/leaks.ts";
import {
  advertisement,
  answer,
  diffRows,
  REAL_MISSING_SCOPE,
  REAL_USER,
  run,
  startLiveWorld,
  tableRows,
  tampering,
} from "./live-fixtures.ts";

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

describe("npm run contract:live against an emulator playing Bitbucket", () => {
  test("the emulator matches itself: exit 0, no difference, read-only requests", async () => {
    const world = await startLiveWorld();
    try {
      // The product's own transport (proxy-aware) on the Bitbucket side, as in real use.
      const { code, out } = await run(world.env, world.argv, undefined);
      assert.deepEqual(diffRows(out), []);
      assert.equal(code, 0, out);
      assert.match(out, /0 differ/);
      assert.match(out, /The emulator still tells the truth/);
      for (const name of [
        "api: GET /user",
        "api: git receive-pack, repo 2",
        "api: GET permission, missing workspace",
        "api: git upload-pack, repo 1, email as username",
        "access: GET repository, repo 3",
        "access: git upload-pack, repo 1, wrong token",
      ])
        assert.ok(out.includes(name), name);
      assert.match(out, /x-credential-type \(API token\): api_token/);
      assert.match(out, /X-RateLimit-\* \(access token\): x-ratelimit-limit/);
      // Nothing but GETs, and git only ever asked for its advertisements.
      for (const r of world.bb.requests) {
        assert.equal(r.method, "GET", r.url);
        if (r.server === "git")
          assert.match(r.url, /\/info\/refs\?service=git-(upload|receive)-pack$/);
      }
    } finally {
      await world.bb.close();
    }
  });

  test("a token lacking a scope provokes the missing-scope 403 on both sides alike", async () => {
    const world = await startLiveWorld({
      scopes: ["read:user:bitbucket", "read:repository:bitbucket"],
    });
    try {
      const { BITBUCKET_ACCESS_TOKEN: _, ...env } = world.env;
      const { code, out } = await run(env, world.argv);
      assert.equal(code, 0, diffRows(out).join("\n"));
      // No read:workspace: the permission endpoint answers 403 with detail {required, granted}.
      assert.match(
        out,
        /missing-scope 403 body: seen on "api: GET permission, workspace 1": error\.detail\.required array of string/,
      );
      const rows = tableRows(out).filter((r) =>
        r.startsWith("api: git receive-pack, repo 1 | status"),
      );
      assert.deepEqual(rows, ["api: git receive-pack, repo 1 | status | 403 | 403 | match"]);
      assert.doesNotMatch(out, /access:/);
    } finally {
      await world.bb.close();
    }
  });

  test("each kind of difference in Bitbucket's answers fails with exit 1 and a DIFF row", async () => {
    const world = await startLiveWorld();
    const isUser = (url: string) => new URL(url).pathname.endsWith("/2.0/user");
    const json = (body: unknown) => Buffer.from(JSON.stringify(body));
    const cases: [string, Parameters<typeof tampering>[0], RegExp][] = [
      [
        "x-credential-type renamed",
        (url, raw) =>
          isUser(url) && raw.status === 200
            ? { ...raw, headers: { ...raw.headers, "x-credential-type": "atlassian_api_token" } }
            : raw,
        /api: GET \/user \| x-credential-type \| atlassian_api_token \| api_token/,
      ],
      [
        "401 as plain text",
        (url, raw) =>
          isUser(url) && raw.status === 401
            ? {
                ...raw,
                headers: { ...raw.headers, "content-type": "text/plain" },
                body: Buffer.from("Login failed due to incorrect login credentials or method."),
              }
            : raw,
        /api: GET \/user, wrong token \| body \| text \| json/,
      ],
      [
        "scopes separated by spaces",
        (url, raw) => {
          const scopes = raw.headers["x-oauth-scopes"];
          return isUser(url) && typeof scopes === "string"
            ? {
                ...raw,
                headers: { ...raw.headers, "x-oauth-scopes": scopes.replace(/\s*,\s*/g, " ") },
              }
            : raw;
        },
        /x-oauth-scopes \| not a comma-separated list/,
      ],
      [
        "missing-scope detail as a string",
        (url, raw) =>
          isUser(url) && raw.status === 403
            ? { ...raw, body: json({ type: "error", error: { message: "no", detail: "account" } }) }
            : raw,
        /access: GET \/user \| body error\.detail \| string \| object/,
      ],
      [
        "account_id gone",
        (url, raw) => {
          if (!isUser(url) || raw.status !== 200) return raw;
          const { account_id: _, ...body } = JSON.parse(raw.body.toString());
          return { ...raw, body: json(body) };
        },
        /api: GET \/user \| body account_id \| absent \| string/,
      ],
      [
        "missing repository answered 403",
        (url, raw) =>
          raw.status === 404 && url.includes("contract-live-missing")
            ? { ...raw, status: 403 }
            : raw,
        /GET repository, missing repo \| status \| 403 \| 404/,
      ],
    ];
    try {
      for (const [name, tamper, expected] of cases) {
        const { code, out } = await run(world.env, world.argv, tampering(tamper));
        assert.equal(code, 1, name);
        assert.ok(
          diffRows(out).some((row) => expected.test(row)),
          `${name}:\n${diffRows(out).join("\n")}`,
        );
        assert.match(out, /The emulator differs from Bitbucket in \d+ aspects?/);
      }
    } finally {
      await world.bb.close();
    }
  });

  test("the output never holds a token, a derived form or an account identifier", async () => {
    const world = await startLiveWorld();
    const { alice, token, access } = world;
    const basic = Buffer.from(`${alice.email}:${token}`).toString("base64");
    // A Bitbucket (or a middlebox) that echoes everything it knows into what the table shows.
    const echo = tampering((url, raw) => {
      const loud = `${alice.displayName} ${alice.username} ${alice.email} ${alice.uuid} ${alice.accountId} acmecorp webapp`;
      const headers = {
        ...raw.headers,
        "x-credential-type": `${raw.headers["x-credential-type"] ?? "api_token"} ${token.slice(30, 80)}`,
        "www-authenticate": `Basic realm="${loud} ${basic}"`,
      };
      if (raw.status === 200 || !url.includes("/2.0/")) return { ...raw, headers };
      const body = Buffer.from(
        JSON.stringify({ type: "error", error: { message: `${loud} ${access}` } }),
      );
      return { ...raw, headers, body };
    });
    const summary = mkdtempSync(join(tmpdir(), "live-summary-"));
    try {
      const file = join(summary, "summary.md");
      const env = { ...world.env, GITHUB_STEP_SUMMARY: file };
      const { code, out } = await run(env, world.argv, echo);
      assert.equal(code, 1);
      const places = [
        { name: "stdout", text: out },
        { name: "step summary", text: readFileSync(file, "utf8") },
      ];
      const users = [alice.email, "x-bitbucket-api-token-auth", "x-token-auth"];
      assertNoLeaks(
        [...labelledSecretForms(token, users), ...labelledSecretForms(access, users)],
        places,
      );
      for (const id of [
        alice.email,
        alice.uuid,
        alice.accountId,
        alice.username,
        alice.displayName,
        "acmecorp",
        "webapp",
        "othercorp",
      ]) {
        for (const place of places) assert.ok(!place.text.includes(id), `${id} in ${place.name}`);
      }
      assert.match(out, /<display_name>|<email>|\{uuid\}/, "identifiers are shown by their shape");
    } finally {
      rmSync(summary, { recursive: true, force: true });
      await world.bb.close();
    }
  });

  test("in GitHub Actions, derived forms are masked first and appear nowhere else", async () => {
    const world = await startLiveWorld();
    try {
      const { out } = await run({ ...world.env, GITHUB_ACTIONS: "true" }, world.argv);
      const masks = out.split("\n").filter((l) => l.startsWith("::add-mask::"));
      const rest = out
        .split("\n")
        .filter((l) => !l.startsWith("::add-mask::"))
        .join("\n");
      assert.ok(masks.some((l) => l === `::add-mask::${world.token}`));
      assert.ok(
        masks.some(
          (l) =>
            l ===
            `::add-mask::${Buffer.from(`${world.alice.email}:${world.token}`).toString("base64")}`,
        ),
      );
      assertNoLeaks(labelledSecretForms(world.token, [world.alice.email]), [
        { name: "stdout", text: rest },
      ]);
    } finally {
      await world.bb.close();
    }
  });

  test("a token Bitbucket refuses: the refusals are compared, then exit 2 saying why", async () => {
    const world = await startLiveWorld();
    try {
      world.bb.revoke(world.token);
      const { BITBUCKET_ACCESS_TOKEN: _, ...env } = world.env;
      const { code, out } = await run(env, world.argv);
      assert.equal(code, 2, diffRows(out).join("\n"));
      assert.match(
        out,
        /Bitbucket refused BITBUCKET_API_TOKEN \(with BITBUCKET_EMAIL\) \(401 on GET \/user\)/,
      );
    } finally {
      await world.bb.close();
    }
  });

  test("Bitbucket unreachable: exit 3 and nothing compared", async () => {
    const port = await closedPort();
    const env = {
      BITBUCKET_EMAIL: "a@example.com",
      BITBUCKET_API_TOKEN: `ATATT3xFfGF0${"x".repeat(180)}`,
    };
    const argv = [
      "--api-url",
      `http://127.0.0.1:${port}/2.0`,
      "--git-url",
      `http://127.0.0.1:${port}`,
    ];
    const { code, out } = await run(env, argv, undefined);
    assert.equal(code, 3, out);
    assert.match(out, /Bitbucket could not be reached, so nothing was compared: .*refused/);
    assert.doesNotMatch(out, /\| DIFF|match$/m);
  });
});

describe("without a usable token", () => {
  test("no token: exit 2 naming every variable and how to pass them", async () => {
    const { code, out } = await run({ BITBUCKET_EMAIL: "a@example.com" }, []);
    assert.equal(code, 2);
    assert.equal(out, NO_TOKEN);
    for (const name of [
      "BITBUCKET_EMAIL",
      "BITBUCKET_API_TOKEN",
      "BITBUCKET_ACCESS_TOKEN",
      "BITBUCKET_TEST_REPOSITORIES",
      ".env",
      "read -rs",
    ])
      assert.ok(out.includes(name), name);
  });

  test("the script itself, from a clean environment: exit 2 with the same text", () => {
    const cwd = mkdtempSync(join(tmpdir(), "live-no-token-"));
    try {
      const script = fileURLToPath(new URL("../../scripts/contract-live.ts", import.meta.url));
      const result = spawnSync(process.execPath, [script], {
        cwd,
        env: { PATH: process.env.PATH ?? "" },
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, NO_TOKEN);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test("half a credential or a bad input: exit 2 with the product's message, nothing echoed", async () => {
    const token = `ATATT3xFfGF0${"q".repeat(180)}`;
    const noEmail = await run({ BITBUCKET_API_TOKEN: token }, []);
    assert.equal(noEmail.code, 2);
    assert.match(noEmail.out, /BITBUCKET_API_TOKEN is set but BITBUCKET_EMAIL is not/);
    const badRepo = await run({ BITBUCKET_API_TOKEN: token, BITBUCKET_EMAIL: "a@example.com" }, [
      "--repositories",
      "not a/repo/path",
    ]);
    assert.equal(badRepo.code, 2);
    assert.match(badRepo.out, /--repositories/);
    const http = await run({ BITBUCKET_ACCESS_TOKEN: token.replace("ATATT", "ATCTT") }, [
      "--api-url",
      "http://example.com/2.0",
    ]);
    assert.equal(http.code, 2);
    assert.match(http.out, /https/);
    for (const r of [noEmail, badRepo, http]) assert.ok(!r.out.includes(token.slice(12, 40)));
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
