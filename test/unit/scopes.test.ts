import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_ACCESS_TOKEN_SCOPES,
  DEFAULT_API_TOKEN_SCOPES,
  GRANULAR_SCOPES,
  isKnownScope,
  LEGACY_SCOPES,
  missingScopes,
  parseScopeHeader,
  scopePurpose,
  splitList,
  suggestScope,
  toGranular,
  toLegacyName,
} from "../../src/core/inputs/scopes.ts";

const sorted = (items: Iterable<string>) => [...items].sort();

describe("scope catalogue", () => {
  it("has exactly the 35 granular scopes of BITBUCKET.md", () => {
    const families: Record<string, string[]> = {
      repository: ["read", "write", "admin", "delete"],
      pullrequest: ["read", "write"],
      project: ["read", "admin"],
      workspace: ["read", "admin"],
      user: ["read", "write"],
      pipeline: ["read", "write", "admin"],
      runner: ["read", "write"],
      issue: ["read", "write", "delete"],
      webhook: ["read", "write", "delete"],
      snippet: ["read", "write", "delete"],
      "ssh-key": ["read", "write", "delete"],
      "gpg-key": ["read", "write", "delete"],
      permission: ["read", "write", "delete"],
    };
    const expected = Object.entries(families).flatMap(([r, actions]) =>
      actions.map((a) => `${a}:${r}:bitbucket`),
    );
    assert.equal(GRANULAR_SCOPES.length, 35);
    assert.equal(new Set(GRANULAR_SCOPES).size, 35);
    assert.deepEqual(sorted(GRANULAR_SCOPES), sorted(expected));
  });

  it("has exactly the 22 legacy scopes of BITBUCKET.md", () => {
    const expected = [
      "account",
      "email",
      "team",
      "repository",
      "repository:write",
      "repository:admin",
      "repository:delete",
      "project",
      "project:admin",
      "pullrequest",
      "pullrequest:write",
      "issue",
      "issue:write",
      "wiki",
      "webhook",
      "snippet",
      "snippet:write",
      "pipeline",
      "pipeline:write",
      "pipeline:variable",
      "runner",
      "runner:write",
    ];
    assert.equal(LEGACY_SCOPES.length, 22);
    assert.deepEqual(sorted(LEGACY_SCOPES), sorted(expected));
  });

  it("knows every catalogue name and nothing else", () => {
    for (const name of [...GRANULAR_SCOPES, ...LEGACY_SCOPES]) assert.ok(isKnownScope(name), name);
    for (const name of [
      "read:repository",
      "repository:read",
      "READ:USER:BITBUCKET",
      "",
      "admin:user:bitbucket",
      "wiki:write",
    ]) {
      assert.equal(isKnownScope(name), false, name);
    }
  });

  it("defaults are known scopes", () => {
    assert.deepEqual(
      [...DEFAULT_API_TOKEN_SCOPES],
      [
        "read:user:bitbucket",
        "read:workspace:bitbucket",
        "read:repository:bitbucket",
        "write:repository:bitbucket",
      ],
    );
    assert.deepEqual([...DEFAULT_ACCESS_TOKEN_SCOPES], ["repository", "repository:write"]);
  });
});

describe("missingScopes with granular scopes (no implication)", () => {
  it("write:repository does not give read:repository", () => {
    assert.deepEqual(missingScopes(["read:repository:bitbucket"], ["write:repository:bitbucket"]), [
      "read:repository:bitbucket",
    ]);
  });

  it("admin gives neither read nor write", () => {
    assert.deepEqual(
      missingScopes(
        ["read:repository:bitbucket", "write:repository:bitbucket", "read:project:bitbucket"],
        ["admin:repository:bitbucket", "admin:project:bitbucket"],
      ),
      ["read:repository:bitbucket", "write:repository:bitbucket", "read:project:bitbucket"],
    );
  });

  it("write:pullrequest gives no repository scope", () => {
    assert.deepEqual(
      missingScopes(
        ["read:repository:bitbucket"],
        ["write:pullrequest:bitbucket", "read:pullrequest:bitbucket"],
      ),
      ["read:repository:bitbucket"],
    );
  });

  it("lists missing scopes in the order they were required", () => {
    assert.deepEqual(missingScopes([...DEFAULT_API_TOKEN_SCOPES].reverse(), []), [
      "write:repository:bitbucket",
      "read:repository:bitbucket",
      "read:workspace:bitbucket",
      "read:user:bitbucket",
    ]);
  });

  it("nothing is missing when everything is held", () => {
    assert.deepEqual(missingScopes(GRANULAR_SCOPES, GRANULAR_SCOPES), []);
    assert.deepEqual(missingScopes([], []), []);
  });

  it("an unknown name is only satisfied by itself", () => {
    assert.deepEqual(missingScopes(["zzz", "read:user:bitbucket", "aaa"], []), [
      "zzz",
      "read:user:bitbucket",
      "aaa",
    ]);
    assert.deepEqual(missingScopes(["zzz"], ["zzz"]), []);
  });
});

