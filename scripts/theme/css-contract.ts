/**
 * The CSS custom properties theme-citelibre reads (names from its light-theme.css, dark-theme.css and
 * _variables.css), each with a value derived from the theme's design. Values are plain CSS; the names
 * are upstream's, typos included, because that is what its stylesheets look up.
 */
import { hex, rgbTriplet, withAlpha } from "./color.js";
import { shadesOf, type Design, type Dimension, type Palette } from "./design.js";

export type Declarations = Array<[name: string, value: string]>;

type Shades = ReturnType<typeof shadesOf>;

function modeProperties(p: Palette, darkMode: boolean): Declarations {
  const s = shadesOf(p, darkMode);
  return [
    ...skinColors(p, s, darkMode),
    // Bootstrap 5 variables under theme-citelibre, so stock components follow the brand too.
    ...bootstrapColors(p, s),
    ["--citelibre-on-primary", hex(p["on-primary"])],
    ["--citelibre-link-color", hex(p.link)],
    ...(darkMode ? darkOnlyColors(p) : lightOnlyColors(p, s)),
  ];
}

/** theme-citelibre's own colour variables: brand, text, surfaces, borders, widgets, messages and statuses. */
function skinColors(p: Palette, s: Shades, darkMode: boolean): Declarations {
  return [
    ["--main-color", hex(p.primary)],
    ["--main-color-shadow", withAlpha(p.primary, 0.25)],
    ["--blue-color", hex(p.primary)],
    ["--blue-dark-color", hex(s.primaryDark)],
    ["--blue-darker-color", hex(s.primaryDarker)],
    ["--blue-light", hex(s.primaryLight)],
    ["--blue-bg-colored", hex(s.primaryBg)],
    ["--blue-bg-colored-light", hex(s.primaryBgLight)],
    ["--blue-gray-color", hex(p.muted)],
    ["--blue-turquoise-color", hex(p.secondary)],
    ["--black-color", hex(p.text)],
    ["--dark-color", hex(p.text)],
    ["--dark-lighter-color", hex(p.muted)],
    ["--white-color", hex(p.background)],
    ["--white-light-color", hex(p.surface)],
    ["--white-lighter-color", hex(s.primaryBgLight)],
    ["--theme-bg-default", hex(p.background)],
    ["--gray-color", hex(p.muted)],
    ["--gray-dark-color", hex(p.text)],
    ["--gray-light-color", hex(p.border)],
    ["--border-color", hex(p.border)],
    ["--shadow-border-color", withAlpha(p.text, 0.15)],
    ["--card-color-shadow", withAlpha(p.text, darkMode ? 0.4 : 0.08)],
    ["--card-title-icon", hex(p.primary)],
    ["--switch-color-shadow", withAlpha(p.primary, 0.25)],
    ["--fc-bg-color", hex(p.surface)],
    ["--fc-bg-hover-color", hex(s.primaryBg)],
    ["--file-dropzone-border-color", hex(p.border)],
    ["--file-dropzone-border-hover-color", hex(p.primary)],
    ["--file-dropzone-border-disabled", hex(p.border)],
    ["--file-dropzone-color", hex(p.surface)],
    ["--file-dropzone-hover-color", hex(s.primaryBgLight)],
    ["--file-dropzone-icon-disabled", hex(p.muted)],
    ["--file-dropzone-text-disabled", hex(p.muted)],
    ["--sidebar-menu-xs-active", hex(p.primary)],
    ["--main-danger-color", hex(p.danger)],
    ["--main-danger-color-lightest", hex(s.danger.lightest)],
    ["--main-danger-color-text", hex(s.danger.text)],
    ["--main-footer-danger-color", hex(p.danger)],
    ["--main-success-color", hex(p.success)],
    ["--main-success-color-lightest", hex(s.success.lightest)],
    ["--main-success-color-text", hex(s.success.text)],
    ["--main-warning-color", hex(p.warning)],
    ["--main-warning-color-lightest", hex(s.warning.lightest)],
    ["--main-warning-color-text", hex(s.warning.text)],
    ["--main-info-color", hex(p.info)],
    ["--main-info-color-40", withAlpha(p.info, 0.4)],
    ["--main-info-color-light", hex(s.info.lighter)],
    ["--main-info-color-text", hex(s.info.text)],
    ["--status-todo", hex(p.primary)],
    ["--status-coming", hex(p.info)],
    ["--status-doing", hex(p.warning)],
    ["--status-done", hex(p.success)],
    ["--status-passed", hex(p.muted)],
  ];
}

function bootstrapColors(p: Palette, s: Shades): Declarations {
  return [
    ["--bs-primary", hex(p.primary)],
    ["--bs-primary-rgb", rgbTriplet(p.primary)],
    ["--bs-secondary", hex(p.secondary)],
    ["--bs-secondary-rgb", rgbTriplet(p.secondary)],
    ["--bs-body-bg", hex(p.background)],
    ["--bs-body-bg-rgb", rgbTriplet(p.background)],
    ["--bs-body-color", hex(p.text)],
    ["--bs-body-color-rgb", rgbTriplet(p.text)],
    ["--bs-link-color", hex(p.link)],
    ["--bs-link-color-rgb", rgbTriplet(p.link)],
    ["--bs-link-hover-color", hex(s.primaryDark)],
    ["--bs-border-color", hex(p.border)],
    ["--bs-success", hex(p.success)],
    ["--bs-info", hex(p.info)],
    ["--bs-warning", hex(p.warning)],
    ["--bs-danger", hex(p.danger)],
  ];
}

