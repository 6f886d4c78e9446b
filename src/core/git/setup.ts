/**
 * The last step of a successful check: git credentials for the rest of the job, proven through
 * git itself, or nothing at all.
 *
 * The action (git ≥ 2.31) includes the credential through the job's environment
 * (GIT_CONFIG_COUNT/_KEY_n/_VALUE_n, exported to later steps): no config file is written, the
 * user's global config is never touched, and no other job sees it. The command (Pipelines and
 * terminals), and the action with an older git, include it from the user's global config, under
 * git's lock. Several credentials compose: each covers what it was proven for, the later one wins
 * where two cover the same URLs, and each removal takes only its own.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { type ClientNote, setUpClients } from "../clients/setup.ts";
import { gitAuthorization, secretForms } from "../inputs/credential.ts";
import type { Settings } from "../inputs/settings.ts";
import { type Problem, problem } from "../messages/index.ts";
import type { Report } from "../verdict.ts";
import { addCredentialBlock, followLinks } from "./config-file.ts";
import {
  CREDENTIAL_FILE,
  createCredentialDir,
  type GitEnvironment,
  newCredentialId,
  readNote,
  realTempDir,
  type Written,
  writeNote,
} from "./credential-dir.ts";
import { baseOf, credentialConfig, scopesFor } from "./credential-file.ts";
import {
  assertWritableConfig,
  environmentIncludes,
  globalConfigPath,
  includeVariables,
} from "./global-config.ts";
import { assertParses, checkRewrites, proveInForce, proveRead } from "./proof.ts";
import { removeWritten } from "./remove.ts";
import { compareVersions, ENVIRONMENT_CONFIG_VERSION, findGit } from "./run-git.ts";

/** What was configured, for the summary and the log; holds no secret. */
export interface GitSetup {
  host: string;
  gitUsername: string;
  /** URL prefixes the credential applies to: the host, or a repository access token's repositories. */
  scopes: string[];
  credentialFile: string;
  /** The config file that includes the credential; none when the job's environment does. */
  globalConfig?: string;
  /** True: included through the job's environment, for this job only; false: the global config. */
  jobConfig: boolean;
  rewriteSshUrls: boolean;
  /** Earlier credentials of ours, still configured, that cover the same URLs: this one wins. */
  replaced: number;
  /** Variables later steps need, git's and the other clients' (the action exports them). */
  exports: Record<string, string>;
  /** What the other clients were given (cargo, Go, netrc, Composer). */
  clients: ClientNote[];
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
  environment: GitEnvironment;
  /** The action: credentials for this job only, when git can (2.31+); else the global config. */
  forJob?: boolean;
  /** Told the state before anything is written, and again once everything is. */
  remember?: (state: GitState) => void;
}

export async function setUpGit(
  settings: Settings,
  report: Report,
  ports: GitPorts,
): Promise<GitSetup> {
  const { environment } = ports;
  const temp = await realTempDir(environment);
  const git = await findGit(environment.env, temp, settings.timeoutMs);
  await assertParses(git, {}); // a config git cannot read is reported, never added to

  const warnings: Problem[] = [];
  const repositoryToken = report.tokenKind === "repository-access-token";
  if (repositoryToken && settings.repositories.length === 0)
    warnings.push(problem("repository-token-host-wide", {}));
  const fullNames = settings.repositories.map((r) => r.fullName);
  const scopes = scopesFor(settings.gitUrl, repositoryToken ? fullNames : undefined);

  const forJob =
    ports.forJob === true && compareVersions(git.version, ENVIRONMENT_CONFIG_VERSION) >= 0;
  const config = forJob ? undefined : await followLinks(globalConfigPath(environment));
  if (config) await assertWritableConfig(config);

  const id = newCredentialId();
  const dir = await createCredentialDir(temp, id);
  const written: Written = { id, dir, config };
  ports.remember?.({ ...written, configured: false });
  const credentialFile = path.join(dir, CREDENTIAL_FILE);
  const exports = forJob ? includeVariables(environment.env, credentialFile) : {};
  let replaced = 0;
  let clients: Awaited<ReturnType<typeof setUpClients>>;
  const proven =
    fullNames.length > 0 ? `${baseOf(settings.gitUrl)}/${fullNames[0]}.git` : scopes[0];
  const authorization = gitAuthorization(settings.credential);
  try {
    await writeNote(written, scopes, environment.session);
    const text = credentialConfig({ ...settings, authorization, scopes });
    await fs.writeFile(credentialFile, text, { flag: "wx", mode: 0o600 });
    replaced = config
      ? await addCredentialBlock(config, id, credentialFile, scopes)
      : await earlierCovering(environment.env, scopes);

    // Exactly what later steps will see: the job's environment with the exports added.
    await assertParses(git, exports);
    warnings.push(...(await checkRewrites(git, exports, proven)));
    const secrets = secretForms(settings.credential.token, settings.credential.email);
    if (fullNames.length > 0) await proveRead(git, exports, proven, secrets);
    else await proveInForce(git, exports, proven, `Authorization: ${authorization}`);
    clients = await setUpClients(settings, { dir, home: environment.home, env: environment.env });
  } catch (error) {
    await removeWritten(written).catch(() => {});
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
    exports: { ...exports, ...clients.exports },
    clients: clients.notes,
    proven,
    warnings,
  };
}

/** Earlier credentials of ours the environment includes, still there, covering one of `scopes`. */
async function earlierCovering(env: GitEnvironment["env"], scopes: string[]): Promise<number> {
  let count = 0;
  for (const file of environmentIncludes(env)) {
    if (path.basename(file) !== CREDENTIAL_FILE) continue;
    const note = await readNote(path.dirname(file)); // empty unless a directory of ours

    const covered = Array.isArray(note.scopes) ? note.scopes : [];
    if (covered.some((s) => scopes.includes(s))) count++;
  }
  return count;
}
