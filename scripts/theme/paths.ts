import { lstatSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

export type SafePath = { ok: true; absolute: string } | { ok: false; reason: string };

/** Why a path written in a theme file may not be used, judged on its text alone; undefined when it may. */
export function pathTextRefusal(relPath: string): string | undefined {
  if (relPath.length === 0) return "is empty";
  if (relPath.includes("\\")) return "uses a backslash; write paths with /";
  if (relPath.includes("\0")) return "contains a NUL character";
  if (path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath)) return "is an absolute path";
  if (relPath.split("/").includes("..")) return "goes up with '..' and leaves the theme folder";
  return undefined;
}

/**
 * Resolves a path written in a theme file against the theme folder and refuses anything that could
 * read outside it: absolute paths, `..`, backslashes, and symlinks that lead out. The one containment
 * rule of the theme stage (loading the folder, and the files its stylesheet refers to). Synchronous:
 * the stylesheet's URL visitor cannot wait, and these are a handful of local calls.
 */
export function resolveInsideTheme(themeDir: string, relPath: string, kind: "file" | "directory" = "file"): SafePath {
  const refusal = pathTextRefusal(relPath);
  if (refusal) return { ok: false, reason: refusal };
  const absolute = path.join(themeDir, relPath);
  try {
    lstatSync(absolute);
  } catch {
    return { ok: false, reason: "does not exist" };
  }
  const realTheme = realpathSync(themeDir);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    return { ok: false, reason: "is a broken symlink" };
  }
  if (real !== realTheme && !real.startsWith(realTheme + path.sep)) {
    return { ok: false, reason: `is a symlink that leads outside the theme folder (to ${real})` };
  }
  // A FIFO or a device would hang or flood the build when read; a folder where a file is expected is a mistake.
  const info = statSync(real);
  if (kind === "file" && !info.isFile()) return { ok: false, reason: `is not a regular file (${info.isDirectory() ? "a folder" : "a FIFO, socket or device"})` };
  if (kind === "directory" && !info.isDirectory()) return { ok: false, reason: "is not a folder" };
  return { ok: true, absolute: real };
}
