/**
 * A real Lutece application: the real Lutece 7.0.6 core site with the tests' own plugin
 * (test/fixtures/plugins/citelibretest), given as a webapp folder to `citelibre run` with the tests' own
 * bundle, as a user gives a site. The plugin is installed and enabled at the first start, its page answers
 * in the theme, its right is admin's, its pool is the site's; a back-office screen that validates a bean
 * shows its messages (the javax -> jakarta migration keeps validation.xml as Hibernate Validator reads it);
 * paths of the site author's machine are re-rooted and every log goes to the container's output; a folder
 * and a zip of it make the same site image; a bundle whose plugins the site lacks is refused.
 * Runs on podman and on Docker (scripts/test.sh). Skipped, with the reason, where the fixture is absent.
 */
import { execa } from "execa";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { browserLanguage } from "../../scripts/lib/http.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { engine, freePort, removeAfterAll, track, uniqueName } from "../helpers/containers.js";
import { luteceSite, siteFile, sqlIn } from "../helpers/lutece.js";
import { adminSession, siteWithTestPlugin, testPluginBundle } from "../helpers/test-plugin.js";
import { runCli } from "../helpers/themes.js";

const fixture = await luteceSite();
if (fixture.reason) console.log(`SKIPPED real application tests: ${fixture.reason}`);
const namespace = `citelibre-test-${process.pid}`;
const cleanups: Array<() => Promise<void>> = [];

// What autoInit leaves in config.properties on its author's machine, 7.0.0-era log4j 1.2 appenders included.
const foreignConfig = [
  "file.lutece.properties=/home/jdoe/dev/site/target/lutece/WEB-INF/conf/lutece.properties",
  "file.dir.plugins=/home/jdoe/dev/site/target/lutece/WEB-INF/conf/plugins",
  "log4j.rootLogger=ERROR, Error",
  "log4j.appender.Error=org.apache.log4j.RollingFileAppender",
  "log4j.appender.Error.File=/home/jdoe/dev/site/target/lutece/WEB-INF/logs/error.log",
  "log4j.appender.Error.MaxFileSize=1000KB",
  "log4j.appender.Error.layout=org.apache.log4j.PatternLayout",
  "",
].join("\n");

interface RunJson { container: string; startupMs: number; plugins: Array<{ name: string; version: string }>; urls: Record<string, string> }

