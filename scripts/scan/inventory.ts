/**
 * What an image holds, from files read out of it: Debian packages from dpkg's status file, Java
 * libraries from the jars of the site (their Maven pom.properties, else the jar manifest, else the
 * file name). Pure: scripts/scan/extract.ts reads the files.
 */

export interface DebianPackage {
  name: string;
  version: string;
  architecture: string;
  /** The source package and its version when they differ from the binary package's. */
  source: string;
  sourceVersion: string;
  maintainer?: string;
  description?: string;
}

export interface JavaLibrary {
  groupId?: string;
  artifactId: string;
  version?: string;
  /** Path of the jar inside the image. */
  file: string;
  /** How it was identified: pom.properties is exact, the others are best effort. */
  evidence: "pom.properties" | "manifest" | "file name";
  sha256: string;
}

/** Installed packages from /var/lib/dpkg/status (RFC 822 stanzas). */
export function parseDpkgStatus(text: string): DebianPackage[] {
  const packages: DebianPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = "";
    for (const line of stanza.split("\n")) {
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last) ?? ""}\n${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
      if (m?.[1]) {
        last = m[1].toLowerCase();
        fields.set(last, m[2] ?? "");
      }
    }
    const name = fields.get("package");
    const version = fields.get("version");
    if (!name || !version || !/\binstalled$/.test(fields.get("status") ?? "")) continue;
    // "Source: openjdk-17 (17.0.13+11-2~deb12u1)" names the source package and, when it differs, its version.
    const source = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(fields.get("source") ?? "");
    packages.push({
      name, version,
      architecture: fields.get("architecture") ?? "all",
      source: source?.[1] ?? name,
      sourceVersion: source?.[2] ?? version,
      ...(fields.get("maintainer") ? { maintainer: fields.get("maintainer") } : {}),
      ...(fields.get("description") ? { description: (fields.get("description") ?? "").split("\n")[0] } : {}),
    });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name) || a.architecture.localeCompare(b.architecture));
}

export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (m?.[1]) map.set(m[1], (m[2] ?? "").trim());
  }
  return map;
}

/** Main attributes of META-INF/MANIFEST.MF (continuation lines start with one space). */
export function parseJarManifest(text: string): Map<string, string> {
  const map = new Map<string, string>();
  let last = "";
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if (line.startsWith(" ") && last) {
      map.set(last, `${map.get(last) ?? ""}${line.slice(1)}`);
      continue;
    }
    const i = line.indexOf(":");
    if (i > 0) {
      last = line.slice(0, i);
      map.set(last, line.slice(i + 1).trim());
    }
  }
  return map;
}

export interface JarContents {
  /** Every META-INF/maven/<group>/<artifact>/pom.properties, by entry name. */
  pomProperties: Array<{ entry: string; text: string }>;
  manifest?: string;
}

/**
 * One jar can embed several pom.properties (shaded jars): the one whose artifactId matches the file
 * name wins, else the only one. Then the manifest (Bundle-SymbolicName / Implementation-*), then the
 * file name (name-1.2.3.jar).
 */
export function identifyJar(file: string, sha256: string, contents: JarContents): JavaLibrary {
  const base = file.split("/").at(-1)?.replace(/\.jar$/i, "") ?? file;
  const poms = contents.pomProperties.map((p) => parseProperties(p.text)).filter((p) => p.get("artifactId"));
  const pom = poms.find((p) => base.startsWith(p.get("artifactId") ?? "\0")) ?? (poms.length === 1 ? poms[0] : undefined);
  if (pom) {
    return { groupId: pom.get("groupId"), artifactId: pom.get("artifactId") ?? base, version: pom.get("version"), file, evidence: "pom.properties", sha256 };
  }
  const manifest = contents.manifest ? parseJarManifest(contents.manifest) : new Map<string, string>();
  const symbolic = manifest.get("Bundle-SymbolicName")?.split(";")[0]?.trim();
  const title = manifest.get("Implementation-Title") ?? manifest.get("Bundle-Name");
  const version = manifest.get("Implementation-Version") ?? manifest.get("Bundle-Version");
  if ((symbolic || title) && version) {
    const dot = symbolic?.lastIndexOf(".") ?? -1;
    return {
      ...(symbolic && dot > 0 ? { groupId: symbolic.slice(0, dot) } : manifest.get("Implementation-Vendor-Id") ? { groupId: manifest.get("Implementation-Vendor-Id") } : {}),
      artifactId: symbolic && dot > 0 ? symbolic.slice(dot + 1) : (symbolic ?? title ?? base),
      version, file, evidence: "manifest", sha256,
    };
  }
  const m = /^(.+?)-(\d[\w.+-]*)$/.exec(base);
  return { artifactId: m?.[1] ?? base, ...(m?.[2] ? { version: m[2] } : {}), file, evidence: "file name", sha256 };
}
