/**
 * `citelibre build`: bakes a bundle image from the base image, the site WAR, the bundle's config and SQL,
 * and a theme overlay, in that layer order. The build context lives in .cache/bake/<bundle>-<theme>/ and
 * is updated file by file, so unchanged inputs keep their layers cached.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import Handlebars from "handlebars";
import { baseImageTag, buildBaseImage, buildDate } from "./base.js";
import { isNative, nativePlatform, platformImage } from "./platform.js";
import type { Engine } from "../engine/engine.js";
import { computeTags, imageName, type BuildEvent } from "./tags.js";
import type { Bundle } from "../bundle/manifest.js";
import type { ResolvedSite } from "../bundle/site.js";
import { formatPlugins, parsePlugins, readSiteFacts, type SiteFacts, type SitePlugin, type SiteSkin } from "../bundle/site-facts.js";
import { checkPlugins } from "../bundle/plugins.js";
import type { Reporter } from "../lib/log.js";
import { problemsText, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { stepTimer } from "../lib/steps.js";
import { sha256 } from "../lib/hash.js";
import { addFile, syncTree, type FileTree } from "../lib/tree.js";
import { checkTheme } from "../theme/build.js";
import { sassTimeoutMs } from "../theme/sass-compile.js";

export interface BakeOptions {
  themeDir: string;
  event: BuildEvent;
  registry?: string;
  namespace?: string;
  revision?: string;
  source?: string;
  noCache?: boolean;
  extraLabels?: Record<string, string>;
  /** os/arch of the image (default: this host's); a foreign one is named after it (image/platform.ts). */
  platform?: string;
  env: NodeJS.ProcessEnv;
}

export interface BakeResult {
  image: string;
  tags: string[];
  id: string;
  sizeBytes: number;
  theme: { name: string; digest: string };
  site: ResolvedSite;
  /** The site's plugins (its descriptors), as the image's label lists them. */
  plugins: SitePlugin[];
  base: { image: string; id: string };
  steps: Record<string, number>;
}

/** Label of a site image (and of the bundle images on it): which skin the site renders (site-facts.ts). */
export const skinLabel = "fr.citelibre.site.skin";
/** Label of a site image (and of the bundle images on it): its plugins, "name@version" in name order. */
export const pluginsLabel = "fr.citelibre.site.plugins";

/** The skin an image's labels record, if any. */
export function siteSkin(labels: Record<string, string>): SiteSkin | undefined {
  const v = labels[skinLabel];
  return v === "theme-citelibre" || v === "lutece" ? v : undefined;
}

/** What a site image's labels record of its site: both, or undefined (an image from before the labels). */
export function siteLabels(labels: Record<string, string>): { skin: SiteSkin; plugins: SitePlugin[] } | undefined {
  const skin = siteSkin(labels);
  const plugins = parsePlugins(labels[pluginsLabel]);
  return skin && plugins ? { skin, plugins } : undefined;
}

export function bundleLabels(input: {
  bundle: Bundle; themeName: string; themeDigest: string; created: Date; base: { image: string; id: string }; site: ResolvedSite; revision?: string; source?: string;
}): Record<string, string> {
  const m = input.bundle.manifest;
  return {
    "org.opencontainers.image.title": `CiteLibre ${m.title}`,
    "org.opencontainers.image.description": m.description.slice(0, 300),
    "org.opencontainers.image.version": m.version,
    "org.opencontainers.image.created": input.created.toISOString(),
    "org.opencontainers.image.vendor": "CiteLibre Forge",
    "org.opencontainers.image.licenses": "EUPL-1.2",
    "org.opencontainers.image.base.name": input.base.image,
    "org.opencontainers.image.base.digest": input.base.id,
    ...(input.revision ? { "org.opencontainers.image.revision": input.revision } : {}),
    ...(input.source ? { "org.opencontainers.image.source": input.source } : {}),
    "fr.citelibre.bundle": m.name,
    "fr.citelibre.theme": input.themeName,
    "fr.citelibre.theme.digest": input.themeDigest,
    "fr.citelibre.site.sha256": input.site.sha256,
    "fr.citelibre.site.digest": input.site.digest,
    "fr.citelibre.site.stand-in": String(input.site.standIn),
  };
}

