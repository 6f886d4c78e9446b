/**
 * Network rounds read from the emulator's request log: how many answers, one after another, the
 * run had to wait for. A request that arrived after another's answer was sent may have waited
 * for it (for its content, or for its connection); requests in flight together are one round.
 * With every answer delayed (setDelay), a client's start-up jitter cannot pass for a round.
 */
import type { RecordedRequest } from "./bitbucket.ts";

export function networkRounds(requests: readonly RecordedRequest[]): number {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  const depth: number[] = [];
  for (const [i, request] of sorted.entries()) {
    let before = 0;
    for (let j = 0; j < i; j++) {
      const done = sorted[j].done;
      if (done !== undefined && done <= request.at) before = Math.max(before, depth[j]);
    }
    depth.push(before + 1);
  }
  return Math.max(0, ...depth);
}
