import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkOffline } from "../../src/core/checks/checks.ts";
import { UnfitError } from "../../src/core/errors.ts";
import {
  DEFAULT_INPUTS,
  parseSettings,
  type RawInputs,
  withDefaults,
} from "../../src/core/inputs/settings.ts";
import { accessToken, apiToken, appPassword, EMAIL, NOW } from "./fixtures.ts";

const API_TOKEN = apiToken();
const ACCESS_TOKEN = accessToken();

/** Good inputs for an API token, with some raw inputs replaced verbatim (no defaulting). */
function raw(overrides: Partial<RawInputs> = {}): RawInputs {
  return { ...withDefaults({ email: EMAIL, "api-token": API_TOKEN }), ...overrides };
}

function unfit(inputs: RawInputs, now = NOW): UnfitError {
  try {
    parseSettings(inputs, now);
  } catch (error) {
    assert.ok(error instanceof UnfitError, `expected UnfitError, got ${String(error)}`);
    return error;
  }
  assert.fail("parseSettings accepted bad inputs");
}

function spliceIn(token: string, at: number, text: string): string {
  return token.slice(0, at) + text + token.slice(at);
}

interface BadCase {
  name: string;
  inputs: Partial<RawInputs>;
  subject: keyof RawInputs;
  fragment: string;
}

