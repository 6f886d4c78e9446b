/**
 * The client's bound on requests in flight: at most CONNECTIONS_PER_HOST attempts per host at
 * once (the transport keeps as many connections), the rest waiting before their time starts, so
 * hundreds of advertisements to a slow host never time out queueing behind each other.
 * A transport whose answers the test releases by hand, and a clock the test moves.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ATTEMPT_TIMEOUT_MS,
  BitbucketClient,
  type Clock,
  CONNECTIONS_PER_HOST,
} from "../../src/core/bitbucket/client.ts";
import type { SendOptions, Transport } from "../../src/core/bitbucket/transport.ts";
import { rawInputs } from "../../src/core/inputs/names.ts";
import { parseSettings } from "../../src/core/inputs/settings.ts";
import { apiToken, EMAIL, NOW } from "./fixtures.ts";

interface Held {
  url: string;
  options: SendOptions;
  /** The clock's time when the attempt's timer was made. */
  startedAt: number;
  answer(): void;
}

function world() {
  let now = 0;
  let lastTimer = 0;
  const held: Held[] = [];
  let inFlight = { api: 0, git: 0 };
  const peak = { api: 0, git: 0 };
  const clock: Clock = {
    now: () => now,
    sleep: async () => {},
    timeout: () => {
      lastTimer = now;
      return new AbortController().signal;
    },
    random: () => 0.5,
  };
  const transport: Transport = {
    send(url, options) {
      const host = url.includes("/2.0/") ? "api" : "git";
      inFlight = { ...inFlight, [host]: inFlight[host] + 1 };
      peak[host] = Math.max(peak[host], inFlight[host]);
      return new Promise((resolve, reject) => {
        options.signal.addEventListener("abort", () => reject(new Error("aborted")));
        held.push({
          url,
          options,
          startedAt: lastTimer,
          answer: () => {
            inFlight = { ...inFlight, [host]: inFlight[host] - 1 };
            resolve({ status: 200, headers: {}, body: Buffer.from("{}") });
          },
        });
      });
    },
    close: async () => {},
  };
  const parsed = parseSettings(
    rawInputs(
      { email: EMAIL, "api-token": apiToken(), repositories: "acme/app", "timeout-seconds": "30" },
      () => ({ kind: "input" }),
    ),
    NOW,
  );
  if (parsed.problems) assert.fail(JSON.stringify(parsed.problems));
  const client = new BitbucketClient(parsed.settings, { transport, clock });
  const repository = parsed.settings.repositories[0];
  return {
    client,
    repository,
    held,
    peak,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Lets every promise that can move, move. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("requests in flight per host", () => {
  it(`at most ${CONNECTIONS_PER_HOST} to one host; the others wait, then all are answered`, async () => {
    const w = world();
    const git = Array.from({ length: 100 }, () => w.client.git(w.repository, "git-upload-pack"));
    const rest = Array.from({ length: 5 }, () => w.client.rest("/user"));
    await settle();
    assert.equal(w.held.length, CONNECTIONS_PER_HOST + 5, "32 to the git host, all 5 to the API");
    while (w.held.length > 0) {
      const pending = w.held.splice(0);
      for (const h of pending) h.answer();
      await settle();
    }
    await Promise.all([...git, ...rest]);
    assert.deepEqual(w.peak, { api: 5, git: CONNECTIONS_PER_HOST });
    assert.deepEqual(w.client.sent, { rest: 5, git: 100 });
  });

  it("an attempt's time starts when it is sent, not while it waits", async () => {
    const w = world();
    const all = Array.from({ length: 40 }, () => w.client.git(w.repository, "git-upload-pack"));
    await settle();
    const first = w.held.splice(0);
    assert.equal(first.length, CONNECTIONS_PER_HOST);
    assert.ok(first.every((h) => h.options.timeoutMs === ATTEMPT_TIMEOUT_MS));
    w.advance(20_000); // the host is slow: 20 s of the 30 s budget pass
    for (const h of first) h.answer();
    await settle();
    assert.equal(w.held.length, 8);
    for (const h of w.held) {
      assert.equal(h.startedAt, 20_000, "the timer starts once the attempt is sent");
      assert.equal(h.options.timeoutMs, 10_000, "and gets what is left of the budget");
      h.answer();
    }
    await Promise.all(all);
  });

  it("close() ends the waiting attempts too; nothing more is sent", async () => {
    const w = world();
    const all = Array.from({ length: 40 }, () =>
      w.client.git(w.repository, "git-upload-pack").then(
        () => "answered",
        () => "stopped",
      ),
    );
    await settle();
    await w.client.close();
    assert.deepEqual(new Set(await Promise.all(all)), new Set(["stopped"]));
    assert.equal(w.held.length, CONNECTIONS_PER_HOST, "the 8 waiting were never sent");
  });
});
