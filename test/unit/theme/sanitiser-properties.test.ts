/**
 * Properties of the SVG sanitiser and the stylesheet guard over generated input (fast-check): whatever
 * mix of elements, attributes, CSS escapes and URLs an attacker combines, what is accepted holds no
 * script and no reference to another host, and is still well-formed XML or valid CSS; and what is made
 * only of harmless parts is accepted.
 */
import { DOMParser } from "@xmldom/xmldom";
import fc from "fast-check";
import { transform } from "lightningcss";
import { describe, expect, it } from "vitest";
import { decodeCssEscapes, guardStylesheet, withoutSpaceOrControl } from "../../../scripts/theme/css-guard.js";
import { sanitizeSvg } from "../../../scripts/theme/svg.js";

const evilHost = "evil.example";
const evilPattern = "evil\\.example";
const xmlAttr = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
const xmlText = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;");

const hostileValues = [
  "url(https://evil.example/x)", "u\\72l(https://evil.example/x)", "url( 'https://evil.example/x' )", "javascript:alert(1)", "java\tscript:alert(1)",
  "JaVaScRiPt:alert(1)", "https://evil.example/x", "//evil.example/x", "data:text/html;base64,PHNjcmlwdD4=", "image-set(\"https://evil.example/x\" 1x)",
  "expression(alert(1))", "@import url(https://evil.example/x.css)", "#a;javascript:alert(1)",
];
const harmlessValues = ["#a", "url(#a)", "red", "#336699", "10", "0 0 10 10", "translate(1 2)", "none", "1.5"];
const hostileElements = ["script", "a", "animate", "set", "animateMotion", "foreignObject", "iframe", "feImage", "image", "use", "style", "handler"];
const harmlessElements = ["g", "rect", "circle", "path", "text", "linearGradient", "stop", "defs", "title"];
const hostileAttributes = ["onload", "onclick", "href", "xlink:href", "style", "fill", "filter", "mask", "values", "to", "from", "xml:base", "src"];
const harmlessAttributes = ["fill", "stroke", "id", "class", "transform", "x", "y", "width", "height", "opacity", "data-name"];

interface Tree { name: string; attrs: Array<[string, string]>; text?: string; children: Tree[] }

function treeArbitrary(elements: string[], attributes: string[], values: string[]) {
  const attr = fc.tuple(fc.constantFrom(...attributes), fc.constantFrom(...values));
  const texts = fc.option(fc.constantFrom(...values, "rect { fill: u\\72l(https://evil.example/p) }", "@\\69mport 'https://evil.example/x.css';", "x"), { nil: undefined });
  // Three levels deep at most: enough for nesting tricks, bounded for the generator.
  const level = (depth: number): fc.Arbitrary<Tree> => fc.record({
    name: fc.constantFrom(...elements),
    attrs: fc.uniqueArray(attr, { maxLength: 4, selector: ([n]) => n }),
    text: texts,
    children: depth === 0 ? fc.constant([]) : fc.array(level(depth - 1), { maxLength: 3 }),
  });
  return fc.record({ rootAttrs: fc.uniqueArray(attr, { maxLength: 3, selector: ([n]) => n }), children: fc.array(level(2), { maxLength: 4 }) });
}

function serialize(t: Tree): string {
  const attrs = t.attrs.map(([n, v]) => ` ${n}="${xmlAttr(v)}"`).join("");
  return `<${t.name}${attrs}>${t.text ? xmlText(t.text) : ""}${t.children.map(serialize).join("")}</${t.name}>`;
}

