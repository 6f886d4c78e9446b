/**
 * Runs a command with a DNS server of the test's own, in namespaces of its own (root only):
 *
 *   unshare --net --mount node own-dns.ts silent <report> <command> [args…]
 *     a new network namespace (loopback only) whose DNS server reads every question and answers
 *     none; resolv.conf asks for glibc's longest waits (30 s × 5 attempts).
 *   unshare --mount node own-dns.ts nxdomain <report> <command> [args…]
 *     the machine's network (the test's servers on loopback stay reachable), but every name is
 *     answered "no such name" at once: no question leaves loopback, and a name only a test proxy
 *     knows cannot be found by the command itself.
 *
 * The DNS server listens on 127.53.53.53:53/udp, named by a resolv.conf bind-mounted over
 * /etc/resolv.conf in the new mount namespace. The command gets this process's stdio and
 * environment; this process exits as it does, after writing {questions} to the report file.
 * Exit 77 when the server cannot listen (the test skips).
 */
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [mode, report, command, ...args] = process.argv.slice(2);
const ADDRESS = "127.53.53.53";
if (mode === "silent") execFileSync("ip", ["link", "set", "lo", "up"]);
const resolvConf = join(mkdtempSync(join(tmpdir(), "own-dns-")), "resolv.conf");
const options =
  mode === "silent" ? "options timeout:30 attempts:5" : "options timeout:1 attempts:1";
writeFileSync(resolvConf, `nameserver ${ADDRESS}\n${options}\n`);
execFileSync("mount", ["--bind", resolvConf, "/etc/resolv.conf"]);

let questions = 0;
const server = createSocket("udp4");
server.on("message", (query, from) => {
  questions++;
  if (mode === "nxdomain") server.send(noSuchName(query), from.port, from.address);
});
try {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.bind(53, ADDRESS, resolve);
  });
} catch (error) {
  process.stderr.write(`own-dns: cannot listen on ${ADDRESS}:53: ${error}\n`);
  process.exit(77);
}

const child = spawn(command, args, { stdio: "inherit" });
child.on("close", (code, signal) => {
  writeFileSync(report, JSON.stringify({ questions }));
  server.close();
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});

/** The query's header and question, flagged as an answer with RCODE 3 (NXDOMAIN). */
function noSuchName(query: Buffer): Buffer {
  let end = 12;
  while (end < query.length && query[end] !== 0) end += query[end] + 1;
  const answer = Buffer.from(query.subarray(0, end + 5));
  answer[2] = 0x80 | (query[2] & 0x79); // QR, the query's opcode and RD
  answer[3] = 0x80 | 3; // RA, NXDOMAIN
  answer.writeUInt16BE(1, 4); // one question
  answer.writeUInt32BE(0, 6); // no answers, no authority
  answer.writeUInt16BE(0, 10); // no additional records
  return answer;
}
