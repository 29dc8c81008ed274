/**
 * `citelibre doctor`: what this machine has, what is missing, and the command that fixes each gap.
 */
import { existsSync } from "node:fs";
import { run } from "../lib/exec.js";

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

  const { reportEngines, reportComposeTools } = await import("../engine/engine.js");
  const engines = await reportEngines();
  const running = engines.filter((e) => e.version !== undefined);
  checks.push({
    name: "container engine",
    ok: running.length > 0,
    detail: running.map((e) => e.version).join("; ") || "neither podman nor a running Docker engine",
    fix: setupFix,
  });
  for (const e of engines) {
    if (!e.version) {
      checks.push({ name: `${e.name} (engine tests run on both)`, ok: false, detail: e.problem ?? "unavailable", ...(e.fix ? { fix: e.fix } : {}), testsOnly: true });
      continue;
    }
    checks.push({ name: `${e.name} features`, ok: true, optional: true, detail: `${(e.features ?? []).join(", ")}${e.lacks?.length ? `; not: ${e.lacks.join(", ")}` : ""}` });
    if (e.settings) checks.push({ name: `${e.name} settings (ulimits, runc)`, ok: e.settings.ok, detail: e.settings.detail, fix: setupFix });
  }
  const compose = await reportComposeTools();
  checks.push({
    name: "compose tool (deploy compose tests)", ok: compose.length > 0, testsOnly: true,
    detail: compose.join("; ") || "missing",
    fix: setupFix,
  });
  const catatonit = ["/usr/libexec/podman/catatonit", "/usr/bin/catatonit"].find((p) => existsSync(p));
  // kube play builds its pod infra image from catatonit (podman only: the report with settings).
  if (engines.some((e) => e.version && e.settings)) checks.push({ name: "catatonit (podman pods, kube play)", ok: catatonit !== undefined, detail: catatonit ?? "missing: podman cannot build its pod infra image", fix: setupFix, testsOnly: true });
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
