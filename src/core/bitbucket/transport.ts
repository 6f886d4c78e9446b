/**
 * One GET over undici (its public API), with a body cap and
 * timeouts, through HTTPS_PROXY/HTTP_PROXY/NO_PROXY like every other tool on the runner
 * (EnvHttpProxyAgent: https targets are tunnelled with CONNECT; credentials in the proxy URL
 * are used, never printed). Never follows a redirect: the caller decides what a 3xx means.
 * Every error leaves here as a TransportError: one place turns undici's and Node's errors into
 * words.
 *
 * What each undici option reaches (read in undici 8's proxy-agent.js):
 * - `connections` and `connect` make the per-origin pools of direct connections; behind a proxy,
 *   `connections` also bounds the CONNECT tunnels per origin, but `connect` is replaced by the
 *   tunnel, so the proxy's own connection takes `connectTimeout` and `proxyTls` instead.
 * - plain-http targets behind a proxy (the tests' emulator) go through a pool to the proxy that
 *   `factory` makes: without it that pool has no limit.
 * - the lookup (./lookup.ts) goes in both `connect` and `proxyTls`: behind a proxy the proxy's
 *   name is the only one this process resolves.
 */
import { type Dispatcher, EnvHttpProxyAgent, Pool, request } from "undici";
import { CONNECTIONS_PER_HOST } from "./client.ts";
import { createLookup } from "./lookup.ts";
import { normalise, TransportError } from "./network-errors.ts";

export { normalise, TransportError, type TransportFailure } from "./network-errors.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SendOptions {
  headers: Record<string, string>;
  /** Ends the attempt: its time limit, or the client closing. */
  signal: AbortSignal;
  /** Backstop for undici's own timers; `signal` is the limit that counts. */
  timeoutMs: number;
  /** False for git advertisements: status and headers are the proof, and the body can be huge. */
  readBody: boolean;
}

export interface Transport {
  send(url: string, options: SendOptions): Promise<RawResponse>;
  close(): Promise<void>;
}

export const CONNECT_TIMEOUT_MS = 10_000;
export const MAX_BODY_BYTES = 1024 * 1024;

/** This module is imported only once the inputs are valid (src/core/flow.ts), and undici with it. */
export function createTransport(): Transport {
  const names = createLookup();
  const dispatcher = new EnvHttpProxyAgent({
    connections: CONNECTIONS_PER_HOST,
    connect: { timeout: CONNECT_TIMEOUT_MS, lookup: names.lookup },
    connectTimeout: CONNECT_TIMEOUT_MS,
    proxyTls: { lookup: names.lookup },
    factory: (origin: string | URL, options: Pool.Options) =>
      new Pool(origin, { ...options, connections: CONNECTIONS_PER_HOST }),
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
  return {
    async send(url, options) {
      try {
        return await send(dispatcher, url, options);
      } catch (error) {
        throw normalise(error, options.signal);
      }
    },
    async close() {
      names.close();
      await dispatcher.destroy();
    },
  };
}

async function send(
  dispatcher: Dispatcher,
  url: string,
  { headers, signal, timeoutMs, readBody }: SendOptions,
): Promise<RawResponse> {
  const response = await request(url, {
    dispatcher,
    method: "GET",
    headers,
    signal,
    headersTimeout: timeoutMs + 1_000,
    bodyTimeout: timeoutMs + 1_000,
  });
  const answer = { status: response.statusCode, headers: response.headers };
  if (!readBody) {
    // A small rest is read so the connection can be reused; a huge one closes it.
    await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
    return { ...answer, body: Buffer.alloc(0) };
  }
  const declared = Number(response.headers["content-length"]);
  if (declared > MAX_BODY_BYTES) {
    response.body.destroy();
    throw tooLarge(response.statusCode, String(declared));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.body.destroy();
      throw tooLarge(response.statusCode, `more than ${MAX_BODY_BYTES}`);
    }
    chunks.push(chunk);
  }
  return { ...answer, body: Buffer.concat(chunks) };
}

const tooLarge = (status: number, bytes: string) =>
  new TransportError("too-large", "an answer too large", { status, bytes });
