import { describe, expect, it } from "vitest";
import { layerChanges, layerDigests, syncNotes } from "../../../scripts/image/live-theme.js";

const layer = (files: Record<string, string>) => layerDigests(new Map(Object.entries(files).map(([p, c]) => [`theme/${p}`, Buffer.from(c)])));

describe("a live theme sync", () => {
  it("copies only the files whose bytes changed or that are new, at their paths in the image", () => {
    const before = layer({ "opt/w/css/a.css": "red", "opt/w/logo.svg": "<svg/>", "opt/citelibre/sql/theme/theme.sql": "x" });
    const after = layer({ "opt/w/css/a.css": "blue", "opt/w/logo.svg": "<svg/>", "opt/citelibre/sql/theme/theme.sql": "x", "opt/w/banner.webp": "img" });
    expect(layerChanges(before, after)).toEqual({ changed: ["opt/w/banner.webp", "opt/w/css/a.css"], removed: [] });
  });

  it("copies everything when nothing is on the site yet, and nothing when nothing changed", () => {
    const files = layer({ "b/1": "1", "a/2": "2" });
    expect(layerChanges(new Map(), files).changed).toEqual(["a/2", "b/1"]);
    expect(layerChanges(files, layer({ "b/1": "1", "a/2": "2" }))).toEqual({ changed: [], removed: [] });
  });

  it("never deletes a file the theme dropped (it may have replaced one of the site's), and says it stays until a new build", () => {
    const changes = layerChanges(layer({ "opt/w/WEB-INF/templates/skin/site/page_frameset.html": "t", "opt/w/a": "a" }), layer({ "opt/w/a": "a" }));
    expect(changes).toEqual({ changed: [], removed: ["opt/w/WEB-INF/templates/skin/site/page_frameset.html"] });
    const notes = syncNotes(changes);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/1 file\(s\) no longer in the theme stay on the running site until it is built again: opt\/w\/WEB-INF\/templates\/skin\/site\/page_frameset.html$/);
  });

  it("says that the site properties change only at the next start", () => {
    expect(syncNotes({ changed: ["opt/citelibre/theme/site.properties"], removed: [] })).toEqual([expect.stringMatching(/when the site starts again/)]);
    expect(syncNotes({ changed: ["opt/w/css/a.css", "opt/citelibre/sql/theme/theme.sql"], removed: [] })).toEqual([]);
  });
});
