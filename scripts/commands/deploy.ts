/**
 * `citelibre deploy compose|k8s`: the files that run a bundle image beyond one container.
 */
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../lib/problems.js";
import type { CommandContext } from "./context.js";

type ComposeFlags = import("../deploy/deploy.js").DeployFlags;
type KubernetesFlags = Omit<import("../deploy/deploy.js").K8sFlags, "podmanPort"> & { replicas: string; podmanPort: string };

const deployFlags = (cmd: Command) =>
  cmd
    .option("--theme <name|dir>", "theme baked into the image (its tag gets -<theme> unless it is the default)")
    .option("--image <ref>", "image to run (default: citelibre/<bundle>:<version>[-<theme>])")
    .option("--registry <host>", "registry of the derived image name (e.g. ghcr.io)")
    .option("--namespace <name>", "namespace of the derived image name", "citelibre")
    .option("--name <stack>", "prefix of every service, object and volume name (default citelibre-<bundle>)")
    .option("--out <dir>", "folder to write (default: dist/deploy/<bundle>[-<theme>]/<kind>)");

export function registerDeploy(program: Command, ctx: CommandContext): void {
  const deploy = program.command("deploy").description("generate a compose stack or Kubernetes manifests that run a bundle image beyond one container");
  deployFlags(deploy.command("compose <bundle>").description("compose.yaml: app-only container, MariaDB, mail catcher, secrets as files, .env.example"))
    .action((name: string, opts: ComposeFlags) => deployComposeCommand(ctx, name, opts));
  deployFlags(deploy.command("k8s <bundle>").description("Kubernetes manifests (kustomize-ready), validated against the Kubernetes OpenAPI schemas"))
    .option("--replicas <n>", "application replicas", "2")
    .option("--external-db <host[:port]>", "use a database outside the cluster instead of the MariaDB StatefulSet")
    .option("--db-storage <size>", "size of the database volume", "5Gi")
    .option("--smtp <host[:port]>", "send mail through this SMTP server (user and password from the Secret) instead of the mail catcher")
    .option("--ingress-host <host>", "an Ingress publishing the site under this host name (also its LUTECE_PROD_URL)")
    .option("--tls-secret <name>", "TLS certificate Secret for the Ingress (https)")
    .option("--ingress-class <name>", "IngressClass of the Ingress (default: the cluster's)")
    .option("--podman", "also write podman-play.yaml, for `podman kube play` on one machine", false)
    .option("--podman-port <n>", "with --podman: port of 127.0.0.1 where the site is published", "8080")
    .action((name: string, opts: KubernetesFlags) => deployKubernetesCommand(ctx, name, opts));
}

async function deployComposeCommand(ctx: CommandContext, name: string, opts: ComposeFlags): Promise<void> {
  const { deployCompose } = await import("../deploy/deploy.js");
  const r = ctx.reporter();
  const result = await deployCompose(name, opts);
  const rel = path.relative(process.cwd(), result.outDir) || ".";
  r.json({ ok: true, outDir: result.outDir, image: result.model.image, files: result.files, passwordsCreated: result.passwordsCreated });
  r.result([
    `Wrote the compose stack of ${result.model.bundle} (${result.model.image}) to ${rel}:`,
    ...result.files.map((f) => `  ${f}`),
    ...["secrets/db_password", "secrets/admin_password"].map((f) => `  ${f.padEnd(24)}${result.passwordsCreated.includes(f) ? "(new random password, mode 0600: keep it private)" : "(kept as it was)"}`),
    "  (admin_password: the back-office account admin, set when the database is first set up)",
    "Start it with:",
    `  cd ${rel} && docker compose -p ${result.model.stack} up -d      (docker-compose and podman-compose take the same -p)`,
    `Then open http://127.0.0.1:8080${result.model.frontOfficePath}`,
  ].join("\n"));
  for (const note of result.notes ?? []) r.warn(note);
}

async function deployKubernetesCommand(ctx: CommandContext, name: string, opts: KubernetesFlags): Promise<void> {
  const { deployKubernetes } = await import("../deploy/deploy.js");
  const replicas = Number(opts.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 50) throw new UsageError("--replicas must be a whole number from 1 to 50");
  const r = ctx.reporter();
  const podmanPort = Number(opts.podmanPort);
  if (!Number.isInteger(podmanPort) || podmanPort < 1 || podmanPort > 65535) throw new UsageError("--podman-port must be a port number from 1 to 65535");
  const result = await deployKubernetes(name, { ...opts, replicas, podmanPort });
  const rel = path.relative(process.cwd(), result.outDir) || ".";
  r.json({ ok: true, outDir: result.outDir, image: result.model.image, files: result.files, kubernetesVersion: result.kubernetesVersion });
  r.result([
    `Wrote Kubernetes manifests for ${result.model.bundle} (${result.model.image}), valid for Kubernetes ${result.kubernetesVersion}, to ${rel}:`,
    ...result.files.map((f) => `  ${f}`),
    "Apply them with:",
    `  kubectl create secret generic ${result.model.stack}-db --from-literal=db-password="$(openssl rand -base64 24)" --from-literal=admin-password="$(openssl rand -base64 24)"${opts.smtp ? " --from-literal=smtp-user=<user> --from-literal=smtp-password=<password>" : ""}`,
    `  kubectl apply -k ${rel}`,
    ...(opts.podman ? ["On one machine with podman:", `  podman network create ${result.model.stack}; podman kube play --network ${result.model.stack} ${rel}/podman-play.yaml`] : []),
  ].join("\n"));
}
