/**
 * Helpers for tests that run real containers: the engine of this run, free loopback ports, HTTP polling,
 * the stand-in site image (built by the product's own code), and clean-up of what the tests created.
 */
import { readFile } from "node:fs/promises";
import { afterAll } from "vitest";
import { selectEngine } from "../../scripts/engine/engine.js";
import { buildStandInImage, standInContext } from "../../scripts/image/stand-in-image.js";
import { sassTimeoutMs } from "../../scripts/theme/sass-compile.js";

/** The engine the CLI would use (CITELIBRE_ENGINE, else podman, else docker): `npm test` runs the engine tests on both. */
export const engine = await selectEngine(process.env.CITELIBRE_ENGINE);
if (engine.name !== "podman") console.log(`integration tests on ${engine.name} (CITELIBRE_ENGINE=${process.env.CITELIBRE_ENGINE ?? ""})`);

/** For tests of what only podman does (kube play, buildah layer commits, GPG simple signing, manifest lists): the reason they skip elsewhere. */
export const podmanOnly = engine.name === "podman" ? undefined : `needs podman, and this run uses ${engine.name}`;
const prefix = `citelibre-test-${process.pid}`;
let counter = 0;
const created = { containers: new Set<string>(), volumes: new Set<string>(), networks: new Set<string>() };

export function uniqueName(kind: string): string {
  counter += 1;
  return `${prefix}-${kind}-${counter}`;
}

export function track(kind: keyof typeof created, name: string): string {
  created[kind].add(name);
  return name;
}

export async function cleanup(): Promise<void> {
  // --volumes: the anonymous volume a container gets for the image's VOLUME goes with it (named ones stay).
  for (const c of created.containers) await engine.remove(c, { now: true });
  for (const v of created.volumes) await engine.raw(["volume", "rm", "--force", v]).catch(() => undefined);
  // docker's 20.10 client has no --force for network rm; the containers on it are gone by now.
  for (const n of created.networks) await engine.raw(engine.name === "podman" ? ["network", "rm", "--force", n] : ["network", "rm", n]).catch(() => undefined);
}

/**
 * Everything a test file made, removed once its tests have run: containers, volumes and networks it
 * tracked, then its own clean-ups (temporary folders), then its images' names under `namespace`.
 */
export function removeAfterAll(namespace: string, cleanups: Array<() => Promise<void>>): void {
  afterAll(async () => {
    await cleanup();
    for (const c of cleanups) await c();
    await removeImagesUnder(namespace);
  }, 120_000);
}

/**
 * Removes the names of the images a test built under its own namespace (…/<namespace>/…). Names only,
 * never --force: an image that also carries a user's tag, or that a user's container runs, stays.
 */
export async function removeImagesUnder(namespace: string): Promise<void> {
  for (const reference of await engine.imageNamesUnder(namespace)) await engine.removeImage(reference);
}

export interface HostProcess {
  hostPid: number;
  command: string;
  /** The process's environment as the kernel shows it to the host (/proc/<pid>/environ). */
  environment: string[];
}

/**
 * Every process of a container, seen from the host: what anyone with access to the host's /proc reads,
 * whatever the container's own users may see. Processes that end while being read are left out.
 */
export async function hostProcesses(container: string): Promise<HostProcess[]> {
  // Host PIDs: podman's hpid descriptor; docker's top lists them by itself (ps -o pid, run on the host).
  const rows = (await engine.raw(engine.name === "podman" ? ["top", container, "hpid"] : ["top", container, "-o", "pid"])).stdout.split("\n").slice(1).map((l) => Number(l.trim())).filter((n) => n > 0);
  const found: HostProcess[] = [];
  for (const hostPid of rows) {
    try {
      const [environ, cmdline] = await Promise.all([readFile(`/proc/${hostPid}/environ`), readFile(`/proc/${hostPid}/cmdline`, "utf8")]);
      found.push({ hostPid, command: cmdline.replace(/\0/g, " ").trim(), environment: environ.toString("utf8").split("\0").filter(Boolean) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" && (err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }
  return found;
}

// Shared with the benchmark scripts, which must not depend on test code.
export { freePort, waitForHttp } from "../../scripts/lib/http.js";

/** Waits for a container to exit; returns its exit code and logs. */
export async function waitForExit(container: string, timeoutMs = 60_000): Promise<{ exitCode: number; logs: string }> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const status = await engine.inspectFormat(container, "{{.State.Status}}");
    if (status === "exited" || status === "stopped") {
      const exitCode = Number(await engine.inspectFormat(container, "{{.State.ExitCode}}"));
      return { exitCode, logs: await engine.logs(container) };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${container} still runs after ${timeoutMs} ms:\n${await engine.logs(container, 30)}`);
}

/** The stand-in site image of the runtime tests and the runtime benchmark (scripts/image/stand-in-image.ts), on this run's engine. */
export const fixtureContext = standInContext;
export const buildFixtureImage = (baseImage: string, tag: string, theme = "exampleville"): Promise<string> => buildStandInImage(engine, baseImage, tag, { theme, sassTimeoutMs: sassTimeoutMs(process.env) });
