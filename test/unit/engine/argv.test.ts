import { describe, expect, it } from "vitest";
import {
  buildArgv, copyIntoArgv, copyOutArgv, createArgv, defaultCapabilities, execArgv, imageExistsArgv, imageInspectArgv, listImagesArgv, loginArgv, logsArgv, logsWithTimesArgv,
  manifestListArgvs, memoryUsageArgv, pullArgv, pushArgvs, removeContainerArgv, removeImageArgv, removeVolumeArgv, runArgv, saveArgv, startArgv, stopArgv, tagArgv,
} from "../../../scripts/engine/argv.js";
import { baseImageTag, baseLabels, hostDebianMirrors, mmdebstrapArgv, sourceDate } from "../../../scripts/image/base.js";
import { gitSource } from "../../../scripts/lib/git.js";
import { displayCommand, explainExit } from "../../../scripts/lib/exec.js";

describe("engine command lines", () => {
  const spec = { context: "/ctx", file: "/ctx/Dockerfile", tags: ["citelibre/base:bookworm"], buildArgs: { B: "2", A: "1" }, labels: { "x.y": "z" } };
  const push = { digestFile: "/tmp/d", tlsVerify: false, signBy: "ABCDEF0123456789" };

  // Every verb, for both engines: [what, docker argv(s), podman argv(s)].
  it.each<[string, unknown, unknown]>([
    ["build with buildx (BuildKit)",
      buildArgv("docker", spec, { buildx: true }),
      buildArgv("podman", spec)],
    ["build without buildx (the engine's own builder)",
      buildArgv("docker", spec, { buildx: false }),
      buildArgv("podman", { ...spec, ulimits: ["nofile=1:1"] })],
    ["run", runArgv("docker", { image: "img", name: "c", detach: true, restart: "on-failure" }), runArgv("podman", { image: "img", name: "c", detach: true, restart: "on-failure" })],
    ["start, stop, remove", [startArgv("docker", "c"), stopArgv("docker", "c", 5), removeContainerArgv("docker", "c")], [startArgv("podman", "c"), stopArgv("podman", "c", 5), removeContainerArgv("podman", "c")]],
    ["copy out of a created container", [createArgv("docker", "img"), copyOutArgv("docker", "c", "/a", "/b")], [createArgv("podman", "img"), copyOutArgv("podman", "c", "/a", "/b")]],
    ["copy into a running container, exec", [copyIntoArgv("docker", "c", "/tmp/s/"), execArgv("docker", "c", ["x", "--y"])], [copyIntoArgv("podman", "c", "/tmp/s/"), execArgv("podman", "c", ["x", "--y"])]],
    ["logs, stats", [logsArgv("docker", "c", { tail: 5 }), logsWithTimesArgv("docker", "c"), memoryUsageArgv("docker", "c")], [logsArgv("podman", "c", { tail: 5 }), logsWithTimesArgv("podman", "c"), memoryUsageArgv("podman", "c")]],
    ["images: exist, list, tag, remove", [imageExistsArgv("docker", "i"), listImagesArgv(), tagArgv("docker", "a", "b"), removeImageArgv("docker", "b")], [imageExistsArgv("podman", "i"), listImagesArgv(), tagArgv("podman", "a", "b"), removeImageArgv("podman", "b")]],
    ["save, volumes", [saveArgv("docker", "i", "o.tar"), removeVolumeArgv("docker", "v")], [saveArgv("podman", "i", "o.tar"), removeVolumeArgv("podman", "v")]],
    ["push to a loopback registry, signed where podman can",
      pushArgvs("docker", "a:1", "127.0.0.1:5000/c/a:1", push),
      pushArgvs("podman", "a:1", "127.0.0.1:5000/c/a:1", push)],
    ["login and pull on loopback (password on standard input)",
      [loginArgv("docker", "127.0.0.1:5000", "u", { tlsVerify: false }), pullArgv("docker", "r", { tlsVerify: false })],
      [loginArgv("podman", "127.0.0.1:5000", "u", { tlsVerify: false }), pullArgv("podman", "r", { tlsVerify: false })]],
  ])("%s", (_what, docker, podman) => {
    expect({ docker, podman }).toMatchSnapshot();
  });

  it("builds with buildx --load where the plugin is, else with docker build; podman keeps layers, ulimits and the docker format", () => {
    expect(buildArgv("docker", spec, { buildx: true }).slice(0, 3)).toEqual(["buildx", "build", "--load"]);
    expect(buildArgv("docker", spec, { buildx: false })).toEqual([
      "build", "--file", "/ctx/Dockerfile", "--tag", "citelibre/base:bookworm", "--build-arg", "A=1", "--build-arg", "B=2", "--label", "x.y=z", "/ctx",
    ]);
    expect(buildArgv("podman", spec)).toEqual([
      "build", "--format", "docker", "--file", "/ctx/Dockerfile", "--tag", "citelibre/base:bookworm",
      "--build-arg", "A=1", "--build-arg", "B=2", "--label", "x.y=z", "--layers", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "/ctx",
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

  it("pushes with docker by tagging the destination first; with podman from its store in the Docker format, writing the digest, signing when asked", () => {
    expect(pushArgvs("docker", "a:1", "ghcr.io/c/a:1", { digestFile: "/tmp/d", tlsVerify: true })).toEqual([["tag", "a:1", "ghcr.io/c/a:1"], ["push", "ghcr.io/c/a:1"]]);
    expect(pushArgvs("podman", "citelibre/rendezvous:1.0.0", "127.0.0.1:5000/c/rendezvous:1.0.0", push)).toEqual([[
      "push", "--quiet", "--format", "v2s2", "--digestfile", "/tmp/d", "--tls-verify=false", "--sign-by", "ABCDEF0123456789",
      "citelibre/rendezvous:1.0.0", "docker://127.0.0.1:5000/c/rendezvous:1.0.0",
    ]]);
    expect(manifestListArgvs("localhost/list:1", ["sha256:aa", "bb"], "127.0.0.1:5000/c/r:1.0.0", { digestFile: "/tmp/d", tlsVerify: false })).toEqual({
      create: ["manifest", "create", "localhost/list:1"],
      add: [["manifest", "add", "localhost/list:1", "containers-storage:aa"], ["manifest", "add", "localhost/list:1", "containers-storage:bb"]],
      push: ["manifest", "push", "--all", "--quiet", "--format", "v2s2", "--digestfile", "/tmp/d", "--tls-verify=false", "localhost/list:1", "docker://127.0.0.1:5000/c/r:1.0.0"],
      remove: ["manifest", "rm", "localhost/list:1"],
    });
  });

  it("lets only podman skip TLS for a loopback registry (docker does by itself), and never puts a password in argv", () => {
    expect(loginArgv("podman", "127.0.0.1:5000", "u", { tlsVerify: false })).toEqual(["login", "--username", "u", "--password-stdin", "--tls-verify=false", "127.0.0.1:5000"]);
    expect(loginArgv("docker", "127.0.0.1:5000", "u", { tlsVerify: false })).toEqual(["login", "--username", "u", "--password-stdin", "127.0.0.1:5000"]);
    expect(pullArgv("podman", "ghcr.io/c/r:1", { tlsVerify: true })).toEqual(["pull", "--quiet", "ghcr.io/c/r:1"]);
  });

  it("uses each engine's own way to test for an image and to save one", () => {
    expect(imageExistsArgv("podman", "i")).toEqual(["image", "exists", "i"]);
    expect(imageExistsArgv("docker", "i")).toEqual(["image", "inspect", "--format", "{{.Id}}", "i"]);
    // An image's facts are asked of `image inspect`, never of plain `inspect`, which a container of the same name answers.
    for (const engine of ["docker", "podman"] as const) expect(imageInspectArgv(engine, "i", "{{.Id}}")).toEqual(["image", "inspect", "--format", "{{.Id}}", "i"]);
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

  it("gives each engine what it can do, not what its name suggests", () => {
    expect(defaultCapabilities("podman", { buildah: true, buildx: true })).toEqual({ buildx: false, buildMounts: true, commitLayer: true, gpgSigning: true, manifestLists: true, pushDigestFile: true });
    expect(defaultCapabilities("podman", { buildah: false, buildx: false }).commitLayer).toBe(false);
    expect(defaultCapabilities("docker", { buildah: true, buildx: false })).toEqual({ buildx: false, buildMounts: false, commitLayer: false, gpgSigning: false, manifestLists: false, pushDigestFile: false });
    expect(defaultCapabilities("docker", { buildah: false, buildx: true })).toMatchObject({ buildx: true, buildMounts: true });
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
