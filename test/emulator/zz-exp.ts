import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBitbucket } from "./bitbucket.ts";
const bb = await startBitbucket();
const a = bb.addAccount({ email: "a@example.com", username: "alice" });
bb.addRepository("acme/app");
bb.grant(a, "acme", "write");
const t = bb.issueApiToken(a, { scopes: ["read:repository:bitbucket"] });
const home = mkdtempSync(join(tmpdir(), "h-"));
const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
const hdr = "Authorization: Basic " + Buffer.from(`x-bitbucket-api-token-auth:${t}`).toString("base64");
for (const v of ["0", "1", "2"]) {
  bb.clearRequests();
  const out = execFileSync("git", ["-c", `http.${bb.gitUrl}/.extraHeader=${hdr}`, "-c", `protocol.version=${v}`, "ls-remote", `${bb.gitUrl}/acme/app.git`], { env, encoding: "utf8" });
  console.log(v, out.trim(), JSON.stringify(bb.requests.map(r => [r.method, r.url, r.status, r.headers["git-protocol"]])));
}
await bb.close();
