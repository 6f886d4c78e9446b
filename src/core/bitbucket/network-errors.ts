/**
 * What can go wrong on the way to Bitbucket, in a few words: the one place undici's and Node's
 * errors become a failure kind. Apart from transport.ts (and undici with it), so that the client
 * and the verdict can name these without loading undici before the inputs are valid.
 */

export type TransportFailure =
  | "timeout"
  | "connect-timeout"
  | "refused"
  | "reset"
  | "host-not-found"
  | "unreachable"
  | "tls"
  | "proxy-authentication"
  | "proxy"
  | "too-large"
  | "other";

export class TransportError extends Error {
  readonly failure: TransportFailure;
  /** For too-large: the status and the size seen. */
  readonly status?: number;
  readonly bytes?: string;
  constructor(
    failure: TransportFailure,
    description: string,
    extra: { status?: number; bytes?: string } = {},
  ) {
    super(description);
    this.name = "TransportError";
    this.failure = failure;
    this.status = extra.status;
    this.bytes = extra.bytes;
  }
}

const NETWORK_CODES: Record<string, [TransportFailure, string]> = {
  ECONNREFUSED: ["refused", "the connection was refused"],
  ECONNRESET: ["reset", "the connection was reset"],
  EPIPE: ["reset", "the connection was reset"],
  UND_ERR_SOCKET: ["reset", "the connection closed before the answer was complete"],
  UND_ERR_CLOSED: ["reset", "the connection closed before the answer was complete"],
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: ["reset", "the answer was cut short"],
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: ["reset", "the answer was cut short"],
  ENOTFOUND: ["host-not-found", "the host name was not found"],
  EAI_AGAIN: ["host-not-found", "the host name could not be resolved"],
  ETIMEOUT: ["host-not-found", "no DNS server answered"],
  EHOSTUNREACH: ["unreachable", "the host is unreachable"],
  ENETUNREACH: ["unreachable", "the network is unreachable"],
  ETIMEDOUT: ["connect-timeout", "the connection timed out"],
  UND_ERR_CONNECT_TIMEOUT: ["connect-timeout", "could not connect in time"],
  UND_ERR_HEADERS_TIMEOUT: ["timeout", "no answer in time"],
  UND_ERR_BODY_TIMEOUT: ["timeout", "no answer in time"],
};

/** The one place undici's and Node's errors become a failure kind and a few words. */
export function normalise(error: unknown, signal?: AbortSignal): TransportError {
  if (error instanceof TransportError) return error;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    return reason?.name === "TimeoutError"
      ? new TransportError("timeout", "no answer in time")
      : new TransportError("other", "stopped");
  }
  // undici wraps the cause of a failed request; the innermost coded error says the most.
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined; e; ) {
    const code = e.code ?? "";
    if (code in NETWORK_CODES) {
      const [failure, words] = NETWORK_CODES[code];
      return new TransportError(failure, `${words} (${code})`);
    }
    if (/CERT|SSL|TLS|SIGNATURE|ISSUER/.test(code))
      return new TransportError("tls", `the server's TLS certificate was not accepted (${code})`);
    const message = e.message ?? "";
    if (/\(407\)/.test(message) && /proxy/i.test(message))
      return new TransportError("proxy-authentication", "the proxy asked for credentials (407)");
    if (/proxy/i.test(message) && /tunnel/i.test(message))
      return new TransportError("proxy", `the proxy refused the tunnel (${redactUrls(message)})`);
    e = e.cause as typeof e;
  }
  const e = error as { code?: string; message?: string };
  return new TransportError(
    "other",
    redactUrls([e?.code, e?.message].filter(Boolean).join(" ") || String(error)),
  );
}

/** A proxy URL in an error message may carry its password: keep scheme and host only. */
function redactUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1");
}
