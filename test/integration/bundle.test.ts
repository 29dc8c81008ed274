/**
 * Bundle images with the real engine: the stand-in site served from a Maven-layout repository on
 * 127.0.0.1, baked into rendezvous with a theme, started with `citelibre run`, looked at in headless
 * Chromium; then the rebrand loop, and failures that must leave no image.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInWar } from "../../scripts/bundle/stand-in.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { lookAt } from "../helpers/browser.js";
import { engine, freePort, waitForHttp } from "../helpers/containers.js";
import { startMavenRepo, type TestRepo } from "../helpers/maven-repo.js";
import { runCli } from "../helpers/themes.js";

let repo: TestRepo;
const coordinates = "fr.citelibre.fixture:stand-in-site:1.0.0";
// A name of the test's own: a user's `npm run demo` (citelibre-rendezvous) must not be touched.
const container = `citelibre-test-${process.pid}-run`;
const volume = `${container}-data`;
let work: string;

interface BuildJson { ok: boolean; image: string; id: string; tags: string[]; theme: { name: string } }
interface RunJson { ok: boolean; urls: { frontOffice: string; mail: string }; standIn: boolean }

async function build(theme: string, extra: string[] = []): Promise<{ code: number; json?: BuildJson; out: string }> {
  const r = await runCli(["--json", "build", "rendezvous", "--theme", theme, "--site-war", coordinates, "--maven-repo", repo.url, ...extra]);
  return { code: r.code, out: r.stdout + r.stderr, ...(r.code === 0 ? { json: JSON.parse(r.stdout) as BuildJson } : {}) };
}

async function run(theme: string, port: number, mailPort: number): Promise<RunJson> {
  const r = await runCli(["--json", "run", "rendezvous", "--theme", theme, "--site-war", coordinates, "--maven-repo", repo.url, "--detach", "--name", container, "--port", String(port), "--mail-port", String(mailPort)]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout) as RunJson;
}

const layers = async (image: string) => JSON.parse(await engine.inspectFormat(image, "{{json .RootFS.Layers}}")) as string[];

beforeAll(async () => {
  repo = await startMavenRepo();
  await repo.publish("fr.citelibre.fixture", "stand-in-site", "1.0.0", await readFile(await standInWar()));
  work = await mkdtemp(path.join(tmpdir(), "citelibre-bundle-it-"));
  await engine.remove(container, { now: true });
  await engine.raw(["volume", "rm", "--force", volume]).catch(() => undefined);
}, 600_000);

afterAll(async () => {
  await engine.remove(container, { now: true });
  await engine.raw(["volume", "rm", "--force", volume]).catch(() => undefined);
  await repo?.close();
  await rm(work, { recursive: true, force: true });
});

describe.each([
  ["exampleville", "#7a1f5c"],
  ["citelibre", "#1f4f8f"],
])("rendezvous with themes/%s", (theme, primary) => {
  it("builds from Maven coordinates, answers on Portal.jsp, and shows the theme in Chromium without leaving 127.0.0.1", async () => {
    const built = await build(repoPath("themes", theme));
    expect(built.code, built.out).toBe(0);
    expect(built.json?.tags[0]).toBe(theme === "citelibre" ? "citelibre/rendezvous:1.0.0" : `citelibre/rendezvous:1.0.0-${theme}`);
    const labels = (await engine.imageFacts(built.json!.id)).labels;
    expect(labels).toMatchObject({ "fr.citelibre.bundle": "rendezvous", "fr.citelibre.theme": theme, "org.opencontainers.image.version": "1.0.0" });
    expect(labels["fr.citelibre.theme.digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    const port = await freePort();
    const running = await run(repoPath("themes", theme), port, await freePort());
    await waitForHttp(running.urls.frontOffice.replace("localhost", "127.0.0.1"), 60_000);
    const seen = await lookAt(running.urls.frontOffice.replace("localhost", "127.0.0.1"));
    expect(seen.mainColor).toBe(primary);
    expect(seen.logoSrc).toContain(`themes/skin/${theme}/images/logo.svg`);
    expect(seen.logoWidth).toBeGreaterThan(0);
    expect(seen.offLoopback).toEqual([]);
    expect(seen.standIn).toBe(true);
  });
});

describe("rebrand loop", () => {
  it("rebuilds only the theme layer, and a new container on the same volume shows the new colour and keeps the data", async () => {
    const theme = path.join(work, "exampleville");
    await cp(repoPath("themes/exampleville"), theme, { recursive: true });
    const first = await build(theme);
    expect(first.code, first.out).toBe(0);
    const port = await freePort();
    const mailPort = await freePort();
    const before = await run(theme, port, mailPort);
    const url = before.urls.frontOffice.replace("localhost", "127.0.0.1");
    const notes = Number(/<span id="notes">(\d+)</.exec((await waitForHttp(`${url}?note=before-rebrand`)).body)?.[1]);
    expect(notes).toBeGreaterThanOrEqual(1);

    const tokensFile = path.join(theme, "tokens.json");
    await writeFile(tokensFile, (await readFile(tokensFile, "utf8")).replace('"#7a1f5c"', '"#2a5d3c"'));
    const second = await build(theme);
    expect(second.code, second.out).toBe(0);
    const [a, b] = [await layers(first.json!.id), await layers(second.json!.id)];
    expect(b.length).toBe(a.length);
    expect(b.slice(0, -1)).toEqual(a.slice(0, -1));
    expect(b.at(-1)).not.toBe(a.at(-1));

    await run(theme, port, mailPort);
    const after = await lookAt(url);
    expect(after.mainColor).toBe("#2a5d3c");
    expect(Number(/<span id="notes">(\d+)</.exec((await waitForHttp(url)).body)?.[1])).toBe(notes);
  });
});

describe("site failures", () => {
  it("reports a checksum mismatch and leaves no image", async () => {
    await repo.publish("fr.citelibre.fixture", "tampered-site", "1.0.0", Buffer.from("not the published bytes"), { wrongChecksum: true });
    const r = await runCli(["build", "rendezvous", "--site-war", "fr.citelibre.fixture:tampered-site:1.0.0", "--maven-repo", repo.url, "--namespace", "citelibre-failed"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sha1 mismatch .* the file was discarded/);
    expect(await engine.imageExists("citelibre-failed/rendezvous:1.0.0")).toBe(false);
  });

  it("reports a 404 with the published versions and leaves no image", async () => {
    const r = await runCli(["build", "rendezvous", "--site-war", "fr.citelibre.fixture:stand-in-site:9.9.9", "--maven-repo", repo.url, "--namespace", "citelibre-failed"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stand-in-site:9\.9\.9:war was not found \(HTTP 404\).*Versions published there: 1\.0\.0/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await engine.imageExists("citelibre-failed/rendezvous:1.0.0")).toBe(false);
  });
});
