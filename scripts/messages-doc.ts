/**
 * docs/messages.md has one entry per message of the catalogue (src/core/messages), grouped and
 * in catalogue order. Each entry's heading and quoted wording come from the catalogue (as the
 * action words them, with the entry's example values); the explanation under it is written by
 * hand and kept when the file is regenerated. `npm run docs` rewrites the file;
 * test/docs.test.ts fails when it is stale or an entry has no explanation.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Group, MessageDef } from "../src/core/messages/define.ts";
import { MESSAGES, type MessageId, type Problem, render } from "../src/core/messages/index.ts";
import { rendererFor } from "../src/core/render/renderer.ts";

export const GROUP_TITLES: Record<Group, string> = {
  inputs: "Inputs (checked before any request)",
  token: "The token",
  repositories: "Repositories and git's answers",
  bitbucket: "Bitbucket could not be asked, or something else answered",
  git: "Setting up git",
  command: "The command and the pipe",
  cleanup: "Cleanup",
  unexpected: "Unexpected errors",
};

export const TODO = "_(No explanation yet: write what it means and what to do.)_";

const HEAD = `# Messages

Every message the action, the command and the pipe can show, what it means and what to do. The
wording below is the action's, with example values. The command names its flags (\`--email\`)
and the variables it read (\`BITBUCKET_EMAIL\`, \`BITBUCKET_API_TOKEN\`), the pipe its variables
(\`the pipe variable REQUIRED_SCOPES\`); the rest of the text is the same. In the action each
problem is also an \`::error\` annotation titled \`Bitbucket token: <what it concerns>\`, and a
line of the job summary.

Text that came from a server (names, error details, header values) is shown with control
characters and escape sequences removed, and cut at 200 characters.

Generated from the message catalogue (\`src/core/messages/\`) by \`npm run docs\`, which keeps the
explanations; \`npm test\` checks that this file is up to date.
`;

/** The quoted wording of one message, as the action says it. */
export function quoted(id: MessageId): string {
  const def = MESSAGES[id] as MessageDef<unknown>;
  const p = { id, params: def.example } as Problem;
  const { text, fix } = render(p, rendererFor("action", "plain"));
  return fix ? `> ${text}\n>\n> → ${fix}` : `> ${text}`;
}

interface Parsed {
  intros: Map<string, string>;
  explanations: Map<string, string>;
  tail: string;
}

function parse(current: string): Parsed {
  const intros = new Map<string, string>();
  const explanations = new Map<string, string>();
  const tail: string[] = [];
  const titles = new Set(Object.values(GROUP_TITLES));
  let group: string | undefined;
  let entry: string | undefined;
  let body: string[] = [];
  let inTail = false;
  const flush = () => {
    const text = body.join("\n").trim();
    if (entry !== undefined) explanations.set(entry, text);
    else if (group !== undefined) intros.set(group, text);
    body = [];
  };
  for (const line of current.split("\n")) {
    const heading = /^## (.*)$/.exec(line);
    if (heading && !inTail) {
      flush();
      entry = undefined;
      if (titles.has(heading[1])) {
        group = heading[1];
        continue;
      }
      inTail = true;
    }
    if (inTail) {
      tail.push(line);
      continue;
    }
    const id = /^### `([a-z0-9-]+)`$/.exec(line);
    if (id) {
      flush();
      entry = id[1];
      continue;
    }
    // The generated quote is not part of the explanation.
    if (entry !== undefined && body.every((l) => l.trim() === "") && /^>/.test(line)) continue;
    body.push(line);
  }
  flush();
  return { intros, explanations, tail: tail.join("\n").trim() };
}

export function messagesDoc(current: string): string {
  const { intros, explanations, tail } = parse(current);
  const parts = [HEAD.trim()];
  const ids = Object.keys(MESSAGES) as MessageId[];
  for (const [group, title] of Object.entries(GROUP_TITLES) as [Group, string][]) {
    const members = ids.filter((id) => MESSAGES[id].group === group);
    if (members.length === 0) continue;
    parts.push(`## ${title}`);
    const intro = intros.get(title);
    if (intro) parts.push(intro);
    for (const id of members) parts.push(`### \`${id}\``, quoted(id), explanations.get(id) || TODO);
  }
  if (tail) parts.push(tail);
  return `${parts.join("\n\n").trim()}\n`;
}

export const MESSAGES_DOC = fileURLToPath(new URL("../docs/messages.md", import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let current = "";
  try {
    current = readFileSync(MESSAGES_DOC, "utf8");
  } catch {
    // a first run writes the file
  }
  writeFileSync(MESSAGES_DOC, messagesDoc(current));
  console.log(`wrote ${MESSAGES_DOC}`);
}
