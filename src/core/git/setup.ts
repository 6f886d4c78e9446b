/**
 * The last step of a successful check: replace any credential of ours already in the global git
 * config (a crashed job on a reused runner, or an earlier run of this step) with this one, so
 * exactly one is in force.
 */
import { gitAuthorization } from "../inputs/credential.ts";
import type { Settings } from "../inputs/settings.ts";
import { configure, type Places, remove } from "./git-credentials.ts";

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

export async function setUpGit(settings: Settings, places: Places, id: string): Promise<GitSetup> {
  const leftovers = await remove(places);
  const configured = await configure(
    {
      gitUrl: settings.gitUrl,
      authorization: gitAuthorization(settings.credential),
      rewriteSshUrls: settings.rewriteSshUrls,
    },
    places,
    id,
  );
  return {
    host: settings.gitUrl.host,
    gitUsername: settings.credential.gitUsername,
    credentialFile: configured.credentialFile,
    globalConfig: configured.globalConfig,
    rewriteSshUrls: settings.rewriteSshUrls,
    replaced: leftovers.found,
  };
}
