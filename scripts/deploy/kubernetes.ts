/**
 * Plain Kubernetes manifests for a bundle: the application as a Deployment of non-root replicas with a
 * read-only root filesystem, MariaDB as a StatefulSet (or an external database), the mail catcher (or a
 * real SMTP server), a ConfigMap for the runtime's environment contract, a Secret template, an init Job
 * for the first-time database set-up, an optional Ingress, and a kustomization listing them.
 *
 * The rules: liveness never depends on the database (an outage would restart every replica at once),
 * readiness does; the start-up probe allows every wait of the contract; each container's stop budget
 * (CITELIBRE_STOP_TIMEOUT) fits its grace period; a PodDisruptionBudget, session affinity and a topology
 * spread only with more than one replica (Lutece keeps sessions in memory); the Job's name follows its
 * image (a Job's pod template cannot change); a ConfigMap change rolls the Deployment (checksum annotation).
 *
 * Built with kubernetes-models' typed classes: a misspelt field fails the type check, and every object
 * is validated against the Kubernetes OpenAPI schemas those classes carry before anything is written.
 */
import { createHash } from "node:crypto";
import { ConfigMap, PersistentVolumeClaim, Secret, Service, type IContainer, type IEnvVar, type IPodSpec, type IPodTemplateSpec, type IProbe, type IVolume, type IVolumeMount } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { stringify } from "yaml";
import { nameOf, splitImageRef } from "../lib/image-ref.js";
import { loadRuntimeContract } from "../runtime/contract.js";
import { TOMCAT_UID, type CompanionModel, type DeployModel } from "./model.js";

/** The Kubernetes minor whose OpenAPI schemas kubernetes-models 4.5.1 carries. */
export const KUBERNETES_VERSION = "1.33";

export interface K8sOptions {
  /** host or host:port of a database outside the cluster; no MariaDB StatefulSet is generated then. */
  externalDatabase?: string;
  /** Size of the database volume. */
  databaseStorage?: string;
  /** host or host:port of a real SMTP server; its credentials come from the Secret. No mail catcher then. */
  smtp?: string;
  /** Public host name: an Ingress to the site, and the site's LUTECE_PROD_URL. */
  ingressHost?: string;
  /** Secret holding the Ingress's TLS certificate (kubernetes.io/tls). */
  tlsSecret?: string;
  /** IngressClass to use (the cluster's default when unset). */
  ingressClass?: string;
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
export const SECRET_KEYS = { database: "db-password", admin: "admin-password", smtpUser: "smtp-user", smtpPassword: "smtp-password" } as const;

/** Grace periods, and the runtime's stop budget inside each (CITELIBRE_STOP_TIMEOUT) with room to spare. */
export const GRACE_SECONDS = { app: 30, database: 60, mail: 15 } as const;
const stopTimeout = (grace: number) => String(grace - 5);

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

export class K8sOptionError extends Error {
  constructor(readonly option: string, message: string) {
    super(message);
  }
}

function parseHostPort(option: string, hostPort: string, defaultPort: string): { host: string; port: string } {
  const m = /^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m || (m[3] && Number(m[3]) > 65535)) throw new K8sOptionError(option, `"${hostPort}" is not host or host:port`);
  return { host: m[1] ?? hostPort, port: m[3] ?? defaultPort };
}

function checkOptions(options: K8sOptions): void {
  const dns = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
  const objectName = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
  if (options.ingressHost !== undefined && !dns.test(options.ingressHost)) {
    throw new K8sOptionError("--ingress-host", `"${options.ingressHost}" is not a host name such as rendezvous.example.org (lowercase, with a dot)`);
  }
  if (options.tlsSecret !== undefined && options.ingressHost === undefined) throw new K8sOptionError("--tls-secret", "needs --ingress-host: the certificate is served by the Ingress");
  if (options.ingressClass !== undefined && options.ingressHost === undefined) throw new K8sOptionError("--ingress-class", "needs --ingress-host");
  for (const [option, value] of [["--tls-secret", options.tlsSecret], ["--ingress-class", options.ingressClass]] as const) {
    if (value !== undefined && !objectName.test(value)) throw new K8sOptionError(option, `"${value}" is not a Kubernetes object name (lowercase letters, digits, '-' and '.')`);
  }
}

