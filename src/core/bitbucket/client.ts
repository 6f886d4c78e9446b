/**
 * The HTTP client every request goes through. Every request carries a credential, so it never
 * follows a redirect (a 3xx to another host would carry it there). It retries only what retrying
 * can fix (network errors, 5xx, 429) with jittered backoff, inside one overall time budget.
 * When to wait and for how long is timing.ts's. Nothing here prints a header or a body.
 */
import { gitAuthorization, holdsCredential, restAuthorization } from "../inputs/credential.ts";
import type { Repository, Settings } from "../inputs/settings.ts";
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";
import { TransportError } from "./network-errors.ts";
import { backoffMs, type Clock, parseRetryAfter, realClock } from "./timing.ts";
import type { RawResponse, Transport } from "./transport.ts";

export {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffMs,
  type Clock,
  parseRetryAfter,
  realClock,
} from "./timing.ts";

/** What one request got back, as the verdict reads it. */
export interface BitbucketResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined when the body was empty, not read, or not JSON. */
  json: unknown;
  /** True when a non-empty body could not be parsed as JSON (an HTML page, a plain-text 401…). */
  notJson: boolean;
}

/** One attempt may take this long (less when the overall budget has less left). */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/**
 * Requests in flight per host, at most: the transport keeps as many connections open. Attempts
 * beyond it wait here for a free one, before their time starts, so 400 advertisements on a slow
 * host never time out queueing behind each other.
 */
export const CONNECTIONS_PER_HOST = 32;

export type GitService = "git-upload-pack" | "git-receive-pack";

export interface ClientOptions {
  transport: Transport;
  clock?: Clock;
  /** One line per attempt (method, URL, status): never a header, never a body. */
  log?: (line: string) => void;
}

export class BitbucketClient {
  readonly #settings: Settings;
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #deadline: number;
  /** Aborted by close(): requests and backoff sleeps still running stop at once. */
  readonly #closing = new AbortController();
  /** Requests sent, by kind, for the benchmark and the tests. */
  readonly sent = { rest: 0, git: 0 };
  /** Per host: attempts in flight, and those waiting for one of them to end. */
  readonly #inFlight = new Map<string, { count: number; waiting: (() => void)[] }>();

  constructor(settings: Settings, { transport, clock = realClock, log = () => {} }: ClientOptions) {
    this.#settings = settings;
    this.#transport = transport;
    this.#clock = clock;
    this.#log = log;
    this.#deadline = clock.now() + settings.timeoutMs;
  }

