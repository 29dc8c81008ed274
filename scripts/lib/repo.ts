import { fileURLToPath } from "node:url";
import path from "node:path";

/**
 * The project folder, found from this file's own location so the CLI works from any working directory,
 * both from sources (scripts/lib) and from the compiled tree (build/scripts/lib).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = here.includes(`${path.sep}build${path.sep}scripts`)
  ? path.resolve(here, "../../..")
  : path.resolve(here, "../..");

export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}
