import { describe, expect, it } from "vitest";
import { formatPlugins, parsePlugins, siteContentDigest, siteFactsFromEntries } from "../../../scripts/bundle/site-facts.js";
import { UserError } from "../../../scripts/lib/problems.js";

const descriptor = (name: string, version = "1.0.0", extra = "") => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plug-in SYSTEM "plugin_2_2.dtd">\n<plug-in><name>${name}</name><class>x</class><version>${version}</version>${extra}</plug-in>`;

describe("site facts from a WAR's entries", () => {
  it.each([
    ["a core site assembled with its classes (the 7.0.6 fixture)", ["WEB-INF/", "WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class", "WEB-INF/plugins/plugins.dat"], { lutece: true, skin: "lutece", plugins: [] }],
    ["a site with the lutece-core jar and theme-citelibre", ["WEB-INF/lib/lutece-core-7.1.7.jar", "WEB-INF/plugins/themecitelibre.xml"], { lutece: true, luteceCoreVersion: "7.1.7", skin: "theme-citelibre", plugins: [] }],
    ["a jar whose name only looks like it", ["WEB-INF/lib/lutece-core-utils.jar", "lib/lutece-core-7.0.0.jar"], { lutece: false, skin: "lutece", plugins: [] }],
    ["the theme's descriptor elsewhere does not count", ["WEB-INF/plugins/themecitelibre.xml.bak", "themecitelibre.xml"], { lutece: false, skin: "lutece", plugins: [] }],
    ["entries with a leading slash", ["/WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class", "/WEB-INF/plugins/themecitelibre.xml"], { lutece: true, skin: "theme-citelibre", plugins: [] }],
  ])("%s", (_name, entries, expected) => {
    expect(siteFactsFromEntries(entries)).toEqual(expected);
  });
});

describe("a site's plugins, from its descriptors", () => {
  it("lists each descriptor's name and version, in name order", () => {
    const facts = siteFactsFromEntries([], new Map([
      ["WEB-INF/plugins/workflow.xml", descriptor("workflow", "5.3.3")],
      ["/WEB-INF/plugins/appointment.xml", descriptor("appointment", "3.0.7", "<db-pool-required>1</db-pool-required>")],
      ["WEB-INF/plugins/themecitelibre.xml", "<plug-in><name>themecitelibre</name></plug-in>"],
    ]));
    expect(facts.plugins).toEqual([{ name: "appointment", version: "3.0.7" }, { name: "themecitelibre", version: "" }, { name: "workflow", version: "5.3.3" }]);
    expect(parsePlugins(formatPlugins(facts.plugins))).toEqual(facts.plugins);
    expect(formatPlugins(facts.plugins)).toBe("appointment@3.0.7,themecitelibre@,workflow@5.3.3");
  });

  it.each([
    ["a name that would reach SQL", descriptor("x'); DROP TABLE core_user; --"), /names its plugin "x'\); DROP TABLE core_user; --", not a plugin name/],
    ["a version with spaces", descriptor("ok", "1.0 beta"), /gives plugin ok the version "1.0 beta", not a version/],
    ["XML that does not parse", "<plug-in><name>a</name>", /WEB-INF\/plugins\/a.xml is not well-formed XML/],
    ["another document", "<web-app/>", /is not a plugin descriptor \(its root element is <web-app>, not <plug-in>\)/],
  ])("refuses %s, naming the descriptor", (_what, xml, message) => {
    const error = (() => { try { siteFactsFromEntries([], new Map([["WEB-INF/plugins/a.xml", xml]])); return undefined; } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
  });

  it("refuses two descriptors of one plugin", () => {
    expect(() => siteFactsFromEntries([], new Map([["WEB-INF/plugins/a.xml", descriptor("same")], ["WEB-INF/plugins/b.xml", descriptor("same", "2.0.0")]]))).toThrow(/two descriptors of the plugin same \(WEB-INF\/plugins\/a.xml and WEB-INF\/plugins\/b.xml\)/);
  });

  it("reads back only a list it wrote", () => {
    expect(parsePlugins("")).toEqual([]);
    expect(parsePlugins(undefined)).toBeUndefined();
    expect(parsePlugins("no-version")).toBeUndefined();
    expect(parsePlugins("a b@1")).toBeUndefined();
  });
});

describe("a site's content digest", () => {
  const entries = [
    { name: "WEB-INF/", crc32: 0, size: 0 },
    { name: "WEB-INF/web.xml", crc32: 0xdeadbeef, size: 120 },
    { name: "index.jsp", crc32: 0x1234, size: 10 },
  ];
  it("ignores folders, leading slashes and the order of entries", () => {
    expect(siteContentDigest([entries[2]!, { ...entries[1]!, name: "/WEB-INF/web.xml" }])).toBe(siteContentDigest(entries));
  });
  it("changes with a file's content, size or name", () => {
    const base = siteContentDigest(entries);
    expect(siteContentDigest([entries[1]!, { ...entries[2]!, crc32: 0x1235 }])).not.toBe(base);
    expect(siteContentDigest([entries[1]!, { ...entries[2]!, size: 11 }])).not.toBe(base);
    expect(siteContentDigest([entries[1]!, { ...entries[2]!, name: "index2.jsp" }])).not.toBe(base);
  });
});
