/**
 * The one HTTP client. Every request carries a credential, so it refuses to follow redirects
 * (a 3xx to another host would carry it there), caps body sizes, retries only what retrying can
 * fix (network errors, 5xx, 429) with jittered backoff inside one overall budget, and goes
 * through HTTPS_PROXY/HTTP_PROXY/NO_PROXY like every other tool on the runner (undici's
 * EnvHttpProxyAgent: it proxies loopback too unless NO_PROXY lists it).
 *
 * Time comes from a Clock (now, sleep, per-attempt timeout, jitter) so tests can drive retries,
 * Retry-After and the budget without waiting. Nothing here ever prints a header or a body.
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { UnfitError, UnreachableError } from "../errors.ts";
import { type Credential, gitAuthorization, restAuthorization } from "../inputs/credential.ts";
import type { Repository, Settings } from "../inputs/settings.ts";
import { BodyTooLargeError, createTransport, type RawAnswer } from "./transport.ts";

export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts (the client was closed). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A signal that aborts with a "TimeoutError" once `ms` have passed: one attempt's limit. */
  timeout(ms: number): AbortSignal;
  /** In [0, 1), for backoff jitter. */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
  timeout: (ms) => AbortSignal.timeout(ms),
  random: Math.random,
};

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  json: unknown;
  /** True when a non-empty body could not be parsed as JSON (an HTML page from a proxy…). */
  notJson: boolean;
}

/** One attempt may take this long (less when the overall budget has less left). */
export const ATTEMPT_TIMEOUT_MS = 15_000;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 8_000;

export type GitService = "git-upload-pack" | "git-receive-pack";

/** An answer that no retry can improve (too big to be Bitbucket's): fail at once. */
class FinalError extends Error {}

export class BitbucketClient {
  readonly #credential: Credential;
  readonly #apiUrl: URL;
  readonly #gitUrl: URL;
  readonly #retries: number;
  readonly #timeoutMs: number;
  readonly #deadline: number;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  /** Aborted by close(): requests and backoff sleeps still running stop at once. */
  readonly #closing = new AbortController();
  // One pool for every request: connections to each host are opened once and reused.
  readonly #transport = createTransport();

  /** `log` gets one line per attempt (method, URL, status): never a header, never a body. */
  constructor(
    settings: Settings,
    clock: Clock = realClock,
    log: (line: string) => void = () => {},
  ) {
    this.#log = log;
    this.#credential = settings.credential;
    this.#apiUrl = settings.apiUrl;
    this.#gitUrl = settings.gitUrl;
    this.#retries = settings.retries;
    this.#clock = clock;
    this.#timeoutMs = settings.timeoutMs;
    this.#deadline = clock.now() + settings.timeoutMs;
  }

  /** GET `{api-url}{path}` with the REST credential. */
  rest(path: string): Promise<Answer> {
    return this.#get(
      joinUrl(this.#apiUrl, path),
      "api-url",
      restAuthorization(this.#credential),
      true,
    );
  }

  /**
   * The smart-HTTP advertisement: proves git access with the git username, transfers nothing.
   * A 200 must be the advertisement itself: a proxy's or portal's page is not proof of access.
   */
  async gitAdvertisement(repo: Repository, service: GitService): Promise<Answer> {
    const url = joinUrl(
      this.#gitUrl,
      `/${repo.workspace}/${repo.slug}.git/info/refs?service=${service}`,
    );
    const answer = await this.#get(url, "git-url", gitAuthorization(this.#credential), false);
    const type = String(firstHeader(answer.headers["content-type"]) ?? "");
    if (answer.status === 200 && !type.startsWith(`application/x-${service}-advertisement`)) {
      const host = this.#gitUrl.host;
      throw new UnreachableError(
        host,
        `The git host ${host} answered 200 to ${repo.fullName}'s ${service} advertisement with ${type ? `a ${type.split(";")[0]} body` : "a body of no declared type"}, not git's answer (a proxy's page?).`,
      );
    }
    return answer;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#transport.close();
  }

  async #get(
    url: string,
    input: string,
    authorization: string,
    readBody: boolean,
  ): Promise<Answer> {
    const host = new URL(url).host;
    let lastFailure = "";
    for (let attempt = 0; ; attempt++) {
      this.#stopIfClosed(host);
      const remaining = this.#deadline - this.#clock.now();
      if (remaining <= 0) {
        throw new UnreachableError(
          host,
          `Bitbucket (${host}) did not answer in time${lastFailure ? ` (last: ${lastFailure})` : ""}; \`timeout-seconds\` allows ${this.#timeoutMs / 1000} s.`,
        );
      }
      let retryAfterMs: number | undefined;
      try {
        const answer = await this.#attempt(
          url,
          authorization,
          Math.min(remaining, ATTEMPT_TIMEOUT_MS),
          readBody,
        );
        this.#log(`GET ${url} → ${answer.status}`);
        if (answer.status >= 300 && answer.status < 400) {
          throw new UnfitError("input", [
            {
              subject: input,
              message: `${host} answered ${answer.status} and redirected to ${describeLocation(firstHeader(answer.headers.location), url)}; the credential is never sent after a redirect, so it was not followed.`,
              fix: `Set \`${input}\` to the address that answers directly (the default is right for Bitbucket Cloud).`,
            },
          ]);
        }
        if (answer.status === 407) throw proxyAuthentication(host);
        if (answer.status !== 429 && answer.status < 500) return answer;
        lastFailure = describeStatus(answer);
        retryAfterMs = parseRetryAfter(
          firstHeader(answer.headers["retry-after"]),
          this.#clock.now(),
        );
      } catch (error) {
        if (error instanceof UnfitError || error instanceof UnreachableError) throw error;
        this.#stopIfClosed(host);
        if (isProxyAuthentication(error)) throw proxyAuthentication(host);
        if (error instanceof FinalError) {
          throw new UnreachableError(host, `Bitbucket (${host}) ${error.message}.`);
        }
        lastFailure = describeNetworkError(error);
        this.#log(`GET ${url} → ${lastFailure}`);
      }
      if (attempt >= this.#retries) {
        const what =
          lastFailure === NO_ANSWER
            ? `did not answer in time (${attempt + 1} attempt(s))`
            : `failed ${attempt + 1} time(s)`;
        throw new UnreachableError(
          host,
          `Bitbucket (${host}) ${what}; \`retries\` is ${this.#retries}; last: ${lastFailure}.`,
        );
      }
      const left = this.#deadline - this.#clock.now();
      if (retryAfterMs !== undefined && retryAfterMs >= left) {
        throw new UnreachableError(
          host,
          `Bitbucket (${host}) answered ${lastFailure} and asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After), longer than the ${Math.max(0, Math.floor(left / 1000))} s left of \`timeout-seconds\`; raise it or try later.`,
        );
      }
      const wait = retryAfterMs ?? backoffMs(attempt, this.#clock.random());
      try {
        await this.#clock.sleep(Math.max(0, Math.min(wait, left)), this.#closing.signal);
      } catch {
        this.#stopIfClosed(host);
      }
    }
  }

