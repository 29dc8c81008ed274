/**
 * `theme preview`: the built overlay around sample content (header, banner, buttons, form, alerts,
 * cards, footer), as a static page plus light and dark screenshots taken with headless Chromium.
 * The page may only load files from the overlay: any other request is blocked and reported.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Handlebars from "handlebars";
import { hookNames, hookPath } from "./hooks.js";
import { UserError, type Problem } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { addFile, type FileTree } from "../lib/tree.js";
import { checkTheme, writeThemeOutput } from "./build.js";
import { sassTimeoutMs } from "./sass-compile.js";

export const chromiumFlags = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** CITELIBRE_CHROMIUM from `env` when set, else Debian's or Google's browser where installed. */
export function findChromium(env: NodeJS.ProcessEnv): string {
  const candidates = [env.CITELIBRE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    throw new UserError("Chromium is not installed, so screenshots cannot be taken. Run `npm run setup` (it installs Debian's chromium package), or set CITELIBRE_CHROMIUM to a Chromium executable.");
  }
  return found;
}

/** Adds preview.html and its stand-in stylesheet to a compiled overlay tree. */
export async function addPreviewPage(tree: FileTree, meta: { locale: string; displayName: string }): Promise<void> {
  const hooks: Record<string, Handlebars.SafeString> = {};
  for (const hook of hookNames) {
    const html = tree.get(`webapp/${hookPath(hook)}`)?.toString("utf8") ?? "";
    // FreeMarker comments mean nothing to a browser; everything else is already plain HTML.
    hooks[hook] = new Handlebars.SafeString(html.replace(/<#--[\s\S]*?-->\n?/g, ""));
  }
  const template = Handlebars.compile(await readFile(repoPath("scripts/theme/preview/preview.html.hbs"), "utf8"), { strict: true });
  addFile(tree, "preview.html", template({ hooks, locale: meta.locale, displayName: meta.displayName }));
  addFile(tree, "preview.css", await readFile(repoPath("scripts/theme/preview/preview.css")));
}

export interface Screenshots {
  light: string;
  dark: string;
  blockedRequests: string[];
}

export async function takeScreenshots(outDir: string, env: NodeJS.ProcessEnv): Promise<Screenshots> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(env), args: chromiumFlags, headless: true });
  const blockedRequests: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.route("**/*", async (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) await route.continue();
      else {
        blockedRequests.push(url);
        await route.abort();
      }
    });
    await page.goto(pathToFileURL(path.join(outDir, "preview.html")).href, { waitUntil: "load" });
    const result = { light: path.join(outDir, "preview-light.png"), dark: path.join(outDir, "preview-dark.png") };
    for (const mode of ["light", "dark"] as const) {
      await page.evaluate((m) => {
        document.body.setAttribute("data-bs-theme", m);
      }, mode);
      await writeFile(result[mode], await page.screenshot({ fullPage: true, animations: "disabled" }));
    }
    return { ...result, blockedRequests };
  } finally {
    await browser.close();
  }
}

export type PreviewOutcome =
  | { ok: false; problems: Problem[] }
  | { ok: true; themeName: string; outDir: string; screenshots: Screenshots };

/**
 * `theme preview`: the theme built and checked, written with its preview page to `out` (default
 * dist/themes/<name>), then photographed in light and dark mode.
 */
export async function previewTheme(dir: string, options: { out?: string; env: NodeJS.ProcessEnv; onStep?: (step: string) => void }): Promise<PreviewOutcome> {
  options.onStep?.(`building ${dir}`);
  const outcome = await checkTheme(dir, { sassTimeoutMs: sassTimeoutMs(options.env) });
  if (!outcome.valid || !outcome.tree || !outcome.themeName || !outcome.config) return { ok: false, problems: outcome.problems };
  await addPreviewPage(outcome.tree, { locale: outcome.config.locale, displayName: outcome.config.displayName });
  const outDir = await writeThemeOutput(outcome.tree, outcome.themeName, options.out);
  options.onStep?.("taking light and dark screenshots with headless Chromium");
  return { ok: true, themeName: outcome.themeName, outDir, screenshots: await takeScreenshots(outDir, options.env) };
}
