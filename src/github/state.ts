/** Every main → post state key, in one place. Values are never secret. */
import * as core from "@actions/core";
import type { GitState } from "../core/git/setup.ts";

const CREDENTIAL_ID = "credential-id";
const CONFIGURED = "configured";

/** Saved before anything is written, so a post after a half-finished main still cleans up. */
export function saveGit(state: GitState): void {
  if (!state.configured) core.saveState(CREDENTIAL_ID, state.id);
  else core.saveState(CONFIGURED, "true");
}

export function git(): GitState | undefined {
  const id = core.getState(CREDENTIAL_ID);
  return id ? { id, configured: core.getState(CONFIGURED) === "true" } : undefined;
}
