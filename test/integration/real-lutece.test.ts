/**
 * The real Lutece 7.0.6 web application (kept on this machine: scripts/lib/lutece-fixture.ts), built with
 * `citelibre build --site-war` and started with `citelibre run`, as a user does: the real portal in the
 * city's theme, the back office with the generated password, Lutece's logs, restarts, a set-up cut off by
 * SIGKILL, a site whose plugins add SQL, an external database, and a site that fails to start.
 * Skipped, with the reason, where the fixture is not on the machine.
 */
import { beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { browserLanguage } from "../../scripts/lib/http.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { engine, freePort, track, uniqueName, removeAfterAll, waitForExit } from "../helpers/containers.js";
import { backOfficeLogin, lookAt } from "../helpers/browser.js";
import { fixtureDigest, luteceSite, siteFile, siteWith, sqlIn } from "../helpers/lutece.js";
import { runCli } from "../helpers/themes.js";

const fixture = await luteceSite();
if (fixture.reason) console.log(`SKIPPED real Lutece tests: ${fixture.reason}`);
const war = fixture.site ?? "";
const namespace = `citelibre-test-${process.pid}`;
const cleanups: Array<() => Promise<void>> = [];

interface RunJson { ok: boolean; container: string; volume: string; urls: { frontOffice: string; backOffice: string }; startupMs: number; secrets: { admin: string } }

/** `citelibre run`, as a user runs it, under a name and ports of the test's own. */
async function run(options: { theme?: string; siteWar?: string; name?: string } = {}): Promise<RunJson & { port: number; base: string }> {
  const name = options.name ?? uniqueName("lutece");
  track("containers", name);
  track("volumes", `${name}-data`);
  const port = await freePort();
  const r = await runCli([
    "--json", "run", "rendezvous", "--site-war", options.siteWar ?? war, "--theme", repoPath("themes", options.theme ?? "exampleville"),
    "--namespace", namespace, "--name", name, "--port", String(port), "--mail-port", String(await freePort()), "--detach",
  ]);
  if (r.code !== 0) throw Object.assign(new Error(`citelibre run failed (${r.code}):\n${r.stderr}${r.stdout}`), { result: r });
  const json = JSON.parse(r.stdout) as RunJson;
  return { ...json, port, base: `http://127.0.0.1:${port}/rendezvous` };
}

const adminPassword = async (container: string) => (await engine.raw(["exec", container, "cat", "/var/lib/citelibre/secrets/admin-password"])).stdout.trim();

/** Share of pixels that differ between two screenshots of the same size (any channel off by more than 8). */
async function pixelDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  if (!x || !y || x.info.width !== y.info.width || x.info.height !== y.info.height) throw new Error("screenshots differ in size");
  let differing = 0;
  for (let i = 0; i < x.data.length; i += 3) {
    if (Math.abs(x.data[i]! - y.data[i]!) > 8 || Math.abs(x.data[i + 1]! - y.data[i + 1]!) > 8 || Math.abs(x.data[i + 2]! - y.data[i + 2]!) > 8) differing++;
  }
  return differing / (x.info.width * x.info.height);
}

beforeAll(async () => {
  if (!fixture.site) return;
  const built = await runCli(["base", "build", "--bootstrap"]);
  expect(built.code, built.stderr + built.stdout).toBe(0);
}, 1_200_000);

removeAfterAll(namespace, cleanups);

