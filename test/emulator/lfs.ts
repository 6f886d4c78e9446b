/**
 * Git LFS as Bitbucket Cloud serves it, for bitbucket.ts:
 * - the batch API on the git host, POST /{ws}/{slug}.git/info/lfs/objects/batch
 *   (https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md). Without a usable credential
 *   it answers **403, not 401** (git-lfs#2658), so a client only succeeds when it sends the
 *   credential up front (http.extraHeader).
 * - downloads come from another host, the media host: each batch answer hands out hrefs
 *   `<media>/lfs/<key>/<oid>` where `<key>` is random, bound to one repository and a few oids,
 *   and expires (expires_in). No Authorization header is handed out, and the media host needs
 *   none: a Bitbucket credential sent there is a leak (tests check the media server's requests).
 * - upload is not emulated: 501 after the credential and write checks.
 */

import { createHash, randomBytes } from "node:crypto";

export const LFS_CONTENT_TYPE = "application/vnd.git-lfs+json";
/** How long a media href stays valid, in seconds. */
export const MEDIA_TTL_SECONDS = 600;

export const LFS_MESSAGES = {
  forbidden:
    "Access denied: authentication is required (credentials must be sent with the request).",
  missingScope: "Your credentials lack one or more required privilege scopes.",
  notFound: "Repository not found",
  noWrite: "You do not have write access to this repository.",
  badRequest: "Invalid batch request: expected {operation, objects: [{oid, size}]}.",
  uploadUnsupported: "Uploading LFS objects is not supported by the emulator.",
  objectMissing: "Object does not exist",
};

export interface LfsObject {
  oid: string;
  size: number;
  /** The pointer file git stores in place of the content. */
  pointer: string;
}

/** The LFS pointer for `content` (spec v1). */
export function lfsPointer(content: string | Buffer): LfsObject {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  const oid = createHash("sha256").update(bytes).digest("hex");
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${bytes.length}\n`;
  return { oid, size: bytes.length, pointer };
}

export interface BatchRequest {
  operation: "download" | "upload";
  objects: { oid: string; size: number }[];
}

export function parseBatch(text: string): BatchRequest | undefined {
  try {
    const body = JSON.parse(text);
    if (body?.operation !== "download" && body?.operation !== "upload") return undefined;
    if (!Array.isArray(body.objects)) return undefined;
    const objects = body.objects.filter(
      (o: unknown): o is { oid: string; size: number } =>
        typeof (o as { oid?: unknown })?.oid === "string" &&
        typeof (o as { size?: unknown })?.size === "number",
    );
    if (objects.length !== body.objects.length) return undefined;
    return { operation: body.operation, objects };
  } catch {
    return undefined;
  }
}

interface Grant {
  repo: string;
  oids: Set<string>;
  expires: number;
}

/** Short-lived download keys: what the media host accepts instead of a credential. */
export class MediaKeys {
  readonly #grants = new Map<string, Grant>();

  /** A new key for these objects of `repo`. */
  issue(repo: string, oids: Iterable<string>, ttlSeconds = MEDIA_TTL_SECONDS): string {
    const now = Date.now();
    for (const [key, grant] of this.#grants) if (grant.expires <= now) this.#grants.delete(key);
    const key = randomBytes(24).toString("base64url");
    this.#grants.set(key, { repo, oids: new Set(oids), expires: now + ttlSeconds * 1000 });
    return key;
  }

  /** The repository a (key, oid) pair may be served from, or undefined. */
  check(key: string, oid: string): string | undefined {
    const grant = this.#grants.get(key);
    if (!grant || grant.expires <= Date.now() || !grant.oids.has(oid)) return undefined;
    return grant.repo;
  }
}

/**
 * The batch answer for a download: an action per stored object (a signed media href, no header),
 * an error 404 for the others.
 */
export function downloadAnswer(
  request: BatchRequest,
  stored: ReadonlyMap<string, Buffer>,
  href: (oid: string) => string,
) {
  return {
    transfer: "basic",
    hash_algo: "sha256",
    objects: request.objects.map(({ oid, size }) => {
      const data = stored.get(oid);
      if (!data) {
        return { oid, size, error: { code: 404, message: LFS_MESSAGES.objectMissing } };
      }
      return {
        oid,
        size: data.length,
        authenticated: true,
        actions: { download: { href: href(oid), expires_in: MEDIA_TTL_SECONDS } },
      };
    }),
  };
}
