/**
 * Compiles a validated theme into the overlay tree:
 *   webapp/     files laid over the Lutece webapp root (skin CSS and images, favicons, FreeMarker hooks)
 *   lutece-skin/ files laid over it too on a site without theme-citelibre (Lutece's own skin pages)
 *   runtime/    site.properties: the site name and language the runtime writes into conf/override
 *   sql/        theme.sql, idempotent upserts into core_datastore
 *   keycloak/   a login theme
 *   manifest.json
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { hex } from "./color.js";
import { compileCss, type CompiledCss } from "./css.js";
import { hookNames, hookPath, hookView, luteceSkinPages, renderTemplate, skinPageView, type HookName } from "./hooks.js";
import { bannerMaxWidth, bannerRenders, icoFromPngs, logoHeight, squareIcon, svgToPng, toWebp } from "./images.js";
import { keycloakTheme } from "./keycloak.js";
import { propertiesValue } from "./escape.js";
import type { ThemeInput } from "./load.js";
import { overlayManifest, type OverlayManifest } from "./manifest.js";
import { freemarkerHtml } from "./escape.js";
import { siteProperties, themeSql } from "./sql.js";
import { checkRenderedTemplate, checkTemplateSource } from "./template-guard.js";
import { sha256 } from "../lib/hash.js";
import type { Problem } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { addFile, type FileTree } from "../lib/tree.js";

export const generator = "citelibre-forge";

export interface CompileResult {
  tree?: FileTree;
  manifest?: OverlayManifest;
  problems: Problem[];
}

export async function compileTheme(input: ThemeInput, options: { sassTimeoutMs: number }): Promise<CompileResult> {
  const { config, design } = input;
  const name = config.name;
  const skin = `webapp/themes/skin/${name}`;
  const tree: FileTree = new Map();

  // Sass runs in its own process and sharp in libvips threads: start both, then wait for both.
  const [css, images] = await Promise.all([
    compileCss({ themeDir: input.dir, themeName: name, tokens: input.tokens, design, sassTimeoutMs: options.sassTimeoutMs }),
    renderImagesOrExplain(input, skin),
  ]);
  const problems: Problem[] = [...css.problems, ...images.problems];
  if (!css.result) return { problems };
  for (const [p, content] of [...images.tree]) addFile(tree, p, content);
  const stylesheets = await addStylesheets(tree, input, skin, css.result);

  const logoBox = { width: Math.round((input.logo.width / input.logo.height) * logoHeight), height: logoHeight };
  const view = hookView({
    config,
    ...stylesheets,
    themeColor: hex(design.light.primary),
    logo: { src: `themes/skin/${name}/images/logo.svg`, srcDark: `themes/skin/${name}/images/${input.logoDark ? "logo-dark" : "logo"}.svg`, ...logoBox },
    bannerSrc: images.bannerSrc,
  });
  const rendered = await addHooks(tree, input, view, problems);
  if (problems.some((p) => p.severity === "error")) return { problems };
  await addLuteceSkinPages(tree, skinPageView(view, rendered));
  addFile(tree, "runtime/site.properties", siteRuntimeProperties(config.displayName, config.locale));

  addFile(tree, "sql/theme.sql", themeSql(name, siteProperties(config, design, images.bannerSrc)));

  addKeycloakTheme(tree, input);

  const manifest = overlayManifest(tree, { name, version: config.version, displayName: config.displayName }, input.tokensDigest, generator);
  addFile(tree, "manifest.json", JSON.stringify(manifest, null, 2) + "\n");
  return { tree, manifest, problems };
}

/**
 * The theme's stylesheet, the files it references and Lutece's skin stylesheet. Returns the addresses
 * the hooks link them by, each with a digest of the file so that a browser fetches a changed one again.
 */
async function addStylesheets(tree: FileTree, input: ThemeInput, skin: string, css: CompiledCss): Promise<{ cssHref: string; skinCssHref: string }> {
  const name = input.config.name;
  addFile(tree, `${skin}/css/${name}.css`, css.css);
  addFile(tree, `${skin}/css/${name}.min.css`, css.minCss);
  addFile(tree, `${skin}/css/${name}.min.css.map`, css.map);
  for (const [rel, target] of css.assets) {
    addFile(tree, `${skin}/${target}`, await readFile(path.join(input.dir, rel)));
  }
  const skinCss = await readFile(repoPath("scripts/theme/styles/lutece-skin.css"));
  addFile(tree, `${skin}/css/lutece-skin.css`, skinCss);
  return {
    cssHref: `themes/skin/${name}/css/${name}.min.css?v=${sha256(css.minCss).slice(0, 12)}`,
    skinCssHref: `themes/skin/${name}/css/lutece-skin.css?v=${sha256(skinCss).slice(0, 12)}`,
  };
}

