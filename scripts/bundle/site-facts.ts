/**
 * What the image pipeline needs to know about a site WAR before it is installed: whether it is a Lutece
 * site, and whether it carries theme-citelibre (whose page frameset includes the theme's hooks) or renders
 * Lutece's own skin (where the theme replaces the skin's header and footer pages). Read from the WAR's
 * list of entries only, which a zip keeps at its end: no file inside is unpacked.
 */
import { readZip } from "../lib/zip.js";

export type SiteSkin = "theme-citelibre" | "lutece";

export interface SiteFacts {
  /** Lutece core is there, in WEB-INF/classes (as a core site is assembled) or as the lutece-core jar. */
  lutece: boolean;
  /** lutece-core's version, when it comes as a jar (a core site's classes carry none in their names). */
  luteceCoreVersion?: string;
  skin: SiteSkin;
}

const appInitClass = "WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class";
const coreJar = /^WEB-INF\/lib\/lutece-core-(\d[\w.-]*)\.jar$/;
/** The plugin descriptor theme-citelibre installs (reference/theme-citelibre.md). */
const themeCitelibreDescriptor = "WEB-INF/plugins/themecitelibre.xml";

export function siteFactsFromEntries(entries: Iterable<string>): SiteFacts {
  let lutece = false;
  let luteceCoreVersion: string | undefined;
  let themeCitelibre = false;
  for (const raw of entries) {
    const name = raw.replace(/^\/+/, "");
    if (name === appInitClass) lutece = true;
    const jar = coreJar.exec(name);
    if (jar) {
      lutece = true;
      luteceCoreVersion = jar[1];
    }
    if (name === themeCitelibreDescriptor) themeCitelibre = true;
  }
  return { lutece, ...(luteceCoreVersion ? { luteceCoreVersion } : {}), skin: themeCitelibre ? "theme-citelibre" : "lutece" };
}

/**
 * The facts of a WAR. Read only when its site image is built: the image keeps the skin in a label, which
 * later builds read instead (image/bake.ts).
 */
export async function readSiteFacts(file: string): Promise<SiteFacts> {
  const { names } = await readZip(file);
  return siteFactsFromEntries(names);
}
