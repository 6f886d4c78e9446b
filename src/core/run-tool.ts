/**
 * Runs a program (git, and the clients' own tools: `go env`, `composer config`) through
 * @actions/exec: silent, output captured, bounded in time, and with the job's environment minus
 * the variables that hold the token, which no tool needs. @actions/exec pulls in @actions/io, so
 * it is loaded only when a program is about to run.
 */
export type Env = Record<string, string | undefined>;

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables that hold the token itself. */
const SECRET_VARIABLES = /^(INPUT_.*|BITBUCKET_API_TOKEN|STATE_.*)$/i;

export function withoutSecrets(env: Env): Env {
  const kept: Env = {};
  for (const [name, value] of Object.entries(env))
    if (!SECRET_VARIABLES.test(name)) kept[name] = value;
  return kept;
}

/** The program did not finish within its time: its process is left behind, never waited for. */
export class ToolTimeout extends Error {
  readonly seconds: number;
  constructor(seconds: number) {
    super(`did not finish within ${seconds} seconds`);
    this.name = "ToolTimeout";
    this.seconds = seconds;
  }
}

/** Runs `file` with exactly `env` (no secret variables: see withoutSecrets). */
export async function runTool(
  file: string,
  args: string[],
  options: { cwd: string; env: Env; seconds: number },
): Promise<ToolResult> {
  const { getExecOutput } = await import("@actions/exec");
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env))
    if (value !== undefined) env[name] = value;
  const running = getExecOutput(file, args, {
    cwd: options.cwd,
    env,
    silent: true,
    ignoreReturnCode: true,
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ToolTimeout(options.seconds)), options.seconds * 1000);
    timer.unref();
  });
  try {
    const { exitCode, stdout, stderr } = await Promise.race([running, late]);
    return { code: exitCode, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