function darkOnlyColors(p: Palette): Declarations {
  return [["--bs-table-hover-bg", withAlpha(p.text, 0.075)]];
}

function lightOnlyColors(p: Palette, s: Shades): Declarations {
  return [
    ["--bs-text-opacity", "1"],
    ["--gray-darklight-color", hex(p.muted)],
    ["--main-danger-color-lighter", hex(s.danger.lighter)],
    ["--main-success-color-lighter", hex(s.success.lighter)],
    ["--main-warning-color-lighter", hex(s.warning.lighter)],
  ];
}

export function lightProperties(design: Design): Declarations {
  return modeProperties(design.light, false);
}

export function darkProperties(design: Design): Declarations {
  return modeProperties(design.dark, true);
}

function dim(d: Dimension, factor = 1): string {
  const v = Math.round(d.value * factor * 10000) / 10000;
  return `${v}${d.unit}`;
}

/** A CSS font-family value; names with spaces or unusual characters are quoted. */
export function fontStack(families: string[]): string {
  const generic = new Set(["serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong", "-apple-system"]);
  return families.map((f) => (generic.has(f) || /^[A-Za-z][\w-]*$/.test(f) ? f : `"${f.replace(/"/g, "")}"`)).join(", ");
}

/** Mode-independent variables from _variables.css: type scale, spacing, radii, borders. */
export function sharedProperties(design: Design): Declarations {
  const base = design.fontSize;
  const sp = design.spacing;
  return [
    ...typography(design),
    ["--spacing-base", dim(sp)],
    ...scaled("--spacing", sp, { xxs: 0.125, xs: 0.25, sm: 0.5, m: 1, ml: 1.5, l: 2, xl: 3, xxl: 4, xxxl: 6 }),
    ...scaled("--icon", base, { sm: 1, m: 1.25, ml: 1.5, l: 2, xl: 3, xxl: 4 }),
    ...radiiAndBorders(design.radius),
    ["--bs-link-decoration", "underline"],
    ["--text-underline-offset", "0.2em"],
    ["--checkbox-size", dim(base, 1.25)],
    ["--radio-size", dim(base, 1.25)],
    ["--divider-margin-start", dim(sp, 1)],
    ["--divider-margin-end", dim(sp, 1)],
    ["--divider-margin-content-before", dim(sp, 0.5)],
    ["--divider-margin-content-after", dim(sp, 0.5)],
    ["--menu-fixed-top", "0"],
    ["--menu-dropdown-start", "0"],
    ["--menu-user-monparis-top", "0"],
    ["--shadow-button", "0 1px 2px var(--shadow-border-color)"],
    ["--shadow-card-border", "0 0 0 1px var(--shadow-border-color)"],
    ["--shadow-card-filter", "0 2px 8px var(--card-color-shadow)"],
    ["--shadow-focus", "0 0 0 0.25rem var(--main-color-shadow)"],
  ];
}

/** Font families, weights, the font size scale and the line heights. */
function typography(design: Design): Declarations {
  const base = design.fontSize;
  const body = fontStack(design.fonts.body);
  return [
    ["--font-family-basics", body],
    ["--font-family-list", body],
    ["--font-family-pref", fontStack(design.fonts.heading)],
    ["--bs-font-sans-serif", body],
    ["--bs-font-monospace", fontStack(design.fonts.mono)],
    ["--bs-body-font-family", "var(--font-family-basics)"],
    ["--bs-body-font-size", dim(base)],
    ["--bs-body-font-weight", String(design.fontWeight.body)],
    ["--bs-body-line-height", String(design.lineHeight)],
    ["--citelibre-heading-font-weight", String(design.fontWeight.heading)],
    ["--size-base", dim(base)],
    ...scaled("--font", base, { xs: 0.75, sm: 0.875, m: 1, ml: 1.125, xm: 1.25, l: 1.5, xl: 2, xxl: 2.5, xxxl: 3 }),
    ...named("--line-height", { xxs: "1", xs: "1.15", sm: "1.25", m: String(design.lineHeight), l: "1.6", xl: "1.75", xxl: "2", xxxl: "2.5" }),
  ];
}

function radiiAndBorders(r: Design["radius"]): Declarations {
  return [
    ["--bs-border-radius", dim(r.base)],
    ["--bs-border-radius-sm", dim(r.sm)],
    ["--bs-border-radius-lg", dim(r.lg)],
    ["--bs-border-radius-xl", dim(r.lg, 1.5)],
    ["--bs-border-radius-2xl", dim(r.lg, 2)],
    ["--bs-border-radius-pill", "50rem"],
    ["--rounded", dim(r.base)],
    ["--shadow-radius", dim(r.base)],
    ["--scollbar-radius", dim(r.sm)],
    ["--scollbar-with", "8px"],
    ["--bs-border-width", "1px"],
    ["--bs-border-style", "solid"],
    ["--border-normal", "1px"],
    ["--border-medium", "2px"],
    ["--border-large", "4px"],
  ];
}

/** A scale of variables (--font-xs, --font-sm...), each step a multiple of one dimension. */
function scaled(prefix: string, d: Dimension, factors: Record<string, number>): Declarations {
  return named(prefix, Object.fromEntries(Object.entries(factors).map(([step, factor]) => [step, dim(d, factor)])));
}

/** A scale of variables (--line-height-xs, --line-height-sm...), in the order given. */
function named(prefix: string, values: Record<string, string>): Declarations {
  return Object.entries(values).map(([step, value]) => [`${prefix}-${step}`, value]);
}
