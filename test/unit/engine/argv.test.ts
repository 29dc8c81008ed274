import { describe, expect, it } from "vitest";
import { buildArgv, copyIntoArgv, execArgv, imageExistsArgv, runArgv, saveArgv } from "../../../scripts/engine/argv.js";
import { baseImageTag, baseLabels, gitSource, hostDebianMirrors, mmdebstrapArgv, sourceDate } from "../../../scripts/image/base.js";
import { displayCommand, explainExit } from "../../../scripts/lib/exec.js";

describe("engine command lines", () => {
  it("builds with buildx --load on docker and with layers and ulimits on podman", () => {
    const spec = { context: "/ctx", file: "/ctx/Dockerfile", tags: ["citelibre/base:bookworm"], buildArgs: { B: "2", A: "1" }, labels: { "x.y": "z" }, ulimits: ["nofile=1024:1024"] };
    expect(buildArgv("docker", spec)).toEqual([
      "buildx", "build", "--load", "--file", "/ctx/Dockerfile", "--tag", "citelibre/base:bookworm",
      "--build-arg", "A=1", "--build-arg", "B=2", "--label", "x.y=z", "/ctx",
    ]);
    expect(buildArgv("podman", spec)).toEqual([
      "build", "--file", "/ctx/Dockerfile", "--tag", "citelibre/base:bookworm",
      "--build-arg", "A=1", "--build-arg", "B=2", "--label", "x.y=z", "--layers", "--ulimit", "nofile=1024:1024", "/ctx",
    ]);
  });

  it("refuses a build without a tag", () => {
    expect(() => buildArgv("podman", { context: ".", tags: [] })).toThrow(/at least one tag/);
  });

  it("publishes ports on loopback by default and passes secrets by name, not value", () => {
    expect(runArgv("podman", {
      image: "img", name: "c", detach: true, ports: [{ host: 18080, container: 8080 }],
      volumes: [{ source: "data", target: "/var/lib/citelibre" }], env: { TZ: "Europe/Paris" }, envFromCaller: ["LUTECE_DB_PWD"],
    })).toEqual([
      "run", "--detach", "--name", "c", "--publish", "127.0.0.1:18080:8080", "--volume", "data:/var/lib/citelibre",
      "--env", "TZ=Europe/Paris", "--env", "LUTECE_DB_PWD", "img",
    ]);
  });

  it("uses each engine's own way to test for an image and to save one", () => {
    expect(imageExistsArgv("podman", "i")).toEqual(["image", "exists", "i"]);
    expect(imageExistsArgv("docker", "i")).toEqual(["image", "inspect", "--format", "{{.Id}}", "i"]);
    expect(saveArgv("podman", "i", "o.tar")).toEqual(["save", "--format", "oci-archive", "--output", "o.tar", "i"]);
    expect(saveArgv("docker", "i", "o.tar")).toEqual(["save", "--output", "o.tar", "i"]);
  });

  it("copies a folder's contents, not the folder, onto a container's root, and runs commands in it as argv", () => {
    for (const engine of ["docker", "podman"] as const) {
      expect(copyIntoArgv(engine, "site", "/tmp/sync/")).toEqual(["cp", "/tmp/sync/.", "site:/"]);
      expect(execArgv(engine, "site", ["citelibre-theme-reload", "--sql"])).toEqual(["exec", "site", "citelibre-theme-reload", "--sql"]);
    }
    expect(() => execArgv("podman", "site", [])).toThrow(/needs a command/);
  });
});

describe("base image", () => {
  it("names the tag after the servlet container", () => {
    expect(baseImageTag("tomcat10")).toBe("citelibre/base:bookworm");
    expect(baseImageTag("tomcat9")).toBe("citelibre/base:bookworm-tomcat9");
  });

  it("honours SOURCE_DATE_EPOCH and refuses a malformed one", () => {
    const now = () => new Date(0);
    expect(sourceDate({ SOURCE_DATE_EPOCH: "1700000000" }, now).toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(sourceDate({}, now).toISOString()).toBe("1970-01-01T00:00:00.000Z");
    expect(() => sourceDate({ SOURCE_DATE_EPOCH: "yesterday" }, now)).toThrow(/SOURCE_DATE_EPOCH must be a number/);
  });

  it("takes the source URL from CITELIBRE_SOURCE_URL before git", async () => {
    expect(await gitSource({ CITELIBRE_SOURCE_URL: "https://forge.example/citelibre-forge" })).toBe("https://forge.example/citelibre-forge");
  });

  it("labels the image with OCI keys", () => {
    const labels = baseLabels({ version: "1.2.3", created: new Date(0), from: "debian@sha256:abc", servlet: "tomcat10", revision: "deadbeef" });
    expect(labels).toMatchObject({
      "org.opencontainers.image.version": "1.2.3",
      "org.opencontainers.image.created": "1970-01-01T00:00:00.000Z",
      "org.opencontainers.image.base.name": "debian@sha256:abc",
      "org.opencontainers.image.revision": "deadbeef",
    });
  });

  it("asks mmdebstrap for a tar of a minimal bookworm with security updates, in the mode the user can run", () => {
    const mirrors = { archive: "http://mirror.test/debian/", security: "http://mirror.test/debian-security" };
    const argv = mmdebstrapArgv("/tmp/x.partial", false, mirrors);
    expect(argv).toContain("--format=tar");
    expect(argv).toContain("--mode=unshare");
    expect(argv.slice(-3)).toEqual([
      "deb http://mirror.test/debian bookworm main",
      "deb http://mirror.test/debian bookworm-updates main",
      "deb http://mirror.test/debian-security bookworm-security main",
    ]);
    expect(mmdebstrapArgv("/tmp/x", true, {})).toContain("--mode=root");
    expect(mmdebstrapArgv("/tmp/x", true, {}).at(-1)).toBe("/tmp/x");
  });

  it("finds the host's Debian mirrors in deb822 and one-line apt sources", () => {
    const deb822 = "Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://mirror.test/debian-security\nSuites: bookworm-security\n";
    expect(hostDebianMirrors([deb822])).toEqual({ archive: "http://mirror.test/debian", security: "http://mirror.test/debian-security" });
    expect(hostDebianMirrors(["deb [arch=amd64] http://proxy.test/debian bookworm main\n"])).toEqual({ archive: "http://proxy.test/debian" });
    expect(hostDebianMirrors(["# nothing"])).toEqual({});
  });
});

describe("tool errors", () => {
  it("explains exit codes in words and quotes commands so they can be pasted", () => {
    expect(explainExit(127, undefined)).toBe("exit code 127: command not found");
    expect(explainExit(undefined, "SIGKILL")).toBe("killed by SIGKILL");
    expect(displayCommand("podman", ["run", "--env", "A=b c", "it's"])).toBe("podman run --env 'A=b c' 'it'\\''s'");
  });
});
