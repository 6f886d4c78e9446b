/**
 * `npm start`: the product's main job.
 *
 * With BITBUCKET_API_TOKEN set, it checks that token against Bitbucket Cloud (the command's
 * `check`; the email from BITBUCKET_EMAIL; more flags after `--`). Without it, nothing real is
 * reachable, so it runs the demo: the bundled action, exactly as the GitHub runner runs it,
 * against the Bitbucket emulator and real git on loopback — main step, later steps using plain
 * git, post step — and then a token that is not fit.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemo } from "../test/emulator/demo-world.ts";
import { newJob, runGit, runMain, runPost, type StepResult } from "../test/harness/runner.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

if (process.env.BITBUCKET_API_TOKEN) {
  const result = spawnSync(
    process.execPath,
    [join(root, "dist/cli.js"), "check", ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(result.status ?? 1);
}

const bold = (t: string) => (process.stdout.isTTY ? `\u001b[1m${t}\u001b[0m` : t);
const heading = (t: string) =>
  console.log(`\n${bold(`── ${t} ${"─".repeat(Math.max(0, 70 - t.length))}`)}`);

const demo = await startDemo();
const { bitbucket } = demo;
const job = await newJob({ gitconfig: "[user]\n\tname = Demo\n\temail = demo@example.com\n" });
// What the runner does with ::add-mask:: values before a line reaches the log.
const masked = (text: string) => job.masks.reduce((t, secret) => t.split(secret).join("***"), text);
const show = (step: StepResult) => {
  const log = step.stdout
    .split("\n")
    .filter(
      (line) => line !== "" && !line.startsWith("::add-mask::") && !line.startsWith("::debug::"),
    )
    .map((line) => `  ${masked(line)}`);
  console.log(log.join("\n"));
};

try {
  console.log(
    "No BITBUCKET_API_TOKEN in the environment: running the demo against the bundled emulator.",
  );
  console.log(
    `Bitbucket REST ${bitbucket.apiUrl}, git ${bitbucket.gitUrl}; account ${demo.email}.`,
  );

  heading("Step 1: uses bitbucket-api-token-auth (main)");
  const inputs = {
    email: demo.email,
    "api-token": demo.token,
    "api-url": bitbucket.apiUrl,
    "git-url": bitbucket.gitUrl,
    repositories: "acme/app acme/lib",
  };
  const main = await runMain(job, inputs);
  show(main);
  console.log(`  exit code ${main.code}; outputs:`);
  for (const [name, value] of Object.entries(main.outputs))
    console.log(`    ${name} = ${masked(value)}`);
  heading("Job summary (markdown)");
  console.log(masked(main.summary));

  heading("Step 2: run: git clone --recurse-submodules, commit, push");
  const clone = await runGit(job, [
    "clone",
    "--recurse-submodules",
    `${bitbucket.gitUrl}/acme/app.git`,
    "app",
  ]);
  console.log(
    `  git clone: exit ${clone.code}${existsSync(join(job.workspace, "app/lib/README.md")) ? " (submodule lib cloned too)" : ""}`,
  );
  const cwd = join(job.workspace, "app");
  await runGit(job, ["commit", "--allow-empty", "-m", "Built by CI"], { cwd });
  const push = await runGit(job, ["push", "origin", "HEAD:refs/heads/demo-ci"], { cwd });
  console.log(`  git push: exit ${push.code}`);

  heading("Post step: cleanup");
  const post = await runPost(job);
  show(post);
  const gitconfig = readFileSync(join(job.home, ".gitconfig"), "utf8");
  console.log(
    `  ~/.gitconfig was never touched (the job had a git config of its own): ${JSON.stringify(gitconfig)}`,
  );
  const after = await runGit(job, ["ls-remote", `${bitbucket.gitUrl}/acme/app.git`]);
  console.log(
    `  git ls-remote after cleanup: exit ${after.code} (${after.stderr.trim().split("\n").pop()})`,
  );

  heading("Another job: a token without write:repository and read:user");
  const narrow = bitbucket.issueApiToken(demo.account, {
    scopes: ["read:repository:bitbucket", "read:workspace:bitbucket"],
  });
  const other = await newJob();
  try {
    const failed = await runMain(other, { ...inputs, "api-token": narrow });
    for (const a of failed.annotations.filter((x) => x.level === "error"))
      console.log(`  ::error:: ${a.message}`);
    console.log(
      `  exit code ${failed.code}; nothing configured: ${existsSync(join(other.home, ".gitconfig")) ? "NO" : "yes"}`,
    );
  } finally {
    await other.close();
  }

  heading("The same checks from a terminal or Bitbucket Pipelines");
  // Asynchronously: the emulator answering it lives in this process.
  const cli = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(root, "dist/cli.js"),
        "check",
        "--email",
        demo.email,
        "--api-url",
        bitbucket.apiUrl,
        "--git-url",
        bitbucket.gitUrl,
        "--repositories",
        "acme/app",
      ],
      {
        env: { PATH: process.env.PATH ?? "", HOME: job.home, BITBUCKET_API_TOKEN: demo.token },
      },
    );
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stdout += d));
    child.on("close", (status) => resolve({ stdout, status }));
  });
  console.log(
    `  $ BITBUCKET_API_TOKEN=*** bitbucket-auth check --email ${demo.email} --repositories acme/app …`,
  );
  console.log(masked(cli.stdout).replace(/^/gm, "  ").trimEnd());
  console.log(`  exit code ${cli.status}`);
  console.log(
    "\nTo check a real token: BITBUCKET_EMAIL=you@example.com BITBUCKET_API_TOKEN=… npm start -- --repositories workspace/repo",
  );
} finally {
  await job.close();
  await bitbucket.close();
}
