/**
 * theme preview --watch, driven in the real headless Chromium as a city officer uses it: change the main
 * colour in tokens.json, and the page shows it without a reload by hand; pick a colour that fails
 * contrast, and the page still shows it, with the failure and a passing colour beside it; switch to dark
 * mode and to a phone's width. Nothing is requested off 127.0.0.1.
 */
import { execa } from "execa";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStudio, studioWidths, type Studio } from "../../scripts/theme/studio.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { withLoopbackPage } from "../helpers/browser.js";
import { copyTheme } from "../helpers/themes.js";
import { sassTimeoutMs } from "../../scripts/theme/sass-compile.js";

let studio: Studio;
let cleanup: () => Promise<void> = () => Promise.resolve();
let tokensFile = "";

async function setPrimary(value: string): Promise<void> {
  const tokens = JSON.parse(await readFile(tokensFile, "utf8")) as { color: Record<string, unknown> };
  tokens.color.primary = { $value: value };
  await writeFile(tokensFile, JSON.stringify(tokens, null, 2));
}

const previewFrame = (page: Page): Frame => {
  const frame = page.frames().find((f) => f.url().includes("preview.html"));
  if (!frame) throw new Error("no preview frame");
  return frame;
};

/** Waits until the preview's computed --main-color is `hex`; returns how long that took. */
async function waitForMainColor(page: Page, hex: string, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const seen = await previewFrame(page).evaluate(() => getComputedStyle(document.body).getPropertyValue("--main-color").trim()).catch(() => "");
    if (seen.toLowerCase() === hex) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`--main-color is ${seen}, not ${hex}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const theme = await copyTheme("exampleville");
  cleanup = theme.cleanup;
  tokensFile = path.join(theme.dir, "tokens.json");
  studio = await startStudio(theme.dir, { sassTimeoutMs: sassTimeoutMs(process.env) });
}, 60_000);

afterAll(async () => {
  await studio.close();
  await cleanup();
});

describe("theme preview --watch in Chromium", () => {
  it("shows a saved colour by itself, a failing one with its fix, in dark mode and at a phone's width", async () => {
    await withLoopbackPage({ width: 1700, height: 1000 }, async (page, offHost) => {
      await page.goto(studio.url, { waitUntil: "load" });
      await waitForMainColor(page, "#7a1f5c");

      await setPrimary("#0a7d32");
      const ms = await waitForMainColor(page, "#0a7d32");
      console.log(`theme studio: edit of tokens.json to the new colour on the page in ${Math.round(ms)} ms`);

      // A gold that fails contrast: shown all the same, with the failure and a passing colour beside it.
      await setPrimary("#f0b400");
      await waitForMainColor(page, "#f0b400");
      await page.waitForFunction(() => document.getElementById("problems")?.textContent?.includes("light/primary-on-background") ?? false, undefined, { timeout: 10_000 });
      expect(await page.textContent("#problems")).toMatch(/warning: tokens\.json .*\[light\/primary-on-background\].*fix: set color\.primary to #[0-9a-f]{6} \(same hue/);

      await page.click("#mode");
      await page.waitForFunction(() => (document.getElementById("preview") as HTMLIFrameElement).contentDocument?.body?.getAttribute("data-bs-theme") === "dark", undefined, { timeout: 10_000 });
      await page.click(`[data-width="${studioWidths.phone}"]`);
      expect(await page.$eval("#preview", (f) => (f as HTMLIFrameElement).getBoundingClientRect().width)).toBe(studioWidths.phone);
      expect(await previewFrame(page).evaluate(() => window.innerWidth)).toBe(studioWidths.phone);
      expect(offHost).toEqual([]);
    });
  });
});

describe("npm run docs:screenshots", () => {
  it("takes, with the live preview, every picture docs/theming.md shows, each once the page shows what the text says", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "citelibre-walkthrough-out-"));
    try {
      // The tool checks the page before each picture (the gold's failures, then none once the proposals are in, then dark mode) and fails otherwise.
      const r = await execa("node", [repoPath("build/tools/walkthrough-screenshots.js"), "--out", out], { reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
      const shown = [...(await readFile(repoPath("docs", "theming.md"), "utf8")).matchAll(/\]\(images\/walkthrough\/([^)]+\.png)\)/g)].map((m) => m[1] ?? "");
      expect(shown.length).toBeGreaterThanOrEqual(4);
      const pixels: Buffer[] = [];
      for (const name of shown) {
        const { data, info } = await sharp(path.join(out, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([1700, 1000]);
        pixels.push(data);
      }
      // Four different moments, not one picture four times.
      for (let i = 1; i < pixels.length; i++) expect(pixels[i]?.equals(pixels[i - 1] ?? Buffer.alloc(0))).toBe(false);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
