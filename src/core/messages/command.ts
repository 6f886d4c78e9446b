/** The command line (and the pipe): usage errors and what the command writes beside git. */
import { message } from "./define.ts";

const HELP = "Run `bitbucket-auth --help` for usage.";

export const COMMAND_MESSAGES = {
  "token-flag": message({
    group: "command",
    about: "usage",
    text: (p: { flag: string }) =>
      `The token is never a flag (${p.flag}): argument lists are visible to every process on the machine.`,
    fix: () => "Set BITBUCKET_API_TOKEN, or pipe the token in with --token-stdin.",
    example: { flag: "--token" },
  }),
  "no-command": message({
    group: "command",
    about: "usage",
    text: () => "A command is needed: check, setup or cleanup.",
    fix: () => HELP,
    example: {},
  }),
  "unknown-command": message({
    group: "command",
    about: "usage",
    text: (p: { shown: string }) => `Unknown command ${p.shown}: check, setup or cleanup.`,
    fix: () => HELP,
    example: { shown: '"chek"' },
  }),
  "unknown-option": message({
    group: "command",
    about: "usage",
    text: (p: { shown: string }) => `Unknown option ${p.shown}.`,
    fix: () => HELP,
    example: { shown: '"--emial"' },
  }),
  "missing-value": message({
    group: "command",
    about: "usage",
    text: (p: { flag: string }) => `${p.flag} needs a value.`,
    fix: (p) => `Write ${p.flag}=<value> or ${p.flag} <value>. ${HELP}`,
    example: { flag: "--repositories" },
  }),
  "flag-takes-no-value": message({
    group: "command",
    about: "usage",
    text: (p: { flag: string }) => `${p.flag} takes no value.`,
    fix: (p) => `Write just ${p.flag}. ${HELP}`,
    example: { flag: "--rewrite-ssh-urls" },
  }),
  "unexpected-argument": message({
    group: "command",
    about: "usage",
    text: (p: { shown: string; after?: string }) =>
      `Unexpected argument ${p.shown}${p.after ? ` after ${p.after}` : ""}.`,
    fix: (p) =>
      p.after
        ? `A list is one argument: quote it, e.g. ${p.after} "acme/app acme/lib", or separate the items with commas.`
        : HELP,
    example: { shown: '"acme/lib"', after: "--repositories" },
  }),
  "export-needs-setup": message({
    group: "command",
    about: "usage",
    text: (p: { command: string }) =>
      `--export belongs to \`bitbucket-auth setup\`: \`${p.command}\` sets up nothing for later commands.`,
    fix: () => 'Write `eval "$(bitbucket-auth setup --export …)"`, or leave --export out.',
    example: { command: "check" },
  }),
  "exports-not-applied": message({
    group: "command",
    about: "environment",
    text: (p: { names: string[] }) =>
      `Later commands also need ${p.names.join(", ")} (shown above), which a command cannot set in the shell that runs it: run setup as \`eval "$(bitbucket-auth setup --export …)"\` with the same flags, or export them yourself.`,
    example: { names: ["CARGO_NET_GIT_FETCH_WITH_CLI", "GOPRIVATE"] },
  }),
  "output-variables-failed": message({
    group: "command",
    about: "output variables",
    text: (p: { file: string; reason: string }, r) =>
      `Could not append the output variables to ${r.untrusted(p.file)}: ${r.untrusted(p.reason)}.`,
    fix: () =>
      "The token was proven and git is set up; only later steps' BITBUCKET_AUTH_* variables are missing. Check that the step's output-variables file is writable.",
    example: {
      file: "/opt/atlassian/pipelines/agent/tmp/pipelinesVariables",
      reason: "EACCES: permission denied",
    },
  }),
};
