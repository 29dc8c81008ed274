/**
 * Reading a zip (a WAR, a jar) with yauzl: the names of its entries, which a zip keeps at its end, and
 * the contents of the few entries asked for. Nothing else is unpacked.
 */
import yauzl from "yauzl";

export interface ZipEntry {
  name: string;
  /** As the zip's central directory records them: no entry is unpacked to know them. */
  crc32: number;
  size: number;
}

export interface ZipContents {
  names: string[];
  entries: ZipEntry[];
  /** The entries `wanted` picked, by name. */
  contents: Map<string, Buffer>;
}

export async function readZip(file: string, wanted: (entry: yauzl.Entry) => boolean = () => false): Promise<ZipContents> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  const names: string[] = [];
  const entries: ZipEntry[] = [];
  const picked: yauzl.Entry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        entries.push({ name: entry.fileName, crc32: entry.crc32, size: entry.uncompressedSize });
        if (wanted(entry)) picked.push(entry);
        zip.readEntry();
      });
      zip.on("end", () => { resolve(); });
      zip.on("error", reject);
      zip.readEntry();
    });
    const contents = new Map<string, Buffer>();
    for (const entry of picked) {
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      contents.set(entry.fileName, Buffer.concat(chunks));
    }
    return { names, entries, contents };
  } finally {
    zip.close();
  }
}
