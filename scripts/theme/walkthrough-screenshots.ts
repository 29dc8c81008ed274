/**
 * npm run docs:screenshots — the pictures of docs/theming.md's walk through, taken with the project's own
 * live preview (theme preview --watch) as an officer goes through it: a new theme, the city's gold that
 * fails contrast with the proposed colour beside it, the proposal applied, then dark mode at a phone's
 * width. Each picture is taken only once the page shows what the text says of it; anything else stops the
 * tool. The pictures are generated, so they are not committed: docs/images/walkthrough/ by default, or --out.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { repoPath } from "../lib/repo.js";
import { chromiumFlags, findChromium } from "./preview.js";
import { scaffoldTheme } from "./scaffold.js";
import { startStudio, studioWidths } from "./studio.js";
import { sassTimeoutMs } from "./sass-compile.js";

/** The pictures, in the order of the walk through; docs/theming.md shows each of them. */
type WalkthroughPicture = "1-new-theme.png" | "2-gold-fails-contrast.png" | "3-proposal-applied.png" | "4-dark-phone.png";

const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = path.resolve(values.out ?? repoPath("docs", "images", "walkthrough"));
const themes = await mkdtemp(path.join(tmpdir(), "citelibre-walkthrough-"));
const tokensFile = path.join(themes, "saint-aubin", "tokens.json");
const setColours = async (values: Record<string, string>) => {
  const tokens = JSON.parse(await readFile(tokensFile, "utf8")) as { color: Record<string, unknown> };
  for (const [token, value] of Object.entries(values)) tokens.color[token] = { $value: value };
  await writeFile(tokensFile, JSON.stringify(tokens, null, 2));
};
let studio: Awaited<ReturnType<typeof startStudio>> | undefined;
let browser: import("playwright-core").Browser | undefined;
try {
  studio = await startStudio(await scaffoldTheme("saint-aubin", { themesDir: themes }), { sassTimeoutMs: sassTimeoutMs(process.env) });
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: findChromium(process.env), args: chromiumFlags, headless: true });
  await mkdir(out, { recursive: true });
  const page = await (await browser.newContext({ viewport: { width: 1700, height: 1000 } })).newPage();
  // The studio and its preview only: nothing else is fetched.
  await page.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
  const mainColor = () => page.frames().find((f) => f.url().includes("preview.html"))?.evaluate(() => getComputedStyle(document.body).getPropertyValue("--main-color").trim().toLowerCase()).catch(() => "") ?? Promise.resolve("");
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const end = Date.now() + 20_000; !(await check()); ) {
      if (Date.now() > end) throw new Error(`the studio did not show ${what} within 20 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The reloaded frame's fonts and images (the page's own event stream never goes idle).
    const frame = page.frames().find((f) => f.url().includes("preview.html"));
    await frame?.waitForFunction(() => document.readyState === "complete" && Array.from(document.images).every((i) => i.complete), undefined, { timeout: 20_000 });
    await frame?.evaluate(() => document.fonts.ready.then(() => undefined));
  };
  const problems = async () => (await page.textContent("#problems")) ?? "";
  const take = async (name: WalkthroughPicture) => {
    await page.screenshot({ path: path.join(out, name), animations: "disabled" });
    console.log(`wrote ${path.join(out, name)}`);
  };

  await page.goto(studio.url, { waitUntil: "load" });
  await until("the new theme", async () => (await mainColor()) !== "" && (await page.textContent("#status"))?.startsWith("built") === true);
  await take("1-new-theme.png");

  await setColours({ primary: "#f0b400" });
  await until("the gold and its contrast failure", async () => (await mainColor()) === "#f0b400" && /set color\.primary to #[0-9a-f]{6}/.test(await problems()));
  await take("2-gold-fails-contrast.png");

  // Every proposal, as the officer pastes them: the buttons' colour and the links' (which need more contrast).
  const proposals = Object.fromEntries([...(await problems()).matchAll(/set color\.([a-z-]+) to (#[0-9a-f]{6})/g)].map((m) => [m[1] ?? "", m[2] ?? ""]));
  const primary = proposals.primary ?? "";
  await setColours(proposals);
  await until(`the proposed colours (${JSON.stringify(proposals)}) with no contrast failure`, async () => (await mainColor()) === primary && !/contrast/.test(await problems()));
  await take("3-proposal-applied.png");

  await page.click("#mode");
  await page.click(`[data-width="${studioWidths.phone}"]`);
  await until("dark mode", async () => (await page.frames().find((f) => f.url().includes("mode=dark"))?.evaluate(() => document.body.getAttribute("data-bs-theme")).catch(() => "")) === "dark");
  await take("4-dark-phone.png");
} finally {
  await browser?.close();
  await studio?.close();
  await rm(themes, { recursive: true, force: true });
}
