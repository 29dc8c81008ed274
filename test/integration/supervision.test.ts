/**
 * The runtime as an operator meets it over years, on the real Lutece 7.0.6 site (the stand-in where the
 * fixture is absent, said in the output): a service that dies brings the container down non-zero and the
 * restart policy brings it back with its data; a signal during the set-up is not a success; stopping fits
 * `docker stop`'s grace; an interrupted first initialisation leaves one copy at most; passwords stay out
 * of every process's environment (read from the host) and may hold any character; every wrong setting
 * is reported at once; the mail viewer stays on loopback unless asked.
 */
import { execa } from "execa";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoPath } from "../../scripts/lib/repo.js";
import { cleanup, engine, freePort, hostProcesses, removeImagesUnder, track, uniqueName, waitForExit, waitForHttp } from "../helpers/containers.js";
import { backOfficeLogin } from "../helpers/browser.js";
import { luteceSite, sqlIn } from "../helpers/lutece.js";
import { runCli } from "../helpers/themes.js";

const fixture = await luteceSite();
if (fixture.reason) console.log(`supervision tests use the STAND-IN site: ${fixture.reason}`);
const real = fixture.site !== undefined;
/** The real portal's page in the theme (not Lutece's startup failure page), or the stand-in's. */
const startedPage = real ? /<meta name="generator" content="[^"]*"[\s\S]*cl-skin-menu/ : /cl-brand/;
const portalPath = "/rendezvous/jsp/site/Portal.jsp";
const namespace = `citelibre-test-${process.pid}-supervision`;
let image: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  name: string;
  port: number;
}

async function start(options: { env?: Record<string, string>; volume?: string; network?: string; extra?: string[]; role?: string } = {}): Promise<Started> {
  const name = track("containers", uniqueName("sup"));
  const port = await freePort();
  await engine.raw([
    "run", "--detach", "--name", name, "--publish", `127.0.0.1:${port}:8080`,
    ...(options.volume ? ["--volume", `${options.volume}:/var/lib/citelibre`] : []),
    ...(options.network ? ["--network", options.network] : []),
    ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...(options.extra ?? []),
    image,
  ]);
  return { name, port };
}

/** Waits until the log holds `count` lines matching `pattern`; fails early if the container is gone for good. */
async function waitForLog(container: string, pattern: RegExp, count = 1, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  for (;;) {
    const logs = await engine.logs(container);
    if ((logs.match(global) ?? []).length >= count) return logs;
    if (Date.now() > deadline) throw new Error(`${container}: ${count} × ${pattern} not seen within ${timeoutMs} ms; log ends:\n${logs.slice(-3000)}`);
    await sleep(200);
  }
}

const started = /^\[citelibre\] started: site /m;
/** The container's standard output alone: in order, where `engine.logs` puts standard error after it. */
const outputOf = async (container: string) => (await engine.raw(["logs", container])).stdout;

beforeAll(async () => {
  const base = await runCli(["base", "build", "--bootstrap"]);
  expect(base.code, base.stderr + base.stdout).toBe(0);
  const r = await runCli(["--json", "build", "rendezvous", "--site-war", fixture.site ?? "stand-in", "--theme", repoPath("themes", "exampleville"), "--namespace", namespace]);
  expect(r.code, r.stderr).toBe(0);
  image = `localhost/${(JSON.parse(r.stdout) as { image: string }).image}`;
}, 1_200_000);

afterAll(async () => {
  await cleanup();
  await removeImagesUnder(namespace);
}, 120_000);

