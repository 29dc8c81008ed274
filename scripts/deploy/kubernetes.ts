/**
 * Plain Kubernetes manifests for a bundle: the application as a Deployment of non-root replicas with a
 * read-only root filesystem and probes on the site's own pages, MariaDB as a StatefulSet (or an external
 * database), the mail catcher, a ConfigMap for the runtime's environment contract, a Secret template,
 * an init Job for the first-time database set-up, and a kustomization listing them.
 *
 * Built with kubernetes-models' typed classes: a misspelt field fails the type check, and every object
 * is validated against the Kubernetes OpenAPI schemas those classes carry before anything is written.
 */
import { ConfigMap, PersistentVolumeClaim, Secret, Service, type IContainer, type IPodSpec, type IProbe, type IVolume, type IVolumeMount } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { stringify } from "yaml";
import { TOMCAT_UID, type CompanionModel, type DeployModel } from "./model.js";

/** The Kubernetes minor whose OpenAPI schemas kubernetes-models 4.5.1 carries. */
export const KUBERNETES_VERSION = "1.33";

export interface K8sOptions {
  /** host or host:port of a database outside the cluster; no MariaDB StatefulSet is generated then. */
  externalDatabase?: string;
  /** Size of the database volume. */
  databaseStorage?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  validate(): void;
  toJSON(): unknown;
}

export interface K8sFile {
  /** Path relative to the output folder. */
  path: string;
  objects: KubeObject[];
  /** Listed in kustomization.yaml (the Secret template and companions are not). */
  inKustomization: boolean;
  comment: string[];
}

const SECRET_MOUNT = "/run/secrets/citelibre";
/** Keys of the stack's Secret: the database password, and the back-office admin's for the first set-up. */
export const SECRET_KEYS = { database: "db-password", admin: "admin-password" } as const;

export function names(model: DeployModel) {
  return {
    config: `${model.stack}-config`,
    secret: `${model.stack}-db`,
    app: model.stack,
    database: `${model.stack}-database`,
    mail: `${model.stack}-mail`,
    init: `${model.stack}-init`,
  };
}

function labels(model: DeployModel, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": model.bundle,
    "app.kubernetes.io/instance": model.stack,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/version": model.version,
    "app.kubernetes.io/part-of": "citelibre",
    "app.kubernetes.io/managed-by": "citelibre-forge",
  };
}

function selector(model: DeployModel, component: string): Record<string, string> {
  return { "app.kubernetes.io/instance": model.stack, "app.kubernetes.io/component": component };
}

function parseExternal(hostPort: string): { host: string; port: string } {
  const m = /^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m || (m[3] && Number(m[3]) > 65535)) throw new Error(`"${hostPort}" is not host or host:port`);
  return { host: m[1] ?? hostPort, port: m[3] ?? "3306" };
}

const secretVolume = (model: DeployModel): IVolume => ({
  name: "db-secret",
  secret: { secretName: names(model).secret, defaultMode: 0o440, optional: false },
});
const secretMount: IVolumeMount = { name: "db-secret", mountPath: SECRET_MOUNT, readOnly: true };

/** The runtime runs as root only to start MariaDB and the mail catcher under their own users. */
const rootDroppingPrivileges = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"] },
};

const nonRoot = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

const execHealth = (periodSeconds: number, failureThreshold: number): IProbe => ({
  exec: { command: ["/usr/local/bin/citelibre-healthcheck"] },
  periodSeconds,
  timeoutSeconds: 5,
  failureThreshold,
});

function configMap(model: DeployModel, options: K8sOptions): ConfigMap {
  const n = names(model);
  const db = options.externalDatabase ? parseExternal(options.externalDatabase) : { host: n.database, port: "3306" };
  return new ConfigMap({
    metadata: { name: n.config, labels: labels(model, "config") },
    data: {
      LUTECE_DB_HOST: db.host,
      LUTECE_DB_PORT: db.port,
      LUTECE_DB_NAME: model.database.name,
      LUTECE_DB_USER: model.database.user,
      LUTECE_MAIL_HOST: n.mail,
      LUTECE_MAIL_PORT: "1025",
      LUTECE_DEFAULT_LANG: "fr",
      TZ: "Europe/Paris",
      CITELIBRE_DB_WAIT: String(model.waits.database),
      CITELIBRE_SETUP_LOCK_WAIT: String(model.waits.setupLock),
      CITELIBRE_START_WAIT: String(model.waits.start),
      CITELIBRE_JAVA_OPTS: model.resources.app.javaOpts,
      ...Object.fromEntries(model.bundleEnv.map((e) => [e.name, e.default ?? ""])),
    },
  });
}

