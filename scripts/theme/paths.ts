import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";

export type SafePath = { ok: true; absolute: string } | { ok: false; reason: string };

/**
 * Resolves a path written in a theme file against the theme folder and refuses anything that could
 * read outside it: absolute paths, `..`, backslashes, and symlinks that lead out.
 */
export async function resolveInsideTheme(themeDir: string, relPath: string, kind: "file" | "directory" = "file"): Promise<SafePath> {
  if (relPath.length === 0) return { ok: false, reason: "is empty" };
  if (relPath.includes("\\")) return { ok: false, reason: "uses a backslash; write paths with /" };
  if (relPath.includes("\0")) return { ok: false, reason: "contains a NUL character" };
  if (path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) return { ok: false, reason: "is an absolute path" };
  if (relPath.split("/").includes("..")) return { ok: false, reason: "goes up with '..' and leaves the theme folder" };
  const absolute = path.join(themeDir, relPath);
  try {
    await lstat(absolute);
  } catch {
    return { ok: false, reason: "does not exist" };
  }
  const realTheme = await realpath(themeDir);
  const real = await realpath(absolute).catch(() => undefined);
  if (!real) return { ok: false, reason: "is a broken symlink" };
  if (real !== realTheme && !real.startsWith(realTheme + path.sep)) {
    return { ok: false, reason: `is a symlink that leads outside the theme folder (to ${real})` };
  }
  // A FIFO or a device would hang or flood the build when read; a folder where a file is expected is a mistake.
  const info = await stat(real);
  if (kind === "file" && !info.isFile()) return { ok: false, reason: `is not a regular file (${info.isDirectory() ? "a folder" : "a FIFO, socket or device"})` };
  if (kind === "directory" && !info.isDirectory()) return { ok: false, reason: "is not a folder" };
  return { ok: true, absolute: real };
}
