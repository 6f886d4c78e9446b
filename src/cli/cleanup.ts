/**
 * `bitbucket-auth cleanup`: removes the credentials setup wrote from this shell or step (found
 * through the notes beside them in the temp dir), and ours whose credential file is gone. A
 * failure is exit 4: a credential may be left behind.
 */
import { cleanUpSession } from "../core/git/remove.ts";
import { problem } from "../core/messages/index.ts";
import { EXIT_CODES } from "../core/outcome.ts";
import { commandGitEnvironment } from "./git-environment.ts";
import type { Io } from "./io.ts";
import { note, tell } from "./tell.ts";

export async function cleanup(io: Io): Promise<number> {
  try {
    const removal = await cleanUpSession(commandGitEnvironment(io.env));
    if (removal.removed.length > 0)
      io.stdout.write(`Removed the git credentials: ${removal.removed.join(", ")}\n`);
    else note(io, "command", problem("cleanup-none-found", {}));
    return EXIT_CODES.fit;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    tell(io, "command", { problems: [problem("cleanup-failed", { reason })], warnings: [] });
    return EXIT_CODES.unexpected;
  }
}
