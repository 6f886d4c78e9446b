/**
 * bitbucket.org, api.bitbucket.org and an LFS media host under their own names, for clients
 * that cannot be pointed anywhere else (Composer's Bitbucket driver, Go's import paths, cargo,
 * npm's hosted-git shortcuts…). Only inside a network and mount namespace of its own, as root:
 *
 *   unshare --net --mount node script.ts      // script.ts calls enterBitbucketOrg()
 *
 * enterBitbucketOrg() brings up loopback (the namespace has no other network: nothing can reach
 * the real hosts), bind-mounts an /etc/hosts that names 127.0.0.1 for the three hosts and a
 * system CA bundle that also trusts a test CA (git's libcurl, Go, PHP, curl and Python read the
 * system bundle; Node is given NODE_EXTRA_CA_CERTS), starts the emulator with those public URLs,
 * and an HTTPS front on 127.0.0.1:443 routing each request by its Host header.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bitbucket, startBitbucket } from "../emulator/bitbucket.ts";
import { makeCertificates, startTlsFront } from "./tls-proxy.ts";

export const PUBLIC = {
  api: "https://api.bitbucket.org/2.0",
  git: "https://bitbucket.org",
  media: "https://media.bitbucket.test",
} as const;
const HOSTS = ["bitbucket.org", "api.bitbucket.org", "media.bitbucket.test"];
const SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Why the namespaces cannot be had here, or false when they can (root with unshare). */
export function namespacesUnavailable(): string | false {
  const tried = spawnSync("unshare", ["--net", "--mount", "true"], { encoding: "utf8" });
  if (tried.status === 0) return false;
  return `unshare --net --mount is not permitted here (${tried.error?.message ?? tried.stderr.trim()}): it needs root`;
}

export interface BitbucketOrg {
  bb: Bitbucket;
  /** The test CA's certificate (PEM file): what NODE_EXTRA_CA_CERTS names for Node. */
  ca: string;
  /** A scratch directory of the world's own, outside every job. */
  dir: string;
  close(): Promise<void>;
}

export async function enterBitbucketOrg(): Promise<BitbucketOrg> {
  execFileSync("ip", ["link", "set", "lo", "up"]);
  const dir = mkdtempSync(join(tmpdir(), "bitbucket-org-"));
  const certs = makeCertificates(dir, HOSTS);

  const hosts = join(dir, "hosts");
  writeFileSync(hosts, `127.0.0.1 localhost ${HOSTS.join(" ")}\n::1 localhost\n`);
  execFileSync("mount", ["--bind", hosts, "/etc/hosts"]);
  if (!existsSync(SYSTEM_BUNDLE))
    throw new Error(`${SYSTEM_BUNDLE} is missing: install Debian's ca-certificates`);
  const bundle = join(dir, "ca-certificates.crt");
  writeFileSync(
    bundle,
    `${readFileSync(SYSTEM_BUNDLE, "utf8")}\n${readFileSync(certs.ca, "utf8")}`,
  );
  execFileSync("mount", ["--bind", bundle, SYSTEM_BUNDLE]);

  const bb = await startBitbucket({ publicUrls: PUBLIC });
  const front = await startTlsFront(
    {
      "bitbucket.org": bb.gitUrl,
      "api.bitbucket.org": bb.apiUrl,
      "media.bitbucket.test": bb.mediaUrl,
    },
    certs,
    { port: 443 },
  );
  return {
    bb,
    ca: certs.ca,
    dir,
    async close() {
      await front.close();
      await bb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
