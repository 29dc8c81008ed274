/**
 * A theme's name as every stage uses it (image tags, labels, the overlay): the `name` of its theme.yaml,
 * which may differ from the folder's. Read without compiling the theme, for the stages that need only
 * the name before a build (release planning, deploy).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseYamlText } from "../lib/json-source.js";
import { UserError } from "../lib/problems.js";
import { themeNamePattern } from "./config.js";

export async function themeNameOf(dir: string): Promise<string> {
  const file = path.join(dir, "theme.yaml");
  const text = await readFile(file, "utf8").catch(() => {
    throw new UserError(`${dir} has no theme.yaml: give the name of a folder in themes/, or a theme folder`);
  });
  const parsed = parseYamlText(text);
  const name = parsed.ok ? (parsed.value as { name?: unknown } | null)?.name : undefined;
  if (typeof name !== "string" || !themeNamePattern.test(name)) {
    throw new UserError(`${file}: name is missing or not a theme name (lowercase letters, digits and '-'); run \`citelibre theme check ${dir}\` to see every problem`);
  }
  return name;
}
