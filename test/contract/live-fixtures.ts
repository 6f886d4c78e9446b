/**
 * Helpers for the live check's tests, which never leave loopback: "Bitbucket" is a first
 * emulator instance (the command builds its own second one from what the first answers), and
 * differences are made by a transport that tampers with its answers, or by canned answers
 * shaped like Bitbucket's.
 */

import type { Observation } from "../../scripts/contract/compare.ts";
import { loopbackTransport } from "../../scripts/contract/loopback.ts";
import { runContractLive } from "../../scripts/contract/run.ts";
import type { BitbucketResponse } from "../../src/core/bitbucket/client.ts";
import type { RawResponse, Transport } from "../../src/core/bitbucket/transport.ts";
import type { Account, Bitbucket } from "../emulator/bitbucket.ts";
import { startBitbucket } from "../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";

export interface LiveWorld {
  bb: Bitbucket;
  alice: Account;
  token: string;
  access: string;
  /** The variables and flags that point the command at this "Bitbucket". */
  env: Record<string, string>;
  argv: string[];
}

/** Alice (write on acme), a public repository elsewhere, an API token and an access token. */
export async function startLiveWorld(
  options: { scopes?: readonly string[] } = {},
): Promise<LiveWorld> {
  const bb = await startBitbucket();
  const alice = bb.addAccount({
    email: "alice.liddell@example.com",
    username: "aliceliddell",
    displayName: "Alice Liddell",
  });
  bb.addRepository("acmecorp/webapp");
  bb.addRepository("acmecorp/library");
  bb.addRepository("othercorp/opensource", { private: false });
  bb.grant(alice, "acmecorp", "write");
  const token = bb.issueApiToken(alice, { scopes: options.scopes ?? DEFAULT_SCOPES });
  const access = bb.issueAccessToken({
    kind: "repository",
    target: "acmecorp/webapp",
    scopes: ["repository:write"],
  });
  return {
    bb,
    alice,
    token,
    access,
    env: {
      BITBUCKET_EMAIL: alice.email,
      BITBUCKET_API_TOKEN: token,
      BITBUCKET_ACCESS_TOKEN: access,
      BITBUCKET_TEST_REPOSITORIES: "acmecorp/webapp acmecorp/library othercorp/opensource",
    },
    argv: ["--api-url", bb.apiUrl, "--git-url", bb.gitUrl],
  };
}

export type Tamper = (url: string, raw: RawResponse, authorization: string) => RawResponse;

/** A transport to the first emulator whose answers `tamper` may change before the client sees them. */
export function tampering(tamper: Tamper): () => Transport {
  return () => {
    const inner = loopbackTransport();
    return {
      async send(url, options) {
        return tamper(url, await inner.send(url, options), options.headers.authorization ?? "");
      },
      close: () => inner.close(),
    };
  };
}

export interface Run {
  code: number;
  out: string;
}

export async function run(
  env: Record<string, string | undefined>,
  argv: string[],
  transport?: () => Transport,
  more: { retries?: number } = {},
): Promise<Run> {
  let out = "";
  const code = await runContractLive({
    env,
    argv,
    write: (text) => {
      out += text;
    },
    transport: transport ?? tampering((_, raw) => raw),
    retries: more.retries ?? 0,
    today: () => "2026-08-15",
  });
  return { code, out };
}

/** The table's rows as "case | aspect | Bitbucket | emulator | result", the case filled in. */
export function tableRows(out: string): string[] {
  const lines = out.split("\n");
  const header = lines.findIndex((l) =>
    /^\s+case\s+aspect\s+Bitbucket\s+emulator\s+result$/.test(l),
  );
  if (header < 0) return [];
  const starts = ["case", "aspect", "Bitbucket", "emulator", "result"].map((h) =>
    lines[header].indexOf(h),
  );
  const rows: string[] = [];
  let current = "";
  for (const line of lines.slice(header + 2)) {
    if (line.trim() === "") break;
    const cells = starts.map((start, i) => line.slice(start, starts[i + 1]).trim());
    current = cells[0] || current;
    rows.push([current, ...cells.slice(1)].join(" | "));
  }
  return rows;
}

/** The rows marked DIFF, for assertions and their messages. */
export const diffRows = (out: string): string[] =>
  tableRows(out).filter((row) => row.endsWith(" | DIFF"));

// ---- canned answers ---------------------------------------------------------------------------

export function answer(
  status: number,
  headers: Record<string, string>,
  body?: unknown,
): Observation {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  let json: unknown;
  let notJson = false;
  if (text !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      notJson = true;
    }
  }
  const response: BitbucketResponse = { status, headers, json, notJson };
  return { kind: "answer", response, text };
}

/** A git advertisement: the client does not read its body. */
export function advertisement(status: number, headers: Record<string, string>): Observation {
  return { kind: "answer", response: { status, headers, json: undefined, notJson: false } };
}

/** GET /2.0/user as Bitbucket answers an API token (real-looking; identifiers are made up). */
export const REAL_USER = {
  status: 200,
  headers: {
    "content-type": "application/json; charset=utf-8",
    "x-oauth-scopes":
      "read:user:bitbucket, read:workspace:bitbucket, read:repository:bitbucket, write:repository:bitbucket",
    "x-accepted-oauth-scopes": "account",
    "x-credential-type": "api_token",
  } as Record<string, string>,
  body: {
    type: "user",
    uuid: "{5c7e7b3e-1a2b-4c3d-8e9f-0a1b2c3d4e5f}",
    account_id: "712020:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    username: "jdoe",
    nickname: "jdoe",
    display_name: "Jane Doe",
    account_status: "active",
    created_on: "2019-03-01T10:00:00.000000+00:00",
    links: { self: { href: "https://api.bitbucket.org/2.0/users/%7B5c7e%7D" } },
  } as Record<string, unknown>,
};

/** A 403 for a missing scope, as BITBUCKET.md records it. */
export const REAL_MISSING_SCOPE = {
  type: "error",
  error: {
    message: "Your credentials lack one or more required privilege scopes.",
    detail: { required: ["read:workspace:bitbucket"], granted: ["read:user:bitbucket"] },
  },
};
