/**
 * Calls Trivy (when installed) on an image archive saved by the engine, so it works the same under
 * docker and podman and never needs a daemon socket. Its vulnerability database is cached in
 * TRIVY_CACHE_DIR (default .cache/trivy), which CI keeps between runs.
 */
import which from "which";
import { run, ToolError } from "../lib/exec.js";
import { UserError } from "../lib/problems.js";

/**
 * The Trivy release CI installs (docs/scanning.md). 0.69.4 was a malicious release and the March 2026
 * incident removed older ones: install by version and checksum, never "latest".
 */
export const pinnedTrivyVersion = "0.74.0";

export function trivyOnPath(): string | undefined {
  return which.sync("trivy", { nothrow: true }) ?? undefined;
}

export async function trivyVersion(): Promise<string> {
  const r = await run("trivy", ["--version", "--format", "json"]);
  try {
    return (JSON.parse(r.stdout) as { Version?: string }).Version ?? "unknown";
  } catch {
    return /Version:\s*(\S+)/.exec(r.stdout)?.[1] ?? "unknown";
  }
}

export interface TrivyRun {
  /** An image archive (`podman save` / `docker save`) or a CycloneDX SBOM file. */
  input: string;
  kind: "image" | "sbom";
  cacheDir: string;
  timeoutSeconds?: number;
}

export function trivyArgv(spec: TrivyRun): string[] {
  const common = ["--format", "json", "--quiet", "--scanners", "vuln", "--cache-dir", spec.cacheDir, "--timeout", `${String(spec.timeoutSeconds ?? 600)}s`];
  return spec.kind === "image" ? ["image", ...common, "--input", spec.input] : ["sbom", ...common, spec.input];
}

/** Trivy's JSON report as text. Trivy's own failures become a message with its last lines. */
export async function runTrivy(spec: TrivyRun): Promise<string> {
  try {
    const r = await run("trivy", trivyArgv(spec), { timeout: ((spec.timeoutSeconds ?? 600) + 60) * 1000 });
    if (!r.stdout.trim()) throw new UserError("Trivy printed no report. Run it by hand with the command above to see why.");
    return r.stdout;
  } catch (e) {
    if (e instanceof ToolError) {
      throw new UserError(`Trivy failed, so the image was not scanned. ${e.message}\nIf its database cannot be downloaded, run once with network access (the database is cached in ${spec.cacheDir}), or set TRIVY_SKIP_DB_UPDATE=true to use the cached database as it is (Trivy reads its TRIVY_* variables).`);
    }
    throw e;
  }
}
