/**
 * The tokens a theme may set, what they mean, and the full design (light and dark palettes, type, shape)
 * derived from them. Everything a theme leaves out gets a sensible value derived from what it gave.
 */
import {
  contrast, ensureContrast, fromOklch, hue, lightness, mix, readableOn, shade, tint, type Srgb,
} from "./color.js";
import type { TokenSet, TokenValue } from "./tokens.js";
import { closest } from "../lib/validate.js";
import type { Problem } from "../lib/problems.js";

export const paletteRoles = [
  "primary", "on-primary", "secondary", "link", "background", "surface", "text", "muted", "border",
  "success", "info", "warning", "danger",
] as const;
export type PaletteRole = (typeof paletteRoles)[number];
export type Palette = Record<PaletteRole, Srgb>;

export interface Dimension {
  value: number;
  unit: "px" | "rem";
}

export interface Design {
  light: Palette;
  dark: Palette;
  /** Which dark colours came from the theme rather than being derived. */
  darkGiven: PaletteRole[];
  fonts: { body: string[]; heading: string[]; mono: string[] };
  fontSize: Dimension;
  fontWeight: { body: number; heading: number };
  lineHeight: number;
  radius: { sm: Dimension; base: Dimension; lg: Dimension };
  spacing: Dimension;
}

type Expected = TokenValue["type"];

/** Every token path the toolkit reads, with its type; any other token is still exposed to overrides.scss. */
export const contractTokens: Record<string, { type: Expected; required?: boolean; meaning: string }> = {
  "color.primary": { type: "color", required: true, meaning: "brand colour: buttons, links, active menu" },
  "color.background": { type: "color", required: true, meaning: "page background" },
  "color.text": { type: "color", required: true, meaning: "body text" },
  "color.on-primary": { type: "color", meaning: "text on primary buttons (default: white or black, whichever contrasts)" },
  "color.secondary": { type: "color", meaning: "second brand colour for accents" },
  "color.link": { type: "color", meaning: "links (default: primary)" },
  "color.surface": { type: "color", meaning: "cards, panels, header and footer background" },
  "color.muted": { type: "color", meaning: "secondary text" },
  "color.border": { type: "color", meaning: "borders and separators" },
  "color.success": { type: "color", meaning: "success alerts" },
  "color.info": { type: "color", meaning: "information alerts" },
  "color.warning": { type: "color", meaning: "warning alerts" },
  "color.danger": { type: "color", meaning: "errors and danger alerts" },
  ...Object.fromEntries(
    paletteRoles.map((role) => [`color.dark.${role}`, { type: "color" as const, meaning: `${role} in dark mode (default: derived)` }]),
  ),
  "font.family.body": { type: "fontFamily", meaning: "body text font stack" },
  "font.family.heading": { type: "fontFamily", meaning: "headings font stack (default: body)" },
  "font.family.mono": { type: "fontFamily", meaning: "code font stack" },
  "font.size.base": { type: "dimension", meaning: "body text size" },
  "font.weight.body": { type: "fontWeight", meaning: "body text weight" },
  "font.weight.heading": { type: "fontWeight", meaning: "headings weight" },
  "font.lineHeight.body": { type: "number", meaning: "body line height (unitless)" },
  "radius.sm": { type: "dimension", meaning: "small corner radius" },
  "radius.base": { type: "dimension", meaning: "corner radius of buttons, fields and cards" },
  "radius.lg": { type: "dimension", meaning: "large corner radius" },
  "spacing.base": { type: "dimension", meaning: "base spacing unit" },
};

const systemSans = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "Liberation Sans", "sans-serif"];
const systemMono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"];

export function deriveDesign(tokens: TokenSet, file = "tokens.json"): { design?: Design; problems: Problem[] } {
  const problems: Problem[] = [];
  const known = [...tokens.keys()];

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names the token type the caller expects
  const read = <T extends Expected>(path: string): Extract<TokenValue, { type: T }> | undefined => {
    const spec = contractTokens[path];
    const token = tokens.get(path);
    if (!spec) return undefined;
    if (!token) {
      if (spec.required) {
        problems.push({
          severity: "error", file, field: path,
          message: `is required (${spec.meaning}) but missing`,
          fix: `add "${path.split(".").at(-1)}": {"$value": ...} inside the "${path.split(".").slice(0, -1).join(".")}" group${closest(path, known)}`,
        });
      }
      return undefined;
    }
    if (token.value.type !== spec.type) {
      problems.push({
        severity: "error", file, field: path,
        message: `must be a ${spec.type} token, found ${token.value.type === "other" ? token.value.declaredType : token.value.type}`,
        fix: `set "$type": "${spec.type}" and a ${spec.type} value`,
      });
      return undefined;
    }
    return token.value as Extract<TokenValue, { type: T }>;
  };
  const color = (path: string) => read<"color">(path)?.color;
  const dim = (path: string) => {
    const v = read<"dimension">(path);
    return v ? { value: v.value, unit: v.unit } : undefined;
  };

  const given: Partial<Record<PaletteRole, Srgb>> = {};
  const givenDark: Partial<Record<PaletteRole, Srgb>> = {};
  for (const role of paletteRoles) {
    const c = color(`color.${role}`);
    if (c) given[role] = c;
    const d = color(`color.dark.${role}`);
    if (d) givenDark[role] = d;
  }
  const fonts = {
    body: read<"fontFamily">("font.family.body")?.families,
    heading: read<"fontFamily">("font.family.heading")?.families,
    mono: read<"fontFamily">("font.family.mono")?.families,
  };
  const fontSize = dim("font.size.base") ?? { value: 1, unit: "rem" as const };
  const weightBody = read<"fontWeight">("font.weight.body")?.weight ?? 400;
  const weightHeading = read<"fontWeight">("font.weight.heading")?.weight ?? 700;
  const lineHeight = read<"number">("font.lineHeight.body")?.value ?? 1.5;
  const radiusBase = dim("radius.base") ?? { value: 0.375, unit: "rem" as const };
  const radius = {
    sm: dim("radius.sm") ?? scaleDim(radiusBase, 0.67),
    base: radiusBase,
    lg: dim("radius.lg") ?? scaleDim(radiusBase, 1.34),
  };
  const spacing = dim("spacing.base") ?? { value: 1, unit: "rem" as const };

  if (problems.some((p) => p.severity === "error") || !given.primary || !given.background || !given.text) {
    return { problems };
  }
  const light = completePalette(given as Partial<Palette> & Pick<Palette, "primary" | "background" | "text">);
  const dark = completePalette(deriveDarkBase(light, givenDark), true);
  return {
    problems,
    design: {
      light,
      dark,
      darkGiven: paletteRoles.filter((r) => givenDark[r] !== undefined),
      fonts: {
        body: fonts.body ?? systemSans,
        heading: fonts.heading ?? fonts.body ?? systemSans,
        mono: fonts.mono ?? systemMono,
      },
      fontSize,
      fontWeight: { body: weightBody, heading: weightHeading },
      lineHeight,
      radius,
      spacing,
    },
  };
}

