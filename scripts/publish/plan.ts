/**
 * Pure parts of publishing: where each tag goes, the engine's push argv, which failures are worth a
 * retry, and what a registry's manifest says about the image it names.
 */
import { createHash } from "node:crypto";
import { formatImageRef, lastSegment, splitImageRef } from "../lib/image-ref.js";

export interface Destination {
  /** The local tag pushed (citelibre/rendezvous:1.0.0). */
  source: string;
  /** registry/namespace/bundle:tag */
  reference: string;
  registry: string;
  tag: string;
}

/** "host[:port]/namespace" as given to --registry; the host must look like one (a dot, a colon or localhost). */
export function parseRegistry(value: string): { host: string; namespace: string } | { error: string } {
  const trimmed = value.replace(/\/+$/, "");
  const [host = "", ...rest] = trimmed.split("/");
  if (!/^(localhost|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|[A-Za-z0-9.-]+:\d+|\[[0-9a-fA-F:]+\](:\d+)?)$/.test(host)) {
    return { error: `"${value}" does not start with a registry host (docker.io, ghcr.io, 127.0.0.1:5000, …)` };
  }
  const namespace = rest.join("/");
  if (!namespace || !/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(namespace)) {
    return { error: `"${value}" needs a lowercase namespace after the host (for example ghcr.io/citelibre)` };
  }
  return { host, namespace };
}

export function destinations(localTags: string[], registries: string[]): Destination[] {
  const out: Destination[] = [];
  for (const registry of registries) {
    const parsed = parseRegistry(registry);
    if ("error" in parsed) throw new Error(parsed.error);
    for (const source of localTags) {
      // Split, not parsed: a tag too long for a registry (a long branch name and a theme suffix) is
      // for the push to refuse, not for the plan (release --dry-run lists it).
      const local = splitImageRef(source);
      const tag = local.tag ?? "latest";
      const reference = formatImageRef({ registry: parsed.host, repository: `${parsed.namespace}/${lastSegment(local)}`, tag });
      out.push({ source, reference, registry: `${parsed.host}/${parsed.namespace}`, tag });
    }
  }
  return out;
}

export type Signing =
  | { kind: "none" }
  | { kind: "gpg"; fingerprint: string }
  | { kind: "cosign-keyless" }
  | { kind: "cosign-key"; key: string };

/** Network hiccups and registry overload are retried; authentication, missing images and full disks are not. */
export function isTransient(message: string): boolean {
  if (/unauthorized|authentication required|denied|not found|no such image|manifest unknown|name unknown|no space left/i.test(message)) return false;
  return /connection refused|connection reset|broken pipe|i\/o timeout|timeout|timed out|\bEOF\b|TLS handshake|temporar|too many requests|\b429\b|\b50[0234]\b|server misbehaving|no route to host/i.test(message);
}

export interface RemoteManifest {
  raw: string;
  digest: string;
  configDigest?: string;
  mediaType?: string;
}

export function readManifest(raw: string): RemoteManifest {
  const digest = `sha256:${createHash("sha256").update(raw).digest("hex")}`;
  try {
    const m = JSON.parse(raw) as { mediaType?: string; config?: { digest?: string } };
    return { raw, digest, ...(m.config?.digest ? { configDigest: m.config.digest } : {}), ...(m.mediaType ? { mediaType: m.mediaType } : {}) };
  } catch {
    return { raw, digest };
  }
}

export interface ListedManifest {
  digest: string;
  platform: string;
}

/** The per-platform manifests a manifest list (Docker or OCI index) names. */
export function readManifestList(raw: string): ListedManifest[] | undefined {
  try {
    const doc = JSON.parse(raw) as { manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string; variant?: string } }> };
    if (!Array.isArray(doc.manifests)) return undefined;
    return doc.manifests.map((m) => ({ digest: m.digest, platform: `${m.platform?.os ?? "?"}/${m.platform?.architecture ?? "?"}` }));
  } catch {
    return undefined;
  }
}
