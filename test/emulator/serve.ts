/**
 * Runs the demo Bitbucket until SIGTERM or SIGINT, for trying the CLI by hand or from scripts:
 *
 *   node test/emulator/serve.ts
 *   {"apiUrl":"http://127.0.0.1:…/2.0","gitUrl":"http://127.0.0.1:…","email":"demo@example.com","tokenFile":"/tmp/…/token"}
 *
 * The token is only in tokenFile (mode 0600, removed on exit), never on stdout.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDemo } from "./demo-world.ts";

const demo = await startDemo();
const dir = await mkdtemp(join(tmpdir(), "bitbucket-demo-"));
const tokenFile = join(dir, "token");
await writeFile(tokenFile, demo.token, { mode: 0o600 });
const { apiUrl, gitUrl } = demo.bitbucket;
process.stdout.write(`${JSON.stringify({ apiUrl, gitUrl, email: demo.email, tokenFile })}\n`);

async function stop(): Promise<void> {
  await demo.bitbucket.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