describe("a service that dies", () => {
  it("makes the container exit 1 after stopping the others in order; --restart on-failure brings the site back with its data", async () => {
    const volume = track("volumes", uniqueName("sup-data"));
    const site = await start({ volume, extra: ["--restart", "on-failure"] });
    await waitForLog(site.name, started);
    const services = [
      { name: "tomcat", command: /^java .*org\.apache\.catalina\.startup\.Bootstrap/ },
      { name: "mail", command: /mailcatcher\.py/ },
      { name: "mariadb", command: /^mariadbd / },
    ];
    let restarts = 0;
    for (const service of services) {
      const marker = `kept across the ${service.name} crash`;
      await sqlIn(site.name, `UPDATE core_datastore SET entity_value = '${marker}' WHERE entity_key = 'portal.site.site_property.meta.author'`);
      const victim = (await hostProcesses(site.name)).find((p) => service.command.test(p.command));
      expect(victim, `${service.name}'s process`).toBeDefined();
      const before = (await outputOf(site.name)).length;
      process.kill(victim!.hostPid, "SIGKILL");
      restarts += 1;
      await waitForLog(site.name, started, restarts + 1);
      expect(Number(await engine.inspectFormat(site.name, "{{.RestartCount}}"))).toBe(restarts);
      const crash = (await outputOf(site.name)).slice(before);
      expect(crash).toMatch(new RegExp(`\\[citelibre\\] error: ${service.name} exited unexpectedly \\(exit 137\\); stopping the others`));
      // Exit 1: the restart policy (on-failure) started it again; before that, the others stopped in order.
      expect(crash).toMatch(/\[citelibre\] stopped \(exit status 1\)/);
      if (service.name !== "mariadb") {
        expect(crash).toMatch(/\[mariadb\].*Shutdown complete/);
        expect(crash, "MariaDB was stopped cleanly: no crash recovery on the next start").not.toMatch(/crash recovery/i);
      }
      const { body } = await waitForHttp(`http://127.0.0.1:${site.port}${portalPath}`, 60_000);
      expect(body).toMatch(startedPage);
      if (real) expect(body).toContain(`<meta name="author" content="${marker}">`);
      expect(crash).not.toContain("first set-up of");
    }
  });
});