function secretTemplate(model: DeployModel): Secret {
  return new Secret({
    metadata: { name: names(model).secret, labels: labels(model, "config") },
    type: "Opaque",
    stringData: { [SECRET_KEYS.database]: "CHANGE-ME-to-a-long-random-password", [SECRET_KEYS.admin]: "CHANGE-ME-to-another-long-random-password" },
  });
}

/**
 * The image's health check tells a started Lutece from its startup failure page (which answers HTTP 200)
 * by Lutece's own start-up state, which needs no database. The start-up probe allows every wait the
 * entrypoint may go through before it gives up by itself (model.waits), and a minute more.
 */
function siteProbes(model: DeployModel): Pick<IContainer, "startupProbe" | "readinessProbe" | "livenessProbe"> {
  const period = 5;
  const budget = model.waits.database + model.waits.setupLock + model.waits.start + 60;
  return {
    startupProbe: execHealth(period, Math.ceil(budget / period)),
    readinessProbe: execHealth(10, 3),
    livenessProbe: execHealth(20, 3),
  };
}

/**
 * Pod spec shared by the application and the init Job: non-root, read-only root filesystem. What the site
 * writes per container (its settings for this start, temporary files, the search index) goes to an
 * emptyDir on /run/citelibre/site, where the read-only webapp links; Tomcat's work, temp and logs folders
 * and /tmp are emptyDirs too.
 */
function siteContainerBase(model: DeployModel, role: "app" | "init"): IContainer {
  const n = names(model);
  return {
    name: role === "app" ? "site" : "init",
    image: model.image,
    imagePullPolicy: "IfNotPresent",
    envFrom: [{ configMapRef: { name: n.config } }],
    env: [
      { name: "CITELIBRE_ROLE", value: role },
      { name: "LUTECE_DB_PWD_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.database}` },
      // Used once, when the first container to find the database empty sets it up.
      { name: "LUTECE_ADMIN_PWD_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.admin}` },
    ],
    securityContext: nonRoot,
  };
}

const podSecurity = {
  runAsUser: TOMCAT_UID,
  runAsGroup: TOMCAT_UID,
  fsGroup: TOMCAT_UID,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" as const },
};

function appDeployment(model: DeployModel): Deployment {
  const n = names(model);
  const scratch = ["site-runtime", "tomcat-work", "tomcat-temp", "tomcat-logs", "tmp"];
  const spec: IPodSpec = {
    securityContext: podSecurity,
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        ...siteContainerBase(model, "app"),
        ports: [{ name: "http", containerPort: 8080 }],
        ...siteProbes(model),
        resources: {
          requests: { memory: model.resources.app.memoryRequest, cpu: "250m" },
          limits: { memory: model.resources.app.memory, cpu: model.resources.app.cpu },
        },
        volumeMounts: [
          { name: "site-runtime", mountPath: model.siteRuntimeDir },
          { name: "tomcat-work", mountPath: "/opt/citelibre/tomcat/work" },
          { name: "tomcat-temp", mountPath: "/opt/citelibre/tomcat/temp" },
          { name: "tomcat-logs", mountPath: "/opt/citelibre/tomcat/logs" },
          { name: "tmp", mountPath: "/tmp" },
          secretMount,
        ],
      },
    ],
    volumes: [...scratch.map((name) => ({ name, emptyDir: {} })), secretVolume(model)],
  };
  return new Deployment({
    metadata: { name: n.app, labels: labels(model, "app") },
    spec: {
      replicas: model.replicas,
      selector: { matchLabels: selector(model, "app") },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: { metadata: { labels: labels(model, "app") }, spec },
    },
  });
}

function appService(model: DeployModel): Service {
  return new Service({
    metadata: { name: names(model).app, labels: labels(model, "app") },
    spec: { selector: selector(model, "app"), ports: [{ name: "http", port: 80, targetPort: "http" }] },
  });
}

function appDisruptionBudget(model: DeployModel): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: { name: names(model).app, labels: labels(model, "app") },
    spec: { minAvailable: 1, selector: { matchLabels: selector(model, "app") } },
  });
}

