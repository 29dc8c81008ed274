/**
 * Every container and registry command line of the toolkit, for docker and podman side by side. Pure
 * functions: what each engine needs differs in a few flags, and tests check those differences without
 * running an engine. Nothing outside scripts/engine/ assembles a command line for an engine.
 */
export type EngineName = "docker" | "podman";

/** What an engine on this machine can do, found once when it is selected (engine.ts). */
export interface Capabilities {
  /** docker: the buildx plugin is installed (BuildKit, --load); without it, the engine's own builder. */
  buildx: boolean;
  /** Dockerfiles may use RUN --mount (bind and cache mounts): podman, and docker with BuildKit. */
  buildMounts: boolean;
  /** A layer committed straight onto an image with buildah, without a build (podman with buildah). */
  commitLayer: boolean;
  /** GPG simple signing on push (podman --sign-by). */
  gpgSigning: boolean;
  /** Manifest lists joining local images of several platforms (podman manifest). */
  manifestLists: boolean;
  /** The push writes the pushed manifest's digest to a file (podman --digestfile). */
  pushDigestFile: boolean;
}

export function defaultCapabilities(engine: EngineName, tools: { buildah: boolean; buildx: boolean }): Capabilities {
  const podman = engine === "podman";
  return { buildx: !podman && tools.buildx, buildMounts: podman || tools.buildx, commitLayer: podman && tools.buildah, gpgSigning: podman, manifestLists: podman, pushDigestFile: podman };
}

/** ulimits podman needs for RUN steps on hosts without CAP_SYS_RESOURCE (see scripts/setup-host.sh). */
export const podmanBuildUlimits = ["nofile=1024:1024", "nproc=1024:1024"];

export interface BuildSpec {
  context: string;
  file?: string;
  tags: string[];
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** Per-RUN-step ulimits; podman needs them on hosts without CAP_SYS_RESOURCE. */
  ulimits?: string[];
  /** Where to write the built image's ID (docker: --iidfile; podman: --iidfile). */
  iidFile?: string;
  /** Network of the RUN steps: "host" lets them reach repositories and mirrors on the host's loopback. */
  network?: string;
  /** os/arch to build for (linux/arm64); a foreign one runs RUN steps under QEMU emulation. */
  platform?: string;
}

export interface RunSpec {
  image: string;
  name?: string;
  detach?: boolean;
  remove?: boolean;
  ports?: Array<{ host: number; container: number; hostIp?: string }>;
  volumes?: Array<{ source: string; target: string; readOnly?: boolean }>;
  env?: Record<string, string>;
  /** Names of variables passed through from the caller's environment, so values never appear in argv. */
  envFromCaller?: string[];
  network?: string;
  user?: string;
  ulimits?: string[];
  memory?: string;
  command?: string[];
  entrypoint?: string;
  stopTimeout?: number;
  /** The engine starts the container again when it exits non-zero (the runtime's exit status, services.sh). */
  restart?: "on-failure";
}

