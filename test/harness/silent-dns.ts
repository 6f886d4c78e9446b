/**
 * A machine whose DNS server never answers: run under `unshare --net --mount` (root), this brings
 * up loopback in the new network namespace, bind-mounts a resolv.conf naming 127.0.0.1 (with
 * glibc's longest timeouts: 30 s × 5 attempts) over /etc/resolv.conf in the new mount namespace,
 * listens on 127.0.0.1:53/udp reading every question and answering none, and runs the command
 * given with this process's stdio and environment. It exits as the command does, and writes the
 * number of DNS questions it swallowed to the file named first.
 *
 *   unshare --net --mount node silent-dns.ts <report-file> <command> [args…]
 */
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [report, command, ...args] = process.argv.slice(2);
execFileSync("ip", ["link", "set", "lo", "up"]);
const resolvConf = join(mkdtempSync(join(tmpdir(), "silent-dns-")), "resolv.conf");
writeFileSync(resolvConf, "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n");
execFileSync("mount", ["--bind", resolvConf, "/etc/resolv.conf"]);

let questions = 0;
const server = createSocket("udp4");
server.on("message", () => questions++);
await new Promise<void>((resolve) => server.bind(53, "127.0.0.1", resolve));

const child = spawn(command, args, { stdio: "inherit" });
child.on("close", (code, signal) => {
  writeFileSync(report, JSON.stringify({ questions }));
  server.close();
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
