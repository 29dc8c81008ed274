/** Small zips (WARs, jars) written by tests, from file contents by entry name. */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";

export async function writeZip(file: string, entries: Record<string, string | Buffer>, options: { compress?: boolean; mtime?: Date } = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) {
    zip.addBuffer(Buffer.from(content), name, { compress: options.compress ?? true, mtime: options.mtime ?? new Date("2024-01-01T00:00:00Z") });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}
