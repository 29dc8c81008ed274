/**
 * The real Lutece 7.0.6 web application (third-party test data kept on this machine, never in a repository:
 * scripts/lib/lutece-fixture.ts says where), copies of it with extra files, and SQL inside a container that
 * runs it.
 */
import { execa } from "execa";
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { readSiteDigest, siteContentDigest } from "../../scripts/bundle/site-facts.js";
import { luteceFixture } from "../../scripts/lib/lutece-fixture.js";
import { engine } from "./containers.js";

/**
 * What identifies the fixture's content (site-facts.ts siteContentDigest): the webapp of
 * vprovid1/lutece-shepherdtours at 1d7c7df, folder target/lutece, without .DS_Store, WEB-INF/logs and
 * WEB-INF/index (the lutece-core-7.0.6.war shipped in ../shared/fixtures until now has the same content).
 */
export const fixtureDigest = "f2339a171026b1180a630b256e34721242f83e9336aa041ee03889924532a206";

/** The content digest of an exploded webapp folder, as of a zip of it. */
async function folderDigest(dir: string): Promise<string> {
  const entries = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    const content = await readFile(file);
    entries.push({ name: path.relative(dir, file).split(path.sep).join("/"), size: content.length, crc32: crc32(content) });
  }
  return siteContentDigest(entries);
}

/**
 * The fixture (a WAR or a webapp folder), or why it is not here. A site with other content is an error,
 * not a skip: a test would otherwise prove something about another site.
 */
export async function luteceSite(): Promise<{ site?: string; reason?: string }> {
  const found = luteceFixture(process.env);
  if ("reason" in found) return { reason: found.reason };
  const digest = (await lstat(found.site)).isDirectory() ? await folderDigest(found.site) : await readSiteDigest(found.site);
  if (digest !== fixtureDigest) throw new Error(`${found.site} has the content digest ${digest}, not the fixture's ${fixtureDigest}: it is another site`);
  return { site: found.site };
}

/** A copy of the site as a webapp folder, with files added or replaced (paths inside the webapp). */
export async function siteWith(site: string, files: Record<string, string | Buffer>): Promise<{ site: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-site-"));
  const copy = path.join(dir, "site");
  if ((await lstat(site)).isDirectory()) await cp(site, copy, { recursive: true, preserveTimestamps: true });
  else await execa("unzip", ["-q", site, "-d", copy]);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(copy, name)), { recursive: true });
    await writeFile(path.join(copy, name), content);
  }
  return { site: copy, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A file of the site (a WAR or a folder). */
export async function siteFile(site: string, name: string): Promise<string> {
  if ((await lstat(site)).isDirectory()) return readFile(path.join(site, name), "utf8");
  return (await execa("unzip", ["-p", site, name])).stdout;
}

/** SQL as root inside a container that runs MariaDB (all-in-one or database role), through its socket. */
export async function sqlIn(container: string, sql: string, database = "lutece"): Promise<string> {
  return (await engine.raw(["exec", container, "mariadb", "--no-defaults", "--socket=/run/citelibre/mysqld/mysqld.sock", "-uroot", "--batch", "--skip-column-names", database, "-e", sql])).stdout;
}
