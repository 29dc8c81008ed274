import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../../scripts/cli.js";
import type { Io } from "../../scripts/lib/log.js";
import { repoPath } from "../../scripts/lib/repo.js";

export const shippedThemes = ["citelibre", "exampleville"] as const;

/** A scratch copy of a shipped theme, under a folder named after the theme so names match. */
export async function copyTheme(from: string = "citelibre", as: string = from): Promise<{ dir: string; root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), "citelibre-theme-"));
  const dir = path.join(root, as);
  await cp(repoPath("themes", from), dir, { recursive: true });
  return { dir, root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Runs the CLI in-process, capturing what it prints. */
export async function runCli(args: string[], onProgress?: (text: string) => void): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => { stderr += t; onProgress?.(t); } },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
