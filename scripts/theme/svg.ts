/**
 * SVG logos are served from the city's site, so a logo must not be able to run code, load anything from
 * another host, or expand entities. Dangerous content is refused (the city is told what and where);
 * editor clutter (comments, metadata, Inkscape and Sodipodi data) is dropped silently.
 */
import { DOMParser, XMLSerializer, type Element, type Node } from "@xmldom/xmldom";

export const maxSvgBytes = 512 * 1024;

export type SvgResult = { ok: true; svg: string; width: number; height: number } | { ok: false; reasons: string[] };

const forbiddenElements = new Set(["script", "foreignobject", "iframe", "object", "embed", "handler", "listener", "audio", "video", "canvas"]);
const clutterNamespaces = ["http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"];
const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

function isSafeReference(value: string): boolean {
  const v = value.trim();
  return v.startsWith("#") || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$/.test(v);
}

/** url(...) in style text that points anywhere but an internal #fragment. */
function externalUrlInCss(css: string): string | undefined {
  if (/@import/i.test(css)) return "@import";
  for (const m of css.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/gi)) {
    if (!isSafeReference(m[2] ?? "")) return `url(${m[2] ?? ""})`;
  }
  if (/expression\s*\(|javascript:/i.test(css)) return "script in CSS";
  return undefined;
}

export function sanitizeSvg(source: string | Buffer): SvgResult {
  const text = typeof source === "string" ? source : source.toString("utf8");
  const reasons: string[] = [];
  if (Buffer.byteLength(text) > maxSvgBytes) return { ok: false, reasons: [`is larger than ${maxSvgBytes / 1024} KiB`] };
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    return { ok: false, reasons: ["declares a DOCTYPE or entities (a way to read files or blow up memory)"] };
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
  if (root.localName !== "svg") return { ok: false, reasons: [`is not an SVG image (its root element is <${root.localName ?? "?"}>)`] };

  const walk = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === ELEMENT) {
        const el = child as Element;
        const name = (el.localName ?? "").toLowerCase();
        if (forbiddenElements.has(name)) {
          reasons.push(`contains a <${el.localName ?? name}> element`);
          node.removeChild(child);
          continue;
        }
        if (clutterNamespaces.includes(el.namespaceURI ?? "") || name === "metadata") {
          node.removeChild(child);
          continue;
        }
        for (const attr of Array.from(el.attributes)) {
          const attrName = attr.name.toLowerCase();
          const local = (attr.localName ?? attr.name).toLowerCase();
          if (clutterNamespaces.includes(attr.namespaceURI ?? "") || attrName.startsWith("sodipodi:") || attrName.startsWith("inkscape:")) {
            el.removeAttributeNode(attr);
          } else if (local.startsWith("on")) {
            reasons.push(`has an event handler attribute ${attr.name} on <${el.localName ?? name}>`);
          } else if (local === "href" || local === "src") {
            if (/^\s*javascript:/i.test(attr.value)) reasons.push(`has a javascript: link on <${el.localName ?? name}>`);
            else if (!isSafeReference(attr.value)) reasons.push(`references an external resource (${attr.value.slice(0, 80)}) on <${el.localName ?? name}>`);
          } else if (local === "style") {
            const bad = externalUrlInCss(attr.value);
            if (bad) reasons.push(`has a style attribute that loads ${bad}`);
          } else if (/^\s*javascript:/i.test(attr.value)) {
            reasons.push(`has a javascript: value in ${attr.name}`);
          }
        }
        if (name === "style") {
          const bad = externalUrlInCss(el.textContent ?? "");
          if (bad) reasons.push(`has a <style> block that loads ${bad}`);
        }
        walk(el);
      } else if (child.nodeType !== TEXT && child.nodeType !== CDATA) {
        // Comments and processing instructions carry nothing a logo needs.
        node.removeChild(child);
      }
    }
  };
  walk(root);
  if (reasons.length > 0) return { ok: false, reasons: [...new Set(reasons)] };

  const { width, height } = intrinsicSize(root);
  if (!width || !height) {
    return { ok: false, reasons: ["has neither a viewBox nor a width and height, so it cannot be sized"] };
  }
  const svg = new XMLSerializer().serializeToString(root).trim() + "\n";
  return { ok: true, svg, width, height };
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
