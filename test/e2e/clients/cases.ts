/**
 * The private dependencies a CI job fetches from Bitbucket, and the real clients that fetch them
 * (test/e2e/clients.test.ts). Each case is what a later step of the job would run, with nothing
 * but the environment the step left: no credential of the case's own, no flag pointing at a
 * test host. The repositories live in the emulator under bitbucket.org's own name.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bitbucket } from "../../emulator/bitbucket.ts";

/** What a case needs of the job: a directory of its own and a way to run a command there. */
export interface Step {
  /** A fresh directory inside the job's workspace, for this case alone. */
  dir: string;
  /** HOME of the job (clients keep their caches there). */
  home: string;
  /** The environment later steps get. */
  env: Record<string, string>;
  /** The emulator: what reached which host. */
  bb: Bitbucket;
  /** Runs a command as a later step (argument lists recorded for the leak check); throws on failure. */
  run(file: string, args: string[], opts?: RunOptions): Promise<string>;
  /** The same, for a command that must fail: its output. */
  fail(file: string, args: string[], opts?: RunOptions): Promise<string>;
}

export interface RunOptions {
  cwd?: string;
  /** Variables on top of the step's environment. */
  env?: Record<string, string>;
}

export interface ClientCase {
  name: string;
  run(step: Step): Promise<void>;
}

/** One job's results (world.ts writes it, clients.test.ts reads it): a check's name → result. */
export type Report = Record<string, { ok: boolean; error?: string; ms: number }>;
export const STEP = "the step sets up the job";
export const CLEANUP = "cleanup leaves nothing behind";

/** One LFS object: bytes a pointer file cannot be mistaken for. */
export const LFS_CONTENT = `${"binary-ish asset\n".repeat(64)}`;

/** Every repository the cases fetch: the step is told to prove them all. */
export function addDependencies(bb: Bitbucket): string[] {
  const add = (name: string, options: Parameters<Bitbucket["addRepository"]>[1] = {}) => {
    bb.addRepository(name, options);
    return name;
  };
  return [
    add("acme/lib"),
    add("acme/app", { submodule: "acme/lib" }),
    add("acme/assets", { lfs: { "assets/logo.bin": LFS_CONTENT } }),
    add("acme/jslib", {
      files: {
        "package.json": `${JSON.stringify({ name: "jslib", version: "1.0.0", main: "index.js" })}\n`,
        "index.js": "module.exports = 'jslib';\n",
      },
    }),
    add("acme/pylib", {
      files: {
        "pyproject.toml":
          '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pylib"\nversion = "1.0.0"\n',
        "pylib/__init__.py": "NAME = 'pylib'\n",
      },
    }),
    add("acme/gomod", {
      files: {
        "go.mod": "module bitbucket.org/acme/gomod\n\ngo 1.19\n",
        "gomod.go": 'package gomod\n\nconst Name = "gomod"\n',
      },
      tags: ["v1.0.0"],
    }),
    add("acme/rlib", {
      files: {
        "Cargo.toml": '[package]\nname = "rlib"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/lib.rs": 'pub const NAME: &str = "rlib";\n',
      },
    }),
    add("acme/phplib", {
      files: {
        "composer.json": `${JSON.stringify({
          name: "acme/phplib",
          type: "library",
          autoload: { "psr-4": { "Acme\\Phplib\\": "src/" } },
        })}\n`,
        "src/Name.php":
          "<?php\nnamespace Acme\\Phplib;\n\nfinal class Name { const NAME = 'phplib'; }\n",
      },
      tags: ["1.0.0"],
    }),
    add("acme/rblib", {
      files: {
        "rblib.gemspec":
          'Gem::Specification.new do |s|\n  s.name = "rblib"\n  s.version = "1.0.0"\n  s.summary = "rblib"\n  s.authors = ["acme"]\n  s.files = ["lib/rblib.rb"]\nend\n',
        "lib/rblib.rb": 'module Rblib\n  NAME = "rblib"\nend\n',
      },
    }),
  ];
}

const write = (dir: string, files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
};
const GIT_IDENTITY = ["-c", "user.name=CI", "-c", "user.email=ci@example.com"];

/** A program the machine has, by the first of these paths that exists, else by name. */
const program = (name: string, ...paths: string[]) => paths.find(existsSync) ?? name;

