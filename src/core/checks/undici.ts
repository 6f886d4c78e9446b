/**
 * The two pieces of undici the client uses, imported from their own files: undici's index also
 * loads fetch, WebSocket, caches, mocks and SQLite, three times the code to compile at start-up
 * for nothing. These paths are internal to undici, so package.json pins its exact version and
 * the proxy tests exercise both on every run. Loaded only when a proxy is configured.
 */
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentType } from "undici";
// @ts-expect-error: undici ships no types for its internal files; typed below.
import apiRequest from "undici/lib/api/api-request.js";
// @ts-expect-error: as above.
import EnvHttpProxyAgentClass from "undici/lib/dispatcher/env-http-proxy-agent.js";

export const EnvHttpProxyAgent = EnvHttpProxyAgentClass as typeof EnvHttpProxyAgentType;

/** undici's `request(url, options)`, for one dispatcher. */
export function request(
  url: string,
  options: Omit<Dispatcher.RequestOptions, "origin" | "path"> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  const { dispatcher, ...rest } = options;
  return (
    apiRequest as (
      this: Dispatcher,
      o: Dispatcher.RequestOptions,
    ) => Promise<Dispatcher.ResponseData>
  ).call(dispatcher, {
    ...rest,
    origin,
    path: `${pathname}${search}`,
  });
}