describe("legacy scopes: implications and translation", () => {
  it("pullrequest:write ⇒ pullrequest + repository:write ⇒ repository", () => {
    assert.deepEqual(sorted(toGranular(["pullrequest:write"])), [
      "read:pullrequest:bitbucket",
      "read:repository:bitbucket",
      "write:pullrequest:bitbucket",
      "write:repository:bitbucket",
    ]);
  });

  it("repository:write ⇒ repository", () => {
    assert.deepEqual(sorted(toGranular(["repository:write"])), [
      "read:repository:bitbucket",
      "write:repository:bitbucket",
    ]);
  });

  it("pullrequest ⇒ repository; project ⇒ repository", () => {
    assert.deepEqual(sorted(toGranular(["pullrequest"])), [
      "read:pullrequest:bitbucket",
      "read:repository:bitbucket",
    ]);
    assert.deepEqual(sorted(toGranular(["project"])), [
      "read:project:bitbucket",
      "read:repository:bitbucket",
    ]);
  });

  it("nothing else implies anything", () => {
    assert.deepEqual(sorted(toGranular(["repository:admin"])), ["admin:repository:bitbucket"]);
    assert.deepEqual(sorted(toGranular(["repository"])), ["read:repository:bitbucket"]);
    assert.deepEqual(sorted(toGranular(["issue:write"])), ["write:issue:bitbucket"]);
    assert.deepEqual(sorted(toGranular(["project:admin"])), ["admin:project:bitbucket"]);
  });

  it("translates legacy names to granular ones", () => {
    const expected: Record<string, string[]> = {
      account: ["read:user:bitbucket", "read:workspace:bitbucket"],
      repository: ["read:repository:bitbucket"],
      "repository:write": ["read:repository:bitbucket", "write:repository:bitbucket"],
      pullrequest: ["read:pullrequest:bitbucket", "read:repository:bitbucket"],
      webhook: ["delete:webhook:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket"],
      "pipeline:variable": ["admin:pipeline:bitbucket"],
      wiki: ["wiki"],
    };
    for (const [legacy, granular] of Object.entries(expected)) {
      assert.deepEqual(sorted(toGranular([legacy])), granular, legacy);
    }
  });

  it("every legacy scope translates to something", () => {
    for (const legacy of LEGACY_SCOPES) assert.ok(toGranular([legacy]).size > 0, legacy);
  });

  it("legacy grants satisfy granular requirements", () => {
    assert.deepEqual(missingScopes(DEFAULT_API_TOKEN_SCOPES, ["account", "pullrequest:write"]), []);
    assert.deepEqual(missingScopes(["write:repository:bitbucket"], ["repository"]), [
      "write:repository:bitbucket",
    ]);
    assert.deepEqual(missingScopes(["read:repository:bitbucket"], ["project"]), []);
  });

  it("legacy requirements are closed under implication before comparing", () => {
    // Requiring pullrequest:write means requiring everything it implies.
    assert.deepEqual(missingScopes(["pullrequest:write"], ["write:pullrequest:bitbucket"]), [
      "read:pullrequest:bitbucket",
      "write:repository:bitbucket",
      "read:repository:bitbucket",
    ]);
    assert.deepEqual(missingScopes(DEFAULT_ACCESS_TOKEN_SCOPES, ["repository:write"]), []);
    assert.deepEqual(missingScopes(DEFAULT_ACCESS_TOKEN_SCOPES, ["repository"]), [
      "write:repository:bitbucket",
    ]);
  });

  it("granular grants satisfy legacy requirements", () => {
    assert.deepEqual(
      missingScopes(
        ["repository:write"],
        ["read:repository:bitbucket", "write:repository:bitbucket"],
      ),
      [],
    );
  });
});

