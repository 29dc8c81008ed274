/**
 * Compiles the theme stylesheet: the custom properties theme-citelibre reads (generated from tokens),
 * the hook styles, then the theme's overrides.scss compiled with Sass (tokens exposed as Sass variables),
 * then lightningcss for vendor prefixes, minification and the source map.
 * Any stylesheet that would make the browser contact another host is refused (GDPR: no third-party fonts).
 *
 * lightningcss stands where autoprefixer and cssnano would: together they cost 0.75 s of module loading,
 * most of the one-second budget of a cold `theme build`; lightningcss loads in 25 ms.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { transform, type Targets } from "lightningcss";
import postcss, { type Root } from "postcss";
import { hex } from "./color.js";
import { darkProperties, fontStack, lightProperties, sharedProperties, type Declarations } from "./css-contract.js";
import type { Design } from "./design.js";
import type { TokenSet } from "./tokens.js";
import type { Problem } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";

/** Browsers the CSS is prefixed for: the last two years of evergreen browsers plus Safari 15 (iOS 15 devices). */
const targets: Targets = { chrome: 109 << 16, edge: 109 << 16, firefox: 115 << 16, safari: 15 << 16, ios_saf: 15 << 16, samsung: 20 << 16 };

export interface CompiledCss {
  css: string;
  minCss: string;
  map: string;
  /** Files from the theme folder referenced with url(): relative path in the theme -> path in the skin's assets/. */
  assets: Map<string, string>;
}

const assetExtensions = new Set([".woff2", ".woff", ".ttf", ".otf", ".png", ".jpg", ".jpeg", ".webp", ".gif"]);
const maxAssetBytes = 5 * 1024 * 1024;

function block(selector: string, decls: Declarations): string {
  return `${selector} {\n${decls.map(([n, v]) => `  ${n}: ${v};`).join("\n")}\n}\n`;
}

/** Sass variables for every token (`color.dark.primary` -> `$color-dark-primary`) and every derived colour. */
function tokensModule(tokens: TokenSet, design: Design): string {
  const lines: string[] = ["// Generated from tokens.json."];
  for (const [p, t] of [...tokens].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = `$${p.replace(/\./g, "-")}`;
    const v = t.value;
    const css =
      v.type === "color" ? hex(v.color)
      : v.type === "dimension" ? `${v.value}${v.unit}`
      : v.type === "fontFamily" ? fontStack(v.families)
      : v.type === "fontWeight" ? String(v.weight)
      : v.type === "number" ? String(v.value)
      : undefined;
    if (css !== undefined) lines.push(`${name}: ${css};`);
  }
  for (const mode of ["light", "dark"] as const) {
    for (const [role, c] of Object.entries(design[mode])) lines.push(`$${mode}-${role}: ${hex(c)};`);
  }
  return lines.join("\n") + "\n";
}

/** The generated part of the stylesheet: custom properties for both modes and the hook styles. */
function generatedCss(design: Design): string {
  return [
    block(":root", sharedProperties(design)),
    block(':root,\n[data-bs-theme="light"]', lightProperties(design)),
    block('[data-bs-theme="dark"]', darkProperties(design)),
    "body {\n  font-family: var(--font-family-basics);\n}\n",
    readFileSync(repoPath("scripts/theme/styles/hooks.css"), "utf8"),
  ].join("\n");
}

/** Resolves a Sass load inside the theme folder only, trying partials and index files as Sass does. */
function findInTheme(themeDir: string, rel: string): string | undefined {
  const realTheme = realpathSync(themeDir);
  const dir = path.posix.dirname(rel);
  const base = path.posix.basename(rel);
  const candidates = /\.(s?css|sass)$/.test(base)
    ? [rel, `${dir}/_${base}`]
    : ["scss", "sass", "css"].flatMap((ext) => [`${dir}/_${base}.${ext}`, `${dir}/${base}.${ext}`, `${rel}/_index.${ext}`, `${rel}/index.${ext}`]);
  for (const candidate of candidates) {
    const normal = path.posix.normalize(candidate);
    if (normal.startsWith("..") || path.isAbsolute(normal)) return undefined;
    const abs = path.join(themeDir, normal);
    if (!existsSync(abs)) continue;
    const real = realpathSync(abs);
    if (!real.startsWith(realTheme + path.sep)) return undefined;
    return normal;
  }
  return undefined;
}

export async function compileCss(options: { themeDir: string; themeName: string; tokens: TokenSet; design: Design }): Promise<{ result?: CompiledCss; problems: Problem[] }> {
  const { themeDir, themeName, tokens, design } = options;
  const problems: Problem[] = [];
  const generated = generatedCss(design);
  let css = generated;
  let map: string | undefined;
  if (existsSync(path.join(themeDir, "overrides.scss"))) {
    const compiled = await compileOverrides(themeDir, generated, tokensModule(tokens, design));
    if ("problem" in compiled) return { problems: [compiled.problem] };
    ({ css, map } = compiled);
  }

  const assets = new Map<string, string>();
  const guarded = postcss([{ postcssPlugin: "citelibre-guard", Once: (root: Root) => {
    guardExternalReferences(root, themeDir, assets, problems);
  } }]).process(css, { from: undefined, map: false }).css;
  if (problems.length > 0) return { problems };

  const filename = `${themeName}.css`;
  const readable = transform({ filename, code: Buffer.from(guarded), targets, minify: false, sourceMap: false });
  const minified = transform({
    filename,
    code: Buffer.from(guarded),
    targets,
    minify: true,
    sourceMap: true,
    ...(map ? { inputSourceMap: map } : {}),
  });
  const mapJson = JSON.parse((minified.map ? Buffer.from(minified.map).toString("utf8") : undefined) ?? "{}") as { sources?: string[]; file?: string };
  mapJson.sources = (mapJson.sources ?? []).map((s) => (s === filename ? `generated/${filename}` : s));
  mapJson.file = `${themeName}.min.css`;
  return {
    problems,
    result: {
      css: Buffer.from(readable.code).toString("utf8"),
      minCss: `${Buffer.from(minified.code).toString("utf8")}\n/*# sourceMappingURL=${themeName}.min.css.map */\n`,
      map: JSON.stringify(mapJson),
      assets,
    },
  };
}

