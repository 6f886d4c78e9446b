/**
 * `npm run emulator` is how a newcomer tries the command by hand: its printed commands must work
 * when pasted into a shell, in order, and Ctrl-C must stop it and leave nothing behind.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../harness/runner.ts";

test("npm run emulator: the printed commands work as pasted, and Ctrl-C cleans up", async () => {
  const home = mkdtempSync(join(tmpdir(), "emulator-home-"));
  const child = spawn(process.execPath, [join(REPO_ROOT, "scripts", "emulator.ts")], {
    env: { PATH: process.env.PATH ?? "", HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let output = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        output += chunk;
        if (output.includes("Press Ctrl-C")) resolve();
      });
      child.on("exit", () => reject(new Error(`the emulator stopped early:\n${output}`)));
    });
    const commands = output
      .split("\n")
      .filter((line) => line.startsWith("  "))
      .map((line) => line.trim());
    assert.ok(commands.length >= 10, output);
    const dir = /GIT_CONFIG_GLOBAL='([^']+)\/gitconfig'/.exec(output)?.[1] ?? "";
    assert.ok(existsSync(dir), "its temporary directory exists while it runs");

    // Each command prints its exit code, as a person pasting them would see it.
    const script = [
      "shopt -s expand_aliases",
      ...commands.map((c, i) => `${c.replace(/ +# .*$/, "")}\necho "exit $? <- command ${i}"`),
    ].join("\n");
    const shell = spawnSync("bash", ["-c", script], {
      env: { PATH: process.env.PATH ?? "", HOME: home },
      encoding: "utf8",
      timeout: 60_000,
    });
    const codes = [...shell.stdout.matchAll(/^exit (\d+) <- command (\d+)$/gm)].map(
      ([, code, i]) => [commands[Number(i)], Number(code)] as const,
    );
    const text = `${shell.stdout}\n${shell.stderr}`;
    assert.deepEqual(
      codes.map(([, code]) => code),
      [0, 0, 0, 0, 0, 0, 0, 0, 128, 1, 0, 2],
      `${JSON.stringify(codes)}\n${text}`,
    );
    assert.match(text, /✔ The token is fit for use/);
    assert.match(text, /lacks 3 required scopes/);
    assert.match(text, /too short to be a Bitbucket token/);
    assert.ok(existsSync(join(dir, "app", "lib", "README.md")), "the clone has its submodule");
    assert.ok(!existsSync(join(home, ".gitconfig")), "the user's own git config was not touched");

    const stopped = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    assert.equal(await stopped, 0);
    assert.ok(!existsSync(dir), "Ctrl-C removed its temporary files");
  } finally {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
});