  /** After close(): whatever is still running ends quietly (its caller already has an error). */
  #stopIfClosed(host: string): void {
    if (this.#closing.signal.aborted) {
      throw new UnreachableError(host, `The check of ${host} was stopped.`);
    }
  }

  async #attempt(
    url: string,
    authorization: string,
    timeoutMs: number,
    readBody: boolean,
  ): Promise<Answer> {
    const headers = {
      authorization,
      accept: "application/json",
      "user-agent": "bitbucket-api-token-auth",
    };
    const signal = AbortSignal.any([this.#clock.timeout(timeoutMs), this.#closing.signal]);
    let response: RawAnswer;
    try {
      response = await this.#transport.send(url, { headers, signal, timeoutMs, readBody });
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new FinalError(error.message);
      throw error;
    }
    const text = response.body.toString("utf8");
    let json: unknown;
    let notJson = false;
    if (text !== "") {
      try {
        json = JSON.parse(text);
      } catch {
        notJson = true;
      }
    }
    return { status: response.status, headers: response.headers, json, notJson };
  }
}

/**
 * Backoff before retry number `attempt + 1`: "equal jitter". The ceiling doubles from
 * BACKOFF_BASE_MS up to BACKOFF_CAP_MS; the wait is at least half of it (so waits grow whatever
 * the dice say) plus a random part (so runners that failed together do not retry together).
 */
export function backoffMs(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

export function joinUrl(base: URL, path: string): string {
  return `${base.origin}${base.pathname.replace(/\/+$/, "")}${path}`;
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` is either delay-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; without a letter it is junk like "1.5" or "-1",
  // which Date.parse would still read as some day in 2001.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** A proxy that wants credentials will not change its mind on a retry. */
function proxyAuthentication(host: string): UnreachableError {
  return new UnreachableError(
    host,
    `The proxy on the way to ${host} asked for proxy authentication (407); give its credentials in the proxy URL (HTTPS_PROXY / HTTP_PROXY = http://user:password@proxy:port).`,
  );
}

/** undici reports a proxy's 407 as an error (forwarding or CONNECT), not as an answer. */
function isProxyAuthentication(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return /\(407\)/.test(message) && /proxy/i.test(message);
}

/** Where a redirect pointed, as scheme://host only: a hostile Location is not echoed whole. */
function describeLocation(location: string | undefined, base: string): string {
  if (!location) return "nowhere (no Location header)";
  try {
    return new URL(location, base).origin;
  } catch {
    return "an address that is not a URL";
  }
}

function describeStatus(answer: Answer): string {
  const type = String(firstHeader(answer.headers["content-type"]) ?? "");
  if (answer.status === 429) return "HTTP 429 (rate limit exceeded)";
  if (/html/i.test(type)) return `HTTP ${answer.status} (an HTML page, likely from a proxy)`;
  return `HTTP ${answer.status}`;
}

const NO_ANSWER = "no answer in time";

const NETWORK_ERRORS: Record<string, string> = {
  ECONNRESET: "the connection was reset",
  ECONNREFUSED: "the connection was refused",
  ENOTFOUND: "the host name was not found",
  EAI_AGAIN: "the host name could not be resolved",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  UND_ERR_SOCKET: "the connection closed before the answer was complete",
  UND_ERR_CONNECT_TIMEOUT: "could not connect in time",
};

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string; cause?: { name?: string } };
  if (
    e?.name === "TimeoutError" ||
    (e?.name === "AbortError" && e.cause?.name === "TimeoutError") ||
    e?.code === "UND_ERR_HEADERS_TIMEOUT" ||
    e?.code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return NO_ANSWER;
  }
  const known = e?.code ? NETWORK_ERRORS[e.code] : undefined;
  if (known) return `${known} (${e.code})`;
  return [e?.code, e?.message].filter(Boolean).join(" ") || String(error);
}