/** The FreeMarker hooks, each from the theme's template or the built-in one; returns those rendered. */
async function addHooks(tree: FileTree, input: ThemeInput, view: Record<string, unknown>, problems: Problem[]): Promise<Record<HookName, string>> {
  const rendered = {} as Record<HookName, string>;
  for (const hook of hookNames) {
    const html = await renderHook(hook, input.templates[hook], view, problems);
    if (html === undefined) continue;
    rendered[hook] = html;
    addFile(tree, `webapp/${hookPath(hook)}`, html);
  }
  return rendered;
}

/** One hook's HTML, or undefined with the problems that stop it added to problems. */
async function renderHook(hook: HookName, override: string | undefined, view: Record<string, unknown>, problems: Problem[]): Promise<string | undefined> {
  const source = override ?? (await readFile(repoPath("scripts/theme/templates", `${hook}.hbs`), "utf8"));
  // The theme's own templates are data: nothing in them may run or load (template-guard.ts).
  const sourceFindings = override !== undefined ? checkTemplateSource(override) : [];
  for (const f of sourceFindings) {
    problems.push({ severity: "error", file: `templates/${hook}.hbs`, ...(f.line ? { line: f.line } : {}), message: f.message, fix: f.fix });
  }
  if (sourceFindings.length > 0) return undefined;
  const result = renderTemplate(source, view);
  if (!result.ok) {
    problems.push({
      severity: "error", file: override ? `templates/${hook}.hbs` : `(built-in ${hook}.hbs)`, ...(result.line ? { line: result.line } : {}), ...(result.column ? { column: result.column } : {}),
      message: `template error: ${result.message}`,
      fix: "use only the variables listed in docs/theming.md (Template overrides) and the helpers if, unless, each and with",
    });
    return undefined;
  }
  if (override !== undefined) {
    const renderedFindings = checkRenderedTemplate(result.html);
    for (const f of renderedFindings) problems.push({ severity: "error", file: `templates/${hook}.hbs`, message: f.message, fix: f.fix });
    if (renderedFindings.length > 0) return undefined;
  }
  return result.html;
}

async function addLuteceSkinPages(tree: FileTree, skinView: Record<string, unknown>): Promise<void> {
  for (const [page, template] of Object.entries(luteceSkinPages)) {
    const result = renderTemplate(await readFile(repoPath("scripts/theme/templates/lutece-skin", `${template}.hbs`), "utf8"), skinView);
    // The built-in templates use only the view's variables: a failure here is a bug, not the theme's doing.
    if (!result.ok) throw new Error(`lutece-skin/${template}.hbs: ${result.message}`);
    addFile(tree, `lutece-skin/${page}`, result.html);
  }
}

function addKeycloakTheme(tree: FileTree, input: ThemeInput): void {
  const { name, displayName } = input.config;
  const kc = keycloakTheme(name, displayName, input.design);
  const kcRoot = `keycloak/themes/${name}/login`;
  addFile(tree, `${kcRoot}/theme.properties`, kc.properties);
  addFile(tree, `${kcRoot}/resources/css/${name}.css`, kc.css);
  addFile(tree, `${kcRoot}/resources/img/logo.svg`, input.logo.text);
}

/**
 * Lutece's own site settings a theme decides: the site's name and default language. The runtime writes
 * them into WEB-INF/conf/override at start, under what the environment sets (LUTECE_DEFAULT_LANG).
 * lutece.name is plain text to Lutece 7 (a mail subject); the name its pages print comes from the
 * datastore (theme.sql), escaped there.
 */
export function siteRuntimeProperties(displayName: string, locale: string): string {
  const language = locale.split("-")[0] ?? locale;
  return [
    "# Site settings from the theme, generated by citelibre-forge; the runtime adds them to conf/override at start.",
    // Lutece prints the site name into pages of its own (the back office's header): HTML text, like the datastore's.
    `lutece.name=${propertiesValue(freemarkerHtml(displayName))}`,
    `lutece.i18n.defaultLocale=${propertiesValue(language)}`,
    "",
  ].join("\n");
}

interface RenderedImages {
  tree: FileTree;
  bannerSrc?: string;
  problems: Problem[];
}

