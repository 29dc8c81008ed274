/**
 * `citelibre publish <image> --registry host/namespace [...]`: pushes every local tag of the image to
 * each registry, verifies each push by reading the manifest back by digest, signs when asked, and
 * reports per tag what was pushed, what was already there, and what failed. A partial publish is a
 * failure that lists exactly what made it.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import { ToolError } from "../lib/exec.js";
import type { Reporter } from "../lib/log.js";
import { UserError } from "../lib/problems.js";
import { destinations, parseRegistry, readManifestList, type Destination, type Signing } from "./plan.js";
import { isLoopback } from "../lib/http.js";
import { formatImageRef, nameOf, registryHost, splitImageRef, withDigest, withoutTagOrDigest, type ImageRef } from "../lib/image-ref.js";
import { isNative, ociArch, platformImage } from "../image/platform.js";
import { loginFromEnvironment, remoteManifest } from "./registry.js";
import { withRetries } from "./retry.js";
import { cosignSign, lookasideDir, signaturePath } from "./sign.js";

export interface PublishOptions {
  registries: string[];
  signing: Signing;
  attempts?: number;
  /** The environment the command was run in: registry credentials, the signature store, the backoff. */
  env: NodeJS.ProcessEnv;
  /** Publish one manifest list per tag joining these platforms' images (see image/platform.ts). */
  platforms?: string[];
  /**
   * The tags to publish (a release passes the ones it just computed); default: every tag the image
   * carries in its repository.
   */
  tags?: string[];
}

export type PushStatus = "pushed" | "already-published" | "failed";

export interface PushOutcome extends Destination {
  status: PushStatus;
  digest?: string;
  signed?: boolean;
  attempts: number;
  error?: string;
}

export interface PublishResult {
  image: string;
  imageId: string;
  ok: boolean;
  outcomes: PushOutcome[];
}

/** podman names local images localhost/…, docker does not: local names are compared without it. */
function withoutLocalhost(reference: string): string {
  const { registry, ...rest } = splitImageRef(reference);
  return registry === "localhost" ? formatImageRef(rest) : reference;
}

async function localTags(engine: Engine, image: string): Promise<{ id: string; tags: string[] }> {
  const info = await engine.inspectImage<{ Id: string; RepoTags?: string[] | null }>(image).catch(() => {
    throw new UserError(`there is no image ${image} in ${engine.name}: build it first (\`citelibre build <bundle>\`)`);
  });
  const wanted = splitImageRef(withoutLocalhost(image));
  const repository = nameOf(wanted);
  // A digest names a manifest, not a tag to publish under: an image given by digest has no tag to push.
  const tags = wanted.digest !== undefined ? [] : (info.RepoTags ?? []).map(withoutLocalhost).filter((t) => nameOf(splitImageRef(t)) === repository).sort();
  if (tags.length === 0) throw new UserError(`${image} has no tag in ${repository}: publish a tagged image (citelibre build tags it)`);
  return { id: info.Id.replace(/^sha256:/, ""), tags };
}


/** Each platform's local image of `image`, checked to be of that architecture. */
async function platformImages(engine: Engine, image: string, platforms: string[]): Promise<{ ids: Record<string, string> }> {
  const ids: Record<string, string> = {};
  for (const platform of platforms) {
    const local = platformImage(image, platform);
    const info = await engine.inspectImage<{ Id: string; Architecture?: string; Os?: string }>(local).catch(() => {
      throw new UserError(`there is no ${platform} image ${local}: build it with \`citelibre build <bundle> --platform ${platform}\` (or run \`citelibre release --platforms …\`)`);
    });
    if (info.Architecture && info.Architecture !== ociArch(platform)) throw new UserError(`${local} is a ${info.Os ?? "linux"}/${info.Architecture} image, not ${platform}: rebuild it with --platform ${platform}`);
    ids[platform] = `sha256:${info.Id.replace(/^sha256:/, "")}`;
  }
  return { ids };
}

/** Whether a published manifest list names exactly these platforms, each with this image configuration. */
async function listMatches(name: ImageRef, raw: string, ids: Record<string, string>): Promise<boolean> {
  const listed = readManifestList(raw);
  if (!listed || listed.length !== Object.keys(ids).length) return false;
  for (const m of listed) {
    if (!ids[m.platform]) return false;
    const child = await remoteManifest(formatImageRef(withDigest(name, m.digest)));
    if (child?.configDigest !== ids[m.platform]) return false;
  }
  return true;
}

