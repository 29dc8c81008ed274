/**
 * Command lines for docker (with buildx) and podman. Pure functions: what each engine needs differs in
 * a few flags, and tests check those differences without running an engine.
 */
export type EngineName = "docker" | "podman";

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

export function buildArgv(engine: EngineName, spec: BuildSpec): string[] {
  if (spec.tags.length === 0) throw new Error("internal: an image build needs at least one tag");
  const argv = engine === "docker" ? ["buildx", "build", "--load"] : ["build"];
  if (spec.file) argv.push("--file", spec.file);
  for (const tag of spec.tags) argv.push("--tag", tag);
  argv.push(...keyValues("--build-arg", spec.buildArgs), ...keyValues("--label", spec.labels));
  if (spec.target) argv.push("--target", spec.target);
  if (spec.noCache) argv.push("--no-cache");
  if (spec.iidFile) argv.push("--iidfile", spec.iidFile);
  if (spec.network) argv.push("--network", spec.network);
  if (spec.platform) argv.push("--platform", spec.platform);
  if (engine === "podman") {
    // Keep layers so a rebrand rebuilds only the last one, and apply ulimits to RUN steps.
    argv.push("--layers");
    for (const u of spec.ulimits ?? []) argv.push("--ulimit", u);
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

export function logsArgv(_engine: EngineName, container: string, options: { tail?: number } = {}): string[] {
  return ["logs", ...(options.tail !== undefined ? ["--tail", String(options.tail)] : []), container];
}

export function pushArgv(_engine: EngineName, image: string, destination?: string): string[] {
  return destination ? ["push", image, destination] : ["push", image];
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
