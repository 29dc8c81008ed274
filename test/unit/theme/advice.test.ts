/**
 * What a city officer ships by mistake, said as warnings by theme check (never errors): a bare www. link,
 * the default theme's placeholders and dark logo, touch icons drawn from a wide logo; and the suggestions
 * that save a round trip (a theme name, the version).
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultPlaceholders } from "../../../scripts/theme/advice.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { copyTheme, runCli } from "../../helpers/themes.js";

async function checkCopy(from: string, as: string, change: (dir: string) => Promise<void>): Promise<{ code: number; out: string }> {
  const theme = await copyTheme(from, as);
  try {
    const yamlPath = path.join(theme.dir, "theme.yaml");
    await writeFile(yamlPath, (await readFile(yamlPath, "utf8")).replace(/^name: .*$/m, `name: ${as}`));
    await change(theme.dir);
    const r = await runCli(["theme", "check", theme.dir]);
    return { code: r.code, out: r.stdout + r.stderr };
  } finally {
    await theme.cleanup();
  }
}

const editYaml = (dir: string, change: (t: string) => string) => readFile(path.join(dir, "theme.yaml"), "utf8").then((t) => writeFile(path.join(dir, "theme.yaml"), change(t)));

describe("theme check advice", () => {
  it("suggests https:// for a link typed www.", async () => {
    const r = await checkCopy("exampleville", "exampleville", (dir) => editYaml(dir, (t) => t.replace("url: https://www.exampleville.example/mentions-legales", "url: www.exampleville.example/mentions-legales")));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: .*theme\.yaml links\.legal\.url: "www\.exampleville\.example\/mentions-legales" would be read as a page of the site itself/);
    expect(r.out).toMatch(/fix: write https:\/\/www\.exampleville\.example\/mentions-legales/);
  });

  it("flags the default theme's placeholders and dark logo in a city's copy, not in the default theme itself", async () => {
    const copy = await checkCopy("citelibre", "saint-aubin", () => Promise.resolve());
    expect(copy.code).toBe(0);
    expect(copy.out).toMatch(/organization\.name: still holds the default theme's placeholder \("Votre collectivité"\)/);
    expect(copy.out).toMatch(/footer\.about: still holds the default theme's placeholder \("Remplacez ce texte"\)/);
    expect(copy.out).toMatch(/logo-dark\.svg is the default theme's dark-mode logo/);
    const itself = await runCli(["theme", "check", repoPath("themes", "citelibre")]);
    expect(itself.stdout + itself.stderr).toMatch(/valid \(0 errors, 0 warnings\)/);
    // The placeholders the advice looks for are the default theme's own texts.
    const defaults = await readFile(repoPath("themes", "citelibre", "theme.yaml"), "utf8");
    for (const p of defaultPlaceholders) expect(defaults).toContain(p.text);
  });

  it("warns when the phone and browser icons would be drawn from a wide logo", async () => {
    const r = await checkCopy("exampleville", "exampleville", (dir) => rm(path.join(dir, "favicon.svg")));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: .*logo\.svg is 1\.9 times wider than high, and the browser and phone icons are drawn from it/);
    const withIcon = await checkCopy("exampleville", "exampleville", () => Promise.resolve());
    expect(withIcon.out).toMatch(/valid \(0 errors, 0 warnings\)/);
  });

  it("suggests the theme name a city meant", async () => {
    const r = await checkCopy("exampleville", "exampleville", (dir) => editYaml(dir, (t) => t.replace(/^name: .*$/m, 'name: "Saint-Aubin-d\'Été"')));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/name: must be 2 to 40 lowercase letters.*did you mean saint-aubin-d-ete\?/);
    const scaffold = await runCli(["theme", "new", "Saint-Aubin"]);
    expect(scaffold.code).toBe(2);
    expect(scaffold.stderr).toMatch(/did you mean "saint-aubin"\?/);
  });

  it("prints its version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(await readFile(repoPath("package.json"), "utf8")) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
