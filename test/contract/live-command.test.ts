/**
 * The whole live check (npm run contract:live) without the network: a first emulator plays
 * Bitbucket, the command builds its own second one from what the first answers, and the two
 * must match (the emulator matches itself); a transport that tampers with the first one's
 * answers makes every kind of difference; and without a token the command says what it needs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { NO_TOKEN } from "../../scripts/contract/inputs.ts";
import { assertNoLeaks, labelledSecretForms } from "../harness/leaks.ts";
import { diffRows, run, startLiveWorld, tableRows, tampering } from "./live-fixtures.ts";

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
      const markdown = places[1].text;
      assert.match(markdown, /^## Live contract check\n/);
      assert.match(markdown, /\| case \| aspect \| Bitbucket \| emulator \| result \|/);
      // Server text cannot open a code block or add a table column in the summary.
      assert.ok(!/`{3}/.test(markdown));
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
    const pasted = await run({}, [token]);
    assert.equal(pasted.code, 2);
    assert.match(pasted.out, /takes no arguments/);
    for (const r of [noEmail, badRepo, http, pasted])
      assert.ok(!r.out.includes(token.slice(12, 40)));
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
