/**
 * `citelibre run`: starts a bundle image with a named volume, waits for the site to answer, and
 * prints where everything is. Runs in the foreground until Ctrl-C unless --detach.
 */
import type { Engine } from "./engine.js";
import type { BundleManifest } from "../bundle/manifest.js";
import type { Reporter } from "../lib/log.js";
import { UserError } from "../lib/problems.js";

export interface RunOptions {
  image: string;
  manifest: BundleManifest;
  port: number;
  mailPort: number;
  host: string;
  timeoutMs: number;
}

export interface Running {
  container: string;
  volume: string;
  urls: { frontOffice: string; backOffice: string; mail: string };
  secrets: string;
  startupMs: number;
}

export function containerNames(bundle: string): { container: string; volume: string } {
  return { container: `citelibre-${bundle}`, volume: `citelibre-${bundle}-data` };
}

export async function runSite(engine: Engine, reporter: Reporter, options: RunOptions): Promise<Running> {
  const { container, volume } = containerNames(options.manifest.name);
  const m = options.manifest;
  // A new container on the same volume: the data stays, the image may be new.
  await engine.remove(container);
  const started = performance.now();
  await engine.run({
    image: options.image,
    name: container,
    detach: true,
    ports: [
      { host: options.port, container: 8080, hostIp: options.host },
      { host: options.mailPort, container: 1080, hostIp: options.host },
    ],
    volumes: [{ source: volume, target: "/var/lib/citelibre" }],
  });
  const shownHost = options.host === "0.0.0.0" ? "localhost" : options.host;
  const base = `http://${shownHost}:${options.port}/${m.context}`;
  const urls = { frontOffice: `${base}${m.urls.frontOffice}`, backOffice: `${base}${m.urls.backOffice}`, mail: `http://${shownHost}:${options.mailPort}/` };
  const probe = `http://127.0.0.1:${options.port}/${m.context}${m.urls.frontOffice}`;
  let last = "";
  let lastReport = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    const state = await engine.inspectFormat(container, "{{.State.Status}}").catch(() => "gone");
    if (state === "exited" || state === "stopped" || state === "gone") {
      const logs = await engine.logs(container, 30).catch(() => "");
      throw new UserError(`the container stopped during start-up. Its last lines:\n${logs}`);
    }
    try {
      const r = await fetch(probe, { signal: AbortSignal.timeout(3000) });
      if (r.status === 200) break;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (elapsed > options.timeoutMs) throw new UserError(`the site did not answer within ${options.timeoutMs / 1000} s (last: ${last}). See: podman logs ${container}`);
    if (elapsed - lastReport > 2000) {
      reporter.step(`waiting for the site to answer (${(elapsed / 1000).toFixed(0)} s)`);
      lastReport = elapsed;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    container, volume, urls,
    secrets: `${engine.name} exec ${container} cat /var/lib/citelibre/secrets/db-password`,
    startupMs: Math.round(performance.now() - started),
  };
}

/**
 * Waits in the foreground until Ctrl-C (or SIGTERM), or until the container stops by itself. The
 * polling timer also keeps Node's event loop alive while it waits.
 */
export function waitForInterruptOrExit(engine: Engine, container: string): Promise<"signal" | "exited"> {
  return new Promise((resolve) => {
    const done = (why: "signal" | "exited") => {
      clearInterval(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(why);
    };
    const onSignal = () => {
      done("signal");
    };
    const timer = setInterval(() => {
      void engine.inspectFormat(container, "{{.State.Status}}").then(
        (state) => {
          if (state === "exited" || state === "stopped") done("exited");
        },
        () => {
          done("exited");
        },
      );
    }, 2000);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
}