const BAD: BadCase[] = [
  {
    name: "empty token",
    inputs: { "api-token": "" },
    subject: "api-token",
    fragment: "The input `api-token` is empty.",
  },
  {
    name: "whitespace-only token",
    inputs: { "api-token": " \t\n  " },
    subject: "api-token",
    fragment: "The input `api-token` is empty.",
  },
  {
    name: "token with an inner space",
    inputs: { "api-token": spliceIn(API_TOKEN, 40, " ") },
    subject: "api-token",
    fragment: "contains whitespace inside the token",
  },
  {
    name: "token with an inner newline",
    inputs: { "api-token": spliceIn(API_TOKEN, 96, "\n") },
    subject: "api-token",
    fragment: "contains whitespace inside the token",
  },
  {
    name: "token with an inner tab",
    inputs: { "api-token": spliceIn(API_TOKEN, 12, "\t") },
    subject: "api-token",
    fragment: "contains whitespace inside the token",
  },
  {
    name: "token with a non-ASCII character",
    inputs: { "api-token": spliceIn(API_TOKEN, 50, "é") },
    subject: "api-token",
    fragment: "contains characters a token never has",
  },
  {
    name: "token in typographic quotes",
    inputs: { "api-token": `“${API_TOKEN}”` },
    subject: "api-token",
    fragment: "contains characters a token never has",
  },
  {
    name: "access token (ATCTT) with an email",
    inputs: { "api-token": ACCESS_TOKEN, email: EMAIL },
    subject: "email",
    fragment: "looks like a repository, project or workspace access token",
  },
  {
    name: "API token (ATATT) without an email",
    inputs: { "api-token": API_TOKEN, email: "" },
    subject: "email",
    fragment: "The input `email` is empty, but `api-token` looks like an Atlassian API token.",
  },
  {
    name: "email without @",
    inputs: { email: "dev.example.com" },
    subject: "email",
    fragment: "The input `email` is not an email address.",
  },
  {
    name: "email that is a Bitbucket username",
    inputs: { email: "jdoe" },
    subject: "email",
    fragment: "The input `email` is not an email address.",
  },
  {
    name: "email with a space",
    inputs: { email: "dev @example.com" },
    subject: "email",
    fragment: "The input `email` is not an email address.",
  },
  {
    name: "unknown scope",
    inputs: { "required-scopes": "read:user:bitbucket frobnicate" },
    subject: "required-scopes",
    fragment: 'names an unknown scope: "frobnicate".',
  },
  {
    name: "list with a typo",
    inputs: { "required-scopes": "read:user:bitbucket,read:repositry:bitbucket" },
    subject: "required-scopes",
    fragment: '"read:repositry:bitbucket" (did you mean read:repository:bitbucket?)',
  },
  {
    name: "scope without the :bitbucket suffix",
    inputs: { "required-scopes": "read:repository write:repository:bitbucket" },
    subject: "required-scopes",
    fragment: '"read:repository" (did you mean read:repository:bitbucket?)',
  },
  {
    name: "two unknown scopes",
    inputs: { "required-scopes": "frobnicate write:pullrequest" },
    subject: "required-scopes",
    fragment:
      'names unknown scopes: "frobnicate", "write:pullrequest" (did you mean write:pullrequest:bitbucket?).',
  },
  {
    name: "repository without a slash",
    inputs: { repositories: "acme" },
    subject: "repositories",
    fragment: 'has an entry that is not workspace/repo-slug: "acme".',
  },
  {
    name: "repository with three parts",
    inputs: { repositories: "acme/app/extra" },
    subject: "repositories",
    fragment: 'has an entry that is not workspace/repo-slug: "acme/app/extra".',
  },
  {
    name: "repository given as a URL",
    inputs: { repositories: "acme/lib https://bitbucket.org/acme/app" },
    subject: "repositories",
    fragment: '"https://bitbucket.org/acme/app"',
  },
  {
    name: "repository with .git",
    inputs: { repositories: "acme/app.git" },
    subject: "repositories",
    fragment: '"acme/app.git"',
  },
  {
    name: "two malformed repositories",
    inputs: { repositories: "acme,acme/app,/app" },
    subject: "repositories",
    fragment: 'has entries that are not workspace/repo-slug: "acme", "/app".',
  },
  {
    name: "date in the wrong format",
    inputs: { "expires-at": "31/12/2026" },
    subject: "expires-at",
    fragment: 'The input `expires-at` ("31/12/2026") is not a date in the form YYYY-MM-DD',
  },
  {
    name: "impossible date",
    inputs: { "expires-at": "2026-02-30" },
    subject: "expires-at",
    fragment: 'The input `expires-at` ("2026-02-30") is not a real calendar date.',
  },
  {
    name: "timestamp without a time zone",
    inputs: { "expires-at": "2026-12-31T10:00:00" },
    subject: "expires-at",
    fragment: "is not a date in the form YYYY-MM-DD or an ISO 8601 timestamp with a time zone",
  },
  {
    name: "date more than a year ahead",
    inputs: { "expires-at": "2027-09-01" },
    subject: "expires-at",
    fragment: "The input `expires-at` (2027-09-01) is more than a year away",
  },
  {
    name: "negative warning days",
    inputs: { "expiry-warning-days": "-1" },
    subject: "expiry-warning-days",
    fragment: 'The input `expiry-warning-days` ("-1") is not a whole number from 0 to 365.',
  },
  {
    name: "non-numeric warning days",
    inputs: { "expiry-warning-days": "two weeks" },
    subject: "expiry-warning-days",
    fragment: 'The input `expiry-warning-days` ("two weeks") is not a whole number from 0 to 365.',
  },
  {
    name: "fractional warning days",
    inputs: { "expiry-warning-days": "1.5" },
    subject: "expiry-warning-days",
    fragment: "is not a whole number from 0 to 365",
  },
  {
    name: "warning days above 365",
    inputs: { "expiry-warning-days": "366" },
    subject: "expiry-warning-days",
    fragment: "is not a whole number from 0 to 365",
  },
  {
    name: "http:// api-url on a remote host",
    inputs: { "api-url": "http://api.bitbucket.org/2.0" },
    subject: "api-url",
    fragment: "The input `api-url` (http://api.bitbucket.org) does not use https",
  },
  {
    name: "http:// git-url on a remote host",
    inputs: { "git-url": "http://bitbucket.org" },
    subject: "git-url",
    fragment: "The input `git-url` (http://bitbucket.org) does not use https",
  },
  {
    name: "ftp:// git-url",
    inputs: { "git-url": "ftp://bitbucket.org" },
    subject: "git-url",
    fragment: "does not use https",
  },
  {
    name: "git-url with credentials",
    inputs: { "git-url": "https://someone:hunter2@bitbucket.org" },
    subject: "git-url",
    fragment: "The input `git-url` must not contain credentials, a query or a fragment.",
  },
  {
    name: "api-url with a query",
    inputs: { "api-url": "https://api.bitbucket.org/2.0?x=1" },
    subject: "api-url",
    fragment: "must not contain credentials, a query or a fragment",
  },
  {
    name: "api-url that is not a URL",
    inputs: { "api-url": "api.bitbucket.org/2.0" },
    subject: "api-url",
    fragment: 'The input `api-url` ("api.bitbucket.org/2.0") is not a URL.',
  },
  {
    name: "timeout-seconds 0",
    inputs: { "timeout-seconds": "0" },
    subject: "timeout-seconds",
    fragment: 'The input `timeout-seconds` ("0") is not a number from 1 to 600.',
  },
  {
    name: "timeout-seconds 601",
    inputs: { "timeout-seconds": "601" },
    subject: "timeout-seconds",
    fragment: "is not a number from 1 to 600",
  },
  {
    name: "retries 11",
    inputs: { retries: "11" },
    subject: "retries",
    fragment: 'The input `retries` ("11") is not a whole number from 0 to 10.',
  },
  {
    name: 'configure-git "yes"',
    inputs: { "configure-git": "yes" },
    subject: "configure-git",
    fragment: 'The input `configure-git` ("yes") is not true or false.',
  },
  {
    name: 'cleanup "1"',
    inputs: { cleanup: "1" },
    subject: "cleanup",
    fragment: 'The input `cleanup` ("1") is not true or false.',
  },
  {
    name: 'rewrite-ssh-urls "tRue"',
    inputs: { "rewrite-ssh-urls": "tRue" },
    subject: "rewrite-ssh-urls",
    fragment: "is not true or false",
  },
];

