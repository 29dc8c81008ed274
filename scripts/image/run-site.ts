/**
 * `citelibre run`: starts a bundle image with a named volume, waits until the site has started (the
 * entrypoint says so only once Lutece reports it, see citelibre-healthcheck), and prints where everything
 * is. Runs in the foreground until Ctrl-C unless --detach.
 */
import type { Engine } from "../engine/engine.js";
import type { BundleManifest } from "../bundle/manifest.js";
import type { Reporter } from "../lib/log.js";
import { browserLanguage } from "../lib/http.js";
import { UserError } from "../lib/problems.js";

export interface RunOptions {
  image: string;
  manifest: BundleManifest;
  port: number;
  mailPort: number;
  host: string;
  timeoutMs: number;
  /** Container name (default citelibre-<bundle>); its volume is <name>-data. */
  name?: string;
  /** The theme may be changed in the running container (run --watch, live-theme.ts). */
  liveTheme?: boolean;
  /** The site carries the bundle's application (its plugins): its own entry points are given. */
  applicationPresent?: boolean;
}

export interface Running {
  container: string;
  volume: string;
  urls: { frontOffice: string; backOffice: string; mail: string; application?: string; applicationBackOffice?: string };
  /** Commands that print the generated passwords (database, and the back office's admin). */
  secrets: { database: string; admin: string };
  startupMs: number;
}

export function containerNames(bundle: string, name?: string): { container: string; volume: string } {
  const container = name ?? `citelibre-${bundle}`;
  return { container, volume: `${container}-data` };
}

/** What the entrypoint logs once the site has started (citelibre-entrypoint). */
export const startedLine = /^\[citelibre\] started: site /m;
/** The entrypoint's last line (services.sh), with its exit status. */
export const stoppedLine = /^\[citelibre\] stopped \(exit status (\d+)\)$/m;

/**
 * The lines of a failed start's log that say why: the entrypoint's own error, and Lutece's errors (its
 * start-up failure cause included, which the status page logs). Falls back to the log's last lines.
 */
export function startupFailureCause(logs: string, max = 12): string[] {
  const lines = logs.split("\n").filter((l) => l.trim() !== "");
  const wanted = lines.filter((l) => /^\[citelibre\] (error|warning): /.test(l) || /^\[lutece\] .*(\bERROR\b|Lutece did not start)/.test(l) || /^\[tomcat\] .*\b(SEVERE|GRAVE)\b/.test(l));
  // Lutece's own reason first: it names what to fix; the entrypoint's line says where to look.
  const reason = /^\[lutece\] .*Lutece did not start: /;
  wanted.sort((a, b) => Number(reason.test(b)) - Number(reason.test(a)));
  return (wanted.length ? wanted : lines).slice(wanted.length ? 0 : -max).slice(0, max);
}

export async function runSite(engine: Engine, reporter: Reporter, options: RunOptions): Promise<Running> {
  const { container, volume } = containerNames(options.manifest.name, options.name);
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
      // The caught mails hold password-reset links: on this machine only, whatever --host says.
      { host: options.mailPort, container: 1080, hostIp: "127.0.0.1" },
    ],
    volumes: [{ source: volume, target: "/var/lib/citelibre" }],
    // The mail viewer listens on loopback inside the container unless asked: here it is published to
    // this machine only, for the person running the site.
    // A site someone runs to try it: with the bundle's demo content (loaded once, on an empty database).
    env: { CITELIBRE_MAIL_WEB_BIND: "0.0.0.0", CITELIBRE_DEMO_CONTENT: "1", ...(options.liveTheme ? { CITELIBRE_THEME_LIVE: "1" } : {}) },
    // A service that dies makes the container exit 1 (services.sh): the engine starts it again.
    restart: "on-failure",
  });
  const shownHost = options.host === "0.0.0.0" ? "localhost" : options.host;
  const base = `http://${shownHost}:${options.port}/${m.context}`;
  const urls = {
    frontOffice: `${base}${m.urls.frontOffice}`, backOffice: `${base}${m.urls.backOffice}`, mail: `http://127.0.0.1:${options.mailPort}/`,
    ...(options.applicationPresent && m.urls.application ? { application: `${base}${m.urls.application}` } : {}),
    ...(options.applicationPresent && m.urls.applicationBackOffice ? { applicationBackOffice: `${base}${m.urls.applicationBackOffice}` } : {}),
  };
  const probe = `http://127.0.0.1:${options.port}/${m.context}${m.urls.frontOffice}`;
  const whyFromLog = (logs: string) => `${startupFailureCause(logs).map((l) => `  ${l}`).join("\n")}\nWhole log: ${engine.name} logs ${container}`;
  let lastReport = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    const state = await engine.inspectFormat(container, "{{.State.Status}}").catch(() => "gone");
    // The end of the log is enough to see the started line (the entrypoint logs little after it).
    const recent = await engine.logs(container, 200).catch(() => "");
    if (startedLine.test(recent)) break;
    // The restart policy may already have started it again: the entrypoint's last line says it ended.
    const ended = stoppedLine.exec(recent);
    if (ended || state === "exited" || state === "stopped" || state === "gone") {
      // Stopping ends the restart loop a failed start would otherwise go round.
      if (state !== "gone") await engine.stop(container, 10).catch(() => undefined);
      const logs = await engine.logs(container).catch(() => "");
      const code = ended?.[1] ?? (await engine.inspectFormat(container, "{{.State.ExitCode}}").catch(() => "?"));
      throw new UserError(`the site did not start (the container exited with code ${code}). Why, from its log:\n${whyFromLog(logs)}`);
    }
    if (elapsed > options.timeoutMs) throw new UserError(`the site did not start within ${options.timeoutMs / 1000} s. See: ${engine.name} logs ${container}`);
    if (elapsed - lastReport > 2000) {
      reporter.step(`waiting for the site to start (${(elapsed / 1000).toFixed(0)} s)`);
      lastReport = elapsed;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // Started inside: the published port must answer too (a port taken by something else would not).
  const page = await fetch(probe, { headers: browserLanguage, signal: AbortSignal.timeout(10_000) }).then((r) => r.status, (e: unknown) => (e as Error).message);
  if (typeof page === "string") throw new UserError(`the site started in ${container}, but ${probe} does not answer (${page}): is port ${options.port} published by another program?`);
  if (page !== 200) {
    const logs = await engine.logs(container).catch(() => "");
    throw new UserError(`the site started in ${container}, but its front page answers HTTP ${page}. From its log:\n${whyFromLog(logs)}; the site keeps running (${engine.name} stop ${container}).`);
  }
  return {
    container, volume, urls,
    secrets: {
      database: `${engine.name} exec ${container} cat /var/lib/citelibre/secrets/db-password`,
      admin: `${engine.name} exec ${container} cat /var/lib/citelibre/secrets/admin-password`,
    },
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
    // Seen stopped twice in a row: a container the restart policy starts again is only briefly stopped.
    let stoppedPolls = 0;
    const timer = setInterval(() => {
      void engine.inspectFormat(container, "{{.State.Status}}").then(
        (state) => {
          stoppedPolls = state === "exited" || state === "stopped" ? stoppedPolls + 1 : 0;
          if (stoppedPolls >= 2) done("exited");
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
