/**
 * An HTTPS world behind a corporate proxy, on loopback:
 *
 * - makeCertificates(): a test CA and a server certificate for the given names, with openssl
 *   (the step trusts the CA through NODE_EXTRA_CA_CERTS, git through GIT_SSL_CAINFO).
 * - startTlsFront(): an https server forwarding every request to an http origin (the emulator),
 *   counting the connections it accepts (open, peak, and each one's remote port).
 * - startTunnelProxy(): a forwarding proxy that opens CONNECT tunnels, resolving host names from
 *   its own table only (so a name like bitbucket.test exists for it and for nobody else), asking
 *   for Basic proxy credentials when given some, and recording every tunnel and the local port
 *   of each of its connections onward: a front's connection from one of those ports came
 *   through the proxy.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  isIP,
  type Server,
  type Socket,
} from "node:net";
import { join } from "node:path";

export interface Certificates {
  /** The CA's certificate (PEM): what the client is told to trust. */
  ca: string;
  key: string;
  cert: string;
}

export function makeCertificates(dir: string, names: string[], ips: string[] = []): Certificates {
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl([
    "req",
    "-x509",
    ...ecKey,
    "-days",
    "2",
    "-subj",
    "/CN=bitbucket-api-token-auth test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  ]);
  openssl([
    "req",
    ...ecKey,
    "-subj",
    `/CN=${names[0]}`,
    "-keyout",
    file("key.pem"),
    "-out",
    file("server.csr"),
  ]);
  const san = [...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(",");
  writeFileSync(
    file("server.ext"),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  openssl([
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-set_serial",
    "2",
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
    "-out",
    file("cert.pem"),
  ]);
  return { ca: file("ca.pem"), key: file("key.pem"), cert: file("cert.pem") };
}

export interface Counted {
  open: number;
  peak: number;
  /** The remote port of every connection accepted. */
  from: number[];
}

function count(server: Server, event: "connection" | "secureConnection"): Counted {
  const counted: Counted = { open: 0, peak: 0, from: [] };
  server.on(event, (socket: Socket) => {
    counted.peak = Math.max(counted.peak, ++counted.open);
    counted.from.push(socket.remotePort ?? 0);
    socket.on("close", () => counted.open--);
  });
  return counted;
}

export interface TlsFront {
  port: number;
  connections: Counted;
  close(): Promise<void>;
}

/**
 * An https server on 127.0.0.1 forwarding to `target` (http), path and headers untouched. With
 * a table of host name → http origin, each request goes where its Host header says (one server
 * answering for several names, as bitbucket.org and api.bitbucket.org); an unknown host gets 421.
 */
export async function startTlsFront(
  target: string | Record<string, string>,
  certs: Certificates,
  at: { port?: number } = {},
): Promise<TlsFront> {
  const originFor = (host = ""): string | undefined =>
    typeof target === "string"
      ? new URL(target).origin
      : (() => {
          const to = target[host.replace(/:\d+$/, "").toLowerCase()];
          return to && new URL(to).origin;
        })();
  const server = createHttpsServer(
    { key: readFileSync(certs.key), cert: readFileSync(certs.cert) },
    (req, res) => {
      const origin = originFor(req.headers.host);
      if (!origin) {
        res.writeHead(421, { "content-type": "text/plain" });
        return res.end("Misdirected request\n");
      }
      const upstream = httpRequest(
        `${origin}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    },
  );
  const connections = count(server, "connection");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(at.port ?? 0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () => closeServer(server),
  };
}

export interface TunnelProxy {
  /** http://127.0.0.1:port, without credentials. */
  url: string;
  /** Every CONNECT target asked for ("host:port"), in order, accepted or not. */
  tunnels: string[];
  /** What the proxy answered to each CONNECT. */
  statuses: number[];
  /** The local port of each connection the proxy opened onward. */
  onward: Set<number>;
  /** Connections from clients: open now, most at once. */
  connections: Counted;
  close(): Promise<void>;
}

/**
 * CONNECT only, read by hand: like a real proxy, it keeps the connection after a 407 and reads
 * the next CONNECT on it (curl, under git's default http.proxyAuthMethod=anyauth, first asks
 * without credentials and retries on the same connection).
 */
export async function startTunnelProxy(options: {
  /** Host name → address: the only names this proxy resolves. */
  hosts: Record<string, string>;
  /** "user:password" to require as Basic proxy credentials. */
  credentials?: string;
}): Promise<TunnelProxy> {
  const tunnels: string[] = [];
  const statuses: number[] = [];
  const onwardPorts = new Set<number>();
  const sockets = new Set<Socket>();
  const expected =
    options.credentials && `Basic ${Buffer.from(options.credentials).toString("base64")}`;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };

  const server = createNetServer((client) => {
    track(client);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [requestLine, ...headerLines] = buffered
        .subarray(0, end)
        .toString("latin1")
        .split("\r\n");
      const rest = buffered.subarray(end + 4);
      buffered = Buffer.alloc(0);
      const [method, target = ""] = requestLine.split(" ");
      const header = (name: string) =>
        headerLines
          .find((line) => line.toLowerCase().startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      const answer = (status: number, extra = "") => {
        statuses.push(status);
        client.write(
          `HTTP/1.1 ${status} ${status === 200 ? "Connection established" : "Refused"}\r\n${extra}\r\n`,
        );
      };
      if (method !== "CONNECT") {
        answer(405, "content-length: 0\r\nconnection: close\r\n");
        return client.end();
      }
      tunnels.push(target);
      if (expected && header("proxy-authorization") !== expected)
        return answer(407, 'proxy-authenticate: Basic realm="test proxy"\r\ncontent-length: 0\r\n');
      const colon = target.lastIndexOf(":");
      const name = target.slice(0, colon).replace(/^\[|\]$/g, "");
      const address = isIP(name) ? name : options.hosts[name.toLowerCase()];
      if (!address) return answer(502, "content-length: 0\r\n");
      client.off("data", onData);
      client.pause();
      const onward = connect({ host: address, port: Number(target.slice(colon + 1)) });
      track(onward);
      onward.on("connect", () => {
        onwardPorts.add(onward.localPort ?? 0);
        answer(200);
        if (rest.length > 0) onward.write(rest);
        onward.pipe(client);
        client.pipe(onward);
        client.resume();
      });
      onward.on("error", () => {
        if (!onwardPorts.has(onward.localPort ?? -1)) answer(502, "content-length: 0\r\n");
        client.destroy();
      });
      client.on("close", () => onward.destroy());
      onward.on("close", () => client.destroy());
    };
    client.on("data", onData);
  });
  const connections = count(server, "connection");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    statuses,
    onward: onwardPorts,
    connections,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
