/**
 * A table of broken theme folders: each must fail `theme check` with exit 1 and a message that names
 * the file, the field and the fix, without a stack trace.
 */
import { appendFile, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { copyTheme, runCli } from "../../helpers/themes.js";

type Mutation = (dir: string) => Promise<void>;

const edit = (file: string, change: (text: string) => string): Mutation => async (dir) => {
  const p = path.join(dir, file);
  await writeFile(p, change(await readFile(p, "utf8")));
};
const write = (file: string, content: string | Buffer): Mutation => async (dir) => {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
};
const remove = (file: string): Mutation => (dir) => rm(path.join(dir, file));
const tokens = (change: (t: Record<string, Record<string, unknown>>) => void): Mutation => async (dir) => {
  const p = path.join(dir, "tokens.json");
  const t = JSON.parse(await readFile(p, "utf8")) as Record<string, Record<string, unknown>>;
  change(t);
  await writeFile(p, JSON.stringify(t, null, 2));
};
const svg = (inner: string) => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">${inner}</svg>`;

const cases: Array<{ name: string; mutate: Mutation; expected: RegExp[] }> = [
  { name: "no theme.yaml", mutate: remove("theme.yaml"), expected: [/theme\.yaml theme\.yaml does not exist/, /fix: add theme\.yaml .*required/] },
  { name: "no tokens.json", mutate: remove("tokens.json"), expected: [/tokens\.json does not exist/] },
  { name: "no logo.svg", mutate: remove("logo.svg"), expected: [/logo\.svg does not exist/, /fix: add logo\.svg/] },
  { name: "YAML syntax error", mutate: edit("theme.yaml", (t) => t.replace("organization:\n  name:", "organization:\nname: x\n   name:")), expected: [/theme\.yaml:\d+:\d+ is not valid YAML/, /fix: correct the syntax/] },
  { name: "JSON trailing comma", mutate: edit("tokens.json", (t) => t.replace('"#ffffff" },', '"#ffffff" },,')), expected: [/tokens\.json:6:\d+ is not valid JSON: a property name in double quotes is expected \(a trailing comma\?\)/] },
  { name: "misspelt top-level key", mutate: edit("theme.yaml", (t) => t.replace("displayName:", "dispalyName:")), expected: [/theme\.yaml:\d+:\d+ dispalyName: is not a known key/, /did you mean displayName\?/, /displayName: is required but missing/] },
  { name: "misspelt nested key", mutate: edit("theme.yaml", (t) => t.replace("  legal:", "  legall:")), expected: [/links\.legall: is not a known key/, /did you mean legal\?/] },
  { name: "theme name with capitals and spaces", mutate: edit("theme.yaml", (t) => t.replace("name: citelibre", "name: Ma Ville")), expected: [/name: must be 2 to 40 lowercase letters/] },
  { name: "javascript: link", mutate: edit("theme.yaml", (t) => t.replace("url: jsp/site/Portal.jsp?page_id=2", "url: \"javascript:alert(document.cookie)\"")), expected: [/links\.legal\.url: must be an https:\/\/ or http:\/\/ address/] },
  { name: "theme.yaml is a list", mutate: write("theme.yaml", "- a\n- b\n"), expected: [/theme\.yaml.*\(document\)/] },
  { name: "colour that is not a colour", mutate: tokens((t) => ((t.color!.primary as Record<string, unknown>).$value = "blue")), expected: [/tokens\.json color\.primary: "blue" is not a hex colour/, /#rrggbb/] },
  { name: "required token missing", mutate: tokens((t) => delete t.color!.text), expected: [/color\.text: is required \(body text\) but missing/] },
  { name: "alias cycle", mutate: tokens((t) => { t.color!.primary = { $value: "{color.secondary}" }; t.color!.secondary = { $value: "{color.primary}" }; }), expected: [/alias cycle: color\.(primary|secondary) -> /] },
  { name: "broken alias", mutate: tokens((t) => (t.color!.primary = { $value: "{color.brand}" })), expected: [/alias \{color\.brand\} points to no token/] },
  { name: "token of the wrong type", mutate: tokens((t) => (t.font = { size: { base: { $type: "number", $value: 16 } } })), expected: [/font\.size\.base: must be a dimension token, found number/] },
  { name: "logo with a script", mutate: write("logo.svg", svg('<script>fetch("https://evil.example")</script><rect width="10" height="10"/>')), expected: [/logo\.svg contains a <script> element/, /without scripts/] },
  { name: "logo with an event handler", mutate: write("logo.svg", svg('<rect width="10" height="10" onload="alert(1)"/>')), expected: [/logo\.svg has an event handler attribute onload/] },
  { name: "logo loading a remote image", mutate: write("logo.svg", svg('<image xlink:href="https://cdn.example/logo.png" width="10" height="10"/>')), expected: [/logo\.svg references an external resource \(https:\/\/cdn\.example\/logo\.png\)/] },
  { name: "logo with entities", mutate: write("logo.svg", `<!DOCTYPE svg [<!ENTITY lol "lol">]>${svg("<text>&lol;</text>")}`), expected: [/logo\.svg declares entities in a DOCTYPE/] },
  { name: "logo that is not SVG", mutate: write("logo.svg", "PNG\x89 binary junk"), expected: [/logo\.svg is not well-formed XML/] },
  { name: "banner path with ..", mutate: edit("theme.yaml", (t) => t.replace("banner:\n", "banner:\n  image: ../../etc/passwd\n")), expected: [/theme\.yaml banner\.image: path "\.\.\/\.\.\/etc\/passwd" goes up with '\.\.' and leaves the theme folder/] },
  { name: "banner absolute path", mutate: edit("theme.yaml", (t) => t.replace("banner:\n", "banner:\n  image: /etc/hostname\n")), expected: [/banner\.image: path "\/etc\/hostname" is an absolute path/] },
  {
    name: "banner symlink out of the theme",
    mutate: async (dir) => {
      await symlink("/etc/hostname", path.join(dir, "banner.jpg"));
      await edit("theme.yaml", (t) => t.replace("banner:\n", "banner:\n  image: banner.jpg\n"))(dir);
    },
    expected: [/banner\.image: path "banner\.jpg" is a symlink that leads outside the theme folder/],
  },
  {
    name: "font symlinked out of the theme",
    mutate: async (dir) => {
      await mkdir(path.join(dir, "fonts"), { recursive: true });
      await symlink("/etc/hostname", path.join(dir, "fonts", "city.woff2"));
      await write("overrides.scss", '@font-face { font-family: City; src: url("fonts/city.woff2"); }\n')(dir);
    },
    expected: [/url\(fonts\/city\.woff2\): .*is a symlink that leads outside the theme folder/],
  },
  { name: "font path going up", mutate: write("overrides.scss", '@font-face { font-family: City; src: url("fonts/../../city.woff2"); }\n'), expected: [/url\(fonts\/\.\.\/\.\.\/city\.woff2\): .*goes up with '\.\.' and leaves the theme folder/] },
  {
    name: "banner that is not an image",
    mutate: async (dir) => {
      await write("banner.jpg", "this is text, not a JPEG")(dir);
      await edit("theme.yaml", (t) => t.replace("banner:\n", "banner:\n  image: banner.jpg\n"))(dir);
    },
    expected: [/banner\.jpg is not a readable PNG, JPEG or WebP image/],
  },
  {
    name: "banner over the pixel limit",
    mutate: async (dir) => {
      const huge = await sharp({ create: { width: 10000, height: 5100, channels: 3, background: "#336699" } }).png({ compressionLevel: 1 }).toBuffer();
      await write("banner.png", huge)(dir);
      await edit("theme.yaml", (t) => t.replace("banner:\n", "banner:\n  image: banner.png\n"))(dir);
    },
    expected: [/banner\.png (is 10000x5100 pixels, over the 50 megapixel limit|is not a readable)/],
  },
  { name: "favicon.png that is not an image", mutate: write("favicon.png", "GIF89a not really"), expected: [/favicon\.png is not a readable PNG, JPEG or WebP image/] },
  { name: "text colour too pale", mutate: tokens((t) => ((t.color!.text as Record<string, unknown>).$value = "#aaaaaa")), expected: [/\[light\/text-on-background\] contrast of body text on the page background is 2\.32:1/, /acceptContrastFailures/] },
  { name: "white text on a pale primary", mutate: tokens((t) => { t.color!.primary = { $value: "#7fb2e5" }; t.color!["on-primary"] = { $value: "#ffffff" }; }), expected: [/\[light\/button-text-on-primary\]/] },
  { name: "unknown contrast check accepted", mutate: edit("theme.yaml", (t) => `${t}\naccessibility:\n  acceptContrastFailures:\n    - check: light/everything\n      reason: because\n`), expected: [/acceptContrastFailures\.0\.check: "light\/everything" is not a contrast check/] },
  { name: "Google Fonts import", mutate: write("overrides.scss", '@import url("https://fonts.googleapis.com/css2?family=Inter");\nbody { color: red; }\n'), expected: [/overrides\.scss @import .*fonts\.googleapis\.com.*third-party request/] },
  { name: "remote font file", mutate: write("overrides.scss", '@font-face { font-family: City; src: url("https://cdn.example/city.woff2"); }\n'), expected: [/overrides\.scss url\(https:\/\/cdn\.example\/city\.woff2\): points outside the theme/, /GDPR/] },
  { name: "missing local font file", mutate: write("overrides.scss", '@font-face { font-family: City; src: url("fonts/city.woff2"); }\n'), expected: [/url\(fonts\/city\.woff2\): the referenced file does not exist/] },
  { name: "Sass syntax error", mutate: write("overrides.scss", "body {\n  color: $no-such-token;\n}\n"), expected: [/overrides\.scss:2:\d+ Sass error: Undefined variable/] },
  { name: "Sass load outside the theme", mutate: write("overrides.scss", '@use "../../../etc/secret";\n'), expected: [/overrides\.scss:1:\d+ Sass error: Can't find stylesheet/] },
  { name: "unknown template name", mutate: write("templates/footer.hbs", "<footer></footer>"), expected: [/templates\/footer\.hbs is not a known hook template/, /menu_footer\.hbs/] },
  { name: "template using an unknown variable", mutate: write("templates/main_nav.hbs", "<div>{{mayor.name}}</div>"), expected: [/templates\/main_nav\.hbs:1:8 template error: "name" is not a variable the template receives/] },
];

describe("theme check on broken theme folders", () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it.each(cases)("$name", async ({ mutate, expected }) => {
    const theme = await copyTheme();
    cleanup = theme.cleanup;
    await mutate(theme.dir);
    const r = await runCli(["theme", "check", theme.dir]);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    for (const pattern of expected) expect(out).toMatch(pattern);
    expect(out).toMatch(/fix: /);
    expect(out).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(out).toContain(`${theme.dir}/`);
  });

  it("reports every problem at once, not only the first", async () => {
    const theme = await copyTheme();
    cleanup = theme.cleanup;
    await edit("theme.yaml", (t) => t.replace("displayName:", "dispalyName:"))(theme.dir);
    await tokens((t) => ((t.color!.primary as Record<string, unknown>).$value = "blue"))(theme.dir);
    await write("logo.svg", svg("<script/>"))(theme.dir);
    const r = await runCli(["theme", "check", "--json", theme.dir].slice(0, 2).concat(theme.dir));
    expect(r.code).toBe(1);
    const json = await runCli(["--json", "theme", "check", theme.dir]);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; problems: Array<{ file: string; severity: string }> };
    expect(parsed.valid).toBe(false);
    expect(new Set(parsed.problems.filter((p) => p.severity === "error").map((p) => p.file))).toEqual(new Set(["theme.yaml", "tokens.json", "logo.svg"]));
  });

  it("a documented acceptance turns a contrast failure into a warning", async () => {
    const theme = await copyTheme();
    cleanup = theme.cleanup;
    await tokens((t) => ((t.color!.muted as Record<string, unknown>).$value = "#8a8f96"))(theme.dir);
    await appendFile(path.join(theme.dir, "theme.yaml"), "\naccessibility:\n  acceptContrastFailures:\n    - check: light/muted-on-background\n      reason: brand guideline under review with the RGAA auditor\n");
    const r = await runCli(["theme", "check", theme.dir]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/warning: .*light\/muted-on-background.*accepted: brand guideline under review/);
  });

  it("a folder that does not exist is a clear error", async () => {
    const r = await runCli(["theme", "check", "/nonexistent/theme"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/theme is not a theme folder .*`citelibre theme new/);
  });
});
