/**
 * What the image pipeline needs to know about a site WAR before it is installed: whether it is a Lutece
 * site, whether it carries theme-citelibre (whose page frameset includes the theme's hooks) or renders
 * Lutece's own skin (where the theme replaces the skin's header and footer pages), which plugins it
 * carries (the descriptors in WEB-INF/plugins/), and what identifies its content. Read from the WAR's list
 * of entries, which a zip keeps at its end, and from its plugin descriptors: nothing else is unpacked.
 */
import { DOMParser } from "@xmldom/xmldom";
import { sha256 } from "../lib/hash.js";
import { UserError } from "../lib/problems.js";
import { readZip, type ZipEntry } from "../lib/zip.js";

export type SiteSkin = "theme-citelibre" | "lutece";

/** A plugin as its descriptor (WEB-INF/plugins/<file>.xml) names it. */
export interface SitePlugin {
  name: string;
  /** "" when the descriptor gives none. */
  version: string;
}

export interface SiteFacts {
  /** Lutece core is there, in WEB-INF/classes (as a core site is assembled) or as the lutece-core jar. */
  lutece: boolean;
  /** lutece-core's version, when it comes as a jar (a core site's classes carry none in their names). */
  luteceCoreVersion?: string;
  skin: SiteSkin;
  /** Every plugin descriptor of the site, by name. */
  plugins: SitePlugin[];
}

const appInitClass = "WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class";
const coreJar = /^WEB-INF\/lib\/lutece-core-(\d[\w.-]*)\.jar$/;
/** The plugin descriptor theme-citelibre installs (reference/theme-citelibre.md). */
const themeCitelibreDescriptor = "WEB-INF/plugins/themecitelibre.xml";
/** Lutece registers the descriptors directly in WEB-INF/plugins/ (PluginService), not in its sub-folders. */
export const pluginDescriptor = /^WEB-INF\/plugins\/[^/]+\.xml$/;
// A plugin's name and version reach SQL (its datastore keys), labels and log lines: plain words only.
export const pluginName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// Lutece does not require a version: none is "".
export const pluginVersion = /^(?:[A-Za-z0-9][A-Za-z0-9_.+-]{0,63})?$/;

const entryName = (raw: string) => raw.replace(/^\/+/, "");

/**
 * The name and version a plugin descriptor declares (<plug-in><name>, <version>). A descriptor that does
 * not parse, or names itself with characters a plugin name never has, stops the build: Lutece would not
 * register it either.
 */
export function pluginFromDescriptor(xml: string, entry: string): SitePlugin {
  const problem = (what: string) => new UserError(`the site's plugin descriptor ${entry} ${what}. Rebuild the site, or remove that descriptor from it.`);
  let root;
  try {
    root = new DOMParser({ onError: (level, message) => { if (level !== "warning") throw new Error(message); } }).parseFromString(xml, "text/xml").documentElement;
  } catch (e) {
    throw problem(`is not well-formed XML (${(e as Error).message.split("\n")[0] ?? ""})`);
  }
  if (root?.nodeName !== "plug-in") throw problem(`is not a plugin descriptor (its root element is <${root?.nodeName ?? "nothing"}>, not <plug-in>)`);
  const child = (tag: string) => [...root.childNodes].find((n) => n.nodeName === tag)?.textContent?.trim() ?? "";
  const name = child("name");
  const version = child("version");
  if (!pluginName.test(name)) throw problem(`names its plugin "${name.slice(0, 80)}", not a plugin name (letters, digits, '.', '_' and '-')`);
  if (!pluginVersion.test(version)) throw problem(`gives plugin ${name} the version "${version.slice(0, 80)}", not a version (letters, digits, '.', '_', '+' and '-')`);
  return { name, version };
}

