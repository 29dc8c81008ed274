import { describe, expect, it } from "vitest";
import { siteFactsFromEntries } from "../../../scripts/bundle/site-facts.js";

describe("site facts from a WAR's entries", () => {
  it.each([
    ["a core site assembled with its classes (the 7.0.6 fixture)", ["WEB-INF/", "WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class", "WEB-INF/plugins/plugins.dat"], { lutece: true, skin: "lutece" }],
    ["a site with the lutece-core jar and theme-citelibre", ["WEB-INF/lib/lutece-core-7.1.7.jar", "WEB-INF/plugins/themecitelibre.xml"], { lutece: true, luteceCoreVersion: "7.1.7", skin: "theme-citelibre" }],
    ["a jar whose name only looks like it", ["WEB-INF/lib/lutece-core-utils.jar", "lib/lutece-core-7.0.0.jar"], { lutece: false, skin: "lutece" }],
    ["the theme's descriptor elsewhere does not count", ["WEB-INF/plugins/themecitelibre.xml.bak", "themecitelibre.xml"], { lutece: false, skin: "lutece" }],
    ["entries with a leading slash", ["/WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class", "/WEB-INF/plugins/themecitelibre.xml"], { lutece: true, skin: "theme-citelibre" }],
  ])("%s", (_name, entries, expected) => {
    expect(siteFactsFromEntries(entries)).toEqual(expected);
  });
});
