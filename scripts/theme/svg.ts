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

type Refusal = Extract<SvgResult, { ok: false }>;

export function sanitizeSvg(source: string | Buffer): SvgResult {
  const raw = typeof source === "string" ? source : source.toString("utf8");
  if (Buffer.byteLength(raw) > maxSvgBytes) return { ok: false, reasons: [`is larger than ${maxSvgBytes / 1024} KiB`] };
  const text = raw.replace(harmlessDoctype, "$1");
  const doctype = doctypeRefusal(text);
  if (doctype) return doctype;
  const parsed = parseSvgRoot(text);
  if (!parsed.ok) return parsed;
  const { root } = parsed;

  const walk = new LogoWalk();
  walk.attributes(root, "svg");
  walk.children(root);
  const reasons = [...walk.reasons, ...limitBreaches(walk)];
  if (reasons.length > 0) return { ok: false, reasons: [...new Set(reasons)] };

  const size = drawableSize(root);
  if (!size.ok) return size;
  const svg = new XMLSerializer().serializeToString(root).trim() + "\n";
  return { ok: true, svg, width: size.width, height: size.height, embeddedImages: walk.embeddedImages, warnings: walk.warnings };
}

/** Any DOCTYPE left once the harmless one is removed: it may declare entities, and nothing a logo needs. */
function doctypeRefusal(text: string): Refusal | undefined {
  if (!/<!DOCTYPE/i.test(text) && !/<!ENTITY/i.test(text)) return undefined;
  const what = /<!ENTITY/i.test(text) ? "declares entities in a DOCTYPE, which could read files or fill the memory when the logo is opened" : "has a DOCTYPE of an unusual form";
  return { ok: false, reasons: [`${what}: export it again (Illustrator: File > Export > Export As > SVG; Inkscape: Save As > Optimized SVG)`] };
}

function parseSvgRoot(text: string): { ok: true; root: Element } | Refusal {
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
  return { ok: true, root };
}

/**
 * One pass over the logo's tree that edits it in place (clutter and unknown attributes removed) and
 * collects what decides whether it is served: reasons to refuse it, warnings, its embedded images and
 * its size in elements and filter primitives.
 */
class LogoWalk {
  readonly reasons: string[] = [];
  readonly warnings: Array<{ message: string; fix: string }> = [];
  readonly embeddedImages: Buffer[] = [];
  elements = 0;
  filterPrimitives = 0;