describe.skipIf(!fixture.site)("a real application: the Lutece core site with a plugin of the tests' own", () => {
  let site: string;
  let run: RunJson;
  let base: string;
  let image: string;

  beforeAll(async () => {
    const built = await runCli(["base", "build", "--bootstrap"]);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const config = await siteFile(fixture.site ?? "", "WEB-INF/conf/config.properties");
    const copy = await siteWithTestPlugin(fixture.site ?? "", { "WEB-INF/conf/config.properties": `${config}\n${foreignConfig}` });
    cleanups.push(copy.cleanup);
    site = copy.site;
    const name = track("containers", uniqueName("app"));
    track("volumes", `${name}-data`);
    const port = await freePort();
    const r = await runCli([
      "--json", "run", testPluginBundle, "--site-war", site, "--theme", repoPath("themes", "exampleville"),
      "--namespace", namespace, "--name", name, "--port", String(port), "--mail-port", String(await freePort()), "--detach",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    run = JSON.parse(r.stdout) as RunJson;
    base = `http://127.0.0.1:${port}/citelibretest`;
    image = (await engine.inspectFormat(run.container, "{{.Image}}")).trim();
    console.log(`real application (core + the tests' plugin): citelibre run reported the site started after ${run.startupMs} ms`);
  }, 900_000);

  removeAfterAll(namespace, cleanups);

  it("installs and enables the plugin at the first start: its page answers in the theme, through its pool, and admin has its right", async () => {
    const page = await fetch(`${base}/jsp/site/Portal.jsp?page=citelibretest`, { headers: browserLanguage, redirect: "manual" });
    expect(page.status).toBe(200);
    const html = await page.text();
    // Two rows from the plugin's own init script, read through the plugin's connection pool.
    expect(html).toContain('<div id="citelibretest"><h2>Visites de test</h2><p>visits: 2</p></div>');
    expect(html).toMatch(/<title>Exampleville - /);
    expect(await sqlIn(run.container, "SELECT entity_key, entity_value FROM core_datastore WHERE entity_key LIKE 'core.plugins.status.citelibretest.%' ORDER BY entity_key"))
      .toBe("core.plugins.status.citelibretest.installed\ttrue\ncore.plugins.status.citelibretest.pool\tportal");
    expect(await sqlIn(run.container, "SELECT r.id_right FROM core_user_right r JOIN core_admin_user u ON u.id_user = r.id_user WHERE u.access_code = 'admin' AND r.id_right = 'CITELIBRETEST_MANAGEMENT'")).toBe("CITELIBRETEST_MANAGEMENT");
    expect(await sqlIn(run.container, "SELECT step, state, detail FROM citelibre_setup WHERE step LIKE 'plugin/%' ORDER BY step")).toBe("plugin/citelibretest\tdone\t1.0.0\nplugin/lucene\tdone\t5.0.3");
    const logs = await engine.logs(run.container);
    expect(logs).toMatch(/\[citelibre\] installed the site's 2 plugin\(s\): citelibretest 1\.0\.0, lucene 5\.0\.3/);
    expect(logs).not.toMatch(/has no pool defined/);
    expect(logs).not.toMatch(/current status is 'disabled'/);
  });

  it("says which plugins the site holds: in run's output and in the image's labels", async () => {
    expect(run.plugins).toEqual([{ name: "citelibretest", version: "1.0.0" }, { name: "lucene", version: "5.0.3" }]);
    expect(run.urls.application).toBe(`${base}/jsp/site/Portal.jsp?page=citelibretest`);
    const labels = JSON.parse((await engine.raw(["image", "inspect", "--format", "{{json .Config.Labels}}", image])).stdout) as Record<string, string>;
    expect(labels["fr.citelibre.site.plugins"]).toBe("citelibretest@1.0.0,lucene@5.0.3");
  });

  it("validates a bean on a back-office screen through the real login: messages, not an HTTP 500", async () => {
    const password = (await engine.raw(["exec", run.container, "cat", "/var/lib/citelibre/secrets/admin-password"])).stdout.trim();
    const cookie = await adminSession(base, "admin", password);
    expect(cookie).toMatch(/^JSESSIONID=/);
    const screen = `${base}/jsp/admin/plugins/citelibretest/ManageVisits.jsp`;
    expect((await fetch(screen, { headers: { cookie: cookie ?? "" }, redirect: "manual" })).status).toBe(200);
    const post = (city: string) => fetch(screen, { method: "POST", redirect: "manual", headers: { cookie: cookie ?? "", "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ city }).toString() });
    const invalid = await post("");
    expect(invalid.status).toBe(200);
    expect(await invalid.text()).toContain('<p class="error">La ville est obligatoire.</p>');
    const valid = await post("Exampleville");
    expect(valid.status).toBe(200);
    expect(await valid.text()).toContain('<p class="saved">Visit to Exampleville is valid.</p>');
    // Without a session, the screen sends to the login form.
    expect((await fetch(screen, { redirect: "manual" })).status).toBe(302);
    const migrated = (await engine.raw(["exec", run.container, "cat", "/opt/citelibre/tomcat/webapps/citelibretest/WEB-INF/classes/META-INF/validation.xml"])).stdout;
    expect(migrated).toContain('xmlns="http://jboss.org/xml/ns/javax/validation/configuration"');
    expect(await engine.logs(run.container)).not.toMatch(/HV000100|Unable to parse META-INF\/validation\.xml/);
  });

  it("re-roots the paths of the site author's machine, and sends every log to the container's output", async () => {
    const config = (await engine.raw(["exec", run.container, "cat", "/opt/citelibre/tomcat/webapps/citelibretest/WEB-INF/conf/config.properties"])).stdout;
    expect(config).not.toMatch(/\/home\/jdoe|\/Users\//);
    expect(config).toContain("file.dir.plugins=/opt/citelibre/tomcat/webapps/citelibretest/WEB-INF/conf/plugins");
    expect(config).toContain("log4j.appender.Error=org.apache.log4j.ConsoleAppender");
    expect(config).not.toMatch(/log4j\.appender\.Error\.(File|MaxFileSize)=/);
    const logs = await engine.logs(run.container);
    expect(logs).toMatch(/^\[lutece\] .*started successfully/m);
    expect(logs).not.toMatch(/FileNotFoundException|Unable to create file|log4j:ERROR|Could not create/);
    expect((await engine.raw(["exec", run.container, "find", "/run/citelibre/site/logs", "-type", "f"])).stdout.trim()).toBe("");
  });

  it("makes the same site image from the folder and from a zip of it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-zipped-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const war = path.join(dir, "site.war");
    await execa("jar", ["--create", "--no-manifest", "--file", war, "-C", site, "."]);
    const built = await runCli(["--json", "build", testPluginBundle, "--site-war", war, "--theme", repoPath("themes", "exampleville"), "--namespace", namespace]);
    expect(built.code, built.stderr).toBe(0);
    const fromWar = (JSON.parse(built.stdout) as { id: string }).id;
    const layers = async (id: string) => JSON.parse((await engine.raw(["image", "inspect", "--format", "{{json .RootFS.Layers}}", id])).stdout) as string[];
    // Every layer but the theme's, on top.
    expect((await layers(fromWar)).slice(0, -1)).toEqual((await layers(image)).slice(0, -1));
  });

  it("refuses to build an application whose site lacks its plugins, naming both", async () => {
    const r = await runCli(["build", "rendezvous", "--site-war", site, "--namespace", namespace]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`bundles/rendezvous/bundle.yaml site.build.plugins names plugin-appointment (plugin appointment), and the site ${site} does not carry it`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
