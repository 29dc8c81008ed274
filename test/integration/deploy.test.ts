/**
 * Beyond one container, with the real engine: the generated compose stack under podman-compose, the
 * generated Kubernetes manifests under `podman kube play`, and application replicas racing to set up
 * one database, all serving the real Lutece 7.0.6 site (the stand-in where that fixture is absent, said
 * in the output).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, engine, freePort, podmanOnly, removeImagesUnder, track, uniqueName, waitForHttp } from "../helpers/containers.js";
import { luteceSite } from "../helpers/lutece.js";
import { runCli } from "../helpers/themes.js";

const portal = "/rendezvous/jsp/site/Portal.jsp";
const fixture = await luteceSite();
if (fixture.reason) console.log(`deploy tests use the STAND-IN site: ${fixture.reason}`);
const real = fixture.site !== undefined;
/** What a site serves when it started: the real portal's page (Lutece's own skin in the theme), or the stand-in's. */
const startedPage = real ? /<meta name="generator" content="[^"]*"[\s\S]*cl-skin-menu/ : /cl-brand/;
let image: string;
const namespace = `citelibre-test-${process.pid}`;
const work: string[] = [];

async function tempDir(kind: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `citelibre-${kind}-`));
  work.push(dir);
  return dir;
}

async function podman(args: string[]): Promise<string> {
  return (await engine.raw(args)).stdout;
}

/** SQL as root inside a database-role container, through its socket. */
async function sqlIn(container: string, sql: string): Promise<string> {
  return podman(["exec", container, "mariadb", "--no-defaults", "--socket=/run/citelibre/mysqld/mysqld.sock", "-uroot", "--batch", "--skip-column-names", "lutece", "-e", sql]);
}

