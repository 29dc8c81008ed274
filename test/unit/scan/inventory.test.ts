import { describe, expect, it } from "vitest";
import * as Validation from "@cyclonedx/cyclonedx-library/Validation";
import * as Spec from "@cyclonedx/cyclonedx-library/Spec";
import { parseSimulatedUpgrade } from "../../../scripts/scan/freshness.js";
import { identifyJar, parseDpkgStatus } from "../../../scripts/scan/inventory.js";
import { buildSbom, serialNumberFor, serializeSbom, type SbomInput } from "../../../scripts/scan/sbom.js";

const status = `Package: openjdk-17-jre-headless
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openjdk-17
Version: 17.0.21.1+2-1~deb12u1
Maintainer: OpenJDK Team <openjdk-17@packages.debian.org>
Description: OpenJDK Java runtime, using Hotspot JIT (headless)
 Minimal Java runtime - needed for executing non GUI Java programs.

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.17-1~deb12u3)
Version: 3.0.17-1~deb12u3
Description: Secure Sockets Layer toolkit

Package: removed-thing
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: tomcat10-common
Status: install ok installed
Architecture: all
Version: 10.1.60-1~deb12u1
`;

describe("Debian packages from dpkg's status file", () => {
  it("lists installed packages with their source package, skipping removed ones", () => {
    expect(parseDpkgStatus(status).map((p) => [p.name, p.version, p.architecture, p.source, p.sourceVersion])).toEqual([
      ["libssl3", "3.0.17-1~deb12u3", "amd64", "openssl", "3.0.17-1~deb12u3"],
      ["openjdk-17-jre-headless", "17.0.21.1+2-1~deb12u1", "amd64", "openjdk-17", "17.0.21.1+2-1~deb12u1"],
      ["tomcat10-common", "10.1.60-1~deb12u1", "all", "tomcat10-common", "10.1.60-1~deb12u1"],
    ]);
    expect(parseDpkgStatus(status)[1]?.description).toBe("OpenJDK Java runtime, using Hotspot JIT (headless)");
  });
});

describe("Java libraries", () => {
  const sha = "c".repeat(64);
  it("prefers pom.properties, choosing the one that matches the file name in a shaded jar", () => {
    const lib = identifyJar("/w/WEB-INF/lib/lutece-core-7.1.7.jar", sha, {
      pomProperties: [
        { entry: "META-INF/maven/com.google/guava/pom.properties", text: "groupId=com.google\nartifactId=guava\nversion=33.0" },
        { entry: "META-INF/maven/fr.paris.lutece/lutece-core/pom.properties", text: "#Generated\nversion=7.1.7\ngroupId=fr.paris.lutece\nartifactId=lutece-core\n" },
      ],
    });
    expect(lib).toEqual({ groupId: "fr.paris.lutece", artifactId: "lutece-core", version: "7.1.7", file: "/w/WEB-INF/lib/lutece-core-7.1.7.jar", evidence: "pom.properties", sha256: sha });
  });
  it("falls back to the manifest, then to the file name", () => {
    const manifest = "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.apache.commons.lang3;singleton\r\n:=true\r\nBundle-Version: 3.14.0\r\n\r\nName: x\r\n";
    expect(identifyJar("/l/commons-lang3.jar", sha, { pomProperties: [], manifest })).toMatchObject({ groupId: "org.apache.commons", artifactId: "lang3", version: "3.14.0", evidence: "manifest" });
    expect(identifyJar("/l/jsoup-1.17.2.jar", sha, { pomProperties: [] })).toMatchObject({ artifactId: "jsoup", version: "1.17.2", evidence: "file name" });
    expect(identifyJar("/l/mystery.jar", sha, { pomProperties: [] })).toEqual({ artifactId: "mystery", file: "/l/mystery.jar", evidence: "file name", sha256: sha });
  });
});