function initJob(model: DeployModel): Job {
  return new Job({
    metadata: { name: names(model).init, labels: labels(model, "init") },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: labels(model, "init") },
        spec: {
          restartPolicy: "OnFailure",
          securityContext: podSecurity,
          containers: [
            {
              ...siteContainerBase(model, "init"),
              resources: { limits: { memory: "256Mi", cpu: "500m" } },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, secretMount],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }, secretVolume(model)],
        },
      },
    },
  });
}

function databaseObjects(model: DeployModel, options: K8sOptions): KubeObject[] {
  const n = names(model);
  const service = new Service({
    metadata: { name: n.database, labels: labels(model, "database") },
    spec: { selector: selector(model, "database"), ports: [{ name: "mysql", port: 3306, targetPort: "mysql" }] },
  });
  const statefulSet = new StatefulSet({
    metadata: { name: n.database, labels: labels(model, "database") },
    spec: {
      serviceName: n.database,
      replicas: 1,
      selector: { matchLabels: selector(model, "database") },
      template: {
        metadata: { labels: labels(model, "database") },
        spec: {
          // MariaDB flushes and stops within a few seconds; the grace period leaves it room on a busy node.
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "mariadb",
              image: model.image,
              imagePullPolicy: "IfNotPresent",
              env: [
                { name: "CITELIBRE_ROLE", value: "database" },
                { name: "LUTECE_DB_NAME", value: model.database.name },
                { name: "LUTECE_DB_USER", value: model.database.user },
                { name: "LUTECE_DB_PWD_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.database}` },
                { name: "CITELIBRE_DB_BUFFER_POOL", value: model.resources.database.bufferPool },
              ],
              ports: [{ name: "mysql", containerPort: 3306 }],
              readinessProbe: execHealth(10, 3),
              livenessProbe: { ...execHealth(20, 6), initialDelaySeconds: 60 },
              securityContext: rootDroppingPrivileges,
              resources: {
                requests: { memory: model.resources.database.memoryRequest, cpu: "100m" },
                limits: { memory: model.resources.database.memory, cpu: model.resources.database.cpu },
              },
              volumeMounts: [{ name: "data", mountPath: "/var/lib/citelibre" }, secretMount],
            },
          ],
          volumes: [secretVolume(model)],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: labels(model, "database") },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: options.databaseStorage ?? "5Gi" } } },
        },
      ],
    },
  });
  return [service, statefulSet];
}

function mailObjects(model: DeployModel): KubeObject[] {
  const n = names(model);
  const claim = new PersistentVolumeClaim({
    metadata: { name: n.mail, labels: labels(model, "mail") },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  const deployment = new Deployment({
    metadata: { name: n.mail, labels: labels(model, "mail") },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: selector(model, "mail") },
      template: {
        metadata: { labels: labels(model, "mail") },
        spec: {
          containers: [
            {
              name: "mail-catcher",
              image: model.image,
              imagePullPolicy: "IfNotPresent",
              env: [{ name: "CITELIBRE_ROLE", value: "mail" }],
              ports: [
                { name: "smtp", containerPort: 1025 },
                { name: "web", containerPort: 1080 },
              ],
              readinessProbe: { tcpSocket: { port: "smtp" }, periodSeconds: 10 },
              livenessProbe: execHealth(30, 3),
              securityContext: rootDroppingPrivileges,
              resources: { limits: { memory: model.resources.mail.memory, cpu: model.resources.mail.cpu } },
              volumeMounts: [{ name: "mail", mountPath: "/var/lib/citelibre" }],
            },
          ],
          volumes: [{ name: "mail", persistentVolumeClaim: { claimName: n.mail } }],
        },
      },
    },
  });
  const service = new Service({
    metadata: { name: n.mail, labels: labels(model, "mail") },
    spec: {
      selector: selector(model, "mail"),
      ports: [
        { name: "smtp", port: 1025, targetPort: "smtp" },
        { name: "web", port: 1080, targetPort: "web" },
      ],
    },
  });
  return [claim, deployment, service];
}