async function waitForSql(container: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await sqlIn(container, "SELECT 1");
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function processNames(container: string): Promise<string[]> {
  // docker top takes ps options and needs the PID column; podman top takes descriptors.
  if (engine.name !== "podman") return (await podman(["top", container, "-o", "pid,comm"])).split("\n").slice(1).map((l) => l.trim().split(/\s+/)[1] ?? "");
  return (await podman(["top", container, "comm"])).split("\n").slice(1).map((l) => l.trim());
}

/** The compose tool of the engine under test: podman-compose; beside docker, Debian's docker-compose, else docker's compose plugin. */
const hasDockerCompose = await execa("docker-compose", ["version"]).then(() => true, () => false);
const composeCommand = engine.name === "podman" ? ["podman-compose"] : hasDockerCompose ? ["docker-compose"] : ["docker", "compose"];
const composeTool = composeCommand.join(" ");
/** Container names: <project>_<service>_1, or <project>-<service>-1 with docker's compose plugin (compose v2). */
const serviceContainer = (project: string, service: string) => (composeCommand[1] === "compose" ? `${project}-${service}-1` : `${project}_${service}_1`);

beforeAll(async () => {
  const r = await runCli(["--json", "build", "rendezvous", "--site-war", fixture.site ?? "stand-in", "--namespace", namespace]);
  expect(r.code, r.stderr).toBe(0);
  const built = (JSON.parse(r.stdout) as { image: string }).image;
  // podman names what it builds under localhost/; docker keeps the name as given.
  image = engine.name === "podman" ? `localhost/${built}` : built;
}, 600_000);

afterAll(async () => {
  await cleanup();
  for (const dir of work) await rm(dir, { recursive: true, force: true });
  // Every tag of the test's image goes: it was built under a namespace of the test's own.
  await removeImagesUnder(namespace);
}, 120_000);

describe(`compose stack under ${composeTool}`, () => {
  it("serves the site through the app service, keeps data across down and up, and runs no MariaDB in the app", async () => {
    const dir = await tempDir("compose");
    const r = await runCli(["deploy", "compose", "rendezvous", "--image", image, "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    const [httpPort, mailPort] = [await freePort(), await freePort()];
    await writeFile(path.join(dir, ".env"), `CITELIBRE_HTTP_PORT=${httpPort}\nCITELIBRE_MAIL_PORT=${mailPort}\n`);
    // The project is named explicitly: its containers are <project>_<service>_1.
    const project = uniqueName("compose").replace(/[^a-z0-9]/g, "");
    const compose = (args: string[]) => execa(composeCommand[0] ?? "", [...composeCommand.slice(1), "--project-name", project, ...args], { cwd: dir, reject: false, all: true });
    for (const v of ["database", "mail"]) track("volumes", `${project}_${v}`);
    for (const s of ["app", "database", "mail"]) track("containers", serviceContainer(project, s));
    track("networks", `${project}_default`);
    try {
      const up = await compose(["up", "-d"]);
      expect(up.exitCode, up.all).toBe(0);
      const site = `http://127.0.0.1:${httpPort}${portal}`;
      const first = await waitForHttp(site, 120_000);
      expect(first.body).toMatch(startedPage);
      const appProcesses = await processNames(serviceContainer(project, "app"));
      expect(appProcesses).toContain("java");
      // No database server (mariadbd); the readiness check may run the mariadb client at any moment.
      expect(appProcesses.filter((p) => p.startsWith("mariadbd"))).toEqual([]);
      expect(await processNames(serviceContainer(project, "database"))).toContain("mariadbd");
      await waitForHttp(`http://127.0.0.1:${mailPort}/`, 30_000);

      const db = serviceContainer(project, "database");
      await sqlIn(db, "INSERT INTO core_datastore (entity_key, entity_value) VALUES ('test.compose.kept', 'written before down')");
      const down = await compose(["down"]);
      expect(down.exitCode, down.all).toBe(0);
      expect(await podman(["volume", "ls", "--format", "{{.Name}}"])).toContain(`${project}_database`);
      const again = await compose(["up", "-d"]);
      expect(again.exitCode, again.all).toBe(0);
      await waitForHttp(site, 120_000);
      await waitForSql(db);
      expect(await sqlIn(db, "SELECT entity_value FROM core_datastore WHERE entity_key = 'test.compose.kept'")).toBe("written before down");
      // Initialised once, by the first start; the second start found it set up and skipped it.
      expect(await sqlIn(db, "SELECT COUNT(*) FROM citelibre_setup WHERE step = 'complete'")).toBe("1");
      expect(await engine.logs(serviceContainer(project, "app"))).toContain("first-time set-up skipped");
      if (real) {
        // The back office's admin has the password of secrets/admin_password, not adminadmin.
        const stored = await sqlIn(db, "SELECT password FROM core_admin_user WHERE access_code = 'admin'");
        expect(stored).toMatch(/^PBKDF2WITHHMACSHA512:40000:[0-9a-f]{32}:[0-9a-f]{256}$/);
      }
    } finally {
      await compose(["down"]);
    }
  });
});

describe("Kubernetes manifests under podman kube play", () => {
  it.skipIf(podmanOnly !== undefined)("runs the database, the mail catcher, the init job and a non-root read-only app that answers 200, and restarts a killed Tomcat", async () => {
    const dir = await tempDir("k8s");
    // Names of the test's own: pods share podman's names with containers, and a user's demo container is
    // citelibre-rendezvous.
    const stack = `citelibre-test-${process.pid}-kube`;
    const sitePort = await freePort();
    const r = await runCli(["deploy", "k8s", "rendezvous", "--image", image, "--out", dir, "--podman", "--podman-port", String(sitePort), "--name", stack]);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dir, "podman-play.yaml");
    const network = track("networks", uniqueName("kube"));
    const leftovers = async () => {
      // The anonymous volumes podman gives the pods' containers (the image's VOLUME) outlive `kube down`.
      const containers = (await engine.raw(["ps", "--all", "--filter", `name=^${stack}`, "--format", "{{.Names}}"]).catch(() => ({ stdout: "" }))).stdout.split("\n").filter(Boolean);
      const anonymous = containers.length
        ? (await engine.raw(["inspect", "--format", "{{range .Mounts}}{{.Name}} {{end}}", ...containers]).catch(() => ({ stdout: "" }))).stdout.split(/\s+/).filter((v) => /^[0-9a-f]{64}$/.test(v))
        : [];
      await engine.raw(["kube", "down", file]).catch(() => undefined);
      for (const v of anonymous) await engine.raw(["volume", "rm", "--force", v]).catch(() => undefined);
      // podman 4.3 plays the Secret as a volume of the same name, beside the secret itself.
      for (const v of [`data-${stack}-database-0`, `${stack}-mail`, `${stack}-db`]) await engine.raw(["volume", "rm", "--force", v]).catch(() => undefined);
      await engine.raw(["secret", "rm", `${stack}-db`]).catch(() => undefined);
    };
    await leftovers();
    await podman(["network", "create", network]);
    try {
      const play = await execa("podman", ["kube", "play", "--network", network, file], { reject: false, all: true });
      expect(play.exitCode, play.all).toBe(0);
      const infra = await podman(["pod", "inspect", stack, "--format", "{{.InfraContainerID}}"]);
      const ip = (await podman(["inspect", infra.trim(), "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"])).trim();
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const { body } = await waitForHttp(`http://${ip}:8080${portal}`, 150_000);
      expect(body).toMatch(startedPage);
      // Published on this machine's loopback at the port asked for (a demo on 8080 is no obstacle).
      expect((await waitForHttp(`http://127.0.0.1:${sitePort}${portal}`, 30_000)).body).toMatch(startedPage);
      const site = `${stack}-site`;
      expect((await podman(["exec", site, "id", "-u"])).trim()).toBe("998");
      expect(await engine.inspectFormat(site, "{{.HostConfig.ReadonlyRootfs}}")).toBe("true");
      const init = (await podman(["ps", "--all", "--filter", `name=^${stack}-init-[0-9a-f]{10}-init$`, "--format", "{{.Names}}"])).trim();
      expect(init).not.toBe("");
      expect(await engine.inspectFormat(init, "{{.State.ExitCode}}")).toBe("0");
      const logs = (await engine.logs(site)) + (await engine.logs(init));
      expect(logs.match(/first set-up of lutece/g) ?? []).toHaveLength(1);
      expect(logs).not.toMatch(/Unable to create file|is not writable/);
      // The image's health check is what the probes run: the site has started (liveness), and its
      // database answers (readiness).
      expect((await engine.raw(["exec", site, "/usr/local/bin/citelibre-healthcheck"])).exitCode).toBe(0);
      expect((await engine.raw(["exec", site, "/usr/local/bin/citelibre-healthcheck", "--ready"])).exitCode).toBe(0);

      // Tomcat killed (as the kernel's OOM killer would): the container exits non-zero and the pod's
      // restart policy brings the site back on the same database.
      const setUpsBefore = ((await engine.logs(site)).match(/first set-up of lutece/g) ?? []).length;
      const java = (await podman(["top", site, "hpid", "comm"])).split("\n").map((l) => l.trim().split(/\s+/)).find((f) => f[1] === "java");
      expect(java, "Tomcat's process").toBeDefined();
      process.kill(Number(java![0]), "SIGKILL");
      const deadline = Date.now() + 150_000;
      while (Number(await engine.inspectFormat(site, "{{.RestartCount}}")) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      expect(Number(await engine.inspectFormat(site, "{{.RestartCount}}"))).toBeGreaterThanOrEqual(1);
      const again = await waitForHttp(`http://${ip}:8080${portal}`, 150_000);
      expect(again.body).toMatch(startedPage);
      const restartedLogs = await engine.logs(site);
      expect(restartedLogs).toMatch(/tomcat exited unexpectedly \(exit 137\)/);
      // The restarted site found its database set up: no second set-up.
      expect(restartedLogs.match(/first set-up of lutece/g) ?? []).toHaveLength(setUpsBefore);
    } finally {
      await leftovers();
    }
  });
});

describe("application replicas against one database", () => {
  const rounds = 3;
  it(`start together without double initialisation (${rounds} rounds)`, async () => {
    for (let round = 1; round <= rounds; round++) {
      const network = track("networks", uniqueName("race"));
      await podman(["network", "create", network]);
      const db = track("containers", uniqueName("race-db"));
      const volume = track("volumes", uniqueName("race-data"));
      await podman(["run", "--detach", "--name", db, "--network", network, "-v", `${volume}:/var/lib/citelibre`, "--env", "CITELIBRE_ROLE=database", "--env", "LUTECE_DB_PWD=race-pass", image]);
      await waitForSql(db);
      const apps = [track("containers", uniqueName("race-app")), track("containers", uniqueName("race-app"))];
      const ports = [await freePort(), await freePort()];
      // Both at the same moment: the set-up lock, not start order, has to keep them apart.
      await Promise.all(
        apps.map((name, i) =>
          podman(["run", "--detach", "--name", name, "--network", network, "-p", `127.0.0.1:${ports[i]!}:8080`, "--env", `LUTECE_DB_HOST=${db}`, "--env", "LUTECE_DB_PWD=race-pass", "--env", "LUTECE_ADMIN_PWD=race-admin-pass", "--env", "LUTECE_MAIL_HOST=mail.invalid", image]),
        ),
      );
      await Promise.all(ports.map((p) => waitForHttp(`http://127.0.0.1:${p}${portal}`, 120_000)));
      const logs = await Promise.all(apps.map((a) => engine.logs(a)));
      const initialisers = logs.filter((l) => l.includes("first set-up of lutece"));
      expect(initialisers, `round ${round}`).toHaveLength(1);
      expect(logs.filter((l) => l.includes("first-time set-up skipped")), `round ${round}`).toHaveLength(1);
      expect(logs.join("\n")).not.toMatch(/\[citelibre\] error|ERROR \d+/);
      // Every step done, and the whole set-up by one container.
      const steps = (await sqlIn(db, "SELECT step, state FROM citelibre_setup ORDER BY seq")).split("\n");
      expect(steps.every((l) => l.endsWith("\tdone")), steps.join("; ")).toBe(true);
      expect(steps.map((l) => l.split("\t")[0])).toContain("complete");
      expect(await sqlIn(db, "SELECT COUNT(DISTINCT done_by) FROM citelibre_setup WHERE step NOT LIKE 'first-start/%'")).toBe("1");
      // The first start of the site on the database happened once, under the lock, by one of them.
      expect(steps.at(-1)).toMatch(/^first-start\/[0-9a-f]{16}\t/);
      expect(await sqlIn(db, "SELECT COUNT(*) FROM core_datastore WHERE entity_key = 'portal.site.site_property.name'")).toBe("1");
      for (const c of [...apps, db]) await engine.remove(c, { now: true });
      await podman(["volume", "rm", "--force", volume]);
      await podman(engine.name === "podman" ? ["network", "rm", "--force", network] : ["network", "rm", network]);
    }
  }, 600_000);
});

describe("moving from docker run to a separate database", () => {
  it("serves the all-in-one volume from the database role, with a new password, to an app-only container", async () => {
    const network = track("networks", uniqueName("move"));
    await podman(["network", "create", network]);
    const volume = track("volumes", uniqueName("move-data"));
    const allInOne = track("containers", uniqueName("move-aio"));
    const allInOnePort = await freePort();
    await podman(["run", "--detach", "--name", allInOne, "-p", `127.0.0.1:${allInOnePort}:8080`, "-v", `${volume}:/var/lib/citelibre`, image]);
    // Set up and started: stopped before that, the next start would find its set-up cut off and redo it.
    await waitForHttp(`http://127.0.0.1:${allInOnePort}${portal}`, 120_000);
    await sqlIn(allInOne, "INSERT INTO core_datastore (entity_key, entity_value) VALUES ('test.moved', 'from all-in-one')");
    await podman(["stop", "--time", "10", allInOne]);
    const db = track("containers", uniqueName("move-db"));
    await podman(["run", "--detach", "--name", db, "--network", network, "-v", `${volume}:/var/lib/citelibre`, "--env", "CITELIBRE_ROLE=database", "--env", "LUTECE_DB_PWD=moved-pass", image]);
    await waitForSql(db);
    const app = track("containers", uniqueName("move-app"));
    const port = await freePort();
    await podman(["run", "--detach", "--name", app, "--network", network, "-p", `127.0.0.1:${port}:8080`, "--env", `LUTECE_DB_HOST=${db}`, "--env", "LUTECE_DB_PWD=moved-pass", "--env", "LUTECE_MAIL_HOST=mail.invalid", image]);
    await waitForHttp(`http://127.0.0.1:${port}${portal}`, 120_000);
    expect(await engine.logs(app)).toContain("first-time set-up skipped");
    expect(await sqlIn(db, "SELECT entity_value FROM core_datastore WHERE entity_key = 'test.moved'")).toBe("from all-in-one");
  });
});

