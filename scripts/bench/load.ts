/**
 * npm run bench:load — the all-in-one container under bounded load on loopback: the front-office page
 * and the theme stylesheet in turn, at increasing concurrency (1, 10, 50 connections), then 50
 * connections for 60 s, the issue's bar: zero errors, and memory within the container's limit.
 * Every step is bounded in time; the whole run takes about two minutes.
 * LOAD_SECONDS (default 15) sets the length of the ramp steps; LOAD_HOLD_SECONDS (default 60) the hold.
 */
import { execa } from "execa";
import { selectEngine } from "../engine/engine.js";
import { waitForHttp } from "../lib/http.js";
import { repoPath } from "../lib/repo.js";
import { loadStep, sampleMemory, stepLine, stylesheetPath, type LoadStep } from "../image/site-load.js";

const rampSeconds = Number(process.env.LOAD_SECONDS ?? 15);
const holdSeconds = Number(process.env.LOAD_HOLD_SECONDS ?? 60);
const memoryLimit = process.env.LOAD_MEMORY ?? "1g";
const cli = repoPath("bin/citelibre.js");
const engine = await selectEngine(process.env.CITELIBRE_ENGINE);
const container = `citelibre-bench-load-${process.pid}`;
const port = 18790;
const page = `http://127.0.0.1:${port}/rendezvous/jsp/site/Portal.jsp`;

try {
  console.log(`CiteLibre load benchmark: all-in-one rendezvous (stand-in site), memory limit ${memoryLimit}, loopback only`);
  const built = await execa("node", [cli, "--json", "build", "rendezvous", "--site-war", "stand-in"]);
  const image = (JSON.parse(built.stdout) as { id: string }).id;
  await engine.run({ image, name: container, detach: true, memory: memoryLimit, ports: [{ host: port, container: 8080 }] });
  const { body: html } = await waitForHttp(page, 120_000);
  const css = stylesheetPath(page, html);
  if (!css) throw new Error("the page links no stylesheet");
  await waitForHttp(new URL(css, page).href, 10_000);
  console.log(`requests: ${new URL(page).pathname} and ${css.split("?")[0] ?? css}, in turn\n`);

  const steps: LoadStep[] = [];
  const memory = sampleMemory(engine, container);
  for (const connections of [1, 10, 50]) {
    const step = await loadStep(page, [css], connections, rampSeconds);
    steps.push(step);
    console.log(stepLine(step));
  }
  const hold = await loadStep(page, [css], 50, holdSeconds);
  steps.push(hold);
  console.log(stepLine(hold));
  const mem = await memory.stop();
  const oomKilled = await engine.inspectFormat(container, "{{.State.OOMKilled}}");
  const status = await engine.inspectFormat(container, "{{.State.Status}}");

  const failures = hold.errors + hold.timeouts + hold.non2xx;
  console.log("");
  console.log(`memory: peak ${(mem.peak / 1e6).toFixed(0)} MB of a ${(mem.limit / 1e6).toFixed(0)} MB limit (${mem.samples} samples, one a second); OOM-killed: ${oomKilled}; container ${status}`);
  console.log(`50 connections for ${holdSeconds} s: ${failures === 0 ? "zero errors" : `${failures} failed requests`}, ${hold.perSecond.toFixed(0)} req/s, p99 ${hold.latencyMs.p99} ms`);
  const ok = failures === 0 && mem.peak < mem.limit && oomKilled === "false" && status === "running";
  console.log(ok ? "PASS: zero errors at 50 connections and memory within the limit" : "FAIL: see above");
  process.exitCode = ok ? 0 : 1;
} finally {
  await engine.remove(container, { now: true });
}
