/**
 * The one HTTP client. Every request carries a credential, so it refuses to follow redirects
 * (a 3xx to another host would carry it there), caps body sizes, retries only what retrying can
 * fix (network errors, 5xx, 429) with jittered backoff inside one overall budget, and goes
 * through HTTPS_PROXY/HTTP_PROXY/NO_PROXY like every other tool on the runner.
 */
import { EnvHttpProxyAgent, request } from "undici";
import { type Credential, gitAuthorization, restAuthorization } from "./credential.ts";
import { UnfitError, UnreachableError } from "./errors.ts";
import type { Repository, Settings } from "./settings.ts";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1), for backoff jitter. */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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

const CONNECT_TIMEOUT_MS = 10_000;
const ATTEMPT_TIMEOUT_MS = 15_000;
const MAX_BODY_BYTES = 1024 * 1024;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

export type GitService = "git-upload-pack" | "git-receive-pack";

export class BitbucketClient {
  readonly #credential: Credential;
  readonly #apiUrl: URL;
  readonly #gitUrl: URL;
  readonly #retries: number;
  readonly #deadline: number;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  // One pool for every request: connections to the API host are opened once and reused.
  readonly #dispatcher = new EnvHttpProxyAgent({ connect: { timeout: CONNECT_TIMEOUT_MS } });

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
    this.#deadline = clock.now() + settings.timeoutMs;
  }

  /** GET `{api-url}{path}` with the REST credential. */
  rest(path: string): Promise<Answer> {
    return this.#get(joinUrl(this.#apiUrl, path), "api-url", restAuthorization(this.#credential));
  }

  /** The smart-HTTP advertisement: proves git access with the git username, transfers nothing. */
  gitAdvertisement(repo: Repository, service: GitService): Promise<Answer> {
    const url = joinUrl(
      this.#gitUrl,
      `/${repo.workspace}/${repo.slug}.git/info/refs?service=${service}`,
    );
    return this.#get(url, "git-url", gitAuthorization(this.#credential));
  }

  async close(): Promise<void> {
    await this.#dispatcher.destroy();
  }

  async #get(url: string, input: string, authorization: string): Promise<Answer> {
    const host = new URL(url).host;
    let lastFailure = "";
    for (let attempt = 0; ; attempt++) {
      const remaining = this.#deadline - this.#clock.now();
      if (remaining <= 0) {
        throw new UnreachableError(
          host,
          `Bitbucket (${host}) did not answer in time${lastFailure ? ` (last: ${lastFailure})` : ""}.`,
        );
      }
      let retryAfterMs: number | undefined;
      try {
        const answer = await this.#attempt(
          url,
          authorization,
          Math.min(remaining, ATTEMPT_TIMEOUT_MS),
        );
        this.#log(`GET ${url} → ${answer.status}`);
        if (answer.status >= 300 && answer.status < 400) {
          const location = firstHeader(answer.headers.location) ?? "(no location)";
          throw new UnfitError("input", [
            {
              subject: input,
              message: `${host} answered ${answer.status} and redirected to ${location}; the credential is never sent after a redirect.`,
              fix: `Set \`${input}\` to the address that answers directly (the default is right for Bitbucket Cloud).`,
            },
          ]);
        }
        if (answer.status !== 429 && answer.status < 500) return answer;
        lastFailure = `HTTP ${answer.status}`;
        retryAfterMs = parseRetryAfter(
          firstHeader(answer.headers["retry-after"]),
          this.#clock.now(),
        );
      } catch (error) {
        if (error instanceof UnfitError || error instanceof UnreachableError) throw error;
        lastFailure = describeNetworkError(error);
        this.#log(`GET ${url} → ${lastFailure}`);
      }
      if (attempt >= this.#retries) {
        throw new UnreachableError(
          host,
          `Bitbucket (${host}) failed ${attempt + 1} time(s); last: ${lastFailure}.`,
        );
      }
      const left = this.#deadline - this.#clock.now();
      if (retryAfterMs !== undefined && retryAfterMs >= left) {
        throw new UnreachableError(
          host,
          `Bitbucket (${host}) answered ${lastFailure} and asked to wait ${Math.ceil(retryAfterMs / 1000)} s, longer than the time left (raise \`timeout-seconds\` or try later).`,
        );
      }
      const backoff =
        this.#clock.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
      await this.#clock.sleep(Math.min(retryAfterMs ?? backoff, left));
    }
  }

  async #attempt(url: string, authorization: string, timeoutMs: number): Promise<Answer> {
    const response = await request(url, {
      dispatcher: this.#dispatcher,
      method: "GET",
      headers: {
        authorization,
        accept: "application/json",
        "user-agent": "bitbucket-api-token-auth",
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.body.destroy();
        throw new Error(`the answer was larger than ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    let json: unknown;
    let notJson = false;
    const isAdvertisement = String(response.headers["content-type"] ?? "").includes("git-");
    if (text !== "" && !isAdvertisement) {
      try {
        json = JSON.parse(text);
      } catch {
        notJson = true;
      }
    }
    return { status: response.statusCode, headers: response.headers, json, notJson };
  }
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
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string };
  if (
    e?.name === "TimeoutError" ||
    e?.code === "UND_ERR_HEADERS_TIMEOUT" ||
    e?.code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return "no answer in time";
  }
  return [e?.code, e?.message].filter(Boolean).join(" ") || String(error);
}
