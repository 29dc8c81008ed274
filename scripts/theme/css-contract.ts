/**
 * The CSS custom properties theme-citelibre reads (names from its light-theme.css, dark-theme.css and
 * _variables.css), each with a value derived from the theme's design. Values are plain CSS; the names
 * are upstream's, typos included, because that is what its stylesheets look up.
 */
import { hex, rgbTriplet, withAlpha } from "./color.js";
import { shadesOf, type Design, type Dimension, type Palette } from "./design.js";

export type Declarations = Array<[name: string, value: string]>;

function modeProperties(p: Palette, darkMode: boolean): Declarations {
  const s = shadesOf(p, darkMode);
  const c = hex;
  const decls: Declarations = [
    ["--main-color", c(p.primary)],
    ["--main-color-shadow", withAlpha(p.primary, 0.25)],
    ["--blue-color", c(p.primary)],
    ["--blue-dark-color", c(s.primaryDark)],
    ["--blue-darker-color", c(s.primaryDarker)],
    ["--blue-light", c(s.primaryLight)],
    ["--blue-bg-colored", c(s.primaryBg)],
    ["--blue-bg-colored-light", c(s.primaryBgLight)],
    ["--blue-gray-color", c(p.muted)],
    ["--blue-turquoise-color", c(p.secondary)],
    ["--black-color", c(p.text)],
    ["--dark-color", c(p.text)],
    ["--dark-lighter-color", c(p.muted)],
    ["--white-color", c(p.background)],
    ["--white-light-color", c(p.surface)],
    ["--white-lighter-color", c(s.primaryBgLight)],
    ["--theme-bg-default", c(p.background)],
    ["--gray-color", c(p.muted)],
    ["--gray-dark-color", c(p.text)],
    ["--gray-light-color", c(p.border)],
    ["--border-color", c(p.border)],
    ["--shadow-border-color", withAlpha(p.text, 0.15)],
    ["--card-color-shadow", withAlpha(p.text, darkMode ? 0.4 : 0.08)],
    ["--card-title-icon", c(p.primary)],
    ["--switch-color-shadow", withAlpha(p.primary, 0.25)],
    ["--fc-bg-color", c(p.surface)],
    ["--fc-bg-hover-color", c(s.primaryBg)],
    ["--file-dropzone-border-color", c(p.border)],
    ["--file-dropzone-border-hover-color", c(p.primary)],
    ["--file-dropzone-border-disabled", c(p.border)],
    ["--file-dropzone-color", c(p.surface)],
    ["--file-dropzone-hover-color", c(s.primaryBgLight)],
    ["--file-dropzone-icon-disabled", c(p.muted)],
    ["--file-dropzone-text-disabled", c(p.muted)],
    ["--sidebar-menu-xs-active", c(p.primary)],
    ["--main-danger-color", c(p.danger)],
    ["--main-danger-color-lightest", c(s.danger.lightest)],
    ["--main-danger-color-text", c(s.danger.text)],
    ["--main-footer-danger-color", c(p.danger)],
    ["--main-success-color", c(p.success)],
    ["--main-success-color-lightest", c(s.success.lightest)],
    ["--main-success-color-text", c(s.success.text)],
    ["--main-warning-color", c(p.warning)],
    ["--main-warning-color-lightest", c(s.warning.lightest)],
    ["--main-warning-color-text", c(s.warning.text)],
    ["--main-info-color", c(p.info)],
    ["--main-info-color-40", withAlpha(p.info, 0.4)],
    ["--main-info-color-light", c(s.info.lighter)],
    ["--main-info-color-text", c(s.info.text)],
    ["--status-todo", c(p.primary)],
    ["--status-coming", c(p.info)],
    ["--status-doing", c(p.warning)],
    ["--status-done", c(p.success)],
    ["--status-passed", c(p.muted)],
    // Bootstrap 5 variables under theme-citelibre, so stock components follow the brand too.
    ["--bs-primary", c(p.primary)],
    ["--bs-primary-rgb", rgbTriplet(p.primary)],
    ["--bs-secondary", c(p.secondary)],
    ["--bs-secondary-rgb", rgbTriplet(p.secondary)],
    ["--bs-body-bg", c(p.background)],
    ["--bs-body-bg-rgb", rgbTriplet(p.background)],
    ["--bs-body-color", c(p.text)],
    ["--bs-body-color-rgb", rgbTriplet(p.text)],
    ["--bs-link-color", c(p.link)],
    ["--bs-link-color-rgb", rgbTriplet(p.link)],
    ["--bs-link-hover-color", c(s.primaryDark)],
    ["--bs-border-color", c(p.border)],
    ["--bs-success", c(p.success)],
    ["--bs-info", c(p.info)],
    ["--bs-warning", c(p.warning)],
    ["--bs-danger", c(p.danger)],
    ["--citelibre-on-primary", c(p["on-primary"])],
    ["--citelibre-link-color", c(p.link)],
  ];
  if (darkMode) {
    decls.push(["--bs-table-hover-bg", withAlpha(p.text, 0.075)]);
  } else {
    decls.push(
      ["--bs-text-opacity", "1"],
      ["--gray-darklight-color", c(p.muted)],
      ["--main-danger-color-lighter", c(s.danger.lighter)],
      ["--main-success-color-lighter", c(s.success.lighter)],
      ["--main-warning-color-lighter", c(s.warning.lighter)],
    );
  }
  return decls;
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
  const r = design.radius;
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
    ["--font-xs", dim(base, 0.75)],
    ["--font-sm", dim(base, 0.875)],
    ["--font-m", dim(base, 1)],
    ["--font-ml", dim(base, 1.125)],
    ["--font-xm", dim(base, 1.25)],
    ["--font-l", dim(base, 1.5)],
    ["--font-xl", dim(base, 2)],
    ["--font-xxl", dim(base, 2.5)],
    ["--font-xxxl", dim(base, 3)],
    ["--line-height-xxs", "1"],
    ["--line-height-xs", "1.15"],
    ["--line-height-sm", "1.25"],
    ["--line-height-m", String(design.lineHeight)],
    ["--line-height-l", "1.6"],
    ["--line-height-xl", "1.75"],
    ["--line-height-xxl", "2"],
    ["--line-height-xxxl", "2.5"],
    ["--spacing-base", dim(sp)],
    ["--spacing-xxs", dim(sp, 0.125)],
    ["--spacing-xs", dim(sp, 0.25)],
    ["--spacing-sm", dim(sp, 0.5)],
    ["--spacing-m", dim(sp, 1)],
    ["--spacing-ml", dim(sp, 1.5)],
    ["--spacing-l", dim(sp, 2)],
    ["--spacing-xl", dim(sp, 3)],
    ["--spacing-xxl", dim(sp, 4)],
    ["--spacing-xxxl", dim(sp, 6)],
    ["--icon-sm", dim(base, 1)],
    ["--icon-m", dim(base, 1.25)],
    ["--icon-ml", dim(base, 1.5)],
    ["--icon-l", dim(base, 2)],
    ["--icon-xl", dim(base, 3)],
    ["--icon-xxl", dim(base, 4)],
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
