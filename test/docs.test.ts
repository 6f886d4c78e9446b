/**
 * The README is part of the interface: these tests keep it in step with the code.
 *
 * - Its Inputs and Outputs tables list exactly action.yml's inputs and outputs, with the same
 *   defaults.
 * - Its Command reference names every flag and environment variable of `bitbucket-auth --help`
 *   and every exit code the command can return.
 * - Its Troubleshooting section has an entry for every message a user can see: the messages are
 *   collected from the sources (src/core, and the command's and the action's own messages), and
 *   each one's fixed words (its text without the `${…}` parts) must appear there. A new error
 *   without a troubleshooting entry fails here.
 * - The quick starts agree with pipe/pipe.yml (owner/repo, image) and pipe/README.md lists the
 *   pipe's variables exactly.
 *
 * DOCS_TEST_DEBUG=1 prints every collected message with the fragments looked for.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from "./harness/workflow-parser.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const README = read("README.md");

// ── Markdown ─────────────────────────────────────────────────────────────────────────────────

/** The text under a `## heading` (up to the next `## `), by the heading's first words. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`## ${heading}`));
  assert.ok(start >= 0, `README.md has no "## ${heading}" section`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith("## "));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n");
}

/** Rows of the first table after a `### heading` inside a section, or of the section's first table. */
function tableRows(text: string, subheading?: string): string[][] {
  let lines = text.split("\n");
  if (subheading !== undefined) {
    const at = lines.findIndex((line) => /^#{3,4} /.test(line) && line.includes(subheading));
    assert.ok(at >= 0, `no "### ${subheading}" heading`);
    lines = lines.slice(at + 1);
  }
  const first = lines.findIndex((line) => line.startsWith("|"));
  assert.ok(first >= 0, `no table${subheading ? ` under "${subheading}"` : ""}`);
  const table: string[] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith("|")) break;
    table.push(line);
  }
  // Header and the |---| line go; cells split on pipes that are not escaped.
  return table.slice(2).map((line) =>
    line
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, "|")),
  );
}

const unticked = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1];

// ── action.yml ⇄ Inputs / Outputs ───────────────────────────────────────────────────────────

interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, unknown>;
}
const action = parseYaml(read("action.yml")) as ActionYaml;

/** How the README writes a default: `value`, *(empty)*, or **required** (no default). */
function readmeDefault(cell: string): string | { required: true } {
  if (/^\*\*required\*\*$/.test(cell)) return { required: true };
  if (/^\*?\(empty\)\*?$/.test(cell)) return "";
  const value = unticked(cell);
  assert.ok(
    value !== undefined,
    `default cell "${cell}" is not \`value\`, *(empty)* or **required**`,
  );
  return value;
}

describe("README: inputs and outputs match action.yml", () => {
  it("the Inputs table lists exactly action.yml's inputs, in order, with their defaults", () => {
    const rows = tableRows(section(README, "Inputs"));
    const names = rows.map(([name]) => unticked(name) ?? name);
    assert.deepEqual(names, Object.keys(action.inputs));
    for (const [cell, defaultCell] of rows) {
      const name = unticked(cell) as string;
      const declared = action.inputs[name];
      const expected =
        declared.required === true && declared.default === undefined
          ? { required: true }
          : String(declared.default ?? "");
      assert.deepEqual(readmeDefault(defaultCell), expected, `default of ${name}`);
    }
  });

  it("every input row has a description", () => {
    for (const [name, , description] of tableRows(section(README, "Inputs")))
      assert.ok((description ?? "").length > 10, `${name} has no description`);
  });

  it("the Outputs table lists exactly action.yml's outputs, in order", () => {
    const rows = tableRows(section(README, "Outputs"));
    assert.deepEqual(
      rows.map(([name]) => unticked(name) ?? name),
      Object.keys(action.outputs),
    );
    for (const [name, description] of rows)
      assert.ok((description ?? "").length > 10, `${name} has no description`);
  });
});

// ── bitbucket-auth --help ⇄ Command reference ───────────────────────────────────────────────

const HELP = execFileSync(process.execPath, [join(ROOT, "dist/cli.js"), "--help"], {
  encoding: "utf8",
  env: { ...process.env, NO_COLOR: "1" },
});
const commandReference = () => section(README, "Command reference");

