import { describe, expect, it } from "vitest";
import { sanitizeSvg } from "../../../scripts/theme/svg.js";

const wrap = (inner: string, attrs = "") => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"${attrs}>${inner}</svg>`;

describe("SVG sanitiser", () => {
  it.each([
    ["a script element", wrap("<script>alert(1)</script>"), /<script> element/],
    ["an event handler", wrap('<rect width="1" height="1" onclick="x()"/>'), /event handler attribute onclick/],
    ["a link (javascript: or not)", wrap('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>'), /<a> element/],
    ["an external image", wrap('<image xlink:href="https://tracker.example/p.png" width="1" height="1"/>'), /external resource/],
    ["an external font in <style>", wrap("<style>@import url(https://fonts.example/x.css);</style>"), /@import/],
    ["a DOCTYPE with entities", `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>${wrap("")}`, /DOCTYPE or entities/],
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
