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
import { parseJsonText, parseYamlText, type ParseResult } from "../lib/json-source.js";
import { resolveInsideTheme } from "./paths.js";
import { sanitizeSvg } from "./svg.js";
import { resolveTokens, type TokenSet } from "./tokens.js";
import { closest, type Locate } from "../lib/validate.js";
import { repoPath } from "../lib/repo.js";
import { canonicalJson, sha256 } from "../lib/hash.js";
import { ProblemList, UserError, type Problem } from "../lib/problems.js";

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
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`${dir} is not a theme folder (it does not exist or is not a directory). Create one with \`citelibre theme new <name>\`.`);
  }
  const folder = new ThemeFolder(dir);
  const problems = folder.problems;
  const config = await readConfig(folder);
  const { tokens, design } = await readTokens(folder);
  const logo = await readSvg(folder, "logo.svg", true);
  const logoDark = await readSvg(folder, "logo-dark.svg", false);
  const favicon = await readFavicon(folder);
  const banner = config?.banner.image !== undefined ? await readBanner(folder, config.banner.image) : undefined;
  // The stylesheet is compiled later, by Sass: checked here as a regular file of sane size.
  await folder.text("overrides.scss", false);
  const templates = await readTemplates(folder);

  if (config && logo) {
    problems.addAll(themeAdvice(config, {
      ...(await sameAsDefaultLogo(logo, logoDark)),
      ...(!favicon.svg && !favicon.raster ? { iconSourceRatio: logo.width / logo.height } : {}),
    }));
  }
  if (design && config) problems.addAll(contrastFindings(design, config, options));

  if (problems.hasErrors || !config || !tokens || !design || !logo) return { problems };
  return {
    problems,
    input: {
      dir, config, tokens, tokensDigest: tokensDigestOf(tokens), design, logo, templates,
      ...(logoDark ? { logoDark } : {}),
      ...(banner ? { banner } : {}),
      favicon,
    },
  };
}

/** The theme folder being read, and every problem found in it so far. */
class ThemeFolder {
  readonly problems = new ProblemList();

  constructor(readonly dir: string) {}

