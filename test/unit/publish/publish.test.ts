import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { destinations, isTransient, parseRegistry, readManifest } from "../../../scripts/publish/plan.js";
import { isLoopback } from "../../../scripts/lib/http.js";
import { credentialsFor } from "../../../scripts/publish/registry.js";
import { parseSigning, signaturePath, workflowIdentity } from "../../../scripts/publish/sign.js";
import { cosignSignArgv, cosignVerifyArgv } from "../../../scripts/engine/registry.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkPlatforms, platformImage } from "../../../scripts/image/platform.js";
import { buildArgv } from "../../../scripts/engine/argv.js";
import { mmdebstrapArgv } from "../../../scripts/image/base.js";
import { readManifestList } from "../../../scripts/publish/plan.js";

describe("where tags go", () => {
  it("sends every local tag to every registry under the bundle's name", () => {
    expect(destinations(["citelibre/rendezvous:1.0.0", "citelibre/rendezvous:latest"], ["ghcr.io/citelibre", "127.0.0.1:5000/test/ns"]).map((d) => d.reference)).toEqual([
      "ghcr.io/citelibre/rendezvous:1.0.0", "ghcr.io/citelibre/rendezvous:latest",
      "127.0.0.1:5000/test/ns/rendezvous:1.0.0", "127.0.0.1:5000/test/ns/rendezvous:latest",
    ]);
  });
  it("reads a local name without a tag as latest, as the engines do", () => {
    // Both used to be split at their last colon, whatever it was: ghcr.io/citelibre/rendezvou:citelibre/rendezvous
    // and ghcr.io/citelibre/localhost:5000/citelibre/rendezvous.
    expect(destinations(["citelibre/rendezvous", "localhost:5000/citelibre/rendezvous"], ["ghcr.io/citelibre"]).map((d) => [d.reference, d.tag])).toEqual([
      ["ghcr.io/citelibre/rendezvous:latest", "latest"], ["ghcr.io/citelibre/rendezvous:latest", "latest"],
    ]);
    expect(destinations(["127.0.0.1:5000/ns/rendezvous:1.0.0"], ["ghcr.io/citelibre"])[0]?.reference).toBe("ghcr.io/citelibre/rendezvous:1.0.0");
  });
  it.each([
    ["citelibre", /does not start with a registry host/],
    ["ghcr.io", /needs a lowercase namespace/],
    ["ghcr.io/CiteLibre", /needs a lowercase namespace/],
  ])("refuses --registry %s", (value, message) => {
    const r = parseRegistry(value);
    expect("error" in r && r.error).toMatch(message);
  });
  it("treats loopback registries as plain HTTP only", () => {
    expect([isLoopback("127.0.0.1:5000"), isLoopback("localhost:5000"), isLoopback("ghcr.io"), isLoopback("127.example.org")]).toEqual([true, true, false, false]);
  });
});

describe("push argv and retries", () => {
  it.each([
    ["dial tcp 127.0.0.1:5000: connect: connection refused", true],
    ["received unexpected HTTP status: 503 Service Unavailable", true],
    ["429 Too Many Requests", true],
    ["unexpected EOF", true],
    ["unauthorized: authentication required", false],
    ["denied: requested access to the resource is denied", false],
    ["no space left on device", false],
  ])("%s is transient: %s", (message, transient) => {
    expect(isTransient(message)).toBe(transient);
  });
  it("reads the digest and the configuration a registry's manifest names", () => {
    const raw = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:abc"}}';
    expect(readManifest(raw)).toEqual({ raw, configDigest: "sha256:abc", mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: `sha256:${createHash("sha256").update(raw).digest("hex")}` });
    expect(readManifest("not json")).toEqual({ raw: "not json", digest: `sha256:${createHash("sha256").update("not json").digest("hex")}` });
  });
});

describe("credentials", () => {
  it("prefers the registry's own variables, then the generic pair", () => {
    const env = { CITELIBRE_REGISTRY_GHCR_IO_USER: "bot", CITELIBRE_REGISTRY_GHCR_IO_PASSWORD: "t1", CITELIBRE_REGISTRY_USER: "any", CITELIBRE_REGISTRY_PASSWORD: "t2" };
    expect(credentialsFor("ghcr.io", env)).toEqual({ user: "bot", password: "t1", variable: "CITELIBRE_REGISTRY_GHCR_IO_USER" });
    expect(credentialsFor("docker.io", env)?.variable).toBe("CITELIBRE_REGISTRY_USER");
    expect(credentialsFor("docker.io", {})).toBeUndefined();
  });
});