/** The site's public address when an Ingress serves it. */
function publicUrl(model: DeployModel, options: K8sOptions): string | undefined {
  if (!options.ingressHost) return undefined;
  return `${options.tlsSecret ? "https" : "http"}://${options.ingressHost}${model.context ? `/${model.context}` : ""}`;
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

const execHealth = (periodSeconds: number, failureThreshold: number, args: string[] = [], timeoutSeconds = 5): IProbe => ({
  exec: { command: ["/usr/local/bin/citelibre-healthcheck", ...args] },
  periodSeconds,
  timeoutSeconds,
  failureThreshold,
});

function configMap(model: DeployModel, options: K8sOptions): ConfigMap {
  const n = names(model);
  const db = options.externalDatabase ? parseHostPort("--external-db", options.externalDatabase, "3306") : { host: n.database, port: "3306" };
  const mail = options.smtp ? parseHostPort("--smtp", options.smtp, "587") : { host: n.mail, port: "1025" };
  const url = publicUrl(model, options);
  return new ConfigMap({
    metadata: { name: n.config, labels: labels(model, "config") },
    data: {
      LUTECE_DB_HOST: db.host,
      LUTECE_DB_PORT: db.port,
      LUTECE_DB_NAME: model.database.name,
      LUTECE_DB_USER: model.database.user,
      LUTECE_MAIL_HOST: mail.host,
      LUTECE_MAIL_PORT: mail.port,
      ...(url ? { LUTECE_PROD_URL: url } : {}),
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

function secretTemplate(model: DeployModel, options: K8sOptions): Secret {
  return new Secret({
    metadata: { name: names(model).secret, labels: labels(model, "config") },
    type: "Opaque",
    stringData: {
      [SECRET_KEYS.database]: "CHANGE-ME-to-a-long-random-password",
      [SECRET_KEYS.admin]: "CHANGE-ME-to-another-long-random-password",
      ...(options.smtp ? { [SECRET_KEYS.smtpUser]: "CHANGE-ME-to-the-smtp-user", [SECRET_KEYS.smtpPassword]: "CHANGE-ME-to-the-smtp-password" } : {}),
    },
  });
}

/**
 * The image's health check tells a started Lutece from its startup failure page (which answers HTTP 200)
 * by Lutece's own start-up state, which needs no database: liveness. Readiness also asks that the
 * database answer (`--ready`). The start-up probe allows every wait the entrypoint may go through before
 * it gives up by itself (the ConfigMap's CITELIBRE_DB_WAIT, _SETUP_LOCK_WAIT and _START_WAIT), and a minute more.
 */
export function startupBudgetSeconds(config: Record<string, string>): number {
  const wait = (name: string) => {
    const value = Number(config[name]);
    if (!Number.isInteger(value)) throw new Error(`internal: the ConfigMap has no whole number in ${name}`);
    return value;
  };
  return wait("CITELIBRE_DB_WAIT") + wait("CITELIBRE_SETUP_LOCK_WAIT") + wait("CITELIBRE_START_WAIT") + 60;
}

function siteProbes(config: Record<string, string>): Pick<IContainer, "startupProbe" | "readinessProbe" | "livenessProbe"> {
  const period = 5;
  return {
    startupProbe: execHealth(period, Math.ceil(startupBudgetSeconds(config) / period)),
    // The site's state (up to 4 s) and a login to the database (up to 6 s).
    readinessProbe: execHealth(10, 3, ["--ready"], 12),
    livenessProbe: execHealth(20, 3),
  };
}

/**
 * Pod spec shared by the application and the init Job: non-root, read-only root filesystem. What the site
 * writes per container (its settings for this start, temporary files, the search index) goes to an
 * emptyDir on /run/citelibre/site, where the read-only webapp links; Tomcat's work, temp and logs folders
 * and /tmp are emptyDirs too.
 */
function siteContainerBase(model: DeployModel, role: "app" | "init", options: K8sOptions, config: ConfigMap): IContainer {
  const n = names(model);
  const env: IEnvVar[] = [
    { name: "CITELIBRE_ROLE", value: role },
    { name: "CITELIBRE_STOP_TIMEOUT", value: stopTimeout(GRACE_SECONDS.app) },
    { name: "LUTECE_DB_PWD_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.database}` },
    // Used once, when the first container to find the database empty sets it up.
    { name: "LUTECE_ADMIN_PWD_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.admin}` },
  ];
  if (options.smtp && role === "app") {
    env.push(
      { name: "LUTECE_MAIL_USER_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.smtpUser}` },
      { name: "LUTECE_MAIL_PWD_FILE", value: `${SECRET_MOUNT}/${SECRET_KEYS.smtpPassword}` },
    );
  }
  // The app reads the whole ConfigMap; the init Job only the keys its role reads (the contract says which).
  const fromConfig = role === "app" ? { envFrom: [{ configMapRef: { name: n.config } }] } : {};
  if (role === "init") {
    const readByInit = loadRuntimeContract().variables.filter((v) => v.roles.includes("init")).map((v) => v.name);
    for (const key of Object.keys(config.data ?? {}).filter((k) => readByInit.includes(k))) {
      env.push({ name: key, valueFrom: { configMapKeyRef: { name: n.config, key } } });
    }
  }
  return {
    name: role === "app" ? "site" : "init",
    image: model.image,
    imagePullPolicy: "IfNotPresent",
    ...fromConfig,
    env,
    securityContext: nonRoot,
  };
}

/** Changes whenever the ConfigMap's data does, so that applying a new ConfigMap rolls the pods that read it. */
export function configChecksum(config: ConfigMap): string {
  const data = config.data ?? {};
  const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
  return createHash("sha256").update(canonical).digest("hex");
}

export const CONFIG_CHECKSUM_ANNOTATION = "citelibre.fr/config-sha256";

const podSecurity = {
  runAsUser: TOMCAT_UID,
  runAsGroup: TOMCAT_UID,
  fsGroup: TOMCAT_UID,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" as const },
};

function appDeployment(model: DeployModel, options: K8sOptions, config: ConfigMap): Deployment {
  const n = names(model);
  const scratch = ["site-runtime", "tomcat-work", "tomcat-temp", "tomcat-logs", "tmp"];
  const spec: IPodSpec = {
    securityContext: podSecurity,
    terminationGracePeriodSeconds: GRACE_SECONDS.app,
    // Replicas on different nodes when there are several: one node going down keeps the site up.
    ...(model.replicas > 1
      ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector(model, "app") } }] }
      : {}),
    containers: [
      {
        ...siteContainerBase(model, "app", options, config),
        ports: [{ name: "http", containerPort: 8080 }],
        ...siteProbes(config.data ?? {}),
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
      template: { metadata: { labels: labels(model, "app"), annotations: { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(config) } }, spec },
    },
  });
}

/** Lutece keeps each visitor's session (a back-office login, a form half filled) in one replica's memory. */
const SESSION_SECONDS = 3 * 3600;

function appService(model: DeployModel): Service {
  return new Service({
    metadata: { name: names(model).app, labels: labels(model, "app") },
    spec: {
      selector: selector(model, "app"),
      ports: [{ name: "http", port: 80, targetPort: "http" }],
      ...(model.replicas > 1 ? { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: SESSION_SECONDS } } } : {}),
    },
  });
}

/** With one replica a budget would forbid every node drain: none then. */
function appDisruptionBudget(model: DeployModel): PodDisruptionBudget[] {
  if (model.replicas < 2) return [];
  return [
    new PodDisruptionBudget({
      metadata: { name: names(model).app, labels: labels(model, "app") },
      spec: { maxUnavailable: 1, selector: { matchLabels: selector(model, "app") } },
    }),
  ];
}

function appIngress(model: DeployModel, options: K8sOptions): Ingress[] {
  if (!options.ingressHost) return [];
  const n = names(model);
  return [
    new Ingress({
      metadata: {
        name: n.app,
        labels: labels(model, "app"),
        // Behind an ingress controller, affinity is by cookie: ingress-nginx reads these (others ignore them).
        ...(model.replicas > 1
          ? { annotations: { "nginx.ingress.kubernetes.io/affinity": "cookie", "nginx.ingress.kubernetes.io/session-cookie-max-age": String(SESSION_SECONDS) } }
          : {}),
      },
      spec: {
        ...(options.ingressClass ? { ingressClassName: options.ingressClass } : {}),
        ...(options.tlsSecret ? { tls: [{ hosts: [options.ingressHost], secretName: options.tlsSecret }] } : {}),
        rules: [
          {
            host: options.ingressHost,
            http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: n.app, port: { name: "http" } } } }] },
          },
        ],
      },
    }),
  ];
}

