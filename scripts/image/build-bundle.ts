/**
 * `citelibre build` and `citelibre run`, first half: load the bundle, resolve its site, bake the image.
 */
import { loadBundle, resolveBundleDir, type Bundle } from "../bundle/manifest.js";
import { resolveSite } from "../bundle/site.js";
import type { Reporter } from "../lib/log.js";
import { problemsText, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { bake, type BakeResult } from "./bake.js";
import { gitRevision, gitSource } from "../lib/git.js";
import type { Engine } from "../engine/engine.js";
import type { BuildEvent } from "./tags.js";
import { buildSiteWar } from "./site-builder.js";

/** The command-line flags `build` and `run` share. */
export interface BundleBuildFlags {
  theme?: string;
  siteWar?: string;
  mavenRepo: string[];
  offline: boolean;
  standInIfUnreachable: boolean;
  registry?: string;
  namespace: string;
  cache: boolean;
  /** The build event deciding the tags (default: a local build of the bundle's version). */
  event?: BuildEvent;
  /** Labels added to the image (release adds the digest of its inputs). */
  extraLabels?: Record<string, string>;
  /** os/arch to build for (default: this host's). */
  platform?: string;
  /** The environment the command was run in (SOURCE_DATE_EPOCH, CITELIBRE_SOURCE_URL, CITELIBRE_SASS_TIMEOUT...). */
  env: NodeJS.ProcessEnv;
}

export async function buildBundleImage(engine: Engine, reporter: Reporter, name: string, flags: BundleBuildFlags): Promise<{ bundle: Bundle; result: BakeResult; themeDir: string }> {
  const dir = await resolveBundleDir(name);
  const loaded = await loadBundle(dir);
  if (!loaded.bundle) throw new UserError(`bundle ${name} is not valid:\n${problemsText(dir, loaded.problems.items)}`);
  const bundle = loaded.bundle;
  reporter.step(`resolving the site of ${bundle.manifest.name}`);
  const [site, revision, source] = await Promise.all([
    resolveSite(bundle, {
      cacheDir: repoPath(".cache", "maven"),
      packedSitesDir: repoPath(".cache", "sites"),
      offline: flags.offline,
      standInIfUnreachable: flags.standInIfUnreachable,
      mavenRepositories: flags.mavenRepo,
      onProgress: (m) => {
        reporter.step(m);
      },
      assemble: (b, { offline }) => buildSiteWar(engine, reporter, b, { noCache: !flags.cache, offline }),
      ...(flags.siteWar ? { siteWar: flags.siteWar } : {}),
    }),
    gitRevision(),
    gitSource(flags.env),
  ]);
  if (site.standIn) {
    reporter.warn(`this image carries the STAND-IN site (a small demo webapp), not ${bundle.manifest.title}: the Lutece repository is needed for the real one.`);
  }
  const themeDir = flags.theme ?? repoPath("themes", bundle.manifest.defaultTheme);
  const result = await bake(engine, reporter, bundle, site, {
    themeDir,
    event: flags.event ?? { kind: "local", version: bundle.manifest.version },
    ...(flags.extraLabels ? { extraLabels: flags.extraLabels } : {}),
    ...(flags.platform ? { platform: flags.platform } : {}),
    namespace: flags.namespace,
    noCache: !flags.cache,
    env: flags.env,
    ...(revision ? { revision } : {}),
    ...(source ? { source } : {}),
    ...(flags.registry ? { registry: flags.registry } : {}),
  });
  return { bundle, result, themeDir };
}
