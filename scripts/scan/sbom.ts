/**
 * The CycloneDX 1.6 SBOM of an image, built with @cyclonedx/cyclonedx-library from what the image holds:
 * every Debian package, every Java library of the site, the site itself, the theme (with its digest),
 * the bundle and the runtime's own scripts, with the image (by ID) as the subject. Deterministic: the
 * serial number derives from the image ID, the timestamp is the image's creation label, lists are sorted.
 */
import * as Enums from "@cyclonedx/cyclonedx-library/Enums";
import * as Models from "@cyclonedx/cyclonedx-library/Models";
import * as Serialize from "@cyclonedx/cyclonedx-library/Serialize";
import * as Spec from "@cyclonedx/cyclonedx-library/Spec";
import { PackageURL } from "packageurl-js";
import type { DebianPackage, JavaLibrary } from "./inventory.js";
import { sha256 } from "../lib/hash.js";
import { lastSegment, nameOf, splitImageRef } from "../lib/image-ref.js";

export interface ImageFacts {
  /** The reference the user gave (citelibre/rendezvous:1.0.0). */
  reference: string;
  /** The image ID, hex without "sha256:". */
  id: string;
  created: string;
  labels: Record<string, string>;
  os?: { id: string; versionId: string; prettyName?: string };
}

export interface RuntimeFile {
  path: string;
  sha256: string;
  name: string;
  description: string;
}

export interface SbomInput {
  image: ImageFacts;
  debian: DebianPackage[];
  java: JavaLibrary[];
  runtimeFiles: RuntimeFile[];
  tool: { name: string; version: string };
}

