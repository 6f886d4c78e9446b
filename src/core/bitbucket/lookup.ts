/**
 * Host names for the transport's connections, resolved so that a DNS server that never answers
 * cannot hold the run past its time budget.
 *
 * Node resolves names with getaddrinfo on libuv's thread pool, and a getaddrinfo call cannot be
 * cancelled: while one waits on a silent DNS server (resolv.conf's timeout × attempts, up to
 * minutes), even process.exit() waits for it, because Node joins the thread pool on its way out.
 * So the DNS servers are first asked directly (c-ares: on the event loop, with a time limit,
 * cancelled by close()); getaddrinfo runs only once they have answered at all, even "no such
 * name", and then it returns promptly. The address itself always comes from getaddrinfo, so
 * /etc/hosts, nsswitch and the system's address order apply as for any other tool.
 *
 * One lookup per name and family at a time, remembered for the run: 32 connections to the git
 * host cost one lookup, not 32 threads of a pool of 4.
 */
import dns, { type LookupAddress } from "node:dns";
import { readFile } from "node:fs/promises";
import type { LookupFunction } from "node:net";
import { join } from "node:path";

export interface Lookup {
  /** For net.connect / tls.connect (undici's `connect` and `proxyTls` options). */
  lookup: LookupFunction;
  /** Cancels the DNS questions still open. */
  close(): void;
}

/** c-ares doubles the per-try time: 2.5 s then 5 s, about the connect timeout in all. */
export const PROBE = { timeout: 2_500, tries: 2 };

type Family = 0 | 4 | 6;

export function createLookup(
  probe: { timeout: number; tries: number; servers?: string[] } = PROBE,
): Lookup {
  const resolver = new dns.promises.Resolver(probe);
  if (probe.servers) resolver.setServers(probe.servers);
  const answers = new Map<string, Promise<LookupAddress[]>>();

  function addresses(hostname: string, family: Family, hints: number): Promise<LookupAddress[]> {
    const key = `${hostname}/${family}/${hints}`;
    let answer = answers.get(key);
    if (!answer) {
      answer = resolve(resolver, hostname, family, hints);
      answers.set(key, answer);
      // A failure is not remembered: the client's next attempt asks again.
      answer.catch(() => answers.delete(key));
    }
    return answer;
  }

  const lookup = ((hostname, options, callback) => {
    const family = familyOf(options.family);
    addresses(hostname, family, options.hints ?? 0).then(
      (found) => {
        if (options.all) callback(null, found);
        else callback(null, found[0].address, found[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : "", 0),
    );
  }) as LookupFunction;

  return { lookup, close: () => resolver.cancel() };
}

async function resolve(
  resolver: dns.promises.Resolver,
  hostname: string,
  family: Family,
  hints: number,
): Promise<LookupAddress[]> {
  let ask = family;
  if (!/^localhost\.?$|\.localhost\.?$/i.test(hostname)) {
    const answered = await probe(resolver, hostname, family);
    if (answered === undefined) {
      // getaddrinfo reads /etc/hosts before DNS: a name listed there is still found at once.
      if (!(await inHostsFile(hostname))) throw silent(hostname);
    } else ask = answered;
  }
  const found = await dns.promises.lookup(hostname, { all: true, family: ask, hints });
  if (found.length === 0)
    throw Object.assign(new Error(`${hostname} not found`), { code: "ENOTFOUND" });
  return found;
}

/**
 * Which families' DNS questions get an answer (any answer, "no such name" included): both (0),
 * one of them, or none (undefined). getaddrinfo is then asked only for those, so a network that
 * drops AAAA questions does not make it wait.
 */
async function probe(
  resolver: dns.promises.Resolver,
  hostname: string,
  family: Family,
): Promise<Family | undefined> {
  const answers = (question: Promise<unknown>) =>
    question.then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ECANCELLED") throw error;
        return error.code !== "ETIMEOUT";
      },
    );
  const [v4, v6] = await Promise.all([
    family === 6 ? false : answers(resolver.resolve4(hostname)),
    family === 4 ? false : answers(resolver.resolve6(hostname)),
  ]);
  if (v4 && v6) return 0;
  if (v4) return 4;
  if (v6) return 6;
  return undefined;
}

async function inHostsFile(hostname: string): Promise<boolean> {
  const file =
    process.platform === "win32"
      ? join(process.env.SystemRoot ?? "C:\\Windows", "System32", "drivers", "etc", "hosts")
      : "/etc/hosts";
  const text = await readFile(file, "utf8").catch(() => "");
  const name = hostname.replace(/\.$/, "").toLowerCase();
  return text
    .split("\n")
    .some((line) =>
      line.replace(/#.*/, "").trim().toLowerCase().split(/\s+/).slice(1).includes(name),
    );
}

function silent(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no DNS server answered for ${hostname}`), {
    code: "ETIMEOUT",
    hostname,
  });
}

function familyOf(family: number | string | undefined): Family {
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return 0;
}
