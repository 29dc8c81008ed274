/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per vulnerability id, one result per affected package,
 * levels from the severity (error for the severities that fail the gate), and the image and package as
 * the location. Code scanning wants a file location, so results point at the package's path inside the
 * image (or the image's Dockerfile-less name) and carry the package in their message and properties.
 */
import { withoutRemoteRegistry } from "../lib/image-ref.js";
import type { Verdict } from "./policy.js";
import type { Finding, Severity } from "./trivy-report.js";

// GitHub orders alerts by this property; CVSS-like numbers per Trivy severity.
const securitySeverity: Record<Severity, string> = { CRITICAL: "9.5", HIGH: "8.0", MEDIUM: "5.5", LOW: "2.0", UNKNOWN: "0.0" };

export interface SarifInput {
  image: string;
  findings: Finding[];
  verdict: Verdict;
  failOn: Severity[];
  trivyVersion: string;
}

function level(f: Finding, input: SarifInput): "error" | "warning" | "note" {
  if (input.verdict.failing.includes(f)) return "error";
  return input.failOn.includes(f.severity) ? "warning" : "note";
}

export function toSarif(input: SarifInput): object {
  const ruleIds = [...new Set(input.findings.map((f) => f.id))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const first = new Map<string, Finding>();
  for (const f of input.findings) if (!first.has(f.id)) first.set(f.id, f);
  const ignored = new Set(input.verdict.ignored.map((i) => i.finding));
  const location = (f: Finding) => (f.packagePath ?? `${input.image.replace(/[^A-Za-z0-9._/-]+/g, "_")}/${f.packageName}`).replace(/^\/+/, "");

  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        // One category per image: code scanning refuses several runs under one category.
        automationDetails: { id: `citelibre-images/${withoutRemoteRegistry(input.image).replace(/[^A-Za-z0-9._-]+/g, "-")}/` },
        tool: {
          driver: {
            name: "Trivy",
            ...(input.trivyVersion ? { version: input.trivyVersion } : {}),
            informationUri: "https://trivy.dev/",
            rules: ruleIds.map((id) => {
              const f = first.get(id);
              const sev = f?.severity ?? "UNKNOWN";
              return {
                id,
                name: "OsPackageVulnerability",
                shortDescription: { text: (f?.title ?? id).slice(0, 1000) },
                fullDescription: { text: (f?.title ?? id).slice(0, 1000) },
                ...(f?.url ? { helpUri: f.url } : {}),
                help: { text: `${id} (${sev}) in ${f?.packageName ?? "a package"}${f?.url ? `: ${f.url}` : ""}` },
                defaultConfiguration: { level: input.failOn.includes(sev) ? "error" : "warning" },
                properties: { tags: ["security", "vulnerability", sev], precision: "very-high", "security-severity": securitySeverity[sev] },
              };
            }),
          },
        },
        results: input.findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: ruleIndex.get(f.id) ?? 0,
          level: level(f, input),
          message: {
            text: `${f.packageName} ${f.installedVersion} in ${input.image} has ${f.id} (${f.severity}); ${f.fixedVersion ? `fixed in ${f.fixedVersion}` : `no fix yet (${f.status})`}.`,
          },
          locations: [{ physicalLocation: { artifactLocation: { uri: location(f) }, region: { startLine: 1 } }, message: { text: `${input.image}: ${f.target}` } }],
          ...(ignored.has(f) ? { suppressions: [{ kind: "external", justification: input.verdict.ignored.find((i) => i.finding === f)?.reason ?? "" }] } : {}),
          properties: { image: input.image, package: f.packageName, installedVersion: f.installedVersion, fixedVersion: f.fixedVersion, status: f.status, ...(f.purl ? { purl: f.purl } : {}) },
        })),
      },
    ],
  };
}
