/**
 * npm run bench:bake [-- --engine docker --engine podman] — bundle images in numbers (medians, cold CLI
 * processes, stand-in site), for each engine asked (default: each one this machine runs), side by side:
 * a full bundle build from a warm base, a rebuild after a theme change, and the whole rebrand loop (edit
 * a colour -> new image -> new container on the same volume answering with the new colour).
 * Targets on a 2-core machine: theme rebuild at most 2 s, whole rebrand loop at most 10 s.
 */
import { execa } from "execa";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { selectEngine, type Engine } from "../engine/engine.js";
import { containerNames } from "../image/run-site.js";
import { freePort } from "../lib/http.js";
import { repoPath } from "../lib/repo.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cli = repoPath("bin/citelibre.js");
const { values } = parseArgs({ options: { engine: { type: "string", multiple: true } } });
const engines: Engine[] = [];
for (const name of values.engine ?? ["podman", "docker"]) {
  const engine = await selectEngine(name).catch((e: unknown) => {
    if (values.engine) throw e;
    console.log(`skipped ${name}: ${(e as Error).message}`);
    return undefined;
  });
  // Detection: docker counts only when its daemon answers.
  if (engine && (values.engine || (await engine.imageNames().then(() => true, () => false)))) engines.push(engine);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Figures { full: number[]; themeOnly: number[]; loop: number[] }

async function measure(engine: Engine, work: string): Promise<Figures> {
  const theme = path.join(work, `benchville`);
  await rm(theme, { recursive: true, force: true });
  await cp(repoPath("themes/exampleville"), theme, { recursive: true });
  const yamlFile = path.join(theme, "theme.yaml");
  await writeFile(yamlFile, (await readFile(yamlFile, "utf8")).replace("name: exampleville", "name: benchville"));
  const tokensFile = path.join(theme, "tokens.json");
  const original = await readFile(tokensFile, "utf8");
  const citelibre = (args: string[], options: { stdio?: "inherit" } = {}) => execa("node", [cli, "--engine", engine.name, ...args], options);
  const args = ["build", "rendezvous", "--theme", theme, "--site-war", "stand-in", "--namespace", `citelibre-bench-${process.pid}`];
  // Names of the benchmark's own: a user's demo (citelibre-rendezvous) keeps running untouched.
  const { container, volume } = containerNames("rendezvous", `citelibre-bench-bake-${process.pid}-${engine.name}`);
  const figures: Figures = { full: [], themeOnly: [], loop: [] };
  try {
    await citelibre(["base", "build", "--bootstrap"], { stdio: "inherit" });
    await citelibre(args);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await citelibre([...args, "--no-cache"]);
      figures.full.push(performance.now() - started);
    }
    for (let i = 0; i < runs; i++) {
      await writeFile(tokensFile, original.replace('"#7a1f5c"', `"#7a1f${(0x10 + i).toString(16)}"`));
      const started = performance.now();
      await citelibre(args);
      figures.themeOnly.push(performance.now() - started);
    }
    const port = await freePort();
    const run = ["run", ...args.slice(1), "--detach", "--name", container, "--port", String(port), "--mail-port", String(await freePort())];
    await citelibre(run);
    for (let i = 0; i < runs; i++) {
      const colour = `#2a5d${(0x30 + i).toString(16)}`;
      const started = performance.now();
      await writeFile(tokensFile, original.replace('"#7a1f5c"', `"${colour}"`));
      await citelibre(run);
      const css = await fetch(`http://127.0.0.1:${port}/rendezvous/themes/skin/benchville/css/benchville.min.css`).then((r) => r.text());
      if (!css.includes(colour)) throw new Error(`the site does not serve ${colour} after the rebrand (${engine.name})`);
      figures.loop.push(performance.now() - started);
    }
    return figures;
  } finally {
    await engine.remove(container, { now: true });
    await engine.removeVolume(volume);
    for (const image of await engine.imageNamesUnder(`citelibre-bench-${process.pid}`)) await engine.removeImage(image);
  }
}

const work = await mkdtemp(path.join(tmpdir(), "citelibre-bench-bake-"));
try {
  console.log(`CiteLibre bake benchmark (${runs} runs each) on ${engines.map((e) => `${e.name} (${e.builder})`).join(" and ")}`);
  const results: Array<[Engine, Figures]> = [];
  for (const engine of engines) results.push([engine, await measure(engine, work)]);
  const row = (label: string, pick: (f: Figures) => number[], target = "") => {
    console.log(`${label.padEnd(52)} ${results.map(([, f]) => seconds(median(pick(f))).padStart(10)).join("")}   ${target}`);
  };
  console.log("");
  console.log(`${"".padEnd(52)} ${results.map(([e]) => e.name.padStart(10)).join("")}`);
  row("full bundle build from a warm base (--no-cache)", (f) => f.full);
  row("rebuild after a theme change", (f) => f.themeOnly, "target <= 2 s");
  row("rebrand loop: edit -> image -> container answering", (f) => f.loop, "target <= 10 s");
} finally {
  await rm(work, { recursive: true, force: true });
}
