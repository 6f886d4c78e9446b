/** Fails when the committed dist/ is not what a fresh build of src/ produces (GitHub runs dist/). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const fresh = mkdtempSync(join(tmpdir(), "dist-check-"));
try {
  execFileSync(process.execPath, ["scripts/build.ts", "--outdir", fresh], { stdio: "inherit" });
  const files = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();
  const committed = files("dist");
  const built = files(fresh);
  const differ = [...new Set([...committed, ...built])].filter((f) => {
    try {
      return !readFileSync(join("dist", f)).equals(readFileSync(join(fresh, f)));
    } catch {
      return true;
    }
  });
  if (differ.length > 0) {
    console.error(
      `dist/ is stale: ${differ.join(", ")} differ from a fresh build. Run 'npm run build' and commit dist/.`,
    );
    process.exit(1);
  }
  console.log(`dist/ is fresh (${committed.length} files).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
