/**
 * Ends the process once its output is written: a run ends when its outcome is told, whatever is
 * still pending (a socket closing, a timer). One thing even process.exit() waits for is a
 * getaddrinfo still running, since Node joins its thread pool on the way out; the transport
 * therefore never starts one that might not return (src/core/bitbucket/lookup.ts).
 */
export async function exit(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write("", done))),
  );
  process.exit(code);
}
