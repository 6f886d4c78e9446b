/**
 * The pure parts of what the other clients get (src/core/clients/): cargo's and Go's variables,
 * the netrc file and the merge with the user's own, Composer's auth.json and its merge. The real
 * clients run against them in test/e2e/clients.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { composerAuth, parseComposerConfig } from "../../src/core/clients/composer.ts";
import { netrcEntries, netrcText, otherEntries } from "../../src/core/clients/netrc.ts";
import { cargoVariables, goPatterns, goVariables } from "../../src/core/clients/variables.ts";
import { credentialFor } from "../../src/core/inputs/credential.ts";

const TOKEN = `ATATT3xFfGF0${"a".repeat(171)}=0A1B2C3D`;
const ACCESS = `ATCTT3xFfGN0${"b".repeat(171)}=0A1B2C3D`;
const API = new URL("https://api.bitbucket.org/2.0");
const GIT = new URL("https://bitbucket.org");
const repo = (fullName: string) => {
  const [workspace, slug] = fullName.split("/");
  return { workspace, slug, fullName };
};

describe("cargo", () => {
  it("is told to fetch with git, unless the job says otherwise", () => {
    assert.deepEqual(cargoVariables({}), { CARGO_NET_GIT_FETCH_WITH_CLI: "true" });
    assert.deepEqual(cargoVariables({ CARGO_NET_GIT_FETCH_WITH_CLI: "false" }), {});
    assert.deepEqual(cargoVariables({ CARGO_NET_GIT_FETCH_WITH_CLI: "" }), {});
  });
});

describe("Go", () => {
  it("names each proven workspace once, under the git host", () => {
    const repos = [repo("acme/app"), repo("acme/lib"), repo("tools/x")];
    assert.deepEqual(goPatterns(GIT, repos), ["bitbucket.org/acme", "bitbucket.org/tools"]);
    assert.deepEqual(goPatterns(new URL("https://git.example.com/bb"), [repo("acme/app")]), [
      "git.example.com/bb/acme",
    ]);
    assert.deepEqual(goPatterns(new URL("http://127.0.0.1:8080"), [repo("acme/app")]), []);
    assert.deepEqual(goPatterns(GIT, []), []);
  });

  it("adds to GOPRIVATE, keeping what is there, and to GONOPROXY/GONOSUMDB only when in force", () => {
    assert.deepEqual(goVariables({}, ["bitbucket.org/acme"]), { GOPRIVATE: "bitbucket.org/acme" });
    assert.deepEqual(
      goVariables({ GOPRIVATE: "github.com/me,bitbucket.org/acme", GONOSUMDB: "corp.example" }, [
        "bitbucket.org/acme",
        "bitbucket.org/tools",
      ]),
      {
        GOPRIVATE: "github.com/me,bitbucket.org/acme,bitbucket.org/tools",
        GONOSUMDB: "corp.example,bitbucket.org/acme,bitbucket.org/tools",
      },
    );
  });

  it("exports nothing when every pattern is there already", () => {
    assert.deepEqual(goVariables({ GOPRIVATE: "bitbucket.org/acme" }, ["bitbucket.org/acme"]), {});
  });
});

describe("netrc", () => {
  it("has the API host with the email and the git host with git's username, for API tokens", () => {
    const entries = netrcEntries(credentialFor(TOKEN, "a@example.com"), API, GIT);
    assert.deepEqual(entries, [
      { machine: "api.bitbucket.org", login: "a@example.com", password: TOKEN },
      { machine: "bitbucket.org", login: "x-bitbucket-api-token-auth", password: TOKEN },
    ]);
  });

  it("has only the git host for access tokens (the API wants Bearer)", () => {
    assert.deepEqual(netrcEntries(credentialFor(ACCESS, undefined), API, GIT), [
      { machine: "bitbucket.org", login: "x-token-auth", password: ACCESS },
    ]);
  });

  it("keeps the API entry when both hosts are one", () => {
    const one = new URL("https://bb.example.com");
    const entries = netrcEntries(credentialFor(TOKEN, "a@example.com"), one, one);
    assert.deepEqual(
      entries.map((e) => e.login),
      ["a@example.com"],
    );
  });

  it("carries the user's other machines over, macros and defaults included, ours dropped", () => {
    const user = [
      "machine bitbucket.org login old password stale",
      'machine pypi.corp.example login "ci bot" password "p w"',
      "machine ftp.example login x password y",
      "macdef init",
      "cd /pub",
      "machine not-a-machine",
      "",
      "default login anonymous password me@example.com",
      "machine API.bitbucket.org login old password stale",
    ].join("\n");
    const kept = otherEntries(user, ["bitbucket.org", "api.bitbucket.org"]);
    assert.deepEqual(kept, [
      'machine pypi.corp.example login "ci bot" password "p w"',
      "machine ftp.example login x password y\nmacdef init\ncd /pub\nmachine not-a-machine",
      "default login anonymous password me@example.com",
    ]);
    const text = netrcText(netrcEntries(credentialFor(TOKEN, "a@example.com"), API, GIT), kept);
    assert.ok(text.indexOf("machine api.bitbucket.org") < text.indexOf("pypi.corp.example"));
    assert.ok(text.trimEnd().endsWith("password me@example.com"), "default stays last");
  });
});

describe("Composer", () => {
  it("authenticates the API host only: http-basic with the email, or bearer", () => {
    assert.deepEqual(JSON.parse(composerAuth(credentialFor(TOKEN, "a@example.com"), API)), {
      "http-basic": { "api.bitbucket.org": { username: "a@example.com", password: TOKEN } },
    });
    assert.deepEqual(JSON.parse(composerAuth(credentialFor(ACCESS, undefined), API)), {
      bearer: { "api.bitbucket.org": ACCESS },
    });
  });

  it("keeps the user's own entries, except theirs for the API host", () => {
    const user = JSON.stringify({
      "github-oauth": { "github.com": "gho_x" },
      "http-basic": {
        "api.bitbucket.org": { username: "old", password: "stale" },
        "repo.example": { username: "u", password: "p" },
      },
      "bitbucket-oauth": { "api.bitbucket.org": { "consumer-key": "k", "consumer-secret": "s" } },
    });
    assert.deepEqual(JSON.parse(composerAuth(credentialFor(TOKEN, "a@example.com"), API, user)), {
      "github-oauth": { "github.com": "gho_x" },
      "http-basic": {
        "repo.example": { username: "u", password: "p" },
        "api.bitbucket.org": { username: "a@example.com", password: TOKEN },
      },
      "bitbucket-oauth": {},
    });
  });

  it("ignores a user file Composer could not read either", () => {
    const auth = JSON.parse(composerAuth(credentialFor(ACCESS, undefined), API, "{ not json"));
    assert.deepEqual(Object.keys(auth), ["bearer"]);
  });

  it("reads home and cache-dir from `composer config --global --list`", () => {
    const output =
      "[repositories.packagist.org.type] composer\n[cache-dir] /c/composer\n[home] /h/composer\n";
    assert.deepEqual(parseComposerConfig(output), { home: "/h/composer", cacheDir: "/c/composer" });
    assert.deepEqual(parseComposerConfig(""), { home: undefined, cacheDir: undefined });
  });
});
