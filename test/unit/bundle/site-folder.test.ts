import { execa } from "execa";
import { mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSiteDigest, readSiteFacts } from "../../../scripts/bundle/site-facts.js";
import { packWebappFolder } from "../../../scripts/bundle/site-folder.js";
import { readZip } from "../../../scripts/lib/zip.js";
import { writeZip } from "../../helpers/zip.js";

let work: string;
let site: string;
let cache: string;
const files: Record<string, string> = {
  "WEB-INF/web.xml": "<web-app/>",
  "WEB-INF/plugins/demo.xml": "<plug-in><name>demo</name><version>1.2.0</version></plug-in>",
  "WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class": "not really a class",
  "jsp/site/Portal.jsp": "<%= 1 %>",
};

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), "citelibre-site-folder-"));
  site = path.join(work, "lutece");
  cache = path.join(work, "cache");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(site, name)), { recursive: true });
    await writeFile(path.join(site, name), content);
  }
  await mkdir(path.join(site, "WEB-INF", "tmp"));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("a webapp folder as the site", () => {
  it("packs to a WAR with the same content digest as any zip of the folder", async () => {
    const packed = await packWebappFolder(site, cache);
    const { names } = await readZip(packed);
    expect(names).toEqual(["WEB-INF/", "WEB-INF/classes/", "WEB-INF/classes/fr/", "WEB-INF/classes/fr/paris/", "WEB-INF/classes/fr/paris/lutece/",
      "WEB-INF/classes/fr/paris/lutece/portal/", "WEB-INF/classes/fr/paris/lutece/portal/service/", "WEB-INF/classes/fr/paris/lutece/portal/service/init/",
      "WEB-INF/classes/fr/paris/lutece/portal/service/init/AppInit.class", "WEB-INF/plugins/", "WEB-INF/plugins/demo.xml", "WEB-INF/tmp/", "WEB-INF/web.xml", "jsp/", "jsp/site/", "jsp/site/Portal.jsp"]);
    // Another zip of the same files: other order, compressed, other times, no folder entries.
    const zipped = path.join(work, "zipped.war");
    await writeZip(zipped, Object.fromEntries(Object.entries(files).reverse()), { compress: true, mtime: new Date("2001-02-03T00:00:00Z") });
    expect(await readSiteDigest(packed)).toBe(await readSiteDigest(zipped));
    // The JDK's jar tool, as a user would zip it.
    const jarred = path.join(work, "jarred.war");
    await execa("jar", ["--create", "--no-manifest", "--file", jarred, "-C", site, "."]);
    expect(await readSiteDigest(jarred)).toBe(await readSiteDigest(packed));
    expect((await readSiteFacts(packed)).plugins).toEqual([{ name: "demo", version: "1.2.0" }]);
  });

  it("packs a folder once, and again when a file changes", async () => {
    const first = await packWebappFolder(site, cache);
    const written = (await stat(first)).ino;
    expect(await packWebappFolder(site, cache)).toBe(first);
    // Not packed again (a new pack is renamed in place: another inode).
    expect((await stat(first)).ino).toBe(written);
    await writeFile(path.join(site, "jsp/site/Portal.jsp"), "<%= 2 %>");
    await utimes(path.join(site, "jsp/site/Portal.jsp"), new Date(), new Date(Date.now() + 5000));
    const second = await packWebappFolder(site, cache);
    expect(second).not.toBe(first);
    expect(await readSiteDigest(second)).not.toBe(await readSiteDigest(first));
  });

  it("refuses a folder that is not a web application, and a link inside one, saying what to do", async () => {
    await expect(packWebappFolder(path.join(site, "jsp"), cache)).rejects.toThrow(/is a folder but not a web application: it has no WEB-INF\/ folder/);
    await symlink("/etc/passwd", path.join(site, "WEB-INF", "passwd"));
    await expect(packWebappFolder(site, cache)).rejects.toThrow(/WEB-INF\/passwd is a symbolic link; .*Replace the link with the file it points to/);
  });
});
