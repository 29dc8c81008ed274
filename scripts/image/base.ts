/**
 * `citelibre base build`: the runtime base image from Dockerfile.base. With --bootstrap, the Debian
 * root filesystem comes from mmdebstrap and is imported, so no registry is needed (CI here uses this).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { placeWhenWhole } from "../lib/tree.js";
import path from "node:path";
import { run } from "../lib/exec.js";
import { gitRevision, lastCommitTime } from "../lib/git.js";
import type { Reporter } from "../lib/log.js";
import { UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import type { Engine } from "../engine/engine.js";
import { debianArch, isNative, nativePlatform, ociArch, platformImage } from "./platform.js";

export type ServletContainer = "tomcat10" | "tomcat9";
export const bootstrapImage = "localhost/citelibre/debian-bootstrap:bookworm";
/** Used when not bootstrapping; CI overrides it with a digest-pinned reference (CITELIBRE_BASE_FROM). */
export const defaultFromImage = "docker.io/library/debian:bookworm-slim";
const rootfsMaxAgeHours = 24;

/** The base image's local name; a foreign platform's base lives in a sibling repository (platforms.ts). */
export function baseImageTag(servlet: ServletContainer, platform?: string): string {
  return platformImage(servlet === "tomcat10" ? "citelibre/base:bookworm" : "citelibre/base:bookworm-tomcat9", platform ?? nativePlatform());
}

export interface BaseLabelsInput {
  version: string;
  revision?: string;
  created: Date;
  from: string;
  servlet: ServletContainer;
  source?: string;
}

/** OCI labels of the base image; `created` follows SOURCE_DATE_EPOCH when set, for reproducible builds. */
export function baseLabels(input: BaseLabelsInput): Record<string, string> {
  return {
    "org.opencontainers.image.title": "CiteLibre runtime base",
    "org.opencontainers.image.description": `Debian bookworm, JRE 17, ${input.servlet === "tomcat10" ? "Tomcat 10.1" : "Tomcat 9"}, MariaDB, mail catcher: the base of CiteLibre bundle images`,
    "org.opencontainers.image.version": input.version,
    "org.opencontainers.image.created": input.created.toISOString(),
    "org.opencontainers.image.vendor": "CiteLibre Forge",
    "org.opencontainers.image.licenses": "EUPL-1.2",
    "org.opencontainers.image.base.name": input.from,
    ...(input.revision ? { "org.opencontainers.image.revision": input.revision } : {}),
    ...(input.source ? { "org.opencontainers.image.source": input.source } : {}),
    "fr.citelibre.servlet-container": input.servlet,
  };
}

/** SOURCE_DATE_EPOCH when given, else `fallback`. */
export function sourceDate(env: NodeJS.ProcessEnv, fallback: () => Date): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined) return fallback();
  if (!/^\d+$/.test(epoch)) throw new UserError(`SOURCE_DATE_EPOCH must be a number of seconds, not "${epoch}"`);
  return new Date(Number(epoch) * 1000);
}

/**
 * The `created` date of an image: SOURCE_DATE_EPOCH, else the time of the current git commit, else now.
 * A date that does not move between two builds of the same sources keeps the second build a cache hit.
 */
export async function buildDate(env: NodeJS.ProcessEnv, paths: string[] = []): Promise<Date> {
  const commitTime = env.SOURCE_DATE_EPOCH === undefined ? await lastCommitTime(paths) : undefined;
  return sourceDate(env, () => commitTime ?? new Date());
}

/** Debian mirrors (main archive, security archive) as this host's apt is configured to use them. */
export function hostDebianMirrors(sources: string[]): { archive?: string; security?: string } {
  const uris = sources.flatMap((text) => [
    ...[...text.matchAll(/^URIs:\s*(\S+)/gim)].map((m) => m[1] ?? ""),
    ...[...text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gim)].map((m) => m[1] ?? ""),
  ]).filter((u) => /^https?:\/\//.test(u));
  const security = uris.find((u) => /debian-security\/?$/.test(u));
  const archive = uris.find((u) => /\/debian\/?$/.test(u));
  return { ...(archive ? { archive } : {}), ...(security ? { security } : {}) };
}

function readHostSources(): string[] {
  const files = ["/etc/apt/sources.list", ...(existsSync("/etc/apt/sources.list.d") ? readdirSync("/etc/apt/sources.list.d").filter((f) => /\.(list|sources)$/.test(f)).map((f) => `/etc/apt/sources.list.d/${f}`) : [])];
  return files.filter((f) => existsSync(f)).map((f) => readFileSync(f, "utf8"));
}

/**
 * mmdebstrap arguments for a minimal bookworm with its updates and security suites, from the mirror this
 * host already uses (a proxy or local mirror included); mmdebstrap's own default when none is found.
 */
