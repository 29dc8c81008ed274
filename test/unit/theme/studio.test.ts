/**
 * The theme studio's server, without a browser: a broken save keeps the last good build on screen and
 * says why; a malformed address or a foreign Host name gets an error, never a crash; closing stops it.
 */
import { request } from "node:http";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStudio, type Studio, type StudioBuild } from "../../../scripts/theme/studio.js";
import { copyTheme } from "../../helpers/themes.js";
import { sassTimeoutMs } from "../../../scripts/theme/sass-compile.js";

let studio: Studio;
let theme: Awaited<ReturnType<typeof copyTheme>>;

const raw = (url: string, pathName: string, host?: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: "127.0.0.1", port: u.port, path: pathName, headers: host ? { host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });

async function nextBuild(after: number): Promise<StudioBuild> {
  for (let i = 0; i < 200; i++) {
    const build = (await (await fetch(new URL("/__problems", studio.url))).json()) as StudioBuild;
    if (build.version > after) return build;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no new build");
}

beforeAll(async () => {
  theme = await copyTheme("exampleville");
  studio = await startStudio(theme.dir, { sassTimeoutMs: sassTimeoutMs(process.env) });
}, 60_000);

afterAll(async () => {
  await studio.close();
  await theme.cleanup();
});

describe("theme studio server", () => {
  it("keeps the last good build on screen when a save breaks the theme, and says why", async () => {
    const first = (await (await fetch(new URL("/__problems", studio.url))).json()) as StudioBuild;
    expect(first.ok).toBe(true);
    await writeFile(path.join(theme.dir, "logo.svg"), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>');
    const broken = await nextBuild(first.version);
    expect(broken.ok).toBe(false);
    expect(broken.problems.map((p) => `${p.file}: ${p.message}`).join("\n")).toMatch(/logo\.svg: contains a <script> element/);
    const page = await fetch(new URL("/preview.html", studio.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("cl-brand");
  });

  it("answers a malformed address and a foreign Host name with an error, and keeps serving", async () => {
    expect(await raw(studio.url, "/%")).toBe(400);
    expect(await raw(studio.url, "/preview.html", "evil.example")).toBe(421);
    expect(await raw(studio.url, "/../../etc/passwd")).toBe(404);
    expect((await fetch(new URL("/__problems", studio.url))).status).toBe(200);
  });
});
