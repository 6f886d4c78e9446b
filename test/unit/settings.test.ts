import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULTS,
  effectiveValue,
  INPUT_NAMES,
  type InputName,
  type RawInputs,
  rawInputs,
} from "../../src/core/inputs/names.ts";
import {
  isLoopback,
  MIN_TOKEN_LENGTH,
  parseBoolean,
  parseSettings,
  type Settings,
} from "../../src/core/inputs/settings.ts";
import { type Problem, problem, render } from "../../src/core/messages/index.ts";
import { type FrontEnd, type Medium, rendererFor } from "../../src/core/render/renderer.ts";
import { problemsText } from "../../src/core/render/terminal.ts";
import { judgeOffline } from "../../src/core/verdict.ts";
import { accessToken, apiToken, appPassword, EMAIL, NOW, randomChars } from "./fixtures.ts";

const API_TOKEN = apiToken();
const ACCESS_TOKEN = accessToken();

type Values = Partial<Record<InputName, string>>;

/** Good inputs for an API token as the action passes them, with some values replaced. */
function raw(overrides: Values = {}): RawInputs {
  return rawInputs({ email: EMAIL, "api-token": API_TOKEN, ...overrides }, () => ({
    kind: "input",
  }));
}

function settingsOf(inputs: RawInputs, now = NOW): Settings {
  const parsed = parseSettings(inputs, now);
  assert.equal(parsed.problems, undefined, `refused: ${JSON.stringify(parsed.problems)}`);
  return (parsed as { settings: Settings }).settings;
}

function problemsOf(inputs: RawInputs, now = NOW): Problem[] {
  const parsed = parseSettings(inputs, now);
  assert.ok(parsed.problems, "parseSettings accepted bad inputs");
  return parsed.problems;
}

const plain = (inputs: RawInputs) => rendererFor("action", "plain", inputs);

/** The input a problem is about, as the old tests' `subject` was. */
function subject(p: Problem): InputName {
  if ("input" in p.params) return p.params.input as InputName;
  if (p.id.startsWith("token-")) return "api-token";
  if (p.id.startsWith("email-")) return "email";
  if (p.id.startsWith("expires-at-")) return "expires-at";
  if (p.id === "scopes-unknown") return "required-scopes";
  if (p.id === "repositories-malformed") return "repositories";
  throw new Error(`no input for ${p.id}`);
}

function spliceIn(token: string, at: number, text: string): string {
  return token.slice(0, at) + text + token.slice(at);
}

const FORM = "is not a date in the form YYYY-MM-DD or an ISO 8601 timestamp with a time zone";

interface BadCase {
  name: string;
  inputs: Values;
  expected: Problem;
  /** Rendered for the action, plain. */
  fragment: string;
}

