/**
 * Advice for a city officer: things a theme may well ship by mistake, reported as warnings (never
 * errors) by theme check: a bare www. link, the default theme's placeholder texts or logos, touch icons
 * drawn from a wide logo.
 */
import type { ThemeConfig } from "./config.js";
import type { Problem } from "../lib/problems.js";

/** Texts of the default theme (themes/citelibre/theme.yaml) that a city is meant to replace. */
export const defaultPlaceholders: Array<{ field: string; text: string; read: (c: ThemeConfig) => string | undefined }> = [
  { field: "organization.name", text: "Votre collectivité", read: (c) => c.organization.name },
  { field: "footer.about", text: "Remplacez ce texte", read: (c) => c.footer.about },
];

function links(config: ThemeConfig): Array<{ field: string; url: string }> {
  const found: Array<{ field: string; url: string }> = [];
  config.nav.forEach((l, i) => found.push({ field: `nav.${i}.url`, url: l.url }));
  for (const [key, l] of Object.entries(config.links)) if (l) found.push({ field: `links.${key}.url`, url: l.url });
  if (config.organization.url) found.push({ field: "organization.url", url: config.organization.url });
  return found;
}

export interface LogoFacts {
  /** The theme's logo-dark.svg (or logo.svg) is byte for byte the default theme's. */
  defaultLogo?: "logo.svg" | "logo-dark.svg";
  /** Width over height of the logo the touch icons are drawn from, when there is no favicon of the theme's own. */
  iconSourceRatio?: number;
}

export function themeAdvice(config: ThemeConfig, logos: LogoFacts, file = "theme.yaml"): Problem[] {
  const advice: Problem[] = [];
  for (const { field, url } of links(config)) {
    if (/^www\./i.test(url)) {
      advice.push({ severity: "warning", file, field, message: `"${url}" would be read as a page of the site itself, not as another site's address`, fix: `write https://${url}` });
    }
  }
  if (config.name !== "citelibre") {
    for (const p of defaultPlaceholders) {
      if (p.read(config)?.includes(p.text)) {
        advice.push({ severity: "warning", file, field: p.field, message: `still holds the default theme's placeholder ("${p.text}")`, fix: "replace it with your organisation's own text" });
      }
    }
    if (logos.defaultLogo) {
      advice.push({
        severity: "warning", file: logos.defaultLogo,
        message: `is the default theme's ${logos.defaultLogo === "logo-dark.svg" ? "dark-mode logo: visitors in dark mode would see the CiteLibre logo" : "logo: the site would show the CiteLibre logo"}`,
        fix: logos.defaultLogo === "logo-dark.svg" ? "put your own light-on-dark logo there, or delete the file so dark mode shows logo.svg" : "put your organisation's logo there",
      });
    }
  }
  if (logos.iconSourceRatio !== undefined && logos.iconSourceRatio > 1.5) {
    advice.push({
      severity: "warning", file: "logo.svg",
      message: `is ${logos.iconSourceRatio.toFixed(1)} times wider than high, and the browser and phone icons are drawn from it: shrunk into a square, it will be unreadable`,
      fix: "add favicon.svg (or a square favicon.png of 512x512), for example your emblem alone",
    });
  }
  return advice;
}
