import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { listBundles, loadBundle, type BundleManifest } from "../../../scripts/bundle/manifest.js";
import { composeDocument, composeFiles } from "../../../scripts/deploy/compose.js";
import { deployCompose, deployKubernetes } from "../../../scripts/deploy/deploy.js";
import { initJobName, kubernetesFiles, kustomization, names, validateFiles, type K8sFile, type KubeObject } from "../../../scripts/deploy/kubernetes.js";
import { deployModel, TOMCAT_UID } from "../../../scripts/deploy/model.js";
import { podmanPlayDocuments, secretDataIsRaw } from "../../../scripts/deploy/podman-play.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, Pod, Secret, Service } from "kubernetes-models/v1";

async function manifest(name = "rendezvous"): Promise<BundleManifest> {
  const { bundle } = await loadBundle(repoPath("bundles", name));
  return bundle!.manifest;
}

const withCompanion = async (): Promise<BundleManifest> => ({
  ...(await manifest()),
  env: [{ name: "SITE_MAP_KEY", description: "map tiles key", default: "demo" }],
  companions: [
    { name: "solr", description: "search engine", image: "docker.io/library/solr:9.8.1", ports: [8983], environment: { SOLR_HEAP: "512m" }, appEnvironment: { SOLR_URL: "http://solr:8983/solr" } },
  ],
});

interface ComposeService {
  environment: Record<string, string>;
  depends_on?: unknown;
  volumes?: string[];
  secrets?: string[];
  tmpfs?: string[];
  ports?: string[];
  healthcheck: { test: string[] };
  deploy: { resources: { limits: { memory: string } } };
  image: string;
}
interface ComposeDoc {
  services: Record<string, ComposeService>;
  secrets: unknown;
}

function objectsOf(files: K8sFile[]): KubeObject[] {
  return files.flatMap((f) => f.objects);
}

