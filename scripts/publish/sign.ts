/**
 * Image signatures. GPG "simple signing" is done by podman at push time (--sign-by) and stored in the
 * lookaside directory that /etc/containers/registries.d names; cosign signs after the push, keyless
 * with GitHub's OIDC token in Actions, or with a key elsewhere. `citelibre verify` checks either.
 */
import { signWithCosign, verifyWithCosign, verifySimpleSignature } from "../engine/registry.js";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ToolError } from "../lib/exec.js";
import { isLoopback } from "../lib/http.js";
import { formatImageRef, nameOf, registryHost, splitImageRef, withDigest, withoutTagOrDigest, withTag } from "../lib/image-ref.js";
import { UsageError, UserError } from "../lib/problems.js";
import type { Signing } from "./plan.js";
import { remoteManifest } from "./registry.js";

/** Where podman writes and reads simple signatures (scripts/setup-host.sh configures it). */
export function lookasideDir(env: NodeJS.ProcessEnv): string {
  return env.CITELIBRE_SIGSTORE_DIR ?? "/var/lib/containers/sigstore";
}

/** --sign values: gpg:<fingerprint>, cosign (keyless in GitHub Actions), cosign:<key file or env://VAR>. */
export function parseSigning(value: string | undefined, env: NodeJS.ProcessEnv): Signing | { error: string } {
  if (!value || value === "none") return { kind: "none" };
  if (value.startsWith("gpg:")) {
    const fingerprint = value.slice(4).replace(/\s+/g, "");
    return /^[0-9A-Fa-f]{16,40}$/.test(fingerprint) ? { kind: "gpg", fingerprint } : { error: `--sign ${value}: give the key's fingerprint (16 to 40 hex digits), as \`gpg --list-secret-keys --with-colons\` shows it` };
  }
  if (value === "cosign") {
    return env.ACTIONS_ID_TOKEN_REQUEST_URL ? { kind: "cosign-keyless" } : env.COSIGN_PRIVATE_KEY ? { kind: "cosign-key", key: "env://COSIGN_PRIVATE_KEY" } : { error: "--sign cosign: outside GitHub Actions (no OIDC token) give a key: --sign cosign:<key file>, or set COSIGN_PRIVATE_KEY (and COSIGN_PASSWORD)" };
  }
  if (value.startsWith("cosign:")) return { kind: "cosign-key", key: value.slice(7) };
  return { error: `--sign ${value}: expected gpg:<fingerprint>, cosign or cosign:<key>` };
}

/**
 * The certificate identity a keyless signature must carry: the nightly or release workflow of one
 * repository. Any GitHub workflow can obtain a certificate, so "some workflow" proves nothing.
 */
export function workflowIdentity(repository: string): string {
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) throw new UsageError(`--cosign-keyless ${repository}: give the GitHub repository that publishes the images, as owner/name`);
  const escaped = repository.replace(/[.]/g, "\\.");
  return `^https://github\\.com/${escaped}/\\.github/workflows/(nightly|release)\\.yml@refs/(heads|tags)/.+$`;
}


export async function cosignSign(signing: Signing, referenceWithDigest: string, tlsVerify: boolean): Promise<void> {
  if (signing.kind !== "cosign-key" && signing.kind !== "cosign-keyless") throw new Error("internal: not a cosign signing mode");
  await signWithCosign(signing.kind === "cosign-key" ? { key: signing.key } : {}, referenceWithDigest, tlsVerify);
}

/** Path of the n-th simple signature of a manifest in the lookaside store (repository path without the host). */
export function signaturePath(store: string, reference: string, digest: string, index: number): string {
  const { repository } = splitImageRef(reference);
  const [algorithm, hex] = digest.split(":");
  return path.join(store, `${repository}@${algorithm ?? "sha256"}=${hex ?? ""}`, `signature-${String(index)}`);
}

export interface VerifyResult {
  verified: boolean;
  reference: string;
  digest: string;
  detail: string;
}

/** Whether a signature's identity is this repository by tag, which matchRepository accepts for any tag; by digest it is another manifest's. */
function isTagOf(identity: string, repository: string): boolean {
  const ref = splitImageRef(identity);
  return ref.digest === undefined && nameOf(ref) === repository;
}

