/**
 * Multi-architecture images. Building linux/arm64 on an amd64 host runs every RUN step under QEMU user
 * emulation (binfmt_misc), several times slower than native, so it is asked for with a flag. Each
 * platform's image is built on its own (`citelibre build --platform`); images of a foreign platform
 * live in a sibling repository (`citelibre/rendezvous-linux-arm64:1.0.0`), and `publish --platforms`
 * joins them under one manifest list per tag (scripts/publish/). Pure, apart from the binfmt check.
 */
import { existsSync } from "node:fs";
import { arch } from "node:process";
import { formatImageRef, splitImageRef, withoutTagOrDigest, withTag } from "../lib/image-ref.js";
import { UsageError, UserError } from "../lib/problems.js";

const known: Record<string, { node: string; oci: string; qemu: string; debian: string }> = {
  "linux/amd64": { node: "x64", oci: "amd64", qemu: "qemu-x86_64", debian: "amd64" },
  "linux/arm64": { node: "arm64", oci: "arm64", qemu: "qemu-aarch64", debian: "arm64" },
};

export function parsePlatforms(list: string): string[] {
  const platforms = [...new Set(list.split(",").map((p) => p.trim()).filter(Boolean))];
  if (platforms.length === 0) throw new UsageError("--platforms needs at least one platform, e.g. linux/amd64,linux/arm64");
  for (const p of platforms) {
    if (!known[p]) throw new UsageError(`--platforms: ${p} is not supported; use linux/amd64 and/or linux/arm64`);
  }
  return platforms;
}

export function nativePlatform(hostArch: string = arch): string {
  return Object.entries(known).find(([, v]) => v.node === hostArch)?.[0] ?? `linux/${hostArch}`;
}

export function isNative(platform: string, hostArch: string = arch): boolean {
  return known[platform]?.node === hostArch;
}

export function ociArch(platform: string): string {
  return known[platform]?.oci ?? platform.split("/")[1] ?? platform;
}

export function debianArch(platform: string): string {
  return known[platform]?.debian ?? ociArch(platform);
}

/** Where a platform's image of `repository:tag` lives locally: the repository itself when native. */
export function platformImage(image: string, platform: string, hostArch: string = arch): string {
  if (isNative(platform, hostArch)) return image;
  // A digest names the native image's manifest, never its sibling's: the sibling goes by tag.
  const ref = splitImageRef(image);
  const sibling = { ...withoutTagOrDigest(ref), repository: `${ref.repository}-${platform.replace("/", "-")}` };
  return formatImageRef(withTag(sibling, ref.tag ?? "latest"));
}

/** Checks that this host can run every RUN step of the platforms asked for; throws with the fix if not. */
export function checkPlatforms(list: string, binfmtDir = "/proc/sys/fs/binfmt_misc", hostArch: string = arch): string[] {
  const platforms = parsePlatforms(list);
  const missing = platforms.filter((p) => !isNative(p, hostArch) && !existsSync(`${binfmtDir}/${known[p]?.qemu ?? ""}`));
  if (missing.length > 0) {
    throw new UserError(`--platforms ${list}: this ${hostArch} host cannot run ${missing.join(", ")} build steps (no QEMU handler in ${binfmtDir}). Install qemu-user-static and binfmt-support (their handlers are registered when binfmt_misc is mounted), or build each architecture on a native runner.`);
  }
  return platforms;
}