/**
 * The theme layer's files, at the paths they get in the image (under theme/ in the build context): the
 * overlay's webapp/ over the site, its Lutece skin pages too when the site renders that skin (never over
 * theme-citelibre's), the site properties for the runtime and the theme SQL.
 */
export function themeLayerTree(overlay: FileTree, webapp: string, skin: SiteSkin): FileTree {
  const tree: FileTree = new Map();
  for (const [p, content] of overlay) {
    if (p.startsWith("webapp/")) addFile(tree, `theme/${webapp}/${p.slice("webapp/".length)}`, content);
    else if (p.startsWith("lutece-skin/") && skin === "lutece") addFile(tree, `theme/${webapp}/${p.slice("lutece-skin/".length)}`, content);
    else if (p === "runtime/site.properties") addFile(tree, `theme/${themeLayerFiles.siteProperties}`, content);
    else if (p === "sql/theme.sql") addFile(tree, `theme/${themeLayerFiles.sql}`, content);
  }
  return tree;
}

/** Where the theme layer puts the runtime's files, in the image. */
export const themeLayerFiles = { siteProperties: "opt/citelibre/theme/site.properties", sql: "opt/citelibre/sql/theme/theme.sql" } as const;

/** The site's web application folder in the image, without the leading slash. */
export function webappPath(context: string): string {
  return `opt/citelibre/tomcat/webapps/${context}`;
}

/** A single LABEL instruction; values are quoted for the Dockerfile parser and kept on one line. */
export function labelInstruction(labels: Record<string, string>): string {
  const quote = (v: string) => `"${v.replace(/[\r\n]+/g, " ").replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "\\$")}"`;
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return `LABEL ${entries.map(([k, v]) => `${quote(k)}=${quote(v)}`).join(" \\\n      ")}`;
}

export function renderDockerfile(template: string, values: Record<string, string>, labels?: Record<string, string>): string {
  return Handlebars.compile(template, { strict: true, noEscape: true })({ ...values, ...(labels ? { labelInstruction: labelInstruction(labels) } : {}) });
}

/**
 * The site image's build context (base, WAR, bundle config and SQL) and its tag, a digest of those
 * inputs. The WAR is known by its checksum already: it is read only when the site image must be built.
 */
async function siteImageInputs(engine: Engine, bundle: Bundle, site: ResolvedSite, at: { baseRef: string; baseId: string; platform: string; suffix: string }): Promise<{ tree: FileTree; tag: string }> {
  const m = bundle.manifest;
  const webapp = webappPath(m.context);
  const tree: FileTree = new Map();
  addFile(tree, "bundle/opt/citelibre/site-context", `${m.context}\n`);
  for (const f of bundle.sqlFiles) addFile(tree, `bundle/opt/citelibre/sql/bundle/${path.posix.basename(f)}`, await readFile(path.join(bundle.dir, f)));
  for (const f of bundle.confFiles) addFile(tree, `bundle/${webapp}/WEB-INF/conf/${f}`, await readFile(path.join(bundle.dir, "conf", f)));
  for (const f of bundle.demoFiles) addFile(tree, `bundle/opt/citelibre/demo/${path.posix.basename(f)}`, await readFile(path.join(bundle.dir, f)));
  if (m.demo) addFile(tree, "bundle/opt/citelibre/demo/requires", `${m.demo.plugin}\t${m.demo.verifiedVersions.join(" ")}\t${m.demo.emptyTable}\n`);
  const template = await readFile(repoPath("images/templates/bundle-site.Dockerfile.hbs"), "utf8");
  addFile(tree, "Dockerfile", renderDockerfile(template, { bundle: m.name, baseImage: at.baseRef, baseId: at.baseId, context: m.context, siteDigest: site.digest, mounts: engine.capabilities.buildMounts ? "yes" : "" }));
  // The site by its content: a webapp folder and a zip of it make one site image.
  const entries = [...tree].map(([p, c]) => `${p}\0${sha256(c)}`);
  entries.push(`site/site.war\0${site.digest}`, `platform\0${at.platform}`);
  return { tree, tag: `localhost/citelibre-cache/${m.name}-site${at.suffix}:${sha256(entries.sort().join("\n")).slice(0, 16)}` };
}

