// Runs a JavaScript action the way the GitHub Actions runner does, so tests can
// drive the bundled dist/main.js and dist/post.js end to end:
//
// - every input declared in action.yml arrives as INPUT_<NAME> (upper case,
//   spaces to `_`, dashes kept), with the declared default when not given;
// - fresh GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE / GITHUB_PATH /
//   GITHUB_STEP_SUMMARY files per step (under RUNNER_TEMP/_runner_file_commands,
//   where the runner keeps them), parsed afterwards like the runner does;
// - workflow commands on stdout and stderr (the runner reads both);
// - GITHUB_ENV exports and GITHUB_PATH entries reach every later step of the
//   job, the post step included; GITHUB_STATE reaches the post step as STATE_<name>;
// - a minimal, explicit environment with an isolated HOME, so the developer's
//   real ~/.gitconfig is never read or written.
//
// Steps are spawned asynchronously, so an emulator served from the test process
// itself keeps answering while a step runs.

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { parseEnvFile, parsePathFile, parseWorkflowCommand, splitLines } from "./commands.ts";

export {
  parseEnvFile,
  parsePathFile,
  parseWorkflowCommand,
  unescapeData,
  unescapeProperty,
} from "./commands.ts";

/** The repository root (where action.yml and dist/ live). */
export const REPO_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type AnnotationLevel = "error" | "warning" | "notice" | "debug";

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  /** file, line, col, endLine, endColumn, title … (unescaped) */
  properties: Record<string, string>;
}

export interface StepResult {
  /** Exit code; -1 when the process was ended by a signal (see `signal`). */
  code: number;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** From GITHUB_OUTPUT (and the deprecated ::set-output::). */
  outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY, raw (the runner would mask it before upload). */
  summary: string;
  /** From GITHUB_ENV; merged into job.env for later steps. */
  exported: Record<string, string>;
  /** From GITHUB_PATH; prepended to PATH for later steps. */
  addedPath: string[];
  /** From GITHUB_STATE; becomes STATE_<name> in the post step. */
  savedState: Record<string, string>;
  annotations: Annotation[];
  /** Values from ::add-mask:: (stdout and stderr). */
  masks: string[];
  /** Every workflow-command line the runner would act on, as written (trimmed start). */
  commands: string[];
  /** The INPUT_* values the step got, keyed by input name (defaults filled in). */
  inputs: Record<string, string>;
  /** The complete environment the step ran with. Contains the inputs: do not log. */
  env: Record<string, string>;
  script: string;
}

export interface Job {
  /** Temp root holding everything below. */
  dir: string;
  /** HOME for every step (isolated global git config at home/.gitconfig). */
  home: string;
  runnerTemp: string;
  /** GITHUB_WORKSPACE, outside RUNNER_TEMP; cwd of every step. */
  workspace: string;
  /** Directory holding action.yml; relative script paths resolve against it. */
  actionDir: string;
  /** Variables exported through GITHUB_ENV so far (they reach later steps). */
  env: Record<string, string>;
  /** Directories added through GITHUB_PATH so far (latest first). */
  path: string[];
  /** State saved through GITHUB_STATE by the main step(s) so far, merged. */
  state: Record<string, string>;
  /** Every ::add-mask:: value seen in this job. */
  masks: string[];
  /** Every step run so far, in order. */
  steps: StepResult[];
  close(): Promise<void>;
}

export interface NewJobOptions {
  /** Directory with action.yml (default: the repository root). */
  actionDir?: string;
  /** Initial content of $HOME/.gitconfig (default: no such file). */
  gitconfig?: string;
  /** Directories put first on PATH for every step and runGit (e.g. a git shim). */
  pathPrepend?: string[];
  /** Extra variables for every step and runGit (like workflow/job-level `env:`). */
  env?: Record<string, string>;
  /** Keep the temp root on close() (also when HARNESS_KEEP_JOBS=1). */
  keep?: boolean;
}

interface JobInternals {
  options: NewJobOptions;
  lastInputs?: Record<string, string>;
}

const internals = new WeakMap<Job, JobInternals>();