describe("parseSettings: bad inputs", () => {
  it("has a table of at least 24 cases", () => {
    assert.ok(BAD.length >= 24, `only ${BAD.length} cases`);
  });

  for (const c of BAD) {
    it(`rejects ${c.name} (subject ${c.subject})`, () => {
      const error = unfit(raw(c.inputs));
      assert.equal(error.stage, "input");
      assert.deepEqual(
        error.problems.map((p) => p.subject),
        [c.subject],
        `exactly one problem, about ${c.subject}`,
      );
      const [problem] = error.problems;
      assert.ok(
        problem.message.includes(c.fragment),
        `message ${JSON.stringify(problem.message)} lacks ${JSON.stringify(c.fragment)}`,
      );
      assert.ok(problem.fix.length > 10, "every problem comes with a fix");
      assert.ok(error.message.includes(problem.message), "the error's message lists the problem");
    });
  }

  it("never puts the token into a problem", () => {
    for (const c of BAD) {
      const inputs = raw(c.inputs);
      const token = inputs["api-token"].trim();
      if (token.length < 8) continue;
      const error = unfit(inputs);
      for (const p of error.problems) {
        assert.ok(
          !p.message.includes(token) && !p.fix.includes(token),
          `${c.name}: token in a problem`,
        );
      }
    }
  });

  it("reports every bad input at once, in input order", () => {
    const error = unfit({
      email: "jdoe",
      "api-token": "",
      "required-scopes": "frobnicate",
      repositories: "acme",
      "expires-at": "2026-13-01",
      "expiry-warning-days": "-3",
      "configure-git": "yes",
      "rewrite-ssh-urls": "no",
      cleanup: "maybe",
      "api-url": "http://api.bitbucket.org/2.0",
      "git-url": "not a url",
      "timeout-seconds": "0",
      retries: "11",
    });
    assert.deepEqual(
      error.problems.map((p) => p.subject),
      [
        "api-token",
        "email",
        "required-scopes",
        "repositories",
        "expires-at",
        "expiry-warning-days",
        "configure-git",
        "rewrite-ssh-urls",
        "cleanup",
        "api-url",
        "git-url",
        "timeout-seconds",
        "retries",
      ],
    );
    assert.equal(error.message.split("\n").length, 13);
  });

  it("reports both email problems of an access token with a malformed email", () => {
    const error = unfit(raw({ "api-token": ACCESS_TOKEN, email: "jdoe" }));
    assert.deepEqual(
      error.problems.map((p) => p.subject),
      ["email", "email"],
    );
  });

  it("accepts an expiry date 366 days ahead but not 367 (max lifetime plus slack)", () => {
    // NOW is 2026-08-15T12:00Z; 2027-08-16T00:00Z is 365.5 days later, 2027-08-17 is 366.5.
    assert.equal(
      parseSettings(raw({ "expires-at": "2027-08-16" }), NOW).expiresAt?.toISOString(),
      "2027-08-16T00:00:00.000Z",
    );
    assert.deepEqual(
      unfit(raw({ "expires-at": "2027-08-17" })).problems.map((p) => p.subject),
      ["expires-at"],
    );
  });

  it("leaves a past expiry date to the offline check (stage token)", () => {
    const settings = parseSettings(raw({ "expires-at": "2026-08-01" }), NOW);
    assert.equal(settings.expiresAt?.toISOString(), "2026-08-01T00:00:00.000Z");
    assert.throws(
      () => checkOffline(settings, NOW),
      (error: unknown) =>
        error instanceof UnfitError &&
        error.stage === "token" &&
        error.problems.length === 1 &&
        error.problems[0].subject === "expires-at" &&
        error.problems[0].message === "The token expired on 2026-08-01 (input `expires-at`).",
    );
  });
});

