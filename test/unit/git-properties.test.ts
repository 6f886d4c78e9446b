// Property tests of the git credential code (configure, remove, cutBlocks). Moved unchanged
// from properties.test.ts; owned with src/core/git.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  configure,
  cutBlocks,
  type GitCredential,
  type GitEnvironment,
  remove,
} from "../../src/core/git/git-credentials.ts";
import { randomChars } from "./fixtures.ts";

describe("cutBlocks restores the original config text", () => {
  let root: string;
  let n = 0;
  const credential = (): GitCredential => ({
    gitUrl: new URL("https://bitbucket.org"),
    authorization: `Basic ${Buffer.from(`x-bitbucket-api-token-auth:ATATT3xFfGF0${randomChars(40)}`).toString("base64")}`,
    rewriteSshUrls: false,
  });
  const freshPlaces = async (): Promise<GitEnvironment & { gitconfig: string }> => {
    const base = join(root, String(n++));
    const home = join(base, "home");
    await mkdir(home, { recursive: true });
    return { home, tempDir: join(base, "tmp"), env: {}, gitconfig: join(home, ".gitconfig") };
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bb-unit-prop-"));
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** Config-like text: brackets, quotes, tabs, CR and LF, plus arbitrary code points. */
  const configText = fc.oneof(
    fc.string({
      unit: fc.constantFrom(
        "\n",
        "\r\n",
        "\r",
        "\t",
        " ",
        "[",
        "]",
        "#",
        ";",
        "=",
        '"',
        "\\",
        "a",
        "z",
        "0",
        "é",
        "\u{1F600}",
      ),
      maxLength: 80,
    }),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.constant(""),
  );

  it("for a block appended the way configure appends it (pure)", async () => {
    // Capture the exact block configure appends to a non-empty file, once.
    const places = await freshPlaces();
    await writeFile(places.gitconfig, "x");
    const configured = await configure(credential(), places, "0123456789abcdef");
    const block = (await readFile(places.gitconfig, "utf8")).slice("x\n".length);
    assert.ok(block.startsWith("# bitbucket-api-token-auth 0123456789abcdef begin:"));

    fc.assert(
      fc.property(configText, (original) => {
        const text = original === "" ? block : `${original}\n${block}`;
        const { kept, blocks } = cutBlocks(text);
        assert.equal(kept, original);
        assert.deepEqual(blocks, [{ includePath: configured.credentialFile, createdFile: false }]);
        assert.equal(cutBlocks(text, "0123456789abcdef").kept, original);
        assert.equal(cutBlocks(text, "fedcba9876543210").kept, text);
      }),
      { numRuns: 1000 },
    );
  });

  it("through configure() and remove() on real files, byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(configText, fc.boolean(), async (original, twice) => {
        const places = await freshPlaces();
        const before = Buffer.from(original, "utf8");
        await writeFile(places.gitconfig, before);
        const first = await configure(credential(), places);
        if (twice) await configure(credential(), places);
        const removal = await remove(places, twice ? undefined : first.id);
        assert.equal(removal.found, twice ? 2 : 1);
        assert.deepEqual(await readFile(places.gitconfig), before);
      }),
      { numRuns: 60 },
    );
  });
});
