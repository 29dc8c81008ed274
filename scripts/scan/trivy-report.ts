/**
 * Trivy's JSON report (`trivy image --format json`, SchemaVersion 2) turned into typed findings. Only
 * the fields the gate, the SARIF and the summaries use are read; anything else Trivy adds is ignored,
 * so newer Trivy versions keep working.
 */
import { z } from "zod";
import { UserError } from "../lib/problems.js";

export const severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] as const;
export type Severity = (typeof severities)[number];

const vulnerability = z.looseObject({
  VulnerabilityID: z.string(),
  PkgName: z.string(),
  PkgPath: z.string().optional(),
  PkgIdentifier: z.looseObject({ PURL: z.string().optional() }).optional(),
  InstalledVersion: z.string().default(""),
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity: z.string().default("UNKNOWN"),
  Title: z.string().optional(),
  Description: z.string().optional(),
  PrimaryURL: z.string().optional(),
});

const report = z.looseObject({
  SchemaVersion: z.number(),
  ArtifactName: z.string().default(""),
  ArtifactType: z.string().optional(),
  Metadata: z.looseObject({ ImageID: z.string().optional(), RepoDigests: z.array(z.string()).nullish() }).optional(),
  Results: z
    .array(z.looseObject({ Target: z.string(), Class: z.string().optional(), Type: z.string().optional(), Vulnerabilities: z.array(vulnerability).nullish() }))
    .nullish(),
});

export interface Finding {
  id: string;
  packageName: string;
  installedVersion: string;
  /** Empty when no fixed version exists yet. */
  fixedVersion: string;
  status: string;
  severity: Severity;
  title: string;
  url?: string;
  /** Where the package lives: the OS ("debian 12.8") or the file of a Java library. */
  target: string;
  packagePath?: string;
  purl?: string;
}

export interface TrivyReport {
  artifact: string;
  imageId?: string;
  findings: Finding[];
}

export function isFixable(f: Finding): boolean {
  return f.fixedVersion !== "";
}

export function normaliseSeverity(value: string): Severity {
  const upper = value.toUpperCase();
  return (severities as readonly string[]).includes(upper) ? (upper as Severity) : "UNKNOWN";
}

export function parseTrivyReport(json: string, source = "Trivy's report"): TrivyReport {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new UserError(`${source} is not JSON (${(e as Error).message}). Run the trivy command shown with --verbose by hand to see what it printed.`);
  }
  const parsed = report.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${source} does not look like Trivy's JSON output (${`${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim()}). Check that \`trivy\` on PATH is Trivy 0.20 or later.`);
  }
  if (parsed.data.SchemaVersion !== 2) throw new UserError(`${source} has SchemaVersion ${String(parsed.data.SchemaVersion)}; this version of citelibre reads SchemaVersion 2 (Trivy 0.20 and later)`);
  const findings: Finding[] = [];
  for (const result of parsed.data.Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      findings.push({
        id: v.VulnerabilityID,
        packageName: v.PkgName,
        installedVersion: v.InstalledVersion,
        fixedVersion: v.FixedVersion ?? "",
        // Debian reports leave Status out on fixed vulnerabilities.
        status: v.Status ?? (v.FixedVersion ? "fixed" : "affected"),
        severity: normaliseSeverity(v.Severity),
        title: v.Title ?? v.Description?.split("\n")[0] ?? v.VulnerabilityID,
        target: result.Target,
        ...(v.PrimaryURL ? { url: v.PrimaryURL } : {}),
        ...(v.PkgPath ? { packagePath: v.PkgPath } : {}),
        ...(v.PkgIdentifier?.PURL ? { purl: v.PkgIdentifier.PURL } : {}),
      });
    }
  }
  findings.sort((a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity) || a.packageName.localeCompare(b.packageName) || a.id.localeCompare(b.id));
  return { artifact: parsed.data.ArtifactName, ...(parsed.data.Metadata?.ImageID ? { imageId: parsed.data.Metadata.ImageID } : {}), findings };
}
