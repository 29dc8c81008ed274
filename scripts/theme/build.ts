/**
 * `theme check` and `theme build`: load, validate, compile, and (for build) write the overlay.
 */
import path from "node:path";
import { compileTheme } from "./compile.js";
import { loadTheme } from "./load.js";
import type { ThemeConfig } from "./config.js";
import type { OverlayManifest } from "./manifest.js";
import type { Problem } from "../lib/problems.js";
import { writeTreeAtomically, type FileTree } from "../lib/tree.js";

export interface CheckOutcome {
  valid: boolean;
  problems: Problem[];
  tree?: FileTree;
  manifest?: OverlayManifest;
  themeName?: string;
  config?: ThemeConfig;
}

/** Runs everything a build runs, in memory, so `check` finds Sass and template errors too. */
export async function checkTheme(dir: string): Promise<CheckOutcome> {
  const loaded = await loadTheme(dir);
  const problems = [...loaded.problems.items];
  if (!loaded.input) return { valid: false, problems };
  const compiled = await compileTheme(loaded.input);
  problems.push(...compiled.problems);
  const valid = !problems.some((p) => p.severity === "error") && compiled.tree !== undefined;
  return {
    valid,
    problems,
    themeName: loaded.input.config.name,
    config: loaded.input.config,
    ...(valid && compiled.tree ? { tree: compiled.tree } : {}),
    ...(valid && compiled.manifest ? { manifest: compiled.manifest } : {}),
  };
}

export function defaultOutDir(themeName: string): string {
  return path.join("dist", "themes", themeName);
}

export async function buildTheme(dir: string, outDir?: string): Promise<CheckOutcome & { outDir?: string }> {
  const outcome = await checkTheme(dir);
  if (!outcome.valid || !outcome.tree || !outcome.themeName) return outcome;
  const target = path.resolve(outDir ?? defaultOutDir(outcome.themeName));
  await writeTreeAtomically(target, outcome.tree);
  return { ...outcome, outDir: target };
}
