/**
 * `citelibre doctor`: what this machine has, what is missing, and the command that fixes each gap.
 */
import { existsSync, readFileSync } from "node:fs";
import { run } from "./exec.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Needed only to run the test suites, not to build themes and images. */
  testsOnly?: boolean;
  /** Adds a capability when present; its absence is reported, not counted as missing. */
  optional?: boolean;
}

const setupFix = "npm run setup";

async function version(file: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await run(file, args, { timeout: 10_000 });
    return (r.stdout || r.stderr).split("\n")[0]?.trim();
  } catch {
    return undefined;
  }
}

export async function runChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  checks.push({
    name: "Node.js 20.19+",
    ok: major > 20 || (major === 20 && minor >= 19),
    detail: `node ${process.versions.node}`,
    fix: "install Node.js 20.19 or newer (https://nodejs.org)",
  });

  const podman = await version("podman", ["--version"]);
  const docker = await version("docker", ["info", "--format", "Docker engine {{.ServerVersion}}"]);
  checks.push({
    name: "container engine",
    ok: podman !== undefined || docker !== undefined,
    detail: [podman, docker].filter(Boolean).join("; ") || "neither podman nor a running Docker engine",
    fix: setupFix,
  });
  if (podman) {
    const conf = existsSync("/etc/containers/containers.conf") ? readFileSync("/etc/containers/containers.conf", "utf8") : "";
    const configured = /default_ulimits\s*=/.test(conf) && /runtime\s*=\s*"runc"/.test(conf);
    checks.push({
      name: "podman settings (ulimits, runc)",
      ok: configured,
      detail: configured ? "/etc/containers/containers.conf sets them" : "not set: builds fail with EPERM on hosts without CAP_SYS_RESOURCE",
      fix: setupFix,
    });
  }
  const compose = await version("podman-compose", ["version"]);
  checks.push({
    name: "podman-compose (deploy compose tests)", ok: compose !== undefined || docker !== undefined, testsOnly: true,
    detail: compose !== undefined ? "present" : docker ? "docker compose" : "missing",
    fix: setupFix,
  });
  const catatonit = ["/usr/libexec/podman/catatonit", "/usr/bin/catatonit"].find((p) => existsSync(p));
  if (podman) checks.push({ name: "catatonit (podman pods, kube play)", ok: catatonit !== undefined, detail: catatonit ?? "missing: podman cannot build its pod infra image", fix: setupFix, testsOnly: true });
  checks.push({ name: "wrk (load test, bench:load)", ok: existsSync("/usr/bin/wrk"), detail: existsSync("/usr/bin/wrk") ? "/usr/bin/wrk" : "missing", fix: setupFix, testsOnly: true });
  checks.push({
    name: "mmdebstrap (base build --bootstrap)",
    ok: existsSync("/usr/bin/mmdebstrap"),
    detail: existsSync("/usr/bin/mmdebstrap") ? "present" : "missing",
    fix: setupFix,
  });
  const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  checks.push({ name: "Chromium (theme preview)", ok: chromium !== undefined, detail: chromium ?? "missing", fix: setupFix });
  const javac = await version("javac", ["-version"]);
  checks.push({ name: "JDK (test fixture site)", ok: javac !== undefined, detail: javac ?? "javac missing", fix: setupFix, testsOnly: true });
  for (const [name, file] of [
    ["servlet API 4 jar (test fixture site)", "/usr/share/java/servlet-api-4.0.1.jar"],
    ["MariaDB JDBC driver (test fixture site)", "/usr/share/java/mariadb-java-client.jar"],
    ["MariaDB server (theme SQL test)", "/usr/sbin/mariadbd"],
  ] as const) {
    checks.push({ name, ok: existsSync(file), detail: existsSync(file) ? file : `${file} missing`, fix: setupFix, testsOnly: true });
  }
  const qemu = existsSync("/proc/sys/fs/binfmt_misc/qemu-aarch64") && existsSync("/usr/bin/arch-test");
  checks.push({
    name: "QEMU for linux/arm64 (build --platform)", ok: qemu, optional: true,
    detail: qemu ? "qemu-aarch64 registered in binfmt_misc, arch-test present" : "multi-architecture builds need it; native builds do not",
    fix: "apt-get install qemu-user-static binfmt-support arch-test (with binfmt_misc mounted)",
  });
  const trivy = await version("trivy", ["--version"]);
  checks.push({
    name: "Trivy (scan: vulnerability gate)", ok: trivy !== undefined, optional: true,
    detail: trivy ?? "`citelibre scan` writes the SBOM and the freshness report without it",
    fix: "install Trivy 0.74.0 by version and checksum (docs/scanning.md)",
  });
  return checks;
}

export function doctorText(checks: Check[]): string {
  const lines = checks.map((c) => `${c.ok ? "ok     " : c.optional ? "absent " : "MISSING"}  ${c.name.padEnd(42)} ${c.detail}${c.ok || !c.fix ? "" : `\n         ${c.optional ? "to add" : "fix"}: ${c.fix}`}`);
  const missing = checks.filter((c) => !c.ok && !c.optional);
  lines.push("", missing.length === 0 ? "Everything the pipeline and its tests need is here." : `${missing.length} missing; \`npm run setup\` installs them on Debian and Ubuntu.`);
  return lines.join("\n");
}
