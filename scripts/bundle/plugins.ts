/**
 * The plugins a bundle names (its manifest's artifacts) against the plugins its site WAR carries (the
 * descriptors in WEB-INF/plugins/): an image named after an application must hold that application. Pure.
 */
import type { BundleManifest } from "./manifest.js";
import type { SitePlugin } from "./site-facts.js";

/** Plugins for people: "appointment 3.0.7, workflow 5.3.3", or `none`. */
export function pluginsText(plugins: readonly SitePlugin[], none = "none"): string {
  return plugins.length ? plugins.map((p) => `${p.name} ${p.version}`.trim()).join(", ") : none;
}

/** A plugin the manifest names, with the artifact that brings it. */
export interface ExpectedPlugin {
  name: string;
  artifactId: string;
}

/**
 * Descriptors that are no application: lutece-core's own and its libraries' (in every site), and the site
 * theme's (theme-citelibre, which the stand-in site carries too). No bundle has to name them, and a site
 * carrying only these is a bare site, not another application.
 */
export const nonApplicationPlugins: ReadonlySet<string> = new Set(["core_extensions", "lucene", "themecitelibre"]);

/**
 * The descriptor name an artifact installs: its `plugin` field when given (false: none), else, for a
 * plugin-<name> artifact, <name> (Lutece's convention: plugin-appointment installs appointment). Modules
 * name their descriptors in no fixed way (module-captcha-jcaptcha installs jcaptcha), so a module is
 * checked only when its `plugin` field says what it installs; libraries and themes install none.
 */
export function pluginOfArtifact(artifact: { artifactId: string; plugin?: string | false | undefined }): string | undefined {
  if (artifact.plugin === false) return undefined;
  if (artifact.plugin) return artifact.plugin;
  return /^plugin-(.+)$/.exec(artifact.artifactId)?.[1];
}

export function expectedPlugins(manifest: BundleManifest): ExpectedPlugin[] {
  if (!("build" in manifest.site)) return [];
  return manifest.site.build.plugins.flatMap((a) => {
    const name = pluginOfArtifact(a);
    return name ? [{ name, artifactId: a.artifactId }] : [];
  });
}

/** The site carries every plugin the bundle names (and the bundle names at least one). */
export function carriesApplication(manifest: BundleManifest, carried: readonly SitePlugin[]): boolean {
  const expected = expectedPlugins(manifest);
  return expected.length > 0 && expected.every((p) => carried.some((c) => c.name === p.name));
}

export interface PluginCheck {
  /** Stop the build: the WAR lacks plugins the bundle names. */
  errors: string[];
  /** Say it, and build: a bare core site in place of the application, or plugins the bundle does not name. */
  warnings: string[];
}

/**
 * Compares what the bundle names with what the site carries. A site that carries none of the bundle's
 * plugins is a bare site (Lutece's core, or the stand-in) given in place of the application (the README's way to try the real
 * runtime): built, with a warning that says so. A site that carries some but not all is the wrong WAR for
 * this bundle, or an incomplete assembly: refused, naming both.
 */
export function checkPlugins(bundleFile: string, manifest: BundleManifest, siteSource: string, carried: readonly SitePlugin[]): PluginCheck {
  const expected = expectedPlugins(manifest);
  const has = new Set(carried.map((p) => p.name));
  const named = new Set(expected.map((p) => p.name));
  const missing = expected.filter((p) => !has.has(p.name));
  const extra = carried.filter((p) => !named.has(p.name) && !nonApplicationPlugins.has(p.name));
  const check: PluginCheck = { errors: [], warnings: [] };
  const carriedText = pluginsText(carried);
  if (expected.length > 0 && missing.length === expected.length && extra.length === 0) {
    check.warnings.push(`the site ${siteSource} is a bare site: it carries none of the plugins ${bundleFile} names (${expected.map((p) => p.name).join(", ")}), so this image does not run ${manifest.title}'s screens. Give the application's WAR with --site-war to get its screens.`);
    return check;
  }
  for (const p of missing) {
    check.errors.push(`${bundleFile} site.build.plugins names ${p.artifactId} (plugin ${p.name}), and the site ${siteSource} does not carry it (no WEB-INF/plugins/${p.name}.xml; its plugins: ${carriedText}). Give the WAR assembled for ${manifest.name}, or remove ${p.artifactId} from ${bundleFile}.`);
  }
  // A prebuilt site's bundle names no plugin: nothing to compare its plugins with.
  if (extra.length > 0 && expected.length > 0) {
    check.warnings.push(`the site ${siteSource} carries plugin(s) ${bundleFile} does not name: ${pluginsText(extra)}. They are installed all the same; name them in ${bundleFile} (or check that this is the WAR of ${manifest.name}).`);
  }
  return check;
}
