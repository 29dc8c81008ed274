/**
 * The tests' own Lutece plugin (test/fixtures/plugins/citelibretest), compiled with the JDK against the real
 * site and added to a copy of it, and the tests' own bundle that names it.
 */
import { execa } from "execa";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoPath } from "../../scripts/lib/repo.js";
import { siteWith } from "./lutece.js";

export const testPluginBundle = repoPath("test", "fixtures", "bundles", "citelibretest");
const plugin = repoPath("test", "fixtures", "plugins", "citelibretest");

/** Debian's servlet API (libservlet-api-java): the container provides it, so no site carries it. */
const servletApi = "/usr/share/java/servlet-api.jar";

/** A copy of the site (a webapp folder) with the tests' plugin in it, plus `files` (paths inside the webapp). */
export async function siteWithTestPlugin(site: string, files: Record<string, string> = {}): Promise<{ site: string; cleanup: () => Promise<void> }> {
  const copy = await siteWith(site, files);
  try {
    await cp(path.join(plugin, "webapp"), copy.site, { recursive: true });
    const sources = (await readdir(path.join(plugin, "src"), { recursive: true })).filter((f) => f.endsWith(".java")).map((f) => path.join(plugin, "src", f));
    const classes = path.join(copy.site, "WEB-INF", "classes");
    const classpath = [classes, path.join(copy.site, "WEB-INF", "lib", "*"), servletApi].join(":");
    const out = await mkdtemp(path.join(tmpdir(), "citelibre-javac-"));
    try {
      await execa("javac", ["--release", "8", "-nowarn", "-encoding", "UTF-8", "-d", out, "-cp", classpath, ...sources]);
      await cp(out, classes, { recursive: true });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    return copy;
  } catch (e) {
    await copy.cleanup();
    throw e;
  }
}

/**
 * A back-office session over HTTP, as the login form makes one: the form's token, then the POST.
 * Returns the session's cookie header, or undefined when the login is refused.
 */
export async function adminSession(base: string, accessCode: string, password: string): Promise<string | undefined> {
  const form = await fetch(`${base}/jsp/admin/AdminLogin.jsp`, { redirect: "manual" });
  const cookie = (form.headers.getSetCookie().find((c) => c.startsWith("JSESSIONID=")) ?? "").split(";")[0] ?? "";
  const token = /name="token"\s+value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const login = await fetch(`${base}/jsp/admin/DoAdminLogin.jsp`, {
    method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, access_code: accessCode, password }).toString(),
  });
  return /\/jsp\/admin\/AdminMenu\.jsp/.test(login.headers.get("location") ?? "") ? cookie : undefined;
}
