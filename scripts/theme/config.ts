/**
 * theme.yaml: the city's identity, links and footer texts. Validated strictly so a misspelt key is
 * reported (with the closest valid key) instead of silently ignored.
 */
import { z } from "zod";
import { closest } from "./tokens.js";
import type { Problem } from "../lib/problems.js";
import type { Position } from "./json-source.js";

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

export const themeNamePattern = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

export const themeConfigSchema = z.strictObject({
  name: z.string({ error: "must be text" }).regex(themeNamePattern, {
    error: "must be 2 to 40 lowercase letters, digits or '-', starting with a letter (it becomes a folder and CSS file name)",
  }),
  version: z
    .string({ error: "must be text such as \"1.0.0\"" })
    .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, { error: "must be a semantic version such as 1.0.0" })
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
  banner: z
    .strictObject({
      image: z.string({ error: "must be a file path in the theme folder" }).optional(),
      title: text(200).optional(),
      credits: text(200).optional(),
      shown: z.boolean({ error: "must be true or false" }).default(true),
    })
    .default({ shown: true }),
  accessibility: z
    .strictObject({
      acceptContrastFailures: z
        .array(z.strictObject({ check: z.string({ error: "must be a check id such as light/link-on-background" }), reason: text(500) }))
        .default([]),
    })
    .default({ acceptContrastFailures: [] }),
});

export type ThemeConfig = z.infer<typeof themeConfigSchema>;

/** The keys an object accepts at a path of the schema, for "did you mean" suggestions. */
function keysAt(path: PropertyKey[]): string[] {
  let schema: unknown = themeConfigSchema;
  const unwrap = (s: unknown): unknown => {
    let cur = s as { _zod?: { def: Record<string, unknown> } };
    for (let i = 0; i < 10 && cur?._zod; i++) {
      const def = cur._zod.def;
      if (def.innerType) cur = def.innerType;
      else if (def.in) cur = def.in;
      else break;
    }
    return cur;
  };
  for (const key of path) {
    const def = (unwrap(schema) as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "object") schema = (def.shape as Record<string, unknown>)[String(key)];
    else if (def.type === "array") schema = def.element;
    else return [];
  }
  const def = (unwrap(schema) as { _zod?: { def: Record<string, unknown> } })?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

export function validateThemeConfig(
  value: unknown,
  file: string,
  locate: (path: (string | number)[]) => Position | undefined,
): { config?: ThemeConfig; problems: Problem[] } {
  const result = themeConfigSchema.safeParse(value ?? {});
  if (result.success) return { config: result.data, problems: [] };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    if (issue.code === "unrecognized_keys") {
      const valid = keysAt(issue.path);
      for (const key of issue.keys) {
        problems.push({
          severity: "error", file, field: [...path, key].join("."), ...locate([...path, key]),
          message: "is not a known key",
          fix: `remove it or correct the spelling${closest(key, valid)}; valid keys here: ${valid.join(", ")}`,
        });
      }
      continue;
    }
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    problems.push({
      severity: "error", file, field: path.join(".") || "(document)", ...locate(path),
      message: missing ? "is required but missing" : issue.message,
      fix: fixFor(issue, missing, path.join(".")),
    });
  }
  return { problems };
}

function fixFor(issue: z.core.$ZodIssue, missing: boolean, field: string): string {
  if (missing) return `add ${field.split(".").at(-1)}: to theme.yaml (see docs/theming.md for an example)`;
  switch (issue.code) {
    case "too_big":
      return "shorten it";
    case "too_small":
      return "give it a value";
    case "invalid_type":
      return `give it a value of the right kind (${issue.expected})`;
    default:
      return "correct the value as described (see docs/theming.md)";
  }
}