function scaleDim(d: Dimension, factor: number): Dimension {
  return { value: Math.round(d.value * factor * 1000) / 1000, unit: d.unit };
}

const statusDefaults = {
  success: { r: 0.094, g: 0.529, b: 0.29 },
  info: { r: 0.0, g: 0.42, b: 0.71 },
  warning: { r: 0.70, g: 0.42, b: 0.0 },
  danger: { r: 0.78, g: 0.13, b: 0.16 },
};

/** Fills every role a theme left out from the roles it gave. Derived text colours are pushed to 4.5:1. */
function completePalette(p: Partial<Palette> & Pick<Palette, "primary" | "background" | "text">, darkMode = false): Palette {
  const bg = p.background;
  const surface = p.surface ?? (darkMode ? mix(bg, { mode: "rgb", r: 1, g: 1, b: 1 }, 0.06) : mix(bg, p.primary, 0.04));
  const status = (role: keyof typeof statusDefaults): Srgb => {
    const base = { mode: "rgb" as const, ...statusDefaults[role], alpha: 1 };
    return ensureContrast(darkMode ? tint(base, 0.35) : base, bg, 4.5);
  };
  const primary = p.primary;
  return {
    primary,
    "on-primary": p["on-primary"] ?? readableOn(primary),
    secondary: p.secondary ?? mix(primary, p.text, 0.35),
    link: p.link ?? primary,
    background: bg,
    surface,
    text: p.text,
    muted: p.muted ?? ensureContrast(mix(p.text, bg, 0.35), bg, 4.5),
    border: p.border ?? mix(p.text, bg, darkMode ? 0.7 : 0.78),
    success: p.success ?? status("success"),
    info: p.info ?? status("info"),
    warning: p.warning ?? status("warning"),
    danger: p.danger ?? status("danger"),
  };
}

/** A dark palette in the brand's hue: near-black background, light text, brand colours lifted to stay readable. */
function deriveDarkBase(light: Palette, given: Partial<Palette>): Partial<Palette> & Pick<Palette, "primary" | "background" | "text"> {
  const h = hue(light.primary);
  const background = given.background ?? fromOklch(0.2, 0.015, h);
  const text = given.text ?? fromOklch(0.93, 0.01, h);
  const lift = (c: Srgb) => ensureContrast(lightness(c) < 0.72 ? tint(c, 0.3) : c, background, 4.5);
  const primary = given.primary ?? lift(light.primary);
  const result: Partial<Palette> & Pick<Palette, "primary" | "background" | "text"> = { ...given, background, text, primary };
  if (!given.link) result.link = given.primary ?? lift(light.link);
  if (!given.secondary) result.secondary = lift(light.secondary);
  if (!given.surface) result.surface = fromOklch(0.25, 0.02, h);
  if (!given.border) result.border = fromOklch(0.42, 0.02, h);
  return result;
}

/** Shades used by the CSS contract: computed once so CSS and contrast checks agree. */
export function shadesOf(p: Palette, darkMode: boolean) {
  const soft = (c: Srgb, amount: number) => (darkMode ? mix(c, p.background, amount) : tint(c, amount));
  const strong = (c: Srgb, amount: number) => (darkMode ? tint(c, amount) : shade(c, amount));
  const alert = (c: Srgb) => {
    const lightest = soft(c, 0.88);
    return { lighter: soft(c, 0.6), lightest, text: ensureContrast(strong(c, 0.25), lightest, 4.5) };
  };
  return {
    primaryDark: strong(p.primary, 0.2),
    primaryDarker: strong(p.primary, 0.4),
    primaryLight: soft(p.primary, 0.75),
    primaryBg: soft(p.primary, 0.88),
    primaryBgLight: soft(p.primary, 0.94),
    danger: alert(p.danger),
    success: alert(p.success),
    warning: alert(p.warning),
    info: alert(p.info),
  };
}

export { contrast };
