/**
 * `theme new`: copies an existing theme (the neutral default unless told otherwise) under a new name,
 * ready for a non-developer to edit.
 */
import { cp, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { themeNameFor, themeNamePattern } from "./config.js";
import { UsageError, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";

export async function scaffoldTheme(name: string, options: { from?: string; themesDir?: string }): Promise<string> {
  if (!themeNamePattern.test(name)) {
    const suggestion = themeNameFor(name);
    throw new UsageError(`"${name}" cannot be a theme name: use 2 to 40 lowercase letters, digits or '-', starting with a letter (${suggestion ? `did you mean "${suggestion}"?` : 'for example "saint-malo"'}).`);
  }
  const themesDir = path.resolve(options.themesDir ?? "themes");
  const fromArg = options.from ?? "citelibre";
  const from = fromArg.includes("/") ? path.resolve(fromArg) : (await exists(path.join(themesDir, fromArg))) ? path.join(themesDir, fromArg) : repoPath("themes", fromArg);
  if (!(await exists(path.join(from, "theme.yaml")))) {
    throw new UserError(`--from ${fromArg}: no theme folder with a theme.yaml there. Use the name of a folder in themes/ (for example citelibre) or a path.`);
  }
  const target = path.join(themesDir, name);
  if (await exists(target)) {
    throw new UserError(`${target} already exists: choose another name, or edit that folder directly.`);
  }
  // The default theme's dark logo is CiteLibre's: a city without one of its own gets its logo in dark mode too.
  const defaultDarkLogo = path.join(from, "logo-dark.svg");
  const copyingDefault = path.resolve(from) === repoPath("themes", "citelibre");
  await cp(from, target, {
    recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true,
    filter: (source) => !(copyingDefault && source === defaultDarkLogo),
  });
  if (copyingDefault) await keepOnlyChosenColours(path.join(target, "tokens.json"));
  const yamlPath = path.join(target, "theme.yaml");
  const doc = parseDocument(await readFile(yamlPath, "utf8"));
  doc.set("name", name);
  doc.set("displayName", name.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" "));
  doc.set("version", "0.1.0");
  await writeFile(yamlPath, doc.toString());
  return target;
}

/**
 * The colours a city chooses: the main one, the page and the text. The default theme tunes the others
 * (surfaces, borders, secondary text, alerts) for its own blue; a city's copy derives them from its own
 * colours instead (design.ts), so a new main colour carries through the whole palette.
 */
export const chosenColours = ["primary", "background", "text"] as const;

async function keepOnlyChosenColours(tokensPath: string): Promise<void> {
  const tokens = JSON.parse(await readFile(tokensPath, "utf8")) as { color?: Record<string, unknown> };
  if (tokens.color) {
    tokens.color = Object.fromEntries(Object.entries(tokens.color).filter(([key]) => key.startsWith("$") || (chosenColours as readonly string[]).includes(key)));
  }
  await writeFile(tokensPath, `${JSON.stringify(tokens, null, 2)}\n`);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