export async function bake(engine: Engine, reporter: Reporter, bundle: Bundle, site: ResolvedSite, options: BakeOptions): Promise<BakeResult> {
  const { steps, timed } = stepTimer();
  const m = bundle.manifest;
  const platform = options.platform ?? nativePlatform();
  const foreign = !isNative(platform);
  const suffix = foreign ? `-${platform.replace("/", "-")}` : "";
  const baseRef = `localhost/${baseImageTag(m.servletContainer, platform)}`;
  const webapp = webappPath(m.context);

  // The theme compiles in this process while the engine looks up the base and site images: the lookups
  // run at once, and nothing is built until the theme is known to be valid.
  reporter.step(`compiling the theme ${options.themeDir}`);
  const siteInputs = (baseId: string) => siteImageInputs(engine, bundle, site, { baseRef, baseId, platform, suffix });
  // The site image records its skin and plugins in labels, so a theme rebuild need not read the WAR again.
  const siteOf = (image: string) => engine.imageFacts(image).then((f) => siteLabels(f.labels), () => undefined);
  const lookups = timed("lookups", async () => {
    const baseId = await engine.imageId(baseRef);
    if (!baseId) return { baseId };
    const inputs = await siteInputs(baseId);
    return { baseId, inputs, site: options.noCache ? undefined : await siteOf(inputs.tag) };
  });
  const [theme, found, created] = await Promise.all([timed("theme", () => checkTheme(options.themeDir, { sassTimeoutMs: sassTimeoutMs(options.env) })), lookups, buildDate(options.env)]);
  if (!theme.valid || !theme.tree || !theme.manifest) {
    throw new UserError(`the theme ${options.themeDir} is not valid:\n${problemsText(options.themeDir, theme.problems)}`);
  }
  const themeName = theme.manifest.theme.name;

  let baseId = found.baseId;
  if (!baseId) {
    reporter.step(`the base image ${baseRef} is missing: building it (once)`);
    baseId = await timed("base", async () => (await buildBaseImage(engine, reporter, { bootstrap: true, servlet: m.servletContainer, platform, env: options.env })).id);
  }
  const base = { image: baseRef, id: baseId };
  const labels = bundleLabels({
    bundle, themeName, themeDigest: theme.manifest.digest, created, base, site,
    ...(options.revision ? { revision: options.revision } : {}), ...(options.source ? { source: options.source } : {}),
  });
  Object.assign(labels, options.extraLabels ?? {});

  // The site image (base + WAR + bundle) does not depend on the theme: built once per input change,
  // tagged with a digest of its inputs, shared by every theme.
  const { tree: siteTree, tag: siteImage } = found.inputs ?? (await siteInputs(baseId));
  // The site's facts from the site image's labels, else from the WAR (before its image is built, so a
  // site without the bundle's plugins stops the build first).
  const siteFacts: LabelledFacts = found.site ?? (await readSiteFacts(site.file));
  if (!site.standIn) checkSitePlugins(reporter, bundle, site, siteFacts.plugins);
  if (!found.site) await timed("site-image", () => buildSiteImage(engine, reporter, bundle, site, siteFacts, { tree: siteTree, tag: siteImage, platform, foreign, suffix, noCache: options.noCache ?? false }));
  const skin = siteFacts.skin;
  labels[skinLabel] = skin;
  labels[pluginsLabel] = formatPlugins(siteFacts.plugins);

  const name = imageName(m.name, { ...(options.registry ? { registry: options.registry } : {}), ...(options.namespace ? { namespace: options.namespace } : {}) });
  const tags = computeTags({ event: options.event, theme: themeName, defaultTheme: m.defaultTheme, ...(options.revision ? { sha: options.revision } : {}) }).map((t) => platformImage(`${name}:${t}`, platform));
  reporter.step(`building ${tags[0] ?? name}${site.standIn ? " with the STAND-IN site (not the real application)" : ""}`);
  await timed("theme-layer", async (): Promise<string | undefined> => {
    const tree = themeLayerTree(theme.tree ?? (new Map() as FileTree), webapp, skin);
    const template = await readFile(repoPath("images/templates/bundle.Dockerfile.hbs"), "utf8");
    addFile(tree, "Dockerfile", renderDockerfile(template, { bundle: m.name, theme: themeName, siteImage }, labels));
    const dir = repoPath(".cache", "bake", `${m.name}-${themeName}${suffix}`);
    await syncTree(dir, tree);
    // Same site image and same Dockerfile (whose labels carry the theme digest, itself a digest of every
    // overlay file): the image under these tags is already this one.
    const bakeKey = sha256(`${siteImage}\n${tree.get("Dockerfile")?.toString("utf8") ?? ""}`);
    labels["fr.citelibre.bake.key"] = bakeKey;
    const found = await engine.imageFacts(tags[0] ?? name).catch(() => undefined);
    const previous = found?.id;
    if (previous && !options.noCache && found.labels["fr.citelibre.bake.key"] === bakeKey) {
      await engine.tag(previous, ...tags.slice(1));
      return previous;
    }
    let id = await engine.commitLayer(siteImage, path.join(dir, "theme"), labels, tags);
    if (id === undefined) {
      await engine.build({ context: dir, tags, ...(foreign ? { platform } : {}), ...(options.noCache ? { noCache: true } : {}) }, { onLine: (l) => { reporter.detail(l); } });
      id = await engine.imageId(tags[0] ?? name);
    }
    // Each rebrand replaces the image under these tags; drop the one it replaced unless a container
    // still uses it, so repeated rebuilds do not pile up images (which slows every engine call).
    // Sequential on purpose: podman 4 can fail a concurrent inspect while an image is being removed.
    if (previous && id && previous !== id) await engine.removeImage(previous);
    return id;
  });
  const { id, sizeBytes } = await engine.imageFacts(tags[0] ?? name);
  return { image: tags[0] ?? name, tags, id, sizeBytes, theme: { name: themeName, digest: theme.manifest.digest }, site, plugins: siteFacts.plugins, base, steps };
}

