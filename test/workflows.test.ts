// Every workflow in .github/workflows and action.yml validate against the
// schemas GitHub itself uses (@actions/workflow-parser), plus a few checks of
// what this project relies on.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  convertActionTemplate,
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseAction,
  parseWorkflow,
} from "./harness/workflow-parser.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
  .sort();

interface StepYaml {
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  run?: string;
}
interface WorkflowYaml {
  on: Record<string, unknown>;
  jobs: Record<string, { steps?: StepYaml[]; strategy?: { matrix?: { os?: string[] } } }>;
}

function readWorkflow(file: string): WorkflowYaml {
  return parseYaml(readFileSync(join(WORKFLOWS, file), "utf8")) as WorkflowYaml;
}

function allSteps(wf: WorkflowYaml): StepYaml[] {
  return Object.values(wf.jobs).flatMap((job) => job.steps ?? []);
}

describe("workflows", () => {
  it("has the expected workflows", () => {
    for (const f of ["ci.yml", "check-dist.yml", "e2e.yml", "live.yml", "release.yml"])
      assert.ok(workflowFiles.includes(f), f);
  });

  for (const file of workflowFiles) {
    it(`${file} parses and validates with @actions/workflow-parser`, async () => {
      const content = readFileSync(join(WORKFLOWS, file), "utf8");
      const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
      const parseErrors = parsed.context.errors.getErrors().map((e) => e.message);
      assert.deepEqual(parseErrors, []);
      assert.ok(parsed.value, "no template");
      const template = await convertWorkflowTemplate(parsed.context, parsed.value);
      assert.deepEqual(template.errors ?? [], []);
      assert.ok(template.jobs.length > 0);
    });

    it(`${file}: setup-node uses Node 24 and checkout does not persist credentials`, () => {
      for (const step of allSteps(readWorkflow(file))) {
        if (step.uses?.startsWith("actions/setup-node@")) {
          assert.equal(String(step.with?.["node-version"]), "24");
        }
        if (step.uses?.startsWith("actions/checkout@")) {
          assert.equal(step.with?.["persist-credentials"], false);
        }
      }
    });
  }

  it("the validation is not vacuous: a broken workflow reports errors", async () => {
    const content = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not JS
      "      - run: echo ${{ nope.x }}",
      "      - bogus: 1",
      "",
    ].join("\n");
    const parsed = parseWorkflow({ name: "broken.yml", content }, new NoOperationTraceWriter());
    assert.ok(parsed.value);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    assert.equal(template.errors?.length, 3);
  });

  it("ci.yml tests on Linux, macOS and Windows with lint, typecheck and test", () => {
    const wf = readWorkflow("ci.yml");
    const job = Object.values(wf.jobs)[0];
    assert.deepEqual(job?.strategy?.matrix?.os, [
      "ubuntu-latest",
      "macos-latest",
      "windows-latest",
    ]);
    const runs = allSteps(wf).map((s) => s.run);
    for (const cmd of ["npm ci", "npm run lint", "npm run typecheck", "npm test"]) {
      assert.ok(runs.includes(cmd), cmd);
    }
  });

  describe("live.yml: the emulator and the action against the real Bitbucket", () => {
    const wf = readWorkflow("live.yml");

    it("runs weekly and on demand", () => {
      assert.ok(wf.on.workflow_dispatch !== undefined);
      const schedule = wf.on.schedule as { cron: string }[];
      assert.equal(schedule.length, 1);
      // minute hour * * one weekday
      assert.match(schedule[0].cron, /^\d+ \d+ \* \* [0-6]$/);
    });

    it("every job first checks its secrets, says so in a notice, and skips everything else", () => {
      for (const [name, job] of Object.entries(wf.jobs)) {
        const [gate, ...rest] = job.steps ?? [];
        assert.equal(gate.id, "secrets", name);
        assert.match(
          gate.run ?? "",
          /::notice title=[^:]+::.*nothing|::notice title=[^:]+::.*not run/,
          name,
        );
        // Only whether a secret is set reaches the gate's shell, never the secret itself.
        for (const value of Object.values(gate.env ?? {}))
          assert.doesNotMatch(value, /secrets\.\w+\s*}}/, `${name}: gate env ${value}`);
        for (const step of rest)
          assert.equal(
            step.if,
            "steps.secrets.outputs.run == 'true'",
            `${name}: ${step.uses ?? step.run}`,
          );
      }
    });

    it("runs npm run contract:live with the secrets, and the action with configure-git and real git", () => {
      const steps = allSteps(wf);
      const contract = steps.find((s) => s.run === "npm run contract:live");
      assert.ok(contract, "npm run contract:live");
      for (const name of [
        "BITBUCKET_EMAIL",
        "BITBUCKET_API_TOKEN",
        "BITBUCKET_ACCESS_TOKEN",
        "BITBUCKET_TEST_REPOSITORIES",
      ])
        assert.equal(contract.env?.[name], `\${{ secrets.${name} }}`, name);
      const action = steps.find((s) => s.uses === "./");
      assert.equal(action?.with?.["configure-git"], "true");
      assert.ok(steps.some((s) => /git ls-remote/.test(s.run ?? "")));
    });
  });

  it("ci.yml builds the single executables before npm test, and runs the Node 22 suites", () => {
    const runs = allSteps(readWorkflow("ci.yml")).map((s) => s.run);
    const build = runs.indexOf("npm run build:binary");
    assert.ok(build >= 0 && build < runs.indexOf("npm test"), "build:binary before npm test");
    assert.ok(runs.includes("npm run test:node22"));
  });

  it("release.yml: on version tags; tests, then the GitHub release, npm and the pipe image", () => {
    const wf = parseYaml(readFileSync(join(WORKFLOWS, "release.yml"), "utf8")) as WorkflowYaml & {
      on: { push: { tags: string[] } };
      jobs: Record<string, { needs?: string; permissions?: Record<string, string> }>;
    };
    assert.deepEqual(Object.keys(wf.on), ["push"]);
    assert.deepEqual(wf.on.push.tags, ["v[0-9]+.[0-9]+.[0-9]+"]);
    const build = (wf.jobs.build.steps ?? []).map((s) => s.run ?? "");
    for (const cmd of [
      "npm ci",
      "npm run check-dist",
      "npm run build:binary",
      "npm test",
      "npm run test:node22",
    ])
      assert.ok(build.includes(cmd), `the build job runs ${cmd}`);
    const release = (wf.jobs["github-release"].steps ?? []).map((s) => s.run ?? "").join("\n");
    for (const asset of [
      "bitbucket-auth-linux-x64.tar.gz",
      "bitbucket-auth-linux-arm64.tar.gz",
      "SHA256SUMS",
    ])
      assert.ok(release.includes(`executables/${asset}`), `the release attaches ${asset}`);
    assert.match(release, /gh release create "\$GITHUB_REF_NAME"/);
    assert.equal(wf.jobs["github-release"].permissions?.contents, "write");
    const npm = (wf.jobs.npm.steps ?? []).map((s) => s.run ?? "");
    assert.ok(npm.some((run) => /^npm publish --provenance\b/.test(run)));
    assert.equal(wf.jobs.npm.permissions?.["id-token"], "write");
    // npm checks provenance against package.json's repository: it must be this repository.
    const { repository } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const pipe = parseYaml(readFileSync(join(ROOT, "pipe", "pipe.yml"), "utf8")) as {
      repository: string;
    };
    assert.equal(repository.url, `git+${pipe.repository.replace(/\/$/, "")}.git`);
    const image = (wf.jobs["pipe-image"].steps ?? []).map((s) => s.run ?? "").join("\n");
    assert.match(image, /--file pipe\/Dockerfile/);
    for (const job of ["github-release", "npm", "pipe-image"])
      assert.equal(wf.jobs[job].needs, "build", `${job} waits for the tests`);
  });

  it("steps that use this action pass only inputs action.yml declares", () => {
    const declared = Object.keys(
      (parseYaml(readFileSync(join(ROOT, "action.yml"), "utf8")) as { inputs: object }).inputs,
    );
    let uses = 0;
    for (const file of workflowFiles) {
      for (const step of allSteps(readWorkflow(file))) {
        if (step.uses !== "./") continue;
        uses++;
        for (const name of Object.keys(step.with ?? {})) {
          assert.ok(declared.includes(name), `${file}: unknown input ${name}`);
        }
      }
    }
    assert.ok(uses > 0, "no workflow runs the action");
  });
});

