/**
 * The last step of a successful check: replace any credential of ours already in the global git
 * config (a crashed job on a reused runner, or an earlier run of this step) with this one, so
 * exactly one is in force.
 */
import { gitAuthorization } from "../inputs/credential.ts";
import type { Settings } from "../inputs/settings.ts";
import { configure, type GitEnvironment, newCredentialId, remove } from "./git-credentials.ts";

/** What was configured, for the summary and the log; holds no secret. */
export interface GitSetup {
  host: string;
  gitUsername: string;
  credentialFile: string;
  globalConfig: string;
  rewriteSshUrls: boolean;
  /** Earlier credentials of ours that this one replaced. */
  replaced: number;
}

/** What cleanup needs to find this set-up again; never secret. */
export interface GitState {
  id: string;
  /** False until everything was written: a post after a half-finished main still cleans up. */
  configured: boolean;
}

export interface GitPorts {
  places: GitEnvironment;
  /** Told the state before anything is written, and again once everything is. */
  remember?: (state: GitState) => void;
}

export async function setUpGit(settings: Settings, ports: GitPorts): Promise<GitSetup> {
  const id = newCredentialId();
  ports.remember?.({ id, configured: false });
  const leftovers = await remove(ports.places);
  const configured = await configure(
    {
      gitUrl: settings.gitUrl,
      authorization: gitAuthorization(settings.credential),
      rewriteSshUrls: settings.rewriteSshUrls,
    },
    ports.places,
    id,
  );
  ports.remember?.({ id, configured: true });
  return {
    host: settings.gitUrl.host,
    gitUsername: settings.credential.gitUsername,
    credentialFile: configured.credentialFile,
    globalConfig: configured.globalConfig,
    rewriteSshUrls: settings.rewriteSshUrls,
    replaced: leftovers.found,
  };
}