export async function newJob(opts: NewJobOptions = {}): Promise<Job> {
  // realpath: on macOS tmpdir() is a symlink; the runner gives real paths.
  const dir = await realpath(await mkdtemp(join(tmpdir(), "bbauth-job-")));
  // Same layout as a hosted runner: /home/runner, /home/runner/work/_temp,
  // /home/runner/work/<repo>/<repo>.
  const home = join(dir, "home");
  const runnerTemp = join(dir, "work", "_temp");
  const workspace = join(dir, "work", "repo", "repo");
  await Promise.all([
    mkdir(home, { recursive: true }),
    mkdir(runnerTemp, { recursive: true }),
    mkdir(workspace, { recursive: true }),
  ]);
  if (opts.gitconfig !== undefined) await writeFile(join(home, ".gitconfig"), opts.gitconfig);
  const keep = opts.keep === true || process.env.HARNESS_KEEP_JOBS === "1";
  const job: Job = {
    dir,
    home,
    runnerTemp,
    workspace,
    actionDir: resolve(opts.actionDir ?? REPO_ROOT),
    env: {},
    path: [],
    state: {},
    masks: [],
    steps: [],
    async close() {
      if (keep) return;
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
  internals.set(job, { options: opts });
  return job;
}

// ---------------------------------------------------------------------------
// action.yml

export interface ActionInputSpec {
  default?: string;
  required: boolean;
}

export interface ActionMetadata {
  inputs: Record<string, ActionInputSpec>;
  outputs: string[];
  runs: { using: string; main: string; post?: string; postIf?: string };
}

export function readActionMetadata(actionDir: string = REPO_ROOT): ActionMetadata {
  const file = ["action.yml", "action.yaml"]
    .map((f) => join(actionDir, f))
    .find((f) => existsSync(f));
  if (file === undefined) throw new Error(`no action.yml in ${actionDir}`);
  const doc = parseYaml(readFileSync(file, "utf8")) as {
    inputs?: Record<string, { default?: unknown; required?: unknown } | null>;
    outputs?: Record<string, unknown>;
    runs?: { using?: unknown; main?: unknown; post?: unknown; "post-if"?: unknown };
  };
  const inputs: Record<string, ActionInputSpec> = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    const d = spec?.default;
    inputs[name] = {
      // The runner turns YAML scalars into strings (true -> "true", 14 -> "14").
      default: d === undefined || d === null ? undefined : String(d),
      required: spec?.required === true || spec?.required === "true",
    };
  }
  const runs = doc.runs ?? {};
  return {
    inputs,
    outputs: Object.keys(doc.outputs ?? {}),
    runs: {
      using: String(runs.using ?? ""),
      main: String(runs.main ?? ""),
      post: runs.post === undefined ? undefined : String(runs.post),
      postIf: runs["post-if"] === undefined ? undefined : String(runs["post-if"]),
    },
  };
}

/** INPUT_<NAME> as the runner names it: spaces to `_`, upper case, dashes kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replaceAll(" ", "_").toUpperCase()}`;
}

/**
 * The inputs a step gets: the given ones (unknown names pass through, as the
 * runner only warns about them) plus every declared input not given, set to
 * its default or "" (the runner does not enforce `required`).
 */
export function resolveInputs(
  meta: ActionMetadata,
  given: Record<string, string>,
): Record<string, string> {
  const inputs: Record<string, string> = { ...given };
  for (const [name, spec] of Object.entries(meta.inputs)) {
    if (!(name in inputs)) inputs[name] = spec.default ?? "";
  }
  return inputs;
}

// ---------------------------------------------------------------------------
// Environment

const WINDOWS_PASSTHROUGH = [
  "SystemRoot",
  "SYSTEMROOT",
  "windir",
  "ComSpec",
  "PATHEXT",
  "TEMP",
  "TMP",
  "ProgramFiles",
  "ProgramData",
];

/** The environment every step and runGit start from (before job.env and opts.env). */
export function baseEnv(job: Job): Record<string, string> {
  const opts = internals.get(job)?.options ?? {};
  const path = [...(opts.pathPrepend ?? []), ...job.path, process.env.PATH ?? ""]
    .filter((p) => p !== "")
    .join(delimiter);
  const env: Record<string, string> = {
    PATH: path,
    HOME: job.home,
    RUNNER_TEMP: job.runnerTemp,
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_ACTIONS: "true",
    CI: "true",
    RUNNER_OS:
      process.platform === "win32" ? "Windows" : process.platform === "darwin" ? "macOS" : "Linux",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
  };
  if (process.platform === "win32") {
    for (const name of WINDOWS_PASSTHROUGH) {
      const v = process.env[name];
      if (v !== undefined) env[name] = v;
    }
    env.USERPROFILE = job.home;
  }
  return { ...env, ...(opts.env ?? {}) };
}

/** Environment for a plain `run:` step using git after the action (job HOME, exports, PATH). */
export function gitEnv(job: Job, extra: Record<string, string> = {}): Record<string, string> {
  return withPath(job, { ...baseEnv(job), ...job.env, ...extra });
}

// GITHUB_PATH entries go in front of PATH even when GITHUB_ENV exported a PATH.
function withPath(job: Job, env: Record<string, string>): Record<string, string> {
  if (job.path.length === 0) return env;
  const current = env.PATH ?? "";
  const missing = job.path.filter((p) => !current.split(delimiter).includes(p));
  if (missing.length > 0) env.PATH = [...missing, current].filter((p) => p !== "").join(delimiter);
  return env;
}

// ---------------------------------------------------------------------------
// Processes

export interface ProcessResult {
  code: number;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  stdin?: string | Buffer;
  timeoutMs: number;
}

function run(command: string, args: string[], o: SpawnOptions): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: o.cwd,
      env: o.env,
      stdio: [o.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, o.timeoutMs);
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code: code ?? -1,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
    if (o.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // the child may exit before reading
      child.stdin.end(o.stdin);
    }
  });
}