/** Whether the text names `--flag` in backticks (alone, with a value, or with `=`). */
const namesFlag = (text: string, flag: string) =>
  new RegExp(`\`${flag.replace(/-/g, "\\-")}[\\s\`=,]`).test(text);

/** The EXIT table, wherever in src/cli it lives: `EXIT = { ok: 0, … }`. */
function exitCodes(): Map<number, string> {
  const codes = new Map<number, string>();
  for (const file of sourceFiles("src/cli")) {
    const table = /\bEXIT\s*=\s*\{([^}]*)\}/.exec(readFileSync(file, "utf8"));
    if (!table) continue;
    for (const [, name, value] of table[1].matchAll(/(\w+)\s*:\s*(\d+)/g))
      codes.set(Number(value), name);
  }
  return codes;
}

describe("README: command reference matches bitbucket-auth", () => {
  it("names every flag of --help", () => {
    const flags = new Set(
      [...HELP.matchAll(/(?:^|[\s(,])(--?[a-z][a-z-]*)/gm)].map(([, flag]) => flag),
    );
    assert.ok(flags.size >= 12, `only ${[...flags].join(" ")} found in --help`);
    const missing = [...flags].filter((flag) => !namesFlag(commandReference(), flag));
    assert.deepEqual(missing, [], "flags of --help missing from the README's Command reference");
  });

  it("names every subcommand and every environment variable of --help", () => {
    for (const command of ["check", "setup", "cleanup"])
      assert.ok(commandReference().includes(`\`${command}\``), command);
    const environment = HELP.slice(HELP.indexOf("Environment:"));
    const variables = new Set(
      [...environment.matchAll(/\b(BITBUCKET_[A-Z_]+|NO_COLOR)\b/g)].map(([, name]) => name),
    );
    assert.ok(variables.has("BITBUCKET_API_TOKEN"));
    for (const name of variables)
      assert.match(
        commandReference(),
        new RegExp(`\`\\$?${name}\``),
        `${name} is not in the README`,
      );
  });

  it("documents exactly the exit codes the command returns", () => {
    const codes = exitCodes();
    assert.ok(codes.size >= 5, "the EXIT table was not found in src/cli");
    const documented = tableRows(commandReference(), "Exit codes").map(([code]) =>
      Number(unticked(code) ?? Number.NaN),
    );
    assert.deepEqual(
      documented.sort((a, b) => a - b),
      [...codes.keys()].sort((a, b) => a - b),
    );
    // --help lists them too, so a terminal user sees the same list.
    const helpCodes = HELP.slice(HELP.indexOf("Exit codes:"));
    for (const code of codes.keys()) assert.match(helpCodes, new RegExp(`\\b${code} `));
  });
});

// ── Troubleshooting coverage ────────────────────────────────────────────────────────────────

/** A message as written in the source: fixed text, `${…}` holes, and `a ? "x" : "y"` choices. */
type Part = { text: string } | { hole: string } | { choice: Part[][] };

interface Literal {
  parts: Part[];
  end: number;
}

const QUOTES = new Set(['"', "'", "`"]);
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r" };

/** A "…" or '…' string (no holes) starting at src[i]. */
function readQuoted(src: string, i: number): Literal {
  const quote = src[i];
  let text = "";
  let j = i + 1;
  while (j < src.length && src[j] !== quote) {
    if (src[j] === "\\") {
      text += ESCAPES[src[j + 1]] ?? src[j + 1];
      j += 2;
    } else text += src[j++];
  }
  return { parts: [{ text }], end: j + 1 };
}

/** A template literal whose opening backtick is at src[i - 1]. */
function readTemplate(src: string, i: number): Literal {
  const parts: Part[] = [];
  let text = "";
  let j = i;
  while (j < src.length) {
    const c = src[j];
    if (c === "\\") {
      text += ESCAPES[src[j + 1]] ?? src[j + 1];
      j += 2;
    } else if (c === "`") {
      if (text) parts.push({ text });
      return { parts, end: j + 1 };
    } else if (c === "$" && src[j + 1] === "{") {
      if (text) parts.push({ text });
      text = "";
      const expression = readExpression(src, j + 2, "}");
      parts.push(expressionPart(expression.text));
      j = expression.end + 1;
    } else {
      text += c;
      j++;
    }
  }
  throw new Error(`unterminated template literal at ${i}`);
}

/**
 * An expression up to the first of `stops` at depth 0 (not inside brackets, strings, templates
 * or regular expressions). `end` is the index of that stop character.
 */
function readExpression(src: string, i: number, stops: string): { text: string; end: number } {
  let depth = 0;
  let j = i;
  let previous = "(";
  while (j < src.length) {
    const c = src[j];
    if (depth === 0 && stops.includes(c)) return { text: src.slice(i, j), end: j };
    if (c === '"' || c === "'") j = readQuoted(src, j).end;
    else if (c === "`") j = readTemplate(src, j + 1).end;
    else if (c === "/" && src[j + 1] === "/") j = src.indexOf("\n", j);
    else if (c === "/" && src[j + 1] === "*") j = src.indexOf("*/", j) + 2;
    else if (c === "/" && "(,=:[!&|?{};+".includes(previous)) {
      // A regular expression literal: skip to its closing slash (outside a character class).
      let inClass = false;
      j++;
      while (j < src.length && (src[j] !== "/" || inClass)) {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        j++;
      }
      j++;
    } else {
      if ("([{".includes(c)) depth++;
      if (")]}".includes(c)) depth--;
      j++;
    }
    if (!/\s/.test(c)) previous = c;
  }
  throw new Error(`unterminated expression at ${i}`);
}

/** The index of a top-level `?` (ternary, not `?.` or `??`) or `:` in an expression. */
function topLevel(expression: string, wanted: "?" | ":"): number {
  let depth = 0;
  for (let j = 0; j < expression.length; j++) {
    const c = expression[j];
    if (QUOTES.has(c)) {
      j = (c === "`" ? readTemplate(expression, j + 1) : readQuoted(expression, j)).end - 1;
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && c === wanted) {
      if (wanted === "?" && (expression[j + 1] === "?" || expression[j + 1] === ".")) {
        j++;
        continue;
      }
      return j;
    }
  }
  return -1;
}

/** `${a ? "x" : "y"}` (branches literals or further choices) becomes a choice; else a hole. */
function expressionPart(expression: string): Part {
  const asParts = (branch: string): Part[] | undefined => {
    const trimmed = branch.trim();
    if (QUOTES.has(trimmed[0])) {
      const literal = trimmed[0] === "`" ? readTemplate(trimmed, 1) : readQuoted(trimmed, 0);
      return literal.end === trimmed.length ? literal.parts : undefined;
    }
    const inner = expressionPart(trimmed);
    return "choice" in inner ? [inner] : undefined;
  };
  const question = topLevel(expression, "?");
  if (question >= 0) {
    const rest = expression.slice(question + 1);
    const colon = topLevel(rest, ":");
    if (colon >= 0) {
      const yes = asParts(rest.slice(0, colon));
      const no = asParts(rest.slice(colon + 1));
      if (yes && no) return { choice: [yes, no] };
    }
  }
  return { hole: expression.trim() };
}

/** A literal (or literals joined with +) starting at src[i], after whitespace; else undefined. */
function readValue(src: string, i: number): Literal | undefined {
  let j = i;
  while (/\s/.test(src[j])) j++;
  if (!QUOTES.has(src[j])) return undefined;
  const first = src[j] === "`" ? readTemplate(src, j + 1) : readQuoted(src, j);
  const plus = /^\s*\+\s*/.exec(src.slice(first.end));
  if (plus) {
    const next = readValue(src, first.end + plus[0].length);
    if (next) return { parts: [...first.parts, ...next.parts], end: next.end };
  }
  return first;
}

/** The source of a message, for failure output: the literal as written. */
function sourceText(parts: Part[]): string {
  return parts
    .map((part) => {
      if ("text" in part) return part.text;
      if ("hole" in part) return `\${${part.hole}}`;
      return `\${${part.choice.map((alt) => JSON.stringify(sourceText(alt))).join(" | ")}}`;
    })
    .join("");
}

/** Every way the message can read: each is its fixed segments, split at holes. */
function variants(parts: Part[]): string[][] {
  let out: string[][] = [[""]];
  for (const part of parts) {
    if ("text" in part) out = out.map((v) => [...v.slice(0, -1), v[v.length - 1] + part.text]);
    else if ("hole" in part) out = out.map((v) => [...v, ""]);
    else
      out = out.flatMap((v) =>
        part.choice.flatMap((alternative) =>
          variants(alternative).map(([head, ...tail]) => [
            ...v.slice(0, -1),
            v[v.length - 1] + head,
            ...tail,
          ]),
        ),
      );
  }
  return out;
}

/** Words only: case, punctuation, backticks and markdown do not matter when searching. */
const canonical = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

const FRAGMENT_WORDS = 6;

/**
 * What the README must contain for one reading of a message: the first words of every fixed
 * segment of two words or more. Empty when the message is only holes (it forwards another
 * message, which is checked on its own).
 */
function fragmentsOf(segments: string[]): string[] {
  const words = segments.map((s) => canonical(s).split(" ").filter(Boolean));
  return words.filter((w) => w.length >= 2).map((w) => w.slice(0, FRAGMENT_WORDS).join(" "));
}

interface Message {
  where: string;
  source: string;
  parts: Part[];
}

function sourceFiles(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => join(ROOT, dir, f));
}

