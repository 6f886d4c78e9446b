/**
 * The transport's name lookup (src/core/bitbucket/lookup.ts) against a DNS server on loopback
 * that reads every question and answers none: it gives up on its own time, asks once however
 * many connections wait, never starts a getaddrinfo it could not finish, and close() ends it.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { createLookup } from "../../src/core/bitbucket/lookup.ts";

let silent: Socket;
let server: string;
let questions = 0;

before(async () => {
  silent = createSocket("udp4");
  silent.on("message", () => questions++);
  await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
  server = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
after(() => silent.close());
beforeEach(() => {
  questions = 0;
});

const probe = () => ({ timeout: 150, tries: 1, servers: [server] });

function look(
  lookup: ReturnType<typeof createLookup>["lookup"],
  hostname: string,
  options: { all?: boolean; family?: number } = { all: true },
): Promise<unknown> {
  return new Promise((resolve, reject) =>
    lookup(hostname, options, (error, address) => (error ? reject(error) : resolve(address))),
  );
}

describe("name lookup with a DNS server that never answers", () => {
  test("gives up on its own time with ETIMEOUT, naming the host", async () => {
    const { lookup, close } = createLookup(probe());
    const started = performance.now();
    await assert.rejects(look(lookup, "api.bitbucket.test"), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, "ETIMEOUT");
      assert.match(error.message, /no DNS server answered for api\.bitbucket\.test/);
      return true;
    });
    assert.ok(performance.now() - started < 2_000);
    assert.equal(questions, 2, "one A and one AAAA question");
    close();
  });

  test("32 connections waiting for the same name ask once", async () => {
    const { lookup, close } = createLookup(probe());
    const all = Array.from({ length: 32 }, () =>
      look(lookup, "bitbucket.test").then(
        () => "resolved",
        (error: NodeJS.ErrnoException) => error.code,
      ),
    );
    assert.deepEqual(new Set(await Promise.all(all)), new Set(["ETIMEOUT"]));
    assert.equal(questions, 2);
    close();
  });

  test("a failure is not remembered: the next attempt asks again", async () => {
    const { lookup, close } = createLookup(probe());
    await assert.rejects(look(lookup, "bitbucket.test"));
    await assert.rejects(look(lookup, "bitbucket.test"));
    assert.equal(questions, 4);
    close();
  });

  test("an IPv4-only connection asks only for A records", async () => {
    const { lookup, close } = createLookup(probe());
    await assert.rejects(look(lookup, "bitbucket.test", { family: 4 }));
    assert.equal(questions, 1);
    close();
  });

  test("close() ends a lookup still waiting, at once", async () => {
    const { lookup, close } = createLookup({ timeout: 60_000, tries: 1, servers: [server] });
    const pending = look(lookup, "api.bitbucket.test");
    const started = performance.now();
    setTimeout(close, 50);
    await assert.rejects(pending, { code: "ECANCELLED" });
    assert.ok(performance.now() - started < 1_000);
  });

  test("localhost is the system's to answer: no DNS question", async () => {
    const { lookup, close } = createLookup(probe());
    const one = await look(lookup, "localhost", {});
    assert.match(String(one), /^(127\.0\.0\.1|::1)$/);
    const all = (await look(lookup, "localhost", { all: true })) as { address: string }[];
    assert.ok(all.length > 0);
    assert.equal(questions, 0);
    close();
  });
});
