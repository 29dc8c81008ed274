/**
 * `citelibre run --watch`: the theme folder is checked at every save, as `citelibre build` would check it,
 * and the files of its layer that changed are copied into the running container; then the container loads
 * the theme's datastore rows and empties Lutece's caches (citelibre-theme-reload), so the next page shows
 * the change without a new image. A theme that fails its checks changes nothing on the site.
 */
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import { siteSkin, skinLabel, themeLayerFiles, themeLayerTree, webappPath } from "./bake.js";
import { UserError, type Problem } from "../lib/problems.js";
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
  /** Stops following the folder, once the sync under way (if any) is done. */
  close(): Promise<void>;
}

/** How long a copy into the container, or the reload in it, may take before the sync is given up. */
const engineCallTimeoutMs = 60_000;

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
  if (changes.changed.includes(themeLayerFiles.siteProperties)) {
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
  /** How long the theme's overrides.scss may take to compile at each save. */
  sassTimeoutMs: number;
  onSync?: (sync: LiveSync) => void;
  onWatchError?: (e: Error) => void;
}

export async function startLiveTheme(engine: Engine, options: LiveThemeOptions): Promise<LiveTheme> {
  const skin = siteSkin((await engine.imageFacts(options.image)).labels);
  // Without it, a Lutece-skin site would silently not get its skin files.
  if (!skin) throw new UserError(`${options.image} does not say which skin its site renders (label ${skinLabel}): build it again with this version of citelibre`);
  const webapp = webappPath(options.context);
  let shown: Map<string, string> | undefined;
  let closed = false;

  const syncOnce = async (): Promise<LiveSync> => {
    const started = performance.now();
    const done = (partial: Omit<LiveSync, "ms">): LiveSync => {
      const sync = { ...partial, ms: Math.round(performance.now() - started) };
      // Once closed (Ctrl-C), a sync cut short is not news.
      if (!closed) options.onSync?.(sync);
      return sync;
    };
    let outcome: Awaited<ReturnType<typeof checkTheme>>;
    try {
      outcome = await checkTheme(options.themeDir, { sassTimeoutMs: options.sassTimeoutMs });
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
    const failed = (message: string, fix: string) => done({ ok: false, copied: 0, notes: [], problems: [{ severity: "error", file: options.themeDir, message, fix }] });
    try {
      await copyFiles(engine, options.container, new Map(changes.changed.map((p) => [p, layer.get(`theme/${p}`) ?? Buffer.alloc(0)])));
    } catch (e) {
      return failed(`could not be copied into ${options.container}: ${firstLine(e)}`, "check that the site still runs; the next save tries again");
    }
    try {
      await engine.execIn(options.container, ["citelibre-theme-reload", ...(changes.changed.includes(themeLayerFiles.sql) ? ["--sql"] : [])], { timeout: engineCallTimeoutMs });
    } catch (e) {
      // The files are in, but the site may show a mix until a reload works: the next save copies and reloads again.
      return failed(`was copied into ${options.container}, but the site did not take it: ${firstLine(e)}`, "check the site's log; the next save tries again");
    }
    shown = digests;
    return done({ ok: true, copied: changes.changed.length, notes: syncNotes(changes), problems: outcome.problems });
  };

  const syncs = oneAtATime(syncOnce, () => closed);
  const watcher = await watchFolder(options.themeDir, () => void syncs.run(), (e) => options.onWatchError?.(e));
  // Not awaited: the caller can listen for Ctrl-C at once; close() waits for it.
  void syncs.run();
  return {
    close: async () => {
      closed = true;
      await watcher.close();
      await syncs.current();
    },
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n").find((l) => l.trim()) ?? "";
}

/**
 * Copies files (paths in the image) into the running container. The staged folders get the modes the
 * image's own have (0755, files 0644): the copy applies them to folders that already exist, such as /opt.
 */
async function copyFiles(engine: Engine, container: string, files: FileTree): Promise<void> {
  const staging = await mkdtemp(path.join(tmpdir(), "citelibre-live-"));
  try {
    await syncTree(staging, files);
    await chmod(staging, 0o755);
    for (const entry of await readdir(staging, { recursive: true, withFileTypes: true })) {
      await chmod(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
    }
    await engine.copyInto(container, staging, { timeout: engineCallTimeoutMs });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
