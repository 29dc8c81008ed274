/**
 * What every deployment target needs to know about one bundle image, computed once from the bundle
 * manifest: the image reference, the site's paths (for probes), the runtime's environment contract and
 * the sizes. Compose and Kubernetes both render this model, so the two never drift apart.
 */
import type { BundleManifest } from "../bundle/manifest.js";
import { computeTags, imageName } from "../image/tags.js";
import { namePattern } from "../lib/names.js";

/** The runtime's numeric user for Tomcat (pinned in Dockerfile.base), for runAsUser and fsGroup. */
export const TOMCAT_UID = 998;

export interface DeployOptions {
  /** Theme baked into the image; its tags carry a -<theme> suffix unless it is the bundle's default. */
  theme?: string;
  /** Full image reference; overrides the one derived from the bundle, theme and version. */
  image?: string;
  /** Registry and namespace for the derived reference (docker.io/citelibre by default, left implicit). */
  registry?: string;
  namespace?: string;
  /** Application replicas (Kubernetes). */
  replicas?: number;
  /** Prefix of every generated name (default citelibre-<bundle>): two stacks of one bundle side by side. */
  stack?: string;
}

export interface CompanionModel {
  name: string;
  description: string;
  image: string;
  ports: number[];
  environment: Record<string, string>;
  appEnvironment: Record<string, string>;
}

export interface DeployModel {
  bundle: string;
  title: string;
  version: string;
  theme: string;
  image: string;
  /** Prefix of every generated name: citelibre-<bundle>. */
  stack: string;
  context: string;
  /** Paths on port 8080, starting with the context: what probes and people open. */
  frontOfficePath: string;
  backOfficePath: string;
  /** What the site writes per container, outside its read-only webapp (citelibre-install-war): writable. */
  siteRuntimeDir: string;
  database: { name: string; user: string };
  replicas: number;
  /**
   * Seconds the application waits, in turn, for the database (CITELIBRE_DB_WAIT), for another container's
   * set-up or first start (CITELIBRE_SETUP_LOCK_WAIT), and for its own site to start (CITELIBRE_START_WAIT):
   * a start-up probe must allow their sum.
   */
  waits: { database: number; setupLock: number; start: number };
  /** Settings the bundle adds to the runtime contract, with their defaults. */
  bundleEnv: { name: string; description: string; default?: string }[];
  companions: CompanionModel[];
  resources: {
    app: { memory: string; memoryRequest: string; cpu: string; javaOpts: string };
    database: { memory: string; memoryRequest: string; cpu: string; bufferPool: string };
    mail: { memory: string; cpu: string };
  };
}


export function deployModel(manifest: BundleManifest, options: DeployOptions = {}): DeployModel {
  const theme = options.theme ?? manifest.defaultTheme;
  if (!namePattern.test(theme)) throw new Error(`"${theme}" is not a theme name`);
  const [tag = manifest.version] = computeTags({ event: { kind: "local", version: manifest.version }, theme, defaultTheme: manifest.defaultTheme });
  const image = options.image ?? `${imageName(manifest.name, { registry: options.registry, namespace: options.namespace })}:${tag}`;
  const replicas = options.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 50) throw new Error("replicas must be a whole number from 1 to 50");
  // Kubernetes object names (DNS labels), with room for the longest suffix added (-database, data-...-0).
  if (options.stack !== undefined && !namePattern.test(options.stack)) {
    throw new Error(`--name: "${options.stack}" must be 2 to 40 lowercase letters, digits or '-', starting with a letter (it prefixes every object's name)`);
  }
  const contextPrefix = manifest.context ? `/${manifest.context}` : "";
  return {
    bundle: manifest.name,
    title: manifest.title,
    version: manifest.version,
    theme,
    image,
    stack: options.stack ?? `citelibre-${manifest.name}`,
    context: manifest.context,
    frontOfficePath: `${contextPrefix}${manifest.urls.frontOffice}`,
    backOfficePath: `${contextPrefix}${manifest.urls.backOffice}`,
    siteRuntimeDir: "/run/citelibre/site",
    database: { name: "lutece", user: "lutece" },
    replicas,
    waits: { database: 120, setupLock: 300, start: 300 },
    bundleEnv: manifest.env,
    companions: manifest.companions,
    // The heap is capped below the container's limit: metaspace, threads and the JIT live outside it.
    resources: {
      app: { memory: "1Gi", memoryRequest: "768Mi", cpu: "2", javaOpts: "-Xms256m -Xmx640m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto" },
      database: { memory: "768Mi", memoryRequest: "384Mi", cpu: "1", bufferPool: "256M" },
      mail: { memory: "128Mi", cpu: "0.25" },
    },
  };
}

/** Compose spells sizes as 1g/768m; Kubernetes as 1Gi/768Mi. */
export function composeSize(k8sQuantity: string): string {
  const m = /^(\d+)(Mi|Gi)$/.exec(k8sQuantity);
  if (!m) throw new Error(`${k8sQuantity} is not a Mi/Gi quantity`);
  return `${m[1]}${m[2] === "Gi" ? "g" : "m"}`;
}