describe("signing", () => {
  it("parses --sign and picks keyless cosign only where GitHub's OIDC token exists", () => {
    expect(parseSigning("gpg:596F 5B1A D927 E8A0 6859 4538 067D 936F F3BD 79B2", {})).toEqual({ kind: "gpg", fingerprint: "596F5B1AD927E8A068594538067D936FF3BD79B2" });
    expect(parseSigning("cosign", { ACTIONS_ID_TOKEN_REQUEST_URL: "https://x" })).toEqual({ kind: "cosign-keyless" });
    expect(parseSigning("cosign", {})).toMatchObject({ error: expect.stringMatching(/outside GitHub Actions/) as unknown });
    expect(parseSigning("cosign:cosign.key", {})).toEqual({ kind: "cosign-key", key: "cosign.key" });
    expect(parseSigning("gpg:xyz", {})).toMatchObject({ error: expect.stringMatching(/fingerprint/) as unknown });
    expect(parseSigning(undefined, {})).toEqual({ kind: "none" });
  });
  it("signs and verifies with cosign by digest, never by tag", () => {
    const ref = `ghcr.io/c/rendezvous@sha256:${"a".repeat(64)}`;
    expect(cosignSignArgv({}, ref, true)).toEqual(["sign", "--yes", ref]);
    expect(cosignSignArgv({ key: "env://COSIGN_PRIVATE_KEY" }, ref, false)).toEqual(["sign", "--yes", "--key", "env://COSIGN_PRIVATE_KEY", "--allow-insecure-registry", ref]);
    expect(cosignVerifyArgv(ref, { tlsVerify: true, identity: workflowIdentity("citelibre/citelibre-forge") })).toEqual([
      "verify", "--certificate-identity-regexp", "^https://github\\.com/citelibre/citelibre-forge/\\.github/workflows/(nightly|release)\\.yml@refs/(heads|tags)/.+$",
      "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com", ref,
    ]);
    expect(() => workflowIdentity("any")).toThrow(/owner\/name/);
  });
  it("finds simple signatures where podman's lookaside store keeps them", () => {
    expect(signaturePath("/var/lib/containers/sigstore", "127.0.0.1:5000/citelibre/rendezvous:1.0.0", `sha256:${"b".repeat(64)}`, 1))
      .toBe(`/var/lib/containers/sigstore/citelibre/rendezvous@sha256=${"b".repeat(64)}/signature-1`);
    expect(signaturePath("/s", `localhost/citelibre/rendezvous:1.0.0@sha256:${"b".repeat(64)}`, `sha256:${"b".repeat(64)}`, 2))
      .toBe(`/s/citelibre/rendezvous@sha256=${"b".repeat(64)}/signature-2`);
    // Without a registry, the reference is Docker Hub's (docker.io/citelibre/rendezvous), whose path in the
    // store is citelibre/rendezvous: the first component is the namespace, not a host to drop.
    expect(signaturePath("/s", "citelibre/rendezvous:1.0.0", `sha256:${"b".repeat(64)}`, 1)).toBe(`/s/citelibre/rendezvous@sha256=${"b".repeat(64)}/signature-1`);
  });
});

describe("multi-architecture", () => {
  it("says what is missing to build a foreign architecture, and accepts it once QEMU is registered", () => {
    expect(() => checkPlatforms("linux/amd64,linux/arm64", "/nonexistent", "x64")).toThrow(/cannot run linux\/arm64 build steps .*qemu-user-static/);
    expect(() => checkPlatforms("linux/s390x", "/nonexistent", "x64")).toThrow(/not supported/);
    const binfmt = mkdtempSync(path.join(tmpdir(), "binfmt-"));
    writeFileSync(path.join(binfmt, "qemu-aarch64"), "enabled\n");
    expect(checkPlatforms("linux/amd64, linux/arm64, linux/amd64", binfmt, "x64")).toEqual(["linux/amd64", "linux/arm64"]);
  });
  it("names a foreign platform's images after it, and keeps the native names", () => {
    expect(platformImage("citelibre/rendezvous:1.0.0", "linux/arm64", "x64")).toBe("citelibre/rendezvous-linux-arm64:1.0.0");
    expect(platformImage("citelibre/rendezvous:1.0.0", "linux/amd64", "x64")).toBe("citelibre/rendezvous:1.0.0");
    expect(platformImage("localhost:5000/citelibre/base", "linux/amd64", "arm64")).toBe("localhost:5000/citelibre/base-linux-amd64:latest");
    expect(platformImage("127.0.0.1:5000/citelibre/base:bookworm", "linux/arm64", "x64")).toBe("127.0.0.1:5000/citelibre/base-linux-arm64:bookworm");
  });
  it("builds, bootstraps and pushes for the platform asked", () => {
    expect(buildArgv("podman", { context: ".", tags: ["t"], platform: "linux/arm64" })).toContain("--platform");
    expect(mmdebstrapArgv("/tmp/r.tar", true, {}, "arm64")).toContain("--architectures=arm64");
    expect(mmdebstrapArgv("/tmp/r.tar", true, {})).not.toContain("--architectures=arm64");
  });
  it("reads the platforms a manifest list names", () => {
    const raw = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.list.v2+json", manifests: [
      { digest: "sha256:a", platform: { os: "linux", architecture: "amd64" } }, { digest: "sha256:b", platform: { os: "linux", architecture: "arm64", variant: "v8" } },
    ] });
    expect(readManifestList(raw)).toEqual([{ digest: "sha256:a", platform: "linux/amd64" }, { digest: "sha256:b", platform: "linux/arm64" }]);
    expect(readManifestList('{"schemaVersion":2,"config":{}}')).toBeUndefined();
  });
});
