/**
 * Looking at a running site in headless Chromium, as a visitor or an administrator would: what the page
 * shows (title, logo, colours, footer links, the failure page or not), the requests that tried to leave
 * 127.0.0.1, a screenshot; and the back office's real login form.
 */
import type { Page } from "playwright-core";
import { chromiumFlags, findChromium } from "../../scripts/theme/preview.js";

export interface PageLook {
  title: string;
  /** The computed --main-color of the page's body (the theme's primary colour). */
  mainColor: string;
  /** The stand-in site's notice is on the page. */
  standIn: boolean;
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

/**
 * A page of headless Chromium in which every request that would leave this machine (anything but
 * 127.0.0.1, localhost and data:) is aborted and recorded in `offLoopback`; the browser closes after `use`.
 */
export async function withLoopbackPage<T>(viewport: { width: number; height: number }, use: (page: Page, offLoopback: string[]) => Promise<T>): Promise<T> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(process.env), args: chromiumFlags, headless: true });
  try {
    const context = await browser.newContext({ viewport });
    const offLoopback: string[] = [];
    await context.route("**/*", async (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.protocol === "data:") await route.continue();
      else {
        offLoopback.push(u.href);
        await route.abort();
      }
    });
    return await use(await context.newPage(), offLoopback);
  } finally {
    await browser.close();
  }
}

/** Opens a page in headless Chromium at a fixed size; no request may leave loopback. */
export async function lookAt(url: string): Promise<PageLook> {
  return withLoopbackPage({ width: 1280, height: 900 }, async (page, offLoopback) => {
    await page.goto(url, { waitUntil: "networkidle" });
    const seen = await page.evaluate(() => {
      const logo = document.querySelector<HTMLImageElement>("img.cl-brand__logo--light");
      const menu = document.querySelector(".cl-skin-menu");
      return {
        title: document.title,
        mainColor: getComputedStyle(document.body).getPropertyValue("--main-color").trim(),
        standIn: document.getElementById("stand-in") !== null,
        failurePage: /Erreur de d[ée]marrage|Startup error/i.test(document.body.innerText),
        logoSrc: logo?.currentSrc ?? "",
        logoWidth: logo?.naturalWidth ?? 0,
        menuBackground: menu ? getComputedStyle(menu).backgroundColor : "",
        footerLinks: Array.from(document.querySelectorAll<HTMLAnchorElement>(".cl-footer__links a"), (a) => a.href),
      };
    });
    const screenshot = await page.screenshot({ fullPage: false });
    return { ...seen, offLoopback, screenshot };
  });
}

/** Logs in through the back office's real form; returns the page it lands on. */
export async function backOfficeLogin(siteBase: string, accessCode: string, password: string): Promise<{ url: string; loggedIn: boolean }> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChromium(process.env), args: chromiumFlags, headless: true });
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
