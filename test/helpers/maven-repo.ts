/**
 * A Maven-layout repository served over HTTP on 127.0.0.1, with hooks to misbehave (wrong checksum,
 * truncated body, no answer), for tests of artifact resolution.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestRepo {
  url: string;
  dir: string;
  /** Paths (relative to the repository) that misbehave. */
  behaviour: Map<string, "truncate" | "hang">;
  publish(groupId: string, artifactId: string, version: string, content: Buffer, options?: { ext?: string; wrongChecksum?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startMavenRepo(): Promise<TestRepo> {
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-maven-"));
  const behaviour = new Map<string, "truncate" | "hang">();
  const server: Server = createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? "/").replace(/^\/repo\//, "").split("?")[0] ?? "");
    if (rel.includes("..")) {
      res.writeHead(400).end();
      return;
    }
    const mode = behaviour.get(rel);
    if (mode === "hang") return; // never answers
    readFile(path.join(dir, rel)).then(
      (data) => {
        if (mode === "truncate") {
          res.writeHead(200, { "Content-Length": String(data.length) });
          res.write(data.subarray(0, Math.floor(data.length / 2)));
          res.destroy();
          return;
        }
        res.writeHead(200, { "Content-Length": String(data.length) }).end(data);
      },
      () => res.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/repo`,
    dir,
    behaviour,
    async publish(groupId, artifactId, version, content, options = {}) {
      const ext = options.ext ?? "war";
      const folder = path.join(dir, ...groupId.split("."), artifactId, version);
      await mkdir(folder, { recursive: true });
      const file = path.join(folder, `${artifactId}-${version}.${ext}`);
      await writeFile(file, content);
      const sha1 = createHash("sha1").update(options.wrongChecksum ? Buffer.from("something else") : content).digest("hex");
      await writeFile(`${file}.sha1`, `${sha1}\n`);
      const metadata = path.join(dir, ...groupId.split("."), artifactId, "maven-metadata.xml");
      const existing = await readFile(metadata, "utf8").catch(() => "");
      const versions = new Set([...existing.matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1] ?? "").filter(Boolean));
      versions.add(version);
      await writeFile(metadata, `<?xml version="1.0"?>\n<metadata><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><versioning><versions>${[...versions].map((v) => `<version>${v}</version>`).join("")}</versions></versioning></metadata>\n`);
      return path.relative(dir, file).split(path.sep).join("/");
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
