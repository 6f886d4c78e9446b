import { startBitbucket } from "./../emulator/bitbucket.ts";
import { DEFAULT_SCOPES } from "../emulator/demo-world.ts";
import { newJob, runMain } from "../harness/runner.ts";

const bb = await startBitbucket();
try {
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
  });
  console.log(
    main.code,
    main.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask"))
      .join("\n"),
  );
  await job.close();
} finally {
  await bb.close();
}
