import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { BitbucketResponse } from "../../src/core/bitbucket/client.ts";
import {
  followUps,
  identityPath,
  type RepositoryResponses,
} from "../../src/core/bitbucket/requests.ts";
import { secretForms } from "../../src/core/inputs/credential.ts";
import type { Expiry } from "../../src/core/inputs/dates.ts";
import { type InputName, rawInputs } from "../../src/core/inputs/names.ts";
import { scopePurpose } from "../../src/core/inputs/scopes.ts";
import { parseSettings, type Settings } from "../../src/core/inputs/settings.ts";
import { type Problem, problem, render } from "../../src/core/messages/index.ts";
import { type FrontEnd, type Medium, rendererFor } from "../../src/core/render/renderer.ts";
import { type Judgement, judge, judgeOffline, type Report } from "../../src/core/verdict.ts";
import { accessToken, apiToken, appPassword, EMAIL, NOW } from "./fixtures.ts";

const API_TOKEN = apiToken();
const ACCESS_TOKEN = accessToken();

function settingsWith(values: Partial<Record<InputName, string>> = {}): Settings {
  const parsed = parseSettings(
    rawInputs({ email: EMAIL, "api-token": API_TOKEN, ...values }, () => ({ kind: "input" })),
    NOW,
  );
  if (parsed.problems) assert.fail(JSON.stringify(parsed.problems));
  return parsed.settings;
}

const accessSettings = (values: Partial<Record<InputName, string>> = {}) =>
  settingsWith({ email: "", "api-token": ACCESS_TOKEN, ...values });

function answer(
  status: number,
  { headers = {}, json, notJson = false }: Partial<BitbucketResponse> = {},
): BitbucketResponse {
  return { status, headers, json, notJson };
}

const ACCOUNT = {
  account_id: "557058:abc",
  uuid: "{u-1}",
  username: "jdoe",
  display_name: "Jane Doe",
};
/** Bitbucket's header, with the spacing a server may use. */
const ALL_SCOPES =
  " read:user:bitbucket,read:workspace:bitbucket ,  read:repository:bitbucket,write:repository:bitbucket ";
const GRANTED = [
  "read:user:bitbucket",
  "read:workspace:bitbucket",
  "read:repository:bitbucket",
  "write:repository:bitbucket",
];

const userOk = (headers: BitbucketResponse["headers"] = {}, json: unknown = ACCOUNT) =>
  answer(200, { headers: { "x-oauth-scopes": ALL_SCOPES, ...headers }, json });

const advertised = (service: "git-upload-pack" | "git-receive-pack", type = "") =>
  answer(200, { headers: { "content-type": `application/x-${service}-advertisement${type}` } });
const READ_OK = advertised("git-upload-pack");
const WRITE_OK = advertised("git-receive-pack");
const REST_OK = answer(200, { json: { full_name: "acme/app" } });
const NOT_FOUND = answer(404, { json: { type: "error", error: { message: "Not found" } } });

function entry(
  fullName: string,
  read: BitbucketResponse,
  write?: BitbucketResponse,
  more: { rest?: BitbucketResponse; membership?: BitbucketResponse } = {},
): RepositoryResponses {
  const [workspace, slug] = fullName.split("/");
  return { repository: { workspace, slug, fullName }, read, write, ...more };
}

const UNKNOWN: Expiry = { status: "unknown" };

type Judged = Extract<Judgement, { report: Report }>;

function judged(j: Judgement, verdict: "fit" | "unfit"): Judged {
  assert.equal(j.verdict, verdict, JSON.stringify(j.problems));
  assert.ok("report" in j);
  return j;
}

function stopped(j: Judgement, verdict: "unreachable" | "bad-input", expected: Problem): void {
  assert.deepEqual(j, { verdict, problems: [expected] });
}

const plain = rendererFor(
  "action",
  "plain",
  rawInputs({}, () => ({ kind: "input" })),
);
const textOf = (p: Problem) => render(p, plain).text;

const API = settingsWith({ repositories: "acme/app" });
const API_BARE = settingsWith();

