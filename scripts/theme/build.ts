/**
 * `theme check` and `theme build`: load, validate, compile, and (for build) write the overlay.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { compileTheme } from "./compile.js";
import { loadTheme, type LoadOptions } from "./load.js";
import type { ThemeConfig } from "./config.js";
import type { OverlayManifest } from "./manifest.js";
import { UserError, type Problem } from "../lib/problems.js";
import { writeTreeAtomically, type FileTree } from "../lib/tree.js";

export interface CheckOutcome {
  valid: boolean;
  problems: Problem[];
  tree?: FileTree;
  manifest?: OverlayManifest;
  themeName?: string;
  config?: ThemeConfig;
}

export interface CheckOptions extends LoadOptions {
  /** How long overrides.scss may take to compile (sass-compile.ts sassTimeoutMs reads the setting). */
  sassTimeoutMs: number;
}

/** Runs everything a build runs, in memory, so `check` finds Sass and template errors too. */
export async function checkTheme(dir: string, options: CheckOptions): Promise<CheckOutcome> {
  const loaded = await loadTheme(dir, options);
  const problems = [...loaded.problems.items];
  if (!loaded.input) return { valid: false, problems };
  const compiled = await compileTheme(loaded.input, { sassTimeoutMs: options.sassTimeoutMs });
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

/**
 * A build replaces its output folder whole: only a folder this tool wrote (its manifest.json says so), or
 * an empty or new one, may be replaced. `--out .` must never wipe a working directory.
 */
export async function assertReplaceable(target: string): Promise<void> {
  const entries = await readdir(target).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    if (code === "ENOTDIR") throw new UserError(`--out ${target} is a file, not a folder: choose a folder for the overlay`, [], 2);
    throw e;
  });
  if (entries.length === 0) return;
  const manifest = await readFile(path.join(target, "manifest.json"), "utf8").then((t) => JSON.parse(t) as { generator?: unknown; schemaVersion?: unknown }, () => undefined);
  if (typeof manifest?.generator === "string" && manifest.generator.startsWith("citelibre-forge") && manifest.schemaVersion === 1) return;
  throw new UserError(
    `--out ${target} already holds ${entries.length} entr${entries.length === 1 ? "y" : "ies"} that this tool did not write (it has no overlay manifest.json), and a build replaces the whole folder: nothing was changed. Choose a new or empty folder (the default is dist/themes/<name>), or empty that one yourself.`,
    [],
    2,
  );
}

export function defaultOutDir(themeName: string): string {
  return path.join("dist", "themes", themeName);
}

/** Writes a built theme to `outDir` (default dist/themes/<name>), replacing only an earlier build; returns where. */
export async function writeThemeOutput(tree: FileTree, themeName: string, outDir: string | undefined): Promise<string> {
  const target = path.resolve(outDir ?? defaultOutDir(themeName));
  await assertReplaceable(target);
  await writeTreeAtomically(target, tree);
  return target;
}

export async function buildTheme(dir: string, outDir: string | undefined, options: CheckOptions): Promise<CheckOutcome & { outDir?: string }> {
  const outcome = await checkTheme(dir, options);
  if (!outcome.valid || !outcome.tree || !outcome.themeName) return outcome;
  return { ...outcome, outDir: await writeThemeOutput(outcome.tree, outcome.themeName, outDir) };
}
