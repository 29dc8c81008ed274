import { describe, expect, it } from "vitest";
import { bundleSchema, type BundleManifest } from "../../../scripts/bundle/manifest.js";
import { checkPlugins, expectedPlugins, pluginOfArtifact } from "../../../scripts/bundle/plugins.js";

const manifest = (plugins: Array<Record<string, unknown>>): BundleManifest => bundleSchema.parse({
  name: "demo", title: "Démo", description: "d", version: "1.0.0", context: "demo",
  site: { build: { repositories: ["https://repo.example/m2"], parent: { groupId: "g", artifactId: "p", version: "1" }, core: { groupId: "g", artifactId: "lutece-core", version: "7.0.6" }, plugins } },
});
const artifact = (artifactId: string, extra: Record<string, unknown> = {}) => ({ groupId: "fr.paris.lutece.plugins", artifactId, version: "1.0.0", ...extra });

describe("the plugins a bundle names", () => {
  it.each([
    ["plugin-appointment", undefined, "appointment"],
    ["module-appointment-desk", undefined, undefined],
    ["module-appointment-desk", "appointment-desk", "appointment-desk"],
    ["library-httpaccess", undefined, undefined],
    ["site-theme-citelibre", "themecitelibre", "themecitelibre"],
    ["module-captcha-jcaptcha", "jcaptcha", "jcaptcha"],
    ["plugin-rest", false, undefined],
  ] as const)("%s (plugin: %s) installs %s", (artifactId, plugin, expected) => {
    expect(pluginOfArtifact({ artifactId, ...(plugin === undefined ? {} : { plugin }) })).toBe(expected);
  });

  it("are read from site.build.plugins", () => {
    expect(expectedPlugins(manifest([artifact("plugin-appointment"), artifact("library-x")]))).toEqual([{ name: "appointment", artifactId: "plugin-appointment" }]);
  });
});

describe("the bundle's plugins against the site's", () => {
  const m = manifest([artifact("plugin-appointment"), artifact("plugin-workflow")]);
  const check = (carried: Array<{ name: string; version: string }>) => checkPlugins("bundles/demo/bundle.yaml", m, "/sites/demo.war", carried);

  it("passes a site that carries every plugin, the core's own descriptors aside", () => {
    expect(check([{ name: "appointment", version: "3.0.7" }, { name: "workflow", version: "5.3.3" }, { name: "lucene", version: "5.0.3" }])).toEqual({ errors: [], warnings: [] });
  });

  it("refuses a site that lacks a plugin the bundle names, naming both", () => {
    const result = check([{ name: "appointment", version: "3.0.7" }, { name: "lucene", version: "5.0.3" }]);
    expect(result.errors).toEqual([
      "bundles/demo/bundle.yaml site.build.plugins names plugin-workflow (plugin workflow), and the site /sites/demo.war does not carry it (no WEB-INF/plugins/workflow.xml; its plugins: appointment 3.0.7, lucene 5.0.3). Give the WAR assembled for demo, or remove plugin-workflow from bundles/demo/bundle.yaml.",
    ]);
  });

  it("says when the site carries plugins the bundle does not name", () => {
    const result = check([{ name: "appointment", version: "3.0.7" }, { name: "workflow", version: "5.3.3" }, { name: "filegenerator", version: "2.1.4" }]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/carries plugin\(s\) bundles\/demo\/bundle.yaml does not name: filegenerator 2\.1\.4/)]);
  });

  it("builds a bare core site in place of the application, and says so", () => {
    const result = check([{ name: "lucene", version: "5.0.3" }]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/is a bare site: it carries none of the plugins bundles\/demo\/bundle.yaml names \(appointment, workflow\), so this image does not run Démo's screens/)]);
    // The stand-in site carries theme-citelibre's descriptor only: bare too, whichever way it was given.
    expect(check([{ name: "themecitelibre", version: "" }]).errors).toEqual([]);
  });

  it("a bare site with a plugin of its own is not the application either: refused", () => {
    const result = check([{ name: "citelibretest", version: "1.0.0" }]);
    expect(result.errors).toEqual([
      expect.stringMatching(/^bundles\/demo\/bundle.yaml site.build.plugins names plugin-appointment \(plugin appointment\), and the site \/sites\/demo.war does not carry it \(no WEB-INF\/plugins\/appointment.xml; its plugins: citelibretest 1\.0\.0\)/),
      expect.stringMatching(/names plugin-workflow \(plugin workflow\)/),
    ]);
    expect(result.warnings).toEqual([expect.stringMatching(/carries plugin\(s\) bundles\/demo\/bundle.yaml does not name: citelibretest 1\.0\.0/)]);
  });

  it("compares nothing for a prebuilt site's bundle, which names no plugin", () => {
    const prebuilt = bundleSchema.parse({ name: "demo", title: "Démo", description: "d", version: "1.0.0", context: "demo", site: { war: { url: "https://example.org/site.war", sha256: "a".repeat(64) } } });
    expect(checkPlugins("bundles/demo/bundle.yaml", prebuilt, "/sites/demo.war", [{ name: "appointment", version: "3.0.7" }])).toEqual({ errors: [], warnings: [] });
  });
});