  /** GET `{api-url}{path}` with the REST credential. */
  rest(path: string): Promise<BitbucketResponse> {
    this.sent.rest++;
    const auth = restAuthorization(this.#settings.credential);
    return this.#get(joinUrl(this.#settings.apiUrl, path), "api-url", auth, true);
  }

  /** The smart-HTTP advertisement: proves git access with git's username, transfers nothing. */
  git(repo: Repository, service: GitService): Promise<BitbucketResponse> {
    this.sent.git++;
    const url = joinUrl(
      this.#settings.gitUrl,
      `/${repo.workspace}/${repo.slug}.git/info/refs?service=${service}`,
    );
    return this.#get(url, "git-url", gitAuthorization(this.#settings.credential), false);
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#transport.close();
  }

  async #get(
    url: string,
    input: "api-url" | "git-url",
    authorization: string,
    readBody: boolean,
  ): Promise<BitbucketResponse> {
    const host = new URL(url).host;
    const seconds = this.#settings.timeoutMs / 1000;
    let last = "";
    for (let attempt = 0; ; attempt++) {
      this.#stopIfClosed();
      const remaining = this.#deadline - this.#clock.now();
      if (remaining <= 0)
        throw unreachable(problem("out-of-time", { host, seconds, last: last || undefined }));
      let retryAfterMs: number | undefined;
      try {
        const raw = await this.#attempt(url, host, authorization, readBody);
        this.#log(`GET ${url} → ${raw.status}`);
        if (raw.status >= 300 && raw.status < 400) {
          const location = firstHeader(raw.headers.location) ?? "";
          const { token, email } = this.#settings.credential;
          if (holdsCredential(location, token, email))
            throw unreachable(problem("credential-echoed", { host }));
          const to = describeLocation(location || undefined, url);
          throw new Failure("bad-input", [
            problem("redirected", { input, host, status: raw.status, to }),
          ]);
        }
        if (raw.status === 407) throw unreachable(problem("proxy-authentication", { host }));
        if (raw.status !== 429 && raw.status < 500) return parse(raw);
        last = describeStatus(raw);
        retryAfterMs = parseRetryAfter(firstHeader(raw.headers["retry-after"]), this.#clock.now());
      } catch (error) {
        if (error instanceof Failure) throw error;
        this.#stopIfClosed();
        const failure = error instanceof TransportError ? error : undefined;
        if (failure?.failure === "proxy-authentication")
          throw unreachable(problem("proxy-authentication", { host }));
        if (failure?.failure === "too-large") {
          const { status = 0, bytes = "?" } = failure;
          throw unreachable(problem("too-large", { host, status, bytes }));
        }
        last = failure?.message ?? String(error);
        this.#log(`GET ${url} → ${last}`);
      }
      if (attempt >= this.#settings.retries) {
        const attempts = attempt + 1;
        const retries = this.#settings.retries;
        throw unreachable(
          last === "no answer in time"
            ? problem("no-answer", { host, attempts, retries })
            : problem("failed-attempts", { host, attempts, retries, last }),
        );
      }
      const left = this.#deadline - this.#clock.now();
      if (retryAfterMs !== undefined && retryAfterMs >= left) {
        throw unreachable(
          problem("retry-after-too-long", {
            host,
            last,
            wait: Math.ceil(retryAfterMs / 1000),
            left: Math.max(0, Math.floor(left / 1000)),
          }),
        );
      }
      const wait = retryAfterMs ?? backoffMs(attempt, this.#clock.random());
      try {
        await this.#clock.sleep(Math.max(0, Math.min(wait, left)), this.#closing.signal);
      } catch {
        this.#stopIfClosed();
      }
    }
  }

  /** Waits until fewer than CONNECTIONS_PER_HOST attempts to `host` are in flight. */
  async #slot(host: string): Promise<() => void> {
    const slots = this.#inFlight.get(host) ?? { count: 0, waiting: [] };
    this.#inFlight.set(host, slots);
    if (slots.count >= CONNECTIONS_PER_HOST)
      await new Promise<void>((go) => slots.waiting.push(go));
    slots.count++;
    return () => {
      slots.count--;
      slots.waiting.shift()?.();
    };
  }

  /** After close(): whatever is still running ends quietly (its caller already has an outcome). */
  #stopIfClosed(): void {
    if (this.#closing.signal.aborted) throw new Error("stopped: the client was closed");
  }

  /** One attempt, once one of the host's slots is free; its time starts then. */
  async #attempt(
    url: string,
    host: string,
    authorization: string,
    readBody: boolean,
  ): Promise<RawResponse> {
    const release = await this.#slot(host);
    try {
      this.#stopIfClosed();
      const remaining = this.#deadline - this.#clock.now();
      if (remaining <= 0) throw new TransportError("timeout", "no answer in time");
      const timeoutMs = Math.min(remaining, ATTEMPT_TIMEOUT_MS);
      const headers = {
        authorization,
        accept: "application/json",
        "user-agent": "bitbucket-api-token-auth",
      };
      const signal = AbortSignal.any([this.#clock.timeout(timeoutMs), this.#closing.signal]);
      return await this.#transport.send(url, { headers, signal, timeoutMs, readBody });
    } finally {
      release();
    }
  }
}

const unreachable = (p: ReturnType<typeof problem>) => new Failure("unreachable", [p]);

function parse(raw: RawResponse): BitbucketResponse {
  const text = raw.body.toString("utf8");
  if (text === "")
    return { status: raw.status, headers: raw.headers, json: undefined, notJson: false };
  try {
    return { status: raw.status, headers: raw.headers, json: JSON.parse(text), notJson: false };
  } catch {
    return { status: raw.status, headers: raw.headers, json: undefined, notJson: true };
  }
}

export function joinUrl(base: URL, path: string): string {
  return `${base.origin}${base.pathname.replace(/\/+$/, "")}${path}`;
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
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

function describeStatus(raw: RawResponse): string {
  const type = String(firstHeader(raw.headers["content-type"]) ?? "");
  if (raw.status === 429) return "HTTP 429 (rate limit exceeded)";
  if (/html/i.test(type)) return `HTTP ${raw.status} (an HTML page, likely from a proxy)`;
  return `HTTP ${raw.status}`;
}
