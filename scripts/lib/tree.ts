import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** An output tree held in memory: relative POSIX path -> content. Stages return these; one writer puts them on disk. */
export type FileTree = Map<string, Buffer>;

export function addFile(tree: FileTree, relPath: string, content: string | Buffer): void {
  if (relPath.startsWith("/") || relPath.split("/").includes("..")) {
    throw new Error(`internal: output path ${relPath} is not relative`);
  }
  tree.set(relPath, typeof content === "string" ? Buffer.from(content, "utf8") : content);
}

/**
 * Puts a file in place only once it is whole: `produce` writes the partial file (a download, a tool's
 * output, content) and says where it goes; it is then renamed there, so a reader sees the old file or the
 * new, never a part. Nothing is left behind on failure.
 */
export async function placeWhenWhole<T>(partial: string, produce: (partial: string) => Promise<{ target: string; value: T }>): Promise<T> {
  try {
    await rm(partial, { recursive: true, force: true });
    await mkdir(path.dirname(path.resolve(partial)), { recursive: true });
    const { target, value } = await produce(partial);
    await mkdir(path.dirname(path.resolve(target)), { recursive: true });
    await rename(partial, target);
    return value;
  } finally {
    // Never hides the error that brought us here.
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Writes one file atomically: beside it first, then renamed over it. */
export async function writeFileAtomically(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
  await placeWhenWhole(`${file}.tmp-${String(process.pid)}`, async (staging) => {
    await writeFile(staging, content, { mode });
    return { target: file, value: undefined };
  });
}

/**
 * Writes the tree to `outDir` so that a crash or a failed build never leaves a half-written or mixed tree:
 * the new tree is written beside the old one and swapped in with renames.
 */
export async function writeTreeAtomically(outDir: string, tree: FileTree): Promise<void> {
  const parent = path.dirname(outDir);
  await mkdir(parent, { recursive: true });
  const staging = `${outDir}.tmp-${process.pid}`;
  const previous = `${outDir}.old-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    for (const [rel, content] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const target = path.join(staging, ...rel.split("/"));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    let hadPrevious = true;
    try {
      await rename(outDir, previous);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      hadPrevious = false;
    }
    await rename(staging, outDir);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Makes `dir` hold exactly `tree`, rewriting only files whose bytes changed, so unchanged files keep
 * their modification time (image builders key their layer cache on it, and Tomcat serves it as
 * Last-Modified).
 */
export async function syncTree(dir: string, tree: FileTree): Promise<{ written: number; removed: number }> {
  let written = 0;
  let removed = 0;
  const wanted = new Set<string>();
  for (const [rel, content] of tree) {
    const target = path.join(dir, ...rel.split("/"));
    wanted.add(target);
    const current = await readFile(target).catch(() => undefined);
    if (current?.equals(content)) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    written++;
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const full = path.join(e.parentPath, e.name);
    if (e.isFile() && !wanted.has(full)) {
      await rm(full, { force: true });
      removed++;
    }
  }
  return { written, removed };
}
