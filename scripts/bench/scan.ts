/**
 * npm run bench:scan — `citelibre scan` in numbers (medians, in one process after a warm-up): SBOM
 * generation (read the image's packages and jars, build and serialise the CycloneDX document) and the
 * freshness check (apt in a throw-away container against the Debian mirror), on rendezvous with the
 * stand-in site.
 */
import { execa } from "execa";
import { selectEngine } from "../engine/engine.js";
import { repoPath } from "../lib/repo.js";
import { readImageContents, simulatedUpgrade } from "../scan/extract.js";
import { parseSimulatedUpgrade } from "../scan/freshness.js";
import { buildSbom, serializeSbom } from "../scan/sbom.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const image = "citelibre/rendezvous:1.0.0";
const engine = await selectEngine(process.env.CITELIBRE_ENGINE);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`CiteLibre scan benchmark (${String(runs)} runs each, ${image})`);
await execa("node", [repoPath("bin/citelibre.js"), "build", "rendezvous", "--site-war", "stand-in"], { stdio: "inherit" });

let components = 0;
let pending = 0;
const sbom: number[] = [];
const freshness: number[] = [];
for (let i = 0; i <= runs; i++) {
  let started = performance.now();
  const contents = await readImageContents(engine, image);
  const bom = buildSbom({ image: contents.facts, debian: contents.debian, java: contents.java, runtimeFiles: contents.runtimeFiles, tool: { name: "citelibre-forge", version: "bench" } });
  serializeSbom(bom);
  components = bom.components.size;
  if (i > 0) sbom.push(performance.now() - started);
  started = performance.now();
  pending = parseSimulatedUpgrade(await simulatedUpgrade(engine, image), new Date().toISOString()).updates.length;
  if (i > 0) freshness.push(performance.now() - started);
}
console.log("");
console.log(`${"SBOM generation".padEnd(50)} ${seconds(median(sbom)).padStart(9)}   (${String(components)} components)`);
console.log(`${"freshness check (apt update + simulated upgrade)".padEnd(50)} ${seconds(median(freshness)).padStart(9)}   (${String(pending)} pending updates)`);
