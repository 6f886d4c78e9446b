// Property tests of the git config editing: whatever the user's config holds (any bytes, any
// line ends), adding our blocks and removing them leaves it byte for byte as it was.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { addCredentialBlock, cutBlocks, includeBlock } from "../../src/core/git/config-file.ts";
import { newCredentialId } from "../../src/core/git/credential-dir.ts";
import { removeWritten } from "../../src/core/git/remove.ts";

const HOST = ["https://bitbucket.org/"];

/** Config-like text: brackets, quotes, tabs, CR and LF, our own marker, arbitrary code points. */
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
      "# bitbucket-api-token-auth ",
      " begin",
      " end",
    ),
    maxLength: 80,
  }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constant(""),
);

describe("our blocks come out of any config text exactly as they went in", () => {
  let root: string;
  let n = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bb-unit-prop-"));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("cutBlocks (pure)", () => {
    const id = "0123456789abcdef";
    const block = includeBlock(
      id,
      `/t/bitbucket-api-token-auth-${id}/credentials.gitconfig`,
      HOST,
      false,
    );
    fc.assert(
      fc.property(configText, (original) => {
        const text = original === "" ? block : `${original}\n${block}`;
        assert.equal(cutBlocks(text, (b) => b.id === id).kept, original);
        assert.equal(cutBlocks(text, (b) => b.id === "fedcba9876543210").kept, text);
      }),
      { numRuns: 1000 },
    );
  });

  it("added and removed on real files, one or two credentials, in either order", async () => {
    await fc.assert(
      fc.asyncProperty(configText, fc.boolean(), fc.boolean(), async (original, two, reverse) => {
        const home = join(root, String(n++));
        await mkdir(home, { recursive: true });
        const config = join(home, ".gitconfig");
        const before = Buffer.from(original, "latin1");
        await writeFile(config, before);
        const written = [];
        for (let i = 0; i < (two ? 2 : 1); i++) {
          const id = newCredentialId();
          const dir = join(home, `bitbucket-api-token-auth-${id}`);
          await mkdir(dir, { mode: 0o700 });
          await writeFile(join(dir, "credentials.gitconfig"), "", { mode: 0o600 });
          await addCredentialBlock(config, id, join(dir, "credentials.gitconfig"), HOST);
          written.push({ id, dir, config });
        }
        if (reverse) written.reverse();
        for (const w of written) assert.equal((await removeWritten(w)).found, 1);
        assert.deepEqual(await readFile(config), before);
      }),
      { numRuns: 60 },
    );
  });
});