const BAD: BadCase[] = [
  {
    name: "empty token",
    inputs: { "api-token": "" },
    expected: problem("token-empty", {}),
    fragment: "The input `api-token` is empty or not set.",
  },
  {
    name: "whitespace-only token",
    inputs: { "api-token": " \t\n  " },
    expected: problem("token-empty", {}),
    fragment: "The input `api-token` is empty or not set.",
  },
  {
    name: "token with an inner space",
    inputs: { "api-token": spliceIn(API_TOKEN, 40, " ") },
    expected: problem("token-whitespace", {}),
    fragment: "The input `api-token` contains whitespace inside the token.",
  },
  {
    name: "token with an inner newline",
    inputs: { "api-token": spliceIn(API_TOKEN, 96, "\n") },
    expected: problem("token-whitespace", {}),
    fragment: "contains whitespace inside the token",
  },
  {
    name: "token with an inner tab",
    inputs: { "api-token": spliceIn(API_TOKEN, 12, "\t") },
    expected: problem("token-whitespace", {}),
    fragment: "contains whitespace inside the token",
  },
  {
    name: "token with a non-ASCII character",
    inputs: { "api-token": spliceIn(API_TOKEN, 50, "é") },
    expected: problem("token-characters", {}),
    fragment: "The input `api-token` contains characters a token never has.",
  },
  {
    name: "token in typographic quotes",
    inputs: { "api-token": `“${API_TOKEN}”` },
    expected: problem("token-characters", {}),
    fragment: "contains characters a token never has",
  },
  {
    name: "token with a DEL character",
    inputs: { "api-token": spliceIn(API_TOKEN, 30, "\u007f") },
    expected: problem("token-characters", {}),
    fragment: "contains characters a token never has",
  },
  {
    name: `token one character under ${MIN_TOKEN_LENGTH}`,
    inputs: { "api-token": randomChars(MIN_TOKEN_LENGTH - 1) },
    expected: problem("token-too-short", { length: MIN_TOKEN_LENGTH - 1 }),
    fragment: `The input \`api-token\` is ${MIN_TOKEN_LENGTH - 1} characters long: too short to be a Bitbucket token`,
  },
  {
    name: "a password-like token",
    inputs: { "api-token": "hunter2" },
    expected: problem("token-too-short", { length: 7 }),
    fragment: "is 7 characters long",
  },
  {
    name: "access token (ATCTT) with an email",
    inputs: { "api-token": ACCESS_TOKEN, email: EMAIL },
    expected: problem("email-with-access-token", {}),
    fragment:
      "The input `email` is set, but the input `api-token` looks like a repository, project or workspace access token.",
  },
  {
    name: "API token (ATATT) without an email",
    inputs: { "api-token": API_TOKEN, email: "" },
    expected: problem("email-missing", {}),
    fragment:
      "The input `email` is empty, but the input `api-token` looks like an Atlassian API token.",
  },
  {
    name: "email without @",
    inputs: { email: "dev.example.com" },
    expected: problem("email-invalid", { value: "dev.example.com" }),
    fragment: 'The input `email` ("dev.example.com") is not an email address.',
  },
  {
    name: "email that is a Bitbucket username",
    inputs: { email: "jdoe" },
    expected: problem("email-invalid", { value: "jdoe" }),
    fragment: 'The input `email` ("jdoe") is not an email address.',
  },
  {
    name: "email with a space",
    inputs: { email: "dev @example.com" },
    expected: problem("email-invalid", { value: "dev @example.com" }),
    fragment: 'The input `email` ("dev @example.com") is not an email address.',
  },
  {
    name: "unknown scope",
    inputs: { "required-scopes": "read:user:bitbucket frobnicate" },
    expected: problem("scopes-unknown", {
      unknown: [{ name: "frobnicate", suggestion: undefined }],
    }),
    fragment: 'The input `required-scopes` names an unknown scope: "frobnicate".',
  },
  {
    name: "list with a typo",
    inputs: { "required-scopes": "read:user:bitbucket,read:repositry:bitbucket" },
    expected: problem("scopes-unknown", {
      unknown: [{ name: "read:repositry:bitbucket", suggestion: "read:repository:bitbucket" }],
    }),
    fragment: '"read:repositry:bitbucket" (did you mean read:repository:bitbucket?)',
  },
  {
    name: "scope without the :bitbucket suffix",
    inputs: { "required-scopes": "read:repository write:repository:bitbucket" },
    expected: problem("scopes-unknown", {
      unknown: [{ name: "read:repository", suggestion: "read:repository:bitbucket" }],
    }),
    fragment: '"read:repository" (did you mean read:repository:bitbucket?)',
  },
  {
    name: "two unknown scopes",
    inputs: { "required-scopes": "frobnicate write:pullrequest" },
    expected: problem("scopes-unknown", {
      unknown: [
        { name: "frobnicate", suggestion: undefined },
        { name: "write:pullrequest", suggestion: "write:pullrequest:bitbucket" },
      ],
    }),
    fragment:
      'names unknown scopes: "frobnicate", "write:pullrequest" (did you mean write:pullrequest:bitbucket?).',
  },
  {
    name: "repository without a slash",
    inputs: { repositories: "acme" },
    expected: problem("repositories-malformed", { entries: ["acme"] }),
    fragment: 'The input `repositories` has an entry that is not workspace/repo-slug: "acme".',
  },
  {
    name: "repository with three parts",
    inputs: { repositories: "acme/app/extra" },
    expected: problem("repositories-malformed", { entries: ["acme/app/extra"] }),
    fragment: 'has an entry that is not workspace/repo-slug: "acme/app/extra".',
  },
  {
    name: "repository given as a URL",
    inputs: { repositories: "acme/lib https://bitbucket.org/acme/app" },
    expected: problem("repositories-malformed", { entries: ["https://bitbucket.org/acme/app"] }),
    fragment: '"https://bitbucket.org/acme/app"',
  },
  {
    name: "repository with .git",
    inputs: { repositories: "acme/app.git" },
    expected: problem("repositories-malformed", { entries: ["acme/app.git"] }),
    fragment: '"acme/app.git"',
  },
  {
    name: "two malformed repositories",
    inputs: { repositories: "acme,acme/app,/app" },
    expected: problem("repositories-malformed", { entries: ["acme", "/app"] }),
    fragment: 'has entries that are not workspace/repo-slug: "acme", "/app".',
  },
  {
    name: "date in the wrong format",
    inputs: { "expires-at": "31/12/2026" },
    expected: problem("expires-at-invalid", { value: "31/12/2026", reason: FORM }),
    fragment: `The input \`expires-at\` ("31/12/2026") ${FORM}.`,
  },
  {
    name: "impossible date",
    inputs: { "expires-at": "2026-02-30" },
    expected: problem("expires-at-invalid", {
      value: "2026-02-30",
      reason: "is not a real calendar date",
    }),
    fragment: 'The input `expires-at` ("2026-02-30") is not a real calendar date.',
  },
  {
    name: "timestamp without a time zone",
    inputs: { "expires-at": "2026-12-31T10:00:00" },
    expected: problem("expires-at-invalid", { value: "2026-12-31T10:00:00", reason: FORM }),
    fragment: FORM,
  },
  {
    name: "impossible time of day",
    inputs: { "expires-at": "2026-12-31T25:00Z" },
    expected: problem("expires-at-invalid", {
      value: "2026-12-31T25:00Z",
      reason: "is not a real date and time",
    }),
    fragment: '("2026-12-31T25:00Z") is not a real date and time.',
  },
  {
    name: "date more than a year ahead",
    inputs: { "expires-at": "2027-09-01" },
    expected: problem("expires-at-too-far", { value: "2027-09-01" }),
    fragment: 'The input `expires-at` ("2027-09-01") is more than a year away',
  },
  {
    name: "negative warning days",
    inputs: { "expiry-warning-days": "-1" },
    expected: problem("number-invalid", {
      input: "expiry-warning-days",
      value: "-1",
      min: 0,
      max: 365,
      integer: true,
    }),
    fragment: 'The input `expiry-warning-days` ("-1") is not a whole number from 0 to 365.',
  },
  {
    name: "non-numeric warning days",
    inputs: { "expiry-warning-days": "two weeks" },
    expected: problem("number-invalid", {
      input: "expiry-warning-days",
      value: "two weeks",
      min: 0,
      max: 365,
      integer: true,
    }),
    fragment: 'The input `expiry-warning-days` ("two weeks") is not a whole number from 0 to 365.',
  },
  {
    name: "fractional warning days",
    inputs: { "expiry-warning-days": "1.5" },
    expected: problem("number-invalid", {
      input: "expiry-warning-days",
      value: "1.5",
      min: 0,
      max: 365,
      integer: true,
    }),
    fragment: "is not a whole number from 0 to 365",
  },
  {
    name: "warning days above 365",
    inputs: { "expiry-warning-days": "366" },
    expected: problem("number-invalid", {
      input: "expiry-warning-days",
      value: "366",
      min: 0,
      max: 365,
      integer: true,
    }),
    fragment: "is not a whole number from 0 to 365",
  },
  {
    name: "http:// api-url on a remote host",
    inputs: { "api-url": "http://api.bitbucket.org/2.0" },
    expected: problem("url-not-https", { input: "api-url", origin: "http://api.bitbucket.org" }),
    fragment: 'The input `api-url` ("http://api.bitbucket.org") does not use https',
  },
  {
    name: "http:// git-url on a remote host",
    inputs: { "git-url": "http://bitbucket.org" },
    expected: problem("url-not-https", { input: "git-url", origin: "http://bitbucket.org" }),
    fragment: 'The input `git-url` ("http://bitbucket.org") does not use https',
  },
  {
    name: "ftp:// git-url",
    inputs: { "git-url": "ftp://bitbucket.org" },
    expected: problem("url-not-https", { input: "git-url", origin: "ftp://bitbucket.org" }),
    fragment: "does not use https",
  },
  {
    name: "git-url with credentials",
    inputs: { "git-url": "https://someone:hunter2@bitbucket.org" },
    expected: problem("url-extras", { input: "git-url" }),
    fragment: "The input `git-url` must not contain credentials, a query or a fragment.",
  },
  {
    name: "api-url with a query",
    inputs: { "api-url": "https://api.bitbucket.org/2.0?x=1" },
    expected: problem("url-extras", { input: "api-url" }),
    fragment: "must not contain credentials, a query or a fragment",
  },
  {
    name: "api-url with a fragment",
    inputs: { "api-url": "https://api.bitbucket.org/2.0#top" },
    expected: problem("url-extras", { input: "api-url" }),
    fragment: "must not contain credentials, a query or a fragment",
  },
  {
    name: "api-url that is not a URL",
    inputs: { "api-url": "api.bitbucket.org/2.0" },
    expected: problem("url-invalid", { input: "api-url", value: "api.bitbucket.org/2.0" }),
    fragment: 'The input `api-url` ("api.bitbucket.org/2.0") is not a URL.',
  },
  {
    name: "timeout-seconds 0",
    inputs: { "timeout-seconds": "0" },
    expected: problem("number-invalid", {
      input: "timeout-seconds",
      value: "0",
      min: 1,
      max: 600,
      integer: false,
    }),
    fragment: 'The input `timeout-seconds` ("0") is not a number from 1 to 600.',
  },
  {
    name: "timeout-seconds 601",
    inputs: { "timeout-seconds": "601" },
    expected: problem("number-invalid", {
      input: "timeout-seconds",
      value: "601",
      min: 1,
      max: 600,
      integer: false,
    }),
    fragment: "is not a number from 1 to 600",
  },
  {
    name: "retries 11",
    inputs: { retries: "11" },
    expected: problem("number-invalid", {
      input: "retries",
      value: "11",
      min: 0,
      max: 10,
      integer: true,
    }),
    fragment: 'The input `retries` ("11") is not a whole number from 0 to 10.',
  },
  {
    name: 'configure-git "yes"',
    inputs: { "configure-git": "yes" },
    expected: problem("boolean-invalid", { input: "configure-git", value: "yes" }),
    fragment: 'The input `configure-git` ("yes") is not true or false.',
  },
  {
    name: 'cleanup "1"',
    inputs: { cleanup: "1" },
    expected: problem("boolean-invalid", { input: "cleanup", value: "1" }),
    fragment: 'The input `cleanup` ("1") is not true or false.',
  },
  {
    name: 'rewrite-ssh-urls "tRue"',
    inputs: { "rewrite-ssh-urls": "tRue" },
    expected: problem("boolean-invalid", { input: "rewrite-ssh-urls", value: "tRue" }),
    fragment: "is not true or false",
  },
  {
    name: 'credential-files "netrc npmrc"',
    inputs: { "credential-files": "netrc npmrc" },
    expected: problem("credential-files-unknown", { entries: ["npmrc"] }),
    fragment: 'The input `credential-files` names a file kind this step does not write: "npmrc".',
  },
  {
    name: "credential-files with configure-git false",
    inputs: { "credential-files": "composer", "configure-git": "false" },
    expected: problem("credential-files-without-git", {}),
    fragment: "the files are written only with git's set-up",
  },
];

