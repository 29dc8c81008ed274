/**
 * A site given as an exploded webapp folder (what lutece-maven-plugin leaves in target/<name>/) is packed
 * into a WAR once, then goes through the same checks and the same image build as a WAR. The pack has its
 * entries in name order with each file's own modification time, and is cached under a key of the folder's
 * paths, sizes, times and inodes: packing the same folder again is a look-up. Entries are deflated (at the
 * fastest level): the migration tool that unpacks it at build streams the archive, and cannot read stored
 * entries whose size follows their data. What identifies the site for the image cache is its content
 * (site-facts.ts siteContentDigest), so the folder and a zip of it make the same site image.
 */
import { createWriteStream } from "node:fs";
import { lstat, readdir, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import { sha256 } from "../lib/hash.js";
import { UserError } from "../lib/problems.js";
import { placeWhenWhole } from "../lib/tree.js";

interface FolderEntry {
  /** Relative, with '/' separators; a folder's ends with '/'. */
  name: string;
  file: string;
  size: number;
  mtime: Date;
  /** What no tool that keeps times (cp -p, touch -r) can carry over: an edit changes one of them. */
  ctimeMs: number;
  ino: number;
}

/** Every folder and regular file under `dir`, in name order. Links and special files are refused: a WAR holds neither. */
async function listWebapp(dir: string, what: string): Promise<FolderEntry[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: FolderEntry[] = [];
  for (const e of entries) {
    const file = path.join(e.parentPath, e.name);
    const name = path.relative(dir, file).split(path.sep).join("/");
    if (e.isSymbolicLink()) throw new UserError(`${what}: ${name} is a symbolic link; a site folder is packed as a WAR, which holds only files. Replace the link with the file it points to.`);
    if (!e.isFile() && !e.isDirectory()) throw new UserError(`${what}: ${name} is not a regular file (a socket, a device or a pipe); remove it from the site folder.`);
    const s = await lstat(file);
    files.push({ name: e.isDirectory() ? `${name}/` : name, file, size: e.isDirectory() ? 0 : s.size, mtime: s.mtime, ctimeMs: s.ctimeMs, ino: s.ino });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** How packs are made: a new way of packing gets new keys, so an older pack is not taken for a new one. */
const packFormat = "deflate-1";

/** The key of a folder's pack: its files' names, sizes, modification and change times, inodes. */
export function folderPackKey(files: FolderEntry[]): string {
  return sha256(`${packFormat}\n${files.map((f) => `${f.name}\0${f.size}\0${f.mtime.getTime()}\0${f.ctimeMs}\0${f.ino}`).join("\n")}`).slice(0, 24);
}

/**
 * The WAR for a webapp folder: packed into `cacheDir` (or found there from an earlier pack of the same
 * files). A folder without WEB-INF/ is not a web application, and says so.
 */
export async function packWebappFolder(dir: string, cacheDir: string): Promise<string> {
  const what = `--site-war ${dir}`;
  const webInf = await stat(path.join(dir, "WEB-INF")).catch(() => undefined);
  if (!webInf?.isDirectory()) throw new UserError(`${what} is a folder but not a web application: it has no WEB-INF/ folder. Give the exploded webapp (for a Lutece site built with Maven, target/<name>/) or its WAR.`);
  const files = await listWebapp(dir, what);
  const target = path.join(cacheDir, `${folderPackKey(files)}.war`);
  if (await stat(target).then((s) => s.isFile(), () => false)) {
    // Used now: the newest, for pruning.
    const now = new Date();
    await utimes(target, now, now);
    return target;
  }
  const packed = await placeWhenWhole(`${target}.partial-${process.pid}`, async (partial) => {
    const zip = new yazl.ZipFile();
    // A file that vanishes or cannot be read while it is packed is said on the zip, not on its output.
    const failed = new Promise<never>((_resolve, reject) => { zip.on("error", (e: Error) => { reject(e); }); });
    try {
      for (const f of files) {
        if (f.name.endsWith("/")) zip.addEmptyDirectory(f.name, { mtime: f.mtime });
        else zip.addFile(f.file, f.name, { mtime: f.mtime, compressionLevel: 1, mode: 0o100644 });
      }
      zip.end();
      await Promise.race([pipeline(zip.outputStream, createWriteStream(partial)), failed]);
    } catch (e) {
      throw new UserError(`${what}: packing it as a WAR failed (${(e as Error).message}). A file changed or cannot be read: check the folder's permissions, and that nothing writes into it, then run again.`);
    }
    return { target, value: target };
  });
  await pruneOldPacks(cacheDir, packed);
  return packed;
}

/** Packs kept in the cache: each is a whole site (about 130 MB for a core site). */
export const keptPacks = 4;

/** Removes all but the newest packs; never the one just made. Best-effort: a pack in use elsewhere may go. */
async function pruneOldPacks(cacheDir: string, keep: string): Promise<void> {
  const packs = await Promise.all((await readdir(cacheDir)).filter((f) => f.endsWith(".war")).map(async (f) => {
    const file = path.join(cacheDir, f);
    return { file, mtime: (await stat(file).catch(() => undefined))?.mtimeMs ?? 0 };
  }));
  const old = packs.filter((p) => p.file !== keep).sort((a, b) => b.mtime - a.mtime).slice(keptPacks - 1);
  for (const p of old) await rm(p.file, { force: true });
}
