/**
 * npm run bench:theme — median wall time of a cold `citelibre theme build` process for each shipped
 * theme (Node start-up and module loading included, as a user pays them). Target: at most 1 s.
 * Then the edit-to-page time of `theme preview --watch`: from saving tokens.json to the new colour
 * computed in the page Chromium shows. Target: at most 1.5 s (moonshot: under 1 s).
 */
import { execa } from "execa";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoPath } from "../lib/repo.js";
import { chromiumFlags, findChromium } from "../theme/preview.js";
import { startStudio } from "../theme/studio.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 7);
const themes = ["citelibre", "exampleville"];
const targetMs = 1000;


const out = await mkdtemp(path.join(tmpdir(), "citelibre-bench-"));
let failed = false;
try {
  console.log(`cold-process \`citelibre theme build\`, ${runs} runs each after one warm-up (target <= ${targetMs} ms)`);
  for (const theme of themes) {
    const argv = [repoPath("bin/citelibre.js"), "theme", "build", repoPath("themes", theme), "--out", path.join(out, theme)];
    await execa("node", argv);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await execa("node", argv);
      times.push(performance.now() - start);
    }
    const m = median(times);
    if (m > targetMs) failed = true;
    console.log(`${theme.padEnd(14)} median ${m.toFixed(0).padStart(5)} ms   min ${Math.min(...times).toFixed(0).padStart(5)} ms   max ${Math.max(...times).toFixed(0).padStart(5)} ms   ${m <= targetMs ? "within target" : "OVER TARGET"}`);
  }
  const editTarget = 1500;
  const edits = await editToPage(path.join(out, "studio", "exampleville"), runs);
  if (median(edits) > editTarget) failed = true;
  console.log(`\n\`theme preview --watch\`: save of tokens.json to the new colour in the page (Chromium), ${runs} edits (target <= ${editTarget} ms, moonshot < 1000 ms)`);
  console.log(`${"exampleville".padEnd(14)} median ${median(edits).toFixed(0).padStart(5)} ms   min ${Math.min(...edits).toFixed(0).padStart(5)} ms   max ${Math.max(...edits).toFixed(0).padStart(5)} ms   ${median(edits) <= editTarget ? "within target" : "OVER TARGET"}`);
} finally {
  await rm(out, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

async function editToPage(dir: string, count: number): Promise<number[]> {
  await cp(repoPath("themes", "exampleville"), dir, { recursive: true });
  const tokensFile = path.join(dir, "tokens.json");
  const studio = await startStudio(dir);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumFlags, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(studio.url, { waitUntil: "load" });
    const mainColor = () => page.frames().find((f) => f.url().includes("preview.html"))?.evaluate(() => getComputedStyle(document.body).getPropertyValue("--main-color").trim()).catch(() => "") ?? Promise.resolve("");
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const color = i % 2 === 0 ? "#0a7d32" : "#1d4e89";
      const tokens = JSON.parse(await readFile(tokensFile, "utf8")) as { color: Record<string, unknown> };
      tokens.color.primary = { $value: color };
      const start = performance.now();
      await writeFile(tokensFile, JSON.stringify(tokens, null, 2));
      while ((await mainColor()).toLowerCase() !== color) {
        if (performance.now() - start > 20_000) throw new Error("the page did not show the new colour within 20 s");
        await new Promise((r) => setTimeout(r, 20));
      }
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    await browser.close();
    await studio.close();
  }
}
