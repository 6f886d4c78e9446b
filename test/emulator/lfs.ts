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
 * - upload (write:repository and write access) hands out `PUT <media>/lfs/<key>/<oid>` hrefs the
 *   same way; the media host keeps what it receives when its sha256 and size match.
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

export type Operation = "download" | "upload";

interface Grant {
  repo: string;
  operation: Operation;
  oids: Map<string, number>; // oid → size
  expires: number;
}

/** Short-lived download keys: what the media host accepts instead of a credential. */
export class MediaKeys {
  readonly #grants = new Map<string, Grant>();

  /** A new key for these objects of `repo`, for one operation. */
  issue(
    repo: string,
    operation: Operation,
    objects: Iterable<{ oid: string; size: number }>,
    ttlSeconds = MEDIA_TTL_SECONDS,
  ): string {
    const now = Date.now();
    for (const [key, grant] of this.#grants) if (grant.expires <= now) this.#grants.delete(key);
    const key = randomBytes(24).toString("base64url");
    const oids = new Map([...objects].map((o) => [o.oid, o.size]));
    this.#grants.set(key, { repo, operation, oids, expires: now + ttlSeconds * 1000 });
    return key;
  }

  /** The repository and announced size for (key, operation, oid), or undefined. */
  check(
    key: string,
    operation: Operation,
    oid: string,
  ): { repo: string; size: number } | undefined {
    const grant = this.#grants.get(key);
    const size = grant?.oids.get(oid);
    if (!grant || grant.operation !== operation || grant.expires <= Date.now()) return undefined;
    return size === undefined ? undefined : { repo: grant.repo, size };
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

/** The batch answer for an upload: an upload action for each object not stored yet. */
export function uploadAnswer(
  request: BatchRequest,
  stored: ReadonlyMap<string, Buffer>,
  href: (oid: string) => string,
) {
  return {
    transfer: "basic",
    hash_algo: "sha256",
    objects: request.objects.map(({ oid, size }) => {
      if (stored.has(oid)) return { oid, size, authenticated: true };
      if (!/^[0-9a-f]{64}$/.test(oid)) {
        return { oid, size, error: { code: 422, message: "Invalid object id" } };
      }
      const upload = { href: href(oid), expires_in: MEDIA_TTL_SECONDS };
      return { oid, size, authenticated: true, actions: { upload } };
    }),
  };
}

/** Whether `data` is the object `oid` of `size` bytes. */
export function matchesObject(data: Buffer, oid: string, size: number): boolean {
  return data.length === size && createHash("sha256").update(data).digest("hex") === oid;
}
