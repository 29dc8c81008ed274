/**
 * `citelibre scan` on a real bundle image (rendezvous with the stand-in site): the SBOM from the image's
 * own files, validated and reproducible; the freshness check against the real Debian mirror; the Trivy
 * path through a stand-in `trivy` on PATH (argv, exit codes, errors). The real Trivy is not installable
 * here: the test that needs it runs only where it is on PATH, and says so when it skips.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as Spec from "@cyclonedx/cyclonedx-library/Spec";
import * as Validation from "@cyclonedx/cyclonedx-library/Validation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trivyOnPath } from "../../scripts/scan/trivy.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { sarifErrors } from "../helpers/sarif.js";
import { runCli } from "../helpers/themes.js";

const image = "citelibre/rendezvous:1.0.0";
const realTrivy = trivyOnPath();
let work: string;
let stubDir: string;
const savedPath = process.env.PATH ?? "";

interface ScanJson {
  ok: boolean;
  imageId: string;
  sbom: { file: string; components: number };
  trivy: { ran: boolean; version?: string };
  verdict?: { passed: boolean; failing: Array<{ id: string }> };
  freshness?: { checkedAt: string; updates: Array<{ name: string; security: boolean }>; security: unknown[] };
}

/** A `trivy` that records its argv and the archive it was given, then prints a fixture report. */
const stub = `#!/bin/sh
printf '%s\\n' "$@" > "$TRIVY_STUB_DIR/argv"
if [ "$1" = "--version" ]; then echo '{"Version":"0.74.0-stand-in"}'; exit 0; fi
prev=""
for a in "$@"; do
  if [ "$prev" = "--input" ]; then
    if [ -s "$a" ] && tar -tf "$a" >/dev/null 2>&1; then echo "archive=ok" >> "$TRIVY_STUB_DIR/argv"; else echo "archive=bad" >> "$TRIVY_STUB_DIR/argv"; fi
  fi
  prev=$a
done
if [ -n "$TRIVY_STUB_FAIL" ]; then echo "FATAL	Fatal error	init error: DB error: failed to download vulnerability DB" >&2; exit 1; fi
cat "$TRIVY_STUB_REPORT"
`;

async function scan(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; json?: ScanJson; out: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) Reflect.deleteProperty(process.env, k);
  try {
    const r = await runCli(["--json", "scan", image, ...args]);
    let json: ScanJson | undefined;
    try {
      json = JSON.parse(r.stdout) as ScanJson;
    } catch {
      json = undefined;
    }
    return { code: r.code, out: r.stdout + r.stderr, ...(json ? { json } : {}) };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "citelibre-scan-it-"));
  stubDir = path.join(work, "bin");
  await mkdir(stubDir);
  await writeFile(path.join(stubDir, "trivy"), stub);
  await chmod(path.join(stubDir, "trivy"), 0o755);
  const built = await runCli(["--json", "build", "rendezvous", "--site-war", "stand-in"]);
  expect(built.code, built.stderr).toBe(0);
});
afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(work, { recursive: true, force: true });
});

