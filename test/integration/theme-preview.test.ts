/**
 * theme preview with the real headless Chromium: both modes render, the two shipped themes look
 * different (compared pixel by pixel, not byte by byte), and the page makes no request off the overlay.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/lib/repo.js";
import { runCli } from "../helpers/themes.js";

interface PreviewJson {
  ok: boolean;
  page: string;
  screenshots: { light: string; dark: string };
  blockedRequests: string[];
}

let root: string;
const previews: Record<string, PreviewJson> = {};

/** Share of pixels that differ noticeably between two screenshots, over their common top area. */
async function differingShare(a: string, b: string): Promise<number> {
  const region = { left: 0, top: 0, width: 1280, height: 900 };
  const [ra, rb] = await Promise.all([a, b].map((f) => sharp(f).extract(region).removeAlpha().raw().toBuffer()));
  let differing = 0;
  for (let i = 0; i < ra!.length; i += 3) {
    const delta = Math.abs(ra![i]! - rb![i]!) + Math.abs(ra![i + 1]! - rb![i + 1]!) + Math.abs(ra![i + 2]! - rb![i + 2]!);
    if (delta > 30) differing++;
  }
  return differing / (ra!.length / 3);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "citelibre-preview-"));
  for (const name of ["citelibre", "exampleville"]) {
    const r = await runCli(["--json", "theme", "preview", repoPath("themes", name), "--out", path.join(root, name)]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    previews[name] = JSON.parse(r.stdout) as PreviewJson;
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("theme preview", () => {
  it("renders light and dark PNG screenshots of a full page", async () => {
    for (const p of Object.values(previews)) {
      for (const file of [p.screenshots.light, p.screenshots.dark]) {
        const meta = await sharp(file).metadata();
        expect(meta.format).toBe("png");
        expect(meta.width).toBe(1280);
        expect(meta.height).toBeGreaterThan(900);
      }
    }
  });

  it("makes no request outside the overlay", () => {
    for (const p of Object.values(previews)) {
      expect(p.ok).toBe(true);
      expect(p.blockedRequests).toEqual([]);
    }
  });

  it("dark mode differs visibly from light mode", async () => {
    for (const p of Object.values(previews)) {
      expect(await differingShare(p.screenshots.light, p.screenshots.dark)).toBeGreaterThan(0.3);
    }
  });

  it("the two shipped themes differ visibly in both modes", async () => {
    const a = previews.citelibre!;
    const b = previews.exampleville!;
    const light = await differingShare(a.screenshots.light, b.screenshots.light);
    const dark = await differingShare(a.screenshots.dark, b.screenshots.dark);
    console.log(`pixels differing between citelibre and exampleville: light ${(light * 100).toFixed(1)} %, dark ${(dark * 100).toFixed(1)} %`);
    expect(light).toBeGreaterThan(0.1);
    expect(dark).toBeGreaterThan(0.1);
  });
});
