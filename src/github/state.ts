/** Every main → post state key, in one place. Values are never secret. */
import * as core from "@actions/core";
import type { GitState } from "../core/git/setup.ts";

const CREDENTIAL_ID = "credential-id";
const CREDENTIAL_DIR = "credential-dir";
const GIT_CONFIG = "git-config";
const CONFIGURED = "configured";

/**
 * Saved before anything is written, so a post after a half-finished main still cleans up. Each
 * use of the action in a job has its own state, so each post removes only its own credential.
 */
export function saveGit(state: GitState): void {
  if (!state.configured) {
    core.saveState(CREDENTIAL_ID, state.id);
    if (state.dir) core.saveState(CREDENTIAL_DIR, state.dir);
    if (state.config) core.saveState(GIT_CONFIG, state.config);
  } else core.saveState(CONFIGURED, "true");
}

export function git(): GitState | undefined {
  const id = core.getState(CREDENTIAL_ID);
  if (!id) return undefined;
  return {
    id,
    dir: core.getState(CREDENTIAL_DIR) || undefined,
    config: core.getState(GIT_CONFIG) || undefined,
    configured: core.getState(CONFIGURED) === "true",
  };
}
