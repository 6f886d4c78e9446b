/**
 * The demo world used by `serve.ts` and by scripts that want a ready Bitbucket: account
 * demo@example.com (username "demo"), workspace `acme` (write access) with `acme/lib` and
 * `acme/app` (which has `acme/lib` as submodule `lib`), and an API token with the default scopes.
 */

import type { Account, Bitbucket } from "./bitbucket.ts";
import { startBitbucket } from "./bitbucket.ts";

export const DEMO_EMAIL = "demo@example.com";

export const DEFAULT_SCOPES: readonly string[] = [
  "read:user:bitbucket",
  "read:workspace:bitbucket",
  "read:repository:bitbucket",
  "write:repository:bitbucket",
];

export interface Demo {
  bitbucket: Bitbucket;
  account: Account;
  email: string;
  /** API token of the demo account with DEFAULT_SCOPES. */
  token: string;
}

export async function startDemo(options: { delayMs?: number } = {}): Promise<Demo> {
  const bitbucket = await startBitbucket(options);
  const account = bitbucket.addAccount({
    email: DEMO_EMAIL,
    username: "demo",
    displayName: "Demo User",
  });
  bitbucket.addRepository("acme/lib");
  bitbucket.addRepository("acme/app", { submodule: "acme/lib" });
  bitbucket.grant(account, "acme", "write");
  const token = bitbucket.issueApiToken(account, { scopes: DEFAULT_SCOPES });
  return { bitbucket, account, email: DEMO_EMAIL, token };
}
