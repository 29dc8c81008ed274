/**
 * The container engine adapter: one object over docker or podman, chosen by --engine, CITELIBRE_ENGINE or
 * detection, with what it can do on this machine (its capabilities) found once. It owns every container
 * and registry command line (argv.ts); the rest of the toolkit calls its verbs. Every call goes through
 * lib/exec (argv arrays, errors that carry the command and the engine's own message).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import which from "which";
import { run, type RunOptions, type RunResult } from "../lib/exec.js";
import { namespaceOf, splitImageRef } from "../lib/image-ref.js";
import { UsageError, UserError } from "../lib/problems.js";
import {
  buildArgv, buildxVersionArgv, copyIntoArgv, imageInspectArgv, copyOutArgv, createArgv, defaultCapabilities, execArgv, imageExistsArgv, importArgv, inspectArgv,
  listImagesArgv, loginArgv, logsArgv, logsWithTimesArgv, manifestListArgvs, memoryUsageArgv, pullArgv, pushArgvs, removeContainerArgv,
  removeVolumeArgv, runArgv, saveArgv, startArgv, stopArgv, tagArgv, removeImageArgv,
  type BuildSpec, type Capabilities, type EngineName, type PushOptions, type RunSpec,
} from "./argv.js";

export type { Capabilities, EngineName } from "./argv.js";

export class Engine {
  readonly capabilities: Capabilities;

  /** Capabilities default to what the installed tools allow without asking the engine; selectEngine asks. */
  constructor(
    readonly name: EngineName,
    private readonly options: Pick<RunOptions, "verbose"> = {},
    capabilities?: Capabilities,
  ) {
    this.capabilities = capabilities ?? defaultCapabilities(name, { buildah: onPath("buildah"), buildx: false });
  }

  /** The engine, with its capabilities found by asking it (docker: is the buildx plugin there?). */
  static async open(name: EngineName, options: Pick<RunOptions, "verbose"> = {}): Promise<Engine> {
    const buildx = name === "docker" && (await run("docker", buildxVersionArgv).then(() => true, () => false));
    return new Engine(name, options, defaultCapabilities(name, { buildah: onPath("buildah"), buildx }));
  }

  /** Which builder builds images here, in words. */
  get builder(): string {
    if (this.name === "podman") return "podman build (buildah)";
    return this.capabilities.buildx ? "BuildKit through buildx" : "the engine's own builder (no buildx)";
  }

  private exec(args: string[], extra: RunOptions = {}): Promise<RunResult> {
    return run(this.name, args, { ...this.options, ...extra });
  }

  build(spec: BuildSpec, extra: RunOptions = {}): Promise<RunResult> {
    // docker without buildx: its own builder, even where DOCKER_BUILDKIT=1 would ask for the missing plugin.
    // Added to the environment the tool inherits (execa extends it).
    const env = this.name === "docker" && !this.capabilities.buildx ? { env: { ...extra.env, DOCKER_BUILDKIT: "0" } } : {};
    return this.exec(buildArgv(this.name, spec, this.capabilities), { ...extra, ...env });
  }

  run(spec: RunSpec, extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(runArgv(this.name, spec), extra);
  }

  start(container: string): Promise<RunResult> {
    return this.exec(startArgv(this.name, container));
  }

  stop(container: string, timeoutSeconds = 10): Promise<RunResult> {
    return this.exec(stopArgv(this.name, container, timeoutSeconds));
  }

  /**
   * Removes a container and its anonymous volumes; named volumes stay. Absent is fine. A running one is
   * stopped first (its services stop in order, MariaDB flushes), unless `now` says it may be killed.
   */
  async remove(container: string, options: { now?: boolean; stopSeconds?: number } = {}): Promise<void> {
    if (!options.now) await this.exec(stopArgv(this.name, container, options.stopSeconds ?? 30)).catch(() => undefined);
    await this.exec(removeContainerArgv(this.name, container, { now: true })).catch(() => undefined);
  }

  /** Removes a named volume and its data. Absent is fine. */
  async removeVolume(volume: string): Promise<void> {
    await this.exec(removeVolumeArgv(this.name, volume)).catch(() => undefined);
  }

  /** Copies what a host folder holds onto a running container's root, at the same paths. */
  copyInto(container: string, dir: string, extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(copyIntoArgv(this.name, container, dir), extra);
  }

  /** Runs a command inside a running container, as its image's user. */
  execIn(container: string, command: string[], extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(execArgv(this.name, container, command), extra);
  }

  /**
   * Copies paths out of an image: from a container created from it and never started, removed afterwards
   * whatever happens. `copies` maps a path in the image to a path on the host; a missing optional one is
   * skipped, a missing required one throws. Returns whether each was copied, in order.
   */
  async copyFromImage(image: string, copies: Array<{ from: string; to: string; optional?: boolean }>): Promise<boolean[]> {
    const container = (await this.exec(createArgv(this.name, image))).stdout.trim();
    try {
      const copied: boolean[] = [];
      for (const c of copies) {
        const done = this.exec(copyOutArgv(this.name, container, c.from, c.to)).then(() => true);
        copied.push(c.optional ? await done.catch(() => false) : await done);
      }
      return copied;
    } finally {
      await this.remove(container, { now: true });
    }
  }

  async inspect<T = unknown>(target: string): Promise<T> {
    const r = await this.exec(inspectArgv(this.name, target));
    const parsed = JSON.parse(r.stdout) as T[];
    if (!parsed[0]) throw new UserError(`${this.name} inspect ${target} returned nothing`);
    return parsed[0];
  }

  /** An image's description: a container that happens to bear the same name never answers instead. */
  async inspectImage<T = unknown>(image: string): Promise<T> {
    const parsed = JSON.parse((await this.exec(imageInspectArgv(this.name, image))).stdout) as T[];
    if (!parsed[0]) throw new UserError(`${this.name} image inspect ${image} returned nothing`);
    return parsed[0];
  }

  async inspectFormat(target: string, format: string): Promise<string> {
    return (await this.exec(inspectArgv(this.name, target, format))).stdout.trim();
  }

  async logs(container: string, tail?: number): Promise<string> {
    const r = await this.exec(logsArgv(this.name, container, tail !== undefined ? { tail } : {}));
    return [r.stdout, r.stderr].filter(Boolean).join("\n");
  }

  /** The whole log, each line after its time stamp (RFC 3339). */
  async logsWithTimes(container: string): Promise<string[]> {
    const r = await this.exec(logsWithTimesArgv(this.name, container));
    return [r.stdout, r.stderr].filter(Boolean).join("\n").split("\n");
  }

  /** What the container uses of its memory limit now, as the engine prints it ("123.4MiB / 1GiB"). */
  async memoryUsage(container: string): Promise<string> {
    return (await this.exec(memoryUsageArgv(this.name, container))).stdout.trim();
  }

  /**
   * An image's ID (hex, without "sha256:", whatever the engine prints), size in bytes and labels (under
   * Config for both engines; podman also copies them to the top level, docker does not). Rejects when
   * there is no such image.
   */
  async imageFacts(image: string): Promise<{ id: string; sizeBytes: number; labels: Record<string, string> }> {
    const [info] = JSON.parse((await this.exec(imageInspectArgv(this.name, image))).stdout) as Array<{ Id: string; Size: number; Config?: { Labels?: Record<string, string> | null } }>;
    if (!info) throw new UserError(`${this.name} image inspect ${image} returned nothing`);
    return { id: info.Id.replace(/^sha256:/, ""), sizeBytes: info.Size, labels: info.Config?.Labels ?? {} };
  }

  /** The image's ID, or undefined when there is no such image: one engine call instead of two. */
  async imageId(image: string): Promise<string | undefined> {
    try {
      return (await this.exec(imageInspectArgv(this.name, image, "{{.Id}}"))).stdout.trim().replace(/^sha256:/, "") || undefined;
    } catch {
      return undefined;
    }
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.exec(imageExistsArgv(this.name, image));
      return true;
    } catch {
      return false;
    }
  }

  /** Every local image name (repository:tag); images without a name are left out. */
  async imageNames(): Promise<string[]> {
    return (await this.exec(listImagesArgv())).stdout.split("\n").map((l) => l.trim()).filter((l) => l && !l.includes("<none>"));
  }

  /** Local image names in a namespace (`ns/…` as docker lists them, `…/ns/…` with a registry or localhost/). */
  async imageNamesUnder(namespace: string): Promise<string[]> {
    return (await this.imageNames()).filter((n) => namespaceOf(splitImageRef(n)).includes(namespace));
  }

  async tag(source: string, ...targets: string[]): Promise<void> {
    for (const target of targets) await this.exec(tagArgv(this.name, source, target));
  }

  /** Removes one name of an image, or an unnamed image by ID; the image goes with its last name unless a container uses it. Never forced. */
  async removeImage(reference: string): Promise<boolean> {
    return this.exec(removeImageArgv(this.name, reference)).then(() => true, () => false);
  }

  /**
   * Commits one layer (the files of `dir`, at /) and labels on top of `parent`, with buildah, and tags
   * the result. This is what a two-line Dockerfile (COPY + LABEL) would do, without the fixed cost of
   * `podman build`. Returns the new image's ID, or undefined where the engine cannot (capabilities), so
   * the caller builds.
   */
  async commitLayer(parent: string, dir: string, labels: Record<string, string>, tags: string[]): Promise<string | undefined> {
    if (!this.capabilities.commitLayer || tags.length === 0) return undefined;
    const buildah = (args: string[]) => run("buildah", args, this.options);
    const container = (await buildah(["from", "--pull-never", "--quiet", parent])).stdout.trim();
    const iidDir = await mkdtemp(path.join(tmpdir(), "citelibre-commit-"));
    try {
      await buildah(["copy", "--quiet", container, `${dir}/`, "/"]);
      await buildah(["config", ...Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]), container]);
      await buildah(["commit", "--quiet", "--format", "docker", "--iidfile", path.join(iidDir, "iid"), "--rm", container, tags[0] ?? ""]);
      if (tags.length > 1) await buildah(["tag", tags[0] ?? "", ...tags.slice(1)]);
      return (await readFile(path.join(iidDir, "iid"), "utf8")).trim().replace(/^sha256:/, "");
    } catch (e) {
      await buildah(["rm", container]).catch(() => undefined);
      throw e;
    } finally {
      await rm(iidDir, { recursive: true, force: true });
    }
  }

  /** Marks an image's configuration with another architecture (an imported foreign root filesystem). */
  async setArchitecture(image: string, architecture: string): Promise<void> {
    if (!this.capabilities.commitLayer) throw new UserError("building for a foreign platform from a bootstrapped root filesystem needs podman and buildah");
    const buildah = (args: string[]) => run("buildah", args, this.options);
    const container = (await buildah(["from", "--pull-never", "--quiet", image])).stdout.trim();
    try {
      await buildah(["config", "--arch", architecture, "--os", "linux", container]);
      await buildah(["commit", "--quiet", "--format", "docker", "--rm", container, image]);
    } catch (e) {
      await buildah(["rm", container]).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Pushes a local image to a registry reference. Returns the pushed manifest's digest where the engine
   * reports it (podman); the caller reads the registry back either way.
   */
  async push(source: string, destination: string, options: PushOptions): Promise<string | undefined> {
    if (options.signBy && !this.capabilities.gpgSigning) throw new UserError(`GPG simple signing needs podman (${this.name} push cannot sign): use --engine podman, or --sign cosign`);
    // docker pushes a local name: the destination's name, added for the push, goes after it.
    const added = this.name === "docker" && !(await this.imageExists(destination));
    let printed = "";
    try {
      for (const argv of pushArgvs(this.name, source, destination, options)) printed = (await this.exec(argv)).stdout;
    } finally {
      if (added) await this.removeImage(destination);
    }
    if (this.capabilities.pushDigestFile) return (await readFile(options.digestFile, "utf8")).trim();
    // docker says it on its last line: "<tag>: digest: sha256:… size: …".
    return /digest: (sha256:[0-9a-f]{64})/.exec(printed)?.[1];
  }

  /** Pushes one manifest list joining local images (one per platform); returns its digest. */
  async pushManifestList(imageIds: string[], destination: string, options: PushOptions): Promise<string> {
    if (!this.capabilities.manifestLists) throw new UserError(`--platforms needs podman (its manifest commands join the images); ${this.name} cannot join local images in a list`);
    const list = `localhost/citelibre-publish/list-${String(process.pid)}:${String(Date.now())}`;
    const argvs = manifestListArgvs(list, imageIds, destination, options);
    await this.exec(argvs.create);
    try {
      for (const add of argvs.add) await this.exec(add);
      await this.exec(argvs.push);
    } finally {
      await this.exec(argvs.remove).catch(() => undefined);
    }
    return (await readFile(options.digestFile, "utf8")).trim();
  }

  /** Logs in to a registry; the password goes on standard input. */
  async login(host: string, user: string, password: string, options: { tlsVerify: boolean }): Promise<void> {
    await this.exec(loginArgv(this.name, host, user, options), { input: password });
  }

  async pull(reference: string, options: { tlsVerify: boolean }): Promise<void> {
    await this.exec(pullArgv(this.name, reference, options));
  }

  save(image: string, output: string): Promise<RunResult> {
    return this.exec(saveArgv(this.name, image, output));
  }

  import(tarball: string, reference: string, changes: string[] = []): Promise<RunResult> {
    return this.exec(importArgv(this.name, tarball, reference, changes));
  }

  /** For tests only (scripts/ never calls it: test/unit/engine/boundary.test.ts). */
  raw(args: string[], extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(args, extra);
  }
}

export interface EngineReport {
  name: EngineName;
  /** The engine's version when it answers (docker: its daemon). */
  version?: string;
  /** Why it does not answer, and what to run. */
  problem?: string;
  fix?: string;
  /** What it does here, and what it cannot do (with the way around). */
  features?: string[];
  lacks?: string[];
  /** A setting of the engine that builds need and this machine lacks. */
  settings?: { ok: boolean; detail: string };
}

/** Each engine this machine has, whether it answers, and what it can do here (citelibre doctor). */
export async function reportEngines(): Promise<EngineReport[]> {
  const reports: EngineReport[] = [];
  for (const name of ["podman", "docker"] as const) {
    if (!onPath(name)) {
      reports.push({ name, problem: "not installed" });
      continue;
    }
    const format = name === "podman" ? "podman {{.Client.Version}}" : "Docker Engine {{.Server.Version}} (client {{.Client.Version}})";
    const version = await run(name, ["version", "--format", format], { timeout: 10_000 }).then((r) => r.stdout.trim(), () => undefined);
    const docker = name === "docker";
    if (!version) {
      reports.push({ name, problem: docker ? "installed, but no Docker daemon answers" : "installed, but does not answer", fix: docker ? "npm run setup (installs docker.io and starts dockerd)" : "npm run setup" });
      continue;
    }
    const engine = await Engine.open(name);
    const c = engine.capabilities;
    reports.push({
      name, version,
      features: [engine.builder, c.commitLayer ? "theme layers committed with buildah" : "", c.gpgSigning ? "GPG simple signing" : "", c.manifestLists ? "multi-platform manifest lists" : ""].filter(Boolean),
      lacks: [c.buildMounts ? "" : "build mounts (the Maven cache is not kept between site builds; install docker-buildx)", c.gpgSigning ? "" : "GPG signing (use cosign, or podman)", c.manifestLists ? "" : "--platforms lists (use podman)"].filter(Boolean),
      ...(docker ? {} : { settings: podmanSettings() }),
    });
  }
  return reports;
}

/** podman on hosts without CAP_SYS_RESOURCE needs lower default ulimits and runc (scripts/setup-host.sh). */
function podmanSettings(): { ok: boolean; detail: string } {
  const conf = existsSync("/etc/containers/containers.conf") ? readFileSync("/etc/containers/containers.conf", "utf8") : "";
  const ok = /default_ulimits\s*=/.test(conf) && /runtime\s*=\s*"runc"/.test(conf);
  return { ok, detail: ok ? "/etc/containers/containers.conf sets them" : "not set: builds fail with EPERM on hosts without CAP_SYS_RESOURCE" };
}

/** The compose tools on this machine: podman-compose, Debian's docker-compose, docker's compose plugin. */
export async function reportComposeTools(): Promise<string[]> {
  const tools: Array<[string, string[]]> = [["podman-compose", ["version"]], ["docker-compose", ["version", "--short"]], ["docker", ["compose", "version", "--short"]]];
  const found: string[] = [];
  for (const [file, args] of tools) {
    if (!onPath(file)) continue;
    // podman-compose also prints podman's version: its own line names it.
    const v = await run(file, args, { timeout: 10_000 }).then((r) => {
      const lines = (r.stdout || r.stderr).split("\n").filter((l) => /\d+\.\d+/.test(l));
      return (lines.find((l) => /compose/i.test(l)) ?? lines[0])?.trim();
    }, () => undefined);
    if (v) found.push(`${file === "docker" ? "docker compose" : file} ${v.replace(/^.*?(\d+\.\d+\.\d+).*$/, "$1")}`);
  }
  return found;
}

/** podman's own version (what `podman kube play` does depends on it), whichever engine builds. */
export async function podmanVersion(): Promise<string> {
  return (await run("podman", ["version", "--format", "{{.Client.Version}}"])).stdout.trim();
}

function onPath(command: string): boolean {
  return which.sync(command, { nothrow: true }) !== null;
}

/**
 * The engine asked for (--engine, else CITELIBRE_ENGINE: the caller reads them), else podman when
 * installed (it needs no daemon), else docker when its daemon answers.
 */
export async function selectEngine(requested: string | undefined, options: Pick<RunOptions, "verbose"> = {}): Promise<Engine> {
  const wanted = requested;
  if (wanted !== undefined) {
    if (wanted !== "docker" && wanted !== "podman") throw new UsageError(`--engine must be docker or podman, not "${wanted}"`);
    if (!onPath(wanted)) throw new UserError(`${wanted} is not installed. Run \`npm run setup\` (installs podman) or choose the other engine with --engine.`);
    return Engine.open(wanted, options);
  }
  if (onPath("podman")) return Engine.open("podman", options);
  if (onPath("docker")) {
    const info = await run("docker", ["info", "--format", "{{.ServerVersion}}"]).catch(() => undefined);
    if (info) return Engine.open("docker", options);
    throw new UserError("docker is installed but no Docker engine answers (`docker info` fails). Start the Docker daemon, or run `npm run setup` to install podman.");
  }
  throw new UserError("no container engine found. Run `npm run setup` to install podman, or install Docker (Debian: apt-get install docker.io).");
}
