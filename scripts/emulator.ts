/**
 * `npm run emulator`: a Bitbucket to try the command by hand. Starts the emulator (REST API and
 * a git server backed by git's own http-backend) on loopback with a demo account, prints
 * commands to paste into another terminal, and stops on Ctrl-C.
 *
 * The demo tokens are generated now and live only in files under a temporary directory (removed
 * on exit); the printed commands read them with $(cat …) so that they never appear on screen,
 * as a real token would not. GIT_CONFIG_GLOBAL points git at a throw-away global config there,
 * so `setup` leaves your own ~/.gitconfig alone.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemo } from "../test/emulator/demo-world.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const demo = await startDemo();
const { bitbucket, account } = demo;
const dir = await mkdtemp(join(tmpdir(), "bitbucket-emulator-"));
const file = async (name: string, token: string) => {
  await writeFile(join(dir, name), token, { mode: 0o600 });
  return join(dir, name);
};
const fit = await file("api-token", demo.token);
const narrow = await file(
  "narrow-api-token",
  bitbucket.issueApiToken(account, { scopes: ["read:repository:bitbucket"] }),
);
const access = await file(
  "access-token",
  bitbucket.issueAccessToken({
    kind: "repository",
    target: "acme/app",
    scopes: ["repository:write"],
  }),
);

const q = (text: string) => `'${text.replaceAll("'", `'"'"'`)}'`;
const urls = `--api-url ${bitbucket.apiUrl} --git-url ${bitbucket.gitUrl}`;
const lines = [
  `Bitbucket emulator: REST ${bitbucket.apiUrl}, git ${bitbucket.gitUrl}`,
  `Account ${demo.email} (write access to acme/app and acme/lib; acme/app has acme/lib as a submodule).`,
  "",
  "Paste into another terminal (bash or zsh):",
  "",
  `  alias bitbucket-auth=${q(`${q(process.execPath)} ${q(join(root, "dist", "cli.js"))}`)}`,
  `  export GIT_CONFIG_GLOBAL=${q(join(dir, "gitconfig"))}   # leaves your ~/.gitconfig alone`,
  `  export BITBUCKET_EMAIL=${demo.email}`,
  `  export BITBUCKET_API_TOKEN="$(cat ${q(fit)})"`,
  "",
  `  bitbucket-auth check ${urls} --repositories acme/app`,
  `  bitbucket-auth setup ${urls} --repositories "acme/app acme/lib"`,
  `  git clone --recurse-submodules ${bitbucket.gitUrl}/acme/app.git ${q(join(dir, "app"))}`,
  "  bitbucket-auth cleanup",
  `  git ls-remote ${bitbucket.gitUrl}/acme/app.git   # fails now: nothing is left`,
  "",
  "Tokens that are not fit, to see the messages:",
  "",
  `  BITBUCKET_API_TOKEN="$(cat ${q(narrow)})" bitbucket-auth check ${urls}`,
  `  BITBUCKET_API_TOKEN="$(cat ${q(access)})" BITBUCKET_EMAIL= bitbucket-auth check ${urls} --repositories acme/app`,
  `  BITBUCKET_API_TOKEN=hello bitbucket-auth check ${urls}`,
  "",
  "Press Ctrl-C to stop the emulator.",
];
process.stdout.write(`${lines.join("\n")}\n`);

async function stop(): Promise<void> {
  await bitbucket.close();
  await rm(dir, { recursive: true, force: true });
  process.stdout.write("Emulator stopped; its temporary files are removed.\n");
  process.exit(0);
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
