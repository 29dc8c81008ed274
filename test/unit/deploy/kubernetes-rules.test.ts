/**
 * The rules the Kubernetes generator follows for a site kept up for years: disruption budgets, affinity
 * and spread only where they help, an init Job that survives an upgrade, digests kept as digests, a
 * ConfigMap change that rolls the pods, the mail viewer kept off the network, a real SMTP server and an
 * Ingress on request.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadBundle, type BundleManifest } from "../../../scripts/bundle/manifest.js";
import { CONFIG_CHECKSUM_ANNOTATION, K8sOptionError, initJobName, kubernetesFiles, kustomization, validateFiles, type K8sOptions } from "../../../scripts/deploy/kubernetes.js";
import { deployModel, type DeployOptions } from "../../../scripts/deploy/model.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";

async function manifest(): Promise<BundleManifest> {
  const { bundle } = await loadBundle(repoPath("bundles", "rendezvous"));
  return bundle!.manifest;
}

async function generate(model: DeployOptions = {}, options: K8sOptions = {}) {
  const m = deployModel(await manifest(), model);
  const files = kubernetesFiles(m, options);
  expect(validateFiles(files)).toEqual([]);
  const objects = files.flatMap((f) => f.objects);
  const of = <T>(kind: new (...args: never[]) => T) => objects.filter((o): o is T & (typeof objects)[number] => o instanceof kind) as T[];
  const app = of(Deployment).find((d) => d.metadata?.labels?.["app.kubernetes.io/component"] === "app")!;
  const appService = of(Service).find((s) => s.metadata?.name === m.stack)!;
  return { model: m, files, objects, of, app, appService, config: of(ConfigMap)[0]!.data! };
}

describe("Kubernetes rules", () => {
  it("keeps one replica drainable: no disruption budget, affinity or spread, which only several replicas need", async () => {
    const one = await generate({ replicas: 1 });
    expect(one.of(PodDisruptionBudget)).toEqual([]);
    expect(one.appService.spec?.sessionAffinity).toBeUndefined();
    expect(one.app.spec?.template.spec?.topologySpreadConstraints).toBeUndefined();

    const three = await generate({ replicas: 3 });
    const [budget] = three.of(PodDisruptionBudget);
    expect(budget?.spec?.maxUnavailable).toBe(1);
    expect(budget?.spec?.minAvailable).toBeUndefined();
    // Lutece keeps sessions (a back-office login) in one replica's memory.
    expect(three.appService.spec?.sessionAffinity).toBe("ClientIP");
    const [spread] = three.app.spec?.template.spec?.topologySpreadConstraints ?? [];
    expect(spread).toMatchObject({ topologyKey: "kubernetes.io/hostname", maxSkew: 1, labelSelector: { matchLabels: three.app.spec?.selector.matchLabels } });
  });

  it("names the init Job after its image, so an upgrade applies a new Job instead of changing an immutable one", async () => {
    const a = await generate({ image: "ghcr.io/city/rendezvous:1.0.0" });
    const again = await generate({ image: "ghcr.io/city/rendezvous:1.0.0" });
    const b = await generate({ image: "ghcr.io/city/rendezvous:1.0.1" });
    const job = (g: typeof a) => g.of(Job)[0]!;
    expect(job(a).metadata?.name).toBe(initJobName(a.model));
    expect(job(a).metadata?.name).toBe(job(again).metadata?.name);
    expect(job(a).metadata?.name).not.toBe(job(b).metadata?.name);
    expect(job(a).metadata?.name).toMatch(/^citelibre-rendezvous-init-[0-9a-f]{10}$/);
    // Finished Jobs go away by themselves, so kustomize image changes do not meet the old one for long.
    expect(job(a).spec?.ttlSecondsAfterFinished).toBeLessThanOrEqual(3600);
  });

  it("writes an image given by digest as a digest in the kustomization, and a tag as a tag", async () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const byDigest = await generate({ image: `ghcr.io/city/rendezvous@${digest}` });
    const images = (parse(kustomization(byDigest.model, byDigest.files)) as { images: Record<string, string>[] }).images;
    expect(images).toEqual([{ name: "ghcr.io/city/rendezvous", digest }]);
    // A reference with both: kustomize matches the repository, and the digest is what runs.
    const both = await generate({ image: `ghcr.io/city/rendezvous:1.2.3@${digest}` });
    expect((parse(kustomization(both.model, both.files)) as { images: unknown[] }).images).toEqual([{ name: "ghcr.io/city/rendezvous", digest }]);
    const byTag = await generate({ image: "ghcr.io/city/rendezvous:1.2.3" });
    expect((parse(kustomization(byTag.model, byTag.files)) as { images: unknown[] }).images).toEqual([{ name: "ghcr.io/city/rendezvous", newTag: "1.2.3" }]);
    // The colon of a registry's port is not a tag's.
    const byPort = await generate({ image: "127.0.0.1:5000/city/rendezvous" });
    expect((parse(kustomization(byPort.model, byPort.files)) as { images: unknown[] }).images).toEqual([{ name: "127.0.0.1:5000/city/rendezvous", newTag: "latest" }]);
  });

  it("rolls the Deployment when the ConfigMap changes, and only then", async () => {
    const checksum = (g: Awaited<ReturnType<typeof generate>>) => g.app.spec?.template.metadata?.annotations?.[CONFIG_CHECKSUM_ANNOTATION];
    const a = await generate();
    const same = await generate();
    const otherDb = await generate({}, { externalDatabase: "db.example.org:3307" });
    expect(checksum(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(same)).toBe(checksum(a));
    expect(otherDb.config.LUTECE_DB_HOST).toBe("db.example.org");
    expect(checksum(otherDb)).not.toBe(checksum(a));
  });

  it("probes liveness without the database and readiness with it; the start-up probe outlasts the contract's waits", async () => {
    const g = await generate();
    const site = g.app.spec!.template.spec!.containers[0]!;
    expect(site.livenessProbe?.exec?.command).not.toContain("--ready");
    expect(site.readinessProbe?.exec?.command).toContain("--ready");
    const waits = ["CITELIBRE_DB_WAIT", "CITELIBRE_SETUP_LOCK_WAIT", "CITELIBRE_START_WAIT"].reduce((sum, k) => sum + Number(g.config[k]), 0);
    expect((site.startupProbe!.periodSeconds ?? 10) * (site.startupProbe!.failureThreshold ?? 3)).toBeGreaterThan(waits);
  });

  it("keeps the mail viewer off the cluster network", async () => {
    const g = await generate();
    const mail = g.of(Deployment).find((d) => d.metadata?.labels?.["app.kubernetes.io/component"] === "mail")!;
    const container = mail.spec!.template.spec!.containers[0]!;
    expect((container.ports ?? []).map((p) => p.containerPort)).toEqual([1025]);
    expect(container.env?.find((e) => e.name === "CITELIBRE_MAIL_WEB_BIND")).toBeUndefined();
    const service = g.of(Service).find((s) => s.metadata?.name === `${g.model.stack}-mail`)!;
    expect(service.spec?.ports?.map((p) => p.port)).toEqual([1025]);
  });

  it("sends mail through a real SMTP server with its credentials from the Secret, and drops the mail catcher", async () => {
    const g = await generate({}, { smtp: "smtp.example.org:465" });
    expect(g.files.map((f) => f.path)).not.toContain("mail.yaml");
    expect(g.config).toMatchObject({ LUTECE_MAIL_HOST: "smtp.example.org", LUTECE_MAIL_PORT: "465" });
    const env = g.app.spec!.template.spec!.containers[0]!.env ?? [];
    expect(env).toContainEqual({ name: "LUTECE_MAIL_USER_FILE", value: "/run/secrets/citelibre/smtp-user" });
    expect(env).toContainEqual({ name: "LUTECE_MAIL_PWD_FILE", value: "/run/secrets/citelibre/smtp-password" });
    expect(Object.keys(g.of(Secret)[0]!.stringData ?? {})).toEqual(expect.arrayContaining(["smtp-user", "smtp-password"]));
    expect((await generate({}, { smtp: "smtp.example.org" })).config.LUTECE_MAIL_PORT).toBe("587");
  });

  it("publishes the site through an Ingress with TLS when asked, and tells the site its public address", async () => {
    const g = await generate({ replicas: 2 }, { ingressHost: "rdv.example.org", tlsSecret: "rdv-tls", ingressClass: "nginx" });
    const [ingress] = g.of(Ingress);
    expect(ingress?.spec?.ingressClassName).toBe("nginx");
    expect(ingress?.spec?.tls).toEqual([{ hosts: ["rdv.example.org"], secretName: "rdv-tls" }]);
    expect(ingress?.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe(g.model.stack);
    expect(ingress?.metadata?.annotations?.["nginx.ingress.kubernetes.io/affinity"]).toBe("cookie");
    expect(g.config.LUTECE_PROD_URL).toBe("https://rdv.example.org/rendezvous");
    expect((await generate()).of(Ingress)).toEqual([]);
  });

  it("refuses options that make no sense, naming the option", async () => {
    const m = deployModel(await manifest());
    const refused = (options: K8sOptions) => {
      try {
        kubernetesFiles(m, options);
      } catch (err) {
        expect(err).toBeInstanceOf(K8sOptionError);
        return (err as K8sOptionError).option;
      }
      return "accepted";
    };
    expect(refused({ tlsSecret: "rdv-tls" })).toBe("--tls-secret");
    expect(refused({ ingressHost: "Not A Host" })).toBe("--ingress-host");
    expect(refused({ ingressHost: "rdv.example.org", tlsSecret: "Bad_Name" })).toBe("--tls-secret");
    expect(refused({ smtp: "smtp.example.org:99999" })).toBe("--smtp");
    expect(refused({ externalDatabase: "db example" })).toBe("--external-db");
  });
});