const FRONT_ENDS: FrontEnd[] = ["action", "command", "pipe"];
const MEDIA: Medium[] = ["plain", "markdown"];

describe("parseSettings: bad inputs", () => {
  it("has a table of at least 24 cases", () => {
    assert.ok(BAD.length >= 24, `only ${BAD.length} cases`);
  });

  for (const c of BAD) {
    it(`rejects ${c.name} (${c.expected.id})`, () => {
      const inputs = raw(c.inputs);
      const problems = problemsOf(inputs);
      assert.deepEqual(problems, [c.expected], "exactly this one problem");
      const { text, fix } = render(problems[0], plain(inputs));
      assert.ok(
        text.includes(c.fragment),
        `text ${JSON.stringify(text)} lacks ${JSON.stringify(c.fragment)}`,
      );
      assert.ok(fix && fix.length > 10, "every problem comes with a fix");
    });
  }

  it("never renders the token, in any front end or medium", () => {
    for (const c of BAD) {
      const inputs = raw(c.inputs);
      const token = (inputs.values["api-token"] ?? "").trim();
      if (token.length < 8) continue;
      for (const p of problemsOf(inputs)) {
        for (const frontEnd of FRONT_ENDS) {
          for (const medium of MEDIA) {
            const { text, fix } = render(p, rendererFor(frontEnd, medium, inputs));
            assert.ok(!`${text}\n${fix}`.includes(token), `${c.name}: token in a problem`);
          }
        }
      }
    }
  });

  it("never renders a token pasted into the wrong input", () => {
    for (const secret of [API_TOKEN, ACCESS_TOKEN, appPassword()]) {
      const inputs = raw({
        email: secret,
        "api-token": EMAIL,
        "required-scopes": secret,
        repositories: secret,
        "expires-at": secret,
        "expiry-warning-days": secret,
        "configure-git": secret,
        "api-url": secret,
        retries: secret,
      });
      const problems = problemsOf(inputs);
      assert.deepEqual(
        problems.map((p) => p.id),
        [
          "token-too-short",
          "email-invalid",
          "scopes-unknown",
          "repositories-malformed",
          "expires-at-invalid",
          "number-invalid",
          "boolean-invalid",
          "url-invalid",
          "number-invalid",
        ],
      );
      for (const p of problems) {
        for (const frontEnd of FRONT_ENDS) {
          for (const medium of MEDIA) {
            const { text, fix } = render(p, rendererFor(frontEnd, medium, inputs));
            assert.ok(!text.includes(secret) && !fix?.includes(secret), `${p.id} shows it`);
            // Not even a good part of it.
            assert.ok(!text.includes(secret.slice(0, 16)), `${p.id} shows a part`);
          }
        }
      }
    }
  });

  it("reports every bad input at once", () => {
    const inputs = rawInputs(
      {
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
      },
      () => ({ kind: "input" }),
    );
    const problems = problemsOf(inputs);
    // Input order, except cleanup, which the post step owns and is checked last.
    assert.deepEqual(problems.map(subject), [
      "api-token",
      "email",
      "required-scopes",
      "repositories",
      "expires-at",
      "expiry-warning-days",
      "configure-git",
      "rewrite-ssh-urls",
      "api-url",
      "git-url",
      "timeout-seconds",
      "retries",
      "cleanup",
    ]);
    const text = problemsText({ problems, warnings: [] }, plain(inputs), { color: false });
    assert.equal(text.split("\n").filter((line) => line.startsWith("✘ ")).length, 13);
    assert.equal(text.split("\n").filter((line) => line.startsWith("  → ")).length, 13);
  });

  it("reports both email problems of an access token with a malformed email", () => {
    assert.deepEqual(problemsOf(raw({ "api-token": ACCESS_TOKEN, email: "jdoe" })), [
      problem("email-invalid", { value: "jdoe" }),
      problem("email-with-access-token", {}),
    ]);
  });

  it("names the place each front end's user set the value", () => {
    const command = rawInputs({ email: "jdoe", "api-token": API_TOKEN, retries: "x" }, (name) =>
      name === "email"
        ? { kind: "flag", flag: "--email", variable: "BITBUCKET_EMAIL" }
        : name === "api-token"
          ? { kind: "stdin" }
          : { kind: "flag", flag: `--${name}` },
    );
    const [email, retries] = problemsOf(command);
    const r = rendererFor("command", "plain", command);
    assert.equal(
      render(email, r).text,
      '--email (or BITBUCKET_EMAIL) ("jdoe") is not an email address.',
    );
    assert.equal(render(retries, r).text, '--retries ("x") is not a whole number from 0 to 10.');
    const pipe = rawInputs({ "api-token": "" }, (name) => ({
      kind: "pipe-variable",
      variable: name.toUpperCase().replace(/-/g, "_"),
    }));
    const [empty] = problemsOf(pipe);
    assert.equal(
      render(empty, rendererFor("pipe", "plain", pipe)).text,
      "The pipe variable API_TOKEN is empty or not set.",
    );
  });

  it("accepts an expiry date 366 days ahead but not 367 (max lifetime plus slack)", () => {
    // NOW is 2026-08-15T12:00Z; 2027-08-16T00:00Z is 365.5 days later, 2027-08-17 is 366.5.
    assert.deepEqual(settingsOf(raw({ "expires-at": "2027-08-16" })).expiresAt, {
      at: new Date("2027-08-16T00:00:00.000Z"),
      dateOnly: true,
    });
    assert.deepEqual(problemsOf(raw({ "expires-at": "2027-08-17" })), [
      problem("expires-at-too-far", { value: "2027-08-17" }),
    ]);
  });

  it("leaves a past expiry date to the offline judgement", () => {
    const inputs = raw({ "expires-at": "2026-08-01" });
    const settings = settingsOf(inputs);
    assert.deepEqual(settings.expiresAt, {
      at: new Date("2026-08-01T00:00:00.000Z"),
      dateOnly: true,
    });
    const offline = judgeOffline(settings, NOW);
    assert.deepEqual(offline.expiry, { status: "expired", day: "2026-08-01", daysLeft: -14 });
    assert.deepEqual(offline.problems, [problem("expired", { day: "2026-08-01" })]);
    assert.equal(
      render(offline.problems[0], plain(inputs)).text,
      "The token expired on 2026-08-01 (the input `expires-at`).",
    );
  });

  it("a token that expires today is not refused offline (only warned about later)", () => {
    const settings = settingsOf(raw({ "expires-at": "2026-08-15" }));
    const offline = judgeOffline(settings, NOW);
    assert.deepEqual(offline.expiry, { status: "today", day: "2026-08-15", daysLeft: 0 });
    assert.deepEqual(offline.problems, []);
  });
});

