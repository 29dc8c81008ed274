import { describe, expect, it } from "vitest";
import { themeLayerTree } from "../../../scripts/image/bake.js";
import type { FileTree } from "../../../scripts/lib/tree.js";

const overlay: FileTree = new Map([
  ["webapp/themes/skin/x/css/x.min.css", Buffer.from("css")],
  ["webapp/WEB-INF/templates/skin/site/themecitelibre_frameset_main_nav.html", Buffer.from("hook")],
  ["lutece-skin/WEB-INF/templates/skin/site/portal_footer.html", Buffer.from("footer")],
  ["runtime/site.properties", Buffer.from("lutece.name=X\n")],
  ["sql/theme.sql", Buffer.from("INSERT ...")],
  ["keycloak/themes/x/login/theme.properties", Buffer.from("parent=keycloak.v2")],
  ["manifest.json", Buffer.from("{}")],
]);

describe("the theme layer", () => {
  it("lays Lutece's own skin pages over a site that renders that skin", () => {
    expect([...themeLayerTree(overlay, "opt/citelibre/tomcat/webapps/rdv", "lutece").keys()].sort()).toEqual([
      "theme/opt/citelibre/sql/theme/theme.sql",
      "theme/opt/citelibre/theme/site.properties",
      "theme/opt/citelibre/tomcat/webapps/rdv/WEB-INF/templates/skin/site/portal_footer.html",
      "theme/opt/citelibre/tomcat/webapps/rdv/WEB-INF/templates/skin/site/themecitelibre_frameset_main_nav.html",
      "theme/opt/citelibre/tomcat/webapps/rdv/themes/skin/x/css/x.min.css",
    ]);
  });

  it("never over a theme-citelibre site's pages, and never ships the Keycloak theme or the manifest in the image", () => {
    const paths = [...themeLayerTree(overlay, "opt/citelibre/tomcat/webapps/rdv", "theme-citelibre").keys()];
    expect(paths.some((p) => p.endsWith("portal_footer.html"))).toBe(false);
    expect(paths.some((p) => /keycloak|manifest\.json/.test(p))).toBe(false);
    expect(paths).toContain("theme/opt/citelibre/tomcat/webapps/rdv/WEB-INF/templates/skin/site/themecitelibre_frameset_main_nav.html");
  });
});
