/**
 * A real OCI registry (Debian's docker-registry, CNCF distribution) on 127.0.0.1 with its storage in a
 * temporary folder, for publish and release tests. It can be stopped and started again on the same port
 * and storage, to test a registry that goes away mid-publish.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { freePort } from "./containers.js";

export interface TestRegistry {
  /** host:port */
  host: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

async function answers(host: string): Promise<boolean> {
  try {
    return (await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${String(port)}`;
  const config = path.join(dir, "config.yml");
  await writeFile(config, [
    "version: 0.1",
    "log:", "  level: warn",
    "storage:", "  filesystem:", `    rootdirectory: ${path.join(dir, "data")}`, "  delete:", "    enabled: true",
    "http:", `  addr: ${host}`,
  ].join("\n"));
  let child: ResultPromise | undefined;
  const registry: TestRegistry = {
    host,
    async start() {
      child = execa("docker-registry", ["serve", config], { reject: false, stdio: "ignore" });
      for (let i = 0; i < 100; i++) {
        if (await answers(host)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`docker-registry did not answer on ${host} within 10 s`);
    },
    async stop() {
      child?.kill("SIGKILL");
      await child;
      child = undefined;
    },
    async close() {
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await registry.start();
  return registry;
}