function lineOf(src: string, index: number): number {
  return src.slice(0, index).split("\n").length;
}

/**
 * Finds `anchor` (a regular expression whose match ends where the argument list starts, or at
 * the literal itself) and reads argument number `argument` (0-based) as a literal.
 */
function collect(
  file: string,
  src: string,
  anchor: RegExp,
  argument: number,
  out: Message[],
  nonLiteral: string[],
): void {
  for (const match of src.matchAll(anchor)) {
    let at = (match.index ?? 0) + match[0].length;
    for (let skip = 0; skip < argument; skip++) {
      const arg = readExpression(src, at, ",)");
      if (src[arg.end] !== ",") break;
      at = arg.end + 1;
    }
    const where = `${relative(ROOT, file)}:${lineOf(src, match.index ?? 0)}`;
    const literal = readValue(src, at);
    if (!literal) {
      const value = readExpression(src, at, ",)};\n").text.trim();
      // A type annotation (`message: string`) or a message forwarded from elsewhere.
      if (value !== "string" && !/^[\w.]+$/.test(value)) nonLiteral.push(`${where}: ${value}`);
      continue;
    }
    out.push({ where, source: sourceText(literal.parts), parts: literal.parts });
  }
}

/** Names of functions called as `name(subject, message, fix)` (settings.ts's `bad`). */
function complainers(src: string): string[] {
  const names = new Set<string>();
  const signature = String.raw`\(\s*subject\s*:\s*string\s*,\s*message\s*:\s*string`;
  for (const [, name] of src.matchAll(
    new RegExp(String.raw`\b(?:const|let)\s+(\w+)\s*=\s*${signature}`, "g"),
  ))
    names.add(name);
  for (const [, type] of src.matchAll(
    new RegExp(String.raw`\btype\s+(\w+)\s*=\s*${signature}`, "g"),
  ))
    for (const [, name] of src.matchAll(new RegExp(String.raw`\b(\w+)\s*:\s*${type}\b`, "g")))
      names.add(name);
  return [...names];
}

