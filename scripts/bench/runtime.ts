/**
 * npm run bench:runtime — the base image and the all-in-one runtime, in numbers (medians):
 * base image size (uncompressed, and gzip-compressed as a registry stores it), base build time from a
 * warm root filesystem, cold start to the first HTTP 200, restart to the first 200, and stop time.
 * Targets on a 2-core machine: under 600 MB, first 200 within 6 s of `run`, stop within 5 s.
 */
import { execa } from "execa";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { baseImageTag } from "../image/base.js";
import { selectEngine } from "../engine/engine.js";
import { repoPath } from "../lib/repo.js";
import { waitForHttp } from "../lib/http.js";
import { buildStandInImage } from "../image/stand-in-image.js";
import { onFreshVolume } from "./fresh-site.js";
import { median } from "./stats.js";
import { sassTimeoutMs } from "../theme/sass-compile.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const buildRuns = Number(process.env.BENCH_BUILD_RUNS ?? 2);
const engine = await selectEngine(process.env.CITELIBRE_ENGINE);
const base = `localhost/${baseImageTag("tomcat10")}`;
const fixture = "localhost/citelibre/fixture-site:bench";


const line = (label: string, value: string, target = "") => { console.log(`${label.padEnd(48)} ${value.padStart(12)}   ${target}`); };
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const cli = repoPath("bin/citelibre.js");

console.log(`CiteLibre runtime benchmark (${runs} runs for start/stop, ${buildRuns} for builds)`);
await execa("node", [cli, "base", "build", "--bootstrap"], { stdio: "inherit" });

const buildTimes: number[] = [];
for (let i = 0; i < buildRuns; i++) {
  const started = performance.now();
  await execa("node", [cli, "base", "build", "--bootstrap", "--no-cache"]);
  buildTimes.push(performance.now() - started);
}

const size = Number(await engine.inspectFormat(base, "{{.Size}}"));
const dir = await mkdtemp(path.join(tmpdir(), "citelibre-bench-"));
let compressed = 0;
try {
  const archive = path.join(dir, "base.tar");
  await engine.save(base, archive);
  await execa("gzip", ["-6", archive]);
  compressed = (await stat(`${archive}.gz`)).size;
} finally {
  await rm(dir, { recursive: true, force: true });
}

await buildStandInImage(engine, base, fixture, { sassTimeoutMs: sassTimeoutMs(process.env) });
const cold: number[] = [];
const restart: number[] = [];
const stops: number[] = [];
for (let i = 0; i < runs; i++) {
  await onFreshVolume(engine, fixture, `citelibre-bench-${process.pid}-${i}`, async ({ name, port, startedAt }) => {
    const url = `http://127.0.0.1:${port}/site/jsp/site/Portal.jsp`;
    await waitForHttp(url, 60_000);
    cold.push(performance.now() - startedAt);
    let started = performance.now();
    await engine.stop(name, 10);
    stops.push(performance.now() - started);
    started = performance.now();
    await engine.start(name);
    await waitForHttp(url, 60_000);
    restart.push(performance.now() - started);
  });
}

console.log("");
line("base image size, uncompressed", `${(size / 1e6).toFixed(0)} MB`, "target < 600 MB");
line("base image size, gzip (as pushed)", `${(compressed / 1e6).toFixed(0)} MB`);
line("base build from a warm root filesystem", seconds(median(buildTimes)), "(downloads Debian packages each time)");
line("cold start (run on an empty volume) to 200", seconds(median(cold)), "target <= 6 s");
line("restart (start on an initialised volume) to 200", seconds(median(restart)));
line("stop (SIGTERM to exit)", seconds(median(stops)), "target <= 5 s");
