/**
 * The last step of a successful check: git credentials for the rest of the job, proven through
 * git itself, or nothing at all.
 *
 * The action (git ≥ 2.32) gives the job a global config of its own in RUNNER_TEMP, exported as
 * GIT_CONFIG_GLOBAL: the user's global config is never touched. The command (Pipelines and
 * terminals), and the action with an older git, include the credential from the user's global
 * config, under git's lock. Several credentials compose: each covers what it was proven for, the
 * later one wins where two cover the same URLs, and each removal takes only its own.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { gitAuthorization, secretForms } from "../inputs/credential.ts";
import type { Settings } from "../inputs/settings.ts";
import { type Problem, problem } from "../messages/index.ts";
import type { Report } from "../verdict.ts";
import { addCredentialBlock, followLinks } from "./config-file.ts";
import { baseOf, credentialConfig, scopesFor } from "./credential-file.ts";
import {
  assertWritableConfig,
  createJobConfig,
  existingJobConfig,
  globalConfigPath,
} from "./global-config.ts";
import {
  CREDENTIAL_FILE,
  createCredentialDir,
  type GitEnvironment,
  JOB_CONFIG_FILE,
  newCredentialId,
  realTempDir,
  type Written,
  writeNote,
} from "./places.ts";
import { assertParses, checkRewrites, proveInForce, proveRead } from "./proof.ts";
import { removeWritten } from "./remove.ts";
import { compareVersions, findGit, JOB_CONFIG_VERSION } from "./run-git.ts";

/** What was configured, for the summary and the log; holds no secret. */
export interface GitSetup {
  host: string;
  gitUsername: string;
  /** URL prefixes the credential applies to: the host, or a repository access token's repositories. */
  scopes: string[];
  credentialFile: string;
  /** The config file that includes the credential. */
  globalConfig: string;
  /** True: a global config for this job only (GIT_CONFIG_GLOBAL); false: the user's. */
  jobConfig: boolean;
  rewriteSshUrls: boolean;
  /** Earlier credentials of ours, still configured, that cover the same URLs: this one wins. */
  replaced: number;
  /** Variables later steps need (the action exports them). */
  exports: Record<string, string>;
  /** What git itself proved: the repository it listed, or the host it reads the credential for. */
  proven: string;
  warnings: Problem[];
}

/** What cleanup needs to find this set-up again; never secret. */
export interface GitState {
  id: string;
  dir?: string;
  config?: string;
  /** False until everything was written and proven: a post after a half-finished main still cleans up. */
  configured: boolean;
}

export interface GitPorts {
  places: GitEnvironment;
  /** The action: credentials for this job only, when git can (2.32+); else the user's global config. */
  forJob?: boolean;
  /** Told the state before anything is written, and again once everything is. */
  remember?: (state: GitState) => void;
}

export async function setUpGit(
  settings: Settings,
  report: Report,
  ports: GitPorts,
): Promise<GitSetup> {
  const { places } = ports;
  const temp = await realTempDir(places);
  const git = await findGit(places.env, temp, settings.timeoutMs);
  await assertParses(git, {}); // a config git cannot read is reported, never added to

  const warnings: Problem[] = [];
  const repositoryToken = report.tokenKind === "repository-access-token";
  if (repositoryToken && settings.repositories.length === 0)
    warnings.push(problem("repository-token-host-wide", {}));
  const fullNames = settings.repositories.map((r) => r.fullName);
  const scopes = scopesFor(settings.gitUrl, repositoryToken ? fullNames : undefined);

  const forJob = ports.forJob === true && compareVersions(git.version, JOB_CONFIG_VERSION) >= 0;
  const shared = forJob ? await existingJobConfig(places.env, temp) : undefined;
  const userConfig = forJob ? undefined : await followLinks(globalConfigPath(places));
  if (userConfig) await assertWritableConfig(userConfig);

  const id = newCredentialId();
  const dir = await createCredentialDir(temp, id);
  const config = userConfig ?? shared ?? path.join(dir, JOB_CONFIG_FILE);
  const written: Written = { id, dir, config };
  ports.remember?.({ ...written, configured: false });
  const credentialFile = path.join(dir, CREDENTIAL_FILE);
  let replaced = 0;
  const env = forJob ? { GIT_CONFIG_GLOBAL: config } : {};
  const proven =
    fullNames.length > 0 ? `${baseOf(settings.gitUrl)}/${fullNames[0]}.git` : scopes[0];
  const authorization = gitAuthorization(settings.credential);
  try {
    await writeNote(written, places.session);
    const text = credentialConfig({ ...settings, authorization, scopes });
    await fs.writeFile(credentialFile, text, { flag: "wx", mode: 0o600 });
    if (forJob && !shared) await createJobConfig(dir, places);
    replaced = await addCredentialBlock(config, id, credentialFile, scopes);

    await assertParses(git, env);
    warnings.push(...(await checkRewrites(git, env, proven)));
    const secrets = secretForms(settings.credential.token, settings.credential.email);
    if (fullNames.length > 0) await proveRead(git, env, proven, secrets);
    else await proveInForce(git, env, proven, `Authorization: ${authorization}`);
  } catch (error) {
    await removeWritten(written, { deleteJobConfig: forJob && !shared }).catch(() => {});
    throw error;
  }
  ports.remember?.({ ...written, configured: true });
  if (replaced > 0)
    warnings.push(problem("credentials-replaced", { count: replaced, scope: scopes.join(" ") }));
  return {
    host: settings.gitUrl.host,
    gitUsername: settings.credential.gitUsername,
    scopes,
    credentialFile,
    globalConfig: config,
    jobConfig: forJob,
    rewriteSshUrls: settings.rewriteSshUrls,
    replaced,
    exports: forJob ? { GIT_CONFIG_GLOBAL: config } : {},
    proven,
    warnings,
  };
}