/** Sass for overrides.scss, with every token available as a variable. Loads stay inside the theme folder. */
async function compileOverrides(themeDir: string, generated: string, tokensScss: string): Promise<{ css: string; map: string } | { problem: Problem }> {
  const sass = await import("sass-embedded");
  const importer: import("sass-embedded").Importer<"sync"> = {
    canonicalize(url, context) {
      if (url === "citelibre:tokens") return new URL(url);
      let rel: string | undefined;
      if (url.startsWith("theme:")) rel = url.slice("theme:".length);
      else if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && context.containingUrl?.protocol === "theme:") {
        rel = path.posix.join(path.posix.dirname(context.containingUrl.pathname), url);
      }
      if (rel === undefined) return null;
      const found = findInTheme(themeDir, rel);
      return found ? new URL(`theme:${found}`) : null;
    },
    load(canonicalUrl) {
      if (canonicalUrl.href === "citelibre:tokens") return { contents: tokensScss, syntax: "scss" };
      const rel = canonicalUrl.pathname;
      const contents = readFileSync(path.join(themeDir, rel), "utf8");
      const syntax = rel.endsWith(".sass") ? "indented" : rel.endsWith(".css") ? "css" : "scss";
      // Same line as the user's first line, so reported line numbers stay true.
      return { contents: syntax === "scss" ? `@use "citelibre:tokens" as *; ${contents}` : contents, syntax };
    },
  };
  const entry = `@use "sass:meta";\n${generated}\n@include meta.load-css("theme:overrides.scss");\n`;
  try {
    const compiled = await sass.compileStringAsync(entry, {
      url: new URL("citelibre:generated.css"),
      importers: [importer],
      sourceMap: true,
      sourceMapIncludeSources: true,
      style: "expanded",
      silenceDeprecations: [],
      logger: sass.Logger.silent,
    });
    // Sass names sources with our importer URLs; give them stable, readable relative names.
    const sassMap = compiled.sourceMap ?? { version: 3, sources: [], names: [], mappings: "" };
    sassMap.sources = sassMap.sources.map((s) => (s.startsWith("theme:") ? `theme/${s.slice(6)}` : s.startsWith("citelibre:") ? `generated/${s.slice(10)}` : "generated/entry.scss"));
    return { css: compiled.css, map: JSON.stringify(sassMap) };
  } catch (e) {
    if (e instanceof sass.Exception) {
      const url = e.span.url;
      return {
        problem: {
          severity: "error", file: url?.protocol === "theme:" ? url.pathname : "overrides.scss",
          line: e.span.start.line + 1, column: e.span.start.column + 1,
          message: `Sass error: ${e.sassMessage}`,
          fix: "correct the stylesheet at that line; tokens are available as Sass variables such as $color-primary",
        },
      };
    }
    throw e;
  }
}

/** Refuses @import and url() that leave the theme; copies local url() files into the skin's assets/. */
function guardExternalReferences(root: Root, themeDir: string, assets: Map<string, string>, problems: Problem[]): void {
  root.walkAtRules("import", (rule) => {
    problems.push({
      severity: "error", file: "overrides.scss", field: `@import ${rule.params}`,
      message: "a CSS @import makes the browser fetch another stylesheet (from another host, a third-party request)",
      fix: "remove the @import; for fonts, put the font files in the theme folder and declare them with @font-face and url(\"fonts/...\")",
    });
  });
  root.walkDecls((decl) => {
    decl.value = decl.value.replace(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi, (whole, _q: string, target: string) => {
      const t = target.trim();
      if (t.startsWith("data:") || t.startsWith("#")) return whole;
      if (/^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith("//") || t.startsWith("/")) {
        problems.push({
          severity: "error", file: "overrides.scss", field: `${decl.prop}: url(${t})`,
          message: `points outside the theme (${t}): every visitor's browser would contact that host, which the GDPR forbids without consent`,
          fix: "copy the file into the theme folder (for example fonts/) and refer to it with a relative path such as url(\"fonts/city.woff2\")",
        });
        return whole;
      }
      const rel = path.posix.normalize(t.split(/[?#]/)[0] ?? "");
      const abs = path.join(themeDir, rel);
      const ext = path.extname(rel).toLowerCase();
      let problem: string | undefined;
      if (rel.startsWith("..")) problem = "leaves the theme folder";
      else if (!assetExtensions.has(ext)) problem = `has an unsupported type (${ext || "no extension"}); allowed: ${[...assetExtensions].join(" ")}`;
      else if (!existsSync(abs)) problem = "does not exist in the theme folder";
      else if (!realpathSync(abs).startsWith(realpathSync(themeDir) + path.sep)) problem = "is a symlink out of the theme folder";
      else if (statSync(abs).size > maxAssetBytes) problem = `is over ${maxAssetBytes / 1048576} MiB`;
      if (problem) {
        problems.push({ severity: "error", file: "overrides.scss", field: `url(${t})`, message: `the referenced file ${problem}`, fix: "put the file in the theme folder and refer to it relative to the folder, e.g. url(\"fonts/city.woff2\")" });
        return whole;
      }
      assets.set(rel, `assets/${rel}`);
      return `url("../assets/${rel}")`;
    });
  });
}