describe.skipIf(!fixture.site)("the real Lutece 7.0.6 site in a city's theme", () => {
  let site: Awaited<ReturnType<typeof run>>;
  let exampleville: Awaited<ReturnType<typeof lookAt>>;

  beforeAll(async () => {
    site = await run();
    console.log(`real fixture: citelibre run reported the site started after ${site.startupMs} ms`);
  }, 600_000);

  it("renders the real portal, not the startup failure page, with the city's logo, colour, name and footer links, all from 127.0.0.1", async () => {
    exampleville = await lookAt(`${site.base}/jsp/site/Portal.jsp`);
    expect(exampleville.failurePage).toBe(false);
    expect(exampleville.title).toMatch(/^Exampleville - /);
    expect(exampleville.logoSrc).toContain("themes/skin/exampleville/images/logo.svg");
    expect(exampleville.logoWidth).toBeGreaterThan(0);
    // color.primary of themes/exampleville/tokens.json: #7a1f5c.
    expect(exampleville.menuBackground).toBe("rgb(122, 31, 92)");
    expect(exampleville.footerLinks).toEqual(expect.arrayContaining(["https://www.exampleville.example/mentions-legales", "https://www.exampleville.example/accessibilite"]));
    expect(exampleville.offLoopback).toEqual([]);
    // The favicon is the city's, at the path Lutece's own skin links.
    const favicon = await fetch(`${site.base}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(Buffer.from(await favicon.arrayBuffer()).readUInt16LE(4)).toBe(3);
    // The WAR's own db.properties (with its author's password) is never served.
    expect((await fetch(`${site.base}/db.properties`)).status).toBe(403);
    // Started without --watch: its theme cannot be changed in place, and the cache page does nothing.
    expect((await fetch(`${site.base}/citelibre-live.jsp`, { method: "POST", headers: { "X-Citelibre-Live-Token": "" } })).status).toBe(404);
    const reload = await engine.raw(["exec", site.container, "citelibre-theme-reload", "--sql"]).then(() => "ran", (e: unknown) => (e as Error).message);
    expect(reload).toMatch(/was not started with CITELIBRE_THEME_LIVE=1/);
  });

  it("looks different in the citelibre theme (same site, same page)", async () => {
    const neutral = await run({ theme: "citelibre" });
    const look = await lookAt(`${neutral.base}/jsp/site/Portal.jsp`);
    expect(look.failurePage).toBe(false);
    expect(look.menuBackground).not.toBe(exampleville.menuBackground);
    const difference = await pixelDifference(exampleville.screenshot, look.screenshot);
    console.log(`pixel difference, exampleville vs citelibre theme on the real portal: ${(difference * 100).toFixed(1)} % of 1280x900`);
    expect(difference).toBeGreaterThan(0.05);
    await engine.remove(neutral.container, { now: true });
  });

  it("lets admin into the back office with the generated password, and refuses adminadmin", async () => {
    const password = await adminPassword(site.container);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(site.secrets.admin).toContain("/var/lib/citelibre/secrets/admin-password");
    expect((await backOfficeLogin(site.base, "admin", "adminadmin")).loggedIn).toBe(false);
    expect((await backOfficeLogin(site.base, "admin", password)).loggedIn).toBe(true);
    // Every other seeded account is disabled, none keeps a plain-text password.
    expect(await sqlIn(site.container, "SELECT access_code, status FROM core_admin_user WHERE password LIKE 'PLAINTEXT:%' OR (access_code <> 'admin' AND status <> 1)")).toBe("");
    expect((await backOfficeLogin(site.base, "lutece", "adminadmin")).loggedIn).toBe(false);
  });

  it("writes Lutece's log to the container's output, and nothing into the read-only webapp", async () => {
    const logs = await engine.logs(site.container);
    expect(logs).toMatch(/^\[lutece\] .*started successfully/m);
    expect(logs).toMatch(/^\[tomcat\] .*org\.apache\.catalina\.startup\.Catalina\.start/m);
    expect(logs).not.toMatch(/Unable to create file|ClassNotFoundException|Erreur de d[ée]marrage/);
    // Tomcat's user owns nothing in the webapp and cannot write there; what Lutece writes went elsewhere.
    expect((await engine.raw(["exec", site.container, "find", "/opt/citelibre/tomcat/webapps/rendezvous", "-user", "tomcat"])).stdout.trim()).toBe("");
    const touch = await engine.raw(["exec", "--user", "tomcat", site.container, "touch", "/opt/citelibre/tomcat/webapps/rendezvous/WEB-INF/conf/probe"]).then(() => "written", () => "refused");
    expect(touch).toBe("refused");
    expect((await engine.raw(["exec", site.container, "stat", "-c", "%U", "/var/lib/citelibre/search-index"])).stdout.trim()).toBe("tomcat");
    // The connection settings are this container's, with the driver the image ships: the WAR's author's are gone.
    const db = (await engine.raw(["exec", site.container, "cat", "/opt/citelibre/tomcat/webapps/rendezvous/WEB-INF/conf/db.properties"])).stdout;
    expect(db).toContain("portal.driver=org.mariadb.jdbc.Driver");
    expect(db).toMatch(/portal\.url=jdbc\\:mariadb\\:\/\/127\.0\.0\.1\\:3306\/lutece/);
    expect(db).not.toMatch(/Hyper12|portal\.user=root/);
    // The theme's site name and the mail settings reach Lutece's conf/override.
    const override = (await engine.raw(["exec", site.container, "cat", "/opt/citelibre/tomcat/webapps/rendezvous/WEB-INF/conf/override/citelibre-runtime.properties"])).stdout;
    expect(override).toMatch(/^lutece\.name=Exampleville$/m);
    expect(override).toMatch(/^mail\.server=127\.0\.0\.1$/m);
  });

  it("keeps its data across a restart and does not set the database up again", async () => {
    await sqlIn(site.container, "UPDATE core_datastore SET entity_value = 'written before the restart' WHERE entity_key = 'portal.site.site_property.meta.author'");
    const ledger = await sqlIn(site.container, "SELECT step, state, done_at FROM citelibre_setup ORDER BY seq");
    expect(ledger.split("\n").map((l) => l.split("\t")[0])).toEqual([
      "site/create_db_lutece_core.sql", "site/init_db_lutece_core.sql",
      // The site's one plugin descriptor (lucene, of the core's search library), installed.
      "plugin/lucene", "bundle/000-core-datastore.sql", "accounts", "complete",
      // Lutece's own first start on the database (it writes defaults there), under the set-up lock.
      `first-start/${fixtureDigest.slice(0, 16)}`,
    ]);
    const before = await engine.logs(site.container);
    await engine.stop(site.container, 10);
    const started = performance.now();
    await engine.raw(["start", site.container]);
    for (;;) {
      const logs = await engine.logs(site.container);
      if ((logs.match(/\[citelibre\] started: site/g) ?? []).length === 2) break;
      expect(await engine.inspectFormat(site.container, "{{.State.Status}}")).toBe("running");
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(`real fixture: restart to started in ${Math.round(performance.now() - started)} ms`);
    const after = (await engine.logs(site.container)).slice(before.length);
    expect(after).toContain("first-time set-up skipped");
    expect(after).not.toContain("first set-up of");
    expect(await sqlIn(site.container, "SELECT step, state, done_at FROM citelibre_setup ORDER BY seq")).toBe(ledger);
    const page = await (await fetch(`${site.base}/jsp/site/Portal.jsp`, { headers: browserLanguage })).text();
    expect(page).toContain('<meta name="author" content="written before the restart">');
    expect((await backOfficeLogin(site.base, "admin", await adminPassword(site.container))).loggedIn).toBe(true);
  });
});

describe.skipIf(!fixture.site)("a real site whose plugins add SQL", () => {
  // Two plugins and a module: core/ scripts write into core tables (so they must follow the core
  // scripts), plugin/ scripts create then fill their own tables; upgrade/ and init_db/ must never run.
  const plugins: Record<string, string> = {
    "WEB-INF/sql/plugins/zeta/core/init_core_zeta.sql": "INSERT INTO core_datastore (entity_key, entity_value) VALUES ('test.zeta.core', 'after core');\n",
    "WEB-INF/sql/plugins/zeta/plugin/init_db_zeta.sql": "SELECT SLEEP(4);\nINSERT INTO zeta_item (label) VALUES ('filled after create');\n",
    "WEB-INF/sql/plugins/zeta/plugin/create_db_zeta.sql": "DROP TABLE IF EXISTS zeta_item;\nCREATE TABLE zeta_item (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(64)) ENGINE=MyISAM;\n",
    "WEB-INF/sql/plugins/alpha/core/alpha_rights.sql": "INSERT INTO core_datastore (entity_key, entity_value) VALUES ('test.alpha.core', 'after core');\n",
    // No DROP first: run twice on the same tables it would fail, so the second start must clear what the
    // cut-off set-up made before running the scripts again.
    "WEB-INF/sql/plugins/alpha/modules/beta/plugin/create_db_beta.sql": "CREATE TABLE beta_item (id INT PRIMARY KEY);\n",
    "WEB-INF/sql/plugins/alpha/upgrade/update_db_alpha-1.0-2.0.sql": "THIS IS NOT SQL AND MUST NEVER RUN;\n",
    "WEB-INF/sql/init_db/never.sql": "THIS IS NOT SQL EITHER;\n",
  };
  const order = [
    "site/create_db_lutece_core.sql", "site/init_db_lutece_core.sql",
    "site/plugins/alpha/core/alpha_rights.sql", "site/plugins/zeta/core/init_core_zeta.sql",
    "site/plugins/alpha/modules/beta/plugin/create_db_beta.sql", "site/plugins/zeta/plugin/create_db_zeta.sql", "site/plugins/zeta/plugin/init_db_zeta.sql",
    "plugin/lucene", "bundle/000-core-datastore.sql", "accounts", "complete",
  ];
  const firstStart = /^first-start\/[0-9a-f]{16}$/;

  it("loads core, then plugins' core/, then plugins' plugin/ scripts; a SIGKILL mid-way is finished on the next start", async () => {
    const copy = await siteWith(war, plugins);
    cleanups.push(copy.cleanup);
    const built = await runCli(["--json", "build", "rendezvous", "--site-war", copy.site, "--theme", repoPath("themes", "exampleville"), "--namespace", namespace]);
    expect(built.code, built.stderr).toBe(0);
    const image = (JSON.parse(built.stdout) as { id: string }).id;
    const name = track("containers", uniqueName("killed"));
    const volume = track("volumes", `${name}-data`);
    await engine.raw(["run", "--detach", "--name", name, "-v", `${volume}:/var/lib/citelibre`, image]);
    // Killed while the slow plugin script runs: its step is recorded as running, none after it.
    for (let i = 0; ; i++) {
      const running = await sqlIn(name, "SELECT step FROM citelibre_setup WHERE state = 'running'").catch(() => "");
      if (running === "site/plugins/zeta/plugin/init_db_zeta.sql") break;
      expect(i, "the slow plugin script never started").toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 100));
    }
    await engine.raw(["kill", "--signal", "KILL", name]);
    await waitForExit(name, 30_000);
    const port = await freePort();
    await engine.raw(["rm", name]);
    await engine.raw(["run", "--detach", "--name", name, "-v", `${volume}:/var/lib/citelibre`, "-p", `127.0.0.1:${port}:8080`, image]);
    for (;;) {
      const logs = await engine.logs(name);
      if (/\[citelibre\] started: site/.test(logs)) break;
      if ((await engine.inspectFormat(name, "{{.State.Status}}")) !== "running") throw new Error(`the second start failed:\n${logs}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const logs = await engine.logs(name);
    expect(logs).toMatch(/an earlier first set-up of lutece was cut off at site\/plugins\/zeta\/plugin\/init_db_zeta\.sql \(running\); the site never ran on it: dropping the \d+ table\(s\) it made/);
    const done = (await sqlIn(name, "SELECT step FROM citelibre_setup WHERE state = 'done' ORDER BY seq")).split("\n");
    expect(done.slice(0, -1)).toEqual(order);
    expect(done.at(-1)).toMatch(firstStart);
    expect(await sqlIn(name, "SELECT label FROM zeta_item")).toBe("filled after create");
    // Asked for MyISAM by name, moved to InnoDB while new.
    expect(await sqlIn(name, "SELECT engine FROM information_schema.tables WHERE table_schema = 'lutece' AND table_name = 'zeta_item'")).toBe("InnoDB");
    expect(await sqlIn(name, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'lutece' AND engine <> 'InnoDB'")).toBe("0");
    const look = await lookAt(`http://127.0.0.1:${port}/rendezvous/jsp/site/Portal.jsp`);
    expect(look.failurePage).toBe(false);
    expect(look.title).toMatch(/^Exampleville - /);
  });
});

describe.skipIf(!fixture.site)("the real site against an external MariaDB", () => {
  it("renders from an app-only container, with no MariaDB of its own", async () => {
    const built = await runCli(["--json", "build", "rendezvous", "--site-war", war, "--theme", repoPath("themes", "exampleville"), "--namespace", namespace]);
    expect(built.code, built.stderr).toBe(0);
    const image = (JSON.parse(built.stdout) as { id: string }).id;
    const network = track("networks", uniqueName("net"));
    await engine.raw(["network", "create", network]);
    const db = track("containers", uniqueName("db"));
    await engine.raw(["run", "--detach", "--name", db, "--network", network, "--env", "CITELIBRE_ROLE=database", "--env", "LUTECE_DB_PWD=external/&'pass", image]);
    const app = track("containers", uniqueName("app"));
    const port = await freePort();
    await engine.raw([
      "run", "--detach", "--name", app, "--network", network, "-p", `127.0.0.1:${port}:8080`,
      "--env", `LUTECE_DB_HOST=${db}`, "--env", "LUTECE_DB_PWD=external/&'pass", "--env", "LUTECE_ADMIN_PWD=Chosen-by-the-city-42",
      "--env", "LUTECE_MAIL_HOST=mail.invalid", "--env", "LUTECE_PROD_URL=https://rdv.exampleville.example/rendezvous", image,
    ]);
    for (;;) {
      const logs = await engine.logs(app);
      if (/\[citelibre\] started: site/.test(logs)) break;
      if ((await engine.inspectFormat(app, "{{.State.Status}}")) !== "running") throw new Error(`the app container stopped:\n${logs}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const look = await lookAt(`http://127.0.0.1:${port}/rendezvous/jsp/site/Portal.jsp`);
    expect(look.failurePage).toBe(false);
    expect(look.title).toMatch(/^Exampleville - /);
    const processes = (await engine.raw(["top", app, "comm"])).stdout;
    expect(processes).not.toMatch(/mariadbd/);
    expect((await backOfficeLogin(`http://127.0.0.1:${port}/rendezvous`, "admin", "Chosen-by-the-city-42")).loggedIn).toBe(true);
    expect(await sqlIn(db, "SELECT COUNT(*) FROM citelibre_setup WHERE step = 'complete'")).toBe("1");
    const override = (await engine.raw(["exec", app, "cat", "/run/citelibre/site/citelibre-runtime.properties"])).stdout;
    expect(override).toContain("lutece.prod.url=https\\://rdv.exampleville.example/rendezvous");
    expect(override).toContain("mail.server=mail.invalid");
  });
});

describe.skipIf(!fixture.site)("databases this image did not set up", () => {
  let image: string;
  let network: string;

  /** A MariaDB (the image in its database role) on a network of the test's own, answering SQL. */
  async function database(): Promise<string> {
    const db = track("containers", uniqueName("db"));
    await engine.raw(["run", "--detach", "--name", db, "--network", network, "--env", "CITELIBRE_ROLE=database", "--env", "LUTECE_DB_PWD=other-pass", image]);
    for (let i = 0; ; i++) {
      if (await sqlIn(db, "SELECT 1").then(() => true, () => false)) return db;
      expect(i, "the database never answered").toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** An app-only container against it; resolves once its log has a line matching `until`, or it stopped. */
  async function app(db: string, until: RegExp): Promise<{ name: string; logs: string; running: boolean }> {
    const name = track("containers", uniqueName("app"));
    await engine.raw(["run", "--detach", "--name", name, "--network", network, "--env", `LUTECE_DB_HOST=${db}`, "--env", "LUTECE_DB_PWD=other-pass",
      "--env", "LUTECE_ADMIN_PWD=never-used-here", "--env", "LUTECE_MAIL_HOST=mail.invalid", image]);
    for (let i = 0; ; i++) {
      // State first, then the log: a container that stopped in between has its last lines in it.
      const running = (await engine.inspectFormat(name, "{{.State.Status}}")) === "running";
      const logs = await engine.logs(name);
      if (until.test(logs) || !running) return { name, logs, running };
      expect(i, `no line like ${String(until)}:\n${logs}`).toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    const built = await runCli(["--json", "build", "rendezvous", "--site-war", war, "--namespace", namespace]);
    expect(built.code, built.stderr).toBe(0);
    image = (JSON.parse(built.stdout) as { id: string }).id;
    network = track("networks", uniqueName("net"));
    await engine.raw(["network", "create", network]);
  }, 600_000);

  it("uses a database set up elsewhere as it is, runs none of the site's scripts on it, and brings an old ledger up to date", async () => {
    const db = await database();
    // What an earlier image left: its one-row ledger, and the tables of a site in use.
    await sqlIn(db, "CREATE TABLE citelibre_setup (step VARCHAR(64) NOT NULL PRIMARY KEY, done_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, done_by VARCHAR(255) NOT NULL);" +
      "INSERT INTO citelibre_setup (step, done_by) VALUES ('bundle-sql', 'an-older-image');" +
      "CREATE TABLE city_archive (id INT PRIMARY KEY, note VARCHAR(64)); INSERT INTO city_archive VALUES (1, 'kept');");
    const started = await app(db, /used as it is|\[citelibre\] error/);
    expect(started.logs).toMatch(/already holds tables this image did not create: it is used as it is \(nothing is run against it, nothing dropped\)/);
    expect(await sqlIn(db, "SELECT note FROM city_archive")).toBe("kept");
    expect(await sqlIn(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'lutece' AND table_name = 'core_admin_user'")).toBe("0");
    expect(await sqlIn(db, "SELECT step, state, detail FROM citelibre_setup ORDER BY step")).toBe(
      "bundle-sql\tdone\tNULL\ncomplete\tdone\tadopted: the database already held the site's tables",
    );
  });

  it("stops when it cannot read whether the database is set up, and runs nothing", async () => {
    const db = await database();
    // A ledger that cannot be read: a view over a table that is gone.
    await sqlIn(db, "CREATE TABLE gone (step VARCHAR(255)); CREATE VIEW citelibre_setup AS SELECT step FROM gone; DROP TABLE gone;");
    const stopped = await app(db, /\[citelibre\] error/);
    expect(stopped.logs).toMatch(/\[citelibre\] error: could not (read|update) (the set-up ledger|the citelibre_setup table)/);
    await waitForExit(stopped.name, 30_000);
    expect(await engine.inspectFormat(stopped.name, "{{.State.ExitCode}}")).toBe("1");
    expect(await sqlIn(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'lutece' AND table_name LIKE 'core\\_%'")).toBe("0");
  });
});

describe.skipIf(!fixture.site)("a real site that fails to start", () => {
  it("is not reported as started: run exits 1 with Lutece's own reason, and the container stops cleanly", async () => {
    // The WAR's pool service names a class that does not exist: Lutece answers its failure page (HTTP 200).
    const original = await siteFile(war, "WEB-INF/conf/db.properties");
    const broken = await siteWith(war, { "WEB-INF/conf/db.properties": original.replace(/^portal\.poolservice=.*$/m, "portal.poolservice=fr.example.NoSuchPoolService") });
    cleanups.push(broken.cleanup);
    const name = uniqueName("broken");
    const failed = await run({ siteWar: broken.site, name }).then(() => undefined, (e: unknown) => (e as { result?: { code: number; stderr: string } }).result);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/the site did not start \(the container exited with code 1\)/);
    expect(failed?.stderr).toMatch(/Lutece did not start: Error initializing pool .*fr\.example\.NoSuchPoolService/);
    const logs = await engine.logs(name);
    expect(logs).not.toMatch(/\[citelibre\] started: site/);
    expect(logs).toMatch(/\[mariadb\].*Shutdown complete/);
  });
});
