/**
 * The container engine adapter: one object over docker (with buildx) or podman, chosen by --engine,
 * CITELIBRE_ENGINE or detection. Every call goes through lib/exec (argv arrays, errors that carry the
 * command and the engine's own message).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { run, type RunOptions, type RunResult } from "../lib/exec.js";
import { UsageError, UserError } from "../lib/problems.js";
import {
  buildArgv, copyIntoArgv, execArgv, imageExistsArgv, importArgv, inspectArgv, logsArgv, pushArgv, runArgv, saveArgv, stopArgv,
  type BuildSpec, type EngineName, type RunSpec,
} from "./argv.js";

/** ulimits podman needs for RUN steps on hosts without CAP_SYS_RESOURCE (see scripts/setup-host.sh). */
export const podmanBuildUlimits = ["nofile=1024:1024", "nproc=1024:1024"];

export class Engine {
  constructor(
    readonly name: EngineName,
    private readonly options: Pick<RunOptions, "verbose"> = {},
  ) {}

  private exec(args: string[], extra: RunOptions = {}): Promise<RunResult> {
    return run(this.name, args, { ...this.options, ...extra });
  }

  async build(spec: BuildSpec, extra: RunOptions = {}): Promise<RunResult> {
    const withDefaults: BuildSpec = this.name === "podman" ? { ulimits: podmanBuildUlimits, ...spec } : spec;
    const argv = buildArgv(this.name, withDefaults);
    // HEALTHCHECK only survives in the docker image format; podman defaults to OCI.
    if (this.name === "podman") argv.splice(1, 0, "--format", "docker");
    return this.exec(argv, extra);
  }

  run(spec: RunSpec, extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(runArgv(this.name, spec), extra);
  }

  stop(container: string, timeoutSeconds = 10): Promise<RunResult> {
    return this.exec(stopArgv(this.name, container, timeoutSeconds));
  }

  /** Copies what a host folder holds onto a running container's root, at the same paths. */
  copyInto(container: string, dir: string): Promise<RunResult> {
    return this.exec(copyIntoArgv(this.name, container, dir));
  }

  /** Runs a command inside a running container, as its image's user. */
  execIn(container: string, command: string[], extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(execArgv(this.name, container, command), extra);
  }

  /** Removes a container and its anonymous volumes (an image's VOLUME it was given); named volumes stay. */
  async remove(container: string): Promise<void> {
    await this.exec(["rm", "--force", "--volumes", container]).catch(() => undefined);
  }

  async inspect<T = unknown>(target: string): Promise<T> {
    const r = await this.exec(inspectArgv(this.name, target));
    const parsed = JSON.parse(r.stdout) as T[];
    if (!parsed[0]) throw new UserError(`${this.name} inspect ${target} returned nothing`);
    return parsed[0];
  }

  async inspectFormat(target: string, format: string): Promise<string> {
    return (await this.exec(inspectArgv(this.name, target, format))).stdout.trim();
  }

  async logs(container: string, tail?: number): Promise<string> {
    const r = await this.exec(logsArgv(this.name, container, tail !== undefined ? { tail } : {}));
    return [r.stdout, r.stderr].filter(Boolean).join("\n");
  }

  /** The image's ID, or undefined when there is no such image: one engine call instead of two. */
  async imageId(image: string): Promise<string | undefined> {
    try {
      return (await this.exec(["image", "inspect", "--format", "{{.Id}}", image])).stdout.trim() || undefined;
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

  /**
   * Commits one layer (the files of `dir`, at /) and labels on top of `parent`, with buildah, and tags
   * the result. This is what a two-line Dockerfile (COPY + LABEL) would do, without the fixed cost of
   * `podman build`. Returns the new image's ID, or undefined where it does not apply (docker, or no
   * buildah), so the caller builds.
   */
  async commitLayer(parent: string, dir: string, labels: Record<string, string>, tags: string[]): Promise<string | undefined> {
    if (this.name !== "podman" || !onPath("buildah") || tags.length === 0) return undefined;
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
    if (this.name !== "podman" || !onPath("buildah")) throw new UserError("building for a foreign platform from a bootstrapped root filesystem needs podman and buildah");
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

  push(image: string, destination?: string): Promise<RunResult> {
    return this.exec(pushArgv(this.name, image, destination));
  }

  save(image: string, output: string): Promise<RunResult> {
    return this.exec(saveArgv(this.name, image, output));
  }

  import(tarball: string, reference: string, changes: string[] = []): Promise<RunResult> {
    return this.exec(importArgv(this.name, tarball, reference, changes));
  }

  raw(args: string[], extra: RunOptions = {}): Promise<RunResult> {
    return this.exec(args, extra);
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/${command}`));
}

/**
 * --engine, else CITELIBRE_ENGINE, else podman when installed (it needs no daemon), else docker when
 * its daemon answers.
 */
export async function selectEngine(requested: string | undefined, options: Pick<RunOptions, "verbose"> = {}): Promise<Engine> {
  const wanted = requested ?? process.env.CITELIBRE_ENGINE;
  if (wanted !== undefined) {
    if (wanted !== "docker" && wanted !== "podman") throw new UsageError(`--engine must be docker or podman, not "${wanted}"`);
    if (!onPath(wanted)) throw new UserError(`${wanted} is not installed. Run \`npm run setup\` (installs podman) or choose the other engine with --engine.`);
    return new Engine(wanted, options);
  }
  if (onPath("podman")) return new Engine("podman", options);
  if (onPath("docker")) {
    const info = await run("docker", ["info", "--format", "{{.ServerVersion}}"]).catch(() => undefined);
    if (info) return new Engine("docker", options);
    throw new UserError("docker is installed but no Docker engine answers (`docker info` fails). Start the Docker daemon, or run `npm run setup` to install podman.");
  }
  throw new UserError("no container engine found. Run `npm run setup` to install podman, or install Docker with buildx.");
}
