/**
 * `theme preview --watch`: the preview served on 127.0.0.1, rebuilt when a file of the theme changes, and
 * reloaded in the browser by itself. The page has a light/dark switch and phone, tablet and desktop
 * widths, and lists the theme's problems beside it. Contrast failures do not stop the preview (the officer
 * must see the colour being changed); other errors keep the last good build on screen, with the errors.
 * Nothing is written to disk: the overlay is served from memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { checkTheme, type CheckOptions } from "./build.js";
import { addPreviewPage } from "./preview.js";
import { oneAtATime, watchFolder, type FolderWatch } from "./watch.js";
import type { Problem } from "../lib/problems.js";
import type { FileTree } from "../lib/tree.js";

export interface StudioBuild {
  /** Counts builds, good or not: the page reloads when it changes. */
  version: number;
  ok: boolean;
  ms: number;
  problems: Problem[];
}

export interface Studio {
  url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
  ".webp": "image/webp", ".jpg": "image/jpeg", ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff",
  ".ttf": "font/ttf", ".otf": "font/otf", ".gif": "image/gif", ".map": "application/json", ".webmanifest": "application/manifest+json",
};

export const studioWidths = { phone: 390, tablet: 768, desktop: 1280 } as const;

/** What the studio's server and builds share: the last build, its files, and the pages listening. */
interface StudioState {
  port: number;
  tree?: FileTree;
  last: StudioBuild;
  listeners: Set<ServerResponse>;
}

/** The pages reload on a new version: one event per build (or watcher failure), to every open page. */
const buildEvent = (state: StudioState) => `event: build\ndata: ${JSON.stringify({ version: state.last.version, ok: state.last.ok })}\n\n`;

function announce(state: StudioState): void {
  for (const client of state.listeners) client.write(buildEvent(state));
}

async function buildOnce(dir: string, state: StudioState, check: CheckOptions): Promise<StudioBuild> {
  const started = performance.now();
  let ok = false;
  let problems: Problem[];
  try {
    const outcome = await checkTheme(dir, { ...check, contrastFailuresAsWarnings: true });
    if (outcome.tree && outcome.config) {
      await addPreviewPage(outcome.tree, { locale: outcome.config.locale, displayName: outcome.config.displayName });
      state.tree = outcome.tree;
    }
    ok = outcome.valid;
    problems = outcome.problems;
  } catch (e) {
    // A file caught mid-save, a folder renamed: said on the page; the last good build stays on screen.
    problems = [{ severity: "error", file: dir, message: `the build stopped: ${(e as Error).message}`, fix: "save the file again; the studio rebuilds at every change" }];
  }
  state.last = { version: state.last.version + 1, ok, ms: Math.round(performance.now() - started), problems };
  announce(state);
  return state.last;
}