interface Collected {
  messages: Message[];
  nonLiteral: string[];
}

/** Every message src/core can raise: problems, unreachable verdicts, errors, warnings. */
function coreMessages(): Collected {
  const messages: Message[] = [];
  const nonLiteral: string[] = [];
  for (const file of sourceFiles("src/core")) {
    const src = readFileSync(file, "utf8");
    collect(file, src, /\bmessage:/g, 0, messages, nonLiteral);
    for (const name of complainers(src))
      collect(file, src, new RegExp(`\\b${name}\\(`, "g"), 1, messages, nonLiteral);
    collect(file, src, /\bnew UnreachableError\(/g, 1, messages, nonLiteral);
    collect(file, src, /\bthrow new Error\(/g, 0, messages, nonLiteral);
    collect(file, src, /\bwarnings\.push\(/g, 0, messages, nonLiteral);
    // super(…) may forward a computed text; only literals are messages of their own.
    collect(file, src, /\bsuper\(/g, 0, messages, []);
    // Reasons completed into a message elsewhere ("The input `expires-at` (…) is not …").
    collect(file, src, /(?=["'`]is not )/g, 0, messages, nonLiteral);
    // Network failures named in "last: …".
    const table = /\bNETWORK_ERRORS\b[^=]*=\s*\{([^}]*)\}/.exec(src);
    if (table) {
      const offset = (table.index ?? 0) + table[0].indexOf("{");
      // Blank out everything before the table (keeping line numbers) so only its values match.
      const only = src.slice(0, offset).replace(/[^\n]/g, " ") + table[1];
      collect(file, only, /:\s*(?=")/g, 0, messages, nonLiteral);
    }
  }
  return { messages, nonLiteral };
}

/** What the command and the action's steps print themselves (src/cli, src/github). */
function frontEndMessages(): Collected {
  const messages: Message[] = [];
  const nonLiteral: string[] = [];
  for (const file of sourceFiles("src/cli")) {
    const src = readFileSync(file, "utf8");
    collect(file, src, /(?=["'`][✘⚠] )/g, 0, messages, nonLiteral);
    collect(file, src, /\bnew UsageError\(/g, 0, messages, nonLiteral);
    collect(file, src, /(?=`bitbucket-auth: )/g, 0, messages, nonLiteral);
  }
  for (const file of sourceFiles("src/github")) {
    const src = readFileSync(file, "utf8");
    collect(file, src, /\bcore\.(?:warning|error)\(/g, 0, messages, []);
    // The post step's every line is about cleanup: all of them are worth an entry.
    if (file.endsWith("post.ts")) collect(file, src, /\bcore\.info\(/g, 0, messages, nonLiteral);
  }
  return { messages, nonLiteral };
}

/**
 * Messages whose fixed words are not distinctive on their own, and why that is fine. Keyed by
 * the message's source text; an entry that no longer matches a message fails the test.
 */
const ALLOWED: Record<string, string> = {
  "Bitbucket (${host}) ${error.message}.":
    "wraps BodyTooLargeError's text (transport.ts), which is collected and checked on its own",
};

/**
 * Fragments that several messages have in common on purpose: the same failure, printed by each
 * front end. One troubleshooting entry serves them all.
 */
const SHARED: Record<string, string> = {
  "unexpected error": "the action (main step, twice) and the command say it the same way",
  "could not remove the git credentials": "the post step (a warning) and `cleanup` (exit 4)",
};

let troubleshooting: string | undefined;
const contains = (fragment: string) => {
  troubleshooting ??= ` ${canonical(section(README, "Troubleshooting"))} `;
  return troubleshooting.includes(` ${fragment} `);
};

function uncovered(messages: Message[]): string[] {
  const problems: string[] = [];
  for (const message of messages) {
    if (message.source in ALLOWED) continue;
    const readings = variants(message.parts).map(fragmentsOf);
    if (readings.every((fragments) => fragments.length === 0)) {
      // No two fixed words in a row: only holes (it forwards a message checked on its own,
      // e.g. `✘ ${p.message}`), or a lone word that says nothing (allow-list such a wrapper).
      const words = canonical(
        message.parts.map((p) => ("text" in p ? ` ${p.text} ` : " ")).join(""),
      );
      if (words !== "")
        problems.push(
          `${message.where}: ${JSON.stringify(message.source)} has no distinctive words; allow-list it if it forwards another message`,
        );
      continue;
    }
    for (const fragments of readings) {
      const missing = fragments.filter((fragment) => !contains(fragment));
      if (missing.length > 0)
        problems.push(
          `${message.where}: ${JSON.stringify(message.source)} — not in Troubleshooting: ${missing.map((m) => `"${m}"`).join(", ")}`,
        );
    }
  }
  return [...new Set(problems)];
}

function debugPrint(title: string, messages: Message[]): void {
  if (!process.env.DOCS_TEST_DEBUG) return;
  console.log(`\n${title}: ${messages.length}`);
  for (const m of messages) {
    const readings = [...new Set(variants(m.parts).map((v) => fragmentsOf(v).join(" | ")))];
    console.log(`  ${m.where}  ${m.source}\n      → ${readings.join("\n      → ")}`);
  }
}

describe("README: every message has a troubleshooting entry", () => {
  const core = coreMessages();
  const frontEnds = frontEndMessages();
  debugPrint("src/core", core.messages);
  debugPrint("src/cli + src/github", frontEnds.messages);

  it("collects the messages of src/core (the extraction still works)", () => {
    assert.ok(core.messages.length >= 40, `only ${core.messages.length} messages found`);
    const sources = core.messages.map((m) => m.source).join("\n");
    // One known message per way of raising one, so a refactor that hides them fails here.
    for (const known of [
      "is a Bitbucket app password", // message: in checks.ts
      "contains whitespace inside the token", // bad(…) in settings.ts
      "did not say which scopes the token holds", // new UnreachableError in checks.ts
      "asked for proxy authentication (407)", // new UnreachableError in bitbucket.ts
      "the credential file must live outside it", // throw new Error in git-credentials.ts
      "more than Bitbucket ever sends here", // super(…) in transport.ts
      "is not a real calendar date", // a reason in expiry.ts
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a message's source text
      "in ${expiry.daysLeft} day(s)", // warnings.push in checks.ts
      "the connection was refused", // NETWORK_ERRORS in bitbucket.ts
    ])
      assert.ok(sources.includes(known), `"${known}" was not collected`);
    // Choices are read as alternatives, so both readings need an entry.
    const scopes = core.messages.find((m) => m.source.includes("`required-scopes` names"));
    assert.ok(scopes);
    const readings = variants(scopes.parts).map((v) => v.join("…"));
    assert.ok(readings.some((r) => r.includes("names an unknown scope")));
    assert.ok(readings.some((r) => r.includes("names unknown scopes")));
  });

  it("every user-facing message in src/core is a literal the test can read", () => {
    assert.deepEqual(core.nonLiteral, []);
  });

  it("every message of src/core has an entry in Troubleshooting", () => {
    assert.deepEqual(uncovered(core.messages), []);
  });

  it("every error and warning of the command, the pipe and the post step has an entry", () => {
    assert.ok(frontEnds.messages.length >= 10, `only ${frontEnds.messages.length} found`);
    assert.deepEqual(frontEnds.nonLiteral, []);
    assert.deepEqual(uncovered(frontEnds.messages), []);
  });

  it("every message can be told apart by its words, except the ones shared on purpose", () => {
    const byFragments = new Map<string, string[]>();
    for (const m of [...core.messages, ...frontEnds.messages]) {
      const fragments = [...new Set(variants(m.parts).flatMap(fragmentsOf))].sort();
      if (fragments.length === 0) continue;
      const key = fragments.join(" | ");
      byFragments.set(key, [...(byFragments.get(key) ?? []), m.where]);
    }
    const shared = [...byFragments].filter(([, where]) => where.length > 1);
    assert.deepEqual(
      shared.map(([key]) => key).filter((key) => !(key in SHARED)),
      [],
      `messages with the same words: ${JSON.stringify(shared)}`,
    );
  });

  it("the allow-lists only name messages that exist", () => {
    const sources = new Set([...core.messages, ...frontEnds.messages].map((m) => m.source));
    for (const source of Object.keys(ALLOWED)) assert.ok(sources.has(source), source);
    const fragments = new Set(
      [...core.messages, ...frontEnds.messages].flatMap((m) =>
        variants(m.parts).flatMap(fragmentsOf),
      ),
    );
    for (const fragment of Object.keys(SHARED)) assert.ok(fragments.has(fragment), fragment);
  });

  it("the fragment matcher is not vacuous", () => {
    const made: Message = {
      where: "test",
      source: "A brand new failure nobody has documented yet",
      parts: [{ text: "A brand new failure nobody has documented yet" }],
    };
    assert.equal(uncovered([made]).length, 1);
  });
});

// ── Consistency with the pipe and the examples ─────────────────────────────────────────────

interface PipeYaml {
  image: string;
  repository: string;
  variables: { name: string; default?: string; required?: boolean }[];
}
const pipe = parseYaml(read("pipe/pipe.yml")) as PipeYaml;

describe("README: agrees with the pipe and the examples", () => {
  const ownerRepo = new URL(pipe.repository).pathname.replace(/^\/|\.git$|\/$/g, "");

  it("the GitHub quick start uses the action from the repository pipe.yml names, at @v1", () => {
    const uses = [...README.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@(\S+)/g)].filter(
      ([, name]) => !name.startsWith("actions/"),
    );
    assert.ok(uses.length > 0, "no `uses: owner/repo@v1` in the README");
    for (const [line, name, ref] of uses) {
      assert.equal(name, ownerRepo, line);
      assert.equal(ref, "v1", line);
    }
  });

  it("the README and pipe/README.md use the pipe image pipe.yml names", () => {
    for (const [file, text] of [
      ["README.md", README],
      ["pipe/README.md", read("pipe/README.md")],
      ["examples/bitbucket-pipelines.yml", read("examples/bitbucket-pipelines.yml")],
    ]) {
      const images = [...text.matchAll(/pipe:\s*docker:\/\/(\S+)/g)].map(([, image]) => image);
      assert.ok(images.length > 0, `${file} shows no pipe`);
      for (const image of images) assert.equal(image, pipe.image, file);
    }
  });

  it("pipe/README.md's Variables table names exactly pipe.yml's variables", () => {
    const rows = tableRows(section(read("pipe/README.md"), "Variables"));
    const named = rows.flatMap(([cell]) => [...cell.matchAll(/`([A-Z_]+)`/g)].map(([, n]) => n));
    assert.deepEqual(named.sort(), pipe.variables.map((v) => v.name).sort());
    for (const variable of pipe.variables.filter((v) => v.required)) {
      const row = rows.find(([cell]) => cell.includes(`\`${variable.name}\``));
      assert.ok(row?.[0].includes("(*)"), `${variable.name} is required: mark it (*)`);
    }
  });

  it("the README's pipe section names every pipe variable", () => {
    const pipeSection = section(README, "Quick start: Bitbucket Pipelines");
    for (const variable of pipe.variables)
      assert.ok(pipeSection.includes(variable.name), `${variable.name} is not in the README`);
  });
});

// ── The README's examples run as written ───────────────────────────────────────────────────

const yamlBlocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map(([, body]) => body);

interface PipelinesYaml {
  pipelines: { default: { step: { script?: unknown[]; "after-script"?: unknown[] } }[] };
}

describe("README: the quick-start examples", () => {
  const workflow = yamlBlocks.find((block) => /^jobs:/m.test(block));
  const pipelines = yamlBlocks.find((block) => /^pipelines:/m.test(block));

  it("the GitHub workflow validates with @actions/workflow-parser", async () => {
    assert.ok(workflow, "no workflow in the README");
    const parsed = parseWorkflow(
      { name: "readme.yml", content: workflow },
      new NoOperationTraceWriter(),
    );
    assert.deepEqual(
      parsed.context.errors.getErrors().map((e) => e.message),
      [],
    );
    assert.ok(parsed.value);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    assert.deepEqual(template.errors ?? [], []);
  });

  it("the GitHub workflow passes only declared inputs, from the documented secrets", () => {
    assert.ok(workflow);
    const doc = parseYaml(workflow) as {
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const steps = Object.values(doc.jobs).flatMap((job) => job.steps);
    const ours = steps.filter(
      (step) => step.uses?.endsWith("@v1") && !step.uses.startsWith("actions/"),
    );
    assert.equal(ours.length, 1);
    const given = ours[0].with ?? {};
    for (const name of Object.keys(given))
      assert.ok(name in action.inputs, `unknown input ${name}`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
    assert.equal(given["api-token"], "${{ secrets.BITBUCKET_API_TOKEN }}");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
    assert.equal(given.email, "${{ secrets.BITBUCKET_EMAIL }}");
    assert.ok(
      steps.some((step) =>
        /git clone (?:--\S+ )*https:\/\/bitbucket\.org\//.test(
          String((step as { run?: string }).run),
        ),
      ),
      "no plain git clone of a Bitbucket repository after the step",
    );
  });

  it("the Pipelines example is examples/bitbucket-pipelines.yml's steps, command for command", () => {
    assert.ok(pipelines, "no bitbucket-pipelines.yml in the README");
    const commands = (doc: PipelinesYaml) =>
      doc.pipelines.default.map(({ step }) => ({
        script: (step.script ?? []).map((line) => JSON.stringify(line)),
        after: (step["after-script"] ?? []).map((line) => JSON.stringify(line)),
      }));
    const shown = parseYaml(pipelines) as PipelinesYaml;
    const example = parseYaml(read("examples/bitbucket-pipelines.yml")) as PipelinesYaml;
    assert.deepEqual(commands(shown), commands(example));
    const all = JSON.stringify(commands(shown));
    assert.match(all, /bitbucket-auth setup/);
    assert.match(all, /bitbucket-auth cleanup/);
  });
});
