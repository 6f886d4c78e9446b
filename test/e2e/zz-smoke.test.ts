import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { startBitbucket } from "/work/wt-git/test/emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "/work/wt-git/test/emulator/demo-world.ts";
import { newJob, runGit, runMain, runPost } from "/work/wt-git/test/harness/runner.ts";

test("smoke", async () => {
  const bb = await startBitbucket();
  const alice = bb.addAccount({ email: "a@example.com", username: "alice" });
  bb.addRepository("acme/app");
  bb.grant(alice, "acme", "write");
  const token = bb.issueApiToken(alice, { scopes: DEFAULT_SCOPES });
  const job = await newJob({ gitconfig: "[user]\n\tname = X\n" });
  const main = await runMain(job, {
    email: alice.email,
    "api-token": token,
    "api-url": bb.apiUrl,
    "git-url": bb.gitUrl,
    repositories: "acme/app",
  });
  console.log(main.code, main.stdout, main.stderr, main.exported, main.savedState);
  for (const d of readdirSync(job.runnerTemp))
    console.log(d, existsSync(join(job.runnerTemp, d)) && readdirSync(join(job.runnerTemp, d)));
  const ls = await runGit(job, ["ls-remote", `${bb.gitUrl}/acme/app.git`]);
  console.log("ls", ls.code, ls.stdout, ls.stderr);
  const post = await runPost(job);
  console.log(post.code, post.stdout, post.stderr);
  console.log(readFileSync(job.exported ? job.env.GIT_CONFIG_GLOBAL : "", "utf8"));
  console.log(readFileSync(join(job.home, ".gitconfig"), "utf8"));
  await job.close();
  await bb.close();
});
