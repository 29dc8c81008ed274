/**
 * The Kubernetes manifests as one file `podman kube play` runs on a single machine, with the same pod
 * templates. Podman plays Pods, Deployments, ConfigMaps, Secrets and PersistentVolumeClaims, and has no
 * Services: each workload becomes a Pod named after the Service that fronts it, because podman's DNS
 * answers for pod names, so the hosts in the ConfigMap resolve unchanged. StatefulSets and Jobs become
 * Pods with their own templates; their volume claim templates become claims. One replica each.
 *
 * Podman before 4.4 decodes a Secret's `data` when it stores it, re-encodes it, and mounts that encoded
 * form; it ignores `stringData` (containers/podman#16625). A password that is itself canonical base64
 * survives that round trip unchanged, so for those versions it goes into `data` as it is.
 */
import semver from "semver";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, PersistentVolumeClaim, Pod, Secret, Service, type IPodSpec, type IPodTemplateSpec } from "kubernetes-models/v1";
import type { K8sFile, KubeObject } from "./kubernetes.js";

export interface PodmanPlayOptions {
  /** The values the Secret carries, by key (they replace the template's placeholders). */
  secrets: Record<string, string>;
  /** Podman's version, e.g. "4.3.1": decides how Secret data is written. */
  podmanVersion: string;
  /** Port of this machine's loopback where the site is published. */
  sitePort: number;
}

/**
 * Podman 4.3 publishes every containerPort on all of the host's interfaces when no hostPort is given: the
 * database, the mail catcher and the site would be open to the network, and the site's port taken from
 * whatever else uses it. Pods reach each other on the pods' network by name, so no port is published but
 * the site's, on the host's loopback.
 */
function withPublishedPorts(spec: IPodSpec, sitePort: number | undefined): IPodSpec {
  return {
    ...spec,
    containers: spec.containers.map(({ ports, ...container }) => {
      const http = ports?.find((p) => p.name === "http");
      return sitePort !== undefined && http ? { ...container, ports: [{ ...http, hostPort: sitePort, hostIP: "127.0.0.1" }] } : container;
    }),
  };
}

export function secretDataIsRaw(podmanVersion: string): boolean {
  const v = semver.coerce(podmanVersion);
  return v !== null && semver.lt(v, "4.4.0");
}

/** The Service whose selector picks this workload's pods: its name is what other pods connect to. */
function serviceNameFor(name: string, template: IPodTemplateSpec, services: Service[]): string {
  const podLabels = template.metadata?.labels ?? {};
  const service = services.find((s) => Object.entries(s.spec?.selector ?? {}).every(([k, v]) => podLabels[k] === v));
  return service?.metadata?.name ?? name;
}

function podmanSecret(secret: Secret, options: PodmanPlayOptions): Secret {
  const keys = Object.keys({ ...secret.stringData, ...secret.data });
  const raw = secretDataIsRaw(options.podmanVersion);
  const data = Object.fromEntries(keys.map((key) => {
    const value = options.secrets[key];
    if (value === undefined) throw Object.assign(new Error(`no value for the Secret key ${key}`), { key });
    if (raw && Buffer.from(value, "base64").toString("base64") !== value) {
      throw Object.assign(new Error(
        `podman ${options.podmanVersion} mounts Kubernetes secrets in encoded form, so the password must itself be standard base64 (for example \`openssl rand -base64 24\`); delete the file to have one generated`,
      ), { key });
    }
    return [key, raw ? value : Buffer.from(value).toString("base64")];
  }));
  return new Secret({ metadata: secret.metadata, type: secret.type, data });
}

export function podmanPlayDocuments(files: K8sFile[], options: PodmanPlayOptions): KubeObject[] {
  const objects = files.flatMap((f) => f.objects);
  const services = objects.filter((o): o is Service => o instanceof Service);
  const config: KubeObject[] = [];
  const claims: PersistentVolumeClaim[] = [];
  const pods: { order: number; pod: Pod }[] = [];
  const addPod = (order: number, name: string, template: IPodTemplateSpec, spec: IPodSpec) => {
    const site = template.metadata?.labels?.["app.kubernetes.io/component"] === "app" ? options.sitePort : undefined;
    pods.push({ order, pod: new Pod({ metadata: { name, labels: template.metadata?.labels ?? {} }, spec: withPublishedPorts(spec, site) }) });
  };
  // The database first, then the one-off set-up, then the long-running workloads.
  for (const o of objects) {
    if (o instanceof ConfigMap) config.push(o);
    else if (o instanceof Secret) config.unshift(podmanSecret(o, options));
    else if (o instanceof PersistentVolumeClaim) claims.push(o);
    else if (o instanceof StatefulSet && o.spec) {
      const template = o.spec.template;
      const volumes = [...(template.spec?.volumes ?? [])];
      for (const claimTemplate of o.spec.volumeClaimTemplates ?? []) {
        const templateName = claimTemplate.metadata?.name ?? "data";
        const claimName = `${templateName}-${o.metadata?.name ?? ""}-0`;
        claims.push(new PersistentVolumeClaim({ metadata: { ...claimTemplate.metadata, name: claimName }, spec: claimTemplate.spec }));
        volumes.push({ name: templateName, persistentVolumeClaim: { claimName } });
      }
      addPod(0, serviceNameFor(o.metadata?.name ?? "", template, services), template, { containers: [], ...template.spec, volumes, restartPolicy: "Always" });
    } else if (o instanceof Job && o.spec) {
      addPod(1, o.metadata?.name ?? "", o.spec.template, { containers: [], ...o.spec.template.spec });
    } else if (o instanceof Deployment && o.spec) {
      const template = o.spec.template;
      addPod(2, serviceNameFor(o.metadata?.name ?? "", template, services), template, { containers: [], ...template.spec, restartPolicy: "Always" });
    }
    // Services and PodDisruptionBudgets have no podman counterpart.
  }
  return [...config, ...claims, ...pods.sort((a, b) => a.order - b.order).map((p) => p.pod)];
}
