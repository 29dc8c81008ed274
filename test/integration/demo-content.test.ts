/**
 * RendezVous' demo content on plugin-appointment's real schema (its 3.0.7 create and init scripts, kept on
 * this machine: scripts/lib/lutece-fixture.ts), in a real MariaDB: it loads, the front office's own queries
 * (plugin-appointment 3.0.7's DAOs and CalendarBuilder) find an active form with open slots in the coming
 * weeks, and a booking written as the plugin writes it holds. Then in the runtime, on the real core site
 * carrying that schema: `citelibre run` loads it once, a container started as a deployment does (no
 * CITELIBRE_DEMO_CONTENT) does not, and a plugin version it is not verified on gets a warning, not a failed
 * start. Skipped, with the reason, without that SQL or the site.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appointmentSqlFixture } from "../../scripts/lib/lutece-fixture.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { engine, freePort, removeAfterAll, track, uniqueName } from "../helpers/containers.js";
import { luteceSite, siteWith, sqlIn } from "../helpers/lutece.js";
import { startMariaDb, type TestDatabase } from "../helpers/mariadb.js";
import { runCli } from "../helpers/themes.js";

const fixture = appointmentSqlFixture(process.env);
if ("reason" in fixture) console.log(`SKIPPED demo content tests: ${fixture.reason}`);
const site = await luteceSite();
if (site.reason) console.log(`SKIPPED demo content tests in the runtime: ${site.reason}`);
const demo = repoPath("bundles", "rendezvous", "demo", "010-titre-identite.sql");
let db: TestDatabase;
const sql = (statements: string) => db.sql(statements, { database: "site" });

describe.skipIf("reason" in fixture)("RendezVous demo content on plugin-appointment 3.0.7's schema", () => {
  beforeAll(async () => {
    if ("reason" in fixture) return;
    db = await startMariaDb();
    await db.sql("CREATE DATABASE site CHARACTER SET utf8mb4");
    for (const f of ["plugin/create_db_appointment.sql", "plugin/init_db_appointment.sql"]) {
      await db.sql(await readFile(path.join(fixture.dir, f), "utf8"), { database: "site", initCommand: "SET SESSION default_storage_engine = InnoDB" });
    }
    await sql(await readFile(demo, "utf8"));
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  it("lists one active form, as the front office selects them (FormDAO: active, displayed, valid from today or before)", async () => {
    const forms = await sql(`SELECT form.id_form, form.title, form.starting_validity_date <= CURDATE(), display.nb_weeks_to_display FROM appointment_form form
      INNER JOIN appointment_display display ON form.id_form = display.id_form WHERE form.is_active = 1 AND display.is_displayed_on_portlet = 1`);
    expect(forms.split("\n")).toHaveLength(1);
    expect(forms).toMatch(/^\d+\tDemande de titre d'identité\t1\t4$/);
    expect(await sql("SELECT t.title FROM appointment_display d JOIN appointment_calendar_template t ON t.id_calendar_template = d.id_calendar_template")).toBe("Calendrier");
  });

  it("opens contiguous half-hour slots with places on weekdays of the coming weeks (CalendarBuilder's walk)", async () => {
    // The week definition that applies over the next four weeks, and its rule's capacity.
    const rule = await sql(`SELECT r.max_people_per_appointment, r.max_capacity_per_slot, r.duration_appointments FROM appointment_week_definition w
      JOIN appointment_reservation_rule r ON r.id_reservation_rule = w.id_reservation_rule
      WHERE w.date_of_apply <= CURDATE() AND w.ending_date_of_apply >= CURDATE() + INTERVAL 28 DAY`);
    expect(rule).toBe("1\t2\t30");
    for (const day of [1, 2, 3, 4, 5]) {
      const slots = (await sql(`SELECT TIME_FORMAT(t.starting_time, '%H:%i'), TIME_FORMAT(t.ending_time, '%H:%i'), t.is_open, t.max_capacity
        FROM appointment_time_slot t JOIN appointment_working_day d ON d.id_working_day = t.id_working_day WHERE d.day_of_week = ${day} ORDER BY t.starting_time`)).split("\n").map((l) => l.split("\t"));
      // From the first start, each slot starts where the previous one ended, to 17:00, with no gap.
      expect(slots[0]?.[0]).toBe("09:00");
      for (let i = 1; i < slots.length; i++) expect(slots[i]?.[0]).toBe(slots[i - 1]?.[1]);
      expect(slots.at(-1)?.[1]).toBe("17:00");
      expect(slots.filter((s) => s[2] === "1" && Number(s[3]) > 0)).toHaveLength(12);
      expect(slots.filter((s) => s[2] === "0").map((s) => s[0])).toEqual(["12:00", "12:30", "13:00", "13:30"]);
    }
    expect(await sql("SELECT COUNT(*) FROM appointment_working_day WHERE day_of_week IN (6, 7)")).toBe("0");
  });

  it("has every message the booking pages print (appointment_form_message, all NOT NULL)", async () => {
    const message = await sql("SELECT calendar_reserve_label, text_appointment_created FROM appointment_form_message");
    expect(message).toMatch(/^Réserver\t<p>Votre rendez-vous du %%DATE%% de %%HEURE_DEBUT%% à %%HEURE_FIN%% est enregistré sous la référence <strong>%%REF%%<\/strong>/);
  });

  it("takes a booking written as plugin-appointment writes one (user, appointment, slot, link)", async () => {
    await sql(`SET @form = (SELECT id_form FROM appointment_form);
      SET @day = CURDATE() + INTERVAL (7 - WEEKDAY(CURDATE())) DAY;
      INSERT INTO appointment_slot (starting_date_time, ending_date_time, is_open, is_specific, max_capacity, nb_remaining_places, nb_potential_remaining_places, nb_places_taken, id_form)
        VALUES (TIMESTAMP(@day, '09:00:00'), TIMESTAMP(@day, '09:30:00'), 1, 0, 2, 1, 1, 1, @form);
      SET @slot = LAST_INSERT_ID();
      INSERT INTO appointment_user (guid, first_name, last_name, email, phone_number) VALUES (NULL, 'Camille', 'Martin', '', NULL);
      INSERT INTO appointment_appointment (reference, nb_places, is_cancelled, id_user) VALUES (CONCAT('CNI', @form, 'a1b2c3d4'), 1, 0, LAST_INSERT_ID());
      INSERT INTO appointment_appointment_slot (id_appointment, id_slot, nb_places) VALUES (LAST_INSERT_ID(), @slot, 1);`);
    expect(await sql("SELECT a.reference, s.nb_remaining_places FROM appointment_appointment a JOIN appointment_appointment_slot l ON l.id_appointment = a.id_appointment JOIN appointment_slot s ON s.id_slot = l.id_slot"))
      .toMatch(/^CNI\d+a1b2c3d4\t1$/);
  });
});

describe.skipIf("reason" in fixture || !site.site)("RendezVous demo content in the runtime, on the real core site with plugin-appointment's schema", () => {
  const namespace = `citelibre-test-${process.pid}`;
  const cleanups: Array<() => Promise<void>> = [];
  let image: string;
  let run: string;

  /** A container of the image on a fresh volume; resolves with its log once the set-up has ended. */
  async function setUp(name: string, options: { env?: Record<string, string>; mounts?: string[] } = {}): Promise<{ name: string; logs: string }> {
    track("containers", name);
    const volume = track("volumes", `${name}-data`);
    await engine.raw(["run", "--detach", "--name", name, "-v", `${volume}:/var/lib/citelibre`, ...(options.mounts ?? []).flatMap((m) => ["-v", m]),
      ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ["--env", `${k}=${v}`]), image]);
    for (let i = 0; ; i++) {
      const logs = await engine.logs(name);
      if (/\[citelibre\] the database lutece is set up|\[citelibre\] error/.test(logs)) return { name, logs };
      expect(i, logs).toBeLessThan(900);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    if ("reason" in fixture || !site.site) return;
    const built = await runCli(["base", "build", "--bootstrap"]);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    // RendezVous reduced to the plugin its demo content is written for: the site carries only that one.
    const work = await mkdtemp(path.join(tmpdir(), "citelibre-demo-"));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const bundle = path.join(work, "rendezvous");
    await cp(repoPath("bundles", "rendezvous"), bundle, { recursive: true });
    const manifest = await readFile(path.join(bundle, "bundle.yaml"), "utf8");
    await writeFile(path.join(bundle, "bundle.yaml"), manifest.replace(/\n {4}plugins:\n(?: {6}- .*\n)+/, "\n    plugins:\n      - { groupId: fr.paris.lutece.plugins, artifactId: plugin-appointment, version: \"3.0.7\" }\n"));
    const sql = (f: string) => readFile(path.join(fixture.dir, f), "utf8");
    const copy = await siteWith(site.site, {
      // The plugin's descriptor as Lutece registers it, without its classes (not third-party code here): its own schema is what matters.
      "WEB-INF/plugins/appointment.xml": "<plug-in><name>appointment</name><class>fr.paris.lutece.portal.service.plugin.PluginDefaultImplementation</class><version>3.0.7</version><description>d</description><provider>p</provider><provider-url>u</provider-url><icon-url/><db-pool-required>1</db-pool-required></plug-in>",
      "WEB-INF/sql/plugins/appointment/plugin/create_db_appointment.sql": await sql("plugin/create_db_appointment.sql"),
      "WEB-INF/sql/plugins/appointment/plugin/init_db_appointment.sql": await sql("plugin/init_db_appointment.sql"),
    });
    cleanups.push(copy.cleanup);
    const name = track("containers", uniqueName("demo"));
    track("volumes", `${name}-data`);
    const r = await runCli(["--json", "run", bundle, "--site-war", copy.site, "--namespace", namespace, "--name", name,
      "--port", String(await freePort()), "--mail-port", String(await freePort()), "--detach"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    image = (await engine.inspectFormat(name, "{{.Image}}")).trim();
    run = name;
  }, 900_000);

  removeAfterAll(namespace, cleanups);

  it("citelibre run loads it once, on the first set-up, recorded in the ledger", async () => {
    expect(await sqlIn(run, "SELECT title, is_active FROM appointment_form")).toBe("Demande de titre d'identité\t1");
    expect(await sqlIn(run, "SELECT step, state, detail FROM citelibre_setup WHERE step LIKE 'demo/%'")).toBe("demo/010-titre-identite.sql\tdone\tappointment 3.0.7");
    expect(await engine.logs(run)).toMatch(/\[citelibre\] loaded the bundle's demo content \(1 file\(s\), for appointment 3\.0\.7\)/);
  });

  it("is left out where the container is started as deployments start it", async () => {
    const { name, logs } = await setUp(uniqueName("deployed"));
    expect(logs).toMatch(/the bundle's demo content is not loaded \(CITELIBRE_DEMO_CONTENT=1 loads it on a first set-up\)/);
    expect(await sqlIn(name, "SELECT COUNT(*) FROM appointment_form")).toBe("0");
  });

  it("leaves nothing of a file that fails, says so, and sets the site up all the same", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-bad-demo-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Loads before the shipped file: a row written, then an error, and no newline after the last comment.
    await writeFile(path.join(dir, "005-bad.sql"), "INSERT INTO appointment_category (label, nb_max_appointments_per_user) VALUES ('written then undone', 0);\nINSERT INTO no_such_table VALUES (1);\n-- end");
    const { name, logs } = await setUp(uniqueName("bad"), { env: { CITELIBRE_DEMO_CONTENT: "1" }, mounts: [`${path.join(dir, "005-bad.sql")}:/opt/citelibre/demo/005-bad.sql:ro`] });
    expect(logs).toMatch(/\[citelibre\] warning: the bundle's demo content 005-bad\.sql did not load, and left nothing: .*no_such_table/);
    expect(logs).not.toMatch(/\[citelibre\] error/);
    expect(await sqlIn(name, "SELECT COUNT(*) FROM appointment_category")).toBe("0");
    expect(await sqlIn(name, "SELECT COUNT(*) FROM citelibre_setup WHERE step LIKE 'demo/%'")).toBe("0");
    expect(await sqlIn(name, "SELECT state FROM citelibre_setup WHERE step = 'complete'")).toBe("done");
  });

  it("is not loaded, with a warning and a started site, on a plugin version it is not verified on", async () => {
    const requires = path.join(await mkdtemp(path.join(tmpdir(), "citelibre-requires-")), "requires");
    await writeFile(requires, "appointment\t9.9.9\tappointment_form\n");
    cleanups.push(() => rm(path.dirname(requires), { recursive: true, force: true }));
    const { name, logs } = await setUp(uniqueName("newer"), { env: { CITELIBRE_DEMO_CONTENT: "1" }, mounts: [`${requires}:/opt/citelibre/demo/requires:ro`] });
    expect(logs).toMatch(/\[citelibre\] warning: the bundle's demo content is not loaded: it is verified on appointment 9\.9\.9, and this site carries appointment 3\.0\.7/);
    expect(logs).not.toMatch(/\[citelibre\] error/);
    expect(await sqlIn(name, "SELECT COUNT(*) FROM appointment_form")).toBe("0");
  });
});