/**
 * A Job's pod template cannot change: a new image under the same name would make `kubectl apply` fail.
 * So the Job is named after its image, and removes itself ten minutes after it finishes (the replicas run
 * the same set-up under one lock, so it is never needed again for that image).
 */
export function initJobName(model: DeployModel): string {
  return `${names(model).init}-${createHash("sha256").update(model.image).digest("hex").slice(0, 10)}`;
}

function initJob(model: DeployModel, options: K8sOptions, config: ConfigMap): Job {
  return new Job({
    metadata: { name: initJobName(model), labels: labels(model, "init") },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: labels(model, "init") },
        spec: {
          restartPolicy: "OnFailure",
          securityContext: podSecurity,
          terminationGracePeriodSeconds: GRACE_SECONDS.app,
          containers: [
            {
              ...siteContainerBase(model, "init", options, config),
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
      // MariaDB flushes and stops within a few seconds; the grace period leaves it room on a busy node.
      template: rolePod(model, "database", {
        name: "mariadb",
        env: [
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
      }, [secretVolume(model)]),
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

/**
 * The pod of a one-replica role of the image (database, mail): the role and its share of the grace period
 * come first in the environment, so the entrypoint stops the service before the kubelet kills it.
 */
function rolePod(model: DeployModel, role: "database" | "mail", container: IContainer & { env: IEnvVar[] }, volumes: IVolume[]): IPodTemplateSpec {
  const { name, env, ...rest } = container;
  return {
    metadata: { labels: labels(model, role) },
    spec: {
      terminationGracePeriodSeconds: GRACE_SECONDS[role],
      containers: [{
        name,
        image: model.image,
        imagePullPolicy: "IfNotPresent",
        env: [{ name: "CITELIBRE_ROLE", value: role }, { name: "CITELIBRE_STOP_TIMEOUT", value: stopTimeout(GRACE_SECONDS[role]) }, ...env],
        ...rest,
      }],
      volumes,
    },
  };
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
      // The viewer shows password-reset mails: it stays on the pod's loopback, which
      // `kubectl port-forward` reaches and the cluster network does not.
      template: rolePod(model, "mail", {
        name: "mail-catcher",
        env: [],
        ports: [{ name: "smtp", containerPort: 1025 }],
        readinessProbe: { tcpSocket: { port: "smtp" }, periodSeconds: 10 },
        livenessProbe: execHealth(30, 3),
        securityContext: rootDroppingPrivileges,
        resources: { limits: { memory: model.resources.mail.memory, cpu: model.resources.mail.cpu } },
        volumeMounts: [{ name: "mail", mountPath: "/var/lib/citelibre" }],
      }, [{ name: "mail", persistentVolumeClaim: { claimName: n.mail } }]),
    },
  });
  const service = new Service({
    metadata: { name: n.mail, labels: labels(model, "mail") },
    spec: { selector: selector(model, "mail"), ports: [{ name: "smtp", port: 1025, targetPort: "smtp" }] },
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
  checkOptions(options);
  const n = names(model);
  const config = configMap(model, options);
  const secretKeys = [SECRET_KEYS.database, SECRET_KEYS.admin, ...(options.smtp ? [SECRET_KEYS.smtpUser, SECRET_KEYS.smtpPassword] : [])];
  const files: K8sFile[] = [
    {
      path: "config.yaml",
      objects: [config],
      inKustomization: true,
      comment: [
        "The runtime's environment contract (images/runtime/ENVIRONMENT.md).",
        "The Deployment carries a checksum of this data: regenerate with citelibre deploy k8s to roll it; after editing by hand,",
        `run kubectl rollout restart deployment/${n.app}.`,
      ],
    },
    {
      path: "secret.example.yaml",
      objects: [secretTemplate(model, options)],
      inKustomization: false,
      comment: [
        "Template: do not apply as it is. Create the secret with a password of your own, for example",
        `  kubectl create secret generic ${n.secret} --from-literal=${SECRET_KEYS.database}="$(openssl rand -base64 24)" \\`,
        `    --from-literal=${SECRET_KEYS.admin}="$(openssl rand -base64 24)"${options.smtp ? ` \\` : ""}`,
        ...(options.smtp ? [`    --from-literal=${SECRET_KEYS.smtpUser}=<user> --from-literal=${SECRET_KEYS.smtpPassword}=<password>`] : []),
        `${SECRET_KEYS.admin} is the back-office password of the account admin, set when the database is first set up.`,
        `Keys: ${secretKeys.join(", ")}.`,
      ],
    },
  ];
  if (!options.externalDatabase) {
    files.push({ path: "database.yaml", objects: databaseObjects(model, options), inKustomization: true, comment: ["MariaDB (the bundle image in its database role) with its own volume."] });
  }
  if (!options.smtp) {
    files.push({
      path: "mail.yaml",
      objects: mailObjects(model),
      inKustomization: true,
      comment: [
        "The mail catcher: keeps the mails the site sends. To read them: kubectl port-forward deployment/" + n.mail + " 1080, then http://127.0.0.1:1080/.",
        "In production, regenerate with --smtp host:port (a real SMTP server, its credentials in the Secret).",
      ],
    });
  }
  files.push(
    {
      path: "init-job.yaml",
      objects: [initJob(model, options, config)],
      inKustomization: true,
      comment: [
        "First-time database set-up and theme SQL; safe to run again (the replicas do the same under one lock).",
        "Named after its image, so a new image brings a new Job; each removes itself 10 minutes after it finishes.",
      ],
    },
    {
      path: "app.yaml",
      objects: [appDeployment(model, options, config), appService(model), ...appDisruptionBudget(model), ...appIngress(model, options)],
      inKustomization: true,
      comment: [`${model.title}: ${model.replicas} replica(s) behind the Service ${n.app} (port 80)${options.ingressHost ? `, published as ${publicUrl(model, options) ?? ""}` : ""}.`],
    },
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
    images: [tag.startsWith("sha256:") ? { name: repository, digest: tag } : { name: repository, newTag: tag }],
  };
  return `# ${model.title}: kubectl apply -k .  (after creating the Secret: see secret.example.yaml)\n` + stringify(doc);
}

export function splitImage(image: string): [string, string] {
  // deploy has checked --image against the grammar; kustomize matches images by repository, and a digest
  // wins over the tag.
  const ref = splitImageRef(image);
  return [nameOf(ref), ref.digest ?? ref.tag ?? "latest"];
}
