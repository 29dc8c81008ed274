/**
 * npm run bench:bake — bundle images in numbers (medians, cold CLI processes, stand-in site):
 * a full bundle build from a warm base, a rebuild after a theme change, and the whole rebrand loop
 * (edit a colour -> new image -> new container on the same volume answering with the new colour).
 * Targets on a 2-core machine: theme rebuild at most 2 s, whole rebrand loop at most 10 s.
 */
import { execa } from "execa";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "../engine/engine.js";
import { containerNames } from "../image/run-site.js";
import { repoPath } from "../lib/repo.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cli = repoPath("bin/citelibre.js");
const engine = new Engine("podman");

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const line = (label: string, value: string, target = "") => { console.log(`${label.padEnd(52)} ${value.padStart(9)}   ${target}`); };

const work = await mkdtemp(path.join(tmpdir(), "citelibre-bench-bake-"));
const theme = path.join(work, "benchville");
await cp(repoPath("themes/exampleville"), theme, { recursive: true });
const yamlFile = path.join(theme, "theme.yaml");
await writeFile(yamlFile, (await readFile(yamlFile, "utf8")).replace("name: exampleville", "name: benchville"));
const tokensFile = path.join(theme, "tokens.json");
const original = await readFile(tokensFile, "utf8");
const args = ["build", "rendezvous", "--theme", theme, "--site-war", "stand-in"];
// Names of the benchmark's own: a user's demo (citelibre-rendezvous) keeps running untouched.
const { container, volume } = containerNames("rendezvous", `citelibre-bench-bake-${process.pid}`);

try {
  console.log(`CiteLibre bake benchmark (${runs} runs each)`);
  await execa("node", [cli, "base", "build", "--bootstrap"], { stdio: "inherit" });
  await execa("node", [cli, ...args]);

  const full: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await execa("node", [cli, ...args, "--no-cache"]);
    full.push(performance.now() - started);
  }

  const themeOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    await writeFile(tokensFile, original.replace('"#7a1f5c"', `"#7a1f${(0x10 + i).toString(16)}"`));
    const started = performance.now();
    await execa("node", [cli, ...args]);
    themeOnly.push(performance.now() - started);
  }

  const loop: number[] = [];
  const port = 18765;
  await execa("node", [cli, "run", ...args.slice(1), "--detach", "--name", container, "--port", String(port), "--mail-port", String(port + 1)]);
  for (let i = 0; i < runs; i++) {
    const colour = `#2a5d${(0x30 + i).toString(16)}`;
    const started = performance.now();
    await writeFile(tokensFile, original.replace('"#7a1f5c"', `"${colour}"`));
    await execa("node", [cli, "run", ...args.slice(1), "--detach", "--name", container, "--port", String(port), "--mail-port", String(port + 1)]);
    const css = await fetch(`http://127.0.0.1:${port}/rendezvous/themes/skin/benchville/css/benchville.min.css`).then((r) => r.text());
    if (!css.includes(colour)) throw new Error(`the site does not serve ${colour} after the rebrand`);
    loop.push(performance.now() - started);
  }

  console.log("");
  line("full bundle build from a warm base (--no-cache)", seconds(median(full)));
  line("rebuild after a theme change", seconds(median(themeOnly)), "target <= 2 s");
  line("rebrand loop: edit -> image -> container answering", seconds(median(loop)), "target <= 10 s");
} finally {
  await engine.remove(container);
  await engine.removeVolume(volume);
  await rm(work, { recursive: true, force: true });
}