describe("token length", () => {
  it(`refuses tokens under ${MIN_TOKEN_LENGTH} characters and accepts ${MIN_TOKEN_LENGTH}`, () => {
    assert.equal(MIN_TOKEN_LENGTH, 20);
    for (let n = 1; n < MIN_TOKEN_LENGTH; n++) {
      assert.deepEqual(
        problemsOf(raw({ "api-token": randomChars(n).replace(/^[_-]/, "x"), email: "" })),
        [problem("token-too-short", { length: n })],
        String(n),
      );
    }
    const token = `x${randomChars(MIN_TOKEN_LENGTH - 1)}`;
    assert.equal(settingsOf(raw({ "api-token": token })).credential.token, token);
  });

  it("counts the length after trimming", () => {
    const token = `x${randomChars(MIN_TOKEN_LENGTH - 2)}`;
    assert.deepEqual(problemsOf(raw({ "api-token": `  ${token}\n` })), [
      problem("token-too-short", { length: MIN_TOKEN_LENGTH - 1 }),
    ]);
  });

  it("says '1 character' for one", () => {
    const inputs = raw({ "api-token": "x" });
    assert.match(render(problemsOf(inputs)[0], plain(inputs)).text, / is 1 character long: /);
  });
});

describe("app passwords are not a settings error but an offline one", () => {
  for (const email of ["", EMAIL]) {
    it(`ATBB… ${email ? "with" : "without"} an email parses, then judgeOffline refuses it`, () => {
      const inputs = raw({ "api-token": appPassword(), email });
      const settings = settingsOf(inputs);
      assert.equal(settings.credential.kind, email ? "api-token" : "access-token");
      const { problems } = judgeOffline(settings, NOW);
      assert.deepEqual(problems, [problem("app-password", {})]);
      const { text, fix } = render(problems[0], plain(inputs));
      assert.match(text, /is a Bitbucket app password \(it starts with ATBB\)/);
      assert.match(fix ?? "", /Create API token with scopes/);
    });
  }

  it("an app password past its expiry is named as an app password, once", () => {
    const settings = settingsOf(raw({ "api-token": appPassword(), "expires-at": "2026-01-01" }));
    assert.deepEqual(judgeOffline(settings, NOW).problems, [problem("app-password", {})]);
  });

  it("a token that merely contains ATBB later is not an app password", () => {
    const token = `ATATT3xFfGF0ATBB${randomChars(60)}`;
    const offline = judgeOffline(settingsOf(raw({ "api-token": token })), NOW);
    assert.deepEqual(offline, { expiry: { status: "unknown" }, problems: [] });
  });
});