/** Facts from the entries' names and the plugin descriptors' contents (by entry name). */
export function siteFactsFromEntries(entries: Iterable<string>, descriptors: ReadonlyMap<string, string> = new Map()): SiteFacts {
  let lutece = false;
  let luteceCoreVersion: string | undefined;
  let themeCitelibre = false;
  for (const raw of entries) {
    const name = entryName(raw);
    if (name === appInitClass) lutece = true;
    const jar = coreJar.exec(name);
    if (jar) {
      lutece = true;
      luteceCoreVersion = jar[1];
    }
    if (name === themeCitelibreDescriptor) themeCitelibre = true;
  }
  const plugins: SitePlugin[] = [];
  const seen = new Map<string, string>();
  for (const [raw, xml] of descriptors) {
    const entry = entryName(raw);
    const plugin = pluginFromDescriptor(xml, entry);
    const other = seen.get(plugin.name);
    if (other) throw new UserError(`the site carries two descriptors of the plugin ${plugin.name} (${other} and ${entry}): Lutece would register only one. Rebuild the site with one version of it.`);
    seen.set(plugin.name, entry);
    plugins.push(plugin);
  }
  plugins.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { lutece, ...(luteceCoreVersion ? { luteceCoreVersion } : {}), skin: themeCitelibre ? "theme-citelibre" : "lutece", plugins };
}

/**
 * What identifies a site's content: its files' names, sizes and CRC-32 as the zip's directory records
 * them (folders, times and the order of entries left out). A webapp folder and any zip of it have the
 * same digest, so they share one site image.
 */
export function siteContentDigest(entries: Iterable<ZipEntry>): string {
  // Names as yauzl gives them ('\\' read as '/'), ordered by their UTF-8 bytes: as site_install.py digest does.
  const lines = [...entries]
    .map((e) => ({ ...e, name: entryName(e.name.replace(/\\/g, "/")) }))
    .filter((e) => !e.name.endsWith("/"))
    .map((e) => Buffer.from(`${e.name}\0${e.size}\0${(e.crc32 >>> 0).toString(16)}`, "utf8"))
    .sort((a, b) => Buffer.compare(a, b));
  return sha256(Buffer.concat(lines.flatMap((l, i) => (i ? [Buffer.from("\n"), l] : [l]))));
}

/** The content digest of a WAR, from its directory only. */
export async function readSiteDigest(file: string): Promise<string> {
  return siteContentDigest((await readZip(file)).entries);
}

/**
 * The facts of a WAR. Read only when its site image is built: the image keeps them in labels, which
 * later builds read instead (image/bake.ts).
 */
export async function readSiteFacts(file: string): Promise<SiteFacts> {
  const oversize: string[] = [];
  const { names, contents } = await readZip(file, (entry) => {
    if (!pluginDescriptor.test(entryName(entry.fileName))) return false;
    if (entry.uncompressedSize < 1_000_000) return true;
    oversize.push(entry.fileName);
    return false;
  });
  if (oversize.length) throw new UserError(`the site's plugin descriptor ${oversize[0] ?? ""} is over 1 MB: not a plugin descriptor. Rebuild the site, or remove that file from WEB-INF/plugins/.`);
  const descriptors = new Map([...contents].map(([name, content]) => [name, content.toString("utf8")]));
  return siteFactsFromEntries(names, descriptors);
}

/** Plugins in one label value: "name@version" in name order, separated by commas. */
export function formatPlugins(plugins: readonly SitePlugin[]): string {
  return plugins.map((p) => `${p.name}@${p.version}`).join(",");
}

/** The plugins a label value lists (formatPlugins); undefined for a value that is not such a list. */
export function parsePlugins(value: string | undefined): SitePlugin[] | undefined {
  if (value === undefined) return undefined;
  if (value === "") return [];
  const plugins: SitePlugin[] = [];
  for (const item of value.split(",")) {
    const at = item.lastIndexOf("@");
    const name = item.slice(0, at);
    const version = item.slice(at + 1);
    if (at < 1 || !pluginName.test(name) || !pluginVersion.test(version)) return undefined;
    plugins.push({ name, version });
  }
  return plugins;
}
