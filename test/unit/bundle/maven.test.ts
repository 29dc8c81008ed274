import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactError, resolveArtifact } from "../../../scripts/bundle/maven.js";
import { startMavenRepo, type TestRepo } from "../../helpers/maven-repo.js";

let repo: TestRepo;
let cacheDir: string;
const war = Buffer.from("PK fake war content for tests");
const coords = (version: string, artifactId = "site") => ({ groupId: "fr.citelibre.test", artifactId, version, type: "war" });

beforeAll(async () => {
  repo = await startMavenRepo();
  cacheDir = await mkdtemp(path.join(tmpdir(), "citelibre-cache-"));
  await repo.publish("fr.citelibre.test", "site", "1.0.0", war);
  await repo.publish("fr.citelibre.test", "site", "1.1.0", war);
  await repo.publish("fr.citelibre.test", "bad", "1.0.0", war, { wrongChecksum: true });
  const truncated = await repo.publish("fr.citelibre.test", "cut", "1.0.0", Buffer.alloc(200_000, 1));
  repo.behaviour.set(truncated, "truncate");
  const hanging = await repo.publish("fr.citelibre.test", "slow", "1.0.0", war);
  repo.behaviour.set(hanging, "hang");
});
afterAll(async () => {
  await repo.close();
  await rm(cacheDir, { recursive: true, force: true });
  await rm(repo.dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<ArtifactError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ArtifactError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("Maven artifact resolution", () => {
  it("downloads over HTTP, verifies the published sha1, caches by checksum, and serves the cache offline", async () => {
    const first = await resolveArtifact(coords("1.0.0"), [repo.url], undefined, { cacheDir, timeoutMs: 5000 });
    expect(first.fromCache).toBe(false);
    expect(path.basename(first.file)).toBe(`${first.sha256}.war`);
    const offline = await resolveArtifact(coords("1.0.0"), [repo.url], undefined, { cacheDir, offline: true });
    expect(offline).toMatchObject({ fromCache: true, file: first.file });
  });

  it("reads file:// repositories too", async () => {
    const r = await resolveArtifact(coords("1.1.0"), [pathToFileURL(repo.dir).href], undefined, { cacheDir: await mkdtemp(path.join(tmpdir(), "c-")) });
    expect(r.fromCache).toBe(false);
  });

  it("reports a 404 with the versions that do exist", async () => {
    const e = await failure(resolveArtifact(coords("9.9.9"), [repo.url], undefined, { cacheDir, timeoutMs: 5000 }));
    expect(e.kind).toBe("not-found");
    expect(e.message).toMatch(/fr\.citelibre\.test:site:9\.9\.9:war was not found \(HTTP 404\).*Versions published there: 1\.0\.0, 1\.1\.0/);
  });

  it("discards a file whose checksum does not match", async () => {
    const e = await failure(resolveArtifact(coords("1.0.0", "bad"), [repo.url], undefined, { cacheDir, timeoutMs: 5000 }));
    expect(e.kind).toBe("checksum");
    expect(e.message).toMatch(/sha1 mismatch .* the file was discarded/);
    const files = await readdir(path.join(cacheDir, "by-sha256"));
    expect(files.every((f) => !f.includes("partial"))).toBe(true);
    expect(files).toHaveLength(1);
  });

  it("refuses a manifest sha256 that does not match", async () => {
    const e = await failure(resolveArtifact(coords("1.1.0"), [repo.url], "0".repeat(64), { cacheDir: await mkdtemp(path.join(tmpdir(), "c-")), timeoutMs: 5000 }));
    expect(e.kind).toBe("checksum");
    expect(e.message).toMatch(/sha256 mismatch \(expected 0{64}/);
  });

  it("detects a truncated download", async () => {
    const e = await failure(resolveArtifact(coords("1.0.0", "cut"), [repo.url], undefined, { cacheDir, timeoutMs: 5000 }));
    expect(e.kind).toBe("truncated");
  });

  it("gives up on a repository that does not answer", async () => {
    const e = await failure(resolveArtifact(coords("1.0.0", "slow"), [repo.url], undefined, { cacheDir, timeoutMs: 300 }));
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/did not answer within 0\.3 s|stalled/);
  });

  it("says so in offline mode when the artifact is not cached", async () => {
    const e = await failure(resolveArtifact(coords("1.1.0"), [repo.url], undefined, { cacheDir: await mkdtemp(path.join(tmpdir(), "c-")), offline: true }));
    expect(e.kind).toBe("offline");
    expect(existsSync(cacheDir)).toBe(true);
  });
});
