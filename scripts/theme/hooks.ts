/**
 * The FreeMarker hooks that theme-citelibre's page_frameset.html includes when present. They are
 * produced by handlebars templates (the toolkit's, or the theme's own in templates/). Every value a
 * template sees is already escaped for HTML and FreeMarker, so neither {{x}} nor {{{x}}} can inject.
 */
import Handlebars from "handlebars";
import { freemarkerHtml } from "./escape.js";
import type { ThemeConfig } from "./config.js";

export const hookNames = ["header_css", "main_nav", "content_header", "menu_footer"] as const;
export type HookName = (typeof hookNames)[number];

export function hookPath(hook: HookName): string {
  return `WEB-INF/templates/skin/site/themecitelibre_frameset_${hook}.html`;
}

/**
 * A site without theme-citelibre renders Lutece's own skin, whose page_frameset.html includes no hook. There
 * the theme replaces the skin's header and footer pages (same names in Lutece 7.0 and 7.1), built around
 * the rendered hooks: those templates in the theme's lutece-skin/ overlay root, laid over such sites only.
 */
export const luteceSkinPages = {
  "WEB-INF/templates/skin/site/page_header_home.html": "page_header",
  "WEB-INF/templates/skin/site/page_header_internal.html": "page_header",
  "WEB-INF/templates/skin/site/portal_footer.html": "portal_footer",
} as const;

export interface HookInputs {
  config: ThemeConfig;
  cssHref: string;
  /** The stylesheet of Lutece's own skin in the theme's colours (luteceSkinPages). */
  skinCssHref: string;
  themeColor: string;
  logo: { src: string; srcDark: string; width: number; height: number };
  bannerSrc: string | undefined;
}

type Safe = Handlebars.SafeString;

function safe(text: string): Safe {
  return new Handlebars.SafeString(freemarkerHtml(text));
}

const words = {
  fr: { home: "Accueil", mainNav: "Navigation principale", links: "Liens utiles", siteMenu: "Menu du site", search: "Rechercher", siteMap: "Plan du site" },
  en: { home: "Home", mainNav: "Main navigation", links: "Useful links", siteMenu: "Site menu", search: "Search", siteMap: "Site map" },
};

/** The data every hook template receives; documented in docs/theming.md for template authors. */
export function hookView(input: HookInputs): Record<string, unknown> {
  const { config } = input;
  const t = config.locale.startsWith("fr") ? words.fr : words.en;
  const link = (l: { url: string; label: string }) => ({ url: safe(l.url), label: safe(l.label) });
  const footerLinks = (["legal", "accessibility", "cgu", "cookies", "data", "contact"] as const)
    .map((k) => config.links[k])
    .filter((l): l is { url: string; label: string } => l !== undefined);
  return {
    themeName: safe(config.name),
    displayName: safe(config.displayName),
    locale: safe(config.locale),
    homeUrl: safe("jsp/site/Portal.jsp"),
    cssHref: safe(input.cssHref),
    skinCssHref: safe(input.skinCssHref),
    themeColor: safe(input.themeColor),
    text: { home: safe(t.home), mainNav: safe(t.mainNav), siteMenu: safe(t.siteMenu), search: safe(t.search), siteMap: safe(t.siteMap) },
    logo: {
      src: safe(input.logo.src),
      srcDark: safe(input.logo.srcDark),
      alt: safe(config.organization.name),
      width: input.logo.width,
      height: input.logo.height,
    },
    organization: {
      name: safe(config.organization.name),
      url: config.organization.url ? safe(config.organization.url) : undefined,
    },
    nav: config.nav.map(link),
    links: footerLinks.map(link),
    footer: {
      title: config.footer.title ? safe(config.footer.title) : undefined,
      about: (config.footer.about ?? "").split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map(safe),
      linksTitle: safe(config.footer.linksTitle ?? t.links),
    },
    header: { showName: config.header.showName },
    banner: {
      shown: config.banner.shown,
      focus: safe(config.banner.focus),
      src: input.bannerSrc ? safe(input.bannerSrc) : undefined,
      title: safe(config.banner.title ?? config.displayName),
      credits: config.banner.credits ? safe(config.banner.credits) : undefined,
    },
  };
}

/**
 * The view of a Lutece skin page: the hook view plus the hooks as rendered (already escaped FreeMarker
 * source, so they pass through unchanged).
 */
export function skinPageView(view: Record<string, unknown>, renderedHooks: Record<HookName, string>): Record<string, unknown> {
  const hooks = Object.fromEntries(Object.entries(renderedHooks).map(([name, html]) => [name, new Handlebars.SafeString(html)]));
  return { ...view, hooks };
}

export type TemplateResult = { ok: true; html: string } | { ok: false; message: string; line?: number; column?: number };

/** Renders one template; compile and strict-mode errors (unknown variables) come back as messages. */
/** A page part is a few kilobytes: nested loops that would repeat it beyond these stop with a message. */
const maxRepetitions = 10_000;
const maxRenderedBytes = 256 * 1024;

export function renderTemplate(source: string, view: Record<string, unknown>): TemplateResult {
  const hb = Handlebars.create();
  // `each` nested over the theme's lists multiplies: counted across the whole render, so it cannot hang the build.
  const builtInEach = hb.helpers.each as Handlebars.HelperDelegate;
  let repetitions = 0;
  hb.registerHelper("each", function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
    repetitions += Array.isArray(context) ? context.length : context && typeof context === "object" ? Object.keys(context).length : 0;
    if (repetitions > maxRepetitions) throw new Error(`the template repeats its loops more than ${maxRepetitions} times (nested {{#each}}?)`);
    return builtInEach.call(this, context, options) as unknown;
  });
  try {
    const template = hb.compile(source, { strict: true, knownHelpersOnly: true, knownHelpers: { if: true, each: true, unless: true, with: true } });
    const html = template(view);
    if (html.length > maxRenderedBytes) return { ok: false, message: `renders ${Math.round(html.length / 1024)} KiB, over the ${maxRenderedBytes / 1024} KiB a page part may take` };
    return { ok: true, html };
  } catch (e) {
    const raw = (e as Error).message;
    // Handlebars reports "Parse error on line N" for syntax and '"x" not defined in y - L:C' in strict mode.
    const strict = /^"(.+)" not defined in .* - (\d+):(\d+)/.exec(raw);
    if (strict) {
      return { ok: false, message: `"${strict[1] ?? ""}" is not a variable the template receives`, line: Number(strict[2]), column: Number(strict[3]) + 1 };
    }
    const line = /line (\d+)/i.exec(raw)?.[1];
    const message = raw.split("\n").find((l) => l.trim() !== "") ?? String(e);
    return { ok: false, message, ...(line ? { line: Number(line) } : {}) };
  }
}
