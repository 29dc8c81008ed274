/**
 * npm run bench:release — a full local release in numbers: every bundle x two themes, from a warm base,
 * built with the stand-in site, scanned (SBOM), and published to a registry on 127.0.0.1 (Debian's
 * docker-registry, started here on a free port, its storage in a temporary folder). Each run publishes
 * to a fresh namespace, so nothing is skipped as already published. Prints the median wall time of the
 * whole release and the time one extra theme adds (the same release with one theme, subtracted). The
 * first release builds every image; the measured ones reuse them, as a re-run with unchanged inputs does.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { listBundles } from "../bundle/manifest.js";
import { freePort } from "../lib/http.js";
import { repoPath } from "../lib/repo.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cli = repoPath("bin/citelibre.js");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const work = await mkdtemp(path.join(tmpdir(), "citelibre-bench-release-"));
const host = `127.0.0.1:${String(await freePort())}`;
await writeFile(path.join(work, "config.yml"), ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", `    rootdirectory: ${path.join(work, "data")}`, "http:", `  addr: ${host}`].join("\n"));
const registry = execa("docker-registry", ["serve", path.join(work, "config.yml")], { reject: false, stdio: "ignore" });
try {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const bundles = await listBundles();
  console.log(`CiteLibre release benchmark (${String(runs)} runs each): ${bundles.join(", ")} x citelibre, exampleville -> ${host}`);
  await execa("node", [cli, "base", "build", "--bootstrap"], { stdio: "inherit" });
  const release = async (namespace: string, themes: string) => {
    const started = performance.now();
    await execa("node", [cli, "release", "--themes", themes, "--site-war", "stand-in", "--registry", `${host}/${namespace}`, "--report-dir", path.join(work, namespace)]);
    return performance.now() - started;
  };
  // The first release builds every image; later ones reuse them (same inputs) and measure scan + publish.
  const first = await release("first", "citelibre,exampleville");
  const full: number[] = [];
  const oneTheme: number[] = [];
  for (let i = 0; i < runs; i++) {
    full.push(await release(`full${String(i)}`, "citelibre,exampleville"));
    oneTheme.push(await release(`one${String(i)}`, "citelibre"));
  }
  console.log("");
  console.log(`${"first release (builds every bundle image)".padEnd(48)} ${seconds(first).padStart(8)}   (one run)`);
  console.log(`${`full release: ${String(bundles.length)} bundles x 2 themes`.padEnd(48)} ${seconds(median(full)).padStart(8)}`);
  console.log(`${`same with 1 theme (${String(bundles.length)} images)`.padEnd(48)} ${seconds(median(oneTheme)).padStart(8)}`);
  console.log(`${"time per extra theme".padEnd(48)} ${seconds(median(full) - median(oneTheme)).padStart(8)}`);
} finally {
  registry.kill("SIGKILL");
  await registry;
  await rm(work, { recursive: true, force: true });
}
