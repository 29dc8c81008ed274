/**
 * The real Lutece 7.0.6 web application (third-party test data in ../shared/fixtures/, never copied into
 * this repository), and the ways tests look at a site built from it: copies with extra files, Chromium,
 * the back-office login form, SQL inside a container.
 */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sha256File } from "../../scripts/lib/hash.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { chromiumFlags, findChromium } from "../../scripts/theme/preview.js";
import { engine } from "./containers.js";

export const fixtureSha256 = "118c7da4c5dd81ab8f5d90974e37cb432108a0730de281daaef59470372a6b53";

/**
 * The fixture WAR: CITELIBRE_LUTECE_WAR, else ../shared/fixtures beside this checkout. Undefined (with the
 * reason) when it is not on this machine; a file with other bytes is an error, not a skip.
 */
export async function luteceWar(): Promise<{ war?: string; reason?: string }> {
  const war = process.env.CITELIBRE_LUTECE_WAR ?? repoPath("..", "shared", "fixtures", "lutece-core-7.0.6", "lutece-core-7.0.6.war");
  if (!existsSync(war)) return { reason: `the real Lutece 7.0.6 WAR is not on this machine (looked for ${war}; set CITELIBRE_LUTECE_WAR)` };
  const sha = await sha256File(war);
  if (sha !== fixtureSha256) throw new Error(`${war} has sha256 ${sha}, not the fixture's ${fixtureSha256}`);
  return { war };
}

/** A copy of a WAR with files added or replaced (paths inside the WAR), in a temporary folder. */
export async function warWith(war: string, files: Record<string, string>): Promise<{ war: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-war-"));
  const copy = path.join(dir, "site.war");
  await copyFile(war, copy);
  const tree = path.join(dir, "tree");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tree, name)), { recursive: true });
    await writeFile(path.join(tree, name), content);
  }
  await execa("jar", ["--update", "--file", copy, "-C", tree, ...Object.keys(files).map((f) => f.split("/")[0] ?? f).filter((v, i, a) => a.indexOf(v) === i)]);
  return { war: copy, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** SQL as root inside a container that runs MariaDB (all-in-one or database role), through its socket. */
export async function sqlIn(container: string, sql: string, database = "lutece"): Promise<string> {
  return (await engine.raw(["exec", container, "mariadb", "--no-defaults", "--socket=/run/citelibre/mysqld/mysqld.sock", "-uroot", "--batch", "--skip-column-names", database, "-e", sql])).stdout;
}

export interface PageLook {
  title: string;
  /** The startup failure page of Lutece (title "Erreur de démarrage" in French) or the real portal. */
  failurePage: boolean;
  logoSrc: string;
  logoWidth: number;
  /** Computed background colour of the site menu bar (Lutece skin) in rgb() form. */
  menuBackground: string;
  footerLinks: string[];
  /** Requests that tried to leave 127.0.0.1 (aborted). */
  offLoopback: string[];
  screenshot: Buffer;
}

/** Opens a page in headless Chromium at a fixed size; no request may leave loopback. */
export async function lookAt(url: string): Promise<PageLook> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumFlags, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const offLoopback: string[] = [];
    await page.route("**/*", async (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.protocol === "data:") await route.continue();
      else {
        offLoopback.push(u.href);
        await route.abort();
      }
    });
    await page.goto(url, { waitUntil: "networkidle" });
    const seen = await page.evaluate(() => {
      const logo = document.querySelector<HTMLImageElement>("img.cl-brand__logo--light");
      const menu = document.querySelector(".cl-skin-menu");
      return {
        title: document.title,
        failurePage: /Erreur de d[ée]marrage|Startup error/i.test(document.body.innerText),
        logoSrc: logo?.currentSrc ?? "",
        logoWidth: logo?.naturalWidth ?? 0,
        menuBackground: menu ? getComputedStyle(menu).backgroundColor : "",
        footerLinks: Array.from(document.querySelectorAll<HTMLAnchorElement>(".cl-footer__links a"), (a) => a.href),
      };
    });
    const screenshot = await page.screenshot({ fullPage: false });
    return { ...seen, offLoopback, screenshot };
  } finally {
    await browser.close();
  }
}

/** Logs in through the back office's real form; returns the page it lands on. */
export async function backOfficeLogin(siteBase: string, accessCode: string, password: string): Promise<{ url: string; loggedIn: boolean }> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumFlags, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${siteBase}/jsp/admin/AdminLogin.jsp`, { waitUntil: "load" });
    await page.fill("#access_code", accessCode);
    await page.fill("#password", password);
    // The form posts to DoAdminLogin.jsp, which redirects: wait until the browser has left the form.
    await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/AdminLogin.jsp") && !u.pathname.endsWith("/DoAdminLogin.jsp"), { waitUntil: "load" }), page.click("button[type=submit]")]);
    const url = page.url();
    // AdminMenu.jsp is the back office's home; a refused login lands on AdminMessage.jsp or the form again.
    return { url, loggedIn: /\/jsp\/admin\/AdminMenu\.jsp/.test(url) };
  } finally {
    await browser.close();
  }
}