export interface RunGitOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** Run plain `git` as a later `run:` step of the job would (cwd: the workspace). */
export function runGit(job: Job, args: string[], opts: RunGitOptions = {}): Promise<ProcessResult> {
  return run("git", args, {
    cwd: opts.cwd ?? job.workspace,
    env: gitEnv(job, opts.env),
    stdin: opts.input,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
}

// ---------------------------------------------------------------------------
// Steps

export interface RunStepOptions {
  /** Step-level `env:`; wins over job exports. */
  env?: Record<string, string>;
  stdin?: string | Buffer;
  /** Kill the step after this long (default 120 s). */
  timeoutMs?: number;
  /** Do not merge exports/state/masks into the job (default false). */
  isolated?: boolean;
  /** A command that runs node (e.g. `unshare … silent-dns.ts`): `[...launcher, node, script]`. */
  launcher?: string[];
}

/** "dist/main.js" | "dist/post.js" | any path; relative paths resolve against job.actionDir. */
export type StepScript = "dist/main.js" | "dist/post.js" | (string & {});

/**
 * Run one step of the action. `inputs` are the step's `with:` values; declared
 * inputs not given get their action.yml defaults. Resolves once the process has
 * exited, whatever its exit code; rejects only when an environment file is
 * malformed (the runner would fail the step for it) or node cannot be spawned.
 */
export function runStep(
  job: Job,
  script: StepScript,
  inputs: Record<string, string> = {},
  opts: RunStepOptions = {},
): Promise<StepResult> {
  return execStep(job, script, inputs, opts, {}, false);
}

async function execStep(
  job: Job,
  script: StepScript,
  inputs: Record<string, string>,
  opts: RunStepOptions,
  stateEnv: Record<string, string>,
  isPost: boolean,
): Promise<StepResult> {
  const meta = readActionMetadata(job.actionDir);
  const resolvedInputs = resolveInputs(meta, inputs);
  const scriptPath = isAbsolute(script) ? script : join(job.actionDir, script);

  const id = randomUUID();
  const fcDir = join(job.runnerTemp, "_runner_file_commands");
  await mkdir(fcDir, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(fcDir, `set_output_${id}`),
    GITHUB_ENV: join(fcDir, `set_env_${id}`),
    GITHUB_STATE: join(fcDir, `save_state_${id}`),
    GITHUB_PATH: join(fcDir, `add_path_${id}`),
    GITHUB_STEP_SUMMARY: join(fcDir, `step_summary_${id}`),
  };
  await Promise.all(Object.values(files).map((f) => writeFile(f, "")));

  const inputEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(resolvedInputs)) inputEnv[inputEnvName(name)] = value;

  const env = withPath(job, {
    ...baseEnv(job),
    ...job.env,
    ...(opts.env ?? {}),
    ...stateEnv,
    ...inputEnv,
    ...files,
    GITHUB_ACTION_PATH: job.actionDir,
  });

  const [command, ...prefix] = [...(opts.launcher ?? []), process.execPath];
  const proc = await run(command, [...prefix, scriptPath], {
    cwd: job.workspace,
    env,
    stdin: opts.stdin,
    timeoutMs: opts.timeoutMs ?? 120_000,
  });

  const result: StepResult = {
    ...proc,
    outputs: {},
    summary: "",
    exported: {},
    addedPath: [],
    savedState: {},
    annotations: [],
    masks: [],
    commands: [],
    inputs: resolvedInputs,
    env,
    script: scriptPath,
  };
  processCommands(result, proc.stdout);
  processCommands(result, proc.stderr);

  const read = (f: string) => readFile(f, "utf8");
  for (const [k, v] of parseEnvFile(await read(files.GITHUB_OUTPUT))) result.outputs[k] = v;
  for (const [k, v] of parseEnvFile(await read(files.GITHUB_STATE))) result.savedState[k] = v;
  for (const [k, v] of parseEnvFile(await read(files.GITHUB_ENV))) {
    if (k.toUpperCase() === "NODE_OPTIONS") {
      // The runner refuses this one.
      result.annotations.push({
        level: "warning",
        message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
        properties: {},
      });
      continue;
    }
    result.exported[k] = v;
  }
  result.addedPath = parsePathFile(await read(files.GITHUB_PATH));
  result.summary = await read(files.GITHUB_STEP_SUMMARY);

  if (!opts.isolated) {
    Object.assign(job.env, result.exported);
    job.path = [...[...result.addedPath].reverse(), ...job.path];
    if (!isPost) Object.assign(job.state, result.savedState); // the runner ignores state saved by post
    job.masks.push(...result.masks);
    const internal = internals.get(job);
    if (internal && !isPost) internal.lastInputs = resolvedInputs;
  }
  job.steps.push(result);
  return result;
}

/** Run the action's `runs.main` (dist/main.js for this repository). */
export function runMain(
  job: Job,
  inputs: Record<string, string> = {},
  opts: RunStepOptions = {},
): Promise<StepResult> {
  return runStep(job, readActionMetadata(job.actionDir).runs.main, inputs, opts);
}

export interface RunPostOptions extends RunStepOptions {
  /** Use this main step's inputs and saved state instead of the job's (latest inputs, merged state). */
  main?: StepResult;
  /** Override the inputs (default: the same INPUT_* the main step got, as the runner does). */
  inputs?: Record<string, string>;
  /** Override the state (default: see `main`). */
  state?: Record<string, string>;
}

/**
 * Run the action's `runs.post` (dist/post.js) as the runner does at the end of
 * the job: same inputs as the main step, STATE_<name> for each saved state,
 * and every variable exported by earlier steps.
 */
export function runPost(job: Job, opts: RunPostOptions = {}): Promise<StepResult> {
  const post = readActionMetadata(job.actionDir).runs.post ?? "dist/post.js";
  const inputs = opts.inputs ?? opts.main?.inputs ?? internals.get(job)?.lastInputs ?? {};
  const state = opts.state ?? opts.main?.savedState ?? job.state;
  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(state)) stateEnv[`STATE_${name}`] = value;
  return execStep(job, post, inputs, opts, stateEnv, true);
}

