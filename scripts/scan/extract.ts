/**
 * Reads what the SBOM and the freshness check need out of an image, through the engine: the image's ID,
 * labels and creation date; dpkg's status file, os-release, the site's jars and the runtime's scripts
 * from a created (never started) container; and a simulated apt upgrade in a throw-away container.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import { sha256File } from "../lib/hash.js";
import { UserError } from "../lib/problems.js";
import { readZip } from "../lib/zip.js";
import { identifyJar, parseDpkgStatus, parseProperties, type DebianPackage, type JarContents, type JavaLibrary } from "./inventory.js";
import type { ImageFacts, RuntimeFile } from "./sbom.js";

export interface ImageContents {
  facts: ImageFacts;
  debian: DebianPackage[];
  java: JavaLibrary[];
  runtimeFiles: RuntimeFile[];
}

const webapps = "/opt/citelibre/tomcat/webapps";
const runtimeScripts: Array<Omit<RuntimeFile, "sha256">> = [
  { path: "/usr/local/lib/citelibre/mailcatcher.py", name: "citelibre-mailcatcher", description: "mail catcher: SMTP on 1025, caught mails on 1080 (runs on python3-aiosmtpd)" },
  { path: "/usr/local/bin/citelibre-entrypoint", name: "citelibre-entrypoint", description: "entrypoint starting MariaDB, the mail catcher and Tomcat in order" },
];

export async function inspectImage(engine: Engine, image: string): Promise<Omit<ImageFacts, "os">> {
  const info = await engine.inspectImage<{ Id: string; Created?: string; Config?: { Labels?: Record<string, string> | null }; Labels?: Record<string, string> | null }>(image)
    .catch(() => {
      throw new UserError(`there is no image ${image} in ${engine.name}. Build it first (\`citelibre build <bundle>\`), or check the name with \`${engine.name} images\`.`);
    });
  const labels = info.Config?.Labels ?? info.Labels ?? {};
  return { reference: image, id: info.Id.replace(/^sha256:/, ""), created: labels["org.opencontainers.image.created"] ?? info.Created ?? new Date(0).toISOString(), labels };
}

async function readJar(file: string): Promise<JarContents> {
  const isPom = (name: string) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(name);
  const { contents } = await readZip(file, (e) => (isPom(e.fileName) || e.fileName === "META-INF/MANIFEST.MF") && e.uncompressedSize < 1_000_000);
  const jar: JarContents = { pomProperties: [] };
  for (const [entry, content] of contents) {
    const text = content.toString("utf8");
    if (entry === "META-INF/MANIFEST.MF") jar.manifest = text;
    else jar.pomProperties.push({ entry, text });
  }
  return jar;
}

async function jarsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith(".jar") && /(^|\/)WEB-INF\/lib$/.test(e.parentPath)).map((e) => path.join(e.parentPath, e.name)).sort();
}

export async function readImageContents(engine: Engine, image: string): Promise<ImageContents> {
  const facts = await inspectImage(engine, image);
  const work = await mkdtemp(path.join(tmpdir(), "citelibre-scan-"));
  try {
    const local = (s: { path: string }) => path.join(work, "runtime", path.basename(s.path));
    await mkdir(path.join(work, "runtime"));
    const [, hasOs, hasWebapps, ...scriptCopied] = await engine.copyFromImage(image, [
      { from: "/var/lib/dpkg/status", to: path.join(work, "status") },
      { from: "/usr/lib/os-release", to: path.join(work, "os-release"), optional: true },
      { from: webapps, to: path.join(work, "webapps"), optional: true },
      ...runtimeScripts.map((s) => ({ from: s.path, to: local(s), optional: true })),
    ]).catch((e: unknown) => {
      const message = (e as Error).message;
      // Only the required copy fails with the path in its message; anything else (no daemon, no space) is said as it is.
      if (!message.includes("/var/lib/dpkg/status")) throw e;
      throw new UserError(`${image} has no /var/lib/dpkg/status: \`citelibre scan\` reads Debian-based images (it lists packages from dpkg's status file). ${message.split("\n")[0] ?? ""}`);
    });
    const scripts: RuntimeFile[] = [];
    for (const [i, s] of runtimeScripts.entries()) {
      if (scriptCopied[i]) scripts.push({ ...s, sha256: await sha256File(local(s)) });
    }

    const osRelease = hasOs ? parseProperties(await readFile(path.join(work, "os-release"), "utf8")) : undefined;
    const unquote = (v: string | undefined) => v?.replace(/^"(.*)"$/, "$1");
    const os = osRelease?.get("ID") && osRelease.get("VERSION_ID")
      ? { id: unquote(osRelease.get("ID")) ?? "", versionId: unquote(osRelease.get("VERSION_ID")) ?? "", ...(osRelease.get("PRETTY_NAME") ? { prettyName: unquote(osRelease.get("PRETTY_NAME")) } : {}) }
      : undefined;

    const java: JavaLibrary[] = [];
    if (hasWebapps) {
      for (const jar of await jarsUnder(path.join(work, "webapps"))) {
        const inImage = path.posix.join(webapps, path.relative(path.join(work, "webapps"), jar).split(path.sep).join("/"));
        java.push(identifyJar(inImage, await sha256File(jar), await readJar(jar).catch(() => ({ pomProperties: [] }))));
      }
    }
    return { facts: { ...facts, ...(os ? { os } : {}) }, debian: parseDpkgStatus(await readFile(path.join(work, "status"), "utf8")), java, runtimeFiles: scripts };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A fixed script, no interpolated input: refresh the image's own apt lists, then simulate an upgrade. */
const simulateUpgrade = "set -e; apt-get update -qq -o Acquire::Retries=2 >/dev/null; apt-get -s -o Debug::NoLocking=1 dist-upgrade";

export async function simulatedUpgrade(engine: Engine, image: string): Promise<string> {
  const r = await engine.run({ image, remove: true, user: "0", entrypoint: "/bin/sh", command: ["-c", simulateUpgrade] }).catch((e: unknown) => {
    throw new UserError(`the freshness check could not run apt in a container of ${image}: ${(e as Error).message}\nIt needs the Debian mirror the image's apt sources name to be reachable.`);
  });
  return r.stdout;
}

