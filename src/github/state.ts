/** Every main → post state key, in one place. Values are never secret. */
import * as core from "@actions/core";

const CREDENTIAL_ID = "credential-id";
const CONFIGURED = "configured";

/** Saved before anything is written, so a post after a half-finished main still cleans up. */
export const saveCredentialId = (id: string): void => core.saveState(CREDENTIAL_ID, id);
export const saveConfigured = (): void => core.saveState(CONFIGURED, "true");

export const credentialId = (): string => core.getState(CREDENTIAL_ID);
export const wasConfigured = (): boolean => core.getState(CONFIGURED) === "true";