function svgDocument(root: { rootAttrs: Array<[string, string]>; children: Tree[] }): string {
  const attrs = root.rootAttrs.filter(([n]) => n !== "viewBox").map(([n, v]) => ` ${n}="${xmlAttr(v)}"`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"${attrs}>${root.children.map(serialize).join("")}</svg>`;
}

describe("SVG sanitiser, over generated logos", () => {
  it("accepts nothing that runs or loads from elsewhere, and keeps what it accepts well-formed", () => {
    fc.assert(
      fc.property(treeArbitrary([...hostileElements, ...harmlessElements], [...hostileAttributes, ...harmlessAttributes], [...hostileValues, ...harmlessValues]), (root) => {
        const result = sanitizeSvg(svgDocument(root));
        if (!result.ok) return;
        const errors: string[] = [];
        const doc = new DOMParser({ onError: (level, message) => { if (level !== "warning") errors.push(message); } }).parseFromString(result.svg, "image/svg+xml");
        expect(errors).toEqual([]);
        // What a browser acts on: element names, attributes and <style> text (other text is only shown).
        const loads = new RegExp(`(url|src|image-set|image)\\([^;]*${evilPattern}|@import`);
        const walk = (el: Element) => {
          expect(["script", "a", "animate", "set", "animatemotion", "foreignobject", "iframe", "feimage", "handler"]).not.toContain((el.localName ?? "").toLowerCase());
          for (const attr of Array.from<Attr>(el.attributes)) {
            const value = withoutSpaceOrControl(decodeCssEscapes(attr.value)).toLowerCase();
            expect(attr.name.toLowerCase().startsWith("on"), attr.name).toBe(false);
            expect(value).not.toMatch(/(java|vb)script:|data:text/);
            if (attr.localName === "href") expect(value).toMatch(/^#|^data:image\/(png|jpeg|webp);base64,/);
            expect(value).not.toMatch(loads);
          }
          if (el.localName === "style") expect(withoutSpaceOrControl(decodeCssEscapes(el.textContent ?? "")).toLowerCase()).not.toMatch(loads);
          for (const child of Array.from<ChildNode>(el.childNodes)) if (child.nodeType === 1) walk(child as Element);
        };
        walk(doc.documentElement as unknown as Element);
      }),
      { numRuns: 400 },
    );
  });

  it("accepts a logo made of harmless parts only", () => {
    fc.assert(
      fc.property(treeArbitrary(harmlessElements, harmlessAttributes, harmlessValues), (root) => {
        const result = sanitizeSvg(svgDocument(root));
        expect(result.ok ? "" : result.reasons.join("; ")).toBe("");
      }),
      { numRuns: 200 },
    );
  });
});

describe("stylesheet guard, over generated stylesheets", () => {
  const urls = [
    'url("https://evil.example/a.png")', "url(https://evil.example/a.png)", "u\\72l(https://evil.example/a.png)", 'url("https://evil.example/a)b.png")',
    "url(//evil.example/a.png)", 'image-set("https://evil.example/a.png" 1x)', '-webkit-image-set("https://evil.example/a.png" 1x)',
    'url("fonts/a.woff2")', "url(images/b.png)", 'url("#a")', "url(data:image/png;base64,AAAA)", "red", "#336699", "none",
  ];
  const properties = ["background", "background-image", "--x", "list-style-image", "mask-image", "border-image-source", "color"];
  const declaration = fc.tuple(fc.constantFrom(...properties), fc.constantFrom(...urls)).map(([p, v]) => `${p}: ${v};`);
  const stylesheet = fc.record({
    imports: fc.boolean(),
    fontFace: fc.option(fc.constantFrom(...urls), { nil: undefined }),
    rules: fc.array(fc.array(declaration, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
  }).map(({ imports, fontFace, rules }) => [
    imports ? '@import "https://evil.example/x.css";' : "",
    fontFace ? `@font-face { font-family: X; src: ${fontFace}; }` : "",
    ...rules.map((decls, i) => `.r${i} { ${decls.join(" ")} }`),
  ].join("\n"));

  it("lets no reference to another host through, and returns CSS that parses", () => {
    fc.assert(
      fc.property(stylesheet, (css) => {
        const { css: out, findings } = guardStylesheet(css, (target) => ({ url: `../assets/${target}` }));
        if (findings.length > 0) return;
        expect(decodeCssEscapes(out).toLowerCase()).not.toContain(evilHost);
        expect(() => transform({ filename: "x.css", code: Buffer.from(out), errorRecovery: false })).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });
});