function companionObjects(model: DeployModel, companion: CompanionModel): KubeObject[] {
  const name = `${model.stack}-${companion.name}`;
  const component = `companion-${companion.name}`;
  const deployment = new Deployment({
    metadata: { name, labels: labels(model, component) },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector(model, component) },
      template: {
        metadata: { labels: labels(model, component) },
        spec: {
          containers: [
            {
              name: companion.name,
              image: companion.image,
              env: Object.entries(companion.environment).map(([k, v]) => ({ name: k, value: v })),
              ports: companion.ports.map((p) => ({ containerPort: p })),
            },
          ],
        },
      },
    },
  });
  const objects: KubeObject[] = [deployment];
  if (companion.ports.length) {
    objects.push(
      new Service({
        metadata: { name, labels: labels(model, component) },
        spec: { selector: selector(model, component), ports: companion.ports.map((p) => ({ name: `p${p}`, port: p, targetPort: p })) },
      }),
    );
  }
  return objects;
}

export function kubernetesFiles(model: DeployModel, options: K8sOptions = {}): K8sFile[] {
  const n = names(model);
  const files: K8sFile[] = [
    { path: "config.yaml", objects: [configMap(model, options)], inKustomization: true, comment: ["The runtime's environment contract (images/runtime/ENVIRONMENT.md)."] },
    {
      path: "secret.example.yaml",
      objects: [secretTemplate(model)],
      inKustomization: false,
      comment: [
        "Template: do not apply as it is. Create the secret with a password of your own, for example",
        `  kubectl create secret generic ${n.secret} --from-literal=${SECRET_KEYS.database}="$(openssl rand -base64 24)" \\`,
        `    --from-literal=${SECRET_KEYS.admin}="$(openssl rand -base64 24)"`,
        `${SECRET_KEYS.admin} is the back-office password of the account admin, set when the database is first set up.`,
      ],
    },
  ];
  if (!options.externalDatabase) {
    files.push({ path: "database.yaml", objects: databaseObjects(model, options), inKustomization: true, comment: ["MariaDB (the bundle image in its database role) with its own volume."] });
  }
  files.push(
    { path: "mail.yaml", objects: mailObjects(model), inKustomization: true, comment: ["The mail catcher: keeps the mails the site sends and shows them on port 1080. Point LUTECE_MAIL_HOST at a real SMTP server in production."] },
    { path: "init-job.yaml", objects: [initJob(model)], inKustomization: true, comment: ["First-time database set-up and theme SQL; safe to run again (the replicas do the same under one lock).", `To re-run: kubectl delete job ${n.init}, then apply again.`] },
    { path: "app.yaml", objects: [appDeployment(model), appService(model), appDisruptionBudget(model)], inKustomization: true, comment: [`${model.title}: ${model.replicas} replica(s) behind the Service ${n.app} (port 80).`] },
  );
  for (const companion of model.companions) {
    files.push({ path: `companions/${companion.name}.yaml`, objects: companionObjects(model, companion), inKustomization: false, comment: [`Optional companion: ${companion.description}`, `Add it to kustomization.yaml's resources and set in the ConfigMap: ${Object.entries(companion.appEnvironment).map(([k, v]) => `${k}=${v}`).join(", ") || "(nothing)"}`] });
  }
  return files;
}

export interface SchemaProblem {
  file: string;
  object: string;
  message: string;
}

/** Validates every object against its OpenAPI schema; returns what does not conform. */
export function validateFiles(files: K8sFile[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const file of files) {
    for (const object of file.objects) {
      try {
        object.validate();
      } catch (err) {
        problems.push({ file: file.path, object: `${object.kind}/${object.metadata?.name ?? "?"}`, message: (err as Error).message });
      }
    }
  }
  return problems;
}

export function renderYaml(objects: unknown[], comment: string[] = []): string {
  const head = comment.map((l) => `# ${l}`).join("\n");
  const body = objects.map((o) => stringify(JSON.parse(JSON.stringify(o)), { lineWidth: 0 })).join("---\n");
  return (head ? head + "\n" : "") + body;
}

export function kustomization(model: DeployModel, files: K8sFile[]): string {
  const [repository, tag] = splitImage(model.image);
  const doc = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: files.filter((f) => f.inKustomization).map((f) => f.path),
    // Change the image (a newer nightly, a digest) here or with `kustomize edit set image`.
    images: [{ name: repository, newTag: tag }],
  };
  return `# ${model.title}: kubectl apply -k .  (after creating the Secret: see secret.example.yaml)\n` + stringify(doc);
}

function splitImage(image: string): [string, string] {
  const at = image.indexOf("@");
  if (at >= 0) return [image.slice(0, at), image.slice(at + 1)];
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/") ? [image.slice(0, colon), image.slice(colon + 1)] : [image, "latest"];
}
