import { mkdir, rename, rm, writeFile } from "node:fs/promises";
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