describe("action.yml", () => {
  const content = readFileSync(join(ROOT, "action.yml"), "utf8");

  it("parses as YAML and runs dist/ on node24 with a post step", () => {
    const doc = parseYaml(content) as {
      runs: { using: string; main: string; post: string; "post-if"?: string };
      inputs: Record<string, { description?: string }>;
      outputs: Record<string, { description?: string }>;
    };
    assert.equal(doc.runs.using, "node24");
    assert.match(doc.runs.main, /^dist\/[^/]+\.js$/);
    assert.match(doc.runs.post, /^dist\/[^/]+\.js$/);
    assert.equal(doc.runs["post-if"], "always()");
    for (const [name, input] of Object.entries(doc.inputs)) {
      assert.ok(input.description, `input ${name} has a description`);
    }
    for (const [name, output] of Object.entries(doc.outputs)) {
      assert.ok(output.description, `output ${name} has a description`);
    }
  });

  it("validates against the action schema", () => {
    const parsed = parseAction({ name: "action.yml", content }, new NoOperationTraceWriter());
    assert.deepEqual(
      parsed.context.errors.getErrors().map((e) => e.message),
      [],
    );
    assert.ok(parsed.value);
    const action = convertActionTemplate(parsed.context, parsed.value);
    assert.deepEqual(
      parsed.context.errors.getErrors().map((e) => e.message),
      [],
    );
    assert.equal(action.runs.using, "node24");
  });
});
