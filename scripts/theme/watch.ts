/**
 * Rebuilding a theme folder as it is edited, shared by the studio (theme preview --watch) and the live
 * theme of a running site (run --watch): a save triggers one rebuild once the editor has finished writing,
 * and rebuilds never overlap.
 */
import { watch, type FSWatcher } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";

export interface Serial<T> {
  /** Asks for a run: during a run, one more follows it, however many asked; resolves with the run that covers this call. */
  run(): Promise<T>;
  /** The run under way (with the one that follows it), if any. */
  current(): Promise<T> | undefined;
}

/** `work`, one run at a time, never again once closed. */
export function oneAtATime<T>(work: () => Promise<T>, isClosed: () => boolean): Serial<T> {
  let running: Promise<T> | undefined;
  let again = false;
  return {
    current: () => running,
    run: () => {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          let result = await work();
          while (again && !isClosed()) {
            again = false;
            result = await work();
          }
          return result;
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
  };
}

export interface FolderWatch {
  close(): Promise<void>;
}

/**
 * Calls onChange once per burst of changes under dir (an editor's save is several events), once every
 * folder seen since is watched. Each folder is watched on its own: a folder's watch reports changes to the
 * files in it, also when an editor saves by renaming a new copy over a file (sed -i, vim, "safe write"),
 * while a watch on the file itself is left on the replaced copy. Node's recursive watch on Linux and
 * chokidar both watch files, and missed such saves.
 */
export async function watchFolder(dir: string, onChange: () => void, onError: (e: Error) => void, quietMs = 80): Promise<FolderWatch> {
  const watchers = new Map<string, FSWatcher>();
  let debounce: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      void follow().then(() => {
        if (!closed) onChange();
      }, onError);
    }, quietMs);
  };
  // Watches every folder under dir, and only those: folders created since are added, removed ones dropped.
  const follow = async () => {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const folders = new Set([dir, ...entries.filter((e) => e.isDirectory()).map((e) => path.join(e.parentPath, e.name))]);
    for (const [folder, watcher] of watchers) {
      if (!folders.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of folders) {
      if (watchers.has(folder) || closed) continue;
      let watcher: FSWatcher;
      try {
        watcher = watch(folder, changed);
      } catch (e) {
        // Removed since it was listed: the next change lists the folders again.
        if ((e as NodeJS.ErrnoException).code === "ENOENT" && folder !== dir) continue;
        throw e;
      }
      watcher.on("error", (e) => {
        watcher.close();
        watchers.delete(folder);
        // A sub-folder that went away is no loss; the theme folder itself is.
        if (folder === dir) onError(e);
        else changed();
      });
      watchers.set(folder, watcher);
    }
  };
  const close = () => {
    closed = true;
    if (debounce) clearTimeout(debounce);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    return Promise.resolve();
  };
  try {
    await follow();
  } catch (e) {
    await close();
    throw e;
  }
  return { close };
}
