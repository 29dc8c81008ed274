import type { Color, Rgb } from "culori";
// The bundled single-file build loads in a quarter of the time of the many-module ESM entry.
import culori from "culori/require";

const { clampRgb, converter, displayable, formatHex, formatHex8, interpolate, parseHex, wcagContrast } = culori;

/** Colours are kept as sRGB (0..1 channels, alpha 0..1) once parsed; every derived shade is computed here. */
export type Srgb = Rgb;

const toRgb = converter("rgb");
const toOklch = converter("oklch");

/** culori modes for the DTCG 2025.10 colour spaces, with the scale each component needs. */
const colorSpaces: Record<string, { mode: string; keys: [string, string, string]; scale: [number, number, number] }> = {
  srgb: { mode: "rgb", keys: ["r", "g", "b"], scale: [1, 1, 1] },
  "srgb-linear": { mode: "lrgb", keys: ["r", "g", "b"], scale: [1, 1, 1] },
  hsl: { mode: "hsl", keys: ["h", "s", "l"], scale: [1, 0.01, 0.01] },
  hwb: { mode: "hwb", keys: ["h", "w", "b"], scale: [1, 0.01, 0.01] },
  lab: { mode: "lab", keys: ["l", "a", "b"], scale: [1, 1, 1] },
  lch: { mode: "lch", keys: ["l", "c", "h"], scale: [1, 1, 1] },
  oklab: { mode: "oklab", keys: ["l", "a", "b"], scale: [1, 1, 1] },
  oklch: { mode: "oklch", keys: ["l", "c", "h"], scale: [1, 1, 1] },
  "display-p3": { mode: "p3", keys: ["r", "g", "b"], scale: [1, 1, 1] },
  "a98-rgb": { mode: "a98", keys: ["r", "g", "b"], scale: [1, 1, 1] },
  "prophoto-rgb": { mode: "prophoto", keys: ["r", "g", "b"], scale: [1, 1, 1] },
  rec2020: { mode: "rec2020", keys: ["r", "g", "b"], scale: [1, 1, 1] },
  "xyz-d65": { mode: "xyz65", keys: ["x", "y", "z"], scale: [1, 1, 1] },
  "xyz-d50": { mode: "xyz50", keys: ["x", "y", "z"], scale: [1, 1, 1] },
};

export const supportedColorSpaces = Object.keys(colorSpaces);

export type ColorParse = { ok: true; color: Srgb } | { ok: false; reason: string; fix: string };

const hexPattern = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** Accepts a hex string (#rgb, #rgba, #rrggbb, #rrggbbaa) or a DTCG colour object. */
export function parseTokenColor(value: unknown): ColorParse {
  if (typeof value === "string") {
    if (!hexPattern.test(value.trim())) {
      return {
        ok: false,
        reason: `"${value}" is not a hex colour`,
        fix: 'write it as "#rrggbb" (for example "#1f5fa8") or as a colour object {"colorSpace": "srgb", "components": [r, g, b]}',
      };
    }
    const parsed = parseHex(value.trim());
    if (!parsed) return { ok: false, reason: `"${value}" is not a hex colour`, fix: 'write it as "#rrggbb"' };
    return { ok: true, color: { ...toRgb(parsed), alpha: parsed.alpha ?? 1 } };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, reason: "is neither a hex string nor a colour object", fix: 'write "#rrggbb" or {"colorSpace": "srgb", "components": [r, g, b]}' };
  }
  const obj = value as Record<string, unknown>;
  const space = obj.colorSpace;
  if (typeof space !== "string" || !(space in colorSpaces)) {
    return {
      ok: false,
      reason: `colorSpace ${JSON.stringify(space)} is not supported`,
      fix: `use one of: ${supportedColorSpaces.join(", ")}`,
    };
  }
  const spec = colorSpaces[space];
  const components = obj.components;
  if (!spec || !Array.isArray(components) || components.length !== 3 || !components.every((c) => typeof c === "number" || c === "none")) {
    return { ok: false, reason: "components must be a list of three numbers (or \"none\")", fix: 'for example "components": [0.12, 0.37, 0.66]' };
  }
  const alpha = obj.alpha ?? 1;
  if (typeof alpha !== "number" || alpha < 0 || alpha > 1) {
    return { ok: false, reason: "alpha must be a number between 0 and 1", fix: 'remove "alpha" or set it between 0 and 1' };
  }
  const culoriColor: Record<string, unknown> = { mode: spec.mode, alpha };
  spec.keys.forEach((key, i) => {
    const c = components[i] as number | "none";
    culoriColor[key] = c === "none" ? 0 : c * spec.scale[i as 0 | 1 | 2];
  });
  if (typeof obj.hex === "string" && !hexPattern.test(obj.hex)) {
    return { ok: false, reason: `hex fallback "${obj.hex}" is not a hex colour`, fix: 'write it as "#rrggbb" or remove it' };
  }
  const rgb = clampRgb(toRgb(culoriColor as unknown as Color));
  return { ok: true, color: { ...rgb, alpha } };
}

