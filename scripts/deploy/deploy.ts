/**
 * `citelibre deploy compose|k8s`: loads the bundle, renders the deployment files and writes them. The
 * output folder may already hold the user's own files (.env, compose.override.yaml, the password): only
 * the generated files are replaced, each one atomically, and an existing password is never touched.
 */
import { podmanVersion } from "../engine/engine.js";
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { loadBundle, resolveBundleDir } from "../bundle/manifest.js";
import { problemsText, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { ADMIN_PASSWORD_FILE, DB_PASSWORD_FILE, composeFiles } from "./compose.js";
import { K8sOptionError, KUBERNETES_VERSION, SECRET_KEYS, kubernetesFiles, kustomization, renderYaml, validateFiles } from "./kubernetes.js";
import { deployModel, type DeployModel, type DeployOptions } from "./model.js";
import { podmanPlayDocuments } from "./podman-play.js";
import { ImageRefError, parseImageRef } from "../lib/image-ref.js";
import { namePattern } from "../lib/names.js";
import { writeFileAtomically } from "../lib/tree.js";
import { themeNameOf } from "../theme/identity.js";

export interface DeployFlags {
  /** Prefix of every generated name (default citelibre-<bundle>). */
  name?: string;
  theme?: string;
  image?: string;
  registry?: string;
  namespace?: string;
  out?: string;
}

export interface DeployResult {
  model: DeployModel;
  outDir: string;
  files: string[];
  /** The password files created by this run (an existing one is never touched). */
  passwordsCreated: string[];
  /** What the person should fix by hand (their own .env lacks the project name). */
  notes?: string[];
}


/**
 * --theme takes a theme name or a theme folder (what build --theme takes); the image tag carries the
 * theme's own name, which for a folder is the one in its theme.yaml.
 */
async function deployedThemeName(flag: string): Promise<string> {
  return (await themeNameOf(flag)) ?? path.basename(path.resolve(flag));
}

/** --image is written into the generated files as given: it must follow the reference grammar. */
function checkImageFlag(image: string): void {
  try {
    parseImageRef(image);
  } catch (e) {
    if (e instanceof ImageRefError) throw new UserError(`--image: "${image}" is not an image reference (such as docker.io/citelibre/rendezvous:1.0.0): ${e.reason}`, [], 2);
    throw e;
  }
}

async function modelFor(bundleName: string, flags: DeployFlags, extra: DeployOptions = {}): Promise<DeployModel> {
  const dir = await resolveBundleDir(bundleName);
  const { bundle, problems } = await loadBundle(dir);
  if (!bundle) throw new UserError(`bundle ${bundleName} is not valid:\n${problemsText(dir, problems.items)}`);
  const theme = flags.theme === undefined ? undefined : await deployedThemeName(flags.theme);
  if (theme !== undefined && !namePattern.test(theme)) {
    throw new UserError(`--theme: "${flags.theme}" is not a theme name or folder (lowercase letters, digits and '-', such as exampleville)`, [], 2);
  }
  if (flags.image !== undefined) checkImageFlag(flags.image);
  try {
    return deployModel(bundle.manifest, { theme, image: flags.image, registry: flags.registry, namespace: flags.namespace, ...(flags.name ? { stack: flags.name } : {}), ...extra });
  } catch (err) {
    throw new UserError((err as Error).message, [], 2);
  }
}

function defaultOut(model: DeployModel, kind: string): string {
  const suffix = model.theme === "citelibre" ? "" : `-${model.theme}`;
  return repoPath("dist", "deploy", `${model.bundle}${suffix}`, kind);
}


/** Writes each file atomically; files listed in `private` are created readable by their owner only. */
async function writeFiles(outDir: string, files: Record<string, string>, privateFiles: string[] = []): Promise<string[]> {
  try {
    await mkdir(outDir, { recursive: true });
    for (const [rel, content] of Object.entries(files)) {
      await writeFileAtomically(path.join(outDir, rel), content, privateFiles.includes(rel) ? 0o600 : 0o644);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`cannot write the deployment files into ${outDir} (${e.code ?? e.message}): choose a writable folder with --out`);
  }
  return Object.keys(files);
}

/** A password file (secrets/...): created once with a random value, never overwritten. */
async function ensurePassword(outDir: string, relative: string, what: string): Promise<{ password: string; created: boolean }> {
  const file = path.join(outDir, relative);
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing !== undefined) {
    const password = existing.replace(/\r?\n$/, "");
    if (!password || /[\r\n]/.test(password)) {
      throw new UserError(`${file} must hold ${what} on one line; put a long random password there (or delete the file to have one generated)`);
    }
    return { password, created: false };
  }
  // Standard base64 of whole bytes: also what podman before 4.4 needs to carry it in a Secret (podman-play.ts).
  const password = randomBytes(24).toString("base64");
  await mkdir(outDir, { recursive: true });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomically(file, password, 0o600);
  return { password, created: true };
}

export async function deployCompose(bundleName: string, flags: DeployFlags): Promise<DeployResult> {
  const model = await modelFor(bundleName, flags);
  const outDir = path.resolve(flags.out ?? defaultOut(model, "compose"));
  const written = await writeFiles(outDir, composeFiles(model));
  const created = [];
  for (const [file, what] of [[DB_PASSWORD_FILE, "the database password"], [ADMIN_PASSWORD_FILE, "the back-office password of admin"]] as const) {
    if ((await ensurePassword(outDir, file, what)).created) created.push(file);
  }
  const project = await ensureProjectName(outDir, model.stack);
  return { model, outDir, files: project.created ? [...written, ".env"] : written, passwordsCreated: created, ...(project.note ? { notes: [project.note] } : {}) };
}

