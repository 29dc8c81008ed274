import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyTheme, runCli } from "../../helpers/themes.js";
import { sanitizeSvg } from "../../../scripts/theme/svg.js";

const wrap = (inner: string, attrs = "") => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"${attrs}>${inner}</svg>`;

describe("SVG sanitiser", () => {
  it.each([
    ["a script element", wrap("<script>alert(1)</script>"), /<script> element/],
    ["an event handler", wrap('<rect width="1" height="1" onclick="x()"/>'), /event handler attribute onclick/],
    ["a link (javascript: or not)", wrap('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>'), /<a> element/],
    ["an external image", wrap('<image xlink:href="https://tracker.example/p.png" width="1" height="1"/>'), /external resource/],
    ["an external font in <style>", wrap("<style>@import url(https://fonts.example/x.css);</style>"), /@import/],
    ["a DOCTYPE with entities", `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>${wrap("")}`, /declares entities in a DOCTYPE/],
    ["foreignObject", wrap("<foreignObject><div/></foreignObject>"), /foreignObject/],
    ["not an svg", "<html><body/></html>", /root element is <html>/],
    ["broken xml", "<svg><rect></svg>", /not well-formed/],
  ])("refuses %s", (_name, svg, reason) => {
    const r = sanitizeSvg(svg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons.join(" ")).toMatch(reason);
  });

  it("keeps internal references and drops editor clutter", () => {
    const svg = wrap(
      '<!-- made in Inkscape --><metadata>x</metadata><defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)" inkscape:label="bg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"/><use href="#g"/>',
    );
    const r = sanitizeSvg(svg);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.svg).not.toContain("Inkscape");
      expect(r.svg).not.toContain("metadata");
      expect(r.svg).toContain('fill="url(#g)"');
      expect(r).toMatchObject({ width: 10, height: 10 });
    }
  });
});

describe("logos as editors save them", () => {
  const illustrator = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" id="Calque_1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px"
	 viewBox="0 0 200 60" style="enable-background:new 0 0 200 60;" xml:space="preserve">
<style type="text/css">.st0{fill:#1D4E89;}</style>
<rect class="st0" width="200" height="60"/>
</svg>
`;
  const inkscape = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg width="200" height="60" viewBox="0 0 200 60" version="1.1" id="svg5" inkscape:version="1.2.2 (b0a8486541, 2022-12-01)"
   sodipodi:docname="logo.svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" inkscape:zoom="2.5"/>
  <g inkscape:label="Calque 1" inkscape:groupmode="layer" id="layer1">
    <rect style="fill:#1d4e89;stroke-width:0.26" id="rect1" width="200" height="60" x="0" y="0"/>
  </g>
</svg>
`;

  it("removes Illustrator's DOCTYPE line (no entity in it) instead of refusing the logo", () => {
    const r = sanitizeSvg(illustrator);
    expect(r.ok ? "" : r.reasons.join("; ")).toBe("");
    if (r.ok) {
      expect(r.svg).not.toMatch(/DOCTYPE|Illustrator/);
      expect(r.svg).toContain('class="st0"');
    }
  });

  it("reads a file of many comments at once (no backtracking blow-up)", () => {
    const started = performance.now();
    const r = sanitizeSvg(`${"<!---->".repeat(40)}<!-- -->${wrap('<rect width="1" height="1"/>')}`);
    expect(r.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it.each([
    ["a second DOCTYPE after the harmless one", illustrator.replace("<svg version", '<!DOCTYPE svg [<!ENTITY x "y">]><svg version')],
    ["a SYSTEM-only DOCTYPE", illustrator.replace('PUBLIC "-//W3C//DTD SVG 1.1//EN" ', "SYSTEM ")],
    ["a DOCTYPE behind a comment that hides an entity", illustrator.replace('svg11.dtd">', 'svg11.dtd" [<!-- --><!ENTITY x "y">]>')],
  ])("refuses %s", (_name, text) => {
    expect(sanitizeSvg(text).ok).toBe(false);
  });

  it("still refuses a DOCTYPE that declares entities, in words a city can act on", () => {
    const r = sanitizeSvg(illustrator.replace('svg11.dtd">', 'svg11.dtd" [<!ENTITY ns_svg "http://www.w3.org/2000/svg">]>'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons.join(" ")).toMatch(/declares entities in a DOCTYPE.*export it again \(Illustrator: File > Export/);
  });

  it("removes Inkscape and Sodipodi data from every element, the root included, and their namespace declarations", () => {
    const r = sanitizeSvg(inkscape);
    expect(r.ok ? "" : r.reasons.join("; ")).toBe("");
    if (r.ok) expect(r.svg).not.toMatch(/inkscape|sodipodi|namedview/i);
  });

  it("builds a theme from an Illustrator logo and an Inkscape dark logo: no DOCTYPE and no editor namespace in any output", async () => {
    const theme = await copyTheme("exampleville");
    try {
      await writeFile(path.join(theme.dir, "logo.svg"), illustrator);
      await writeFile(path.join(theme.dir, "logo-dark.svg"), inkscape);
      const out = path.join(theme.root, "out");
      const r = await runCli(["theme", "build", theme.dir, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      const svgs = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith(".svg"));
      expect(svgs.map((e) => e.name)).toEqual(expect.arrayContaining(["logo-dark.svg", "logo.svg", "safari-pinned-tab.svg"]));
      for (const e of svgs) expect(await readFile(path.join(e.parentPath, e.name), "utf8"), e.name).not.toMatch(/DOCTYPE|inkscape|sodipodi|Illustrator/i);
    } finally {
      await theme.cleanup();
    }
  });

  it("warns, without refusing, that text in a logo depends on the visitor's fonts", () => {
    const r = sanitizeSvg(wrap('<text x="1" y="8">Ville</text>'));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings.map((w) => w.message).join(" ")).toMatch(/draws text with a font/);
    const shapes = sanitizeSvg(wrap('<rect width="1" height="1"/>'));
    expect(shapes.ok && shapes.warnings).toEqual([]);
  });
});
