/**
 * Ends the process once its output is written. A run must end when its outcome is told: a DNS
 * lookup that never answers (getaddrinfo cannot be cancelled) would otherwise keep Node alive
 * long after `timeout-seconds`.
 */
export async function exit(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write("", done))),
  );
  process.exit(code);
}