/**
 * The compose project's name lives in .env (COMPOSE_PROJECT_NAME), which docker compose and docker-compose
 * read: the compose file cannot say it for docker-compose 1.29. A new .env gets it; the user's own .env is
 * never changed, only checked. Without it, the project takes the folder's name, and its volumes with it.
 */
async function ensureProjectName(outDir: string, stack: string): Promise<{ created: boolean; note?: string }> {
  const file = path.join(outDir, ".env");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing === undefined) {
    await writeFileAtomically(file, `# Written once by citelibre deploy compose; yours to edit (.env.example lists every setting).\nCOMPOSE_PROJECT_NAME=${stack}\n`, 0o644);
    return { created: true };
  }
  if (/^\s*COMPOSE_PROJECT_NAME=/m.test(existing)) return { created: false };
  return { created: false, note: `${file} has no COMPOSE_PROJECT_NAME: add COMPOSE_PROJECT_NAME=${stack}, or give -p ${stack} to compose, so the stack keeps its volumes (${stack}_database, ${stack}_mail)` };
}

export interface K8sFlags extends DeployFlags {
  replicas?: number;
  externalDb?: string;
  dbStorage?: string;
  /** A real SMTP server (host[:port]); its user and password come from the Secret. */
  smtp?: string;
  ingressHost?: string;
  tlsSecret?: string;
  ingressClass?: string;
  /** Also write podman-play.yaml for `podman kube play` on one machine. */
  podman?: boolean;
  /** Port of this machine's loopback where podman-play.yaml publishes the site. */
  podmanPort?: number;
}

export async function deployKubernetes(bundleName: string, flags: K8sFlags): Promise<DeployResult & { kubernetesVersion: string }> {
  const model = await modelFor(bundleName, flags, { replicas: flags.replicas });
  if (flags.dbStorage !== undefined && !/^\d+(Mi|Gi|Ti)$/.test(flags.dbStorage)) {
    throw new UserError(`--db-storage: "${flags.dbStorage}" is not a size such as 5Gi`, [], 2);
  }
  if (flags.podman && flags.smtp) {
    throw new UserError("--podman writes a stack for one machine, with its own mail catcher: leave out --smtp (or --podman)", [], 2);
  }
  let files;
  try {
    files = kubernetesFiles(model, {
      externalDatabase: flags.externalDb,
      databaseStorage: flags.dbStorage,
      smtp: flags.smtp,
      ingressHost: flags.ingressHost,
      tlsSecret: flags.tlsSecret,
      ingressClass: flags.ingressClass,
    });
  } catch (err) {
    if (err instanceof K8sOptionError) {
      const example = { "--external-db": " (for example db.example.org:3306)", "--smtp": " (for example smtp.example.org:587)" }[err.option] ?? "";
      throw new UserError(`${err.option}: ${err.message}${example}`, [], 2);
    }
    throw err;
  }
  const problems = validateFiles(files);
  if (problems.length) {
    // The generator's own output failed the schema: a bug here, not the user's doing.
    throw new Error(`generated manifests do not conform to Kubernetes ${KUBERNETES_VERSION}:\n${problems.map((p) => `  ${p.file} ${p.object}: ${p.message}`).join("\n")}`);
  }
  const outDir = path.resolve(flags.out ?? defaultOut(model, "k8s"));
  const rendered: Record<string, string> = {};
  for (const f of files) rendered[f.path] = renderYaml(f.objects.map((o) => o.toJSON()), f.comment);
  rendered["kustomization.yaml"] = kustomization(model, files);
  rendered[".gitignore"] = "secrets/\n";
  const created: string[] = [];
  if (flags.podman) {
    const version = await podmanVersion();
    const secrets: Record<string, { file: string; password: string }> = {};
    for (const [key, file, what] of [[SECRET_KEYS.database, DB_PASSWORD_FILE, "the database password"], [SECRET_KEYS.admin, ADMIN_PASSWORD_FILE, "the back-office password of admin"]] as const) {
      const secret = await ensurePassword(outDir, file, what);
      if (secret.created) created.push(file);
      secrets[key] = { file, password: secret.password };
    }
    let documents;
    try {
      documents = podmanPlayDocuments(files, {
        secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v.password])),
        podmanVersion: version,
        sitePort: flags.podmanPort ?? 8080,
      }).map((o) => o.toJSON());
    } catch (err) {
      const e = err as Error & { key?: string };
      throw new UserError(`${path.join(outDir, secrets[e.key ?? ""]?.file ?? DB_PASSWORD_FILE)}: ${e.message}`);
    }
    rendered["podman-play.yaml"] = renderYaml(documents, [
      `${model.title} for \`podman kube play\` on one machine (podman ${version}); holds the passwords: keep it private.`,
      `Run: podman network create ${model.stack}; podman kube play --network ${model.stack} podman-play.yaml`,
      `Then open http://127.0.0.1:${flags.podmanPort ?? 8080}${model.frontOfficePath} (published on this machine only).`,
    ]);
  }
  const written = await writeFiles(outDir, rendered, ["podman-play.yaml"]);
  return { model, outDir, files: written, passwordsCreated: created, kubernetesVersion: KUBERNETES_VERSION };
}
