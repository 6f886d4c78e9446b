/**
 * After git's set-up, what the job's other clients need to use the same credential: variables
 * for cargo and Go (variables.ts), and, when asked for (`credential-files`), a netrc file and a
 * Composer home (netrc.ts, composer.ts). The files go into the credential's own directory (0700,
 * outside the workspace), each 0600, and are removed with it; only their paths are exported.
 *
 * Where a client's own settings decide what to add to (GOPRIVATE, Composer's home), the client
 * is asked (`go env`, `composer config`) when it is installed, and the environment is read when
 * it is not; a client that fails to answer is treated as not installed.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { COMPOSER_DIR, NETRC_FILE } from "../git/credential-dir.ts";
import type { Settings } from "../inputs/settings.ts";
import { type Env, runTool, withoutSecrets } from "../run-tool.ts";
import { composerAuth, parseComposerConfig } from "./composer.ts";
import { netrcEntries, netrcText, otherEntries } from "./netrc.ts";
import {
  CARGO_VARIABLE,
  cargoVariables,
  GO_VARIABLES,
  type GoVariable,
  goPatterns,
  goVariables,
} from "./variables.ts";

/** A client's answer about its own settings; its absence is never an error. */
const PROBE_SECONDS = 10;

/** What was set up for one client, for the summary and the log; holds no secret. */
export type ClientNote =
  | { client: "cargo"; exported: boolean; value: string }
  | { client: "go"; patterns: string[]; variables: string[] }
  | { client: "netrc"; file: string; machines: string[]; carried: number }
  | { client: "composer"; home: string; host: string; carried?: string };

export interface ClientSetup {
  /** Variables for later steps; never secret. */
  exports: Record<string, string>;
  notes: ClientNote[];
}

export interface ClientPlaces {
  /** The credential's own directory. */
  dir: string;
  home: string;
  env: Env;
}

export async function setUpClients(settings: Settings, places: ClientPlaces): Promise<ClientSetup> {
  const { env } = places;
  const exports: Record<string, string> = {};
  const notes: ClientNote[] = [];

  const cargo = cargoVariables(env);
  Object.assign(exports, cargo);
  notes.push({
    client: "cargo",
    exported: CARGO_VARIABLE in cargo,
    value: env[CARGO_VARIABLE] ?? cargo[CARGO_VARIABLE],
  });

  const patterns = goPatterns(settings.gitUrl, settings.repositories);
  const go = patterns.length > 0 ? goVariables(await goSettings(places), patterns) : {};
  Object.assign(exports, go);
  // A git URL with a port (a test server) can be no module's path: Go has nothing to be told.
  if (patterns.length > 0 || settings.repositories.length === 0)
    notes.push({ client: "go", patterns, variables: Object.keys(go) });

  if (settings.credentialFiles.includes("netrc")) {
    const entries = netrcEntries(settings.credential, settings.apiUrl, settings.gitUrl);
    const user = await readText(env.NETRC || path.join(places.home, ".netrc"));
    const carried =
      user === undefined
        ? []
        : otherEntries(
            user,
            entries.map((e) => e.machine),
          );
    const file = path.join(places.dir, NETRC_FILE);
    await writeSecret(file, netrcText(entries, carried));
    exports.NETRC = file;
    notes.push({
      client: "netrc",
      file,
      machines: entries.map((e) => e.machine),
      carried: carried.length,
    });
  }

  if (settings.credentialFiles.includes("composer")) {
    const user = await composerSettings(places);
    const home = path.join(places.dir, COMPOSER_DIR);
    await fs.mkdir(home, { mode: 0o700 });
    const userAuth = user.home ? await readText(path.join(user.home, "auth.json")) : undefined;
    await writeSecret(
      path.join(home, "auth.json"),
      composerAuth(settings.credential, settings.apiUrl, userAuth),
    );
    // The user's global config, global packages and (outside XDG) cache stay where they are.
    const entries = user.home ? await fs.readdir(user.home).catch(() => [] as string[]) : [];
    for (const name of entries)
      if (name !== "auth.json")
        await fs.symlink(path.join(user.home as string, name), path.join(home, name));
    exports.COMPOSER_HOME = home;
    if (user.cacheDir && !env.COMPOSER_CACHE_DIR) exports.COMPOSER_CACHE_DIR = user.cacheDir;
    notes.push({
      client: "composer",
      home,
      host: settings.apiUrl.host,
      carried: entries.length > 0 || userAuth !== undefined ? user.home : undefined,
    });
  }
  return { exports, notes };
}

/** GOPRIVATE, GONOPROXY and GONOSUMDB in force: `go env` (its env file too), else the environment. */
async function goSettings(places: ClientPlaces): Promise<Partial<Record<GoVariable, string>>> {
  // GOTOOLCHAIN=local: asking must never make go download a toolchain.
  const answer = await probe("go", ["env", ...GO_VARIABLES], places, { GOTOOLCHAIN: "local" });
  const lines = answer?.split("\n");
  const values: Partial<Record<GoVariable, string>> = {};
  GO_VARIABLES.forEach((name, i) => {
    const value = lines && lines.length >= GO_VARIABLES.length ? lines[i] : places.env[name];
    if (value) values[name] = value.trim();
  });
  return values;
}

/** Composer's global home and cache directory, as Composer itself resolves them. */
async function composerSettings(
  places: ClientPlaces,
): Promise<{ home?: string; cacheDir?: string }> {
  const answer = await probe(
    "composer",
    ["config", "--global", "--list", "--no-plugins", "--no-scripts", "--no-interaction"],
    places,
    { COMPOSER_ALLOW_SUPERUSER: "1", COMPOSER_NO_INTERACTION: "1" },
  );
  if (answer !== undefined) return parseComposerConfig(answer);
  return { home: places.env.COMPOSER_HOME || undefined };
}

/** A client's stdout, or undefined when it is not installed or does not answer cleanly. */
async function probe(file: string, args: string[], places: ClientPlaces, extra: Env) {
  try {
    const env = { ...withoutSecrets(places.env), ...extra };
    const cwd = path.dirname(places.dir); // the temp dir: never the workspace
    const answer = await runTool(file, args, { cwd, env, seconds: PROBE_SECONDS });
    return answer.code === 0 ? answer.stdout : undefined;
  } catch {
    return undefined;
  }
}

const readText = (file: string) => fs.readFile(file, "utf8").catch(() => undefined);

const writeSecret = (file: string, text: string) =>
  fs.writeFile(file, text, { flag: "wx", mode: 0o600 });
