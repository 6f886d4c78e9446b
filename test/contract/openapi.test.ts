/**
 * The emulator answers as Atlassian's OpenAPI document says Bitbucket does: every body it sends
 * validates against the schema the document declares, and it enforces the scopes the document
 * lists for each operation. Tests of the action trust the emulator because of this file.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { ErrorObject } from "ajv";
import type { Account, Bitbucket, Repository } from "../emulator/bitbucket.ts";
import { ENDPOINTS, MESSAGES, REMOVED_ENDPOINTS, startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import {
  formatErrors,
  OPENAPI_FILE,
  OPENAPI_SHA256,
  openapi,
  operationLegacyScopes,
  operationScopes,
  validateDefinition,
  validateResponse,
} from "./openapi.ts";

const INVALID_TOKEN = { type: "error", error: { message: MESSAGES.invalidToken } };

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies, validated against the document first
  body: any;
}

let bb: Bitbucket;
let alice: Account;
let bob: Account;
let token: string; // alice, default scopes
let pkg: Repository; // acme/pkg: composer.json, a nested file, an LFS file, three tags

const COMPOSER_JSON = '{\n  "name": "acme/pkg",\n  "type": "library"\n}\n';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const aliceAuth = () => basic(alice.email, token);

async function get(pathOrUrl: string, authorization?: string): Promise<Answer> {
  const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${bb.apiUrl}${pathOrUrl}`;
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${url} content-type`);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

function assertValid(errors: ReturnType<typeof validateDefinition>, what: string): void {
  assert.equal(
    errors.length,
    0,
    `${what} does not match the OpenAPI document:\n${formatErrors(errors)}`,
  );
}

/**
 * Bitbucket's repository bodies carry links.branches and links.tags (Composer's Bitbucket driver
 * follows them), while the document's repository `links` lists neither and forbids other
 * properties. The second deviation accepted, and only for these two names.
 */
const UNDOCUMENTED_REPOSITORY_LINKS = ["branches", "tags"];
const isUndocumentedLink = (e: ErrorObject) =>
  e.instancePath === "/links" &&
  e.keyword === "additionalProperties" &&
  UNDOCUMENTED_REPOSITORY_LINKS.includes(String(e.params.additionalProperty));
const repositoryErrors = (errors: ErrorObject[]) => errors.filter((e) => !isUndocumentedLink(e));

/**
 * Bitbucket's missing-scope 403 carries `detail` as an object {required, granted}, while the
 * document's `error` definition types `detail` as a string. The emulator follows the real service;
 * this is the one deviation accepted, and only for that body.
 */
function assertMissingScopeBody(
  answer: Answer,
  required: string[],
  granted: readonly string[],
): void {
  assert.equal(answer.status, 403);
  assert.deepEqual(answer.body, {
    type: "error",
    error: { message: MESSAGES.missingScope, detail: { required, granted } },
  });
  const errors = validateDefinition("error", answer.body);
  assert.deepEqual(
    errors.map((e) => [e.instancePath, e.keyword]),
    [["/error/detail", "type"]],
    formatErrors(errors),
  );
}

before(async () => {
  bb = await startBitbucket();
  alice = bb.addAccount({
    email: "alice@example.com",
    username: "alice",
    displayName: "Alice Liddell",
  });
  bob = bb.addAccount({ email: "bob@example.com", username: "bob" });
  bb.addRepository("acme/lib");
  bb.addRepository("acme/app", { submodule: "acme/lib" });
  bb.addRepository("acme/tools", { project: "TOOLS" });
  bb.addRepository("other/secret");
  bb.addRepository("other/public", { private: false });
  pkg = bb.addRepository("acme/pkg", {
    files: { "composer.json": COMPOSER_JSON, "src/Pkg.php": "<?php\nnamespace Acme;\n" },
    lfs: { "assets/blob.bin": "large content\n" },
    tags: ["v1.0.0", "v1.1.0", "v2.0.0"],
  });
  bb.grant(alice, "acme", "write");
  for (const ws of ["solo", "w1", "w2", "w3"]) bb.grant(alice, ws, "admin");
  bb.grant(bob, "other/secret", "read");
  token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
});

after(() => bb.close());

test("the bundled OpenAPI document is Atlassian's, byte for byte", () => {
  const digest = createHash("sha256").update(readFileSync(OPENAPI_FILE)).digest("hex");
  assert.equal(digest, OPENAPI_SHA256);
  assert.equal(openapi.swagger, "2.0");
  assert.equal(openapi.basePath, "/2.0");
});