describe("parseSettings: good inputs", () => {
  it("parses the defaults plus an API token and email into exact Settings", () => {
    assert.deepEqual(settingsOf(raw()), {
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
      credentialFiles: [],
      apiUrl: new URL("https://api.bitbucket.org/2.0"),
      gitUrl: new URL("https://bitbucket.org"),
      timeoutMs: 30_000,
      retries: 3,
    });
  });

  it("trims a trailing newline (and spaces) from the token and the email", () => {
    const settings = settingsOf(raw({ "api-token": `  ${API_TOKEN}\r\n`, email: ` ${EMAIL}\n` }));
    assert.ok(settings.credential.token === API_TOKEN, "token trimmed");
    assert.equal(settings.credential.email, EMAIL);
  });

  it("splits scope lists on commas, newlines and spaces, lower-cases and de-duplicates", () => {
    const settings = settingsOf(
      raw({
        "required-scopes":
          "READ:user:bitbucket,read:workspace:bitbucket\n read:repository:bitbucket ,, write:repository:bitbucket\tread:user:bitbucket\n",
      }),
    );
    assert.deepEqual(settings.requiredScopes, [
      "read:user:bitbucket",
      "read:workspace:bitbucket",
      "read:repository:bitbucket",
      "write:repository:bitbucket",
    ]);
  });

  it("accepts legacy scope names for API tokens too", () => {
    const settings = settingsOf(raw({ "required-scopes": "repository pullrequest:write" }));
    assert.deepEqual(settings.requiredScopes, ["repository", "pullrequest:write"]);
  });

  it("parses repository lists, de-duplicated, lower-cased, in order", () => {
    const settings = settingsOf(
      raw({ repositories: "acme/app, acme/app\nAcme/Lib  team-1/repo.name_2," }),
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
      const settings = settingsOf(raw({ "api-url": input, "git-url": input }));
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
        problemsOf(raw({ "git-url": url })).map((p) => p.id),
        ["url-not-https"],
        url,
      );
    }
  });

  it("swaps the default API-token scopes for `repository repository:write` with an access token", () => {
    const settings = settingsOf(raw({ "api-token": ACCESS_TOKEN, email: "" }));
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
      ",,",
    ]) {
      const settings = settingsOf(
        raw({ "api-token": ACCESS_TOKEN, email: "", "required-scopes": scopes }),
      );
      assert.deepEqual(
        settings.requiredScopes,
        ["repository", "repository:write"],
        JSON.stringify(scopes),
      );
    }
  });

  it("keeps an access token's own scope list, and a part of the default list", () => {
    assert.deepEqual(
      settingsOf(
        raw({ "api-token": ACCESS_TOKEN, email: "", "required-scopes": "repository pullrequest" }),
      ).requiredScopes,
      ["repository", "pullrequest"],
    );
    assert.deepEqual(
      settingsOf(
        raw({
          "api-token": ACCESS_TOKEN,
          email: "",
          "required-scopes": "read:repository:bitbucket write:repository:bitbucket",
        }),
      ).requiredScopes,
      ["read:repository:bitbucket", "write:repository:bitbucket"],
    );
  });

  it("an empty scope list means the API-token default for API tokens", () => {
    for (const scopes of ["", ",,", " \n"]) {
      assert.deepEqual(
        settingsOf(raw({ "required-scopes": scopes })).requiredScopes,
        DEFAULTS["required-scopes"].split(" "),
      );
    }
  });

  it("parses numbers and flags at their limits", () => {
    const settings = settingsOf(
      raw({
        "expiry-warning-days": "0",
        "timeout-seconds": "1.5",
        retries: "0",
        "configure-git": "FALSE",
        "rewrite-ssh-urls": "True",
        cleanup: "false",
        "expires-at": "2026-12-31T23:59:59+02:00",
      }),
    );
    assert.equal(settings.expiryWarningDays, 0);
    assert.equal(settings.timeoutMs, 1500);
    assert.equal(settings.retries, 0);
    assert.equal(settings.configureGit, false);
    assert.equal(settings.rewriteSshUrls, true);
    assert.deepEqual(settings.expiresAt, {
      at: new Date("2026-12-31T21:59:59.000Z"),
      dateOnly: false,
    });

    it("reads credential-files as a list of known kinds, de-duplicated, in any case", () => {
      const settings = settingsOf(raw({ "credential-files": "NETRC,\ncomposer netrc" }));
      assert.deepEqual(settings.credentialFiles, ["netrc", "composer"]);
    });
    const max = settingsOf(
      raw({ "expiry-warning-days": "365", "timeout-seconds": "600", retries: "10" }),
    );
    assert.deepEqual([max.expiryWarningDays, max.timeoutMs, max.retries], [365, 600_000, 10]);
  });

  it("reads numbers with spaces around them", () => {
    assert.equal(settingsOf(raw({ retries: " 5 " })).retries, 5);
  });
});

