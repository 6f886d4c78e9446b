/**
 * git, run through @actions/exec (run-tool.ts): silent, output captured, and never a secret on an
 * argument list (the credential reaches git only through its 0600 config file).
 *
 * Every run is bounded. libcurl gives up on a transfer that stalls (GIT_HTTP_LOW_SPEED_LIMIT and
 * _TIME: a server that accepts the connection and never answers); for what curl does not bound
 * (a connection or a name lookup that never completes), our own timer ends the wait and the step
 * goes on without that git process.
 */
import { problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";
import { type Env, runTool, type ToolResult, ToolTimeout, withoutSecrets } from "../run-tool.ts";

export type { Env } from "../run-tool.ts";
export type GitResult = ToolResult;

export interface Git {
  version: Version;
  /** Runs git with the job's environment plus `env`; stdout and stderr are never printed. */
  run(args: string[], env?: Env): Promise<GitResult>;
}

export type Version = [number, number, number];

/** http.<url>.followRedirects (2.13) is what keeps the credential on the git host. */
export const MIN_VERSION: Version = [2, 13, 0];
/** GIT_CONFIG_COUNT (2.31) lets the job's environment include the credential. */
export const ENVIRONMENT_CONFIG_VERSION: Version = [2, 31, 0];

/**
 * Finds git and its version, before anything is configured: no git, or one too old, is a clear
 * error naming git. `timeoutMs` bounds every later run.
 */
export async function findGit(base: Env, cwd: string, timeoutMs: number): Promise<Git> {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const env: Env = {
    ...withoutSecrets(base),
    // Nobody is there to answer a prompt, and no helper may answer for the credential.
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GCM_INTERACTIVE: "never",
    GIT_HTTP_LOW_SPEED_LIMIT: "1",
    GIT_HTTP_LOW_SPEED_TIME: String(seconds),
    LC_ALL: "C",
  };
  const run = async (args: string[], extra: Env = {}): Promise<GitResult> => {
    try {
      // curl's own limit ends a stalled transfer first; this is for what it does not cover.
      return await runTool("git", args, { cwd, env: { ...env, ...extra }, seconds: seconds + 5 });
    } catch (error) {
      if (!(error instanceof ToolTimeout)) throw error;
      throw new Failure("unreachable", [
        problem("git-timeout", { command: commandName(args), seconds: error.seconds }),
      ]);
    }
  };

  let answer: GitResult;
  try {
    answer = await run(["--version"]);
  } catch (error) {
    if (error instanceof Failure) throw error;
    throw new Failure("bad-input", [problem("git-missing", { reason: (error as Error).message })]);
  }
  // git reads its config even for --version: a failure there is the config's.
  if (answer.code !== 0)
    throw new Failure("bad-input", [
      problem("git-config-unparsable", { reason: answer.stderr.trim() || `exit ${answer.code}` }),
    ]);
  const version = parseVersion(answer.stdout);
  if (!version)
    throw new Failure("bad-input", [
      problem("git-missing", { reason: `git --version answered ${answer.stdout.trim()}` }),
    ]);
  if (compareVersions(version, MIN_VERSION) < 0)
    throw new Failure("bad-input", [
      problem("git-too-old", { version: version.join("."), minimum: MIN_VERSION.join(".") }),
    ]);
  return { version, run };
}

/** "git ls-remote" for `-c x=y ls-remote …`. */
function commandName(args: string[]): string {
  let i = 0;
  while (args[i] === "-c") i += 2;
  return `git ${args[i]}`;
}

/** "git version 2.39.5", "git version 2.37.1 (Apple Git-137.1)", "git version 2.45.1.windows.1". */
export function parseVersion(text: string): Version | undefined {
  const m = /^git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
