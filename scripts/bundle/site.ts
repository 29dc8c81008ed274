/**
 * Which site WAR goes into a bundle image: --site-war (a path, a URL or Maven coordinates), else the
 * manifest's prebuilt `war`, else its `build` (assembled with Maven where the Lutece repository is
 * reachable). The stand-in site replaces it only when asked to and the repository is unreachable.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { formatCoordinates, parseCoordinates } from "./coordinates.js";
import type { Bundle } from "./manifest.js";
import { ArtifactError, fetchToCache, resolveArtifact, type FetchOptions } from "./maven.js";
import { readSiteDigest } from "./site-facts.js";
import { packWebappFolder } from "./site-folder.js";
import { standInWar } from "./stand-in.js";
import { sha256File } from "../lib/hash.js";
import { UsageError, UserError } from "../lib/problems.js";

export interface ResolvedSite {
  file: string;
  sha256: string;
  /** What identifies its content (site-facts.ts siteContentDigest): a folder and a zip of it share it. */
  digest: string;
  /** What the WAR came from, for labels and the report. */
  source: string;
  standIn: boolean;
}

export interface SiteOptions extends FetchOptions {
  /** A WAR or a webapp folder, a URL, Maven coordinates, or "stand-in". */
  siteWar?: string;
  /** Where webapp folders are packed into WARs (site-folder.ts). */
  packedSitesDir: string;
  mavenRepositories?: string[];
  /** Use the stand-in site when the Lutece repository cannot be reached (the demo does). */
  standInIfUnreachable?: boolean;
  /** Builds a `site.build` bundle's WAR (the engine's builder stage); without it such bundles need --site-war. */
  assemble?: (bundle: Bundle, options: { offline: boolean }) => Promise<{ file: string; sha256: string }>;
}

type Located = Omit<ResolvedSite, "digest">;

async function standInSite(source: string): Promise<Located> {
  const file = await standInWar();
  return { file, sha256: await sha256File(file), source, standIn: true };
}

async function resolveExplicit(siteWar: string, bundle: Bundle, options: SiteOptions): Promise<Located> {
  if (siteWar === "stand-in") return standInSite("stand-in site (images/stand-in-site)");
  if (/^(https?|file):\/\//.test(siteWar)) {
    const fetched = await fetchToCache(siteWar, "war", undefined, options);
    return { file: fetched.file, sha256: fetched.sha256, source: siteWar, standIn: false };
  }
  const found = await stat(siteWar).catch(() => undefined);
  if (found?.isDirectory()) {
    const folder = path.resolve(siteWar);
    const file = await packWebappFolder(folder, options.packedSitesDir);
    return { file, sha256: await sha256File(file), source: folder, standIn: false };
  }
  if (found) {
    const file = path.resolve(siteWar);
    return { file, sha256: await sha256File(file), source: file, standIn: false };
  }
  const coords = parseCoordinates(siteWar);
  if ("error" in coords) {
    throw new UsageError(`--site-war ${siteWar}: not an existing file or folder, not a URL, and ${coords.error}. Give a WAR, a webapp folder, an http(s)/file URL, groupId:artifactId:version, or "stand-in".`);
  }
  const repositories = options.mavenRepositories?.length ? options.mavenRepositories : "war" in bundle.manifest.site && "repositories" in bundle.manifest.site.war ? bundle.manifest.site.war.repositories : "build" in bundle.manifest.site ? bundle.manifest.site.build.repositories : [];
  if (repositories.length === 0) throw new UsageError(`--site-war ${siteWar} is Maven coordinates: give --maven-repo <url> too`);
  const fetched = await resolveArtifact(coords, repositories, undefined, options);
  return { file: fetched.file, sha256: fetched.sha256, source: formatCoordinates(coords), standIn: false };
}

async function resolveFromManifest(bundle: Bundle, options: SiteOptions): Promise<Located> {
  const site = bundle.manifest.site;
  if ("war" in site) {
    if ("url" in site.war) {
      const fetched = await fetchToCache(site.war.url, "war", site.war.sha256, options);
      return { file: fetched.file, sha256: fetched.sha256, source: site.war.url, standIn: false };
    }
    const coords = parseCoordinates(site.war.coordinates);
    if ("error" in coords) throw new UsageError(`bundles/${bundle.manifest.name}/bundle.yaml site.war.coordinates: ${coords.error}`);
    const fetched = await resolveArtifact(coords, options.mavenRepositories?.length ? options.mavenRepositories : site.war.repositories, site.war.sha256, options);
    return { file: fetched.file, sha256: fetched.sha256, source: formatCoordinates(coords), standIn: false };
  }
  // site.build: the site is assembled from lutece-core and plugins with Maven, which needs the Lutece
  // repository (offline, only an earlier build's WAR can serve). Check that the repository answers
  // before starting a build that would fail half-way.
  if (!options.offline) {
    const repository = site.build.repositories[0] ?? "";
    const probe = `${repository.replace(/\/+$/, "")}/fr/paris/lutece/lutece-core/maven-metadata.xml`;
    try {
      const r = await fetch(probe, { signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    } catch (e) {
      throw new ArtifactError("unreachable", `${bundle.manifest.name} is assembled from Lutece plugins with Maven, and the Lutece repository (${repository}) is unreachable from here (${(e as Error).message}). Build where it is reachable, or give a prebuilt site with --site-war.`);
    }
  }
  if (!options.assemble) throw new UsageError(`${bundle.manifest.name} is assembled with Maven, which needs a container engine: use \`citelibre build\`, or give a prebuilt site with --site-war`);
  const built = await options.assemble(bundle, { offline: options.offline ?? false });
  return { ...built, source: `assembled with Maven from bundles/${bundle.manifest.name}/bundle.yaml`, standIn: false };
}

async function locateSite(bundle: Bundle, options: SiteOptions): Promise<Located> {
  if (options.siteWar) return resolveExplicit(options.siteWar, bundle, options);
  try {
    return await resolveFromManifest(bundle, options);
  } catch (e) {
    if (options.standInIfUnreachable && e instanceof ArtifactError && (e.kind === "unreachable" || e.kind === "timeout" || e.kind === "offline")) {
      options.onProgress?.(`the site cannot be fetched (${e.message.split(". ")[0] ?? e.message}); using the stand-in site instead`);
      return standInSite("stand-in site (the Lutece repository is unreachable)");
    }
    throw e;
  }
}

export async function resolveSite(bundle: Bundle, options: SiteOptions): Promise<ResolvedSite> {
  const site = await locateSite(bundle, options);
  const digest = await readSiteDigest(site.file).catch((e: unknown) => {
    throw new UserError(`${site.source} is not a WAR: it cannot be read as a zip (${(e as Error).message}). Give the site's .war file, or its exploded webapp folder.`);
  });
  return { ...site, digest };
}
