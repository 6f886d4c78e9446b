import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ACCESS_TOKEN_GIT_USERNAME,
  API_TOKEN_GIT_USERNAME,
  credentialFor,
  gitAuthorization,
  looksLikeAccessToken,
  looksLikeApiToken,
  looksLikeAppPassword,
  restAuthorization,
  secretForms,
} from "../../src/core/inputs/credential.ts";
import { accessToken, apiToken, appPassword, EMAIL, randomChars } from "./fixtures.ts";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const decodeBasic = (header: string) => {
  assert.ok(header.startsWith("Basic "), "a Basic header");
  return Buffer.from(header.slice("Basic ".length), "base64").toString("utf8");
};

describe("credentialFor", () => {
  it("an email makes an API token with the fixed git username", () => {
    const token = apiToken();
    assert.deepEqual(credentialFor(token, EMAIL), {
      kind: "api-token",
      email: EMAIL,
      token,
      gitUsername: "x-bitbucket-api-token-auth",
    });
  });

  it("no email (undefined or empty) makes an access token", () => {
    const token = accessToken();
    for (const email of [undefined, ""]) {
      assert.deepEqual(credentialFor(token, email), {
        kind: "access-token",
        token,
        gitUsername: "x-token-auth",
      });
    }
  });
});

describe("token shapes", () => {
  it("recognises prefixes", () => {
    assert.equal(looksLikeApiToken(apiToken()), true);
    assert.equal(looksLikeApiToken(accessToken()), false);
    assert.equal(looksLikeAccessToken(accessToken()), true);
    assert.equal(looksLikeAccessToken(apiToken()), false);
    assert.equal(looksLikeAppPassword(appPassword()), true);
    assert.equal(looksLikeAppPassword("ATBB"), false);
    assert.equal(looksLikeAppPassword("atbb1234"), false);
    assert.equal(looksLikeAppPassword(apiToken()), false);
  });
});

describe("restAuthorization", () => {
  it("API token: Basic email:token (never Bearer)", () => {
    const token = apiToken();
    const header = restAuthorization(credentialFor(token, EMAIL));
    assert.ok(header === `Basic ${b64(`${EMAIL}:${token}`)}`, "Basic base64(email:token)");
    assert.ok(decodeBasic(header) === `${EMAIL}:${token}`);
  });

  it("access token: Bearer token", () => {
    const token = accessToken();
    assert.ok(
      restAuthorization(credentialFor(token, undefined)) === `Bearer ${token}`,
      "Bearer token",
    );
  });
});

describe("gitAuthorization", () => {
  it("API token: Basic x-bitbucket-api-token-auth:token, never the email", () => {
    const token = apiToken();
    const header = gitAuthorization(credentialFor(token, EMAIL));
    assert.ok(
      decodeBasic(header) === `${API_TOKEN_GIT_USERNAME}:${token}`,
      "fixed API-token username",
    );
    assert.ok(!decodeBasic(header).includes(EMAIL), "no email");
    assert.ok(!decodeBasic(header).includes("dev:"), "no local part of the email");
    assert.equal(API_TOKEN_GIT_USERNAME, "x-bitbucket-api-token-auth");
  });

  it("access token: Basic x-token-auth:token", () => {
    const token = accessToken();
    const header = gitAuthorization(credentialFor(token, undefined));
    assert.ok(header === `Basic ${b64(`${ACCESS_TOKEN_GIT_USERNAME}:${token}`)}`, "x-token-auth");
    assert.equal(ACCESS_TOKEN_GIT_USERNAME, "x-token-auth");
  });
});

describe("secretForms", () => {
  it("covers the token, its URL-encoded form and base64 of user:token for every username", () => {
    const token = `${apiToken()}/+=`;
    const forms = secretForms(token, EMAIL);
    const expected = [
      token,
      encodeURIComponent(token),
      b64(`x-bitbucket-api-token-auth:${token}`),
      b64(`x-token-auth:${token}`),
      b64(`${EMAIL}:${token}`),
    ];
    assert.equal(forms.length, expected.length, "no other forms");
    for (const form of expected) assert.ok(forms.includes(form), "a form is missing");
    // The git header's and REST header's payloads are among them.
    assert.ok(forms.includes(gitAuthorization(credentialFor(token, EMAIL)).slice(6)));
    assert.ok(forms.includes(restAuthorization(credentialFor(token, EMAIL)).slice(6)));
  });

  it("without an email, covers the two git usernames only", () => {
    const token = `ATCTT3xFfGN0${randomChars(180)}`; // URL-safe: no "=" in it
    const forms = secretForms(`${token}\n`);
    assert.equal(forms.length, 3, "token (already URL-safe) + two base64 forms");
    assert.ok(forms.includes(token));
    assert.ok(forms.includes(b64(`x-token-auth:${token}`)));
    assert.ok(forms.includes(b64(`x-bitbucket-api-token-auth:${token}`)));
  });

  it("trims the token and the email before deriving forms", () => {
    const token = apiToken();
    const forms = secretForms(`  ${token}\r\n`, ` ${EMAIL}\n`);
    assert.ok(forms.includes(token));
    assert.ok(forms.includes(b64(`${EMAIL}:${token}`)));
    assert.ok(!forms.some((f) => f.endsWith("\n") || f.startsWith(" ")), "nothing untrimmed");
  });

  it("adds every line of a multi-line raw token, and drops fragments shorter than 4", () => {
    const a = randomChars(20);
    const b = randomChars(9);
    const raw = `${a}\r\n  ${b}  \nxyz\n\nq\n`;
    const forms = secretForms(raw);
    assert.ok(forms.includes(a), "first line");
    assert.ok(forms.includes(b), "second line, trimmed");
    assert.ok(forms.includes(raw.trim()), "whole token");
    assert.ok(
      !forms.includes("xyz") && !forms.includes("q") && !forms.includes(""),
      "short fragments dropped",
    );
    assert.ok(forms.every((f) => f.length >= 4));
    assert.equal(new Set(forms).size, forms.length, "no duplicates");
  });

  it("keeps a 4-character fragment", () => {
    const forms = secretForms(`${randomChars(12)}\nabcd`);
    assert.ok(forms.includes("abcd"));
  });

  it("gives nothing for an empty or blank token", () => {
    assert.deepEqual(secretForms(""), []);
    assert.deepEqual(secretForms(" \n\t", EMAIL), []);
  });
});
