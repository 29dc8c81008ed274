/**
 * Reads a theme folder into a validated model. Every problem is collected (not thrown) so that
 * `theme check` can list them all at once; the model is returned only when nothing blocks a build.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { validateThemeConfig, type ThemeConfig } from "./config.js";
import { themeAdvice, type LogoFacts } from "./advice.js";
import { checkContrast } from "./contrast.js";
import { deriveDesign, type Design } from "./design.js";
import { hookNames, type HookName } from "./hooks.js";
import { inspectRaster, maxEmbeddedPixels, maxImageBytes } from "./images.js";
import { parseJsonText, parseYamlText } from "../lib/json-source.js";
import { resolveInsideTheme } from "./paths.js";
import { sanitizeSvg } from "./svg.js";
import { resolveTokens, type TokenSet } from "./tokens.js";
import { closest } from "../lib/validate.js";
import { repoPath } from "../lib/repo.js";
import { canonicalJson, sha256 } from "../lib/hash.js";
import { ProblemList, UserError } from "../lib/problems.js";

export interface SvgAsset {
  text: string;
  width: number;
  height: number;
}

export interface ThemeInput {
  dir: string;
  config: ThemeConfig;
  tokens: TokenSet;
  tokensDigest: string;
  design: Design;
  logo: SvgAsset;
  logoDark?: SvgAsset;
  favicon: { svg?: SvgAsset; raster?: Buffer };
  banner?: Buffer;
  templates: Partial<Record<HookName, string>>;
}

export interface LoadResult {
  input?: ThemeInput;
  problems: ProblemList;
}

const maxTextFileBytes = 1024 * 1024;
/** The largest file of a theme (a banner photo), checked on disk before reading. */
const maxThemeFileBytes = maxImageBytes;
const maxTemplateEntries = 20;

export interface LoadOptions {
  /**
   * Contrast failures as warnings, so that a preview shows the colours being worked on (theme preview
   * --watch): a build or a check keeps them errors.
   */
  contrastFailuresAsWarnings?: boolean;
}

