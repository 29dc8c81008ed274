/**
 * `citelibre scan <image>`: the SBOM, the Trivy gate (when Trivy is installed) and the freshness check,
 * written where asked and summarised for people. The gate's verdict decides the exit code.
 */
import { withoutRemoteRegistry } from "../lib/image-ref.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import type { Reporter } from "../lib/log.js";
import { UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { stepTimer } from "../lib/steps.js";
import { readImageContents, simulatedUpgrade } from "./extract.js";
import { parseSimulatedUpgrade, type FreshnessReport } from "./freshness.js";
import { evaluate, loadPolicy, type Policy, type Verdict } from "./policy.js";
import { toSarif } from "./sarif.js";
import { buildSbom, serializeSbom } from "./sbom.js";
import { markdownSummary, textTable, verdictLine, countsLine } from "./summary.js";
import { parseTrivyReport, type Finding } from "./trivy-report.js";
import { pinnedTrivyVersion, runTrivy, trivyOnPath, trivyVersion } from "./trivy.js";
import { writeFileAtomically } from "../lib/tree.js";

export interface ScanOptions {
  policyFile?: string;
  sbomFile?: string;
  sarifFile?: string;
  markdownFile?: string;
  requireTrivy: boolean;
  /** What Trivy reads: the image archive, or the SBOM this command writes. */
  trivyTarget: "image" | "sbom";
  freshness: boolean;
  /** YYYY-MM-DD, for ignore expiry; today (UTC) by default. */
  today?: string;
  tool: { name: string; version: string };
  /** Trivy's database cache (TRIVY_CACHE_DIR, read by the command); default .cache/trivy. */
  trivyCacheDir?: string;
}

export interface ScanResult {
  image: string;
  imageId: string;
  sbom: { file: string; components: number };
  trivy: { ran: boolean; version?: string; reason?: string };
  verdict?: Verdict & { line: string };
  findings?: Finding[];
  freshness?: FreshnessReport;
  passed: boolean;
  steps: Record<string, number>;
}

/** A report file the user named: written whole or not at all, a failure said as a user error. */
async function writeReportFile(file: string, content: string): Promise<void> {
  await writeFileAtomically(file, content).catch((e: unknown) => {
    throw new UserError(`cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose a path in a folder you can write to`);
  });
}

export function defaultSbomPath(image: string): string {
  return repoPath("dist", "scan", `${withoutRemoteRegistry(image).replace(/[^A-Za-z0-9._-]+/g, "_")}.cdx.json`);
}

export async function scanImage(engine: Engine, reporter: Reporter, image: string, options: ScanOptions): Promise<ScanResult> {
  const { steps, timed } = stepTimer();
  const policy: Policy = await loadPolicy(options.policyFile ?? repoPath("config", "scan-policy.yaml"));
  const trivy = trivyOnPath();
  if (!trivy && options.requireTrivy) {
    throw new UserError(`Trivy is not installed, and --require-trivy asks for a vulnerability scan. Install Trivy ${pinnedTrivyVersion} (docs/scanning.md), or drop --require-trivy to get the SBOM and the freshness check alone.`);
  }

  reporter.step(`reading the packages and libraries of ${image}`);
  const contents = await timed("inventory", () => readImageContents(engine, image));
  const bom = buildSbom({ image: contents.facts, debian: contents.debian, java: contents.java, runtimeFiles: contents.runtimeFiles, tool: options.tool });
  const sbomFile = options.sbomFile ?? defaultSbomPath(image);
  await timed("sbom", () => writeReportFile(sbomFile, serializeSbom(bom)));
  reporter.step(`SBOM: ${String(bom.components.size)} components (${String(contents.debian.length)} Debian packages, ${String(contents.java.length)} Java libraries) -> ${sbomFile}`);

  const result: ScanResult = {
    image, imageId: contents.facts.id, sbom: { file: sbomFile, components: bom.components.size },
    trivy: { ran: false }, passed: true, steps,
  };

  // Freshness runs apt in a container while Trivy reads the archive: both wait on the network.
  const freshness = options.freshness
    ? timed("freshness", async () => {
      reporter.step("checking Debian for pending updates of the image's packages (apt, in a throw-away container)");
      return parseSimulatedUpgrade(await simulatedUpgrade(engine, image), new Date().toISOString());
    })
    : Promise.resolve(undefined);

  const vulnerabilities = trivy
    ? timed("trivy", async () => {
      const version = await trivyVersion();
      const cacheDir = options.trivyCacheDir ?? repoPath(".cache", "trivy");
      let input = sbomFile;
      const work = await mkdtemp(path.join(tmpdir(), "citelibre-trivy-"));
      try {
        if (options.trivyTarget === "image") {
          reporter.step(`saving ${image} for Trivy`);
          input = path.join(work, "image.tar");
          await engine.save(image, input);
        }
        reporter.step(`scanning the ${options.trivyTarget === "image" ? "image" : "SBOM"} with Trivy ${version}`);
        const report = parseTrivyReport(await runTrivy({ input, kind: options.trivyTarget, cacheDir }), "Trivy's report");
        return { version, findings: report.findings };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    })
    : Promise.resolve(undefined);

  const [fresh, vulns] = await Promise.all([freshness, vulnerabilities]);
  if (fresh) result.freshness = fresh;
  if (vulns) {
    const verdict = evaluate(vulns.findings, policy, options.today ?? new Date().toISOString().slice(0, 10));
    result.trivy = { ran: true, version: vulns.version };
    result.findings = vulns.findings;
    result.verdict = { ...verdict, line: verdictLine(verdict, policy) };
    result.passed = verdict.passed;
    if (options.sarifFile) await writeReportFile(options.sarifFile, `${JSON.stringify(toSarif({ image, findings: vulns.findings, verdict, failOn: policy.failOn, trivyVersion: vulns.version }), null, 2)}\n`);
    if (options.markdownFile) await writeReportFile(options.markdownFile, markdownSummary(image, vulns.findings, verdict, policy, vulns.version));
    for (const e of verdict.expired) reporter.warn(`the ignore entry for ${e.id} expired on ${e.expires}: it no longer ignores anything. Renew it with a new date and reason in the policy, or remove it.`);
  } else {
    result.trivy = { ran: false, reason: "Trivy is not installed" };
    reporter.warn(`Trivy is not installed: vulnerabilities were not scanned (SBOM and freshness only; install Trivy ${pinnedTrivyVersion} as docs/scanning.md says, or pass --require-trivy to make this an error).`);
    if (options.sarifFile || options.markdownFile) reporter.warn("no SARIF or markdown summary was written: without Trivy there are no findings to report, and an empty report would read as a clean one.");
  }
  return result;
}

export function scanText(r: ScanResult): string {
  const lines = [`Scan of ${r.image} (${r.imageId.slice(0, 12)})`, `  SBOM:       ${r.sbom.file} (${String(r.sbom.components)} components)`];
  if (r.trivy.ran && r.verdict && r.findings) {
    lines.push(`  Trivy:      ${r.trivy.version ?? ""}; ${countsLine(r.verdict)}`, "", textTable(r.findings, r.verdict), "", r.verdict.line);
  } else {
    lines.push(`  Trivy:      not run (${r.trivy.reason ?? ""})`);
  }
  if (r.freshness) {
    const sec = r.freshness.security;
    lines.push(`  Freshness:  ${String(r.freshness.updates.length)} pending update(s), ${String(sec.length)} from the security archive${sec.length ? ": a rebuild is due" : ""}`);
    for (const u of sec) lines.push(`              ${u.name} ${u.installed} -> ${u.candidate}`);
  }
  return lines.join("\n");
}
