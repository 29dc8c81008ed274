/**
 * Bounded load against a running site, shared by `npm run bench:load` and the load test (neither imports
 * the other): wrk on loopback for a fixed time at a fixed concurrency, the site's page and its theme
 * stylesheet in turn, and the container's memory sampled the whole time. Nothing here leaves 127.0.0.1.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { run } from "../lib/exec.js";
import type { Engine } from "../engine/engine.js";

export interface LoadStep {
  connections: number;
  seconds: number;
  requests: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Connect, read and write errors. */
  errors: number;
  timeouts: number;
  /** Answers other than 2xx and 3xx. */
  non2xx: number;
}

/** The stylesheet the page links (the theme's), so the load covers what a browser fetches first. */
export function stylesheetPath(pageUrl: string, html: string): string | undefined {
  const href = /<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/.exec(html)?.[1];
  if (!href) return undefined;
  // Lutece pages resolve relative links against <base href>, as a browser does.
  const base = new URL(/<base[^>]+href="([^"]+)"/i.exec(html)?.[1] ?? pageUrl, pageUrl);
  const url = new URL(href.replace(/&#61;/g, "=").replace(/&amp;/g, "&"), base);
  return url.pathname + url.search;
}

/** wrk's Lua hook that sends the paths in turn, one per request. */
export function pathsScript(paths: string[]): string {
  for (const p of paths) if (!/^\/[A-Za-z0-9/._~=&?%-]*$/.test(p)) throw new Error(`"${p}" is not a plain URL path`);
  return [
    `local paths = { ${paths.map((p) => JSON.stringify(p)).join(", ")} }`,
    "local i = 0",
    "request = function()",
    "  i = i % #paths + 1",
    '  return wrk.format("GET", paths[i])',
    "end",
    "",
  ].join("\n");
}

function toMs(value: string, unit: string): number {
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
  return Number(value) * (factor[unit] ?? NaN);
}

/** Reads wrk's report (run with --latency). */
export function parseWrk(output: string, connections: number, seconds: number): LoadStep {
  const latency = (label: string) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(output);
    if (!m) throw new Error(`wrk printed no ${label}% latency:\n${output}`);
    return toMs(m[1] ?? "", m[2] ?? "");
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(output);
  const total = /^\s*(\d+) requests in/m.exec(output);
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (!total || !rate || !max) throw new Error(`cannot read wrk's report:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    connections,
    seconds,
    requests: Number(total[1]),
    perSecond: Number(rate[1]),
    latencyMs: { p50: latency("50"), p90: latency("90"), p99: latency("99"), max: toMs(max[1] ?? "", max[2] ?? "") },
    errors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0,
    timeouts: socket ? Number(socket[4]) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

export async function loadStep(pageUrl: string, extraPaths: string[], connections: number, seconds: number): Promise<LoadStep> {
  const url = new URL(pageUrl);
  if (!["127.0.0.1", "localhost"].includes(url.hostname)) throw new Error(`load tests stay on loopback, not ${url.hostname}`);
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-load-"));
  try {
    const script = path.join(dir, "paths.lua");
    await writeFile(script, pathsScript([url.pathname + url.search, ...extraPaths]));
    const threads = Math.min(2, connections);
    const { stdout } = await run("wrk", [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "--latency", "-s", script, url.origin], { timeout: (seconds + 30) * 1000 });
    return parseWrk(stdout, connections, seconds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const units: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** `podman stats` memory column, e.g. "226.7MB / 1.074GB", in bytes. */
export function parseMemUsage(text: string): { used: number; limit: number } {
  const m = /^\s*([\d.]+)\s*([kKMGT]?i?B)\s*\/\s*([\d.]+)\s*([kKMGT]?i?B)\s*$/.exec(text);
  if (!m) throw new Error(`cannot read the memory usage "${text}"`);
  const [, used = "", usedUnit = "", limit = "", limitUnit = ""] = m;
  const bytes = (value: string, unit: string) => Math.round(Number(value) * (units[unit] ?? NaN));
  return { used: bytes(used, usedUnit), limit: bytes(limit, limitUnit) };
}

/** Samples the container's memory every second until stopped; returns the peak and the limit. */
export function sampleMemory(engine: Engine, container: string): { stop: () => Promise<{ peak: number; limit: number; samples: number }> } {
  let peak = 0;
  let limit = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const out = await engine.memoryUsage(container);
        const m = parseMemUsage(out);
        peak = Math.max(peak, m.used);
        limit = m.limit;
        samples += 1;
      } catch {
        // A sample lost to a busy engine does not end the measurement.
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { peak, limit, samples };
    },
  };
}

export function stepLine(s: LoadStep): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  return [
    `${String(s.connections).padStart(4)} conn`,
    `${String(s.seconds).padStart(3)} s`,
    `${String(s.requests).padStart(7)} req`,
    `${s.perSecond.toFixed(0).padStart(6)} req/s`,
    `p50 ${ms(s.latencyMs.p50).padStart(7)}`,
    `p90 ${ms(s.latencyMs.p90).padStart(7)}`,
    `p99 ${ms(s.latencyMs.p99).padStart(7)}`,
    `max ${ms(s.latencyMs.max).padStart(7)}`,
    `errors ${s.errors}`,
    `timeouts ${s.timeouts}`,
    `non-2xx ${s.non2xx}`,
  ].join("  ");
}
