/**
 * Talking to registries without the engine: skopeo reads manifests by tag or digest (the check that a
 * tag is already published, and the pull-back that verifies a push). Credentials come from the engine's
 * login store or from CITELIBRE_REGISTRY_<HOST>_USER / _PASSWORD (else CITELIBRE_REGISTRY_USER /
 * _PASSWORD), the password passed on standard input, never in argv.
 */
import type { Engine } from "../engine/engine.js";
import { inspectRemote } from "../engine/registry.js";
import { isLoopback } from "../lib/http.js";
import { readManifest, type RemoteManifest } from "./plan.js";

/** The manifest a reference names, or undefined when the registry says there is none. */
export async function remoteManifest(reference: string, options: { timeoutMs?: number } = {}): Promise<RemoteManifest | undefined> {
  const raw = await inspectRemote(reference, "manifest", options.timeoutMs);
  return raw === undefined ? undefined : readManifest(raw);
}

/** CITELIBRE_REGISTRY_GHCR_IO_USER for ghcr.io, …: per-registry credentials, else the generic pair. */
export function credentialsFor(host: string, env: NodeJS.ProcessEnv): { user: string; password: string; variable: string } | undefined {
  const key = host.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  for (const prefix of [`CITELIBRE_REGISTRY_${key}`, "CITELIBRE_REGISTRY"]) {
    const user = env[`${prefix}_USER`];
    const password = env[`${prefix}_PASSWORD`];
    if (user && password) return { user, password, variable: `${prefix}_USER` };
  }
  return undefined;
}

/** Logs the engine (and so skopeo, which shares its store) in when credentials are in the environment. */
export async function loginFromEnvironment(engine: Engine, host: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const credentials = credentialsFor(host, env);
  if (!credentials) return undefined;
  await engine.login(host, credentials.user, credentials.password, { tlsVerify: !isLoopback(host) });
  return credentials.variable;
}

/** The labels and creation date of a published image, or undefined when the reference does not exist. */
export async function remoteImageConfig(reference: string): Promise<{ labels: Record<string, string>; created?: string } | undefined> {
  const raw = await inspectRemote(reference, "config");
  if (raw === undefined) return undefined;
  const info = JSON.parse(raw) as { Labels?: Record<string, string> | null; Created?: string };
  return { labels: info.Labels ?? {}, ...(info.Created ? { created: info.Created } : {}) };
}