describe("CycloneDX SBOM", () => {
  const input: SbomInput = {
    image: {
      reference: "citelibre/rendezvous:1.0.0-exampleville", id: "ab".repeat(32), created: "2026-11-26T10:00:00.000Z",
      labels: {
        "org.opencontainers.image.version": "1.0.0", "org.opencontainers.image.licenses": "EUPL-1.2", "fr.citelibre.bundle": "rendezvous",
        "fr.citelibre.theme": "exampleville", "fr.citelibre.theme.digest": `sha256:${"d".repeat(64)}`, "fr.citelibre.site.sha256": "e".repeat(64), "fr.citelibre.site.stand-in": "true",
      },
      os: { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)" },
    },
    debian: parseDpkgStatus(status),
    java: [{ groupId: "org.mariadb.jdbc", artifactId: "mariadb-java-client", version: "2.7.6", file: "/opt/x/WEB-INF/lib/mariadb-java-client.jar", evidence: "pom.properties", sha256: "f".repeat(64) }],
    runtimeFiles: [{ path: "/usr/local/lib/citelibre/mailcatcher.py", name: "citelibre-mailcatcher", description: "mail catcher", sha256: "1".repeat(64) }],
    tool: { name: "citelibre-forge", version: "0.1.0" },
  };

  it("is valid CycloneDX 1.6 and names every part of the image", async () => {
    const json = serializeSbom(buildSbom(input));
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json)).toBeNull();
    const bom = JSON.parse(json) as { specVersion: string; serialNumber: string; metadata: { timestamp: string; component: { purl: string; type: string } }; components: Array<{ name: string; purl?: string; type: string; hashes?: Array<{ content: string }> }> };
    expect(bom.specVersion).toBe("1.6");
    expect(bom.metadata.timestamp).toBe("2026-11-26T10:00:00.000Z");
    expect(bom.metadata.component).toMatchObject({ type: "container", purl: `pkg:oci/rendezvous@sha256:${"ab".repeat(32)}?repository_url=citelibre%2Frendezvous&tag=1.0.0-exampleville` });
    const purls = bom.components.map((c) => c.purl).filter(Boolean);
    expect(purls).toContain("pkg:deb/debian/libssl3@3.0.17-1~deb12u3?arch=amd64&distro=debian-12");
    expect(purls).toContain("pkg:maven/org.mariadb.jdbc/mariadb-java-client@2.7.6");
    expect(bom.components.find((c) => c.name === "theme-exampleville")?.hashes?.[0]?.content).toBe("d".repeat(64));
    expect(bom.components.map((c) => c.name)).toEqual(expect.arrayContaining(["rendezvous", "site-rendezvous", "citelibre-mailcatcher", "debian"]));
  });

  it("is byte-identical for the same image, and its serial number follows the image", () => {
    expect(serializeSbom(buildSbom(input))).toBe(serializeSbom(buildSbom({ ...input, debian: [...input.debian].reverse() })));
    expect(serialNumberFor("ab".repeat(32))).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(serialNumberFor("ab".repeat(32))).not.toBe(serialNumberFor("cd".repeat(32)));
  });
});

describe("freshness", () => {
  it("tells security updates from other pending updates", () => {
    const out = [
      "Reading package lists...",
      "Calculating upgrade...",
      "The following packages will be upgraded:",
      "   libssl3 tzdata",
      "Inst libssl3 [3.0.17-1~deb12u2] (3.0.17-1~deb12u3 Debian-Security:12/stable-security [amd64])",
      "Inst tzdata [2025b-0+deb12u1] (2025b-0+deb12u2 Debian:12.12/stable-updates [all])",
      "Inst libc6 [2.36-9+deb12u12] (2.36-9+deb12u13 Debian:12.12/stable, Debian-Security:12/stable-security [amd64]) []",
      "Conf libssl3 (3.0.17-1~deb12u3 Debian-Security:12/stable-security [amd64])",
    ].join("\n");
    const r = parseSimulatedUpgrade(out, "2026-11-26T00:00:00Z");
    expect(r.updates.map((u) => [u.name, u.installed, u.candidate, u.security])).toEqual([
      ["libc6", "2.36-9+deb12u12", "2.36-9+deb12u13", true],
      ["libssl3", "3.0.17-1~deb12u2", "3.0.17-1~deb12u3", true],
      ["tzdata", "2025b-0+deb12u1", "2025b-0+deb12u2", false],
    ]);
    expect(r.security.map((u) => u.name)).toEqual(["libc6", "libssl3"]);
    expect(parseSimulatedUpgrade("0 upgraded, 0 newly installed", "t").updates).toEqual([]);
  });
});