function serve(state: StudioState, req: IncomingMessage, res: ServerResponse): void {
  // Only this machine's own names: a page whose domain was rebound to 127.0.0.1 gets nothing.
  if (req.headers.host !== `127.0.0.1:${state.port}` && req.headers.host !== `localhost:${state.port}`) {
    res.writeHead(421, { "content-type": "text/plain" }).end("the theme studio answers to 127.0.0.1 only");
    return;
  }
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(studioPage());
  } else if (url.pathname === "/__events") {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(buildEvent(state));
    state.listeners.add(res);
    res.on("close", () => state.listeners.delete(res));
  } else if (url.pathname === "/__problems") {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(state.last));
  } else {
    const rel = path.posix.normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, "");
    let body = rel.startsWith("..") ? undefined : state.tree?.get(rel);
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" }).end(state.tree ? "not in the preview" : "the theme has not built yet: see its problems");
      return;
    }
    if (rel === "preview.html") body = Buffer.from(body.toString("utf8").replace("</body>", `${modeScript}</body>`));
    res.writeHead(200, { "content-type": contentTypes[path.extname(rel)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
  }
}

export async function startStudio(dir: string, options: { port?: number; onBuild?: (build: StudioBuild) => void; sassTimeoutMs: number }): Promise<Studio> {
  const state: StudioState = { port: 0, last: { version: 0, ok: false, ms: 0, problems: [] }, listeners: new Set() };
  let closed = false;
  const builds = oneAtATime(async () => {
    const build = await buildOnce(dir, state, { sassTimeoutMs: options.sassTimeoutMs });
    options.onBuild?.(build);
    return build;
  }, () => closed);

  const server = createServer((req, res) => {
    try {
      serve(state, req, res);
    } catch {
      // A malformed address (a page elsewhere in the browser can send one) must not stop the studio.
      if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain" });
      res.end("bad request");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  state.port = (server.address() as AddressInfo).port;

  let watcher: FolderWatch;
  try {
    watcher = await watchFolder(dir, () => void builds.run(), (e) => {
      state.last = { ...state.last, version: state.last.version + 1, ok: false, problems: [{ severity: "error", file: dir, message: `can no longer be watched (${e.message})`, fix: "start the preview again" }] };
      announce(state);
    });
  } catch (e) {
    server.close();
    throw e;
  }
  // The first build, once the watcher runs: a save during it is built next.
  await builds.run();

  return {
    url: `http://127.0.0.1:${state.port}/`,
    close: async () => {
      closed = true;
      await watcher.close();
      for (const client of state.listeners) client.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await builds.current();
    },
  };
}

/** Sets the preview's mode from the address (?mode=dark): the studio's switch reloads the frame with it. */
const modeScript = `<script>document.body.setAttribute("data-bs-theme", new URLSearchParams(location.search).get("mode") === "dark" ? "dark" : "light");</script>`;

function studioPage(): string {
  const widths = Object.entries(studioWidths).map(([name, px]) => `<button type="button" data-width="${px}">${name} (${px} px)</button>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Theme studio</title>
<style>
body{margin:0;font-family:system-ui,sans-serif;background:#e9ecef;display:grid;grid-template-columns:1fr 22rem;height:100vh}
.bar{grid-column:1/3;display:flex;gap:.5rem;align-items:center;padding:.4rem .8rem;background:#212529;color:#fff}
.bar button{border:1px solid #adb5bd;background:#343a40;color:#fff;padding:.2rem .6rem;border-radius:.3rem;cursor:pointer}
.bar button[aria-pressed=true]{background:#0d6efd}
.stage{overflow:auto;display:flex;justify-content:center;padding:1rem}
iframe{border:0;background:#fff;height:calc(100vh - 5rem);box-shadow:0 0 0 1px #ced4da}
aside{overflow:auto;padding:.8rem;background:#fff;border-left:1px solid #ced4da;font-size:.9rem}
aside li{margin-bottom:.6rem}.error{color:#b02a37}.warning{color:#7a5b00}
#status{margin-left:auto;font-size:.85rem}
</style></head><body>
<div class="bar">${widths}<button type="button" id="mode" aria-pressed="false">dark mode</button><span id="status"></span></div>
<div class="stage"><iframe id="preview" title="preview" src="preview.html?mode=light" width="${studioWidths.desktop}"></iframe></div>
<aside><h2>Problems</h2><ul id="problems"><li>none</li></ul></aside>
<script>
const frame = document.getElementById("preview");
let mode = "light";
const reload = () => { frame.src = "preview.html?mode=" + mode + "&v=" + Date.now(); };
for (const b of document.querySelectorAll("[data-width]")) b.addEventListener("click", () => { frame.width = b.dataset.width; });
document.getElementById("mode").addEventListener("click", (e) => { mode = mode === "light" ? "dark" : "light"; e.target.setAttribute("aria-pressed", String(mode === "dark")); reload(); });
const show = async () => {
  const build = await (await fetch("/__problems")).json();
  const list = document.getElementById("problems");
  list.replaceChildren(...(build.problems.length ? build.problems : [null]).map((p) => {
    const li = document.createElement("li");
    if (!p) { li.textContent = "none"; return li; }
    li.className = p.severity;
    li.textContent = p.severity + ": " + p.file + (p.field ? " " + p.field : "") + ": " + p.message + (p.fix ? " (fix: " + p.fix + ")" : "");
    return li;
  }));
  document.getElementById("status").textContent = (build.ok ? "built" : "last good build shown") + " in " + build.ms + " ms";
};
let seen = 0;
new EventSource("/__events").addEventListener("build", (e) => { const v = JSON.parse(e.data).version; if (v !== seen) { if (seen) reload(); seen = v; } void show(); });
</script></body></html>`;
}