export function hex(color: Srgb): string {
  return (color.alpha ?? 1) < 1 ? formatHex8(color) : formatHex(color);
}

export function rgbTriplet(color: Srgb): string {
  return [color.r, color.g, color.b].map((c) => Math.round(Math.min(1, Math.max(0, c)) * 255)).join(", ");
}

export function withAlpha(color: Srgb, alpha: number): string {
  return `rgba(${rgbTriplet(color)}, ${alpha})`;
}

/** Mixes in OKLab so tints and shades keep their hue the way a designer expects. */
export function mix(a: Srgb, b: Srgb, amountOfB: number): Srgb {
  const mixed = interpolate([a, b], "oklab")(amountOfB);
  return { ...clampRgb(toRgb(mixed)), alpha: 1 };
}

export const white: Srgb = { mode: "rgb", r: 1, g: 1, b: 1, alpha: 1 };
export const black: Srgb = { mode: "rgb", r: 0, g: 0, b: 0, alpha: 1 };

export function tint(c: Srgb, amount: number): Srgb {
  return mix(c, white, amount);
}

export function shade(c: Srgb, amount: number): Srgb {
  return mix(c, black, amount);
}

export function contrast(fg: Srgb, bg: Srgb): number {
  return wcagContrast(fg, bg);
}

export function lightness(c: Srgb): number {
  return toOklch(c).l;
}

/** Builds an sRGB colour from OKLCH, clamped into gamut. */
export function fromOklch(l: number, c: number, h: number): Srgb {
  return { ...clampRgb(toRgb({ mode: "oklch", l, c, h })), alpha: 1 };
}

export function hue(c: Srgb): number {
  return toOklch(c).h ?? 0;
}

/**
 * Moves a derived colour's lightness away from the background until it reaches the ratio.
 * Only for colours the toolkit derives itself; a colour the city chose is reported, never silently changed.
 */
export function ensureContrast(fg: Srgb, bg: Srgb, ratio: number): Srgb {
  if (contrast(fg, bg) >= ratio) return fg;
  const towards = lightness(bg) > 0.6 ? black : white;
  for (let step = 1; step <= 40; step++) {
    const candidate = mix(fg, towards, step / 40);
    if (contrast(candidate, bg) >= ratio) return candidate;
  }
  return towards;
}

/** Chroma of a colour in OKLCH (0 for greys). */
export function chroma(c: Srgb): number {
  return toOklch(c).c ?? 0;
}

/**
 * The colour nearest to `c` in lightness, of the same hue, that reaches `ratio` against `against`: what
 * to propose to a city whose colour fails a contrast check. It moves away from `against` (darker on a light
 * background, lighter on a dark one), keeps the hue, and lowers the chroma only where sRGB cannot hold it.
 * Undefined when even black or white would not pass.
 */
export function passingShade(c: Srgb, against: Srgb, ratio: number): Srgb | undefined {
  const { l, c: ch, h = 0 } = toOklch(c);
  // The hex a city types: rounding must not lose the ratio, so every candidate is judged rounded.
  const at = (lightnessValue: number): Srgb => {
    let colour = fromOklch(lightnessValue, 0, h);
    // Out of gamut, clamping would shift the hue: shed chroma until the colour fits.
    for (let k = 1; k > 0.05; k -= 0.05) {
      const candidate = { mode: "oklch" as const, l: lightnessValue, c: ch * k, h };
      if (displayable(candidate)) {
        colour = { ...clampRgb(toRgb(candidate)), alpha: 1 };
        break;
      }
    }
    const rounded = parseTokenColor(hex(colour));
    return rounded.ok ? rounded.color : colour;
  };
  const passes = (lightnessValue: number) => contrast(at(lightnessValue), against) >= ratio;
  // Towards black and towards white: the nearer passing shade wins (a light colour on a mid-grey page may
  // pass by getting lighter, not darker).
  const found: Array<{ colour: Srgb; distance: number }> = [];
  for (const end of [0, 1]) {
    if (!passes(end)) continue;
    let passing = end;
    let failing = l;
    for (let i = 0; i < 30; i++) {
      const mid = (passing + failing) / 2;
      if (passes(mid)) passing = mid;
      else failing = mid;
    }
    found.push({ colour: at(passing), distance: Math.abs(passing - l) });
  }
  return found.sort((x, y) => x.distance - y.distance)[0]?.colour;
}

/** White or near-black, whichever reads better on the given colour. */
export function readableOn(bg: Srgb): Srgb {
  const dark: Srgb = { mode: "rgb", r: 0.07, g: 0.07, b: 0.08, alpha: 1 };
  return contrast(white, bg) >= contrast(dark, bg) ? white : dark;
}
