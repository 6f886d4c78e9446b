/**
 * Bitbucket could not be asked, or answered something that is not Bitbucket's answer: the token
 * was not judged. Retrying may help; a redirect or a wrong api-url never will, so those name the
 * input instead.
 */
import { message } from "./define.ts";

const NOT_JUDGED = "The token was not judged: this is not a verdict on the token.";
const RETRY =
  "Re-run the job; if it keeps failing, check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and https://bitbucket.status.atlassian.com.";

/** Retrying cannot help these: the answer came, and it was not Bitbucket's. */
const NOT_BITBUCKET =
  "Something between this machine and Bitbucket (a proxy, a captive portal, a TLS-inspecting gateway) answered instead; check the proxy settings (HTTPS_PROXY, NO_PROXY) with your network administrators, then re-run.";

export const BITBUCKET_MESSAGES = {
  "failed-attempts": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; attempts: number; retries: number; last: string }, r) =>
      `Bitbucket (${p.host}) failed ${p.attempts} time(s); ${r.input("retries")} is ${p.retries}; last: ${r.untrusted(p.last)}. ${NOT_JUDGED}`,
    fix: () => RETRY,
    example: {
      host: "api.bitbucket.org",
      attempts: 4,
      retries: 3,
      last: "HTTP 503",
    },
  }),
  "no-answer": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; attempts: number; retries: number }, r) =>
      `Bitbucket (${p.host}) did not answer in time (${p.attempts} attempt(s)); ${r.input("retries")} is ${p.retries}. ${NOT_JUDGED}`,
    fix: () => RETRY,
    example: { host: "api.bitbucket.org", attempts: 4, retries: 3 },
  }),
  "out-of-time": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; seconds: number; last?: string }, r) =>
      `Bitbucket (${p.host}) did not answer in time${p.last ? ` (last: ${r.untrusted(p.last)})` : ""}; ${r.input("timeout-seconds")} allows ${p.seconds} s. ${NOT_JUDGED}`,
    fix: (_, r) => `${RETRY} On a slow network, raise ${r.input("timeout-seconds")}.`,
    example: { host: "api.bitbucket.org", seconds: 30, last: "the connection timed out" },
  }),
  "retry-after-too-long": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; last: string; wait: number; left: number }, r) =>
      `Bitbucket (${p.host}) answered ${r.untrusted(p.last)} and asked to wait ${p.wait} s (Retry-After), longer than the ${p.left} s left of ${r.input("timeout-seconds")}. ${NOT_JUDGED}`,
    fix: (_, r) => `Raise ${r.input("timeout-seconds")}, or re-run later.`,
    example: {
      host: "api.bitbucket.org",
      last: "HTTP 429 (rate limit exceeded)",
      wait: 600,
      left: 25,
    },
  }),
  "proxy-authentication": message({
    group: "bitbucket",
    about: "proxy",
    text: (p: { host: string }) =>
      `The proxy on the way to ${p.host} asked for proxy authentication (407). ${NOT_JUDGED}`,
    fix: () =>
      "Give the proxy's credentials in the proxy URL: HTTPS_PROXY / HTTP_PROXY = http://user:password@proxy:port.",
    example: { host: "api.bitbucket.org" },
  }),
  "too-large": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; status: number; bytes: string }) =>
      `Bitbucket (${p.host}) answered ${p.status} with ${p.bytes} bytes, more than Bitbucket ever sends here (a proxy's download?). ${NOT_JUDGED}`,
    fix: () => NOT_BITBUCKET,
    example: { host: "api.bitbucket.org", status: 200, bytes: "52428800" },
  }),
  "not-json": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; status: number }) =>
      `Bitbucket (${p.host}) answered ${p.status} with a body that is not the expected JSON (a proxy's page?). ${NOT_JUDGED}`,
    fix: () => NOT_BITBUCKET,
    example: { host: "api.bitbucket.org", status: 200 },
  }),
  "not-an-advertisement": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; name: string; service: string; type: string }, r) =>
      `The git host ${p.host} answered 200 to ${p.name}'s ${p.service} advertisement with ${p.type ? `a ${r.untrusted(p.type, 60)} body` : "a body of no declared type"}, not git's answer (a proxy's page?). ${NOT_JUDGED}`,
    fix: () => NOT_BITBUCKET,
    example: {
      host: "bitbucket.org",
      name: "acme/app",
      service: "git-upload-pack",
      type: "text/html",
    },
  }),
  "credential-echoed": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string }) =>
      `Bitbucket (${p.host}) sent the credential itself back in its answer; that is not Bitbucket's answer (a hostile or broken proxy?), and none of it is shown. ${NOT_JUDGED}`,
    fix: () => NOT_BITBUCKET,
    example: { host: "api.bitbucket.org" },
  }),
  "no-scopes-header": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string }) =>
      `Bitbucket (${p.host}) did not say which scopes the token holds (no x-oauth-scopes header), so they cannot be checked. ${NOT_JUDGED}`,
    fix: () => NOT_BITBUCKET,
    example: { host: "api.bitbucket.org" },
  }),
  "user-status": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string; status: number; path: string }) =>
      `Bitbucket (${p.host}) answered ${p.status} to ${p.path}. ${NOT_JUDGED}`,
    fix: () => RETRY,
    example: { host: "api.bitbucket.org", status: 400, path: "/user" },
  }),
  "no-account": message({
    group: "bitbucket",
    about: "network",
    text: (p: { host: string }) =>
      `Bitbucket (${p.host}) answered /user without an account id. ${NOT_JUDGED}`,
    fix: () => NOT_BITBUCKET,
    example: { host: "api.bitbucket.org" },
  }),
  "api-url-not-found": message({
    group: "bitbucket",
    about: "api-url",
    text: (p: { host: string; path: string; asked: string }, r) =>
      `Bitbucket (${p.host}) answered 404 to ${p.asked}: ${r.input("api-url")} ${p.path.endsWith("/2.0") ? `(path ${p.path}) is not the REST API's base URL` : `has no /2.0 at the end (path ${p.path || "/"})`}.`,
    fix: (_, r) =>
      `Set ${r.input("api-url")} to the REST API's base URL, ending in /2.0: for Bitbucket Cloud that is https://api.bitbucket.org/2.0, the default, so leave it out. Retrying will not help.`,
    example: { host: "api.bitbucket.org", path: "", asked: "/user" },
  }),
  redirected: message({
    group: "bitbucket",
    about: "url",
    text: (p: { input: "api-url" | "git-url"; host: string; status: number; to: string }, r) =>
      `${p.host} answered ${p.status} and redirected to ${r.untrusted(p.to, 100)}; the credential is never sent after a redirect, so it was not followed.`,
    fix: (p, r) =>
      `Set ${r.input(p.input)} to the address that answers directly (the default is right for Bitbucket Cloud).`,
    example: {
      input: "api-url",
      host: "api.bitbucket.org",
      status: 301,
      to: "https://bitbucket.example.com",
    },
  }),
};
