/**
 * Multi-architecture images: building linux/arm64 on an amd64 host runs every RUN step under QEMU user
 * emulation (binfmt_misc), several times slower than native. Checked up front so the flag fails with a
 * fix instead of half-way through a build.
 */
import { existsSync } from "node:fs";
import { arch } from "node:process";
import { UsageError, UserError } from "../lib/problems.js";

const known: Record<string, { node: string; qemu: string }> = {
  "linux/amd64": { node: "x64", qemu: "qemu-x86_64" },
  "linux/arm64": { node: "arm64", qemu: "qemu-aarch64" },
};

export function checkPlatforms(list: string, binfmtDir = "/proc/sys/fs/binfmt_misc", hostArch: string = arch): string[] {
  const platforms = list.split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of platforms) {
    if (!known[p]) throw new UsageError(`--platforms: ${p} is not supported; use linux/amd64 and/or linux/arm64`);
  }
  const foreign = platforms.filter((p) => known[p]?.node !== hostArch);
  const missing = foreign.filter((p) => !existsSync(`${binfmtDir}/${known[p]?.qemu ?? ""}`));
  if (missing.length > 0) {
    throw new UserError(`--platforms ${list}: this ${hostArch} host cannot run ${missing.join(", ")} build steps (no QEMU handler in ${binfmtDir}). Install qemu-user-static and binfmt-support (Debian registers the handlers), or build each architecture on a native runner and leave out --platforms.`);
  }
  throw new UserError(`--platforms ${list}: multi-architecture publishing is not implemented yet; publish each architecture from a native runner (docs/publishing.md)`);
}