export const CASES: ClientCase[] = [
  {
    name: "git clone over https, with a submodule",
    async run(step) {
      await step.run("git", [
        "clone",
        "--recurse-submodules",
        "https://bitbucket.org/acme/app.git",
        "app",
      ]);
      assert.ok(existsSync(join(step.dir, "app", "README.md")));
      assert.ok(existsSync(join(step.dir, "app", "lib", "README.md")), "the submodule was cloned");
    },
  },
  {
    name: "git push",
    async run(step) {
      await step.run("git", ["clone", "https://bitbucket.org/acme/app.git", "app"]);
      const app = join(step.dir, "app");
      writeFileSync(join(app, "built.txt"), "built\n");
      await step.run("git", ["add", "built.txt"], { cwd: app });
      await step.run("git", [...GIT_IDENTITY, "commit", "-qm", "Build"], { cwd: app });
      const branch = `ci-${Math.random().toString(36).slice(2, 8)}`;
      await step.run("git", ["push", "origin", `HEAD:refs/heads/${branch}`], { cwd: app });
      const refs = await step.run("git", ["ls-remote", "origin", branch], { cwd: app });
      assert.match(refs, new RegExp(`refs/heads/${branch}`));
    },
  },
  {
    name: "git with ssh URLs (rewrite-ssh-urls)",
    async run(step) {
      // ssh itself can never succeed here: only the rewrite to https can.
      const env = { GIT_SSH_COMMAND: "false" };
      await step.run("git", ["clone", "git@bitbucket.org:acme/lib.git", "scp"], { env });
      await step.run("git", ["clone", "ssh://git@bitbucket.org/acme/lib.git", "url"], { env });
      assert.ok(existsSync(join(step.dir, "scp", "README.md")));
      assert.ok(existsSync(join(step.dir, "url", "README.md")));
    },
  },
  {
    name: "git lfs",
    async run(step) {
      await step.run("git", ["lfs", "install", "--skip-repo"]);
      await step.run("git", ["clone", "https://bitbucket.org/acme/assets.git", "assets"]);
      const file = readFileSync(join(step.dir, "assets", "assets", "logo.bin"), "utf8");
      assert.equal(file, LFS_CONTENT, "the object's content, not its pointer");
      const media = step.bb.requests.filter((r) => r.server === "media");
      assert.ok(media.length > 0, "the object came from the media host");
      assert.deepEqual(
        media.filter((r) => r.headers.authorization !== undefined).map((r) => r.url),
        [],
        "no Bitbucket credential goes to the media host",
      );
    },
  },
  {
    name: "npm (git+https dependency)",
    async run(step) {
      write(step.dir, {
        "package.json": `${JSON.stringify({
          name: "ci-app",
          private: true,
          dependencies: { jslib: "git+https://bitbucket.org/acme/jslib.git" },
        })}\n`,
      });
      // No registry is reachable; npm must not need one for a git dependency.
      await step.run("npm", [
        "install",
        "--no-audit",
        "--no-fund",
        "--registry=http://127.0.0.1:9/",
      ]);
      assert.equal(
        readFileSync(join(step.dir, "node_modules", "jslib", "index.js"), "utf8"),
        "module.exports = 'jslib';\n",
      );
    },
  },
  {
    name: "pip (git+https requirement)",
    async run(step) {
      await step.run(PYTHON, [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-index",
        "--no-build-isolation",
        "--target",
        "deps",
        "git+https://bitbucket.org/acme/pylib.git",
      ]);
      assert.ok(existsSync(join(step.dir, "deps", "pylib", "__init__.py")));
    },
  },
  {
    name: "go modules (Go's default GOPROXY and GOSUMDB)",
    async run(step) {
      write(step.dir, {
        "go.mod": "module example.com/ci\n\ngo 1.19\n",
        "main.go":
          'package main\n\nimport (\n\t"fmt"\n\n\t"bitbucket.org/acme/gomod"\n)\n\nfunc main() { fmt.Print(gomod.Name) }\n',
      });
      // Go's defaults stand: proxy.golang.org and sum.golang.org, unreachable here as they are
      // useless for a private module; only GOPRIVATE keeps go from asking them.
      const env = { GOFLAGS: "-modcacherw", GOTOOLCHAIN: "local" };
      const withoutPrivate = { ...env, GOPRIVATE: "", GONOPROXY: "", GONOSUMDB: "" };
      const control = await step.fail("go", ["get", "bitbucket.org/acme/gomod@v1.0.0"], {
        env: withoutPrivate,
      });
      assert.match(control, /proxy\.golang\.org/, "without GOPRIVATE, go asks its proxy");
      await step.run("go", ["get", "bitbucket.org/acme/gomod@v1.0.0"], { env });
      await step.run("go", ["build", "-o", "ci", "."], { env });
      assert.equal(await step.run(join(step.dir, "ci"), []), "gomod");
    },
  },
  {
    name: "cargo (git dependency, cargo's default fetcher settings)",
    async run(step) {
      write(step.dir, {
        "Cargo.toml":
          '[package]\nname = "ci"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nrlib = { git = "https://bitbucket.org/acme/rlib.git" }\n',
        "src/main.rs": 'fn main() { println!("{}", rlib::NAME); }\n',
      });
      // cargo's own fetcher (libgit2) reads no credential of git's: the control fails.
      const control = await step.fail(CARGO, ["fetch"], {
        env: { CARGO_NET_GIT_FETCH_WITH_CLI: "false", CARGO_HOME: join(step.dir, "control") },
      });
      assert.match(control, /failed to authenticate|username|401/i);
      await step.run(CARGO, ["fetch"]);
      const checkouts = join(step.home, ".cargo", "git", "checkouts");
      assert.ok(
        readdirSync(checkouts).some((d) => d.startsWith("rlib-")),
        "rlib checked out",
      );
    },
  },
  {
    name: "Composer, type vcs (its Bitbucket API driver)",
    async run(step) {
      await composerInstall(step, { type: "vcs", url: "https://bitbucket.org/acme/phplib" });
      const api = step.bb.requests.filter(
        (r) => r.server === "api" && r.url.startsWith("/2.0/repositories/acme/phplib"),
      );
      assert.ok(api.length > 0, "Composer's driver asked the API");
      assert.deepEqual(
        api.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.url}`),
        [],
        "with a credential, never falling back to git@ URLs",
      );
    },
  },
  {
    name: "Composer, type git",
    async run(step) {
      await composerInstall(step, { type: "git", url: "https://bitbucket.org/acme/phplib.git" });
    },
  },
  {
    name: "bundler (git gem)",
    async run(step) {
      write(step.dir, {
        Gemfile: 'gem "rblib", git: "https://bitbucket.org/acme/rblib.git", branch: "main"\n',
      });
      const env = { BUNDLE_PATH: join(step.home, "bundle"), BUNDLE_SILENCE_ROOT_WARNING: "1" };
      await step.run("bundle", ["install"], { env });
      const out = await step.run(
        "bundle",
        ["exec", "ruby", "-e", 'require "rblib"; print Rblib::NAME'],
        { env },
      );
      assert.equal(out, "rblib");
    },
  },
  {
    name: 'curl to the REST API (--netrc-file "$NETRC")',
    async run(step) {
      assert.ok(step.env.NETRC, "NETRC is set");
      const body = await step.run("curl", [
        "--fail",
        "--silent",
        "--show-error",
        "--netrc-file",
        step.env.NETRC,
        "https://api.bitbucket.org/2.0/repositories/acme/app",
      ]);
      assert.equal(JSON.parse(body).full_name, "acme/app");
    },
  },
  {
    name: "a Python script with requests (NETRC)",
    async run(step) {
      const script = [
        "import requests",
        "answer = requests.get('https://api.bitbucket.org/2.0/repositories/acme/app', timeout=30)",
        "answer.raise_for_status()",
        "print(answer.json()['full_name'], end='')",
      ].join("\n");
      assert.equal(await step.run(PYTHON, ["-c", script]), "acme/app");
    },
  },
];

async function composerInstall(step: Step, repository: { type: string; url: string }) {
  write(step.dir, {
    "composer.json": `${JSON.stringify({
      name: "acme/ci",
      repositories: [repository, { "packagist.org": false }],
      require: { "acme/phplib": "^1.0" },
    })}\n`,
  });
  const env = { COMPOSER_ALLOW_SUPERUSER: "1", COMPOSER_NO_INTERACTION: "1" };
  await step.run("composer", ["install", "--no-interaction", "--no-progress"], { env });
  assert.ok(existsSync(join(step.dir, "vendor", "acme", "phplib", "src", "Name.php")));
}

/** Debian's python3 with pip, setuptools and wheel (a pyenv shim finds nothing under a job's HOME). */
const PYTHON = program("python3", "/usr/bin/python3");
/** Debian's cargo, else the one on PATH (rustup's needs RUSTUP_HOME, passed on by world.ts). */
const CARGO = program("cargo", "/usr/bin/cargo");
