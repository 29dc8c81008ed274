/**
 * npm run bench:theme — median wall time of a cold `citelibre theme build` process for each shipped
 * theme (Node start-up and module loading included, as a user pays them). Target: at most 1 s.
 */
import { execa } from "execa";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoPath } from "../lib/repo.js";
import { median } from "./stats.js";

const runs = Number(process.env.BENCH_RUNS ?? 7);
const themes = ["citelibre", "exampleville"];
const targetMs = 1000;


const out = await mkdtemp(path.join(tmpdir(), "citelibre-bench-"));
let failed = false;
try {
  console.log(`cold-process \`citelibre theme build\`, ${runs} runs each after one warm-up (target <= ${targetMs} ms)`);
  for (const theme of themes) {
    const argv = [repoPath("bin/citelibre.js"), "theme", "build", repoPath("themes", theme), "--out", path.join(out, theme)];
    await execa("node", argv);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await execa("node", argv);
      times.push(performance.now() - start);
    }
    const m = median(times);
    if (m > targetMs) failed = true;
    console.log(`${theme.padEnd(14)} median ${m.toFixed(0).padStart(5)} ms   min ${Math.min(...times).toFixed(0).padStart(5)} ms   max ${Math.max(...times).toFixed(0).padStart(5)} ms   ${m <= targetMs ? "within target" : "OVER TARGET"}`);
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