function processCommands(result: StepResult, text: string): void {
  let stopToken: string | undefined;
  for (const line of splitLines(text)) {
    if (stopToken !== undefined) {
      if (line.trim() === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const cmd = parseWorkflowCommand(line);
    if (cmd === undefined) continue;
    result.commands.push(line.trimStart());
    switch (cmd.name) {
      case "add-mask":
        if (cmd.data.trim() !== "") {
          result.masks.push(cmd.data);
        } else {
          result.annotations.push({
            level: "warning",
            message: "Can't add secret mask for empty string in ##[add-mask] command.",
            properties: {},
          });
        }
        break;
      case "error":
      case "warning":
      case "notice":
      case "debug":
        result.annotations.push({ level: cmd.name, message: cmd.data, properties: cmd.properties });
        break;
      case "stop-commands":
        stopToken = cmd.data;
        break;
      case "set-output":
        if (cmd.properties.name) result.outputs[cmd.properties.name] = cmd.data;
        result.annotations.push({
          level: "warning",
          message: "The `set-output` command is deprecated and will be disabled soon.",
          properties: {},
        });
        break;
      case "save-state":
        if (cmd.properties.name) result.savedState[cmd.properties.name] = cmd.data;
        result.annotations.push({
          level: "warning",
          message: "The `save-state` command is deprecated and will be disabled soon.",
          properties: {},
        });
        break;
      case "set-env":
      case "add-path":
        result.annotations.push({
          level: "error",
          message: `The \`${cmd.name}\` command is disabled.`,
          properties: {},
        });
        break;
      default:
        break;
    }
  }
}
