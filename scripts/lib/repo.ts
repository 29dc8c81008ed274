import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project folder, found by walking up from this module to the package.json that names the project,
 * so the CLI works from any working directory, from sources, from tsc output and from the bundle alike.
 */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "citelibre-forge") return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("internal: cannot find the citelibre-forge folder above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();

export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}
