/**
 * Fetching site artifacts from Maven repositories (http, https, file) into a local cache keyed by
 * checksum. A file is used only after its checksum matched; a mismatch discards it. Offline mode uses
 * the cache alone.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { placeWhenWhole } from "../lib/tree.js";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { artifactPath, extensionOf, formatCoordinates, metadataPath, type Coordinates } from "./coordinates.js";
import { compareMavenVersions, versionsInMetadata } from "./maven-metadata.js";
import { UserError } from "../lib/problems.js";

export type FetchFailure = "not-found" | "checksum" | "timeout" | "truncated" | "unreachable" | "offline" | "http";

export class ArtifactError extends UserError {
  readonly kind: FetchFailure;

  constructor(kind: FetchFailure, message: string) {
    super(message);
    this.name = "ArtifactError";
    this.kind = kind;
  }
}

export interface FetchOptions {
  cacheDir: string;
  offline?: boolean;
  timeoutMs?: number;
  onProgress?: (message: string) => void;
}

export interface Fetched {
  file: string;
  sha256: string;
  source: string;
  fromCache: boolean;
}

function joinUrl(repository: string, relative: string): string {
  return `${repository.replace(/\/+$/, "")}/${relative}`;
}

/** Downloads a URL into `target` while hashing it; refuses truncated bodies. */
async function download(url: string, target: string, timeoutMs: number): Promise<{ sha256: string; sha1: string }> {
  const sha256 = createHash("sha256");
  const sha1 = createHash("sha1");
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sha256.update(chunk);
      sha1.update(chunk);
      done(null, chunk);
    },
  });
  let body: Readable;
  let expectedLength: number | undefined;
  if (url.startsWith("file:")) {
    const file = fileURLToPath(url);
    if (!existsSync(file)) throw new ArtifactError("not-found", `${url} does not exist (404)`);
    body = createReadStream(file);
  } else {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === "TimeoutError") throw new ArtifactError("timeout", `${url} did not answer within ${timeoutMs / 1000} s`);
      const code = err.cause?.code ?? "";
      if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET)$/.test(code)) {
        throw new ArtifactError("unreachable", `${url} is unreachable (${code})`);
      }
      // The server answered, then the connection broke before the body was complete.
      throw new ArtifactError("truncated", `${url}: the download broke off (${code || err.message})`);
    }
    if (response.status === 404) throw new ArtifactError("not-found", `${url} was not found (HTTP 404)`);
    if (!response.ok || !response.body) throw new ArtifactError("http", `${url} answered HTTP ${response.status}`);
    const length = response.headers.get("content-length");
    expectedLength = length ? Number(length) : undefined;
    body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream);
  }
  try {
    await pipeline(body, hasher, createWriteStream(target));
  } catch (e) {
    const err = e as Error;
    if (err.name === "TimeoutError" || err.name === "AbortError") throw new ArtifactError("timeout", `${url}: the download stalled past ${timeoutMs / 1000} s`);
    throw new ArtifactError("truncated", `${url}: the download broke off (${err.message})`);
  }
  if (expectedLength !== undefined) {
    const size = (await stat(target)).size;
    if (size !== expectedLength) throw new ArtifactError("truncated", `${url}: received ${size} of ${expectedLength} bytes (truncated download)`);
  }
  return { sha256: sha256.digest("hex"), sha1: sha1.digest("hex") };
}

