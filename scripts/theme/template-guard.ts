/**
 * A theme's own templates (templates/*.hbs) are data, not code. What they render becomes a FreeMarker
 * template of the site, which Lutece runs with no auto-escaping and no restriction on the classes it may
 * create: FreeMarker in a theme would be command execution on the server. So a theme template may hold
 * HTML and the handlebars fields of docs/theming.md, and nothing that runs or loads:
 * - no FreeMarker (`<#`, `</#`, `<@`, `${`, `#{`, `[#`, `[@`, `[=`) nor Lutece expansions (`#i18n{`,
 *   `#dskey{`), checked in the source (to name the line) and in the rendered output (fields are escaped,
 *   so whatever is found there was assembled from the template's own text);
 * - no element that runs, embeds, submits or redirects (script, iframe, object, form, base, meta refresh,
 *   inline svg or style...), no event-handler attribute, no javascript:/vbscript:/data: value;
 * - nothing loaded from another host: src, srcset, poster, link href, style url() stay relative. Links
 *   (`<a href>`) may point anywhere: following one is the visitor's choice, not a request made for them.
 */
import { parseFragment } from "parse5";
import { cssSnippetLoadsSomething, withoutSpaceOrControl } from "./css-guard.js";

export interface TemplateFinding {
  message: string;
  line?: number;
  fix: string;
}

const freemarkerSyntax = /<#|<\/#|<@|<\/@|\$\{|#\{|\[#|\[\/#|\[@|\[\/@|\[=|#i18n\{|#dskey\{|@extender\[/i;
const fixFreemarker = "write plain HTML with the handlebars fields of docs/theming.md ({{displayName}}, {{#each nav}}...); FreeMarker belongs to the site, not to a theme (an HTML comment is <!-- ... -->)";

const forbiddenElements = new Set([
  "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "param", "base", "form", "input",
  "button", "select", "textarea", "style", "svg", "math", "template", "portal", "video", "audio", "source", "track", "picture",
  // Elements whose content is raw text up to their end tag: left open, they swallow the rest of the page.
  "xmp", "plaintext", "noembed", "noframes", "title", "listing",
]);
/** Attributes whose URL the browser fetches by itself, without a click. */
const fetchingAttributes = new Set([
  "src", "srcset", "imagesrcset", "poster", "background", "data", "action", "formaction", "lowsrc", "dynsrc", "longdesc",
  "manifest", "ping", "attributionsrc", "xlink:href", "itemtype",
]);
/** Attributes holding several URLs: candidates separated by commas (srcset) or spaces (ping). */
const urlLists: Record<string, (value: string) => string[]> = {
  srcset: (v) => v.split(",").map((c) => c.trim().split(/\s+/)[0] ?? ""),
  imagesrcset: (v) => v.split(",").map((c) => c.trim().split(/\s+/)[0] ?? ""),
  ping: (v) => v.split(/\s+/).filter(Boolean),
  attributionsrc: (v) => v.split(/\s+/).filter(Boolean),
};

/** The site's own origin, as a browser's URL parser sees it (tabs, newlines and leading controls removed). */
const siteOrigin = "https://site.invalid";
function staysOnSite(url: string): boolean {
  try {
    return new URL(url, `${siteOrigin}/page/`).origin === siteOrigin;
  } catch {
    return false;
  }
}

/** The template's own text, line by line: FreeMarker and Lutece expansions are named with their line. */
export function checkTemplateSource(source: string): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  source.split("\n").forEach((text, i) => {
    const m = freemarkerSyntax.exec(text);
    if (m) findings.push({ line: i + 1, message: `holds FreeMarker or Lutece syntax (${m[0]}), which the site would run as code`, fix: fixFreemarker });
  });
  return findings;
}

interface P5Node {
  nodeName: string;
  tagName?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: P5Node[];
  content?: P5Node;
  value?: string;
}

/** What the template rendered, read as a browser reads HTML. */
export function checkRenderedTemplate(html: string): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const m = freemarkerSyntax.exec(html);
  if (m) findings.push({ message: `renders FreeMarker or Lutece syntax (${m[0]}), which the site would run as code`, fix: fixFreemarker });
  const add = (message: string, fix: string) => findings.push({ message, fix });
  // A part is followed by the rest of the page: a tag, comment or attribute left open at its end would
  // take that markup in (an attribute that ends at the page's next quote), unseen by this check.
  const unfinished = new Set<string>();
  const tree = parseFragment(html, {
    onParseError: (e) => {
      if (e.code.startsWith("eof-in-")) unfinished.add(e.code);
    },
  });
  for (const code of unfinished) {
    add(`renders HTML left open at its end (${code}): the page markup that follows would be read into it`, "close every tag, attribute quote and comment the template opens");
  }
  const walk = (node: P5Node): void => {
    const tag = node.tagName?.toLowerCase();
    if (tag) {
      if (forbiddenElements.has(tag)) {
        add(`renders a <${tag}> element, which a theme template may not hold`, tag === "style"
          ? "put styles in overrides.scss"
          : "keep templates to text, links, images from the theme and layout elements (div, nav, ul, a, img, p, h2, span...)");
      }
      for (const { name, value } of node.attrs ?? []) {
        const attr = name.toLowerCase();
        const compact = withoutSpaceOrControl(value).toLowerCase();
        if (attr.startsWith("on")) add(`renders an event-handler attribute ${name} on <${tag}>`, "remove it: a theme runs no script");
        else if (/^(javascript|vbscript|data):/.test(compact)) add(`renders a ${compact.split(":")[0] ?? ""}: value in ${name} on <${tag}>`, "use an https:// link or a path in the site");
        else if (attr === "http-equiv") add(`renders <${tag} http-equiv>, which can redirect or change the page's rules`, "remove it");
        else if (attr === "style") {
          const bad = cssLoadsSomethingInStyle(value);
          if (bad) add(`renders a style attribute on <${tag}> that ${bad}`, "put the file in the theme folder and style it in overrides.scss");
        } else if (fetchingAttributes.has(attr) || (attr === "href" && tag === "link")) {
          const urls = urlLists[attr]?.(value) ?? [value];
          for (const url of urls) {
            if (!staysOnSite(url)) add(`renders ${name}="${url.slice(0, 80)}" on <${tag}>: the browser would fetch it from another host (a third-party request)`, "use a file of the site, such as {{logo.src}}, by a relative path");
          }
        }
      }
    }
    for (const child of node.childNodes ?? []) walk(child);
    if (node.content) walk(node.content);
  };
  walk(tree);
  return findings;
}

function cssLoadsSomethingInStyle(style: string): string | undefined {
  return cssSnippetLoadsSomething(style, "declarations", { allowRelative: true });
}
