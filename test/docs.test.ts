/**
 * The README is part of the interface: these tests keep it in step with the code.
 *
 * - Its Inputs and Outputs tables list exactly action.yml's inputs and outputs, with the same
 *   defaults.
 * - Its Command reference names every flag and environment variable of `bitbucket-auth --help`
 *   and every exit code the command can return.
 * - docs/messages.md has one entry per message of the catalogue (src/core/messages), generated
 *   by `npm run docs` and explained by hand: a new message without an explanation fails here.
 * - The quick starts agree with pipe/pipe.yml (owner/repo, image) and pipe/README.md lists the
 *   pipe's variables exactly.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { messagesDoc, quoted, TODO } from "../scripts/messages-doc.ts";
import { MESSAGES, type MessageId, type Problem, render } from "../src/core/messages/index.ts";
import { EXIT_CODES } from "../src/core/outcome.ts";
import { rendererFor } from "../src/core/render/renderer.ts";
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

/** Every exit code the command can return, from the one table that decides them. */
function exitCodes(): Map<number, string> {
  return new Map(Object.entries(EXIT_CODES).map(([verdict, code]) => [code, verdict]));
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
    assert.equal(codes.size, 5);
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

// ── The message catalogue ⇄ docs/messages.md ────────────────────────────────────────────────

describe("docs/messages.md: one entry per message of the catalogue", () => {
  const doc = read("docs/messages.md");
  const ids = Object.keys(MESSAGES) as MessageId[];

  it("is what `npm run docs` generates from the catalogue (run it after changing a message)", () => {
    assert.equal(doc, messagesDoc(doc));
  });

  it("has exactly one entry per message id, each with its quoted wording", () => {
    const headings = [...doc.matchAll(/^### `([a-z0-9-]+)`$/gm)].map(([, id]) => id);
    assert.deepEqual(headings, ids);
    for (const id of ids) assert.ok(doc.includes(`### \`${id}\`\n\n${quoted(id)}\n`), id);
  });

  it("explains every entry (no placeholder left)", () => {
    const unexplained = ids.filter((id) => {
      const entry = doc.slice(doc.indexOf(`### \`${id}\``)).split(/\n### |\n## /)[0];
      return entry.includes(TODO);
    });
    assert.deepEqual(unexplained, []);
  });

  it("every message renders in every front end and medium, and no two read the same", () => {
    const seen = new Map<string, string>();
    for (const id of ids) {
      const p = { id, params: MESSAGES[id].example } as Problem;
      for (const frontEnd of ["action", "command", "pipe"] as const)
        for (const medium of ["markdown", "plain"] as const) {
          const { text } = render(p, rendererFor(frontEnd, medium));
          assert.ok(text.length > 10 && !/undefined|\[object /.test(text), `${id}: ${text}`);
          if (frontEnd === "action" && medium === "plain") {
            assert.equal(seen.get(text), undefined, `${id} reads like ${seen.get(text)}`);
            seen.set(text, id);
          }
        }
    }
  });

  it("the README's troubleshooting index links to it", () => {
    assert.match(section(README, "Troubleshooting"), /\(docs\/messages\.md\)/);
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

describe("README: the quick-start examples", () => {
  const workflow = yamlBlocks.find((block) => /^jobs:/m.test(block));

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
});

// ── The docs as a whole ─────────────────────────────────────────────────────────────────────

const DOCS = readdirSync(join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const PAGES = ["README.md", ...DOCS, "SECURITY.md", "pipe/README.md"];

describe("the docs as a whole", () => {
  it("a code block marked as a file is that file, byte for byte", () => {
    let marked = 0;
    for (const page of PAGES) {
      for (const [, file, body] of read(page).matchAll(
        /<!-- file: (\S+) -->\n+```\w*\n([\s\S]*?)```/g,
      )) {
        marked++;
        assert.equal(body, read(file), `${page}: the block marked ${file}`);
      }
    }
    assert.ok(marked >= 1, "the README shows a Pipelines example file");
  });

  it("every relative link goes to a file that exists, and every anchor to a heading", () => {
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
    const anchors = (page: string) =>
      new Set([...read(page).matchAll(/^#{1,6} (.+)$/gm)].map(([, h]) => slug(h)));
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [file, anchor] = target.split("#");
        const resolved = file === "" ? page : relative(ROOT, join(ROOT, dirname(page), file));
        if (!existsSync(join(ROOT, resolved))) broken.push(`${page}: ${target}`);
        else if (anchor && resolved.endsWith(".md") && !anchors(resolved).has(anchor))
          broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("every page in docs/ is linked from the README", () => {
    for (const page of DOCS) assert.ok(README.includes(`](${page})`), `${page} is not linked`);
  });

  it("docs/architecture.md names every source file", () => {
    const architecture = read("docs/architecture.md");
    const files = readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
    assert.deepEqual(
      files.filter((name) => !architecture.includes(name)),
      [],
    );
  });
});