describe("citelibre scan on a bundle image", () => {
  it("writes an SBOM that lists the JRE, Tomcat, MariaDB, the mail catcher and the site's jars, valid and byte-identical on a second run; checks freshness against Debian", async () => {
    const first = path.join(work, "first.cdx.json");
    const r = await scan(["--sbom", first]);
    expect(r.code, r.out).toBe(0);
    expect(r.json?.trivy.ran).toBe(!!realTrivy);
    const text = await readFile(first, "utf8");
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
    const bom = JSON.parse(text) as { metadata: { component: { hashes: Array<{ content: string }> } }; components: Array<{ name: string; group?: string; purl?: string }> };
    expect(bom.metadata.component.hashes[0]?.content).toBe(r.json?.imageId);
    const names = bom.components.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["openjdk-17-jre-headless", "tomcat10-common", "libtomcat10-java", "mariadb-server-core", "python3-aiosmtpd", "citelibre-mailcatcher", "site-rendezvous", "theme-citelibre", "rendezvous"]));
    expect(bom.components.find((c) => c.purl?.startsWith("pkg:maven/org.mariadb.jdbc/mariadb-java-client@"))).toBeDefined();

    const second = path.join(work, "second.cdx.json");
    expect((await scan(["--sbom", second, "--no-freshness"])).code).toBe(0);
    expect(await readFile(second, "utf8")).toBe(text);

    // The freshness check ran apt against the image's own sources (the real Debian mirror).
    expect(r.json?.freshness?.checkedAt).toBeTruthy();
    expect(Array.isArray(r.json?.freshness?.updates)).toBe(true);
    console.log(`freshness: ${String(r.json?.freshness?.updates.length)} pending update(s), ${String(r.json?.freshness?.security.length)} security`);
  });

  it("says in one line that Trivy is missing, and fails with --require-trivy", async () => {
    const withoutTrivy = savedPath.split(":").filter((d) => !realTrivy || path.dirname(realTrivy) !== d).join(":");
    const relaxed = await scan(["--no-freshness", "--sbom", path.join(work, "x.cdx.json")], { PATH: withoutTrivy });
    expect(relaxed.code).toBe(0);
    expect(relaxed.out.split("\n").filter((l) => l.includes("Trivy is not installed")).length).toBeGreaterThanOrEqual(1);
    const strict = await scan(["--no-freshness", "--require-trivy"], { PATH: withoutTrivy });
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/Trivy is not installed, and --require-trivy asks for a vulnerability scan\. Install Trivy 0\.74\.0/);
    expect(strict.out).not.toMatch(/\n\s+at /);
  });

  it("runs a trivy on PATH with the saved image archive, gates its report, and writes SARIF and markdown", async () => {
    const sarif = path.join(work, "scan.sarif");
    const markdown = path.join(work, "scan.md");
    const env = { PATH: `${stubDir}:${savedPath}`, TRIVY_STUB_DIR: work, TRIVY_STUB_REPORT: repoPath("test/fixtures/trivy/fixable-criticals.json"), TRIVY_CACHE_DIR: path.join(work, "trivy-cache") };
    const failing = await scan(["--no-freshness", "--sarif", sarif, "--markdown", markdown, "--sbom", path.join(work, "y.cdx.json")], env);
    expect(failing.code, failing.out).toBe(1);
    expect(failing.json?.trivy).toEqual({ ran: true, version: "0.74.0-stand-in" });
    expect(failing.json?.verdict?.failing.map((f) => f.id)).toEqual(["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-20001"]);
    const argv = (await readFile(path.join(work, "argv"), "utf8")).split("\n");
    expect(argv.slice(0, 12)).toEqual(["image", "--format", "json", "--quiet", "--scanners", "vuln", "--cache-dir", path.join(work, "trivy-cache"), "--timeout", "600s", "--input", expect.stringMatching(/image\.tar$/)]);
    expect(argv).toContain("archive=ok");

    expect(sarifErrors(JSON.parse(await readFile(sarif, "utf8")))).toEqual([]);
    expect(await readFile(markdown, "utf8")).toMatch(/\*\*Failed\*\*: gate FAILED: 3 CRITICAL\/HIGH/);

    const clean = await scan(["--no-freshness", "--sbom", path.join(work, "y.cdx.json")], { ...env, TRIVY_STUB_REPORT: repoPath("test/fixtures/trivy/unfixed-highs.json") });
    expect(clean.code, clean.out).toBe(0);
    expect(clean.json?.verdict?.passed).toBe(true);

    const sbomTarget = await scan(["--no-freshness", "--trivy-target", "sbom", "--sbom", path.join(work, "z.cdx.json")], { ...env, TRIVY_STUB_REPORT: repoPath("test/fixtures/trivy/no-findings.json") });
    expect(sbomTarget.code, sbomTarget.out).toBe(0);
    const sbomArgv = (await readFile(path.join(work, "argv"), "utf8")).trim().split("\n");
    expect([sbomArgv[0], sbomArgv.at(-1)]).toEqual(["sbom", path.join(work, "z.cdx.json")]);
  });

  it("reports Trivy's own failure clearly, without a stack trace and without claiming a verdict", async () => {
    const r = await scan(["--no-freshness", "--sbom", path.join(work, "w.cdx.json")], { PATH: `${stubDir}:${savedPath}`, TRIVY_STUB_DIR: work, TRIVY_STUB_REPORT: "/nonexistent", TRIVY_STUB_FAIL: "1" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Trivy failed, so the image was not scanned[\s\S]*failed to download vulnerability DB/);
    expect(r.out).not.toMatch(/gate passed/);
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it("names a missing image and how to build it", async () => {
    const r = await runCli(["scan", "citelibre/does-not-exist:1", "--no-freshness"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/there is no image citelibre\/does-not-exist:1 .*Build it first/);
  });

  it.skipIf(!realTrivy)("scans the image with the real Trivy (skipped here: Trivy is not installable on this machine, no internet for its binary or database)", async () => {
    const r = await scan(["--no-freshness", "--require-trivy", "--sbom", path.join(work, "real.cdx.json")]);
    expect(r.json?.trivy.ran).toBe(true);
    // The exit status is the gate's verdict, whichever it is on the day's database.
    expect(r.json?.verdict).toBeDefined();
    expect(r.code).toBe(r.json?.verdict?.passed ? 0 : 1);
  });
});

if (!realTrivy) console.log("scan: skipped the real-Trivy test: trivy is not on PATH (not installable here: no internet for its release or its vulnerability database). The command path is tested with a stand-in trivy.");