export async function loadTheme(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const problems = new ProblemList();
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`${dir} is not a theme folder (it does not exist or is not a directory). Create one with \`citelibre theme new <name>\`.`);
  }

  /**
   * Reads a file named by the theme, refusing paths and symlinks that leave the folder, and files over
   * the largest size any theme file may have, by their size on disk before a byte is read.
   */
  const readInside = async (rel: string, field: string | undefined, required: boolean, referencedFrom?: string): Promise<Buffer | undefined> => {
    const resolved = await resolveInsideTheme(dir, rel);
    if (!resolved.ok) {
      if (resolved.reason === "does not exist" && !required) return undefined;
      problems.error({
        file: referencedFrom ?? rel,
        ...(field ? { field } : {}),
        message: referencedFrom ? `path "${rel}" ${resolved.reason}` : `${rel} ${resolved.reason}`,
        fix: resolved.reason === "does not exist"
          ? `add ${rel} to the theme folder${required ? " (it is required)" : ""}`
          : "keep every theme file inside the theme folder, as a regular file referenced by a relative path",
      });
      return undefined;
    }
    const size = (await stat(resolved.absolute)).size;
    if (size > maxThemeFileBytes) {
      problems.error({ file: referencedFrom ?? rel, ...(field ? { field } : {}), message: `${referencedFrom ? `${rel} ` : ""}is ${(size / 1048576).toFixed(1)} MiB, over the ${maxThemeFileBytes / 1048576} MiB any theme file may take`, fix: "export it smaller" });
      return undefined;
    }
    return readFile(resolved.absolute);
  };

  const readText = async (rel: string, required: boolean): Promise<string | undefined> => {
    const data = await readInside(rel, undefined, required);
    if (!data) return undefined;
    if (data.length > maxTextFileBytes) {
      problems.error({ file: rel, message: `is larger than ${maxTextFileBytes / 1024} KiB`, fix: "keep it small; it holds settings, not data" });
      return undefined;
    }
    return data.toString("utf8");
  };

  // theme.yaml
  let config: ThemeConfig | undefined;
  const yamlText = await readText("theme.yaml", true);
  if (yamlText !== undefined) {
    const parsed = parseYamlText(yamlText);
    if (!parsed.ok) {
      problems.error({ file: "theme.yaml", ...parsed.position, message: `is not valid YAML: ${parsed.message}`, fix: "correct the syntax at that line (indentation with spaces, a colon after each key, quotes around text with ': ' or '#')" });
    } else {
      const v = validateThemeConfig(parsed.value, "theme.yaml", parsed.locate);
      problems.addAll(v.problems);
      config = v.config;
      if (config && config.name !== path.basename(path.resolve(dir))) {
        problems.warning({ file: "theme.yaml", field: "name", message: `"${config.name}" differs from the folder name "${path.basename(path.resolve(dir))}"`, fix: "rename the folder or the theme so they match; the overlay uses the name from theme.yaml" });
      }
    }
  }

  // tokens.json
  let tokens: TokenSet | undefined;
  let design: Design | undefined;
  const tokensText = await readText("tokens.json", true);
  if (tokensText !== undefined) {
    const parsed = parseJsonText(tokensText);
    if (!parsed.ok) {
      problems.error({ file: "tokens.json", ...parsed.position, message: `is not valid JSON: ${parsed.message}`, fix: "correct the syntax at that line (double quotes around names and text, no trailing commas, no comments)" });
    } else {
      const r = resolveTokens(parsed.value, "tokens.json");
      problems.addAll(r.problems);
      tokens = r.tokens;
      const d = deriveDesign(r.tokens, "tokens.json");
      problems.addAll(d.problems);
      design = d.design;
    }
  }

  // Logos and favicon
  const svg = async (rel: string, required: boolean): Promise<SvgAsset | undefined> => {
    const data = await readInside(rel, undefined, required);
    if (!data) return undefined;
    const r = sanitizeSvg(data);
    if (!r.ok) {
      for (const reason of r.reasons) {
        problems.error({ file: rel, message: reason, fix: "export the logo again as a plain SVG (in Inkscape: Save as > Optimized SVG) without scripts, animation, links to other files or web addresses, and without a DOCTYPE" });
      }
      return undefined;
    }
    // Embedded raster images are decoded when the logo is drawn: bounded before anything draws it.
    for (const image of r.embeddedImages) {
      const check = await inspectRaster(image, maxEmbeddedPixels);
      if (!check.ok) {
        problems.error({ file: rel, message: `embeds an image that ${check.reason}`, fix: `embed images of at most ${maxEmbeddedPixels / 1e6} megapixels (a logo is drawn at a few hundred pixels), or draw the logo as vector shapes` });
        return undefined;
      }
    }
    for (const warning of r.warnings) problems.warning({ file: rel, ...warning });
    return { text: r.svg, width: r.width, height: r.height };
  };
  const logo = await svg("logo.svg", true);
  const logoDark = await svg("logo-dark.svg", false);
  const faviconSvg = await svg("favicon.svg", false);
  let faviconRaster: Buffer | undefined;
  if (!faviconSvg) {
    const png = await readInside("favicon.png", undefined, false);
    if (png) {
      const r = await inspectRaster(png);
      if (!r.ok) problems.error({ file: "favicon.png", message: r.reason, fix: r.fix });
      else if (r.width < 180 || r.height < 180) problems.warning({ file: "favicon.png", message: `is ${r.width}x${r.height}; icons up to 512x512 are produced from it and will look blurred`, fix: "provide favicon.svg, or a square PNG of at least 512x512" });
      else faviconRaster = png;
    }
  }

  // Banner
  let banner: Buffer | undefined;
  if (config?.banner.image !== undefined) {
    const data = await readInside(config.banner.image, "banner.image", true, "theme.yaml");
    if (data) {
      const r = await inspectRaster(data);
      if (!r.ok) problems.error({ file: config.banner.image, message: r.reason, fix: r.fix });
      else banner = data;
    }
  }

  // The stylesheet is compiled later, by Sass: checked here as a regular file of sane size.
  await readText("overrides.scss", false);

  // Template overrides
  const templates: Partial<Record<HookName, string>> = {};
  const templateDir = await resolveInsideTheme(dir, "templates", "directory");
  if (!templateDir.ok && templateDir.reason !== "does not exist") {
    problems.error({ file: "templates", message: templateDir.reason, fix: "templates/ is a folder of hook templates (templates/<hook>.hbs) inside the theme folder; remove it if the theme has none" });
  }
  const entries = templateDir.ok ? await readdir(templateDir.absolute) : [];
  // A handful of hooks exist: a folder of thousands of entries is a mistake, reported once.
  if (entries.length > maxTemplateEntries) {
    problems.error({ file: "templates", message: `holds ${entries.length} entries; there are only ${hookNames.length} hooks`, fix: `keep only the hook templates: ${hookNames.map((h) => `${h}.hbs`).join(", ")}` });
  } else {
    for (const entry of entries) {
      const hook = entry.replace(/\.hbs$/, "");
      if (!entry.endsWith(".hbs") || !(hookNames as readonly string[]).includes(hook)) {
        problems.error({
          file: `templates/${entry}`,
          message: "is not a known hook template",
          fix: `name it after one of the hooks: ${hookNames.map((h) => `${h}.hbs`).join(", ")}${closest(entry, hookNames.map((h) => `${h}.hbs`))}`,
        });
        continue;
      }
      const text = await readText(`templates/${entry}`, true);
      if (text !== undefined) templates[hook as HookName] = text;
    }
  }

  if (config && logo) {
    problems.addAll(themeAdvice(config, {
      ...(await sameAsDefaultLogo(logo, logoDark)),
      ...(!faviconSvg && !faviconRaster ? { iconSourceRatio: logo.width / logo.height } : {}),
    }));
  }

  if (design && config) {
    const contrastProblems = checkContrast(design, config.accessibility.acceptContrastFailures, "tokens.json", "theme.yaml");
    // Only the failures themselves (in tokens.json): a mistake in theme.yaml's acceptances stays an error.
    problems.addAll(options.contrastFailuresAsWarnings
      ? contrastProblems.map((p) => (p.file === "tokens.json" && p.severity === "error" ? { ...p, severity: "warning" as const, message: `${p.message} (theme build would refuse it)` } : p))
      : contrastProblems);
  }

  if (problems.hasErrors || !config || !tokens || !design || !logo) return { problems };
  const tokensDigest = `sha256:${sha256(canonicalJson(Object.fromEntries([...tokens].map(([k, t]) => [k, t.value]))))}`;
  return {
    problems,
    input: {
      dir, config, tokens, tokensDigest, design, logo, templates,
      ...(logoDark ? { logoDark } : {}),
      ...(banner ? { banner } : {}),
      favicon: { ...(faviconSvg ? { svg: faviconSvg } : {}), ...(faviconRaster ? { raster: faviconRaster } : {}) },
    },
  };
}

/** Which of the theme's logos, if any, is the default theme's own (the same drawing once sanitised). */
async function sameAsDefaultLogo(logo: SvgAsset, logoDark: SvgAsset | undefined): Promise<Pick<LogoFacts, "defaultLogo">> {
  for (const [file, asset] of [["logo-dark.svg", logoDark], ["logo.svg", logo]] as const) {
    if (!asset) continue;
    const fallback = await readFile(repoPath("themes", "citelibre", file)).catch(() => undefined);
    const defaultAsset = fallback ? sanitizeSvg(fallback) : undefined;
    if (defaultAsset?.ok && defaultAsset.svg === asset.text) return { defaultLogo: file };
  }
  return {};
}
