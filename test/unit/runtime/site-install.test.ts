/**
 * images/runtime/.../site_install.py, run with the host's python3 on small inputs: the content digest
 * agrees with the toolkit's, the plugin list keeps an empty version, descriptors read by libraries come
 * back as the site wrote them, and only another machine's paths are re-rooted.
 */
import { execa } from "execa";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSiteDigest } from "../../../scripts/bundle/site-facts.js";
import { repoPath } from "../../../scripts/lib/repo.js";

const script = repoPath("images/runtime/rootfs/usr/local/lib/citelibre/site_install.py");
let work: string;
const siteInstall = (...args: string[]) => execa("python3", [script, ...args], { reject: false });

/** A zip written by Python's zipfile, which keeps any name as given ('\\' included). */
async function pythonZip(file: string, entries: Record<string, string>): Promise<void> {
  await execa("python3", ["-c", "import json,sys,zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n  for n, c in json.loads(sys.argv[2]).items(): z.writestr(n, c)", file, JSON.stringify(entries)]);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "citelibre-site-install-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("site_install.py digest", () => {
  it("agrees with the toolkit's digest, whatever the names", async () => {
    const cases: Array<Record<string, string>> = [
      { "WEB-INF/web.xml": "<web-app/>", "index.jsp": "x" },
      { "WEB-INF/": "", "WEB-INF/classes/é.properties": "a=b", "z/😀.txt": "astral", "z/\uE000.txt": "private use" },
      { "WEB-INF\\lib\\a.jar": "made on Windows", "dir\\": "" },
    ];
    for (const [i, entries] of cases.entries()) {
      const war = path.join(work, `case-${i}.war`);
      await pythonZip(war, entries);
      const python = await siteInstall("digest", war);
      expect(python.stderr).toBe("");
      expect(python.stdout).toBe(await readSiteDigest(war));
    }
  });
});

describe("site_install.py plugins", () => {
  it("lists name|version|pool, an empty version kept as a field, in file order", async () => {
    const webapp = path.join(work, "plugins-ok");
    await mkdir(path.join(webapp, "WEB-INF", "plugins"), { recursive: true });
    await writeFile(path.join(webapp, "WEB-INF/plugins/b.xml"), "<plug-in><name>themecitelibre</name><db-pool-required>1</db-pool-required></plug-in>");
    await writeFile(path.join(webapp, "WEB-INF/plugins/a.xml"), "<plug-in><name>appointment</name><version>3.0.7</version><db-pool-required>1</db-pool-required></plug-in>");
    await writeFile(path.join(webapp, "WEB-INF/plugins/plugins.dat"), "lucene.installed=1");
    const r = await siteInstall("plugins", webapp);
    expect(r.stdout).toBe("appointment|3.0.7|1\nthemecitelibre||1");
  });

  it("refuses a name that could reach SQL, saying what to do", async () => {
    const webapp = path.join(work, "plugins-bad");
    await mkdir(path.join(webapp, "WEB-INF", "plugins"), { recursive: true });
    await writeFile(path.join(webapp, "WEB-INF/plugins/x.xml"), "<plug-in><name>x'; DROP TABLE core_user;--</name></plug-in>");
    const r = await siteInstall("plugins", webapp);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/WEB-INF\/plugins\/x.xml names its plugin .*not a plugin name and version; rebuild the site, or remove that descriptor/);
  });
});

describe("site_install.py keep-descriptors", () => {
  it("puts back validation.xml as the site wrote it, and leaves persistence.xml as migrated", async () => {
    const javax = '<validation-config xmlns="http://jboss.org/xml/ns/javax/validation/configuration"/>';
    const persistence = '<persistence xmlns="http://xmlns.jcp.org/xml/ns/persistence"><property name="javax.persistence.jdbc.url"/></persistence>';
    const war = path.join(work, "descriptors.war");
    await pythonZip(war, { "WEB-INF/classes/META-INF/validation.xml": javax, "WEB-INF/classes/META-INF/persistence.xml": persistence, "WEB-INF/web.xml": "<web-app/>" });
    const webapp = path.join(work, "descriptors");
    await mkdir(path.join(webapp, "WEB-INF/classes/META-INF"), { recursive: true });
    const migrated = { validation: javax.replace("http://jboss.org/xml/ns/javax", "https://jakarta.ee/xml/ns/jakartaee"), persistence: persistence.replace(/javax/g, "jakarta") };
    await writeFile(path.join(webapp, "WEB-INF/classes/META-INF/validation.xml"), migrated.validation);
    await writeFile(path.join(webapp, "WEB-INF/classes/META-INF/persistence.xml"), migrated.persistence);
    await writeFile(path.join(webapp, "WEB-INF/web.xml"), "<web-app/>");
    const r = await siteInstall("keep-descriptors", war, webapp);
    expect(r.stdout).toBe("kept WEB-INF/classes/META-INF/validation.xml as the site wrote it: a bean validation configuration (Hibernate Validator), read by a library inside the site with its own schema");
    expect(await readFile(path.join(webapp, "WEB-INF/classes/META-INF/validation.xml"), "utf8")).toBe(javax);
    expect(await readFile(path.join(webapp, "WEB-INF/classes/META-INF/persistence.xml"), "utf8")).toBe(migrated.persistence);
  });
});

describe("site_install.py reroot", () => {
  it("re-roots another machine's paths into the webapp, and nothing else", async () => {
    const webapp = path.join(work, "reroot");
    await mkdir(path.join(webapp, "WEB-INF/conf/plugins"), { recursive: true });
    const file = path.join(webapp, "WEB-INF/conf/config.properties");
    await writeFile(file, [
      "file.dir.plugins=/home/jdoe/site/target/lutece/WEB-INF/conf/plugins",
      "file.lutece.properties : /Users/jdoe/lutece/WEB-INF/conf/lutece.properties",
      "file.windows=C\\:\\\\dev\\\\site\\\\WEB-INF\\\\logs\\\\app.log\r",
      "path.templates=/WEB-INF/templates",
      "file.list=/home/a/WEB-INF/x,/home/b/WEB-INF/y",
      "# a comment that ends with a backslash \\",
      "file.after.comment=/home/jdoe/x/WEB-INF/tmp",
      "long.value=/home/jdoe/x/\\",
      "    WEB-INF/index",
      "log4j.appender.Error=org.apache.log4j.DailyRollingFileAppender",
      "log4j.appender.Error.File=/home/jdoe/x/WEB-INF/logs/error.log",
      "log4j.appender.Error.DatePattern='.'yyyy-MM-dd",
      "log4j.appender.Error.layout=org.apache.log4j.PatternLayout",
      "",
    ].join("\n"));
    const r = await siteInstall("reroot", webapp);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await readFile(file, "utf8")).split("\n")).toEqual([
      `file.dir.plugins=${webapp}/WEB-INF/conf/plugins`,
      `file.lutece.properties=${webapp}/WEB-INF/conf/lutece.properties`,
      `file.windows=${webapp}/WEB-INF/logs/app.log`,
      "path.templates=/WEB-INF/templates",
      "file.list=/home/a/WEB-INF/x,/home/b/WEB-INF/y",
      "# a comment that ends with a backslash \\",
      `file.after.comment=${webapp}/WEB-INF/tmp`,
      `long.value=${webapp}/WEB-INF/index`,
      "log4j.appender.Error=org.apache.log4j.ConsoleAppender",
      "log4j.appender.Error.layout=org.apache.log4j.PatternLayout",
      "",
    ]);
    expect(r.stdout).toMatch(/log4j appender Error writes to the console \(it wrote to a file\)/);
  });
});