function only<T>(objects: unknown[], type: abstract new (...args: never[]) => T, test: (o: T) => boolean = () => true): T {
  const found = objects.filter((o): o is T => o instanceof type && test(o));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("deploy model", () => {
  it("derives the image of the bundle, its version and theme", async () => {
    const m = await manifest();
    expect(deployModel(m).image).toBe(`citelibre/rendezvous:${m.version}`);
    expect(deployModel(m, { theme: "exampleville" }).image).toBe(`citelibre/rendezvous:${m.version}-exampleville`);
    expect(deployModel(m, { registry: "ghcr.io", namespace: "city" }).image).toBe(`ghcr.io/city/rendezvous:${m.version}`);
    expect(deployModel(m, { image: "registry.example/r@sha256:" + "a".repeat(64) }).image).toMatch(/@sha256:a{64}$/);
    expect(deployModel(m).frontOfficePath).toBe("/rendezvous/jsp/site/Portal.jsp");
    expect(() => deployModel(m, { replicas: 0 })).toThrow(/replicas/);
    expect(() => deployModel(m, { theme: "../etc" })).toThrow(/theme/);
    // --name prefixes every object, so two stacks of one bundle live side by side.
    expect(deployModel(m, { stack: "rdv-ouest" }).stack).toBe("rdv-ouest");
    expect(names(deployModel(m, { stack: "rdv-ouest" }))).toMatchObject({ app: "rdv-ouest", database: "rdv-ouest-database", secret: "rdv-ouest-db" });
    expect(() => deployModel(m, { stack: "Bad_Name" })).toThrow(/--name: "Bad_Name" must be/);
  });
});

describe("compose stack", () => {
  it("runs the app against the database and mail services, with the password only as a file", async () => {
    const doc = composeDocument(deployModel(await manifest())) as unknown as ComposeDoc;
    const services = doc.services;
    const [database, mail, app] = [services.database!, services.mail!, services.app!];
    expect(Object.keys(services)).toEqual(["database", "mail", "app"]);
    expect(database.environment.CITELIBRE_ROLE).toBe("database");
    expect(mail.environment.CITELIBRE_ROLE).toBe("mail");
    expect(app.environment.CITELIBRE_ROLE).toBeUndefined();
    expect(app.environment).toMatchObject({ LUTECE_DB_HOST: "database", LUTECE_MAIL_HOST: "mail", LUTECE_DB_PWD_FILE: "/run/secrets/db_password", LUTECE_ADMIN_PWD_FILE: "/run/secrets/admin_password" });
    expect(app.depends_on).toEqual({ database: { condition: "service_healthy" }, mail: { condition: "service_started" } });
    expect(doc.secrets).toEqual({ db_password: { file: "./secrets/db_password" }, admin_password: { file: "./secrets/admin_password" } });
    // The database never sees the back-office password; the application gets both.
    expect(database.secrets).toEqual(["db_password"]);
    expect(app.secrets).toEqual(["db_password", "admin_password"]);
    for (const s of Object.values(services)) {
      expect(s.deploy.resources.limits.memory).toMatch(/^\d+[mg]$/);
      expect(s.healthcheck.test).toEqual(["CMD", "/usr/local/bin/citelibre-healthcheck"]);
      for (const [k, v] of Object.entries(s.environment)) expect(`${k}=${v}`).not.toMatch(/PWD=|PASSWORD=/);
    }
    expect(database.volumes).toEqual(["database:/var/lib/citelibre"]);
    expect(app.volumes).toBeUndefined();
    expect(app.tmpfs).toEqual(["/var/lib/citelibre"]);
    // Published on loopback unless the user says otherwise.
    expect(app.ports).toEqual(["${CITELIBRE_BIND:-127.0.0.1}:${CITELIBRE_HTTP_PORT:-8080}:8080"]);
  });

  it("writes compose.yaml, .env.example and one override file per companion", async () => {
    const files = composeFiles(deployModel(await withCompanion()));
    expect(Object.keys(files).sort()).toEqual([".env.example", ".gitignore", "compose.solr.yaml", "compose.yaml"]);
    const main = parse(files["compose.yaml"]!) as ComposeDoc;
    expect(main.services.app!.environment.SITE_MAP_KEY).toBe("${SITE_MAP_KEY:-demo}");
    expect(files[".env.example"]).toMatch(/# map tiles key\nSITE_MAP_KEY=demo/);
    expect(files[".gitignore"]).toMatch(/^secrets\/$/m);
    const solr = parse(files["compose.solr.yaml"]!) as ComposeDoc;
    expect(solr.services.solr!.image).toBe("docker.io/library/solr:9.8.1");
    expect(solr.services.app!.environment).toEqual({ SOLR_URL: "http://solr:8983/solr" });
  });

  it("keeps existing passwords and the user's own files when regenerated", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "citelibre-compose-"));
    try {
      const first = await deployCompose("rendezvous", { out });
      expect(first.passwordsCreated).toEqual(["secrets/db_password", "secrets/admin_password"]);
      // The project's name, which the compose file cannot carry for docker-compose 1.x, in a new .env.
      expect(first.files).toContain(".env");
      expect(await readFile(path.join(out, ".env"), "utf8")).toMatch(/^COMPOSE_PROJECT_NAME=citelibre-rendezvous$/m);
      expect(first.notes).toBeUndefined();
      const password = await readFile(path.join(out, "secrets/db_password"), "utf8");
      const admin = await readFile(path.join(out, "secrets/admin_password"), "utf8");
      expect(password).toMatch(/^[A-Za-z0-9+/]{32}$/);
      expect(admin).toMatch(/^[A-Za-z0-9+/]{32}$/);
      expect(admin).not.toBe(password);
      for (const f of ["secrets/db_password", "secrets/admin_password"]) expect((await stat(path.join(out, f))).mode & 0o777).toBe(0o600);
      await writeFile(path.join(out, ".env"), "CITELIBRE_HTTP_PORT=9000\n");
      await writeFile(path.join(out, "secrets/admin_password"), "chosen-by-the-city\n");
      const second = await deployCompose("rendezvous", { out });
      expect(second.passwordsCreated).toEqual([]);
      expect(await readFile(path.join(out, "secrets/db_password"), "utf8")).toBe(password);
      expect(await readFile(path.join(out, "secrets/admin_password"), "utf8")).toBe("chosen-by-the-city\n");
      expect(await readFile(path.join(out, ".env"), "utf8")).toBe("CITELIBRE_HTTP_PORT=9000\n");
      // The user's own .env is never changed; a missing project name is said, with the fix.
      expect(second.files).not.toContain(".env");
      expect(second.notes).toEqual([expect.stringMatching(/\.env has no COMPOSE_PROJECT_NAME: add COMPOSE_PROJECT_NAME=citelibre-rendezvous, or give -p citelibre-rendezvous/)]);
      expect(await readFile(path.join(out, "compose.yaml"), "utf8")).not.toContain(password);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("tags the image with the theme's own name when --theme is a folder, as build does", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "deploy-theme-"));
    try {
      const folder = path.join(dir, "city-folder");
      await mkdir(folder);
      await writeFile(path.join(folder, "theme.yaml"), "name: saint-aubin\n");
      const { bundle } = await loadBundle(repoPath("bundles/rendezvous"));
      await deployCompose("rendezvous", { theme: folder, out: path.join(dir, "out") });
      const compose = await readFile(path.join(dir, "out", "compose.yaml"), "utf8");
      expect(compose).toContain(`citelibre/rendezvous:${bundle!.manifest.version}-saint-aubin`);
      expect(compose).not.toContain("city-folder");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses bad flags with a message naming the flag", async () => {
    await expect(deployCompose("rendezvous", { theme: "Bad Theme!" })).rejects.toThrow(/--theme: "Bad Theme!" is not a theme name/);
    await expect(deployCompose("rendezvous", { image: "UPPER/case" })).rejects.toThrow(/--image: "UPPER\/case" is not an image reference/);
    // The reference grammar, not a look-alike: an empty tag or a doubled dot would break the compose file.
    for (const image of ["citelibre/rendezvous:", "citelibre/rendez..vous:1.0.0", "citelibre/rendezvous:1:2"]) {
      await expect(deployCompose("rendezvous", { image })).rejects.toThrow(`--image: "${image}" is not an image reference`);
    }
    await expect(deployCompose("rendezvus", {})).rejects.toThrow(/there is no bundle "rendezvus".*did you mean rendezvous/);
  });
});