function renderImagesOrExplain(input: ThemeInput, skin: string): Promise<RenderedImages> {
  // libvips refuses what the loader's limits let through only in odd cases: said plainly, never a stack trace.
  return renderImages(input, skin).catch((e: unknown) => ({
    tree: new Map() as FileTree,
    bannerSrc: undefined,
    problems: [{
      severity: "error" as const, file: "logo.svg",
      message: `could not be drawn: ${(e as Error).message}`,
      fix: "export the logo again as a plain SVG of ordinary size (a viewBox of a few hundred units), without embedded images",
    }],
  }));
}

/** Logos, favicon set and banner: the raster half of the overlay. */
async function renderImages(input: ThemeInput, skin: string): Promise<RenderedImages> {
  const { config, design } = input;
  const name = config.name;
  const tree: FileTree = new Map();
  const problems: Problem[] = [];
  // Logos: sanitised SVG plus PNG and WebP at 1x and 2x for places that cannot use SVG.
  const logoRenders = async (base: string, svg: ThemeInput["logo"]) => {
    addFile(tree, `${skin}/images/${base}.svg`, svg.text);
    for (const [suffix, height] of [["", logoHeight], ["@2x", logoHeight * 2]] as const) {
      const png = await svgToPng(svg.text, svg.width, svg.height, { height });
      addFile(tree, `${skin}/images/${base}${suffix}.png`, png);
      addFile(tree, `${skin}/images/${base}${suffix}.webp`, await toWebp(png));
    }
  };
  await logoRenders("logo", input.logo);
  if (input.logoDark) await logoRenders("logo-dark", input.logoDark);

  // Favicon set at the webapp root, where page_frameset.html links it.
  // favicon.svg, else favicon.png, else the logo.
  const faviconRaster = input.favicon.svg ? undefined : input.favicon.raster;
  const faviconSvg = faviconRaster ? undefined : (input.favicon.svg ?? input.logo);
  const icon = (size: number) => squareIcon(faviconRaster ? { raster: faviconRaster } : { svg: faviconSvg ?? input.logo }, size);
  const [i16, i32, i48, i180, i192, i512] = await Promise.all([16, 32, 48, 180, 192, 512].map(icon)) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  addFile(tree, "webapp/favicon.ico", icoFromPngs([{ size: 16, png: i16 }, { size: 32, png: i32 }, { size: 48, png: i48 }]));
  addFile(tree, "webapp/favicon-16x16.png", i16);
  addFile(tree, "webapp/favicon-32x32.png", i32);
  addFile(tree, "webapp/apple-touch-icon.png", i180);
  addFile(tree, "webapp/android-chrome-192x192.png", i192);
  addFile(tree, "webapp/android-chrome-512x512.png", i512);
  if (faviconSvg) addFile(tree, "webapp/favicon.svg", faviconSvg.text);
  addFile(tree, "webapp/safari-pinned-tab.svg", (faviconSvg ?? input.logo).text);
  addFile(
    tree,
    "webapp/site.webmanifest",
    JSON.stringify(
      {
        name: config.displayName,
        short_name: config.displayName.length <= 12 ? config.displayName : config.displayName.slice(0, 12).trimEnd(),
        lang: config.locale,
        start_url: "jsp/site/Portal.jsp",
        display: "standalone",
        theme_color: hex(design.light.primary),
        background_color: hex(design.light.background),
        icons: [
          { src: "android-chrome-192x192.png", sizes: "192x192", type: "image/png" },
          { src: "android-chrome-512x512.png", sizes: "512x512", type: "image/png" },
        ],
      },
      null,
      2,
    ) + "\n",
  );

  // Banner
  let bannerSrc: string | undefined;
  if (input.banner) {
    const b = await bannerRenders(input.banner);
    addFile(tree, `${skin}/images/banner.webp`, b.webp);
    addFile(tree, `${skin}/images/banner.jpg`, b.jpeg);
    bannerSrc = `themes/skin/${name}/images/banner.webp`;
    if (b.downscaled) {
      problems.push({ severity: "warning", file: config.banner.image ?? "banner", message: `is wider than the ${bannerMaxWidth} pixels a banner needs: the site gets a copy scaled to ${b.width}x${b.height} (your file stays as it is)`, fix: `none needed; export it ${bannerMaxWidth} pixels wide to save build time` });
    }
  }

  return { tree, problems, ...(bannerSrc ? { bannerSrc } : {}) };
}
