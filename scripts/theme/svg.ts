/**
 * SVG logos are served from the city's site, so a logo must not be able to run code, load anything from
 * another host, or expand entities. The sanitiser is an allow-list: SVG elements that draw (no animation,
 * no foreign content, no links), attributes that style or place them, references only to fragments of the
 * same file (and embedded raster images, whose size the caller checks), CSS read after its escapes are
 * decoded. What is dangerous is refused (the city is told what and where); editor clutter and attributes
 * outside the list are dropped silently.
 *
 * A maintained sanitiser was weighed: DOMPurify needs a DOM (jsdom, about 300 ms of loading in a command
 * whose whole budget is one second) and svgo's plugins optimise rather than guarantee; this walk over
 * xmldom's tree keeps the rules in one list that the property-based tests exercise.
 */
import { DOMParser, XMLSerializer, type Attr, type Element, type Node } from "@xmldom/xmldom";
import { cssLoadsSomething, cssSnippetLoadsSomething, withoutSpaceOrControl } from "./css-guard.js";

export const maxSvgBytes = 512 * 1024;
/** Largest width, height or viewBox side a logo may declare (user units or pixels). */
export const maxSvgSide = 10_000;
/** Bounds on what drawing a logo costs: elements, filter primitives, embedded images, proportions. */
export const svgLimits = { elements: 10_000, filterPrimitives: 100, embeddedImages: 8, aspectRatio: 100 } as const;

export type SvgResult =
  | { ok: true; svg: string; width: number; height: number; embeddedImages: Buffer[]; warnings: Array<{ message: string; fix: string }> }
  | { ok: false; reasons: string[] };

/**
 * The DOCTYPE line Illustrator and older editors write: a public identifier, no internal subset, so no
 * entity. It declares nothing a browser uses, and is removed. Any other DOCTYPE is refused.
 */
