/**
 * The all-in-one runtime with the real engine (podman): base image built with --bootstrap, a fixture
 * site image on top, then start, persistence, clean and brutal stops, external database, failure
 * messages, users, and secrets kept out of image layers.
 */
import { execa } from "execa";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseImageTag } from "../../scripts/image/base.js";
import {
  buildFixtureImage, cleanup, engine, fixtureContext, freePort, hostProcesses, track, uniqueName, waitForExit, waitForHttp,
} from "../helpers/containers.js";
import { runCli } from "../helpers/themes.js";

const base = `localhost/${baseImageTag("tomcat10")}`;
const fixture = "localhost/citelibre/fixture-site:test";
const portal = (port: number, query = "") => `http://127.0.0.1:${port}/${fixtureContext}/jsp/site/Portal.jsp${query}`;
const notesIn = (body: string) => Number(/<span id="notes">(\d+)<\/span>/.exec(body)?.[1] ?? NaN);

interface Started {
  name: string;
  port: number;
  mailPort: number;
}

async function start(options: { volume?: string; env?: Record<string, string>; network?: string; name?: string; mounts?: string[] } = {}): Promise<Started> {
  const name = track("containers", options.name ?? uniqueName("app"));
  const port = await freePort();
  const mailPort = await freePort();
  await engine.raw([
    "run", "--detach", "--name", name,
    "--publish", `127.0.0.1:${port}:8080`, "--publish", `127.0.0.1:${mailPort}:1080`,
    ...(options.volume ? ["--volume", `${options.volume}:/var/lib/citelibre`] : []),
    ...(options.mounts ?? []),
    // The mail viewer is published here, as `citelibre run` does it (it listens on loopback otherwise).
    ...Object.entries({ CITELIBRE_MAIL_WEB_BIND: "0.0.0.0", ...options.env }).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...(options.network ? ["--network", options.network] : []),
    fixture,
  ]);
  return { name, port, mailPort };
}

async function processes(container: string): Promise<Array<{ user: string; command: string }>> {
  const { stdout } = await engine.raw(["exec", container, "bash", "-c", 'for p in /proc/[0-9]*; do [ -r "$p/cmdline" ] || continue; printf "%s\\t%s\\n" "$(stat -c %U "$p")" "$(tr "\\0" " " < "$p/cmdline" | cut -c1-2000)"; done']);
  return stdout.split("\n").filter(Boolean).map((l) => {
    const [user = "", command = ""] = l.split("\t");
    return { user, command };
  });
}

beforeAll(async () => {
  const built = await runCli(["base", "build", "--bootstrap"]);
  expect(built.code, built.stderr + built.stdout).toBe(0);
  await buildFixtureImage(base, fixture);
}, 1_200_000);

afterAll(async () => {
  await cleanup();
}, 120_000);

