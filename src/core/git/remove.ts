/**
 * Removal mirrors set-up: the block goes from the config file (under git's lock; the file is
 * then byte for byte what it was, or deleted if set-up created it), then the credential file and
 * its directory. An include through the job's environment stays set for the rest of the job (an
 * exported variable cannot be taken back); git ignores an include whose file is gone.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { cutBlocks, editConfig, followLinks, listBlocks, readText } from "./config-file.ts";
import {
  CREDENTIAL_FILE,
  type GitEnvironment,
  removeCredentialDir,
  sessionCredentials,
  type Written,
} from "./credential-dir.ts";
import { userGlobalConfigs } from "./global-config.ts";

export interface Removal {
  /** Files changed or deleted, for the log. */
  removed: string[];
  /** Credentials of ours found: blocks cut from config files, or files of environment includes. */
  found: number;
  /** Credential files an include block named that were already gone (RUNNER_TEMP emptied early). */
  missing: string[];
}

/** Removes one set-up (the action's post step, or a set-up rolled back). */
export async function removeWritten(written: Partial<Written> & { id: string }): Promise<Removal> {
  const removal: Removal = { removed: [], found: 0, missing: [] };
  if (written.config && (await readText(await followLinks(written.config))) !== undefined)
    await cutFrom(written.config, (id) => id === written.id, removal);
  if (written.dir) {
    const credentialFile = path.join(written.dir, CREDENTIAL_FILE);
    const had = await exists(credentialFile);
    removal.removed.push(...(await removeCredentialDir(written.dir)));
    // Included through the environment: the credential file is all there is to find.
    if (!written.config && had) removal.found++;
    if (written.config && !had && removal.found > 0) removal.missing.push(credentialFile);
  }
  return removal;
}

/**
 * `bitbucket-auth cleanup`: every credential set up from this temp dir by this session, found
 * through the notes in their directories (so a GIT_CONFIG_GLOBAL changed since set-up does not
 * hide one), and blocks of ours in the global config whose credential file is gone.
 */
export async function cleanUpSession(environment: GitEnvironment): Promise<Removal> {
  const removal: Removal = { removed: [], found: 0, missing: [] };
  const temp = await fs.realpath(path.resolve(environment.tempDir)).catch(() => undefined);
  const mine = temp ? await sessionCredentials(temp, environment.session) : [];
  const ids = new Set(mine.map((w) => w.id));
  const configs = new Set<string>();
  for (const file of [...mine.map((w) => w.config), ...userGlobalConfigs(environment)])
    if (file) configs.add(await followLinks(file));
  for (const config of configs) {
    const text = await readText(config);
    if (text === undefined) continue;
    const dead = new Set<string>();
    for (const block of listBlocks(text))
      if (block.includePath && !(await exists(block.includePath))) dead.add(block.id);
    await cutFrom(config, (id) => ids.has(id) || dead.has(id), removal);
  }
  for (const written of mine) removal.removed.push(...(await removeCredentialDir(written.dir)));
  return removal;
}

/** Cuts the blocks `pick` names from a config file under git's lock; touches nothing if none. */
async function cutFrom(config: string, pick: (id: string) => boolean, removal: Removal) {
  const text = await readText(await followLinks(config));
  if (text === undefined || !cutBlocks(text, (b) => pick(b.id)).cut.length) return;
  let cut = 0;
  const edited = await editConfig(config, (current) => {
    if (current === undefined) return undefined;
    const result = cutBlocks(current, (b) => pick(b.id));
    cut = result.cut.length;
    // Deleted only if set-up created the file and nothing else was added to it since.
    return result.kept === "" && result.cut.some((b) => b.createdFile) ? undefined : result.kept;
  });
  removal.found += cut;
  if (cut > 0) removal.removed.push(edited);
}

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );
