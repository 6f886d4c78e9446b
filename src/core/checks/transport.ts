/**
 * One GET with a body cap and timeouts, over one pool of kept-alive connections.
 *
 * Two ways to send it, chosen once per run:
 * - no proxy configured (most runners): Node's own http/https, which is already in the Node
 *   binary; loading undici costs more start-up time (~100 ms measured) than the whole check;
 * - HTTPS_PROXY/HTTP_PROXY set: undici's EnvHttpProxyAgent, loaded only then, which applies
 *   NO_PROXY and tunnels https through the proxy like every other tool on the runner.
 * Neither follows redirects: the caller decides what a 3xx means.
 */
import * as http from "node:http";
import type * as httpsModule from "node:https";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SendOptions {
  headers: Record<string, string>;
  /** Ends the attempt: its time limit, or the client closing. */
  signal: AbortSignal;
  /** A backstop for undici's own timers; `signal` is the limit that counts. */
  timeoutMs: number;
  /** False for git advertisements: status and headers are the proof, and the body can be huge. */
  readBody: boolean;
}

export interface Transport {
  send(url: string, options: SendOptions): Promise<RawAnswer>;
  close(): Promise<void>;
}

export const CONNECT_TIMEOUT_MS = 10_000;
export const MAX_BODY_BYTES = 1024 * 1024;

/** No retry makes a body this big Bitbucket's: the caller fails at once. */
export class BodyTooLargeError extends Error {
  readonly status: number;
  constructor(status: number, declared?: number) {
    super(
      `answered ${status} with ${declared ?? `more than ${MAX_BODY_BYTES}`} bytes, more than Bitbucket ever sends here (a proxy's download?)`,
    );
    this.status = status;
  }
}

export function proxyConfigured(env: Record<string, string | undefined>): boolean {
  return ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].some(
    (name) => (env[name] ?? "").trim() !== "",
  );
}

export function createTransport(env: Record<string, string | undefined> = process.env): Transport {
  return proxyConfigured(env) ? undiciTransport() : nodeTransport();
}

function nodeTransport(): Transport {
  const httpAgent = new http.Agent({ keepAlive: true });
  // TLS is loaded when the first https URL needs it (the tests' loopback emulator never does).
  // getBuiltinModule, not import(): an ES namespace of node:https would run every lazy getter.
  let httpsAgent: httpsModule.Agent | undefined;
  const secure = () => {
    const https = process.getBuiltinModule("node:https") as typeof httpsModule;
    httpsAgent ??= new https.Agent({ keepAlive: true });
    return { request: https.request, agent: httpsAgent };
  };
  return {
    async send(url, { headers, signal, readBody }) {
      const target = new URL(url);
      const { request: send, agent } =
        target.protocol === "https:" ? secure() : { request: http.request, agent: httpAgent };
      return new Promise((resolve, reject) => {
        const request = send(target, { method: "GET", headers, agent, signal });
        request.on("error", reject);
        request.on("socket", (socket) => {
          if (!socket.connecting) return;
          const timer = setTimeout(
            () =>
              request.destroy(
                Object.assign(new Error("connect timeout"), { code: "UND_ERR_CONNECT_TIMEOUT" }),
              ),
            CONNECT_TIMEOUT_MS,
          );
          socket.once("connect", () => clearTimeout(timer));
          socket.once("close", () => clearTimeout(timer));
        });
        request.on("response", (response) => {
          const status = response.statusCode ?? 0;
          if (!readBody) {
            response.destroy();
            return resolve({ status, headers: response.headers, body: Buffer.alloc(0) });
          }
          const declared = Number(response.headers["content-length"]);
          if (declared > MAX_BODY_BYTES)
            return request.destroy(new BodyTooLargeError(status, declared));
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) request.destroy(new BodyTooLargeError(status));
            else chunks.push(chunk);
          });
          response.on("error", reject);
          response.on("end", () => {
            // A body shorter than its Content-Length ends without `complete`.
            if (!response.complete)
              reject(Object.assign(new Error("the answer was cut short"), { code: "ECONNRESET" }));
            else resolve({ status, headers: response.headers, body: Buffer.concat(chunks) });
          });
        });
        request.end();
      });
    },
    async close() {
      httpAgent.destroy();
      httpsAgent?.destroy();
    },
  };
}

function undiciTransport(): Transport {
  const loaded = import("./undici.ts").then(({ EnvHttpProxyAgent, request }) => ({
    request,
    dispatcher: new EnvHttpProxyAgent({ connect: { timeout: CONNECT_TIMEOUT_MS } }),
  }));
  return {
    async send(url, { headers, signal, timeoutMs, readBody }) {
      const { request, dispatcher } = await loaded;
      const response = await request(url, {
        dispatcher,
        method: "GET",
        headers,
        headersTimeout: timeoutMs + 1_000,
        bodyTimeout: timeoutMs + 1_000,
        signal,
      });
      if (!readBody) {
        discard(response.body);
        return { status: response.statusCode, headers: response.headers, body: Buffer.alloc(0) };
      }
      const declared = Number(response.headers["content-length"]);
      if (declared > MAX_BODY_BYTES) {
        discard(response.body);
        throw new BodyTooLargeError(response.statusCode, declared);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          discard(response.body);
          throw new BodyTooLargeError(response.statusCode);
        }
        chunks.push(chunk);
      }
      return {
        status: response.statusCode,
        headers: response.headers,
        body: Buffer.concat(chunks),
      };
    },
    async close() {
      await (await loaded).dispatcher.destroy();
    },
  };
}

/** undici reports a body destroyed before its end as an error event; here that is the intent. */
function discard(body: {
  on(event: "error", listener: () => void): unknown;
  destroy(): unknown;
}): void {
  body.on("error", () => {});
  body.destroy();
}
