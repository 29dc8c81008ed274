/**
 * Registry reads and signature checks that need no engine: skopeo reads manifests and image
 * configurations by tag or digest, and verifies simple-signing signatures. Its credentials are the
 * engine's (podman's auth file, or docker's config.json, which skopeo also reads). The command lines
 * live here, with the engine's.
 */
import { run, ToolError } from "../lib/exec.js";
import { isLoopback } from "../lib/http.js";
import { registryHost, splitImageRef } from "../lib/image-ref.js";

export function skopeoInspectArgv(reference: string, what: "manifest" | "config"): string[] {
  return [
    "inspect", what === "manifest" ? "--raw" : "--no-tags", "--retry-times", "0",
    ...(isLoopback(registryHost(splitImageRef(reference))) ? ["--tls-verify=false"] : []), `docker://${reference}`,
  ];
}

/** What skopeo prints for a reference (its manifest, or its image's description), or undefined when the registry has none. */
export async function inspectRemote(reference: string, what: "manifest" | "config", timeoutMs = 60_000): Promise<string | undefined> {
  try {
    return (await run("skopeo", skopeoInspectArgv(reference, what), { timeout: timeoutMs })).stdout;
  } catch (e) {
    if (e instanceof ToolError && /manifest unknown|name unknown|not found|404/i.test(e.message)) return undefined;
    throw e;
  }
}

/** Checks one simple-signing signature of a manifest for an identity and a key; rejects with skopeo's reason. */
export async function verifySimpleSignature(manifestFile: string, identity: string, fingerprint: string, signature: string): Promise<void> {
  await run("skopeo", ["standalone-verify", manifestFile, identity, fingerprint, signature]);
}

/** cosign signs an image by digest: keyless (in GitHub Actions) or with a key (a file or env://VAR). */
export function cosignSignArgv(signing: { key?: string }, referenceWithDigest: string, tlsVerify: boolean): string[] {
  const insecure = tlsVerify ? [] : ["--allow-insecure-registry"];
  return ["sign", "--yes", ...(signing.key ? ["--key", signing.key] : []), ...insecure, referenceWithDigest];
}

export function cosignVerifyArgv(referenceWithDigest: string, options: { key?: string; identity?: string; issuer?: string; tlsVerify: boolean }): string[] {
  const insecure = options.tlsVerify ? [] : ["--allow-insecure-registry"];
  if (options.key) return ["verify", "--key", options.key, ...insecure, referenceWithDigest];
  if (!options.identity) throw new Error("internal: keyless verification needs the expected workflow identity");
  return [
    "verify", "--certificate-identity-regexp", options.identity,
    "--certificate-oidc-issuer", options.issuer ?? "https://token.actions.githubusercontent.com", ...insecure, referenceWithDigest,
  ];
}

export async function signWithCosign(signing: { key?: string }, referenceWithDigest: string, tlsVerify: boolean): Promise<void> {
  await run("cosign", cosignSignArgv(signing, referenceWithDigest, tlsVerify), { timeout: 300_000 });
}

export async function verifyWithCosign(referenceWithDigest: string, options: { key?: string; identity?: string; issuer?: string; tlsVerify: boolean }): Promise<void> {
  await run("cosign", cosignVerifyArgv(referenceWithDigest, options), { timeout: 120_000 });
}