  /**
   * Reads a file named by the theme, refusing paths and symlinks that leave the folder, and files over
   * the largest size any theme file may have, by their size on disk before a byte is read.
   */
  async file(rel: string, field: string | undefined, required: boolean, referencedFrom?: string): Promise<Buffer | undefined> {
    const resolved = resolveInsideTheme(this.dir, rel);
    if (!resolved.ok) {
      if (resolved.reason === "does not exist" && !required) return undefined;
      this.problems.error({
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
      this.problems.error({ file: referencedFrom ?? rel, ...(field ? { field } : {}), message: `${referencedFrom ? `${rel} ` : ""}is ${(size / 1048576).toFixed(1)} MiB, over the ${maxThemeFileBytes / 1048576} MiB any theme file may take`, fix: "export it smaller" });
      return undefined;
    }
    return readFile(resolved.absolute);
  }

  async text(rel: string, required: boolean): Promise<string | undefined> {
    const data = await this.file(rel, undefined, required);
    if (!data) return undefined;
    if (data.length > maxTextFileBytes) {
      this.problems.error({ file: rel, message: `is larger than ${maxTextFileBytes / 1024} KiB`, fix: "keep it small; it holds settings, not data" });
      return undefined;
    }
    return data.toString("utf8");
  }
}

/** How a settings file is written, and how to repair a syntax error in it. */
interface SettingsSyntax {
  name: string;
  parse: (text: string) => ParseResult<unknown>;
  fix: string;
}

const yamlSyntax: SettingsSyntax = {
  name: "YAML",
  parse: parseYamlText,
  fix: "correct the syntax at that line (indentation with spaces, a colon after each key, quotes around text with ': ' or '#')",
};

const jsonSyntax: SettingsSyntax = {
  name: "JSON",
  parse: parseJsonText,
  fix: "correct the syntax at that line (double quotes around names and text, no trailing commas, no comments)",
};

/** A required settings file, parsed; a syntax error is reported at its line. */
async function readSettings(folder: ThemeFolder, rel: string, syntax: SettingsSyntax): Promise<{ value: unknown; locate: Locate } | undefined> {
  const text = await folder.text(rel, true);
  if (text === undefined) return undefined;
  const parsed = syntax.parse(text);
  if (!parsed.ok) {
    folder.problems.error({ file: rel, ...parsed.position, message: `is not valid ${syntax.name}: ${parsed.message}`, fix: syntax.fix });
    return undefined;
  }
  return parsed;
}

async function readConfig(folder: ThemeFolder): Promise<ThemeConfig | undefined> {
  const parsed = await readSettings(folder, "theme.yaml", yamlSyntax);
  if (!parsed) return undefined;
  const { config, problems } = validateThemeConfig(parsed.value, "theme.yaml", parsed.locate);
  folder.problems.addAll(problems);
  const folderName = path.basename(path.resolve(folder.dir));
  if (config && config.name !== folderName) {
    folder.problems.warning({ file: "theme.yaml", field: "name", message: `"${config.name}" differs from the folder name "${folderName}"`, fix: "rename the folder or the theme so they match; the overlay uses the name from theme.yaml" });
  }
  return config;
}

async function readTokens(folder: ThemeFolder): Promise<{ tokens?: TokenSet; design?: Design }> {
  const parsed = await readSettings(folder, "tokens.json", jsonSyntax);
  if (!parsed) return {};
  const { tokens, problems } = resolveTokens(parsed.value, "tokens.json");
  folder.problems.addAll(problems);
  const derived = deriveDesign(tokens, "tokens.json");
  folder.problems.addAll(derived.problems);
  return derived.design ? { tokens, design: derived.design } : { tokens };
}

async function readSvg(folder: ThemeFolder, rel: string, required: boolean): Promise<SvgAsset | undefined> {
  const data = await folder.file(rel, undefined, required);
  if (!data) return undefined;
  const r = sanitizeSvg(data);
  if (!r.ok) {
    for (const reason of r.reasons) {
      folder.problems.error({ file: rel, message: reason, fix: "export the logo again as a plain SVG (in Inkscape: Save as > Optimized SVG) without scripts, animation, links to other files or web addresses, and without a DOCTYPE" });
    }
    return undefined;
  }
  // Embedded raster images are decoded when the logo is drawn: bounded before anything draws it.
  for (const image of r.embeddedImages) {
    const check = await inspectRaster(image, maxEmbeddedPixels);
    if (!check.ok) {
      folder.problems.error({ file: rel, message: `embeds an image that ${check.reason}`, fix: `embed images of at most ${maxEmbeddedPixels / 1e6} megapixels (a logo is drawn at a few hundred pixels), or draw the logo as vector shapes` });
      return undefined;
    }
  }
  for (const warning of r.warnings) folder.problems.warning({ file: rel, ...warning });
  return { text: r.svg, width: r.width, height: r.height };
}

/** favicon.svg, else favicon.png (read only when there is no SVG), else neither: the logo serves. */
async function readFavicon(folder: ThemeFolder): Promise<ThemeInput["favicon"]> {
  const svg = await readSvg(folder, "favicon.svg", false);
  if (svg) return { svg };
  const png = await folder.file("favicon.png", undefined, false);
  if (!png) return {};
  const r = await inspectRaster(png);
  if (!r.ok) {
    folder.problems.error({ file: "favicon.png", message: r.reason, fix: r.fix });
    return {};
  }
  if (r.width < 180 || r.height < 180) {
    folder.problems.warning({ file: "favicon.png", message: `is ${r.width}x${r.height}; icons up to 512x512 are produced from it and will look blurred`, fix: "provide favicon.svg, or a square PNG of at least 512x512" });
    return {};
  }
  return { raster: png };
}

async function readBanner(folder: ThemeFolder, rel: string): Promise<Buffer | undefined> {
  const data = await folder.file(rel, "banner.image", true, "theme.yaml");
  if (!data) return undefined;
  const r = await inspectRaster(data);
  if (!r.ok) {
    folder.problems.error({ file: rel, message: r.reason, fix: r.fix });
    return undefined;
  }
  return data;
}

/** templates/<hook>.hbs, the theme's overrides of the built-in hook templates; the folder is optional. */
async function readTemplates(folder: ThemeFolder): Promise<Partial<Record<HookName, string>>> {
  const templates: Partial<Record<HookName, string>> = {};
  const templateDir = resolveInsideTheme(folder.dir, "templates", "directory");
  if (!templateDir.ok && templateDir.reason !== "does not exist") {
    folder.problems.error({ file: "templates", message: templateDir.reason, fix: "templates/ is a folder of hook templates (templates/<hook>.hbs) inside the theme folder; remove it if the theme has none" });
  }
  const entries = templateDir.ok ? await readdir(templateDir.absolute) : [];
  const hookFiles = hookNames.map((h) => `${h}.hbs`);
  // A handful of hooks exist: a folder of thousands of entries is a mistake, reported once.
  if (entries.length > maxTemplateEntries) {
    folder.problems.error({ file: "templates", message: `holds ${entries.length} entries; there are only ${hookNames.length} hooks`, fix: `keep only the hook templates: ${hookFiles.join(", ")}` });
    return templates;
  }
  for (const entry of entries) {
    const hook = entry.replace(/\.hbs$/, "");
    if (!entry.endsWith(".hbs") || !(hookNames as readonly string[]).includes(hook)) {
      folder.problems.error({
        file: `templates/${entry}`,
        message: "is not a known hook template",
        fix: `name it after one of the hooks: ${hookFiles.join(", ")}${closest(entry, hookFiles)}`,
      });
      continue;
    }
    const text = await folder.text(`templates/${entry}`, true);
    if (text !== undefined) templates[hook as HookName] = text;
  }
  return templates;
}

function contrastFindings(design: Design, config: ThemeConfig, options: LoadOptions): Problem[] {
  const findings = checkContrast(design, config.accessibility.acceptContrastFailures, "tokens.json", "theme.yaml");
  if (!options.contrastFailuresAsWarnings) return findings;
  // Only the failures themselves (in tokens.json): a mistake in theme.yaml's acceptances stays an error.
  return findings.map((p) => (p.file === "tokens.json" && p.severity === "error" ? { ...p, severity: "warning" as const, message: `${p.message} (theme build would refuse it)` } : p));
}

function tokensDigestOf(tokens: TokenSet): string {
  return `sha256:${sha256(canonicalJson(Object.fromEntries([...tokens].map(([k, t]) => [k, t.value]))))}`;
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