async function fetchText(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    if (url.startsWith("file:")) return await readFile(fileURLToPath(url), "utf8");
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The published checksum beside an artifact: .sha256 preferred, else .sha1. */
async function publishedChecksum(url: string, timeoutMs: number): Promise<{ algorithm: "sha256" | "sha1"; hex: string } | undefined> {
  for (const algorithm of ["sha256", "sha1"] as const) {
    const text = await fetchText(`${url}.${algorithm}`, timeoutMs);
    const hex = text?.trim().split(/\s+/)[0]?.toLowerCase();
    if (hex && /^[0-9a-f]+$/.test(hex) && hex.length === (algorithm === "sha256" ? 64 : 40)) return { algorithm, hex };
  }
  return undefined;
}

function cachedFile(cacheDir: string, sha256: string, ext: string): string {
  return path.join(cacheDir, "by-sha256", `${sha256}.${ext}`);
}

/** Fetches one URL into the cache, verifying it against `expectedSha256` or the repository's checksum file. */
export async function fetchToCache(url: string, ext: string, expectedSha256: string | undefined, options: FetchOptions): Promise<Fetched> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (expectedSha256 && existsSync(cachedFile(options.cacheDir, expectedSha256, ext))) {
    return { file: cachedFile(options.cacheDir, expectedSha256, ext), sha256: expectedSha256, source: url, fromCache: true };
  }
  if (options.offline) throw new ArtifactError("offline", `offline mode: ${url} is not in the cache (${options.cacheDir})`);
  await mkdir(path.join(options.cacheDir, "by-sha256"), { recursive: true });
  return placeWhenWhole(path.join(options.cacheDir, `download-${process.pid}-${Date.now()}.partial`), async (partial) => {
    options.onProgress?.(`downloading ${url}`);
    const got = await download(url, partial, timeoutMs);
    const expected: { algorithm: "sha256" | "sha1"; hex: string } | undefined = expectedSha256 ? { algorithm: "sha256", hex: expectedSha256 } : await publishedChecksum(url, timeoutMs);
    if (!expected) {
      throw new ArtifactError("checksum", `${url} has no published checksum (.sha256 or .sha1) and the manifest gives none: add its sha256 to bundle.yaml`);
    }
    const actual = expected.algorithm === "sha256" ? got.sha256 : got.sha1;
    if (actual !== expected.hex) {
      throw new ArtifactError("checksum", `${url}: ${expected.algorithm} mismatch (expected ${expected.hex}, got ${actual}); the file was discarded. Check the sha256 in bundle.yaml, or the repository.`);
    }
    const target = cachedFile(options.cacheDir, got.sha256, ext);
    return { target, value: { file: target, sha256: got.sha256, source: url, fromCache: false } };
  });
}

/** Resolves coordinates against repositories in order; a 404 everywhere lists the versions that exist. */
export async function resolveArtifact(c: Coordinates, repositories: string[], expectedSha256: string | undefined, options: FetchOptions): Promise<Fetched> {
  const ext = extensionOf(c.type);
  const indexFile = path.join(options.cacheDir, "index", `${artifactPath(c)}.sha256`);
  const indexed = (await readFile(indexFile, "utf8").catch(() => undefined))?.trim();
  const known = expectedSha256 ?? indexed;
  if (known && existsSync(cachedFile(options.cacheDir, known, ext))) {
    return { file: cachedFile(options.cacheDir, known, ext), sha256: known, source: formatCoordinates(c), fromCache: true };
  }
  if (options.offline) throw new ArtifactError("offline", `offline mode: ${formatCoordinates(c)} is not in the cache; run once online, or drop --offline`);
  const failures: string[] = [];
  for (const repository of repositories) {
    const url = joinUrl(repository, artifactPath(c));
    try {
      const fetched = await fetchToCache(url, ext, expectedSha256, options);
      await mkdir(path.dirname(indexFile), { recursive: true });
      await writeFile(indexFile, `${fetched.sha256}\n`);
      return fetched;
    } catch (e) {
      if (!(e instanceof ArtifactError) || e.kind !== "not-found") throw e;
      failures.push(url);
    }
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const available = new Set<string>();
  for (const repository of repositories) {
    const metadata = await fetchText(joinUrl(repository, metadataPath(c)), timeoutMs);
    for (const v of metadata ? versionsInMetadata(metadata) : []) available.add(v);
  }
  const hint = available.size > 0 ? ` Versions published there: ${[...available].sort(compareMavenVersions).slice(-10).join(", ")}.` : " No maven-metadata.xml lists this artifact: check groupId and artifactId.";
  throw new ArtifactError("not-found", `${formatCoordinates(c)} was not found (HTTP 404) in ${repositories.join(", ")}.${hint}`);
}