describe("Kubernetes manifests", () => {
  it("validate against the OpenAPI schemas for every shipped bundle, theme and database mode", async () => {
    for (const name of await listBundles()) {
      const m = await manifest(name);
      for (const options of [{}, { externalDatabase: "db.example.org:3307" }]) {
        const files = kubernetesFiles(deployModel(m, { theme: "exampleville", replicas: 3 }), options);
        expect(validateFiles(files), name).toEqual([]);
      }
    }
  });

  it("really validates: a wrong type in a generated object is reported", async () => {
    const files = kubernetesFiles(deployModel(await manifest()));
    const app = files.find((f) => f.path === "app.yaml")!;
    const deployment = app.objects[0] as unknown as { spec: { replicas: unknown } };
    deployment.spec.replicas = "two";
    expect(validateFiles(files)).toEqual([expect.objectContaining({ file: "app.yaml", object: "Deployment/citelibre-rendezvous", message: expect.stringMatching(/replicas must be integer/) as unknown })]);
  });

  it("runs the site as a non-root user on a read-only root filesystem, probed on Lutece's start-up state", async () => {
    const objects = objectsOf(kubernetesFiles(deployModel(await manifest(), { replicas: 3 })));
    const app = only(objects, Deployment, (d) => d.metadata?.labels?.["app.kubernetes.io/component"] === "app");
    expect(app.spec?.replicas).toBe(3);
    const pod = app.spec!.template.spec!;
    expect(pod.securityContext).toMatchObject({ runAsUser: TOMCAT_UID, runAsNonRoot: true, fsGroup: TOMCAT_UID });
    const site = pod.containers[0]!;
    expect(site.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    // Not the front page: Lutece answers its startup failure page with HTTP 200. The image's health check
    // reads Lutece's own start-up state.
    for (const probe of [site.startupProbe, site.readinessProbe, site.livenessProbe]) expect(probe?.httpGet).toBeUndefined();
    // Liveness needs no database (an outage would restart every replica); readiness asks for it.
    expect(site.startupProbe?.exec?.command).toEqual(["/usr/local/bin/citelibre-healthcheck"]);
    expect(site.livenessProbe?.exec?.command).toEqual(["/usr/local/bin/citelibre-healthcheck"]);
    expect(site.readinessProbe?.exec?.command).toEqual(["/usr/local/bin/citelibre-healthcheck", "--ready"]);
    // Long enough for the database wait (120 s here) and Lutece's first start.
    // Longer than every wait the entrypoint goes through before it gives up by itself: it, not the probe, says why.
    const config = only(objects, ConfigMap).data!;
    const waits = Number(config.CITELIBRE_DB_WAIT) + Number(config.CITELIBRE_SETUP_LOCK_WAIT) + Number(config.CITELIBRE_START_WAIT);
    expect(waits).toBeGreaterThan(600);
    expect((site.startupProbe?.periodSeconds ?? 0) * (site.startupProbe?.failureThreshold ?? 0)).toBeGreaterThan(waits);
    // The webapp stays read-only; what the site writes per container goes to one emptyDir.
    const mounts = Object.fromEntries((site.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    expect(mounts["/run/citelibre/site"]).toBe("site-runtime");
    expect(Object.keys(mounts).some((m) => m.startsWith("/opt/citelibre/tomcat/webapps/"))).toBe(false);
    expect(pod.volumes).toContainEqual({ name: "site-runtime", emptyDir: {} });
    expect(pod.initContainers).toBeUndefined();
    expect(site.env).toContainEqual({ name: "LUTECE_DB_PWD_FILE", value: "/run/secrets/citelibre/db-password" });
    expect(site.env).toContainEqual({ name: "LUTECE_ADMIN_PWD_FILE", value: "/run/secrets/citelibre/admin-password" });
    expect(site.resources?.limits?.memory).toBe("1Gi");
  });

  it("sets the database up with a re-runnable Job and keeps MariaDB in a StatefulSet with its own volume", async () => {
    const files = kubernetesFiles(deployModel(await manifest()));
    const objects = objectsOf(files);
    const job = only(objects, Job);
    expect(job.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: "CITELIBRE_ROLE", value: "init" });
    expect(job.spec?.template.spec?.restartPolicy).toBe("OnFailure");
    const db = only(objects, StatefulSet);
    expect(db.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("5Gi");
    expect(db.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: "CITELIBRE_ROLE", value: "database" });
    const config = only(objects, ConfigMap);
    expect(config.data).toMatchObject({ LUTECE_DB_HOST: "citelibre-rendezvous-database", LUTECE_MAIL_HOST: "citelibre-rendezvous-mail" });
    const services = objects.filter((o) => o instanceof Service).map((o) => o.metadata?.name);
    expect(services).toEqual(expect.arrayContaining(["citelibre-rendezvous-database", "citelibre-rendezvous-mail", "citelibre-rendezvous"]));
    // No password anywhere but in the Secret template's placeholder.
    only(objects, Secret);
    expect(JSON.stringify(objects.filter((o) => !(o instanceof Secret)))).not.toMatch(/CHANGE-ME/);
    const kustomize = parse(kustomization(deployModel(await manifest()), files)) as { resources: string[]; images: unknown };
    expect(kustomize.resources).toEqual(["config.yaml", "database.yaml", "mail.yaml", "init-job.yaml", "app.yaml"]);
    expect(kustomize.images).toEqual([{ name: "citelibre/rendezvous", newTag: "1.0.0" }]);
  });

  it("points at an external database instead of running MariaDB", async () => {
    const m = await manifest();
    const objects = objectsOf(kubernetesFiles(deployModel(m), { externalDatabase: "mariadb.city.example:3307" }));
    expect(objects.some((o) => o instanceof StatefulSet)).toBe(false);
    expect(only(objects, ConfigMap).data).toMatchObject({ LUTECE_DB_HOST: "mariadb.city.example", LUTECE_DB_PORT: "3307" });
    expect(() => kubernetesFiles(deployModel(m), { externalDatabase: "bad host;rm" })).toThrow(/not host or host:port/);
  });

  it("writes the files with a kustomization, and podman-play.yaml on request", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "citelibre-k8s-"));
    try {
      const result = await deployKubernetes("rendezvous", { out, replicas: 2 });
      expect(result.files.sort()).toEqual([".gitignore", "app.yaml", "config.yaml", "database.yaml", "init-job.yaml", "kustomization.yaml", "mail.yaml", "secret.example.yaml"]);
      const app = parseAllDocuments(await readFile(path.join(out, "app.yaml"), "utf8")).map((d) => d.toJS() as { kind: string });
      expect(app.map((o) => o.kind)).toEqual(["Deployment", "Service", "PodDisruptionBudget"]);
      await expect(deployKubernetes("rendezvous", { out, externalDb: "x;y" })).rejects.toThrow(/--external-db: "x;y" is not host or host:port/);
      await expect(deployKubernetes("rendezvous", { out, dbStorage: "lots" })).rejects.toThrow(/--db-storage: "lots" is not a size/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe("podman kube play file", () => {
  it("turns each workload into a pod named after its Service, claim templates into claims", async () => {
    const files = kubernetesFiles(deployModel(await manifest()));
    const docs = podmanPlayDocuments(files, { secrets: { "db-password": "c2VjcmV0LXBhc3N3b3Jk", "admin-password": "YWRtaW4tcGFzc3dvcmQ=" }, podmanVersion: "4.3.1", sitePort: 18080 });
    expect(docs.map((d) => `${d.kind}/${d.metadata?.name ?? ""}`)).toEqual([
      "Secret/citelibre-rendezvous-db",
      "ConfigMap/citelibre-rendezvous-config",
      "PersistentVolumeClaim/data-citelibre-rendezvous-database-0",
      "PersistentVolumeClaim/citelibre-rendezvous-mail",
      "Pod/citelibre-rendezvous-database",
      `Pod/${initJobName(deployModel(await manifest()))}`,
      "Pod/citelibre-rendezvous-mail",
      "Pod/citelibre-rendezvous",
    ]);
    const db = only(docs, Pod, (p) => p.metadata?.name === "citelibre-rendezvous-database");
    expect(db.spec?.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "data-citelibre-rendezvous-database-0" } });
    const app = only(docs, Pod, (p) => p.metadata?.name === "citelibre-rendezvous");
    expect(app.spec?.securityContext?.runAsUser).toBe(TOMCAT_UID);
    // Long-running workloads restart whatever stopped them; the set-up Job's pod only on failure.
    expect(app.spec?.restartPolicy).toBe("Always");
    expect(db.spec?.restartPolicy).toBe("Always");
    expect(only(docs, Pod, (p) => p.metadata?.name?.startsWith("citelibre-rendezvous-init-") ?? false).spec?.restartPolicy).toBe("OnFailure");
    // Podman 4.3 publishes a containerPort without hostPort on every interface: only the site is
    // published, on this machine's loopback, at the port asked for.
    const published = docs.filter((d): d is Pod => d instanceof Pod).flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((port) => `${p.metadata?.name ?? ""} ${port.hostIP ?? "*"}:${port.hostPort ?? port.containerPort}->${port.containerPort}`)));
    expect(published).toEqual(["citelibre-rendezvous 127.0.0.1:18080->8080"]);
    for (const d of docs) d.validate();
  });

  it("writes Secret data the way the podman version reads it", async () => {
    const files = kubernetesFiles(deployModel(await manifest()));
    const secretOf = (v: string, password = "c2VjcmV0LXBhc3N3b3Jk", key = "db-password") => (podmanPlayDocuments(files, { secrets: { "db-password": "c2VjcmV0LXBhc3N3b3Jk", "admin-password": "YWRtaW4tcGFzc3dvcmQ=", [key]: password }, podmanVersion: v, sitePort: 8080 })[0] as Secret).data?.[key];
    expect(secretDataIsRaw("4.3.1")).toBe(true);
    expect(secretDataIsRaw("4.4.0")).toBe(false);
    expect(secretDataIsRaw("5.2.2")).toBe(false);
    expect(secretOf("4.3.1")).toBe("c2VjcmV0LXBhc3N3b3Jk");
    expect(secretOf("5.2.2", "plain password")).toBe(Buffer.from("plain password").toString("base64"));
    expect(() => secretOf("4.3.1", "plain password")).toThrow(/must itself be standard base64/);
    expect(secretOf("4.3.1", "YWRtaW4tcGFzc3dvcmQ=", "admin-password")).toBe("YWRtaW4tcGFzc3dvcmQ=");
    expect(() => secretOf("4.3.1", "plain admin", "admin-password")).toThrow(/must itself be standard base64/);
  });
});

describe("demo content in deployments", () => {
  it("is left off: no generated file sets CITELIBRE_DEMO_CONTENT, so the image's default (0) holds", async () => {
    const model = deployModel(await manifest());
    const compose = JSON.stringify(composeFiles(model));
    const files = kubernetesFiles(model);
    const k8s = JSON.stringify(files.map((f) => f.objects));
    const play = JSON.stringify(podmanPlayDocuments(files, { secrets: { "db-password": "cA==", "admin-password": "cA==" }, podmanVersion: "4.3.1", sitePort: 8080 }));
    for (const text of [compose, k8s, play]) expect(text).not.toContain("CITELIBRE_DEMO_CONTENT");
    // The runtime contract's default, which these stacks rely on.
    const contract = parse(await readFile(repoPath("images/runtime/environment.yaml"), "utf8")) as { variables: Array<{ name: string; default: unknown }> };
    expect(contract.variables.find((v) => v.name === "CITELIBRE_DEMO_CONTENT")?.default).toBe("0");
  });
});