describe("base image", () => {
  it("is lean: no apt lists, no documentation, no pre-built MariaDB datadir", async () => {
    const { stdout } = await engine.raw(["run", "--rm", "--entrypoint", "bash", base, "-c", "ls -A /var/lib/apt/lists | grep -v '^partial$' | wc -l; ls /usr/share/doc | wc -l; ls /usr/share/man 2>/dev/null | wc -l; ls -A /var/lib/citelibre | wc -l; test -e /var/lib/mysql && echo mysql-dir || echo no-mysql-dir"]);
    const [lists, docs, man, state, mysql] = stdout.split("\n");
    expect(Number(lists)).toBe(0);
    expect(Number(man)).toBeLessThanOrEqual(1);
    expect(Number(docs)).toBeGreaterThan(0); // copyright files only, kept on purpose
    expect(Number(state)).toBe(0);
    expect(mysql).toBe("no-mysql-dir");
  });

  it("carries OCI labels and has Tomcat 10.1, JRE 17 and MariaDB", async () => {
    const labels = (await engine.imageFacts(base)).labels;
    expect(labels["org.opencontainers.image.title"]).toBe("CiteLibre runtime base");
    expect(labels["org.opencontainers.image.base.name"]).toBe("localhost/citelibre/debian-bootstrap:bookworm");
    expect(labels["fr.citelibre.servlet-container"]).toBe("tomcat10");
    const { stdout } = await engine.raw(["run", "--rm", "--entrypoint", "bash", base, "-c", "java -version 2>&1 | head -1; mariadbd --version; ls /usr/share/java/tomcat10-catalina-10.1*.jar"]);
    expect(stdout).toMatch(/openjdk version "17/);
    expect(stdout).toMatch(/MariaDB/);
    expect(stdout).toMatch(/tomcat10-catalina-10\.1/);
  });
});

describe("all-in-one container", () => {
  let volume: string;
  let app: Started;

  beforeAll(async () => {
    volume = track("volumes", uniqueName("data"));
    app = await start({ volume });
  }, 120_000);

  it("answers Portal.jsp with HTTP 200 and the theme's site name on first start", async () => {
    const { body, ms } = await waitForHttp(portal(app.port), 90_000);
    console.log(`first start: HTTP 200 after ${ms} ms of polling`);
    expect(body).toContain("<title>Exampleville</title>");
    expect(body).toContain("themes/skin/exampleville/css/exampleville.min.css");
    const css = await fetch(`http://127.0.0.1:${app.port}/${fixtureContext}/themes/skin/exampleville/css/exampleville.min.css`);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    const mails = await fetch(`http://127.0.0.1:${app.mailPort}/`);
    expect(mails.status).toBe(200);
    expect(await mails.text()).toContain("Mails sent by the site");
    // No manager or example applications, and the image's healthcheck agrees the site is up.
    expect((await fetch(`http://127.0.0.1:${app.port}/manager/html`)).status).toBe(404);
    expect((await engine.raw(["exec", app.name, "/usr/local/bin/citelibre-healthcheck"])).exitCode).toBe(0);
    const serverXml = (await engine.raw(["exec", app.name, "cat", "/opt/citelibre/tomcat/conf/server.xml"])).stdout;
    expect(serverXml).toMatch(/<Server port="-1"/);
  });

  it("runs Tomcat, MariaDB and the mail catcher as non-root users", async () => {
    const procs = await processes(app.name);
    const owner = (pattern: RegExp) => procs.find((p) => pattern.test(p.command))?.user;
    expect(owner(/^java .*org\.apache\.catalina\.startup\.Bootstrap/)).toBe("tomcat");
    expect(owner(/^mariadbd /)).toBe("mysql");
    expect(owner(/mailcatcher\.py/)).toBe("citelibre-mail");
  });

  it("keeps data across stop/start and across re-creating the container on the same volume", async () => {
    const before = notesIn((await waitForHttp(portal(app.port, "?note=alpha"))).body);
    expect(before).toBeGreaterThanOrEqual(1);
    await engine.stop(app.name);
    await engine.raw(["start", app.name]);
    expect(notesIn((await waitForHttp(portal(app.port), 90_000)).body)).toBe(before);
    await engine.raw(["rm", "--force", app.name]);
    app = await start({ volume });
    expect(notesIn((await waitForHttp(portal(app.port), 90_000)).body)).toBe(before);
  });

  it("stops cleanly on SIGTERM within the default grace period, with no crash recovery afterwards", async () => {
    const started = performance.now();
    await engine.stop(app.name, 10);
    const stopMs = performance.now() - started;
    console.log(`stop (SIGTERM to exit): ${Math.round(stopMs)} ms`);
    expect(stopMs).toBeLessThan(10_000);
    expect(await engine.inspectFormat(app.name, "{{.State.ExitCode}}")).toBe("0");
    const logs = await engine.logs(app.name);
    expect(logs.indexOf("[citelibre] stopping tomcat")).toBeLessThan(logs.indexOf("[citelibre] stopping mariadb"));
    expect(logs).toMatch(/\[mariadb\].*Shutdown complete/);
    await engine.raw(["rm", app.name]);
    app = await start({ volume });
    await waitForHttp(portal(app.port), 90_000);
    expect(await engine.logs(app.name)).not.toMatch(/crash recovery/i);
  });

  it("loses no committed row on SIGKILL", async () => {
    const count = notesIn((await waitForHttp(portal(app.port, "?note=committed-before-kill"))).body);
    await engine.raw(["kill", "--signal", "KILL", app.name]);
    await waitForExit(app.name, 30_000);
    await engine.raw(["rm", app.name]);
    app = await start({ volume });
    expect(notesIn((await waitForHttp(portal(app.port), 90_000)).body)).toBe(count);
  });

  it("keeps the generated password out of image layers, history, labels and every process environment", async () => {
    const secret = (await engine.raw(["exec", app.name, "cat", "/var/lib/citelibre/secrets/db-password"])).stdout.trim();
    expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
    const mode = (await engine.raw(["exec", app.name, "stat", "-c", "%a %U", "/var/lib/citelibre/secrets/db-password"])).stdout.trim();
    expect(mode).toBe("600 root");
    const history = (await engine.raw(["history", "--no-trunc", "--format", "json", fixture])).stdout;
    const inspect = JSON.stringify(await engine.inspect(fixture)) + JSON.stringify(await engine.inspect(app.name));
    expect(history).not.toContain(secret);
    expect(inspect).not.toContain(secret);
    // Read from the host, which sees every process (root inside the container does not: no CAP_SYS_PTRACE).
    const processes = await hostProcesses(app.name);
    expect(processes.length).toBeGreaterThan(5);
    expect(processes.find((p) => p.command.startsWith("/usr/bin/tini"))?.environment).toContain("CITELIBRE_CONTEXT=site");
    for (const p of processes) expect(p.environment.join("\n"), p.command).not.toContain(secret);
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-layers-"));
    try {
      // The archive each engine saves (OCI for podman, Docker's for docker), unpacked: every blob and layer.
      await engine.save(fixture, path.join(dir, "image.tar"));
      await mkdir(path.join(dir, "image"));
      await execa("tar", ["-xf", path.join(dir, "image.tar"), "-C", path.join(dir, "image")]);
      const files = (await readdir(path.join(dir, "image"), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) {
        // Layers are large: decompress in a pipeline and let grep count, instead of buffering them here.
        const found = await execa("sh", ["-c", '{ gzip -dc "$1" 2>/dev/null || cat "$1"; } | grep -c -a -F -e "$2"', "sh", f, secret], { reject: false });
        expect(found.stdout.trim(), `layer ${f}`).toBe("0");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("environment and failures", () => {
  it("runs the application against a second container's MariaDB, with no MariaDB of its own", async () => {
    const network = track("networks", uniqueName("net"));
    await engine.raw(["network", "create", network]);
    const dbName = track("containers", uniqueName("db"));
    await engine.raw(["run", "--detach", "--name", dbName, "--network", network, "--env", "CITELIBRE_ROLE=database", "--env", "LUTECE_DB_PWD=db-secret/&'x", fixture]);
    // The mail host is only configured, never contacted: the fixture sends no mail.
    const app = await start({ network, env: { LUTECE_DB_HOST: dbName, LUTECE_DB_PWD: "db-secret/&'x", CITELIBRE_DB_WAIT: "60", LUTECE_MAIL_HOST: dbName, LUTECE_MAIL_PORT: "2525" } });
    const { body } = await waitForHttp(portal(app.port, "?note=external"), 90_000);
    expect(notesIn(body)).toBe(1);
    const procs = await processes(app.name);
    expect(procs.some((p) => p.command.startsWith("mariadbd"))).toBe(false);
    expect(procs.some((p) => p.command.includes("mailcatcher"))).toBe(false);
    // Lutece reads mail settings from conf/override, which links to the runtime's file.
    const config = (await engine.raw(["exec", app.name, "cat", `/opt/citelibre/tomcat/webapps/${fixtureContext}/WEB-INF/conf/override/citelibre-runtime.properties`])).stdout;
    expect(config).toContain(`mail.server=${dbName}`);
    expect(config).toContain("mail.server.port=2525");
    const dbProcs = await processes(dbName);
    expect(dbProcs.some((p) => p.command.startsWith("mariadbd"))).toBe(true);
    expect(dbProcs.some((p) => p.command.startsWith("java"))).toBe(false);
  });

  it("gives up on an external database that never answers, with a clear message", async () => {
    const app = await start({ env: { LUTECE_DB_HOST: "127.0.0.2", LUTECE_DB_PWD: "x", CITELIBRE_DB_WAIT: "3" } });
    const { exitCode, logs } = await waitForExit(app.name, 30_000);
    expect(exitCode).not.toBe(0);
    expect(logs).toMatch(/cannot reach the database lutece at 127\.0\.0\.2:3306 as lutece within 3s/);
  });

  it("reads the password from LUTECE_DB_PWD_FILE, as Docker and Kubernetes secrets provide it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "citelibre-secret-"));
    try {
      await writeFile(path.join(dir, "db-password"), "from-a-secret-file\n");
      const app = await start({
        volume: track("volumes", uniqueName("data")),
        env: { LUTECE_DB_PWD_FILE: "/run/secrets/db-password" },
        mounts: ["--volume", `${dir}:/run/secrets:ro`],
      });
      await waitForHttp(portal(app.port), 90_000);
      const props = (await engine.raw(["exec", app.name, "cat", `/opt/citelibre/tomcat/webapps/${fixtureContext}/WEB-INF/conf/db.properties`])).stdout;
      expect(props).toContain("portal.password=from-a-secret-file\n");
      // The link in the read-only webapp points to the file written at start, readable by Tomcat's group only.
      expect((await engine.raw(["exec", app.name, "readlink", `/opt/citelibre/tomcat/webapps/${fixtureContext}/WEB-INF/conf/db.properties`])).stdout.trim()).toBe("/run/citelibre/site/db.properties");
      expect((await engine.raw(["exec", app.name, "stat", "-c", "%a %U:%G", "/run/citelibre/site/db.properties"])).stdout.trim()).toBe("640 root:tomcat");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("accepts a password with / & ' \" and \\, and refuses one with a line break", async () => {
    const odd = "s/l&a'sh\"b\\ack";
    const app = await start({ volume: track("volumes", uniqueName("data")), env: { LUTECE_DB_PWD: odd } });
    await waitForHttp(portal(app.port), 90_000);
    const bad = await start({ env: { LUTECE_DB_PWD: "line\nbreak" } });
    const { exitCode, logs } = await waitForExit(bad.name, 30_000);
    expect(exitCode).not.toBe(0);
    expect(logs).toMatch(/LUTECE_DB_PWD contains a line break/);
  });

  it("refuses a volume initialised by another MariaDB version, without touching it", async () => {
    const volume = track("volumes", uniqueName("data"));
    const first = await start({ volume });
    await waitForHttp(portal(first.port), 90_000);
    await engine.stop(first.name);
    await engine.raw(["run", "--rm", "--volume", `${volume}:/var/lib/citelibre`, "--entrypoint", "bash", fixture, "-c", "echo 10.6 > /var/lib/citelibre/mysql/citelibre-mariadb-version"]);
    const second = await start({ volume });
    const { exitCode, logs } = await waitForExit(second.name, 30_000);
    expect(exitCode).not.toBe(0);
    expect(logs).toMatch(/initialised by MariaDB 10\.6 and this image has MariaDB 10\.11/);
  });

  it("says so when the volume is read-only or full", async () => {
    const ro = track("volumes", uniqueName("data"));
    await engine.raw(["volume", "create", ro]);
    const readOnly = await start({ mounts: ["--volume", `${ro}:/var/lib/citelibre:ro`] });
    const r1 = await waitForExit(readOnly.name, 30_000);
    expect(r1.exitCode).not.toBe(0);
    expect(r1.logs).toMatch(/\/var\/lib\/citelibre is read-only/);
    const full = await start({ mounts: ["--mount", "type=tmpfs,destination=/var/lib/citelibre,tmpfs-size=2m"] });
    const r2 = await waitForExit(full.name, 30_000);
    expect(r2.exitCode).not.toBe(0);
    expect(r2.logs).toMatch(/\/var\/lib\/citelibre (is full|has only \d+ MB free)/);
  });
});

describe("Tomcat 9 variant", () => {
  it("builds with --servlet-container tomcat9 and runs the javax WAR without migration", async () => {
    const built = await runCli(["base", "build", "--bootstrap", "--servlet-container", "tomcat9"]);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const image = await buildFixtureImage(`localhost/${baseImageTag("tomcat9")}`, "localhost/citelibre/fixture-site:test-tomcat9");
    const name = track("containers", uniqueName("tomcat9"));
    const port = await freePort();
    await engine.raw(["run", "--detach", "--name", name, "--publish", `127.0.0.1:${port}:8080`, image]);
    const { body } = await waitForHttp(`http://127.0.0.1:${port}/${fixtureContext}/jsp/site/Portal.jsp`, 90_000);
    expect(body).toContain("<title>Exampleville</title>");
    expect(await engine.logs(name)).toMatch(/Apache Tomcat\/9\.0/);
    // The servlet class still refers to javax.servlet: the WAR was installed as built.
    const classes = (await engine.raw(["exec", name, "grep", "-c", "-a", "javax/servlet", "/opt/citelibre/tomcat/webapps/site/WEB-INF/classes/fr/citelibre/fixture/PortalServlet.class"])).stdout.trim();
    expect(Number(classes)).toBeGreaterThan(0);
  }, 600_000);
});
