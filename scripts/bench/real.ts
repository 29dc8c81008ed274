/**
 * npm run bench:real — the real Lutece 7.0.6 site (kept on this machine: lib/lutece-fixture.ts) against
 * the stand-in, in numbers (medians of BENCH_RUNS, 5 by default): image size, first start on an empty
 * volume to the first real portal page, restart to the first real page, and where the first start's time
 * goes (read from the container's timestamped log). Targets on a 2-core machine: first start <= 20 s,
 * restart <= 12 s, real-fixture image <= 620 MB.
 */
import { execa } from "execa";
import { selectEngine } from "../engine/engine.js";
import { browserLanguage } from "../lib/http.js";
import { luteceFixture } from "../lib/lutece-fixture.js";
import { repoPath } from "../lib/repo.js";
import { onFreshVolume } from "./fresh-site.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const engine = await selectEngine(process.env.CITELIBRE_ENGINE);
const cli = repoPath("bin/citelibre.js");
const namespace = `citelibre-bench-${process.pid}`;
const fixture = luteceFixture(process.env);
if ("reason" in fixture) {
  console.error(`bench:real needs the real Lutece site: ${fixture.reason}`);
  process.exit(2);
}
const war = fixture.site;

const line = (label: string, value: string, target = "") => { console.log(`${label.padEnd(56)} ${value.padStart(10)}   ${target}`); };
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** Lutece's startup failure page answers HTTP 200 too: a page counts only when it is not that one. */
const failurePage = /Erreur de d[ée]marrage|Startup error/;

/** Polls the front page until it answers 200 with a real page; milliseconds since `since`. */
async function firstPage(url: string, since: number, timeoutMs = 120_000): Promise<number> {
  for (;;) {
    const page = await fetch(url, { headers: browserLanguage, signal: AbortSignal.timeout(5000) }).then(async (r) => (r.status === 200 ? r.text() : undefined), () => undefined);
    if (page !== undefined && !failurePage.test(page)) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`${url} gave no real page within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Seconds from the container's start to the first log line matching each pattern (podman logs -t). */
async function phases(container: string, marks: Record<string, RegExp>): Promise<Record<string, number>> {
  const started = Date.parse(await engine.inspectFormat(container, "{{.State.StartedAt}}"));
  const lines = await engine.logsWithTimes(container);
  const found: Record<string, number> = {};
  for (const [name, pattern] of Object.entries(marks)) {
    const hit = lines.find((l) => pattern.test(l));
    const at = hit ? Date.parse(hit.split(" ")[0] ?? "") : NaN;
    if (!Number.isNaN(at)) found[name] = (at - started) / 1000;
  }
  return found;
}

const marks = {
  "MariaDB initialised and answering": /\[citelibre\] creating database/,
  "schema loaded (site, bundle, accounts)": /\[citelibre\] the database \S+ is set up/,
  "JVM started (Tomcat's first line)": /\[tomcat\] /,
  "Lutece's init begins (web app deployed to listener)": /\[lutece\] .*Starting {2}version/,
  "Lutece started (its banner)": /started successfully in/,
  "entrypoint reports started": /\[citelibre\] started: site/,
};

interface Figures { size: number; first: number[]; restart: number[]; phases: Array<Record<string, number>> }

async function measure(siteWar: string): Promise<Figures> {
  const built = await execa("node", [cli, "--json", "build", "rendezvous", "--site-war", siteWar, "--namespace", namespace]);
  const { id, sizeBytes } = JSON.parse(built.stdout) as { id: string; sizeBytes: number };
  const figures: Figures = { size: sizeBytes, first: [], restart: [], phases: [] };
  for (let i = 0; i < runs; i++) {
    await onFreshVolume(engine, id, `${namespace}-${i}`, async ({ name, port, startedAt }) => {
      const url = `http://127.0.0.1:${port}/rendezvous/jsp/site/Portal.jsp`;
      figures.first.push(await firstPage(url, startedAt));
      figures.phases.push(await phases(name, marks));
      await engine.stop(name, 10);
      const restartedAt = performance.now();
      await engine.start(name);
      figures.restart.push(await firstPage(url, restartedAt));
    });
  }
  return figures;
}

console.log(`CiteLibre real-site benchmark (${runs} runs; ${war})`);
await execa("node", [cli, "base", "build", "--bootstrap"], { stdio: "inherit" });
try {
  const baseSize = Number(await engine.inspectFormat("localhost/citelibre/base:bookworm", "{{.Size}}"));
  const real = await measure(war);
  const standIn = await measure("stand-in");
  console.log("");
  line("", "real 7.0.6".padStart(10) + "   stand-in");
  const both = (label: string, a: string, b: string, target = "") => { console.log(`${label.padEnd(56)} ${a.padStart(10)}   ${b.padStart(8)}   ${target}`); };
  both("image size (base included)", `${(real.size / 1e6).toFixed(0)} MB`, `${(standIn.size / 1e6).toFixed(0)} MB`, `target <= 620 MB (base ${(baseSize / 1e6).toFixed(0)} MB)`);
  both("first start on an empty volume to the first real page", seconds(median(real.first)), seconds(median(standIn.first)), "target <= 20 s");
  both("restart to the first real page", seconds(median(real.restart)), seconds(median(standIn.restart)), "target <= 12 s");
  console.log("\nWhere the real site's first start goes (median seconds from the container's start):");
  for (const name of Object.keys(marks)) {
    const values = real.phases.map((p) => p[name]).filter((v): v is number => v !== undefined);
    if (values.length) line(`  ${name}`, `${median(values).toFixed(2)} s`);
  }
} finally {
  // Names only, never --force: an image that also carries a user's tag, or runs a user's container, stays.
  for (const reference of await engine.imageNamesUnder(namespace)) await engine.removeImage(reference);
}