const harmlessDoctype = /^(\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?:(?!-->)[\s\S])*-->\s*)*)<!DOCTYPE\s+svg\s+PUBLIC\s+"[^"[\]<>]*"\s+"[^"[\]<>]*"\s*>/i;

const SVG_NS = "http://www.w3.org/2000/svg";
const XLINK_NS = "http://www.w3.org/1999/xlink";
const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
const clutterNamespaces = ["http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"];

/** Elements a static logo draws with. Everything else is refused: scripts, animation, links, foreign content. */
const allowedElements = new Set([
  "svg", "g", "defs", "symbol", "use", "title", "desc", "style",
  "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textpath", "image",
  "lineargradient", "radialgradient", "stop", "pattern", "clippath", "mask", "marker", "filter",
  "feblend", "fecolormatrix", "fecomponenttransfer", "fecomposite", "feconvolvematrix", "fediffuselighting",
  "fedisplacementmap", "fedistantlight", "fedropshadow", "feflood", "fefunca", "fefuncb", "fefuncg", "fefuncr",
  "fegaussianblur", "femerge", "femergenode", "femorphology", "feoffset", "fepointlight", "fespecularlighting",
  "fespotlight", "fetile", "feturbulence",
]);
const clutterElements = new Set(["metadata"]);

/** Attributes that place, size or paint; any other is dropped. */
const allowedAttributes = new Set([
  "id", "class", "style", "transform", "viewbox", "preserveaspectratio", "version", "baseprofile", "width", "height",
  "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "d", "points", "pathlength",
  "dx", "dy", "rotate", "textlength", "lengthadjust", "startoffset", "method", "spacing", "side",
  "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
  "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity", "color", "display", "visibility", "overflow",
  "clip", "clip-path", "clip-rule", "mask", "filter", "marker-start", "marker-mid", "marker-end",
  "font-family", "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant", "font-weight",
  "letter-spacing", "word-spacing", "text-anchor", "text-decoration", "dominant-baseline", "alignment-baseline",
  "baseline-shift", "writing-mode", "direction", "unicode-bidi", "white-space",
  "offset", "stop-color", "stop-opacity", "gradientunits", "gradienttransform", "spreadmethod",
  "patternunits", "patterncontentunits", "patterntransform", "clippathunits", "maskunits", "maskcontentunits",
  "markerwidth", "markerheight", "markerunits", "refx", "refy", "orient",
  "filterunits", "primitiveunits", "in", "in2", "result", "stddeviation", "edgemode", "type", "values", "mode",
  "operator", "k1", "k2", "k3", "k4", "order", "kernelmatrix", "divisor", "bias", "targetx", "targety",
  "preservealpha", "surfacescale", "diffuseconstant", "specularconstant", "specularexponent", "kernelunitlength",
  "scale", "xchannelselector", "ychannelselector", "radius", "basefrequency", "numoctaves", "seed", "stitchtiles",
  "azimuth", "elevation", "z", "pointsatx", "pointsaty", "pointsatz", "limitingconeangle", "tablevalues", "slope",
  "intercept", "amplitude", "exponent", "flood-color", "flood-opacity", "lighting-color",
  "color-interpolation", "color-interpolation-filters", "color-rendering", "shape-rendering", "text-rendering",
  "image-rendering", "paint-order", "vector-effect", "mix-blend-mode", "isolation", "enable-background",
  "href", "lang", "role", "focusable", "media",
]);

/** A reference inside the same file. */
const fragment = /^#[A-Za-z_][\w.:-]*$/;
const embeddedImage = /^data:image\/(png|jpeg|webp);base64,([A-Za-z0-9+/=\s]+)$/;

export function sanitizeSvg(source: string | Buffer): SvgResult {
  const raw = typeof source === "string" ? source : source.toString("utf8");
  if (Buffer.byteLength(raw) > maxSvgBytes) return { ok: false, reasons: [`is larger than ${maxSvgBytes / 1024} KiB`] };
  const text = raw.replace(harmlessDoctype, "$1");
  const reasons: string[] = [];
  const warnings: Array<{ message: string; fix: string }> = [];
  const embeddedImages: Buffer[] = [];
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    const what = /<!ENTITY/i.test(text) ? "declares entities in a DOCTYPE, which could read files or fill the memory when the logo is opened" : "has a DOCTYPE of an unusual form";
    return { ok: false, reasons: [`${what}: export it again (Illustrator: File > Export > Export As > SVG; Inkscape: Save As > Optimized SVG)`] };
  }
  const parseErrors: string[] = [];
  let root: Element | null;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") parseErrors.push(message.split("\n")[0] ?? message);
      },
    }).parseFromString(text, "image/svg+xml").documentElement;
  } catch (e) {
    // xmldom throws on fatal errors after reporting them.
    parseErrors.push((e as Error).message.split("\n")[0] ?? "parse error");
    root = null;
  }
  if (parseErrors.length > 0 || !root) return { ok: false, reasons: [`is not well-formed XML: ${parseErrors[0] ?? "no root element"}`] };
  if (root.localName !== "svg" || root.namespaceURI !== SVG_NS) {
    return { ok: false, reasons: [`is not an SVG image (its root element is <${root.localName ?? "?"}>${root.localName === "svg" ? " outside the SVG namespace" : ""})`] };
  }

  const checkAttributes = (el: Element, name: string): void => {
    for (const attr of Array.from<Attr>(el.attributes)) {
      const local = (attr.localName ?? attr.name).toLowerCase();
      const ns = attr.namespaceURI ?? "";
      const where = `on <${el.localName ?? name}>`;
      if (ns === XMLNS_NS || attr.name === "xmlns") {
        // Declarations of editor namespaces go with the editor data they served.
        if (attr.value !== SVG_NS && attr.value !== XLINK_NS) el.removeAttributeNode(attr);
        continue;
      }
      if (local.startsWith("on")) {
        reasons.push(`has an event handler attribute ${attr.name} ${where}`);
        continue;
      }
      if (ns === XML_NS && (local === "space" || local === "lang")) continue;
      const isHref = local === "href" && (ns === "" || ns === XLINK_NS);
      if (!isHref && (ns !== "" || !allowedAttributes.has(local))) {
        // Editor clutter, or something a logo does not need: dropped, not refused.
        el.removeAttributeNode(attr);
        continue;
      }
      const value = attr.value;
      const compact = withoutSpaceOrControl(value).toLowerCase();
      if (/(javascript|vbscript):/.test(compact)) {
        reasons.push(`has a ${compact.includes("vbscript") ? "vbscript" : "javascript"}: value in ${attr.name} ${where}`);
        continue;
      }
      if (!isHref && compact.includes("data:")) {
        reasons.push(`has a data: URL in ${attr.name} ${where}: only <image> may embed a picture`);
        continue;
      }
      if (isHref) {
        const image = embeddedImage.exec(value.trim());
        if (fragment.test(value.trim())) continue;
        if (image && name === "image") {
          embeddedImages.push(Buffer.from((image[2] ?? "").replace(/\s/g, ""), "base64"));
          continue;
        }
        reasons.push(`references ${value.trim().startsWith("data:") ? "embedded data" : "an external resource"} (${value.slice(0, 80)}) ${where}: only #fragments of the same file${name === "image" ? " or an embedded PNG, JPEG or WebP image" : ""} are allowed`);
        continue;
      }
      if (local === "style") {
        const bad = cssSnippetLoadsSomething(value, "declarations", { allowRelative: false });
        if (bad) reasons.push(`has a style attribute that ${bad} ${where}`);
        continue;
      }
      // Presentation attributes (fill, filter, mask, clip-path, markers...) may point at this file only.
      const bad = cssLoadsSomething(`x: ${value}`, { allowRelative: false });
      if (bad) reasons.push(`has a ${attr.name} value that ${bad} ${where}`);
    }
  };

  let elements = 0;
  let filterPrimitives = 0;
  const walk = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === child.ELEMENT_NODE) {
        const el = child as Element;
        const name = (el.localName ?? "").toLowerCase();
        elements += 1;
        if (name.startsWith("fe")) filterPrimitives += 1;
        if (clutterNamespaces.includes(el.namespaceURI ?? "") || (el.namespaceURI === SVG_NS && clutterElements.has(name))) {
          node.removeChild(child);
          continue;
        }
        if (el.namespaceURI !== SVG_NS) {
          reasons.push(`contains a <${el.tagName}> element from another namespace (${el.namespaceURI ?? "none"}), which a logo does not need`);
          node.removeChild(child);
          continue;
        }
        if (!allowedElements.has(name)) {
          reasons.push(`contains a <${el.localName ?? name}> element, which a static logo does not need (allowed: shapes, text, gradients, patterns, masks, filters)`);
          node.removeChild(child);
          continue;
        }
        checkAttributes(el, name);
        if (name === "text" && warnings.length === 0) {
          warnings.push({
            message: "draws text with a font: the visitor's browser uses the fonts it has, so the text may not look as designed",
            fix: "convert the text to shapes in the editor (Inkscape: Path > Object to Path; Illustrator: Type > Create Outlines)",
          });
        }
        if (name === "style") {
          const bad = cssSnippetLoadsSomething(el.textContent ?? "", "stylesheet", { allowRelative: false });
          if (bad) reasons.push(`has a <style> block that ${bad}`);
        }
        walk(el);
      } else if (child.nodeType !== child.TEXT_NODE && child.nodeType !== child.CDATA_SECTION_NODE) {
        // Comments and processing instructions carry nothing a logo needs.
        node.removeChild(child);
      }
    }
  };
  checkAttributes(root, "svg");
  walk(root);
  if (elements > svgLimits.elements) reasons.push(`has ${elements} elements, over the ${svgLimits.elements} a logo may have`);
  if (filterPrimitives > svgLimits.filterPrimitives) reasons.push(`has ${filterPrimitives} filter primitives, over the ${svgLimits.filterPrimitives} a logo may have`);
  if (embeddedImages.length > svgLimits.embeddedImages) reasons.push(`embeds ${embeddedImages.length} images, over the ${svgLimits.embeddedImages} a logo may have`);
  if (reasons.length > 0) return { ok: false, reasons: [...new Set(reasons)] };

  const declared = declaredSides(root);
  const tooLarge = declared.find((side) => side > maxSvgSide);
  if (tooLarge !== undefined) {
    return { ok: false, reasons: [`declares a size of ${tooLarge} (width, height or viewBox), over the ${maxSvgSide} limit: a logo is drawn at a few hundred pixels`] };
  }
  const { width, height } = intrinsicSize(root);
  if (!width || !height) {
    return { ok: false, reasons: ["has neither a viewBox nor a width and height, so it cannot be sized"] };
  }
  if (Math.max(width, height) / Math.min(width, height) > svgLimits.aspectRatio) {
    return { ok: false, reasons: [`is ${width} by ${height}, more than ${svgLimits.aspectRatio} times wider than high or the reverse: it cannot be drawn as a logo`] };
  }
  const svg = new XMLSerializer().serializeToString(root).trim() + "\n";
  return { ok: true, svg, width, height, embeddedImages, warnings };
}

function declaredSides(root: Element): number[] {
  const [, , vbWidth = 0, vbHeight = 0] = root.getAttribute("viewBox")?.trim().split(/[\s,]+/).map(Number) ?? [];
  return [vbWidth, vbHeight, parseFloat(root.getAttribute("width") ?? "0"), parseFloat(root.getAttribute("height") ?? "0")].map((n) => (Number.isNaN(n) ? 0 : Math.abs(n)));
}

function intrinsicSize(root: Element): { width: number; height: number } {
  const [, , vbWidth, vbHeight] = root.getAttribute("viewBox")?.trim().split(/[\s,]+/).map(Number) ?? [];
  if (vbWidth !== undefined && vbHeight !== undefined && vbWidth > 0 && vbHeight > 0) {
    return { width: vbWidth, height: vbHeight };
  }
  const w = parseFloat(root.getAttribute("width") ?? "");
  const h = parseFloat(root.getAttribute("height") ?? "");
  return { width: Number.isFinite(w) && w > 0 ? w : 0, height: Number.isFinite(h) && h > 0 ? h : 0 };
}
