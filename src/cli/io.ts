/** What the command needs from its process, as a parameter so it runs in-process in tests. */
export interface Io {
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readStdin: () => Promise<string>;
}

/** The process's own streams and arguments. */
export function processIo(argv = process.argv.slice(2)): Io {
  return {
    argv,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: () => readAll(process.stdin),
  };
}

/**
 * Colour only on a terminal, never with NO_COLOR (https://no-color.org: set and not empty) or
 * on a dumb terminal. Decided per stream: stdout may be a terminal while stderr is a file.
 */
export function useColor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

/** A progress line only on a terminal (stderr); logs get nothing to clear. */
export function spinner(io: Pick<Io, "stderr" | "env">, text: string, intervalMs = 80): () => void {
  if (io.stderr.isTTY !== true || io.env.TERM === "dumb") return () => {};
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let i = 0;
  const draw = () => io.stderr.write(`\r${frames[i++ % frames.length]} ${text}…`);
  draw();
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    io.stderr.write("\r\u001b[K");
  };
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Bitbucket Pipelines sets BITBUCKET_BUILD_NUMBER in every step. */
export const inPipelines = (env: Record<string, string | undefined>): boolean =>
  Boolean(env.BITBUCKET_BUILD_NUMBER);