describe("scopes agree with x-atlassian-oauth2-scopes", () => {
  // The src example is a directory (JSON); a file's raw content is checked below.
  const example = (template: string) =>
    template
      .replace("{workspace}", "acme")
      .replace("{repo_slug}", "app")
      .replace("{commit}", "main")
      .replace("{path}", "");

  for (const endpoint of ENDPOINTS) {
    test(`GET ${endpoint.path}`, async () => {
      const documented = operationScopes(endpoint.path, "get");
      assert.deepEqual<string[]>(documented, [endpoint.scope]);
      assert.ok(operationLegacyScopes(endpoint.path, "get").includes(endpoint.legacy));

      // Every other default scope but not this one: refused, naming exactly the documented scope.
      const others = DEFAULT_SCOPES.filter((s) => !documented.includes(s));
      const lacking = await get(
        example(endpoint.path),
        basic(alice.email, bb.issueApiToken(alice, { scopes: others })),
      );
      assertMissingScopeBody(lacking, documented, others);
      assert.deepEqual(
        lacking.headers.get("x-accepted-oauth-scopes"),
        operationLegacyScopes(endpoint.path, "get").join(","),
      );

      // The documented scope alone is enough.
      const only = await get(
        example(endpoint.path),
        basic(alice.email, bb.issueApiToken(alice, { scopes: documented })),
      );
      assert.equal(only.status, 200);
    });
  }

  test("removed endpoints are in the document but answer 410", async () => {
    for (const path of REMOVED_ENDPOINTS) {
      assert.ok(openapi.paths[path]?.get, `${path} in the document`);
      const answer = await get(path, aliceAuth());
      assert.equal(answer.status, 410, path);
      assertValid(validateDefinition("error", answer.body), `410 ${path}`);
    }
  });
});

describe("GET /user", () => {
  test("200 account for Basic email:token, with the scope headers", async () => {
    const answer = await get("/user", aliceAuth());
    assert.equal(answer.status, 200);
    assertValid(validateResponse("/user", "get", 200, answer.body), "200 /user");
    assertValid(validateDefinition("user", answer.body), "200 /user as user");
    assert.equal(answer.body.uuid, alice.uuid);
    assert.equal(answer.body.account_id, alice.accountId);
    assert.equal(answer.body.username, "alice");
    assert.equal(answer.body.display_name, "Alice Liddell");
    assert.match(answer.body.account_id, /^712020:[0-9a-f-]{36}$/);
    assert.equal(answer.headers.get("x-credential-type"), "api_token");
    assert.equal(answer.headers.get("x-accepted-oauth-scopes"), "account");
    const raw = answer.headers.get("x-oauth-scopes") ?? "";
    assert.match(raw, /,\s{2}/, "scopes come unevenly spaced");
    assert.deepEqual(
      raw.split(",").map((s) => s.trim()),
      DEFAULT_SCOPES,
    );
  });

  test("401 with Bitbucket's body for every unusable credential", async () => {
    const cases: [string, string | undefined][] = [
      ["no credentials", undefined],
      ["wrong email", basic("mallory@example.com", token)],
      ["username instead of email", basic("alice", token)],
      ["git username on REST", basic("x-bitbucket-api-token-auth", token)],
      ["API token as Bearer", `Bearer ${token}`],
      ["trailing newline", basic(alice.email, `${token}\n`)],
      [
        "expired",
        basic(alice.email, bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES, expired: true })),
      ],
      [
        "classic",
        basic(alice.email, bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES, classic: true })),
      ],
      ["app password", basic("alice", bb.issueAppPassword(alice))],
      ["unknown Bearer", "Bearer ATCTT3xFfGN0nonsense"],
    ];
    const revoked = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
    bb.revoke(revoked);
    cases.push(["revoked", basic(alice.email, revoked)]);
    for (const [name, authorization] of cases) {
      const answer = await get("/user", authorization);
      assert.equal(answer.status, 401, name);
      assert.deepEqual(answer.body, INVALID_TOKEN, name);
      assertValid(validateResponse("/user", "get", 401, answer.body), `401 /user (${name})`);
    }
  });

  test("403 for an access token: it is not a user", async () => {
    const access = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["repository:write"],
    });
    const answer = await get("/user", `Bearer ${access}`);
    assertMissingScopeBody(answer, ["account"], ["repository:write"]);
    assert.equal(answer.headers.get("x-credential-type"), "repo_access_token");
    assert.equal(answer.headers.get("x-oauth-scopes"), "repository:write");
  });
});

