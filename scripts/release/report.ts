/**
 * The release report, as JSON (for machines and the next nightly) and markdown (for people: the job
 * summary on GitHub, a file elsewhere). One row per image of the matrix.
 */
import type { Severity } from "../scan/trivy-report.js";

export type EntryStatus = "published" | "built" | "skipped" | "failed" | "planned";

export interface ReleaseEntry {
  bundle: string;
  theme: string;
  image: string;
  tags: string[];
  status: EntryStatus;
  /** Why it was skipped, or what failed. */
  reason?: string;
  digest?: string;
  imageId?: string;
  sizeBytes?: number;
  buildMs?: number;
  scan?: { verdict: "passed" | "failed" | "not-scanned"; counts?: Record<Severity, number>; sbom: string; sarif?: string };
  publish?: { pushed: string[]; alreadyPublished: string[]; failed: string[] };
  signature?: "signed" | "unsigned";
  /** Platforms joined under each tag, when more than this host's. */
  platforms?: string[];
  /** SBOMs of the other platforms' images. */
  platformSboms?: string[];
}

export interface ReleaseReport {
  mode: "release" | "nightly" | "branch" | "pull-request" | "local";
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  registries: string[];
  decision?: { rebuild: boolean; reasons: string[] };
  entries: ReleaseEntry[];
  ok: boolean;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
const mb = (bytes: number | undefined) => (bytes === undefined ? "" : `${(bytes / 1e6).toFixed(0)} MB`);
const sec = (ms: number | undefined) => (ms === undefined ? "" : `${(ms / 1000).toFixed(1)} s`);

function scanCell(e: ReleaseEntry): string {
  if (!e.scan) return "";
  if (e.scan.verdict === "not-scanned") return "SBOM only (no Trivy)";
  const c = e.scan.counts;
  const counts = c ? ` C${String(c.CRITICAL)} H${String(c.HIGH)} M${String(c.MEDIUM)} L${String(c.LOW)}` : "";
  return `${e.scan.verdict}${counts}`;
}

function publishCell(e: ReleaseEntry): string {
  if (!e.publish) return "";
  const p = e.publish;
  return [p.pushed.length ? `${String(p.pushed.length)} pushed` : "", p.alreadyPublished.length ? `${String(p.alreadyPublished.length)} already there` : "", p.failed.length ? `**${String(p.failed.length)} failed**` : ""].filter(Boolean).join(", ") || "none";
}

export function reportMarkdown(r: ReleaseReport): string {
  const failed = r.entries.filter((e) => e.status === "failed");
  const head = r.dryRun
    ? `## Release plan (dry run, ${r.mode}): nothing was built or pushed`
    : `## Release (${r.mode}): ${r.ok ? "succeeded" : `FAILED for ${String(failed.length)} of ${String(r.entries.length)} image(s)`}`;
  const out = [head, "", `Registries: ${r.registries.length ? r.registries.map((x) => `\`${x}\``).join(", ") : "none (build and scan only)"}. ${r.startedAt} to ${r.finishedAt}.`, ""];
  if (r.decision) out.push(`Rebuild: ${r.decision.rebuild ? "yes" : "no"}: ${r.decision.reasons.length ? r.decision.reasons.map(cell).join("; ") : "nothing changed since the last nightly"}.`, "");
  out.push("| Bundle | Theme | Status | Tags | Digest | Size | Build | Scan | Publish | Signature |", "|---|---|---|---|---|---|---|---|---|---|");
  for (const e of r.entries) {
    out.push(`| ${cell(e.bundle)} | ${cell(e.theme)}${e.platforms ? ` (${e.platforms.join(", ")})` : ""} | ${e.status}${e.reason ? `: ${cell(e.reason)}` : ""} | ${e.tags.map((t) => `\`${t}\``).join(" ")} | ${e.digest ? `\`${e.digest.slice(0, 19)}\`` : ""} | ${mb(e.sizeBytes)} | ${sec(e.buildMs)} | ${cell(scanCell(e))} | ${publishCell(e)} | ${e.signature ?? ""} |`);
  }
  const lost = r.entries.flatMap((e) => e.publish?.failed ?? []);
  if (lost.length) out.push("", `Not published: ${lost.map((x) => `\`${x}\``).join(", ")}. Re-run the release: published tags are skipped.`);
  return `${out.join("\n")}\n`;
}