/** A site's facts as its image's labels keep them (siteLabels), or as read from its WAR (then with the rest). */
type LabelledFacts = Pick<SiteFacts, "skin" | "plugins"> & Partial<SiteFacts>;

/** Builds the site image (base + WAR + bundle) from its context; its labels keep the WAR's facts for later builds. */
async function buildSiteImage(engine: Engine, reporter: Reporter, bundle: Bundle, site: ResolvedSite, facts: LabelledFacts, at: { tree: FileTree; tag: string; platform: string; foreign: boolean; suffix: string; noCache: boolean }): Promise<void> {
  const m = bundle.manifest;
  reporter.step(`building the site image of ${m.name} (WAR and bundle layers)`);
  if (facts.lutece === false && !site.standIn) reporter.warn(`${site.source} does not look like a Lutece site (no Lutece core classes): its database schema and start-up cannot be checked`);
  addFile(at.tree, "site/site.war", await readFile(site.file));
  const dir = repoPath(".cache", "bake", `${m.name}-site${at.suffix}`);
  await syncTree(dir, at.tree);
  const labels = { [skinLabel]: facts.skin, [pluginsLabel]: formatPlugins(facts.plugins) };
  await reporter.during(`building ${at.tag}`, engine.build({ context: dir, tags: [at.tag], labels, ...(at.foreign ? { platform: at.platform } : {}), ...(at.noCache ? { noCache: true } : {}) }, { onLine: (l) => { reporter.detail(l); } }));
}

/** The bundle's plugins against the site's (bundle/plugins.ts): a missing one stops the build, naming both. */
function checkSitePlugins(reporter: Reporter, bundle: Bundle, site: ResolvedSite, carried: SitePlugin[]): void {
  const check = checkPlugins(`bundles/${bundle.manifest.name}/bundle.yaml`, bundle.manifest, site.source, carried);
  for (const w of check.warnings) reporter.warn(w);
  if (check.errors.length > 0) throw new UserError(check.errors.join("\n"));
}
