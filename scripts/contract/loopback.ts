/**
 * The emulator side's transport: like the product's (src/core/bitbucket/transport.ts) but never
 * through a proxy. The product's transport honours HTTPS_PROXY/HTTP_PROXY, which is right for
 * the real Bitbucket and wrong for an emulator on 127.0.0.1 when a maintainer's shell sets them.
 */
import { Agent, request } from "undici";
import { normalise, type Transport } from "../../src/core/bitbucket/transport.ts";

export function loopbackTransport(): Transport {
  const dispatcher = new Agent();
  return {
    async send(url, { headers, signal, readBody }) {
      try {
        const response = await request(url, { dispatcher, method: "GET", headers, signal });
        const answer = { status: response.statusCode, headers: response.headers };
        if (!readBody) {
          await response.body.dump();
          return { ...answer, body: Buffer.alloc(0) };
        }
        return { ...answer, body: Buffer.from(await response.body.arrayBuffer()) };
      } catch (error) {
        throw normalise(error, signal);
      }
    },
    async close() {
      await dispatcher.close();
    },
  };
}
