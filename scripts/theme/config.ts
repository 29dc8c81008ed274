/**
 * theme.yaml: the city's identity, links and footer texts. Validated strictly so a misspelt key is
 * reported (with the closest valid key) instead of silently ignored.
 */
import semver from "semver";
import { z } from "zod";
import type { Problem } from "../lib/problems.js";
import { validateDocument, type Locate } from "../lib/validate.js";
import { namePattern } from "../lib/names.js";

/** C0 control characters and DEL: invisible, and able to break the formats text ends up in. */
function hasControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Links a theme may point to: web pages, mail addresses, or pages of the site itself. */
export function isSafeLinkTarget(url: string): boolean {
  if (/[\s<>"'`\\]/.test(url) || hasControlCharacters(url)) return false;
  if (url.startsWith("//")) return false;
  // An HTML entity where a scheme ends (javascript&colon;...) becomes one when a page decodes it once more.
  if (/&(#\d+|#x[0-9a-f]+|[a-z]+);?/i.test(url.split(/[/?#]/)[0] ?? "")) return false;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return true;
  if (scheme === "mailto" || scheme === "tel") return true;
  if (scheme === "https" || scheme === "http") {
    try {
      new URL(url);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

const text = (max: number) =>
  z
    .string({ error: "must be text" })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => !hasControlCharacters(s.replace(/[\t\n\r]/g, "")), { error: "contains control characters" });

const linkTarget = z
  .string({ error: "must be text" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(2000, { error: "must be at most 2000 characters" })
  .refine(isSafeLinkTarget, {
    error: "must be an https:// or http:// address, a mailto: or tel: address, or a path of the site (javascript:, data: and spaces are not allowed)",
  });

const link = z.strictObject({ url: linkTarget, label: text(120) });

/** A theme's name: the shared rule for chosen names (lib/names.ts). */
export const themeNamePattern = namePattern;

/** The theme name a city most likely meant: "Saint-Aubin" gives saint-aubin, "Ville d'Été" gives ville-d-ete. */
export function themeNameFor(text: string): string | undefined {
  const name = text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return themeNamePattern.test(name) ? name : undefined;
}

export const themeConfigSchema = z.strictObject({
  name: z.string({ error: "must be text" }).regex(themeNamePattern, {
    error: (issue) => {
      const suggestion = themeNameFor(String(issue.input));
      return `must be 2 to 40 lowercase letters, digits or '-', starting with a letter (it becomes a folder and CSS file name)${suggestion ? `; did you mean ${suggestion}?` : ""}`;
    },
  }),
  version: z
    .string({ error: "must be text such as \"1.0.0\"" })
    .refine((v) => semver.valid(v) === v, { error: "must be a semantic version such as 1.0.0" })
    .default("1.0.0"),
  displayName: text(80),
  locale: z
    .string({ error: "must be text" })
    .regex(/^[a-z]{2,3}(?:-[A-Z]{2})?$/, { error: "must be a language tag such as fr-FR or fr" })
    .default("fr-FR"),
  organization: z.strictObject({
    name: text(120),
    url: linkTarget.optional(),
  }),
  nav: z.array(link).max(8, { error: "may hold at most 8 links" }).default([]),
  links: z
    .strictObject({
      legal: link.optional(),
      accessibility: link.optional(),
      contact: link.optional(),
      cgu: link.optional(),
      cookies: link.optional(),
      data: link.optional(),
    })
    .default({}),
  footer: z
    .strictObject({
      title: text(120).optional(),
      about: text(2000).optional(),
      linksTitle: text(120).optional(),
    })
    .default({}),
  header: z
    .strictObject({
      showName: z.boolean({ error: "must be true or false" }).default(true),
    })
    .default({ showName: true }),
  banner: z
    .strictObject({
      image: z.string({ error: "must be a file path in the theme folder" }).optional(),
      focus: z
        .string({ error: "must be text" })
        .regex(/^(center|top|bottom|left|right|top left|top right|bottom left|bottom right|\d{1,3}% \d{1,3}%)$/, {
          error: "must be center, top, bottom, left, right (or two of them such as top left), or two percentages such as \"50% 30%\" (across, down)",
        })
        .default("center"),
      title: text(200).optional(),
      credits: text(200).optional(),
      shown: z.boolean({ error: "must be true or false" }).default(true),
    })
    .default({ shown: true, focus: "center" }),
  accessibility: z
    .strictObject({
      acceptContrastFailures: z
        .array(z.strictObject({ check: z.string({ error: "must be a check id such as light/link-on-background" }), reason: text(500) }))
        .default([]),
    })
    .default({ acceptContrastFailures: [] }),
});

export type ThemeConfig = z.infer<typeof themeConfigSchema>;

export function validateThemeConfig(value: unknown, file: string, locate: Locate): { config?: ThemeConfig; problems: Problem[] } {
  const { value: config, problems } = validateDocument(themeConfigSchema, value, file, locate, "docs/theming.md");
  return config ? { config, problems } : { problems };
}