/** A UUID (version 5 layout) from a digest, so the same image always gets the same serial number. */
export function serialNumberFor(imageId: string): string {
  const h = sha256(`citelibre-sbom\0${imageId}`);
  const variant = ((parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function sha256Hashes(hex: string): Models.HashDictionary {
  return new Models.HashDictionary([[Enums.HashAlgorithm["SHA-256"], hex.replace(/^sha256:/, "")]]);
}

function properties(entries: Array<[string, string | undefined]>): Models.PropertyRepository {
  return new Models.PropertyRepository(entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "").map(([k, v]) => new Models.Property(k, v)));
}

/** The image itself: the SBOM's subject, named and hashed by its ID, with its OCI labels. */
function imageComponent(image: SbomInput["image"]): Models.Component {
  const labels = image.labels;
  // Split, not parsed: the reference is whatever the engine accepted, and the SBOM records it as given.
  const ref = splitImageRef(image.reference);
  const repository = nameOf(ref);
  const { tag } = ref;
  const subject = new Models.Component(Enums.ComponentType.Container, repository, {
    bomRef: `image:sha256:${image.id}`,
    ...(labels["org.opencontainers.image.version"] ? { version: labels["org.opencontainers.image.version"] } : tag ? { version: tag } : {}),
    ...(labels["org.opencontainers.image.description"] ? { description: labels["org.opencontainers.image.description"] } : {}),
    purl: new PackageURL("oci", undefined, lastSegment(ref), `sha256:${image.id}`, { repository_url: repository, ...(tag ? { tag } : {}) }, undefined).toString(),
    hashes: sha256Hashes(image.id),
    properties: properties([
      ["fr.citelibre:image.reference", image.reference],
      ["fr.citelibre:base.digest", labels["org.opencontainers.image.base.digest"]],
      ["fr.citelibre:revision", labels["org.opencontainers.image.revision"]],
    ]),
  });
  if (labels["org.opencontainers.image.licenses"]) subject.licenses.add(new Models.LicenseExpression(labels["org.opencontainers.image.licenses"]));
  return subject;
}

/** A Debian package, by its deb purl (with the distribution, when the image says it). */
function debianComponent(p: SbomInput["debian"][number], os: SbomInput["image"]["os"]): Models.Component {
  const distro = os ? `${os.id}-${os.versionId}` : undefined;
  const purl = new PackageURL("deb", os?.id ?? "debian", p.name, p.version, { arch: p.architecture, ...(distro ? { distro } : {}) }, undefined).toString();
  return new Models.Component(Enums.ComponentType.Library, p.name, {
    bomRef: purl, version: p.version, purl,
    ...(p.description ? { description: p.description } : {}),
    ...(p.maintainer ? { publisher: p.maintainer } : {}),
    properties: properties([
      ["fr.citelibre:deb.source", p.source],
      ["fr.citelibre:deb.source.version", p.sourceVersion],
      ["fr.citelibre:deb.architecture", p.architecture],
    ]),
  });
}

export function buildSbom(input: SbomInput): Models.Bom {
  const { image } = input;
  const labels = image.labels;
  const subject = imageComponent(image);

  const bom = new Models.Bom({ serialNumber: serialNumberFor(image.id) });
  bom.metadata.timestamp = new Date(image.created);
  bom.metadata.component = subject;
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, input.tool.name, { version: input.tool.version }));

  const add = (c: Models.Component) => {
    bom.components.add(c);
    subject.dependencies.add(c.bomRef);
    return c;
  };

  if (image.os) {
    add(new Models.Component(Enums.ComponentType.OperatingSystem, image.os.id, {
      bomRef: `os:${image.os.id}-${image.os.versionId}`, version: image.os.versionId,
      ...(image.os.prettyName ? { description: image.os.prettyName } : {}),
    }));
  }
  for (const p of input.debian) add(debianComponent(p, image.os));

  const site = labels["fr.citelibre.site.sha256"]
    ? add(new Models.Component(Enums.ComponentType.Application, `site-${labels["fr.citelibre.bundle"] ?? "unknown"}`, {
      bomRef: `site:${labels["fr.citelibre.site.sha256"]}`,
      description: labels["fr.citelibre.site.stand-in"] === "true" ? "the stand-in site (a small demo webapp, not the real application)" : "the site WAR",
      hashes: sha256Hashes(labels["fr.citelibre.site.sha256"]),
      properties: properties([["fr.citelibre:site.stand-in", labels["fr.citelibre.site.stand-in"]]]),
    }))
    : undefined;
  for (const j of input.java) {
    const purl = j.groupId && j.version ? new PackageURL("maven", j.groupId, j.artifactId, j.version, undefined, undefined).toString() : undefined;
    const c = add(new Models.Component(Enums.ComponentType.Library, j.artifactId, {
      bomRef: `jar:${j.file}`,
      ...(j.groupId ? { group: j.groupId } : {}),
      ...(j.version ? { version: j.version } : {}),
      ...(purl ? { purl } : {}),
      hashes: sha256Hashes(j.sha256),
      properties: properties([["fr.citelibre:jar.path", j.file], ["fr.citelibre:identified.by", j.evidence]]),
    }));
    site?.dependencies.add(c.bomRef);
  }

  if (labels["fr.citelibre.bundle"]) {
    add(new Models.Component(Enums.ComponentType.Application, labels["fr.citelibre.bundle"], {
      bomRef: `bundle:${labels["fr.citelibre.bundle"]}`,
      ...(labels["org.opencontainers.image.version"] ? { version: labels["org.opencontainers.image.version"] } : {}),
      description: "CiteLibre bundle: the site, its configuration and SQL seed",
    }));
  }
  if (labels["fr.citelibre.theme"]) {
    add(new Models.Component(Enums.ComponentType.File, `theme-${labels["fr.citelibre.theme"]}`, {
      bomRef: `theme:${labels["fr.citelibre.theme"]}`,
      description: `CiteLibre theme overlay "${labels["fr.citelibre.theme"]}" (CSS, logos, FreeMarker hooks, site properties)`,
      ...(labels["fr.citelibre.theme.digest"] ? { hashes: sha256Hashes(labels["fr.citelibre.theme.digest"]) } : {}),
    }));
  }
  for (const f of input.runtimeFiles) {
    add(new Models.Component(Enums.ComponentType.Application, f.name, {
      bomRef: `file:${f.path}`, description: f.description, hashes: sha256Hashes(f.sha256),
      properties: properties([["fr.citelibre:file.path", f.path]]),
    }));
  }
  return bom;
}

export function serializeSbom(bom: Models.Bom): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}