export function mmdebstrapArgv(output: string, asRoot: boolean, mirrors: { archive?: string; security?: string } = hostDebianMirrors(readHostSources()), architecture?: string): string[] {
  const archive = mirrors.archive?.replace(/\/+$/, "");
  const security = mirrors.security?.replace(/\/+$/, "");
  return [
    "--variant=minbase",
    ...(architecture ? [`--architectures=${architecture}`] : []),
    // Explicit: mmdebstrap guesses the format from the file name, and ours ends in .partial while written.
    "--format=tar",
    `--mode=${asRoot ? "root" : "unshare"}`,
    "--aptopt=Acquire::Retries \"3\"",
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-include=/usr/share/doc/*/copyright",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    "bookworm",
    output,
    ...(archive ? [`deb ${archive} bookworm main`, `deb ${archive} bookworm-updates main`] : []),
    ...(archive && security ? [`deb ${security} bookworm-security main`] : []),
  ];
}


/** What the base image is built from: its labels follow the last commit that changed these. */
const baseInputs = ["Dockerfile.base", "images/runtime"];


/**
 * Builds (or reuses, when younger than a day) the Debian root filesystem, and imports it once. A foreign
 * platform gets its own root filesystem (mmdebstrap --architectures, maintainer scripts under QEMU) and
 * bootstrap image, whose configuration is marked with that architecture.
 */
async function bootstrapRootfs(engine: Engine, reporter: Reporter, refresh: boolean, platform: string): Promise<string> {
  const native = isNative(platform);
  const dir = repoPath(".cache", "rootfs");
  const tarball = path.join(dir, native ? "debian-bookworm-minbase.tar" : `debian-bookworm-minbase-${debianArch(platform)}.tar`);
  const image = platformImage(bootstrapImage, platform);
  const fresh = existsSync(tarball) && Date.now() - statSync(tarball).mtimeMs < rootfsMaxAgeHours * 3600_000;
  if (!fresh || refresh) {
    if (!existsSync("/usr/bin/mmdebstrap")) {
      throw new UserError("mmdebstrap is not installed, and --bootstrap needs it. Run `npm run setup`, or build from a registry image without --bootstrap.");
    }
    await mkdir(dir, { recursive: true });
    reporter.step(`building a Debian bookworm root filesystem (${platform}) with mmdebstrap (about 40 s natively${native ? "" : ", several times longer under emulation"})`);
    await placeWhenWhole(`${tarball}.partial`, async (partial) => {
      await reporter.during("building the root filesystem", run("mmdebstrap", mmdebstrapArgv(partial, process.getuid?.() === 0, hostDebianMirrors(readHostSources()), native ? undefined : debianArch(platform)), {
        onLine: (l) => { reporter.detail(l); },
        ...(reporter.options.verbose ? { verbose: (l: string) => { reporter.detail(l); } } : {}),
      }));
      return { target: tarball, value: undefined };
    });
  } else {
    reporter.step(`reusing the root filesystem built ${Math.round((Date.now() - statSync(tarball).mtimeMs) / 60_000)} min ago (--refresh-rootfs to rebuild)`);
  }
  const stamp = `${statSync(tarball).size}-${Math.floor(statSync(tarball).mtimeMs)}`;
  const label = "fr.citelibre.rootfs";
  const current = (await engine.imageFacts(image).catch(() => undefined))?.labels[label] ?? "";
  if (current !== stamp) {
    reporter.step(`importing the root filesystem as ${image}`);
    await engine.import(tarball, image, [`LABEL ${label}=${stamp}`]);
    // An import takes this host's architecture: say which one the files really are.
    if (!native) await engine.setArchitecture(image, ociArch(platform));
  }
  return image;
}

export interface BaseBuildResult {
  image: string;
  id: string;
  sizeBytes: number;
  from: string;
  servlet: ServletContainer;
  durationMs: number;
}

export async function buildBaseImage(
  engine: Engine,
  reporter: Reporter,
  options: { bootstrap: boolean; servlet: ServletContainer; from?: string; refreshRootfs?: boolean; noCache?: boolean; platform?: string; env: NodeJS.ProcessEnv },
): Promise<BaseBuildResult> {
  const started = performance.now();
  const platform = options.platform ?? nativePlatform();
  const from = options.bootstrap ? await bootstrapRootfs(engine, reporter, options.refreshRootfs ?? false, platform) : options.from ?? options.env.CITELIBRE_BASE_FROM ?? defaultFromImage;
  const tag = baseImageTag(options.servlet, platform);
  const version = (await import("../../package.json", { with: { type: "json" } })).default.version;
  // Labels follow the base's own inputs, so a commit elsewhere does not make a new base image (and
  // with it, rebuild every bundle layer on top).
  const revision = await gitRevision(baseInputs);
  const labels = baseLabels({ version, created: await buildDate(options.env, baseInputs), from, servlet: options.servlet, ...(revision ? { revision } : {}) });
  const iidFile = repoPath(".cache", `base-${options.servlet}-${platform.replace("/", "-")}.iid`);
  await mkdir(path.dirname(iidFile), { recursive: true });
  reporter.step(`building ${tag} from ${from} (${options.servlet}); a first build downloads about 150 MB of Debian packages`);
  await reporter.during(`building ${tag}`, engine.build(
    {
      context: repoPath(),
      file: repoPath("Dockerfile.base"),
      // Fully qualified: podman names a short name so by itself; docker would otherwise keep it apart
      // from the localhost/ name bundles look up (bake.ts).
      tags: [`localhost/${tag}`],
      buildArgs: { BASE_IMAGE: from, SERVLET_CONTAINER: options.servlet },
      labels,
      iidFile,
      ...(isNative(platform) ? {} : { platform }),
      ...(options.noCache ? { noCache: true } : {}),
    },
    { onLine: (l) => { reporter.detail(l); } },
  ));
  const { id, sizeBytes } = await engine.imageFacts(`localhost/${tag}`);
  return { image: tag, id, sizeBytes, from, servlet: options.servlet, durationMs: Math.round(performance.now() - started) };
}