describe("parseBoolean", () => {
  it("reads YAML's spellings of true and false, and nothing else", () => {
    for (const t of ["true", "True", "TRUE"]) assert.equal(parseBoolean(t), true, t);
    for (const f of ["false", "False", "FALSE"]) assert.equal(parseBoolean(f), false, f);
    for (const other of ["", "tRue", "yes", "no", "1", "0", "on", " true", "true\n", "y"]) {
      assert.equal(parseBoolean(other), undefined, JSON.stringify(other));
    }
  });
});

describe("isLoopback", () => {
  it("knows localhost, 127/8 and [::1], and nothing that merely looks like them", () => {
    for (const host of ["localhost", "127.0.0.1", "127.255.0.9", "[::1]"]) {
      assert.equal(isLoopback(host), true, host);
    }
    for (const host of [
      "localhost.example.com",
      "127.0.0.1.nip.io",
      "10.0.0.1",
      "128.0.0.1",
      "::1",
      "0.0.0.0",
      "127.0.0",
      "",
    ]) {
      assert.equal(isLoopback(host), false, host);
    }
  });
});

describe("raw inputs and defaults", () => {
  it("has a default for every input, in action.yml's order", () => {
    assert.deepEqual(INPUT_NAMES, [
      "email",
      "api-token",
      "required-scopes",
      "repositories",
      "expires-at",
      "expiry-warning-days",
      "configure-git",
      "rewrite-ssh-urls",
      "credential-files",
      "cleanup",
      "api-url",
      "git-url",
      "timeout-seconds",
      "retries",
    ]);
  });

  it("rawInputs records a source for every input, given or not", () => {
    const inputs = rawInputs({ email: EMAIL }, (name) => ({ kind: "flag", flag: `--${name}` }));
    assert.deepEqual(Object.keys(inputs.sources), INPUT_NAMES);
    assert.deepEqual(inputs.sources.retries, { kind: "flag", flag: "--retries" });
    assert.deepEqual(inputs.values, { email: EMAIL });
  });

  it("effectiveValue fills missing, empty and whitespace-only values with the defaults", () => {
    const inputs = rawInputs(
      { email: EMAIL, retries: "", "timeout-seconds": "  \n", cleanup: undefined },
      () => ({ kind: "input" }),
    );
    for (const name of INPUT_NAMES) {
      assert.equal(
        effectiveValue(inputs, name),
        name === "email" ? EMAIL : DEFAULTS[name],
        `${name}`,
      );
    }
  });

  it("effectiveValue keeps given values verbatim (parseSettings trims later)", () => {
    const inputs = raw({ retries: " 5 ", "git-url": "https://git.example.test/" });
    assert.equal(effectiveValue(inputs, "retries"), " 5 ");
    assert.equal(effectiveValue(inputs, "git-url"), "https://git.example.test/");
    assert.equal(settingsOf(inputs).retries, 5);
  });

  it("parsing does not change DEFAULTS or the raw values", () => {
    const defaults = { ...DEFAULTS };
    const values = { email: EMAIL, "api-token": API_TOKEN, retries: "7" };
    const inputs = rawInputs({ ...values }, () => ({ kind: "input" }));
    settingsOf(inputs);
    parseSettings(raw({ retries: "x", "required-scopes": "" }), NOW);
    assert.deepEqual(DEFAULTS, defaults);
    assert.deepEqual(inputs.values, values);
  });

  it("has defaults that parse with an API token, and with an access token", () => {
    settingsOf(raw());
    settingsOf(raw({ email: "", "api-token": ACCESS_TOKEN }));
  });
});
