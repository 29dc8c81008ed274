/**
 * The overlay of each shipped theme against the theme-citelibre contract, plus determinism and escaping.
 */
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { checkTheme } from "../../../scripts/theme/build.js";
import { hex } from "../../../scripts/theme/color.js";
import { resolveTokens } from "../../../scripts/theme/tokens.js";
import { hookPath } from "../../../scripts/theme/hooks.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import type { FileTree } from "../../../scripts/lib/tree.js";
import { copyTheme, shippedThemes } from "../../helpers/themes.js";
import { sassTimeoutMs } from "../../../scripts/theme/sass-compile.js";

const contract = JSON.parse(await readFile(repoPath("test/fixtures/theme-citelibre-contract.json"), "utf8")) as {
  light: string[]; dark: string[]; variables: string[]; siteProperties: string[]; hooks: string[]; favicons: string[];
};

/** Custom properties declared inside the blocks whose selector matches. */
function declared(css: string, selector: RegExp): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    if (!selector.test(m[1] ?? "")) continue;
    for (const d of (m[2] ?? "").matchAll(/(--[\w-]+)\s*:\s*([^;]+)/g)) found.set(d[1]!, d[2]!.trim());
  }
  return found;
}

describe.each(shippedThemes)("overlay of themes/%s", (name) => {
  let tree: FileTree;
  let css: string;
  beforeAll(async () => {
    const outcome = await checkTheme(repoPath("themes", name), { sassTimeoutMs: sassTimeoutMs(process.env) });
    expect(outcome.problems.filter((p) => p.severity === "error")).toEqual([]);
    tree = outcome.tree!;
    css = tree.get(`webapp/themes/skin/${name}/css/${name}.css`)!.toString();
  });

  it("defines every custom property of theme-citelibre's light and dark themes and _variables.css", () => {
    const light = declared(css, /\[data-bs-theme="?light"?\]/);
    const dark = declared(css, /\[data-bs-theme="?dark"?\]/);
    const root = declared(css, /^\s*:root\s*$/);
    expect(contract.light.filter((n) => !light.has(n))).toEqual([]);
    expect(contract.dark.filter((n) => !dark.has(n))).toEqual([]);
    expect(contract.variables.filter((n) => !root.has(n))).toEqual([]);
  });

  it("derives --main-color from the primary token in both modes", async () => {
    // The primary token as the theme resolves it (exampleville's is an alias of brand.plum).
    const { tokens } = resolveTokens(JSON.parse(await readFile(repoPath("themes", name, "tokens.json"), "utf8")));
    const primary = tokens.get("color.primary")?.value;
    if (primary?.type !== "color") throw new Error(`${name}: color.primary is not a colour`);
    const light = declared(css, /\[data-bs-theme="?light"?\]/).get("--main-color");
    expect(light).toBe(hex(primary.color));
    expect(declared(css, /\[data-bs-theme="?dark"?\]/).get("--main-color")).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("ships the hook files, the favicon set, SQL, the Keycloak theme and a manifest listing every file", () => {
    for (const hook of contract.hooks.filter((h) => /header_css|main_nav|menu_footer|content_header/.test(h))) {
      expect(tree.has(`webapp/WEB-INF/templates/skin/site/${hook}`), hook).toBe(true);
    }
    for (const icon of contract.favicons) expect(tree.has(`webapp/${icon}`), icon).toBe(true);
    expect(tree.get("webapp/favicon.ico")!.readUInt16LE(4)).toBe(3);
    expect(tree.get(`keycloak/themes/${name}/login/theme.properties`)!.toString()).toContain("parent=keycloak.v2");
    const manifest = JSON.parse(tree.get("manifest.json")!.toString()) as { files: Array<{ path: string; size: number }>; theme: { name: string } };
    expect(manifest.theme.name).toBe(name);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([...tree.keys()].filter((p) => p !== "manifest.json").sort());
  });

  it("replaces Lutece's own skin header and footer pages around the rendered hooks, keeping the site's menu, login and search", () => {
    const header = tree.get("lutece-skin/WEB-INF/templates/skin/site/page_header_internal.html")!.toString();
    expect(tree.get("lutece-skin/WEB-INF/templates/skin/site/page_header_home.html")!.toString()).toBe(header);
    // The hooks as rendered, and what the skin's own header provided.
    expect(header).toContain(tree.get(`webapp/${hookPath("main_nav")}`)!.toString());
    expect(header).toContain(tree.get(`webapp/${hookPath("content_header")}`)!.toString());
    expect(header).toContain("<#assign citelibre_menu=page_main_menu!>${page_main_menu_html!citelibre_menu}");
    expect(header).toContain("${pageinclude_userlogin!}");
    expect(header).toMatch(/<form class="cl-skin-search" role="search" action="jsp\/site\/Portal\.jsp"/);
    expect(header).toContain(`href="themes/skin/${name}/css/lutece-skin.css?v&#61;`);
    expect(tree.has(`webapp/themes/skin/${name}/css/lutece-skin.css`)).toBe(true);
    const footer = tree.get("lutece-skin/WEB-INF/templates/skin/site/portal_footer.html")!.toString();
    expect(footer).toContain(tree.get(`webapp/${hookPath("menu_footer")}`)!.toString());
    // Only Lutece's own pages: nothing else of the webapp is replaced on such a site.
    expect([...tree.keys()].filter((p) => p.startsWith("lutece-skin/")).sort()).toEqual([
      "lutece-skin/WEB-INF/templates/skin/site/page_header_home.html",
      "lutece-skin/WEB-INF/templates/skin/site/page_header_internal.html",
      "lutece-skin/WEB-INF/templates/skin/site/portal_footer.html",
    ]);
  });

  it("gives the runtime the site's name and language", async () => {
    const yaml = await readFile(repoPath("themes", name, "theme.yaml"), "utf8");
    const displayName = /^displayName: "?([^"\n]+)"?$/m.exec(yaml)?.[1];
    expect(tree.get("runtime/site.properties")!.toString()).toMatch(new RegExp(`^lutece\\.name=${displayName}$[\\s\\S]*^lutece\\.i18n\\.defaultLocale=fr$`, "m"));
  });

  it("seeds only known theme-citelibre site properties", () => {
    const sql = tree.get("sql/theme.sql")!.toString();
    const keys = [...sql.matchAll(/VALUES \('([^']+)'/g)].map((m) => m[1]!);
    const themeKeys = keys.filter((k) => k.startsWith("themecitelibre.site_property."));
    expect(themeKeys.length).toBeGreaterThan(10);
    expect(themeKeys.filter((k) => !contract.siteProperties.includes(k))).toEqual([]);
  });

  it("makes no third-party request and carries no Paris or State branding", () => {
    const text = [...tree].filter(([p]) => /\.(css|html|svg|sql|webmanifest|properties)$/.test(p)).map(([, c]) => c.toString()).join("\n");
    expect(text).not.toMatch(/fonts\.googleapis|googletagmanager|paris\.fr|Ville de Paris|Mon Paris|Marianne|République française/i);
    expect(text).not.toMatch(/@import/);
  });
});

describe("overlay determinism", () => {
  it("the same input gives a byte-identical tree", async () => {
    const a = await checkTheme(repoPath("themes/exampleville"), { sassTimeoutMs: sassTimeoutMs(process.env) });
    const b = await checkTheme(repoPath("themes/exampleville"), { sassTimeoutMs: sassTimeoutMs(process.env) });
    expect([...b.tree!.keys()]).toEqual([...a.tree!.keys()]);
    for (const [p, content] of a.tree!) expect(b.tree!.get(p)!.equals(content), p).toBe(true);
  });
});

describe("hostile text in theme.yaml", () => {
  it("renders as plain text in hooks and as one escaped value in SQL", async () => {
    const theme = await copyTheme("citelibre", "hostile");
    try {
      const yamlPath = `${theme.dir}/theme.yaml`;
      const hostile = `Quote ' and " and \\\\ then <script>alert(1)</script> \${pwd} <#assign x=1> [#if x] #{y}`;
      let yaml = await readFile(yamlPath, "utf8");
      yaml = yaml.replace("name: citelibre", "name: hostile").replace(/footer:\n {2}title: .*\n/, `footer:\n  title: ${JSON.stringify(hostile)}\n`)
        .replace(/^displayName: .*$/m, `displayName: ${JSON.stringify("Ville </title><script>x</script> #dskey{core.crypto.key}")}`);
      await (await import("node:fs/promises")).writeFile(yamlPath, yaml);
      const outcome = await checkTheme(theme.dir, { sassTimeoutMs: sassTimeoutMs(process.env) });
      expect(outcome.problems.filter((p) => p.severity === "error")).toEqual([]);
      const footer = outcome.tree!.get(`webapp/${hookPath("menu_footer")}`)!.toString();
      const body = footer.replace(/<#--[\s\S]*?-->/, "");
      expect(body).not.toMatch(/<script|\$\{|<#|\[#|#\{/);
      expect(body).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
      // The same text in Lutece's own skin footer, which wraps the hook.
      const skinFooter = outcome.tree!.get("lutece-skin/WEB-INF/templates/skin/site/portal_footer.html")!.toString().replace(/<#--[\s\S]*?-->/g, "");
      expect(skinFooter).not.toMatch(/<script|\$\{|<#|\[#|#\{/);
      expect(skinFooter).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
      const sql = outcome.tree!.get("sql/theme.sql")!.toString();
      // The site name, which Lutece's own skin prints raw in <title> and whose #dskey{} it would expand.
      const name = sql.split("\n").find((l) => l.includes("'portal.site.site_property.name'"))!;
      expect(name).toContain("'Ville &#60;/title&#62;&#60;script&#62;x&#60;/script&#62; &#35;dskey&#123;core.crypto.key&#125;'");
      expect(outcome.tree!.get("runtime/site.properties")!.toString()).toContain("lutece.name=Ville &#60;/title&#62;&#60;script&#62;x&#60;/script&#62; &#35;dskey&#123;core.crypto.key&#125;");
      // Every text of theme.yaml reaches the datastore as HTML text, FreeMarker's and #dskey{'s signs neutralised.
      const line = sql.split("\n").find((l) => l.includes("footer.about.title"))!;
      expect(line).toContain("'Quote &#39; and &#34; and &#92;&#92; then &#60;script&#62;alert(1)&#60;/script&#62; &#36;&#123;pwd&#125; &#60;&#35;assign x&#61;1&#62; &#91;&#35;if x&#93; &#35;&#123;y&#125;'");
      for (const row of sql.split("\n").filter((l) => l.startsWith("INSERT"))) expect(row).not.toMatch(/<script|\$\{|<#|#dskey\{|#i18n\{/);
    } finally {
      await theme.cleanup();
    }
  });
});

describe("banner focus and the name beside the logo", () => {
  it("keeps the part of the photo the city chose, and hides the text name when asked", async () => {
    const theme = await copyTheme("exampleville");
    try {
      const { writeFile } = await import("node:fs/promises");
      const sharp = (await import("sharp")).default;
      await writeFile(`${theme.dir}/banner.jpg`, await sharp({ create: { width: 1600, height: 900, channels: 3, background: "#336699" } }).jpeg().toBuffer());
      const yamlPath = `${theme.dir}/theme.yaml`;
      const yaml = (await readFile(yamlPath, "utf8")).replace("banner:\n", "header:\n  showName: false\nbanner:\n  image: banner.jpg\n  focus: 50% 20%\n");
      await writeFile(yamlPath, yaml);
      const outcome = await checkTheme(theme.dir, { sassTimeoutMs: sassTimeoutMs(process.env) });
      expect(outcome.problems.filter((p) => p.severity === "error")).toEqual([]);
      const banner = outcome.tree!.get(`webapp/${hookPath("content_header")}`)!.toString();
      expect(banner).toMatch(/background-position: 50% 20%"/);
      const nav = outcome.tree!.get(`webapp/${hookPath("main_nav")}`)!.toString();
      expect(nav).not.toContain("cl-brand__name");
      expect(nav).toMatch(/alt="[^"]+"/);
      // By default: centred, name shown.
      const plain = await checkTheme(repoPath("themes", "exampleville"), { sassTimeoutMs: sassTimeoutMs(process.env) });
      expect(plain.tree!.get(`webapp/${hookPath("main_nav")}`)!.toString()).toContain("cl-brand__name");
      const wrong = (await readFile(yamlPath, "utf8")).replace("focus: 50% 20%", "focus: middle");
      await writeFile(yamlPath, wrong);
      const refused = await checkTheme(theme.dir, { sassTimeoutMs: sassTimeoutMs(process.env) });
      expect(refused.problems.map((p) => `${p.field ?? ""}: ${p.message}`).join("\n")).toMatch(/banner\.focus: must be center, top, bottom, left, right/);
    } finally {
      await theme.cleanup();
    }
  });
});
