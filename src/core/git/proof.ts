/**
 * Proof through git itself, with exactly the configuration later steps will see: git still
 * parses it, no `url.*.insteadOf` sends the Bitbucket URL elsewhere (SSH, typically), and
 * `git ls-remote` of the first listed repository answers. Prompts and credential helpers are
 * off, so the proof is of the credential configured and nothing else.
 */
import { type Problem, problem } from "../messages/index.ts";
import { Failure } from "../outcome.ts";
import type { Env, Git } from "./run-git.ts";

/** git can read every config file it would read (before set-up: nothing is touched if not). */
export async function assertParses(git: Git, env: Env): Promise<void> {
  const answer = await git.run(["config", "--list", "--name-only"], env);
  if (answer.code !== 0)
    throw new Failure("bad-input", [
      problem("git-config-unparsable", { reason: lastLines(answer.stderr) }),
    ]);
}

interface Rewrite {
  /** The config file it comes from. */
  file: string;
  /** `insteadOf` or `pushInsteadOf`. */
  key: string;
  /** What the URL becomes. */
  to: string;
  /** The prefix it replaces. */
  prefix: string;
}

/**
 * A `url.<to>.insteadOf <prefix>` that rewrites `url` means git never uses the credential for
 * it: an error naming the file. A pushInsteadOf only sends pushes elsewhere: a warning.
 */
export async function checkRewrites(git: Git, env: Env, url: string): Promise<Problem[]> {
  const answer = await git.run(
    ["config", "--show-origin", "-z", "--get-regexp", "^url\\..*\\.(insteadof|pushinsteadof)$"],
    env,
  );
  if (answer.code === 1) return []; // none at all
  if (answer.code !== 0)
    throw new Failure("bad-input", [
      problem("git-config-unparsable", { reason: lastLines(answer.stderr) }),
    ]);
  const warnings: Problem[] = [];
  for (const key of ["insteadof", "pushinsteadof"]) {
    const rule = longestRewrite(parseRewrites(answer.stdout), key, url);
    if (!rule) continue;
    const params = { url, to: rule.to, prefix: rule.prefix, file: rule.file };
    if (key === "insteadof") throw new Failure("bad-input", [problem("git-url-rewritten", params)]);
    warnings.push(problem("git-push-rewritten", params));
  }
  return warnings;
}

/** `git config --show-origin -z --get-regexp` output: origin NUL key LF value NUL, repeated. */
export function parseRewrites(output: string): Rewrite[] {
  const fields = output.split("\0");
  const rules: Rewrite[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const origin = fields[i];
    const newline = fields[i + 1].indexOf("\n");
    const name = fields[i + 1].slice(0, newline < 0 ? undefined : newline);
    const prefix = newline < 0 ? "" : fields[i + 1].slice(newline + 1);
    const dot = name.lastIndexOf(".");
    rules.push({
      file: origin.replace(/^file:/, ""),
      key: name.slice(dot + 1),
      to: name.slice("url.".length, dot),
      prefix,
    });
  }
  return rules;
}

/** git's rule: the longest matching prefix wins. */
function longestRewrite(rules: Rewrite[], key: string, url: string): Rewrite | undefined {
  let best: Rewrite | undefined;
  for (const rule of rules) {
    if (rule.key !== key || rule.prefix === "" || !url.startsWith(rule.prefix)) continue;
    if (`${rule.to}${url.slice(rule.prefix.length)}` === url) continue;
    if (!best || rule.prefix.length > best.prefix.length) best = rule;
  }
  return best;
}

/** git lists the repository's HEAD with the credential configured; a failure says git's reason. */
export async function proveRead(git: Git, env: Env, url: string, secrets: string[]): Promise<void> {
  const answer = await git.run(["-c", "credential.helper=", "ls-remote", url, "HEAD"], env);
  if (answer.code !== 0)
    throw new Failure("bad-input", [
      problem("git-proof-failed", { url, reason: redact(lastLines(answer.stderr), secrets) }),
    ]);
}

/**
 * With no repository to list, git proves the header it would send to the host is ours: the
 * value is compared here and never shown.
 */
export async function proveInForce(git: Git, env: Env, url: string, header: string): Promise<void> {
  const answer = await git.run(["config", "-z", "--get-urlmatch", "http.extraheader", url], env);
  if (answer.code !== 0 || answer.stdout !== `${header}\0`)
    throw new Failure("bad-input", [
      problem("git-proof-failed", {
        url,
        reason:
          answer.code === 0
            ? "git would send another Authorization header there (a later http.*.extraHeader in git's config?)"
            : "git would send no Authorization header there",
      }),
    ]);
}

/** The end of git's stderr: where it says what went wrong. */
function lastLines(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return lines.slice(-3).join(" ") || "no message";
}

/** A server's text (`remote: …`) could repeat the credential; then none of it is shown. */
function redact(text: string, secrets: string[]): string {
  const lower = text.toLowerCase();
  return secrets.some((s) => lower.includes(s.toLowerCase()))
    ? "(git's message repeated the credential, so it is not shown)"
    : text;
}