describe("app passwords are not a settings error but an offline-check one", () => {
  for (const email of ["", EMAIL]) {
    it(`ATBB… ${email ? "with" : "without"} an email parses, then checkOffline refuses it`, () => {
      const settings = parseSettings(raw({ "api-token": appPassword(), email }), NOW);
      assert.equal(settings.credential.kind, email ? "api-token" : "access-token");
      assert.throws(
        () => checkOffline(settings, NOW),
        (error: unknown) => {
          assert.ok(error instanceof UnfitError);
          assert.equal(error.stage, "token");
          assert.equal(error.problems.length, 1);
          assert.equal(error.problems[0].subject, "api-token");
          assert.match(
            error.problems[0].message,
            /is a Bitbucket app password \(it starts with ATBB\)/,
          );
          assert.match(error.problems[0].fix, /Create API token with scopes/);
          return true;
        },
      );
    });
  }

  it("a token that merely contains ATBB later is not an app password", () => {
    const settings = parseSettings(raw(), NOW);
    assert.equal(checkOffline(settings, NOW).status, "unknown");
  });
});

describe("parseSettings: good inputs", () => {
  it("parses the defaults plus an API token and email into exact Settings", () => {
    const settings = parseSettings(raw(), NOW);
    assert.deepEqual(settings, {
      credential: {
        kind: "api-token",
        email: EMAIL,
        token: API_TOKEN,
        gitUsername: "x-bitbucket-api-token-auth",
      },
      requiredScopes: [
        "read:user:bitbucket",
        "read:workspace:bitbucket",
        "read:repository:bitbucket",
        "write:repository:bitbucket",
      ],
      repositories: [],
      expiresAt: undefined,
      expiryWarningDays: 14,
      configureGit: true,
      rewriteSshUrls: false,
      cleanup: true,
      apiUrl: new URL("https://api.bitbucket.org/2.0"),
      gitUrl: new URL("https://bitbucket.org"),
      timeoutMs: 30_000,
      retries: 3,
    });
  });

  it("trims a trailing newline (and spaces) from the token and the email", () => {
    const settings = parseSettings(
      raw({ "api-token": `  ${API_TOKEN}\r\n`, email: ` ${EMAIL}\n` }),
      NOW,
    );
    assert.ok(settings.credential.token === API_TOKEN, "token trimmed");
    assert.equal(settings.credential.email, EMAIL);
  });

  it("splits scope lists on commas, newlines and spaces, lower-cases and de-duplicates", () => {
    const settings = parseSettings(
      raw({
        "required-scopes":
          "READ:user:bitbucket,read:workspace:bitbucket\n read:repository:bitbucket ,, write:repository:bitbucket\tread:user:bitbucket\n",
      }),
      NOW,
    );
    assert.deepEqual(settings.requiredScopes, [
      "read:user:bitbucket",
      "read:workspace:bitbucket",
      "read:repository:bitbucket",
      "write:repository:bitbucket",
    ]);
  });

  it("accepts legacy scope names for API tokens too", () => {
    const settings = parseSettings(raw({ "required-scopes": "repository pullrequest:write" }), NOW);
    assert.deepEqual(settings.requiredScopes, ["repository", "pullrequest:write"]);
  });

  it("parses repository lists, de-duplicated, lower-cased, in order", () => {
    const settings = parseSettings(
      raw({ repositories: "acme/app, acme/app\nAcme/Lib  team-1/repo.name_2," }),
      NOW,
    );
    assert.deepEqual(settings.repositories, [
      { workspace: "acme", slug: "app", fullName: "acme/app" },
      { workspace: "acme", slug: "lib", fullName: "acme/lib" },
      { workspace: "team-1", slug: "repo.name_2", fullName: "team-1/repo.name_2" },
    ]);
  });

  for (const [input, href] of [
    ["http://127.0.0.1:8080/2.0/", "http://127.0.0.1:8080/2.0"],
    ["http://localhost:1234", "http://localhost:1234/"],
    ["http://[::1]:9/base//", "http://[::1]:9/base"],
    ["https://api.example.test/2.0///", "https://api.example.test/2.0"],
  ] as const) {
    it(`accepts ${input} and strips trailing slashes from its path`, () => {
      const settings = parseSettings(raw({ "api-url": input, "git-url": input }), NOW);
      assert.equal(settings.apiUrl.href, href);
      assert.equal(settings.gitUrl.href, href);
    });
  }

  it("rejects http to a host that only looks like loopback", () => {
    for (const url of [
      "http://localhost.example.com",
      "http://127.0.0.1.nip.io",
      "http://10.0.0.1",
    ]) {
      assert.deepEqual(
        unfit(raw({ "git-url": url })).problems.map((p) =>
          p.message.includes("does not use https"),
        ),
        [true],
        url,
      );
    }
  });

  it("swaps the default API-token scopes for `repository repository:write` with an access token", () => {
    const settings = parseSettings(raw({ "api-token": ACCESS_TOKEN, email: "" }), NOW);
    assert.equal(settings.credential.kind, "access-token");
    assert.equal(settings.credential.gitUsername, "x-token-auth");
    assert.equal(settings.credential.email, undefined);
    assert.deepEqual(settings.requiredScopes, ["repository", "repository:write"]);
  });

  it("swaps the default list in any order and case, and an empty list, for access tokens", () => {
    for (const scopes of [
      "write:repository:bitbucket read:repository:bitbucket READ:WORKSPACE:BITBUCKET read:user:bitbucket",
      "",
      " \n ",
    ]) {
      const settings = parseSettings(
        raw({ "api-token": ACCESS_TOKEN, email: "", "required-scopes": scopes }),
        NOW,
      );
      assert.deepEqual(
        settings.requiredScopes,
        ["repository", "repository:write"],
        JSON.stringify(scopes),
      );
    }
  });

  it("keeps an access token's own scope list", () => {
    const settings = parseSettings(
      raw({ "api-token": ACCESS_TOKEN, email: "", "required-scopes": "repository pullrequest" }),
      NOW,
    );
    assert.deepEqual(settings.requiredScopes, ["repository", "pullrequest"]);
  });

  it("an empty scope list means the API-token default for API tokens", () => {
    const settings = parseSettings(raw({ "required-scopes": "" }), NOW);
    assert.deepEqual(settings.requiredScopes, DEFAULT_INPUTS["required-scopes"].split(" "));
  });

  it("parses numbers and flags at their limits", () => {
    const settings = parseSettings(
      raw({
        "expiry-warning-days": "0",
        "timeout-seconds": "1.5",
        retries: "0",
        "configure-git": "FALSE",
        "rewrite-ssh-urls": "True",
        cleanup: "false",
        "expires-at": "2026-12-31T23:59:59+02:00",
      }),
      NOW,
    );
    assert.equal(settings.expiryWarningDays, 0);
    assert.equal(settings.timeoutMs, 1500);
    assert.equal(settings.retries, 0);
    assert.equal(settings.configureGit, false);
    assert.equal(settings.rewriteSshUrls, true);
    assert.equal(settings.cleanup, false);
    assert.equal(settings.expiresAt?.toISOString(), "2026-12-31T21:59:59.000Z");
    const max = parseSettings(
      raw({ "expiry-warning-days": "365", "timeout-seconds": "600", retries: "10" }),
      NOW,
    );
    assert.deepEqual([max.expiryWarningDays, max.timeoutMs, max.retries], [365, 600_000, 10]);
  });
});

describe("withDefaults", () => {
  it("fills missing, empty and whitespace-only inputs with the defaults", () => {
    const filled = withDefaults({
      email: EMAIL,
      retries: "",
      "timeout-seconds": "  \n",
      cleanup: undefined,
    });
    assert.deepEqual(filled, { ...DEFAULT_INPUTS, email: EMAIL });
  });

  it("keeps given values verbatim (parseSettings trims later)", () => {
    const filled = withDefaults({ retries: " 5 ", "git-url": "https://git.example.test/" });
    assert.equal(filled.retries, " 5 ");
    assert.equal(filled["git-url"], "https://git.example.test/");
    assert.equal(
      parseSettings({ ...filled, email: EMAIL, "api-token": API_TOKEN }, NOW).retries,
      5,
    );
  });

  it("does not change DEFAULT_INPUTS", () => {
    const before = { ...DEFAULT_INPUTS };
    const filled = withDefaults({ retries: "7" });
    filled.cleanup = "false";
    assert.deepEqual(DEFAULT_INPUTS, before);
  });

  it("has defaults that parse with an API token", () => {
    assert.doesNotThrow(() =>
      parseSettings(withDefaults({ email: EMAIL, "api-token": API_TOKEN }), NOW),
    );
  });
});
