/**
 * `citelibre run --watch`: the theme folder is checked at every save, as `citelibre build` would check it,
 * and the files of its layer that changed are copied into the running container; then the container loads
 * the theme's datastore rows and empties Lutece's caches (citelibre-theme-reload), so the next page shows
 * the change without a new image. A theme that fails its checks changes nothing on the site.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import { skinLabel, themeLayerTree } from "./bake.js";
import type { SiteSkin } from "../bundle/site-facts.js";
import type { Problem } from "../lib/problems.js";
import { sha256 } from "../lib/hash.js";
import { syncTree, type FileTree } from "../lib/tree.js";
import { checkTheme } from "../theme/build.js";
import { oneAtATime, watchFolder } from "../theme/watch.js";

export interface LiveSync {
  /** The theme passed its checks and the site shows it (or nothing had changed). */
  ok: boolean;
  ms: number;
  /** Files copied into the container. */
  copied: number;
  problems: Problem[];
  /** What the copy could not change while the site runs. */
  notes: string[];
}

export interface LiveTheme {
  /** Resolves once the sync under way (and one asked for during it) is done. */
  settled(): Promise<LiveSync | undefined>;
  close(): Promise<void>;
}

const sqlPath = "opt/citelibre/sql/theme/theme.sql";
const runtimePropertiesPath = "opt/citelibre/theme/site.properties";

/** The theme layer at its paths in the image, keyed by content digest, to compare two builds. */
export function layerDigests(layer: FileTree): Map<string, string> {
  return new Map([...layer].map(([p, content]) => [p.replace(/^theme\//, ""), sha256(content)]));
}

/** What a sync does from one build of the layer to the next: files to copy, and files the new one lacks. */
export function layerChanges(before: Map<string, string>, after: Map<string, string>): { changed: string[]; removed: string[] } {
  const changed = [...after].filter(([p, digest]) => before.get(p) !== digest).map(([p]) => p).sort();
  const removed = [...before.keys()].filter((p) => !after.has(p)).sort();
  return { changed, removed };
}

/** What a person should know of a sync beyond "copied": what only a new start or a new image changes. */
export function syncNotes(changes: { changed: string[]; removed: string[] }): string[] {
  const notes: string[] = [];
  if (changes.changed.includes(runtimePropertiesPath)) {
    notes.push("the site name in the back office and the default language change when the site starts again (Lutece reads them at start)");
  }
  if (changes.removed.length) {
    // A removed file may have replaced one of the site's own (a skin template): deleting it would break the
    // page rather than bring the site's file back. A new image does that.
    notes.push(`${changes.removed.length} file(s) no longer in the theme stay on the running site until it is built again: ${changes.removed.slice(0, 3).join(", ")}${changes.removed.length > 3 ? ", ..." : ""}`);
  }
  return notes;
}

export interface LiveThemeOptions {
  container: string;
  /** The image the container runs: its label says which skin the site renders. */
  image: string;
  themeDir: string;
  /** The site's context path (the webapp folder's name). */
  context: string;
  /** Digest of the theme baked into the image: the first sync copies nothing when the folder still matches it. */
  bakedDigest: string;
  onSync?: (sync: LiveSync) => void;
  onWatchError?: (e: Error) => void;
}

export async function startLiveTheme(engine: Engine, options: LiveThemeOptions): Promise<LiveTheme> {
  const label = await engine.inspectFormat(options.image, `{{index .Labels "${skinLabel}"}}`).catch(() => "");
  const skin: SiteSkin = label === "lutece" ? "lutece" : "theme-citelibre";
  const webapp = `opt/citelibre/tomcat/webapps/${options.context}`;
  let shown: Map<string, string> | undefined;
  let closed = false;

  const syncOnce = async (): Promise<LiveSync> => {
    const started = performance.now();
    const done = (partial: Omit<LiveSync, "ms">): LiveSync => {
      const sync = { ...partial, ms: Math.round(performance.now() - started) };
      options.onSync?.(sync);
      return sync;
    };
    let outcome: Awaited<ReturnType<typeof checkTheme>>;
    try {
      outcome = await checkTheme(options.themeDir);
    } catch (e) {
      // A file caught mid-save: the next save builds again; the site keeps what it shows.
      return done({ ok: false, copied: 0, notes: [], problems: [{ severity: "error", file: options.themeDir, message: `the build stopped: ${(e as Error).message}`, fix: "save the file again" }] });
    }
    if (!outcome.valid || !outcome.tree || !outcome.manifest) return done({ ok: false, copied: 0, notes: [], problems: outcome.problems });
    const layer = themeLayerTree(outcome.tree, webapp, skin);
    const digests = layerDigests(layer);
    // Until a first sync, the site shows the baked theme: unchanged since, nothing to copy.
    if (!shown && outcome.manifest.digest === options.bakedDigest) {
      shown = digests;
      return done({ ok: true, copied: 0, notes: [], problems: outcome.problems });
    }
    const changes = layerChanges(shown ?? new Map<string, string>(), digests);
    if (changes.changed.length === 0) {
      shown = digests;
      return done({ ok: true, copied: 0, notes: syncNotes(changes), problems: outcome.problems });
    }
    const staging = await mkdtemp(path.join(tmpdir(), "citelibre-live-"));
    try {
      const files: FileTree = new Map(changes.changed.map((p) => [p, layer.get(`theme/${p}`) ?? Buffer.alloc(0)]));
      await syncTree(staging, files);
      await engine.copyInto(options.container, staging);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    await engine.execIn(options.container, ["citelibre-theme-reload", ...(changes.changed.includes(sqlPath) ? ["--sql"] : [])]);
    shown = digests;
    return done({ ok: true, copied: changes.changed.length, notes: syncNotes(changes), problems: outcome.problems });
  };

  const syncs = oneAtATime(async (): Promise<LiveSync> => {
    try {
      return await syncOnce();
    } catch (e) {
      // The container stopped, or the engine failed: said, and the next save tries again.
      const problems: Problem[] = [{ severity: "error", file: options.themeDir, message: `could not be copied into ${options.container}: ${(e as Error).message}`, fix: "check that the site still runs; the next save tries again" }];
      const sync = { ok: false, ms: 0, copied: 0, notes: [], problems };
      options.onSync?.(sync);
      return sync;
    }
  }, () => closed);
  const watcher = await watchFolder(options.themeDir, () => void syncs.run(), (e) => options.onWatchError?.(e));
  await syncs.run();
  return {
    settled: async () => {
      await new Promise((r) => setTimeout(r, 150));
      return syncs.current();
    },
    close: async () => {
      closed = true;
      await watcher.close();
      await syncs.current();
    },
  };
}