describe("signals", () => {
  it("SIGTERM to the init role during the set-up exits 143, not 0; the next run finishes the set-up", async () => {
    const network = track("networks", uniqueName("sup-net"));
    await engine.raw(["network", "create", network]);
    const env = { LUTECE_DB_PWD: "init-signal-pass", LUTECE_ADMIN_PWD: "init-admin-pass" };
    const db = await start({ network, env: { ...env, CITELIBRE_ROLE: "database" } });
    await waitForLog(db.name, /\[citelibre\] started: database/);
    // Another session holds the set-up lock, so the init container is caught in the middle of its set-up.
    const holder = execa("podman", ["exec", db.name, "mariadb", "--no-defaults", "--socket=/run/citelibre/mysqld/mysqld.sock", "-uroot", "-e", "SELECT GET_LOCK('citelibre_setup_lutece', 0); SELECT SLEEP(300)"], { reject: false });
    try {
      for (let i = 0; (await sqlIn(db.name, "SELECT COALESCE(IS_USED_LOCK('citelibre_setup_lutece'), 0)")).trim() === "0"; i++) {
        expect(i, "the lock holder took the lock").toBeLessThan(100);
        await sleep(100);
      }
      const initEnv = { ...env, CITELIBRE_ROLE: "init", LUTECE_DB_HOST: db.name };
      const init = await start({ network, env: initEnv });
      await waitForLog(init.name, /waiting for the set-up lock/, 1, 60_000);
      await engine.raw(["kill", "--signal", "TERM", init.name]);
      const stopped = await waitForExit(init.name, 30_000);
      expect(stopped.exitCode).toBe(143);
      expect(stopped.logs).toMatch(/\[citelibre\] stopped by SIGTERM before the start-up finished/);
      expect(stopped.logs).not.toMatch(/is set up$/m);
      const holderSession = (await sqlIn(db.name, "SELECT IS_USED_LOCK('citelibre_setup_lutece')")).trim();
      await sqlIn(db.name, `KILL ${holderSession}`);
      await holder;
      const again = await start({ network, env: initEnv });
      const finished = await waitForExit(again.name, 120_000);
      expect(finished.exitCode, finished.logs).toBe(0);
      expect(finished.logs).toMatch(/the database lutece at .* is set up/);
      expect((await sqlIn(db.name, "SELECT state FROM citelibre_setup WHERE step = 'complete'")).trim()).toBe("done");
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("SIGTERM during an application container's start-up exits 143", async () => {
    const site = await start({ volume: track("volumes", uniqueName("sup-data")) });
    await waitForLog(site.name, /first start: initialising MariaDB/, 1, 60_000);
    await engine.raw(["kill", "--signal", "TERM", site.name]);
    const stopped = await waitForExit(site.name, 30_000);
    expect(stopped.exitCode).toBe(143);
    expect(stopped.logs).toMatch(/stopped by SIGTERM before the start-up finished/);
    expect(stopped.logs).not.toMatch(started);
  });

  it("finishes an ordered stop when a second signal arrives during it: MariaDB still shuts down cleanly", async () => {
    const site = await start({ volume: track("volumes", uniqueName("sup-data")) });
    await waitForLog(site.name, started);
    await engine.raw(["kill", "--signal", "TERM", site.name]);
    await waitForLog(site.name, /\[citelibre\] stopping tomcat/, 1, 10_000);
    await engine.raw(["kill", "--signal", "INT", site.name]);
    const stopped = await waitForExit(site.name, 30_000);
    expect(stopped.exitCode).toBe(0);
    expect(stopped.logs).toMatch(/received SIGINT while stopping: still stopping in order/);
    expect(stopped.logs).toMatch(/\[mariadb\].*Shutdown complete/);
    expect(stopped.logs).not.toMatch(/did not stop within/);
  });

  it("stops within docker stop's 10 s grace: Tomcat, then the mail catcher, then MariaDB cleanly, exit 0", async () => {
    const volume = track("volumes", uniqueName("sup-data"));
    const site = await start({ volume });
    await waitForLog(site.name, started);
    const begun = performance.now();
    await engine.stop(site.name, 10);
    const ms = performance.now() - begun;
    console.log(`real site: SIGTERM to exit in ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(10_000);
    expect(await engine.inspectFormat(site.name, "{{.State.ExitCode}}")).toBe("0");
    const logs = await engine.logs(site.name);
    const order = ["stopping tomcat", "stopping mail", "stopping mariadb"].map((s) => logs.indexOf(`[citelibre] ${s}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(logs).not.toMatch(/did not stop within/);
    expect(logs).toMatch(/\[mariadb\].*Shutdown complete/);
    expect(logs).toMatch(/\[citelibre\] stopped \(exit status 0\)/);
  });
});

describe("the data volume", () => {
  it("keeps at most one copy of a first initialisation that never finished, and names it", async () => {
    const volume = track("volumes", uniqueName("sup-data"));
    // Two earlier first starts that never finished: an older copy set aside, and a half-made server.
    // (Any other command than `start` runs as it is: here, as root, on the volume.)
    await engine.raw(["run", "--rm", "--volume", `${volume}:/var/lib/citelibre`, image, "bash", "-c",
      "mkdir -p /var/lib/citelibre/mysql/mysql /var/lib/citelibre/mysql.incomplete-20250101T000000Z/mysql && head -c 1048576 /dev/zero > /var/lib/citelibre/mysql/ibdata1"]);
    const site = await start({ volume });
    const logs = await waitForLog(site.name, started);
    expect(logs).toMatch(/removing \/var\/lib\/citelibre\/mysql\.incomplete-20250101T000000Z, an older incomplete first initialisation/);
    const aside = /moving it to (\/var\/lib\/citelibre\/mysql\.incomplete-\d{8}T\d{6}Z)/.exec(logs)?.[1];
    expect(aside).toBeDefined();
    const copies = (await engine.raw(["exec", site.name, "bash", "-c", "ls -d /var/lib/citelibre/mysql.incomplete-*"])).stdout.trim().split("\n");
    expect(copies).toEqual([aside]);
  });
});

describe("passwords", () => {
  it("work with any character, emoji included, and no process outside the set-up holds one in its environment (read from the host)", async () => {
    const dbPassword = "dé/&'\"\\ :=#!😀 db";
    const adminPassword = "Ädmin 😀 pass/&'\"\\:=#!";
    const volume = track("volumes", uniqueName("sup-data"));
    // No health check: `podman exec` (which runs it) gives every command the container's configured
    // environment, the engine's doing (ENVIRONMENT.md says so and recommends the _FILE form).
    const site = await start({ volume, env: { LUTECE_DB_PWD: dbPassword, LUTECE_ADMIN_PWD: adminPassword }, extra: ["--no-healthcheck"] });
    // Watched all through the start-up too: only the set-up's one-shot commands may carry a password in
    // their environment (the properties templating and the back-office password hashing).
    const setUpCommands = /^python3 \/usr\/local\/lib\/citelibre\/(set-properties|lutece-password)\.py( |$)/;
    const holders = new Set<string>();
    let seen = 0;
    for (const deadline = Date.now() + 120_000; !started.test(await engine.logs(site.name)); ) {
      expect(Date.now()).toBeLessThan(deadline);
      for (const p of await hostProcesses(site.name).catch(() => [])) {
        seen += 1;
        const environment = p.environment.join("\n");
        if (environment.includes(dbPassword) || environment.includes(adminPassword)) holders.add(p.command.slice(0, 80));
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect([...holders].filter((c) => !setUpCommands.test(c))).toEqual([]);
    const { body } = await waitForHttp(`http://127.0.0.1:${site.port}${portalPath}`, 60_000);
    expect(body).toMatch(startedPage);
    const processes = await hostProcesses(site.name);
    expect(processes.map((p) => p.command).join("\n")).toMatch(/^\/usr\/bin\/tini -- /m);
    expect(processes.length).toBeGreaterThan(6);
    for (const p of processes) {
      const environment = p.environment.join("\n");
      expect(environment, p.command).not.toContain(dbPassword);
      expect(environment, p.command).not.toContain(adminPassword);
      expect(environment, p.command).not.toMatch(/LUTECE_(DB|ADMIN)_PWD=/);
    }
    if (real) {
      // The site reached its database with the emoji password (written as a UTF-16 surrogate pair)...
      const settings = (await engine.raw(["exec", site.name, "cat", "/run/citelibre/site/db.properties"])).stdout;
      expect(settings).toContain("\\ud83d\\ude00");
      // ...and admin logs in with the other one, through the real form.
      expect((await backOfficeLogin(`http://127.0.0.1:${site.port}/rendezvous`, "admin", adminPassword)).loggedIn).toBe(true);
    }
  });
});

describe("settings", () => {
  it("reports every wrong setting at once, before touching anything, and exits 1", async () => {
    const volume = track("volumes", uniqueName("sup-data"));
    const site = await start({ volume, env: { LUTECE_DB_PORT: "abc", CITELIBRE_ROLE: "web", TZ: "Mars/Olympus", CITELIBRE_STOP_TIMEOUT: "0" } });
    const { exitCode, logs } = await waitForExit(site.name, 30_000);
    expect(exitCode).toBe(1);
    expect(logs).toMatch(/LUTECE_DB_PORT must be a port number \(got 'abc'\)/);
    expect(logs).toMatch(/CITELIBRE_ROLE must be app, database, mail or init \(got 'web'\)/);
    expect(logs).toMatch(/TZ='Mars\/Olympus' is not a known time zone/);
    expect(logs).toMatch(/CITELIBRE_STOP_TIMEOUT must be a number of seconds from 1/);
    expect(logs).toMatch(/4 setting\(s\) to fix/);
    expect((await engine.raw(["run", "--rm", "--volume", `${volume}:/v`, image, "ls", "-A", "/v"])).stdout.trim()).toBe("");
  });

  it("reads a setting from its _FILE variant, TZ included", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-tz-"));
    try {
      await writeFile(path.join(dir, "tz"), "Europe/Paris\n");
      const site = await start({ env: { TZ_FILE: "/run/settings/tz" }, extra: ["--volume", `${dir}:/run/settings:ro`] });
      await waitForLog(site.name, started);
      const java = (await hostProcesses(site.name)).find((p) => p.command.startsWith("java "));
      expect(java?.command).toContain("-Duser.timezone=Europe/Paris");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps the mail viewer on the container's loopback unless CITELIBRE_MAIL_WEB_BIND says otherwise", async () => {
    const mailPort = await freePort();
    const site = await start({ extra: ["--publish", `127.0.0.1:${mailPort}:1080`] });
    await waitForLog(site.name, started);
    const inside = await engine.raw(["exec", site.name, "python3", "-c", "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:1080/').status)"]);
    expect(inside.stdout.trim()).toBe("200");
    const outside = await fetch(`http://127.0.0.1:${mailPort}/`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => "unreachable");
    expect(outside).toBe("unreachable");
  });
});
