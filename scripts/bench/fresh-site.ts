/** Shared by the start-up benchmarks: one site container on an empty volume, measured, then removed with its volume. */
import type { Engine } from "../engine/engine.js";
import { freePort } from "../lib/http.js";

export interface FreshSite {
  name: string;
  port: number;
  /** performance.now() just before the container was started. */
  startedAt: number;
}

export async function onFreshVolume<T>(engine: Engine, image: string, name: string, measure: (site: FreshSite) => Promise<T>): Promise<T> {
  const volume = `${name}-data`;
  const port = await freePort();
  try {
    const startedAt = performance.now();
    await engine.run({ image, name, detach: true, ports: [{ host: port, container: 8080 }], volumes: [{ source: volume, target: "/var/lib/citelibre" }] });
    return await measure({ name, port, startedAt });
  } finally {
    await engine.remove(name, { now: true });
    await engine.removeVolume(volume);
  }
}