describe("toLegacyName", () => {
  it("names the single legacy scope that stands for a granular one", () => {
    const expected: Record<string, string> = {
      "read:repository:bitbucket": "repository",
      "write:repository:bitbucket": "repository:write",
      "admin:repository:bitbucket": "repository:admin",
      "delete:repository:bitbucket": "repository:delete",
      "read:pullrequest:bitbucket": "pullrequest",
      "write:pullrequest:bitbucket": "pullrequest:write",
      "read:project:bitbucket": "project",
      "read:pipeline:bitbucket": "pipeline",
      "write:runner:bitbucket": "runner:write",
    };
    for (const [granular, legacy] of Object.entries(expected))
      assert.equal(toLegacyName(granular), legacy, granular);
  });

  it("keeps the granular name when no single legacy scope stands for it", () => {
    for (const name of [
      "read:webhook:bitbucket",
      "admin:workspace:bitbucket",
      "read:gpg-key:bitbucket",
      "something",
    ]) {
      assert.equal(toLegacyName(name), name);
    }
  });

  it("round-trips: a legacy name translates back to the granular scope", () => {
    for (const granular of GRANULAR_SCOPES) {
      const legacy = toLegacyName(granular);
      if (legacy === granular) continue;
      assert.ok(LEGACY_SCOPES.includes(legacy), legacy);
      assert.ok(toGranular([legacy]).has(granular), `${legacy} → ${granular}`);
    }
  });
});

describe("parseScopeHeader", () => {
  it("trims odd whitespace, lower-cases and drops empty items", () => {
    assert.deepEqual(
      parseScopeHeader(
        " read:user:bitbucket ,\tREAD:Repository:bitbucket ,, ,\n write:repository:bitbucket,",
      ),
      ["read:user:bitbucket", "read:repository:bitbucket", "write:repository:bitbucket"],
    );
  });

  it("de-duplicates, keeping first-seen order", () => {
    assert.deepEqual(
      parseScopeHeader("repository:write, repository, repository:write ,REPOSITORY"),
      ["repository:write", "repository"],
    );
  });

  it("joins the array form (a repeated header)", () => {
    assert.deepEqual(parseScopeHeader(["repository, pullrequest", " account ", "repository"]), [
      "repository",
      "pullrequest",
      "account",
    ]);
  });

  it("gives nothing for an absent, empty or blank header", () => {
    assert.deepEqual(parseScopeHeader(undefined), []);
    assert.deepEqual(parseScopeHeader(""), []);
    assert.deepEqual(parseScopeHeader(" , ,\t"), []);
    assert.deepEqual(parseScopeHeader([]), []);
  });
});

describe("splitList", () => {
  it("splits on any run of spaces, commas and newlines", () => {
    assert.deepEqual(splitList("a b,c\nd\r\ne\t f ,, g"), ["a", "b", "c", "d", "e", "f", "g"]);
    assert.deepEqual(splitList("  \n , "), []);
    assert.deepEqual(splitList("A:B"), ["a:b"]);
  });
});

describe("scopePurpose", () => {
  it("is a non-empty, specific text for every granular scope", () => {
    assert.equal(GRANULAR_SCOPES.length, 35);
    for (const scope of GRANULAR_SCOPES) {
      const purpose = scopePurpose(scope);
      assert.match(purpose, /^to \S/, scope);
      assert.notEqual(purpose, "a scope this job asked for", scope);
    }
  });

  it("explains the scopes CI needs in the user's words", () => {
    assert.equal(scopePurpose("read:user:bitbucket"), "to prove who the token belongs to");
    assert.equal(
      scopePurpose("read:repository:bitbucket"),
      "to clone and fetch repositories (git needs it even to push)",
    );
    assert.equal(scopePurpose("write:repository:bitbucket"), "to push to repositories");
    assert.equal(scopePurpose("delete:ssh-key:bitbucket"), "to delete SSH keys");
  });

  it("explains legacy names through their granular meaning", () => {
    assert.equal(scopePurpose("repository:write"), "to push to repositories");
    assert.equal(scopePurpose("runner"), "to read Pipelines runners");
  });

  it("falls back for names it does not know", () => {
    assert.equal(scopePurpose("wiki"), "a scope this job asked for");
    assert.equal(scopePurpose("frobnicate"), "a scope this job asked for");
  });
});

describe("suggestScope", () => {
  it("suggests the closest name for typos and missing suffixes", () => {
    assert.equal(suggestScope("read:repositry:bitbucket"), "read:repository:bitbucket");
    assert.equal(suggestScope("read:repository"), "read:repository:bitbucket");
    assert.equal(suggestScope("write:pullrequest"), "write:pullrequest:bitbucket");
    assert.equal(suggestScope("repositroy"), "repository");
    assert.equal(suggestScope("pullrequests:write"), "pullrequest:write");
  });

  it("suggests nothing for names far from every scope", () => {
    assert.equal(suggestScope("frobnicate"), undefined);
    assert.equal(suggestScope("read:everything:bitbucket"), undefined);
  });
});