export async function publishImage(engine: Engine, reporter: Reporter, image: string, options: PublishOptions): Promise<PublishResult> {
  for (const r of options.registries) {
    const parsed = parseRegistry(r);
    if ("error" in parsed) throw new UserError(`--registry ${parsed.error}`);
  }
  if (options.signing.kind === "gpg" && !engine.capabilities.gpgSigning) throw new UserError(`GPG simple signing needs podman (${engine.name} push cannot sign): use --engine podman, or --sign cosign`);
  const local = await localTags(engine, image);
  const id = local.id;
  const tags = options.tags ? options.tags.filter((t) => local.tags.includes(withoutLocalhost(t))) : local.tags;
  if (options.tags && tags.length !== options.tags.length) throw new UserError(`${image} does not carry every tag to publish (${options.tags.join(", ")}): rebuild it`);
  const list = options.platforms && (options.platforms.length > 1 || !isNative(options.platforms[0] ?? "")) ? await platformImages(engine, image, options.platforms) : undefined;
  if (list && !engine.capabilities.manifestLists) throw new UserError(`--platforms needs podman (its manifest commands join the images); ${engine.name} cannot join local images in a list (with docker, buildx imagetools can)`);
  const plan = destinations(tags, options.registries);
  const attempts = options.attempts ?? 3;
  const baseMs = Number(options.env.CITELIBRE_PUBLISH_BACKOFF_MS ?? 2000);
  for (const host of new Set(plan.map((d) => registryHost(splitImageRef(d.reference))))) {
    const variable = await loginFromEnvironment(engine, host, options.env).catch((e: unknown) => {
      throw new UserError(`logging in to ${host} with the credentials in the environment failed: ${(e as Error).message.split("\n").at(-1) ?? ""}`);
    });
    if (variable) reporter.step(`logged in to ${host} as $${variable}`);
  }

  const outcomes: PushOutcome[] = [];
  const work = await mkdtemp(path.join(tmpdir(), "citelibre-publish-"));
  try {
    for (const [i, d] of plan.entries()) {
      const name = withoutTagOrDigest(splitImageRef(d.reference));
      const tlsVerify = !isLoopback(registryHost(name));
      reporter.step(`[${String(i + 1)}/${String(plan.length)}] ${d.reference}`);
      try {
        const existing = await remoteManifest(d.reference).catch(() => undefined);
        const published = existing && (list ? await listMatches(name, existing.raw, list.ids) : existing.configDigest === `sha256:${id}`);
        // A tag published without the signature asked for (an earlier run without --sign, or whose
        // signing failed) is not done: GPG signs again by pushing again, cosign signs the digest.
        const unsignedGpg = published && options.signing.kind === "gpg" && !existsSync(signaturePath(lookasideDir(options.env), d.reference, existing.digest, 1));
        if (existing && published && !unsignedGpg) {
          let signed: boolean | undefined;
          if (options.signing.kind === "cosign-key" || options.signing.kind === "cosign-keyless") {
            await cosignSign(options.signing, formatImageRef(withDigest(name, existing.digest)), tlsVerify);
            signed = true;
          } else if (options.signing.kind === "gpg") {
            signed = true;
          }
          reporter.detail(`already published as ${existing.digest}: nothing to push`);
          outcomes.push({ ...d, status: "already-published", digest: existing.digest, attempts: 0, ...(signed !== undefined ? { signed } : {}) });
          continue;
        }
        const digestFile = path.join(work, `digest-${String(i)}`);
        // By ID: a name, with or without localhost/, means different images to docker and podman.
        const push = { digestFile, tlsVerify, ...(options.signing.kind === "gpg" ? { signBy: options.signing.fingerprint } : {}) };
        const pushed = await reporter.during(`pushing ${d.reference}`, withRetries(attempts, baseMs, async () => {
          const digest = list ? await engine.pushManifestList(Object.values(list.ids), d.reference, push) : await engine.push(id, d.reference, push);
          // Read it back by digest: the registry must serve this image (or these images) under that digest.
          const back = await remoteManifest(digest ? formatImageRef(withDigest(name, digest)) : d.reference);
          if (!back) throw new Error(`the registry does not serve ${d.reference} after the push (EOF)`);
          if (digest && back.digest !== digest) throw new Error(`the registry serves ${back.digest} under ${digest}`);
          if (list) {
            if (!(await listMatches(name, back.raw, list.ids))) throw new Error(`the manifest list pulled back does not name the images of ${Object.keys(list.ids).join(", ")} that were pushed`);
          } else if (back.configDigest && back.configDigest !== `sha256:${id}`) {
            throw new Error(`the manifest pulled back names configuration ${back.configDigest}, not this image (sha256:${id})`);
          }
          return back.digest;
        }, (attempt, why) => { reporter.warn(`push of ${d.reference} failed (attempt ${String(attempt)} of ${String(attempts)}: ${why}); retrying`); }));
        let signed: boolean | undefined;
        if (options.signing.kind === "gpg") signed = true;
        if (options.signing.kind === "cosign-key" || options.signing.kind === "cosign-keyless") {
          await cosignSign(options.signing, formatImageRef(withDigest(name, pushed.value)), tlsVerify);
          signed = true;
        }
        outcomes.push({ ...d, status: "pushed", digest: pushed.value, attempts: pushed.attempts, ...(signed !== undefined ? { signed } : {}) });
      } catch (e) {
        const message = e instanceof ToolError ? (e.stderr.trim().split("\n").filter(Boolean).at(-1) ?? e.message) : (e as Error).message;
        outcomes.push({ ...d, status: "failed", attempts: (e as { attempts?: number }).attempts ?? 1, error: message });
        reporter.warn(`could not publish ${d.reference}: ${message}`);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { image, imageId: id, ok: outcomes.every((o) => o.status !== "failed"), outcomes };
}

export function publishText(r: PublishResult): string {
  const width = Math.max(...r.outcomes.map((o) => o.reference.length), 10);
  const lines = r.outcomes.map((o) => `  ${o.status.padEnd(17)} ${o.reference.padEnd(width)} ${o.digest ?? o.error ?? ""}${o.signed ? "  (signed)" : ""}`);
  const pushed = r.outcomes.filter((o) => o.status === "pushed").length;
  const already = r.outcomes.filter((o) => o.status === "already-published").length;
  const failed = r.outcomes.filter((o) => o.status === "failed");
  const summary = failed.length
    ? `PARTIAL: ${String(failed.length)} of ${String(r.outcomes.length)} tag(s) were NOT published (${failed.map((o) => o.reference).join(", ")}); ${String(pushed)} pushed, ${String(already)} already there. Re-run the same command once the registry is back: published tags are skipped.`
    : already === r.outcomes.length
      ? `Nothing to do: all ${String(already)} tag(s) were already published with this image.`
      : `Published ${String(pushed)} tag(s)${already ? `, ${String(already)} already there` : ""}.`;
  return [`Publish of ${r.image} (${r.imageId.slice(0, 12)})`, ...lines, summary].join("\n");
}
