/**
 * A theme's name as every stage uses it (image tags, labels, the overlay): the `name` of its theme.yaml,
 * which may differ from the folder's. Read without compiling the theme, for the stages that need only
 * the name before a build (release planning, deploy); the build itself checks the whole file.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseYamlText } from "../lib/json-source.js";
import { themeNamePattern } from "./config.js";

/** The name theme.yaml gives, or undefined when it has none that is a theme name (or no theme.yaml). */
export async function themeNameOf(dir: string): Promise<string | undefined> {
  const text = await readFile(path.join(dir, "theme.yaml"), "utf8").catch(() => undefined);
  const parsed = text === undefined ? undefined : parseYamlText(text);
  const name = parsed?.ok ? (parsed.value as { name?: unknown } | null)?.name : undefined;
  return typeof name === "string" && themeNamePattern.test(name) ? name : undefined;
}