describe("judge: a fit token", () => {
  it("an API token with every scope and git's yes: the exact report", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk({ "x-credential-type": "api_token" }) },
          repositories: [entry("acme/app", READ_OK, WRITE_OK)],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j, {
      verdict: "fit",
      report: {
        credentialKind: "api-token",
        tokenKind: "api-token",
        gitUsername: "x-bitbucket-api-token-auth",
        account: {
          accountId: "557058:abc",
          uuid: "{u-1}",
          username: "jdoe",
          displayName: "Jane Doe",
        },
        grantedScopes: GRANTED,
        required: GRANTED.map((name) => ({ name, held: true, purpose: scopePurpose(name) })),
        missingScopes: [],
        repositories: [{ name: "acme/app", read: "proven", write: "proven" }],
        expiry: UNKNOWN,
      },
      problems: [],
      warnings: [],
    });
  });

  it("reads a scopes header given as several lines, in any case", () => {
    const user = answer(200, {
      headers: {
        "x-oauth-scopes": [
          "READ:user:bitbucket, read:workspace:bitbucket",
          " read:repository:bitbucket,,write:repository:bitbucket",
        ],
      },
      json: ACCOUNT,
    });
    const j = judged(
      judge(API_BARE, { identity: { path: "/user", response: user }, repositories: [] }, UNKNOWN),
      "fit",
    );
    assert.deepEqual(j.report.grantedScopes, GRANTED);
  });

  it("accepts git's content type with parameters", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [
            entry(
              "acme/app",
              advertised("git-upload-pack", "; charset=utf-8"),
              advertised("git-receive-pack", ";x=1"),
            ),
          ],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "proven", write: "proven" },
    ]);
  });

  it("takes the account's username, or its nickname; a uuid alone names it", () => {
    const { username: _, ...rest } = ACCOUNT;
    const nick = judged(
      judge(
        API_BARE,
        {
          identity: { path: "/user", response: userOk({}, { ...rest, nickname: "jd" }) },
          repositories: [],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.equal(nick.report.account?.username, "jd");
    const uuidOnly = judged(
      judge(
        API_BARE,
        {
          identity: { path: "/user", response: userOk({}, { uuid: "{u-2}", display_name: 7 }) },
          repositories: [],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(uuidOnly.report.account, {
      accountId: undefined,
      uuid: "{u-2}",
      username: undefined,
      displayName: undefined,
    });
  });

  describe("token kind", () => {
    const cases: [string | undefined, Settings, string][] = [
      ["api_token", API_BARE, "api-token"],
      ["repo_access_token", accessSettings(), "repository-access-token"],
      ["repository_access_token", accessSettings(), "repository-access-token"],
      ["project_access_token", accessSettings(), "project-access-token"],
      ["workspace_access_token", accessSettings(), "workspace-access-token"],
      [" Workspace_Access_Token ", accessSettings(), "workspace-access-token"],
      [undefined, API_BARE, "api-token"],
      [undefined, accessSettings(), "access-token"],
      ["something_new", accessSettings(), "access-token"],
    ];
    for (const [header, settings, kind] of cases) {
      it(`x-credential-type ${JSON.stringify(header)} (${settings.credential.kind}) → ${kind}`, () => {
        const headers = header === undefined ? {} : { "x-credential-type": header };
        const scopes =
          settings.credential.kind === "api-token" ? ALL_SCOPES : "repository, repository:write";
        const user = answer(settings.credential.kind === "api-token" ? 200 : 403, {
          headers: { "x-oauth-scopes": scopes, ...headers },
          json: settings.credential.kind === "api-token" ? ACCOUNT : { type: "error" },
        });
        const j = judged(
          judge(
            settings,
            { identity: { path: "/user", response: user }, repositories: [] },
            UNKNOWN,
          ),
          "fit",
        );
        assert.equal(j.report.tokenKind, kind);
        assert.equal(j.report.credentialKind, settings.credential.kind);
      });
    }

    it("takes it from a repository's REST answer when /user did not say", () => {
      const settings = accessSettings({ repositories: "acme/app" });
      const j = judged(
        judge(
          settings,
          {
            identity: { path: "/user", response: answer(401, { notJson: true }) },
            repositories: [
              entry("acme/app", READ_OK, WRITE_OK, {
                rest: answer(200, {
                  headers: {
                    "x-oauth-scopes": "repository:write",
                    "x-credential-type": "project_access_token",
                  },
                  json: { full_name: "acme/app" },
                }),
              }),
            ],
          },
          UNKNOWN,
        ),
        "fit",
      );
      assert.equal(j.report.tokenKind, "project-access-token");
    });
  });
});

describe("judge: scopes", () => {
  it("names every missing scope at once, in the order required (API token: granular)", () => {
    const j = judged(
      judge(
        API_BARE,
        {
          identity: {
            path: "/user",
            response: userOk({ "x-oauth-scopes": "read:user:bitbucket" }),
          },
          repositories: [],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    const missing = GRANTED.slice(1);
    assert.deepEqual(j.problems, [
      problem("scopes-missing", {
        kind: "api-token",
        scopes: missing.map((name) => ({ name, purpose: scopePurpose(name) })),
      }),
    ]);
    assert.deepEqual(j.report.missingScopes, missing);
    assert.deepEqual(
      j.report.required.map((s) => [s.name, s.held]),
      GRANTED.map((name, i) => [name, i === 0]),
    );
    assert.equal(
      textOf(j.problems[0]),
      "The token lacks 3 required scopes: read:workspace:bitbucket (to see the workspaces the account belongs to), read:repository:bitbucket (to clone and fetch repositories (git needs it even to push)), write:repository:bitbucket (to push to repositories).",
    );
    assert.match(render(j.problems[0], plain).fix ?? "", /^API tokens cannot be edited/);
  });

  it("keeps the user's order of required scopes", () => {
    const settings = settingsWith({
      "required-scopes": "write:repository:bitbucket read:user:bitbucket",
    });
    const j = judged(
      judge(
        settings,
        {
          identity: { path: "/user", response: userOk({ "x-oauth-scopes": "" }) },
          repositories: [],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.report.missingScopes, ["write:repository:bitbucket", "read:user:bitbucket"]);
  });

  it("names an access token's missing scopes by their legacy names", () => {
    const settings = accessSettings({ repositories: "acme/app" });
    const j = judged(
      judge(
        settings,
        {
          identity: { path: "/user", response: answer(401) },
          repositories: [
            entry("acme/app", READ_OK, WRITE_OK, {
              rest: answer(200, { headers: { "x-oauth-scopes": "pipeline" }, json: {} }),
            }),
          ],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [
      problem("scopes-missing", {
        kind: "access-token",
        scopes: [
          { name: "repository", purpose: scopePurpose("read:repository:bitbucket") },
          { name: "repository:write", purpose: scopePurpose("write:repository:bitbucket") },
        ],
      }),
    ]);
    assert.deepEqual(j.report.missingScopes, ["repository", "repository:write"]);
    assert.deepEqual(
      j.report.required.map((s) => [s.name, s.held]),
      [
        ["repository", false],
        ["repository:write", false],
      ],
    );
    // A missing scope explains the repository: it is not checked, and not a second problem.
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "not-checked", write: "not-checked" },
    ]);
    assert.match(render(j.problems[0], plain).fix ?? "", /^Access tokens cannot be edited/);
  });

  it("closes legacy scopes under their implications: repository:write gives read", () => {
    const j = judged(
      judge(
        accessSettings(),
        {
          identity: {
            path: "/user",
            response: answer(403, { headers: { "x-oauth-scopes": "repository:write" } }),
          },
          repositories: [],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.report.missingScopes, []);
  });

  it("reads the scopes a 403 lists in error.detail.granted", () => {
    const user = answer(403, {
      json: {
        type: "error",
        error: {
          message: "Your credentials lack one or more required privilege scopes.",
          detail: { required: ["account"], granted: ["repository", " Repository:Write ", 7] },
        },
      },
    });
    const j = judged(
      judge(
        accessSettings(),
        { identity: { path: "/user", response: user }, repositories: [] },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.report.grantedScopes, ["repository", "repository:write"]);
  });

  it("an API token without read:user gets 403 on /user: unfit for the scope, account unknown", () => {
    const user = answer(403, {
      headers: { "x-oauth-scopes": "read:repository:bitbucket, write:repository:bitbucket" },
      json: { type: "error" },
    });
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: user },
          repositories: [entry("acme/app", READ_OK, WRITE_OK)],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.equal(j.report.account, undefined);
    assert.deepEqual(j.report.missingScopes, ["read:user:bitbucket", "read:workspace:bitbucket"]);
    assert.deepEqual(
      j.problems.map((p) => p.id),
      ["scopes-missing"],
    );
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "proven", write: "proven" },
    ]);
  });
});

describe("judge: the credential refused", () => {
  it("401 for an API token → rejected, naming the email", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: answer(401, { notJson: true }) },
          repositories: [entry("acme/app", answer(401), answer(401))],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [problem("rejected", { email: EMAIL })]);
    assert.equal(j.report.account, undefined);
    assert.deepEqual(j.report.repositories, []);
    assert.match(
      textOf(j.problems[0]),
      /^Bitbucket rejected the token \(401\) for dev@example\.com:/,
    );
  });

  it("an access token with 401 on /user but a repository git accepts is not rejected", () => {
    const settings = accessSettings({ repositories: "acme/app" });
    const j = judged(
      judge(
        settings,
        {
          identity: { path: "/user", response: answer(401, { notJson: true }) },
          repositories: [
            entry("acme/app", READ_OK, WRITE_OK, {
              rest: answer(200, {
                headers: {
                  "x-oauth-scopes": "repository, repository:write",
                  "x-credential-type": "repo_access_token",
                },
                json: { full_name: "acme/app" },
              }),
            }),
          ],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.report, {
      credentialKind: "access-token",
      tokenKind: "repository-access-token",
      gitUsername: "x-token-auth",
      grantedScopes: ["repository", "repository:write"],
      required: [
        { name: "repository", held: true, purpose: scopePurpose("repository") },
        { name: "repository:write", held: true, purpose: scopePurpose("repository:write") },
      ],
      missingScopes: [],
      repositories: [{ name: "acme/app", read: "proven", write: "proven" }],
      expiry: UNKNOWN,
    });
  });

  it("an access token every repository refuses with 401 → access-token-rejected", () => {
    const settings = accessSettings({ repositories: "acme/app acme/lib" });
    const j = judged(
      judge(
        settings,
        {
          identity: {
            path: "/user",
            response: answer(403, { headers: { "x-oauth-scopes": "repository" } }),
          },
          repositories: [
            entry("acme/app", answer(401), answer(401)),
            entry("acme/lib", answer(401), answer(401)),
          ],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [problem("access-token-rejected", { repositories: 2 })]);
  });

  it("an access token that git answers 403 or 404 (authenticated, not allowed) is not called expired", () => {
    for (const status of [403, 404]) {
      const settings = accessSettings({ repositories: "acme/typo" });
      const j = judge(
        settings,
        {
          identity: { path: "/user", response: answer(401) },
          repositories: [
            entry("acme/typo", answer(status), answer(status), {
              rest: answer(404, { headers: { "x-oauth-scopes": "repository:write" } }),
            }),
          ],
        },
        UNKNOWN,
      );
      assert.ok(!j.problems.some((p) => p.id === "access-token-rejected"), String(status));
    }
  });

  it("an access token with no repository to prove it on, and 401 on /user → rejected, and told to name one", () => {
    const j = judged(
      judge(
        accessSettings(),
        { identity: { path: "/user", response: answer(401) }, repositories: [] },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [problem("access-token-rejected", { repositories: 0 })]);
    assert.match(
      render(j.problems[0], plain).fix ?? "",
      /name a repository it can read in the input `repositories`/,
    );
  });
});

describe("judge: answers that are not Bitbucket's", () => {
  it("/user 404 → bad input: the api-url", () => {
    stopped(
      judge(
        API,
        {
          identity: { path: "/user", response: NOT_FOUND },
          repositories: [entry("acme/app", READ_OK, WRITE_OK)],
        },
        UNKNOWN,
      ),
      "bad-input",
      problem("api-url-not-found", { host: "api.bitbucket.org", path: "/2.0", asked: "/user" }),
    );
    const bare = settingsWith({ "api-url": "https://api.bitbucket.org/" });
    const j = judge(
      bare,
      { identity: { path: "/user", response: NOT_FOUND }, repositories: [] },
      UNKNOWN,
    );
    stopped(
      j,
      "bad-input",
      problem("api-url-not-found", { host: "api.bitbucket.org", path: "/", asked: "/user" }),
    );
    assert.match(
      textOf(j.problems[0]),
      /the input `api-url` has no \/2\.0 at the end \(path \/\)\./,
    );
  });

  it("/user 200 that is not a JSON object → unreachable not-json", () => {
    for (const user of [
      answer(200, { headers: { "x-oauth-scopes": ALL_SCOPES }, notJson: true }),
      answer(200, { headers: { "x-oauth-scopes": ALL_SCOPES } }),
      answer(200, { headers: { "x-oauth-scopes": ALL_SCOPES }, json: "hello" }),
      answer(200, { headers: { "x-oauth-scopes": ALL_SCOPES }, json: null }),
    ]) {
      stopped(
        judge(API_BARE, { identity: { path: "/user", response: user }, repositories: [] }, UNKNOWN),
        "unreachable",
        problem("not-json", { host: "api.bitbucket.org", status: 200 }),
      );
    }
  });

  it("a repository's REST 200 that is not JSON → unreachable not-json", () => {
    stopped(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [
            entry("acme/app", answer(404), answer(404), { rest: answer(200, { notJson: true }) }),
          ],
        },
        UNKNOWN,
      ),
      "unreachable",
      problem("not-json", { host: "api.bitbucket.org", status: 200 }),
    );
  });

  it("/user without an account id → unreachable no-account", () => {
    for (const json of [{ display_name: "Someone" }, [], { account_id: "", uuid: 5 }]) {
      stopped(
        judge(
          API_BARE,
          { identity: { path: "/user", response: userOk({}, json) }, repositories: [] },
          UNKNOWN,
        ),
        "unreachable",
        problem("no-account", { host: "api.bitbucket.org" }),
      );
    }
  });

  it("no scopes header anywhere → unreachable no-scopes-header", () => {
    stopped(
      judge(
        API,
        {
          identity: { path: "/user", response: answer(200, { json: ACCOUNT }) },
          repositories: [entry("acme/app", READ_OK, WRITE_OK, { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unreachable",
      problem("no-scopes-header", { host: "api.bitbucket.org" }),
    );
  });

  it("an odd /user status → unreachable user-status", () => {
    for (const status of [400, 418, 422]) {
      stopped(
        judge(
          API_BARE,
          { identity: { path: "/user", response: answer(status, { json: {} }) }, repositories: [] },
          UNKNOWN,
        ),
        "unreachable",
        problem("user-status", { host: "api.bitbucket.org", status, path: "/user" }),
      );
    }
  });

  it("the credential echoed back in a body or a header → unreachable credential-echoed", () => {
    const basic = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString("base64");
    const gitBasic = Buffer.from(`x-bitbucket-api-token-auth:${API_TOKEN}`).toString("base64");
    const echoes: [string, Partial<BitbucketResponse>][] = [
      ["display name", { json: { ...ACCOUNT, display_name: API_TOKEN } }],
      ["nested", { json: { ...ACCOUNT, links: { self: { href: `https://x/?t=${API_TOKEN}` } } } }],
      ["Basic of email:token", { json: { ...ACCOUNT, note: basic } }],
      ["Basic of git's username", { json: { ...ACCOUNT, note: gitBasic } }],
      ["URL-encoded", { json: { ...ACCOUNT, note: encodeURIComponent(API_TOKEN) } }],
      ["scopes header", { headers: { "x-oauth-scopes": `${ALL_SCOPES},${API_TOKEN}` } }],
      [
        "lower-cased",
        { headers: { "x-oauth-scopes": `${ALL_SCOPES},${API_TOKEN.toLowerCase()}` } },
      ],
      ["credential type", { headers: { "x-credential-type": API_TOKEN } }],
      ["rate-limit resource", { headers: { "x-ratelimit-resource": API_TOKEN } }],
    ];
    for (const [name, echo] of echoes) {
      const user = answer(200, {
        json: echo.json ?? ACCOUNT,
        headers: { "x-oauth-scopes": ALL_SCOPES, ...echo.headers },
      });
      const j = judge(
        API_BARE,
        { identity: { path: "/user", response: user }, repositories: [] },
        UNKNOWN,
      );
      assert.deepEqual(
        j,
        {
          verdict: "unreachable",
          problems: [problem("credential-echoed", { host: "api.bitbucket.org" })],
        },
        name,
      );
    }
    // In a follow-up answer too.
    stopped(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [
            entry("acme/app", answer(404), answer(404), {
              rest: NOT_FOUND,
              membership: answer(403, { json: { error: { message: API_TOKEN } } }),
            }),
          ],
        },
        UNKNOWN,
      ),
      "unreachable",
      problem("credential-echoed", { host: "api.bitbucket.org" }),
    );
  });

  it("the email alone is not the credential", () => {
    judged(
      judge(
        API_BARE,
        {
          identity: { path: "/user", response: userOk({}, { ...ACCOUNT, email: EMAIL }) },
          repositories: [],
        },
        UNKNOWN,
      ),
      "fit",
    );
  });

  it("git's 200 with the wrong content type → unreachable not-an-advertisement", () => {
    const cases: [RepositoryResponses, string, string][] = [
      [
        entry(
          "acme/app",
          answer(200, { headers: { "content-type": "text/html; charset=utf-8" } }),
          WRITE_OK,
        ),
        "git-upload-pack",
        "text/html",
      ],
      [entry("acme/app", answer(200), WRITE_OK), "git-upload-pack", ""],
      [
        entry("acme/app", READ_OK, advertised("git-upload-pack")),
        "git-receive-pack",
        "application/x-git-upload-pack-advertisement",
      ],
    ];
    for (const [repository, service, type] of cases) {
      const j = judge(
        API,
        { identity: { path: "/user", response: userOk() }, repositories: [repository] },
        UNKNOWN,
      );
      stopped(
        j,
        "unreachable",
        problem("not-an-advertisement", { host: "bitbucket.org", name: "acme/app", service, type }),
      );
    }
    const j = judge(
      API,
      {
        identity: { path: "/user", response: userOk() },
        repositories: [entry("acme/app", answer(200), WRITE_OK)],
      },
      UNKNOWN,
    );
    assert.match(textOf(j.problems[0]), /with a body of no declared type, not git's answer/);
  });

  it("never shows any part of the credential that a git answer's content type echoes", () => {
    const gitBasic = Buffer.from(`x-bitbucket-api-token-auth:${API_TOKEN}`).toString("base64");
    for (const type of [API_TOKEN, gitBasic]) {
      const j = judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [
            entry("acme/app", answer(200, { headers: { "content-type": type } }), WRITE_OK),
          ],
        },
        UNKNOWN,
      );
      assert.equal(j.verdict, "unreachable");
      for (const p of j.problems) {
        const { text, fix } = render(p, plain);
        assert.ok(!`${text} ${fix}`.includes(type.slice(0, 20)), text);
      }
    }
  });
});

describe("judge: each repository", () => {
  it("read 404 and REST 404 → repository-not-found; write is not proven", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [entry("acme/app", answer(404), answer(404), { rest: NOT_FOUND })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [problem("repository-not-found", { name: "acme/app" })]);
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "missing", write: "missing" },
    ]);
  });

  it("a missing repository never shows write proven, whatever receive-pack said", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [entry("acme/app", answer(404), WRITE_OK, { rest: NOT_FOUND })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.equal(j.report.repositories[0].read, "missing");
    assert.notEqual(j.report.repositories[0].write, "proven");
  });

  it("a workspace that refuses membership → not-a-member, once per workspace", () => {
    const settings = settingsWith({ repositories: "acme/gone acme/lost other/x" });
    const membership = answer(403, { json: { type: "error" } });
    const j = judged(
      judge(
        settings,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [
            entry("acme/gone", answer(404), answer(404), { rest: NOT_FOUND, membership }),
            entry("acme/lost", answer(404), answer(404), { rest: NOT_FOUND, membership }),
            entry("other/x", answer(404), answer(404), {
              rest: NOT_FOUND,
              membership: answer(200, { json: { permission: "member" } }),
            }),
          ],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [
      problem("repository-not-found", { name: "acme/gone" }),
      problem("not-a-member", { email: EMAIL, workspace: "acme" }),
      problem("repository-not-found", { name: "acme/lost" }),
      problem("repository-not-found", { name: "other/x" }),
    ]);
    assert.equal(
      textOf(j.problems[1]),
      "The token's account (dev@example.com) is not a member of workspace acme.",
    );
  });

  it("read 403 → git-denied for reading, once", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [entry("acme/app", answer(403), answer(403), { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [
      problem("git-denied", { name: "acme/app", doing: "read (clone or fetch)" }),
    ]);
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "denied", write: "denied" },
    ]);
  });

  it("push 403 with read proven → git-denied for pushing", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [entry("acme/app", READ_OK, answer(403), { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [problem("git-denied", { name: "acme/app", doing: "push to" })]);
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "proven", write: "denied" },
    ]);
    assert.equal(
      textOf(j.problems[0]),
      "acme/app: the token's account may not push to this repository over git (403).",
    );
    assert.match(
      render(j.problems[0], plain).fix ?? "",
      /^Give the account write access to acme\/app/,
    );
  });

  it("git 401 or 410 while /user said 200 → git-refused", () => {
    for (const status of [401, 410]) {
      const j = judged(
        judge(
          API,
          {
            identity: { path: "/user", response: userOk() },
            repositories: [entry("acme/app", answer(status), answer(status))],
          },
          UNKNOWN,
        ),
        "unfit",
      );
      assert.deepEqual(j.problems, [
        problem("git-refused", {
          name: "acme/app",
          host: "bitbucket.org",
          username: "x-bitbucket-api-token-auth",
          status,
          kind: "api-token",
        }),
      ]);
      assert.deepEqual(j.report.repositories, [
        { name: "acme/app", read: "denied", write: "denied" },
      ]);
    }
  });

  it("git 401 for one repository of an access token that another accepts → git-refused", () => {
    const settings = accessSettings({ repositories: "acme/app acme/lib" });
    const j = judged(
      judge(
        settings,
        {
          identity: { path: "/user", response: answer(401) },
          repositories: [
            entry("acme/app", READ_OK, WRITE_OK, {
              rest: answer(200, { headers: { "x-oauth-scopes": "repository:write" }, json: {} }),
            }),
            entry("acme/lib", answer(401), answer(401)),
          ],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [
      problem("git-refused", {
        name: "acme/lib",
        host: "bitbucket.org",
        username: "x-token-auth",
        status: 401,
        kind: "access-token",
      }),
    ]);
  });

  it("git 404 while REST says 200 → git-status: check git-url", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [entry("acme/app", answer(404), answer(404), { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [
      problem("git-status", {
        name: "acme/app",
        host: "bitbucket.org",
        status: 404,
        doing: "read (clone or fetch)",
        origin: "https://bitbucket.org",
      }),
    ]);
    assert.equal(
      render(j.problems[0], plain).fix,
      "Check that acme/app exists at https://bitbucket.org and that the input `git-url` is right.",
    );
  });

  it("another git status → failed, and git-status", () => {
    const j = judged(
      judge(
        API,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [entry("acme/app", READ_OK, answer(422), { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "proven", write: "failed" },
    ]);
    assert.deepEqual(
      j.problems.map((p) => p.id),
      ["git-status"],
    );
  });

  it("write not required → not-required, and no push asked", () => {
    const settings = settingsWith({
      repositories: "acme/app",
      "required-scopes": "read:user:bitbucket read:repository:bitbucket",
    });
    const j = judged(
      judge(
        settings,
        {
          identity: {
            path: "/user",
            response: userOk({
              "x-oauth-scopes": "read:user:bitbucket, read:repository:bitbucket",
            }),
          },
          repositories: [entry("acme/app", READ_OK)],
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.report.repositories, [
      { name: "acme/app", read: "proven", write: "not-required" },
    ]);
  });

  it("a missing scope → not-checked, without a second problem", () => {
    const noRepo = judged(
      judge(
        API,
        {
          identity: {
            path: "/user",
            response: userOk({ "x-oauth-scopes": "read:user:bitbucket, read:workspace:bitbucket" }),
          },
          repositories: [entry("acme/app", answer(403), answer(403), { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(noRepo.report.repositories, [
      { name: "acme/app", read: "not-checked", write: "not-checked" },
    ]);
    assert.deepEqual(
      noRepo.problems.map((p) => p.id),
      ["scopes-missing"],
    );

    const noWrite = judged(
      judge(
        API,
        {
          identity: {
            path: "/user",
            response: userOk({ "x-oauth-scopes": GRANTED.slice(0, 3).join(",") }),
          },
          repositories: [entry("acme/app", READ_OK, answer(403), { rest: REST_OK })],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(noWrite.report.repositories, [
      { name: "acme/app", read: "proven", write: "not-checked" },
    ]);
    assert.deepEqual(noWrite.problems, [
      problem("scopes-missing", {
        kind: "api-token",
        scopes: [{ name: "write:repository:bitbucket", purpose: "to push to repositories" }],
      }),
    ]);
  });

  it("judges every repository, in order", () => {
    const settings = settingsWith({ repositories: "acme/a acme/b acme/c" });
    const j = judged(
      judge(
        settings,
        {
          identity: { path: "/user", response: userOk() },
          repositories: [
            entry("acme/a", READ_OK, WRITE_OK),
            entry("acme/b", answer(403), answer(403), { rest: REST_OK }),
            entry("acme/c", READ_OK, answer(403), { rest: REST_OK }),
          ],
        },
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(
      j.report.repositories.map((r) => `${r.name} ${r.read} ${r.write}`),
      ["acme/a proven proven", "acme/b denied denied", "acme/c proven denied"],
    );
    assert.deepEqual(
      j.problems.map((p) => `${p.id} ${"name" in p.params ? p.params.name : ""}`),
      ["git-denied acme/b", "git-denied acme/c"],
    );
  });

  it("only git's 200 advertisement proves access, whatever else was answered", () => {
    const status = fc.constantFrom(200, 400, 401, 403, 404, 410, 422);
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const response = fc.record({
      status,
      advertised: fc.boolean(),
      scopes: maybe(fc.subarray(GRANTED)),
    });
    const toAnswer = (
      r: { status: number; advertised: boolean; scopes?: string[] },
      service: "git-upload-pack" | "git-receive-pack",
    ) =>
      answer(r.status, {
        headers: {
          "content-type": r.advertised ? `application/x-${service}-advertisement` : "text/plain",
          ...(r.scopes ? { "x-oauth-scopes": r.scopes.join(",") } : {}),
        },
        json: r.status === 200 ? ACCOUNT : { type: "error" },
      });
    fc.assert(
      fc.property(
        fc.boolean(),
        response,
        response,
        response,
        maybe(response),
        maybe(response),
        (access, user, read, write, rest, membership) => {
          const settings = access ? accessSettings({ repositories: "acme/app" }) : API;
          const answers = {
            identity: { path: "/user", response: toAnswer(user, "git-upload-pack") },
            repositories: [
              entry(
                "acme/app",
                toAnswer(read, "git-upload-pack"),
                toAnswer(write, "git-receive-pack"),
                {
                  rest: rest && toAnswer(rest, "git-upload-pack"),
                  membership: membership && toAnswer(membership, "git-upload-pack"),
                },
              ),
            ],
          };
          const j = judge(settings, answers, UNKNOWN);
          if (!("report" in j)) {
            assert.equal(j.problems.length, 1);
            return;
          }
          const [result] = j.report.repositories;
          if (!result) return; // rejected before the repositories
          if (result.read === "proven") assert.ok(read.status === 200 && read.advertised);
          if (result.write === "proven") assert.ok(write.status === 200 && write.advertised);
          if (j.verdict === "fit") {
            assert.equal(result.read, "proven");
            assert.equal(result.write, "proven");
            assert.deepEqual(j.problems, []);
          } else {
            assert.ok(j.problems.length > 0);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("judge: warnings", () => {
  const fitAnswers = {
    identity: { path: "/user", response: userOk() },
    repositories: [entry("acme/app", READ_OK, WRITE_OK)],
  };

  it("an expiry soon → expires-soon; today → expires-today; otherwise none", () => {
    const cases: [Expiry, Problem[]][] = [
      [
        { status: "warn", day: "2026-08-20", daysLeft: 5 },
        [problem("expires-soon", { day: "2026-08-20", days: 5 })],
      ],
      [
        { status: "today", day: "2026-08-15", daysLeft: 0 },
        [problem("expires-today", { day: "2026-08-15" })],
      ],
      [{ status: "ok", day: "2026-12-31", daysLeft: 138 }, []],
      [UNKNOWN, []],
    ];
    for (const [expiry, warnings] of cases) {
      const j = judged(judge(API, fitAnswers, expiry), "fit");
      assert.deepEqual(j.warnings, warnings, expiry.status);
      assert.deepEqual(j.report.expiry, expiry);
    }
  });

  it("warns about the expiry on an unfit verdict too", () => {
    const j = judged(
      judge(
        API,
        { identity: { path: "/user", response: answer(401) }, repositories: [] },
        { status: "today", day: "2026-08-15", daysLeft: 0 },
      ),
      "unfit",
    );
    assert.deepEqual(j.warnings, [problem("expires-today", { day: "2026-08-15" })]);
  });

  it("x-ratelimit-nearlimit → rate-limit-near, with the resource", () => {
    for (const value of ["true", "True", "1", "yes"]) {
      const j = judged(
        judge(
          API,
          {
            ...fitAnswers,
            identity: {
              path: "/user",
              response: userOk({ "x-ratelimit-nearlimit": value, "x-ratelimit-resource": "api" }),
            },
          },
          UNKNOWN,
        ),
        "fit",
      );
      assert.deepEqual(j.warnings, [problem("rate-limit-near", { resource: "api" })], value);
    }
    const j = judged(
      judge(
        API,
        {
          ...fitAnswers,
          identity: { path: "/user", response: userOk({ "x-ratelimit-nearlimit": "true" }) },
        },
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.warnings, [problem("rate-limit-near", { resource: undefined })]);
    assert.equal(
      textOf(j.warnings[0]),
      "Bitbucket says this token is near its rate limit (X-RateLimit-NearLimit).",
    );
    for (const value of ["false", "0", ""]) {
      const quiet = judged(
        judge(
          API,
          {
            ...fitAnswers,
            identity: { path: "/user", response: userOk({ "x-ratelimit-nearlimit": value }) },
          },
          UNKNOWN,
        ),
        "fit",
      );
      assert.deepEqual(quiet.warnings, [], value);
    }
  });

  it("shows a hostile rate-limit resource as one short line", () => {
    const j = judged(
      judge(
        API,
        {
          ...fitAnswers,
          identity: {
            path: "/user",
            response: userOk({
              "x-ratelimit-nearlimit": "true",
              "x-ratelimit-resource": `api\n::error::forged\u001b[2J${"x".repeat(200)}`,
            }),
          },
        },
        UNKNOWN,
      ),
      "fit",
    );
    const text = textOf(j.warnings[0]);
    assert.ok(!text.includes("\n") && !text.includes("\u001b"), text);
    assert.ok(text.includes("for api ::error::forged"));
    assert.ok(text.length < 200, text);
  });
});

describe("judgeOffline", () => {
  const at = (values: Partial<Record<InputName, string>>) => settingsWith(values);

  it("refuses an app password without a request", () => {
    assert.deepEqual(judgeOffline(at({ "api-token": appPassword() }), NOW), {
      expiry: UNKNOWN,
      problems: [problem("app-password", {})],
    });
  });

  it("refuses a past expiry, date or timestamp", () => {
    assert.deepEqual(judgeOffline(at({ "expires-at": "2026-08-14" }), NOW), {
      expiry: { status: "expired", day: "2026-08-14", daysLeft: -1 },
      problems: [problem("expired", { day: "2026-08-14" })],
    });
    assert.deepEqual(judgeOffline(at({ "expires-at": "2026-08-15T11:59:59.999Z" }), NOW).problems, [
      problem("expired", { day: "2026-08-15" }),
    ]);
  });

  it("lets today, soon, later and unknown through, with the expiry for later", () => {
    const cases: [string, Expiry][] = [
      ["2026-08-15", { status: "today", day: "2026-08-15", daysLeft: 0 }],
      ["2026-08-15T12:00:00.001Z", { status: "warn", day: "2026-08-15", daysLeft: 0 }],
      ["2026-08-20", { status: "warn", day: "2026-08-20", daysLeft: 5 }],
      ["2026-12-31", { status: "ok", day: "2026-12-31", daysLeft: 138 }],
      ["", UNKNOWN],
    ];
    for (const [expiresAt, expiry] of cases) {
      assert.deepEqual(
        judgeOffline(at({ "expires-at": expiresAt }), NOW),
        { expiry, problems: [] },
        expiresAt,
      );
    }
  });

  it("uses expiry-warning-days", () => {
    const settings = at({ "expires-at": "2026-08-20", "expiry-warning-days": "3" });
    assert.equal(judgeOffline(settings, NOW).expiry.status, "ok");
  });
});

describe("followUps", () => {
  const fit = (name: string) => entry(name, READ_OK, WRITE_OK);
  const responses = (user: BitbucketResponse, ...repositories: RepositoryResponses[]) => ({
    identity: { path: "/user", response: user },
    repositories,
  });

  it("asks nothing more of a fit token", () => {
    assert.deepEqual(followUps(API, responses(userOk(), fit("acme/a"), fit("acme/b"))), {
      explain: [],
      workspaces: [],
    });
    assert.deepEqual(followUps(API_BARE, responses(userOk())), { explain: [], workspaces: [] });
  });

  it("explains every git refusal except the credential's own (401, 410)", () => {
    const refused = [
      entry("acme/read404", answer(404), answer(404)),
      entry("acme/read403", answer(403), answer(403)),
      entry("acme/push403", READ_OK, answer(403)),
      entry("acme/odd", answer(422)),
    ];
    const credential = [
      entry("acme/r401", answer(401), answer(401)),
      entry("acme/r410", answer(410), answer(410)),
    ];
    const { explain } = followUps(
      API,
      responses(userOk(), fit("acme/ok"), ...refused, ...credential),
    );
    assert.deepEqual(explain, refused);
  });

  it("asks each workspace of a git 404 once, for API tokens holding read:workspace", () => {
    const answers = responses(
      userOk(),
      entry("acme/a", answer(404), answer(404)),
      entry("other/x", answer(404)),
      entry("acme/b", answer(404), answer(404)),
      entry("third/y", answer(403)),
      fit("fourth/z"),
    );
    assert.deepEqual(followUps(API, answers).workspaces, ["acme", "other"]);
    const noWorkspaceScope = {
      ...answers,
      identity: {
        path: "/user",
        response: userOk({ "x-oauth-scopes": "read:user:bitbucket, read:repository:bitbucket" }),
      },
    };
    assert.deepEqual(followUps(API, noWorkspaceScope).workspaces, []);
    const access = accessSettings({ repositories: "acme/a" });
    const withWorkspace = {
      ...answers,
      identity: {
        path: "/user",
        response: answer(403, { headers: { "x-oauth-scopes": "read:workspace:bitbucket" } }),
      },
    };
    assert.deepEqual(followUps(access, withWorkspace).workspaces, []);
  });

  it("when /user gave no scopes, asks the first repository, once and first", () => {
    const first = fit("acme/a");
    const refused = entry("acme/b", answer(403));
    assert.deepEqual(followUps(API, responses(answer(401), first, refused)).explain, [
      first,
      refused,
    ]);
    const firstRefused = entry("acme/a", answer(404), answer(404));
    assert.deepEqual(followUps(API, responses(answer(401), firstRefused, fit("acme/b"))).explain, [
      firstRefused,
    ]);
    assert.deepEqual(followUps(API, responses(answer(401))), { explain: [], workspaces: [] });
  });
});

describe("judge renders for every front end", () => {
  it("no problem or warning of a judgement shows the token", () => {
    const FRONT_ENDS: FrontEnd[] = ["action", "command", "pipe"];
    const MEDIA: Medium[] = ["plain", "markdown"];
    const forms = secretForms(API_TOKEN, EMAIL);
    const judgements = [
      judge(API, { identity: { path: "/user", response: answer(401) }, repositories: [] }, UNKNOWN),
      judge(
        API,
        {
          identity: { path: "/user", response: userOk({ "x-oauth-scopes": "" }) },
          repositories: [],
        },
        UNKNOWN,
      ),
      judge(
        API,
        {
          identity: {
            path: "/user",
            response: userOk({ "x-oauth-scopes": `${ALL_SCOPES},${API_TOKEN}` }),
          },
          repositories: [],
        },
        UNKNOWN,
      ),
    ];
    for (const j of judgements) {
      const all = [...j.problems, ...("warnings" in j ? j.warnings : [])];
      assert.ok(all.length > 0);
      for (const p of all) {
        for (const frontEnd of FRONT_ENDS) {
          for (const medium of MEDIA) {
            const { text, fix } = render(p, rendererFor(frontEnd, medium));
            for (const form of forms) assert.ok(!`${text} ${fix}`.includes(form), p.id);
          }
        }
      }
    }
  });
});

describe("an access token with a repository: its one REST request is that repository's", () => {
  const ACCESS = accessSettings({ repositories: "acme/app acme/lib" });
  const repoRest = (headers: BitbucketResponse["headers"] = {}) =>
    answer(200, {
      headers: {
        "x-oauth-scopes": "repository:write",
        "x-credential-type": "repo_access_token",
        ...headers,
      },
      json: { full_name: "acme/app" },
    });
  const asked = (
    response: BitbucketResponse,
    first: RepositoryResponses,
    ...rest: RepositoryResponses[]
  ) => ({
    identity: { path: "/repositories/acme/app", response },
    repositories: [{ ...first, rest: response }, ...rest],
  });

  it("identityPath: /user for API tokens and for access tokens with no repository", () => {
    assert.equal(identityPath(ACCESS), "/repositories/acme/app");
    assert.equal(identityPath(accessSettings()), "/user");
    assert.equal(identityPath(API), "/user");
  });

  it("fit, with the kind and the scopes from the repository's answer", () => {
    const j = judged(
      judge(
        ACCESS,
        asked(
          repoRest(),
          entry("acme/app", READ_OK, WRITE_OK),
          entry("acme/lib", READ_OK, WRITE_OK),
        ),
        UNKNOWN,
      ),
      "fit",
    );
    assert.equal(j.report.tokenKind, "repository-access-token");
    assert.equal(j.report.account, undefined);
  });

  it("X-RateLimit-NearLimit on that answer is a warning naming the resource", () => {
    const near = repoRest({ "x-ratelimit-nearlimit": "true", "x-ratelimit-resource": "api" });
    const j = judged(
      judge(
        ACCESS,
        asked(near, entry("acme/app", READ_OK, WRITE_OK), entry("acme/lib", READ_OK, WRITE_OK)),
        UNKNOWN,
      ),
      "fit",
    );
    assert.deepEqual(j.warnings, [problem("rate-limit-near", { resource: "api" })]);
  });

  it("a 404 from REST for a repository git can read: api-url is wrong", () => {
    stopped(
      judge(
        ACCESS,
        asked(
          NOT_FOUND,
          entry("acme/app", READ_OK, WRITE_OK),
          entry("acme/lib", READ_OK, WRITE_OK),
        ),
        UNKNOWN,
      ),
      "bad-input",
      problem("api-url-not-found", {
        host: "api.bitbucket.org",
        path: "/2.0",
        asked: "/repositories/acme/app",
      }),
    );
  });

  it("a 404 from REST and from git: the repository is missing, not the URL", () => {
    const missing = answer(404, {
      headers: { "x-oauth-scopes": "repository:write" },
      json: { type: "error", error: { message: "Not found" } },
    });
    const j = judged(
      judge(
        ACCESS,
        asked(
          missing,
          entry("acme/app", NOT_FOUND, NOT_FOUND),
          entry("acme/lib", READ_OK, WRITE_OK),
        ),
        UNKNOWN,
      ),
      "unfit",
    );
    assert.deepEqual(j.problems, [problem("repository-not-found", { name: "acme/app" })]);
  });

  it("followUps does not ask again about the repository already asked", () => {
    const responses = asked(
      repoRest(),
      entry("acme/app", answer(403)),
      entry("acme/lib", answer(403)),
    );
    assert.deepEqual(
      followUps(ACCESS, responses).explain.map((r) => r.repository.fullName),
      ["acme/lib"],
    );
  });
});