function keyValues(flag: string, values: Record<string, string> | undefined): string[] {
  return Object.entries(values ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

export function buildArgv(engine: EngineName, spec: BuildSpec, capabilities: Pick<Capabilities, "buildx"> = { buildx: false }): string[] {
  if (spec.tags.length === 0) throw new Error("internal: an image build needs at least one tag");
  const podman = engine === "podman";
  // docker: buildx (BuildKit) loads its result into the engine only when asked; the engine's own builder
  // (docker build, without the plugin) builds into it directly. podman: the docker image format, the one
  // that keeps HEALTHCHECK.
  const argv = podman ? ["build", "--format", "docker"] : capabilities.buildx ? ["buildx", "build", "--load"] : ["build"];
  if (spec.file) argv.push("--file", spec.file);
  for (const tag of spec.tags) argv.push("--tag", tag);
  argv.push(...keyValues("--build-arg", spec.buildArgs), ...keyValues("--label", spec.labels));
  if (spec.target) argv.push("--target", spec.target);
  if (spec.noCache) argv.push("--no-cache");
  if (spec.iidFile) argv.push("--iidfile", spec.iidFile);
  if (spec.network) argv.push("--network", spec.network);
  if (spec.platform) argv.push("--platform", spec.platform);
  if (podman) {
    // Keep layers so a rebrand rebuilds only the last one, and apply ulimits to RUN steps.
    argv.push("--layers");
    for (const u of spec.ulimits ?? podmanBuildUlimits) argv.push("--ulimit", u);
  }
  argv.push(spec.context);
  return argv;
}

export function runArgv(_engine: EngineName, spec: RunSpec): string[] {
  const argv = ["run"];
  if (spec.detach) argv.push("--detach");
  if (spec.remove) argv.push("--rm");
  if (spec.name) argv.push("--name", spec.name);
  for (const p of spec.ports ?? []) argv.push("--publish", `${p.hostIp ?? "127.0.0.1"}:${p.host}:${p.container}`);
  for (const v of spec.volumes ?? []) argv.push("--volume", `${v.source}:${v.target}${v.readOnly ? ":ro" : ""}`);
  argv.push(...keyValues("--env", spec.env));
  for (const name of spec.envFromCaller ?? []) argv.push("--env", name);
  if (spec.network) argv.push("--network", spec.network);
  if (spec.user) argv.push("--user", spec.user);
  for (const u of spec.ulimits ?? []) argv.push("--ulimit", u);
  if (spec.memory) argv.push("--memory", spec.memory);
  if (spec.stopTimeout !== undefined) argv.push("--stop-timeout", String(spec.stopTimeout));
  if (spec.restart) argv.push("--restart", spec.restart);
  if (spec.entrypoint !== undefined) argv.push("--entrypoint", spec.entrypoint);
  argv.push(spec.image, ...(spec.command ?? []));
  return argv;
}

export function stopArgv(_engine: EngineName, container: string, timeoutSeconds: number): string[] {
  return ["stop", "--time", String(timeoutSeconds), container];
}

export function imageExistsArgv(engine: EngineName, image: string): string[] {
  return engine === "podman" ? ["image", "exists", image] : ["image", "inspect", "--format", "{{.Id}}", image];
}

export function inspectArgv(_engine: EngineName, target: string, format?: string): string[] {
  return format ? ["inspect", "--format", format, target] : ["inspect", target];
}

/** An image's description as JSON (or one field of it, with format): never a container's of the same name. */
export function imageInspectArgv(_engine: EngineName, image: string, format?: string): string[] {
  return format ? ["image", "inspect", "--format", format, image] : ["image", "inspect", image];
}

export function logsArgv(_engine: EngineName, container: string, options: { tail?: number } = {}): string[] {
  return ["logs", ...(options.tail !== undefined ? ["--tail", String(options.tail)] : []), container];
}

export function saveArgv(engine: EngineName, image: string, output: string): string[] {
  return engine === "podman" ? ["save", "--format", "oci-archive", "--output", output, image] : ["save", "--output", output, image];
}

export function importArgv(_engine: EngineName, tarball: string, reference: string, changes: string[] = []): string[] {
  return ["import", ...changes.flatMap((c) => ["--change", c]), tarball, reference];
}

/** Copies the contents of a host folder onto a container's root: `<dir>/.` copies what is inside, not the folder. */
export function copyIntoArgv(_engine: EngineName, container: string, dir: string): string[] {
  return ["cp", `${dir.replace(/\/+$/, "")}/.`, `${container}:/`];
}

export function execArgv(_engine: EngineName, container: string, command: string[]): string[] {
  if (command.length === 0) throw new Error("exec needs a command");
  return ["exec", container, ...command];
}

export function startArgv(_engine: EngineName, container: string): string[] {
  return ["start", container];
}

/**
 * Removes a container and its anonymous volumes (an image's VOLUME); named volumes stay. A running one is
 * killed: docker at once, podman after its stop timeout unless `now` (--time 0). Stop it first to keep
 * its data safe.
 */
export function removeContainerArgv(engine: EngineName, container: string, options: { now?: boolean } = {}): string[] {
  return ["rm", "--force", "--volumes", ...(engine === "podman" && options.now ? ["--time", "0"] : []), container];
}

/** A container made from an image and never started: its files can be copied out. */
export function createArgv(_engine: EngineName, image: string): string[] {
  return ["create", image, "true"];
}

/** Copies a path out of a container (started or not) to the host. */
export function copyOutArgv(_engine: EngineName, container: string, from: string, to: string): string[] {
  return ["cp", `${container}:${from}`, to];
}

export function removeVolumeArgv(_engine: EngineName, volume: string): string[] {
  return ["volume", "rm", "--force", volume];
}

export function tagArgv(_engine: EngineName, source: string, target: string): string[] {
  return ["tag", source, target];
}

/** Removes one name of an image, or an unnamed image by ID (the image goes with its last name, unless a container uses it); never --force. */
export function removeImageArgv(_engine: EngineName, reference: string): string[] {
  return ["rmi", reference];
}

/** Every local image name, one repository:tag a line. */
export function listImagesArgv(): string[] {
  return ["images", "--format", "{{.Repository}}:{{.Tag}}"];
}

export function logsWithTimesArgv(_engine: EngineName, container: string): string[] {
  return ["logs", "--timestamps", container];
}

export function memoryUsageArgv(_engine: EngineName, container: string): string[] {
  return ["stats", "--no-stream", "--format", "{{.MemUsage}}", container];
}

export interface PushOptions {
  /** podman writes the pushed manifest's digest there. */
  digestFile: string;
  /** false for a registry on this machine's loopback, served over plain HTTP. */
  tlsVerify: boolean;
  /** GPG key fingerprint for podman's simple signing. */
  signBy?: string;
}

/**
 * The command lines that push a local image under a registry reference. docker pushes a local name, so
 * the image is tagged with the destination first (docker treats 127.0.0.0/8 registries as plain HTTP by
 * itself); podman pushes from its store, in the Docker v2 schema 2 format every registry reads.
 */
export function pushArgvs(engine: EngineName, source: string, destination: string, options: PushOptions): string[][] {
  if (engine === "docker") return [["tag", source, destination], ["push", destination]];
  return [[
    "push", "--quiet", "--format", "v2s2", "--digestfile", options.digestFile,
    ...(options.tlsVerify ? [] : ["--tls-verify=false"]),
    ...(options.signBy ? ["--sign-by", options.signBy] : []),
    source, `docker://${destination}`,
  ]];
}

/** podman: a manifest list joining local images by ID (short names would resolve to docker.io), pushed with them. */
export function manifestListArgvs(list: string, imageIds: string[], destination: string, options: PushOptions): { create: string[]; add: string[][]; push: string[]; remove: string[] } {
  return {
    create: ["manifest", "create", list],
    add: imageIds.map((id) => ["manifest", "add", list, `containers-storage:${id.replace(/^sha256:/, "")}`]),
    push: [
      "manifest", "push", "--all", "--quiet", "--format", "v2s2", "--digestfile", options.digestFile,
      ...(options.tlsVerify ? [] : ["--tls-verify=false"]),
      ...(options.signBy ? ["--sign-by", options.signBy] : []),
      list, `docker://${destination}`,
    ],
    remove: ["manifest", "rm", list],
  };
}

/** Logs in with the password on standard input, never in argv. */
export function loginArgv(engine: EngineName, host: string, user: string, options: { tlsVerify: boolean }): string[] {
  return ["login", "--username", user, "--password-stdin", ...(engine === "podman" && !options.tlsVerify ? ["--tls-verify=false"] : []), host];
}

export function pullArgv(engine: EngineName, reference: string, options: { tlsVerify: boolean }): string[] {
  return ["pull", "--quiet", ...(engine === "podman" && !options.tlsVerify ? ["--tls-verify=false"] : []), reference];
}

/** Whether the buildx plugin answers (docker only). */
export const buildxVersionArgv = ["buildx", "version"];