  children(node: Node): void {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === child.ELEMENT_NODE) {
        this.element(node, child as Element);
      } else if (child.nodeType !== child.TEXT_NODE && child.nodeType !== child.CDATA_SECTION_NODE) {
        // Comments and processing instructions carry nothing a logo needs.
        node.removeChild(child);
      }
    }
  }

  attributes(el: Element, name: string): void {
    for (const attr of Array.from<Attr>(el.attributes)) this.attribute(el, attr, name);
  }

  private element(parent: Node, el: Element): void {
    const name = (el.localName ?? "").toLowerCase();
    this.elements += 1;
    if (name.startsWith("fe")) this.filterPrimitives += 1;
    if (clutterNamespaces.includes(el.namespaceURI ?? "") || (el.namespaceURI === SVG_NS && clutterElements.has(name))) {
      parent.removeChild(el);
      return;
    }
    if (el.namespaceURI !== SVG_NS) {
      this.reasons.push(`contains a <${el.tagName}> element from another namespace (${el.namespaceURI ?? "none"}), which a logo does not need`);
      parent.removeChild(el);
      return;
    }
    if (!allowedElements.has(name)) {
      this.reasons.push(`contains a <${el.localName ?? name}> element, which a static logo does not need (allowed: shapes, text, gradients, patterns, masks, filters)`);
      parent.removeChild(el);
      return;
    }
    this.attributes(el, name);
    if (name === "text" && this.warnings.length === 0) {
      this.warnings.push({
        message: "draws text with a font: the visitor's browser uses the fonts it has, so the text may not look as designed",
        fix: "convert the text to shapes in the editor (Inkscape: Path > Object to Path; Illustrator: Type > Create Outlines)",
      });
    }
    if (name === "style") {
      const bad = cssSnippetLoadsSomething(el.textContent ?? "", "stylesheet", { allowRelative: false });
      if (bad) this.reasons.push(`has a <style> block that ${bad}`);
    }
    this.children(el);
  }

  private attribute(el: Element, attr: Attr, name: string): void {
    const local = (attr.localName ?? attr.name).toLowerCase();
    const ns = attr.namespaceURI ?? "";
    const where = `on <${el.localName ?? name}>`;
    if (ns === XMLNS_NS || attr.name === "xmlns") {
      // Declarations of editor namespaces go with the editor data they served.
      if (attr.value !== SVG_NS && attr.value !== XLINK_NS) el.removeAttributeNode(attr);
      return;
    }
    if (local.startsWith("on")) {
      this.reasons.push(`has an event handler attribute ${attr.name} ${where}`);
      return;
    }
    if (ns === XML_NS && (local === "space" || local === "lang")) return;
    const isHref = local === "href" && (ns === "" || ns === XLINK_NS);
    if (!isHref && (ns !== "" || !allowedAttributes.has(local))) {
      // Editor clutter, or something a logo does not need: dropped, not refused.
      el.removeAttributeNode(attr);
      return;
    }
    const compact = withoutSpaceOrControl(attr.value).toLowerCase();
    if (/(javascript|vbscript):/.test(compact)) {
      this.reasons.push(`has a ${compact.includes("vbscript") ? "vbscript" : "javascript"}: value in ${attr.name} ${where}`);
      return;
    }
    if (!isHref && compact.includes("data:")) {
      this.reasons.push(`has a data: URL in ${attr.name} ${where}: only <image> may embed a picture`);
      return;
    }
    if (isHref) {
      this.reference(attr.value, name, where);
      return;
    }
    if (local === "style") {
      const bad = cssSnippetLoadsSomething(attr.value, "declarations", { allowRelative: false });
      if (bad) this.reasons.push(`has a style attribute that ${bad} ${where}`);
      return;
    }
    // Presentation attributes (fill, filter, mask, clip-path, markers...) may point at this file only.
    const bad = cssLoadsSomething(`x: ${attr.value}`, { allowRelative: false });
    if (bad) this.reasons.push(`has a ${attr.name} value that ${bad} ${where}`);
  }

  private reference(value: string, name: string, where: string): void {
    if (fragment.test(value.trim())) return;
    const image = embeddedImage.exec(value.trim());
    if (image && name === "image") {
      this.embeddedImages.push(Buffer.from((image[2] ?? "").replace(/\s/g, ""), "base64"));
      return;
    }
    this.reasons.push(`references ${value.trim().startsWith("data:") ? "embedded data" : "an external resource"} (${value.slice(0, 80)}) ${where}: only #fragments of the same file${name === "image" ? " or an embedded PNG, JPEG or WebP image" : ""} are allowed`);
  }
}

function limitBreaches(walk: LogoWalk): string[] {
  const breaches: string[] = [];
  if (walk.elements > svgLimits.elements) breaches.push(`has ${walk.elements} elements, over the ${svgLimits.elements} a logo may have`);
  if (walk.filterPrimitives > svgLimits.filterPrimitives) breaches.push(`has ${walk.filterPrimitives} filter primitives, over the ${svgLimits.filterPrimitives} a logo may have`);
  if (walk.embeddedImages.length > svgLimits.embeddedImages) breaches.push(`embeds ${walk.embeddedImages.length} images, over the ${svgLimits.embeddedImages} a logo may have`);
  return breaches;
}

/** The size the logo is drawn at, refused when it is too large, missing or too far from a box. */
function drawableSize(root: Element): { ok: true; width: number; height: number } | Refusal {
  const tooLarge = declaredSides(root).find((side) => side > maxSvgSide);
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
  return { ok: true, width, height };
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