describe("GET /user/workspaces", () => {
  test("pages follow `next` until the last page, which has none", async () => {
    const slugs: string[] = [];
    let url: string | undefined = `${bb.apiUrl}/user/workspaces?pagelen=2`;
    let pages = 0;
    while (url) {
      const answer = await get(url, aliceAuth());
      assert.equal(answer.status, 200);
      assertValid(
        validateResponse("/user/workspaces", "get", 200, answer.body),
        `page ${pages + 1}`,
      );
      assert.equal(answer.body.pagelen, 2);
      assert.equal(answer.body.size, 5);
      slugs.push(
        ...answer.body.values.map((v: { workspace: { slug: string } }) => v.workspace.slug),
      );
      url = answer.body.next;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(slugs, ["acme", "solo", "w1", "w2", "w3"]);
  });

  test("administrator reflects the workspace role; pagelen is capped at 100", async () => {
    const answer = await get("/user/workspaces?pagelen=1000", aliceAuth());
    assertValid(validateResponse("/user/workspaces", "get", 200, answer.body), "pagelen=1000");
    assert.equal(answer.body.pagelen, 100);
    assert.equal(answer.body.next, undefined);
    const admin = Object.fromEntries(
      answer.body.values.map((v: { administrator: boolean; workspace: { slug: string } }) => [
        v.workspace.slug,
        v.administrator,
      ]),
    );
    assert.deepEqual(admin, { acme: false, solo: true, w1: true, w2: true, w3: true });
  });

  test("an account with no workspace gets an empty page", async () => {
    const carol = bb.addAccount({ email: "carol@example.com", username: "carol" });
    const answer = await get(
      "/user/workspaces",
      basic(carol.email, bb.issueApiToken(carol, { scopes: DEFAULT_SCOPES })),
    );
    assertValid(validateResponse("/user/workspaces", "get", 200, answer.body), "empty page");
    assert.deepEqual(answer.body.values, []);
  });
});

describe("GET /user/workspaces/{workspace}/permission", () => {
  const path = "/user/workspaces/{workspace}/permission";

  test("200 workspace_membership for members, also through a single repository", async () => {
    const member = await get("/user/workspaces/acme/permission", aliceAuth());
    assert.equal(member.status, 200);
    assertValid(validateResponse(path, "get", 200, member.body), "member");
    assert.equal(member.body.permission, "member");
    assert.equal(member.body.workspace.slug, "acme");
    assert.equal(member.body.user.uuid, alice.uuid);

    const owner = await get("/user/workspaces/solo/permission", aliceAuth());
    assert.equal(owner.body.permission, "owner");

    const bobAuth = basic(bob.email, bb.issueApiToken(bob, { scopes: DEFAULT_SCOPES }));
    const collaborator = await get("/user/workspaces/other/permission", bobAuth);
    assert.equal(collaborator.status, 200);
    assertValid(validateResponse(path, "get", 200, collaborator.body), "collaborator");
    assert.equal(collaborator.body.permission, "collaborator");
  });

  test("403 without access, and for a workspace that does not exist", async () => {
    for (const ws of ["other", "nowhere"]) {
      const answer = await get(`/user/workspaces/${ws}/permission`, aliceAuth());
      assert.equal(answer.status, 403, ws);
      assertValid(validateResponse(path, "get", 403, answer.body), `403 ${ws}`);
    }
  });
});

describe("GET /repositories/{workspace}/{repo_slug}", () => {
  const path = "/repositories/{workspace}/{repo_slug}";

  test("200 repository for a member and for a public repository", async () => {
    for (const name of ["acme/app", "other/public"]) {
      const answer = await get(`/repositories/${name}`, aliceAuth());
      assert.equal(answer.status, 200, name);
      assertValid(repositoryErrors(validateResponse(path, "get", 200, answer.body)), name);
      assert.equal(answer.body.full_name, name);
      assert.equal(answer.body.links.clone[0].href, `${bb.gitUrl}/${name}.git`);
    }
  });

  test("404 with the same body whether missing or forbidden", async () => {
    const missing = await get("/repositories/acme/nope", aliceAuth());
    const forbidden = await get("/repositories/other/secret", aliceAuth());
    assert.equal(missing.status, 404);
    assert.equal(forbidden.status, 404);
    assert.deepEqual(forbidden.body, missing.body);
    assertValid(validateResponse(path, "get", 404, missing.body), "404");
  });

  test("granular scopes imply nothing: write:repository alone cannot read", async () => {
    const writeOnly = bb.issueApiToken(alice, { scopes: ["write:repository:bitbucket"] });
    const answer = await get("/repositories/acme/app", basic(alice.email, writeOnly));
    assertMissingScopeBody(answer, ["read:repository:bitbucket"], ["write:repository:bitbucket"]);
  });

  test("access tokens as Bearer: their target only, legacy scopes with implications", async () => {
    const cases: [string, Parameters<Bitbucket["issueAccessToken"]>[0], string, number][] = [
      [
        "repository token, its repo",
        { kind: "repository", target: "acme/app", scopes: ["repository"] },
        "acme/app",
        200,
      ],
      [
        "repository token, another repo",
        { kind: "repository", target: "acme/app", scopes: ["repository"] },
        "acme/lib",
        404,
      ],
      [
        "pullrequest:write implies repository",
        { kind: "repository", target: "acme/app", scopes: ["pullrequest:write"] },
        "acme/app",
        200,
      ],
      [
        "project implies repository",
        { kind: "project", target: "acme/TOOLS", scopes: ["project"] },
        "acme/tools",
        200,
      ],
      [
        "project token, repo outside the project",
        { kind: "project", target: "acme/TOOLS", scopes: ["repository"] },
        "acme/app",
        404,
      ],
      [
        "workspace token",
        { kind: "workspace", target: "acme", scopes: ["repository"] },
        "acme/lib",
        200,
      ],
      [
        "workspace token, other workspace",
        { kind: "workspace", target: "acme", scopes: ["repository"] },
        "other/secret",
        404,
      ],
    ];
    for (const [name, options, repo, status] of cases) {
      const answer = await get(`/repositories/${repo}`, `Bearer ${bb.issueAccessToken(options)}`);
      assert.equal(answer.status, status, name);
      assertValid(repositoryErrors(validateResponse(path, "get", status, answer.body)), name);
      assert.equal(
        answer.headers.get("x-credential-type"),
        `${options.kind === "repository" ? "repo" : options.kind}_access_token`,
      );
    }

    const noRead = bb.issueAccessToken({
      kind: "repository",
      target: "acme/app",
      scopes: ["webhook"],
    });
    assertMissingScopeBody(
      await get("/repositories/acme/app", `Bearer ${noRead}`),
      ["repository"],
      ["webhook"],
    );
  });
});

describe("what Composer's Bitbucket driver reads", () => {
  const repoPath = "/repositories/{workspace}/{repo_slug}";
  const branchesPath = "/repositories/{workspace}/{repo_slug}/refs/branches";
  const tagsPath = "/repositories/{workspace}/{repo_slug}/refs/tags";
  const commitPath = "/repositories/{workspace}/{repo_slug}/commit/{commit}";
  const srcPath = "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}";

  test("the repository body: links Composer follows, scm, website, has_issues, mainbranch", async () => {
    const answer = await get("/repositories/acme/pkg?fields=-project,-owner", aliceAuth());
    assert.equal(answer.status, 200);
    const errors = validateResponse(repoPath, "get", 200, answer.body);
    assertValid(repositoryErrors(errors), "acme/pkg");
    // The deviation is real: the document does forbid these links (else drop the filter).
    assert.deepEqual(
      errors.map((e) => e.params.additionalProperty).sort(),
      UNDOCUMENTED_REPOSITORY_LINKS,
    );
    const body = answer.body;
    assert.equal(body.scm, "git");
    assert.equal(body.website, null);
    assert.equal(typeof body.has_issues, "boolean");
    assert.equal(body.mainbranch.name, "main");
    assert.deepEqual(body.links.clone, [{ name: "https", href: `${bb.gitUrl}/acme/pkg.git` }]);
    assert.equal(body.links.html.href, `${bb.gitUrl}/acme/pkg`);
    assert.equal(body.links.branches.href, `${bb.apiUrl}/repositories/acme/pkg/refs/branches`);
    assert.equal(body.links.tags.href, `${bb.apiUrl}/repositories/acme/pkg/refs/tags`);
  });

  test("refs/branches and refs/tags page through `next` with Composer's query", async () => {
    const repo = (await get("/repositories/acme/pkg", aliceAuth())).body;
    const walk = async (href: string, template: string, pagelen: number) => {
      const names: Record<string, string> = {};
      let url: string | undefined =
        `${href}?pagelen=${pagelen}&fields=values.name%2Cvalues.target.hash%2Cnext&sort=-target.date`;
      let pages = 0;
      while (url) {
        const answer = await get(url, aliceAuth());
        assert.equal(answer.status, 200, url);
        assertValid(validateResponse(template, "get", 200, answer.body), url);
        for (const v of answer.body.values) names[v.name] = v.target.hash;
        url = answer.body.next;
        pages++;
      }
      return { names, pages };
    };
    const tags = await walk(repo.links.tags.href, tagsPath, 2);
    assert.equal(tags.pages, 2);
    assert.deepEqual(tags.names, { "v1.0.0": pkg.head, "v1.1.0": pkg.head, "v2.0.0": pkg.head });
    const branches = await walk(repo.links.branches.href, branchesPath, 100);
    assert.deepEqual(branches, { names: { main: pkg.head }, pages: 1 });

    const page = (await get("/repositories/acme/pkg/refs/tags?pagelen=1", aliceAuth())).body;
    assert.equal(page.values[0].type, "tag");
    assert.equal(page.values[0].target.type, "commit");
    assert.equal(page.values[0].target.date, "2024-01-15T09:30:00+00:00");
    assert.equal(page.size, 3);
    assert.match(page.next, /[?&]page=2(&|$)/);
    const main = (await get("/repositories/acme/pkg/refs/branches", aliceAuth())).body.values[0];
    assert.equal(main.type, "branch");
    assertValid(validateDefinition("branch", main), "branch");
  });

  test("commit/{commit} by hash, branch or tag; 404 for an unknown commit", async () => {
    for (const rev of [pkg.head, pkg.head.slice(0, 12), "main", "v1.1.0"]) {
      const answer = await get(`/repositories/acme/pkg/commit/${rev}?fields=date`, aliceAuth());
      assert.equal(answer.status, 200, rev);
      assertValid(validateResponse(commitPath, "get", 200, answer.body), rev);
      assert.equal(answer.body.hash, pkg.head);
      assert.equal(answer.body.date, "2024-01-15T09:30:00+00:00");
      assert.equal(answer.body.repository.full_name, "acme/pkg");
    }
    for (const rev of ["0".repeat(40), "no-such-branch", "--help"]) {
      const missing = await get(`/repositories/acme/pkg/commit/${rev}`, aliceAuth());
      assert.equal(missing.status, 404, rev);
      assertValid(validateResponse(commitPath, "get", 404, missing.body), rev);
    }
  });

  test("src/{commit}/{path}: the raw file, at a hash or a tag; 404 for a missing path", async () => {
    for (const rev of [pkg.head, "v1.0.0", "main"]) {
      const res = await fetch(`${bb.apiUrl}/repositories/acme/pkg/src/${rev}/composer.json`, {
        headers: { authorization: aliceAuth() },
      });
      assert.equal(res.status, 200, rev);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
      assert.equal(await res.text(), COMPOSER_JSON);
    }
    const nested = await fetch(`${bb.apiUrl}/repositories/acme/pkg/src/main/src/Pkg.php`, {
      headers: { authorization: aliceAuth() },
    });
    assert.equal(await nested.text(), "<?php\nnamespace Acme;\n");
    const pointer = await fetch(`${bb.apiUrl}/repositories/acme/pkg/src/main/assets/blob.bin`, {
      headers: { authorization: aliceAuth() },
    });
    assert.match(
      await pointer.text(),
      /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:/,
    );

    for (const path of ["nope.json", "src/nope.php", "composer.json/x", "../etc/passwd"]) {
      const missing = await get(`/repositories/acme/pkg/src/main/${path}`, aliceAuth());
      assert.equal(missing.status, 404, path);
      assertValid(validateResponse(srcPath, "get", 404, missing.body), path);
    }
    const badCommit = await get(
      `/repositories/acme/pkg/src/${"0".repeat(40)}/composer.json`,
      aliceAuth(),
    );
    assert.equal(badCommit.status, 404);
    assertValid(validateResponse(srcPath, "get", 404, badCommit.body), "unknown commit");
  });

  test("src/{commit}/{path} of a directory: paginated tree entries", async () => {
    for (const path of ["", "src/"]) {
      const answer = await get(`/repositories/acme/pkg/src/main/${path}`, aliceAuth());
      assert.equal(answer.status, 200, path);
      assertValid(validateResponse(srcPath, "get", 200, answer.body), path);
      const paths = answer.body.values.map((v: { path: string }) => v.path);
      if (path === "") {
        assert.deepEqual(paths, [".gitattributes", "README.md", "assets", "composer.json", "src"]);
      } else assert.deepEqual(paths, ["src/Pkg.php"]);
    }
  });

  test("the same rules as the repository: 401, 404 whether missing or forbidden", async () => {
    const paths = [
      "/refs/branches",
      "/refs/tags",
      `/commit/${pkg.head}`,
      `/src/${pkg.head}/README.md`,
    ];
    for (const suffix of paths) {
      const anonymous = await get(`/repositories/acme/pkg${suffix}`);
      assert.equal(anonymous.status, 401, suffix);
      assert.deepEqual(anonymous.body, INVALID_TOKEN, suffix);
      const forbidden = await get(`/repositories/other/secret${suffix}`, aliceAuth());
      const missing = await get(`/repositories/acme/nope${suffix}`, aliceAuth());
      assert.equal(forbidden.status, 404, suffix);
      assert.deepEqual(forbidden.body, missing.body, suffix);
      assert.equal(forbidden.body.error.message, MESSAGES.repositoryNotFound);
    }
  });
});

describe("publicUrls: bodies name the hosts clients see", () => {
  const REPOSITORY = "/repositories/{workspace}/{repo_slug}";
  const PUBLIC = {
    api: "https://api.bitbucket.org/2.0",
    git: "https://bitbucket.org",
    media: "https://media.bitbucket.test",
  };

  test("links, clone links, next pages and commit links use them; requests route by path", async () => {
    const own = await startBitbucket({ publicUrls: PUBLIC });
    try {
      const carol = own.addAccount({ email: "carol@example.com", username: "carol" });
      own.addRepository("acme/pkg", { tags: ["v1", "v2"] });
      own.grant(carol, "acme", "read");
      const auth = basic(carol.email, own.issueApiToken(carol, { scopes: DEFAULT_SCOPES }));
      assert.deepEqual(own.publicUrls, PUBLIC);
      // The front forwards the path unchanged, with the public Host.
      const fetchPublic = async (path: string): Promise<Answer> => {
        const res = await fetch(`${own.apiUrl.replace(/\/2\.0$/, "")}${path}`, {
          headers: { authorization: auth, host: "api.bitbucket.org" },
        });
        return { status: res.status, headers: res.headers, body: await res.json() };
      };
      const repo = await fetchPublic("/2.0/repositories/acme/pkg");
      assert.equal(repo.status, 200);
      assertValid(repositoryErrors(validateResponse(REPOSITORY, "get", 200, repo.body)), "public");
      assert.deepEqual(repo.body.links.clone, [
        { name: "https", href: "https://bitbucket.org/acme/pkg.git" },
      ]);
      assert.equal(repo.body.links.html.href, "https://bitbucket.org/acme/pkg");
      assert.equal(
        repo.body.links.self.href,
        "https://api.bitbucket.org/2.0/repositories/acme/pkg",
      );
      assert.equal(
        repo.body.links.tags.href,
        "https://api.bitbucket.org/2.0/repositories/acme/pkg/refs/tags",
      );
      const tags = await fetchPublic("/2.0/repositories/acme/pkg/refs/tags?pagelen=1");
      assert.match(
        tags.body.next,
        /^https:\/\/api\.bitbucket\.org\/2\.0\/repositories\/acme\/pkg\/refs\/tags\?/,
      );
      assert.match(
        tags.body.values[0].target.links.html.href,
        /^https:\/\/bitbucket\.org\/acme\/pkg\/commits\//,
      );
      const text = JSON.stringify([repo.body, tags.body]);
      assert.ok(!text.includes("127.0.0.1"), "no loopback URL in a body");
    } finally {
      await own.close();
    }
  });
});

test("unknown paths: 404 error body, before authentication", async () => {
  for (const path of [
    "/nothing-here",
    "/user/something/else",
    "/repositories/acme/app/extra/deep/path",
  ]) {
    const answer = await get(path);
    assert.equal(answer.status, 404, path);
    assertValid(validateDefinition("error", answer.body), path);
  }
});