/** Checks a GPG simple signature of `reference` (by tag or digest) made with the key `fingerprint`. */
async function verifyGpg(reference: string, fingerprint: string, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  const manifest = await remoteManifest(reference);
  if (!manifest) throw new UserError(`${reference} is not in its registry: check the name and tag, and that you are logged in`);
  const store = lookasideDir(env);
  const ref = splitImageRef(reference);
  const work = await mkdtemp(path.join(tmpdir(), "citelibre-verify-"));
  try {
    const manifestFile = path.join(work, "manifest.json");
    await writeFile(manifestFile, manifest.raw);
    const signatures: string[] = [];
    for (let i = 1; existsSync(signaturePath(store, reference, manifest.digest, i)); i++) signatures.push(signaturePath(store, reference, manifest.digest, i));
    if (signatures.length === 0) {
      const dir = path.dirname(signaturePath(store, reference, manifest.digest, 1));
      const known = await readdir(store).catch(() => []);
      return { verified: false, reference, digest: manifest.digest, detail: `no signature for ${manifest.digest} (looked in ${dir}${known.length ? "" : `; ${store} is empty or missing`})` };
    }
    // Every tag of one image shares one manifest digest, and the store keeps the signature of the last
    // tag pushed: like podman's `signedIdentity: matchRepository`, a signature made for another tag of the
    // same repository is accepted (key and digest are still checked cryptographically).
    const repository = nameOf(ref);
    const expected = formatImageRef(withTag(withoutTagOrDigest(ref), ref.tag ?? "latest"));
    const failures: string[] = [];
    for (const sig of signatures) {
      for (let identity = expected, tries = 0; tries < 2; tries++) {
        try {
          await verifySimpleSignature(manifestFile, identity, fingerprint, sig);
          return { verified: true, reference, digest: manifest.digest, detail: `signed by ${fingerprint} as ${identity} (${path.basename(sig)})` };
        } catch (e) {
          const message = e instanceof ToolError ? (e.stderr.trim().split("\n").at(-1) ?? e.message) : (e as Error).message;
          const signedAs = /Docker reference (\S+) does not match/.exec(message)?.[1];
          if (tries === 0 && signedAs && isTagOf(signedAs, repository)) {
            identity = signedAs;
            continue;
          }
          failures.push(message.replace(/^time="[^"]*" level=\w+ msg=/, "").replace(/^"|"$/g, ""));
          break;
        }
      }
    }
    return { verified: false, reference, digest: manifest.digest, detail: `no signature by ${fingerprint} verifies: ${failures.join("; ")}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function verifyCosign(referenceWithDigest: string, options: { key?: string; identity?: string; tlsVerify: boolean }): Promise<VerifyResult> {
  const digest = splitImageRef(referenceWithDigest).digest ?? "";
  try {
    await verifyWithCosign(referenceWithDigest, options);
    return { verified: true, reference: referenceWithDigest, digest, detail: options.key ? `cosign signature verified with ${options.key}` : `cosign keyless signature verified, made by a workflow matching ${options.identity ?? ""}` };
  } catch (e) {
    return { verified: false, reference: referenceWithDigest, digest, detail: e instanceof ToolError ? (e.stderr.trim().split("\n").at(-1) ?? e.message) : (e as Error).message };
  }
}

/** What `citelibre verify` expects of an image's signature. */
export type SignatureExpectation =
  | { kind: "gpg"; fingerprint: string }
  | { kind: "cosign-key"; key: string }
  | { kind: "cosign-keyless"; repository: string };

/** Checks a published image's signature; cosign's check is made on the digest the reference names now. */
export async function verifyImage(reference: string, expected: SignatureExpectation, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  if (expected.kind === "gpg") return verifyGpg(reference, expected.fingerprint, env);
  const manifest = await remoteManifest(reference);
  if (!manifest) throw new UserError(`${reference} is not in its registry: check the name and tag`);
  const ref = splitImageRef(reference);
  const byDigest = ref.digest !== undefined ? reference : formatImageRef(withDigest(withoutTagOrDigest(ref), manifest.digest));
  return verifyCosign(byDigest, {
    tlsVerify: !isLoopback(registryHost(ref)),
    ...(expected.kind === "cosign-key" ? { key: expected.key } : { identity: workflowIdentity(expected.repository) }),
  });
}
