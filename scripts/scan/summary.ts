/**
 * What people read: a terminal table grouped by package, and a markdown summary (the release report and
 * GitHub's job summary use it). Both say why the gate failed or passed.
 */
import type { Policy, Verdict } from "./policy.js";
import { severities, type Finding } from "./trivy-report.js";

function byPackage(findings: Finding[]): Array<[string, Finding[]]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.packageName} ${f.installedVersion}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups].sort(([a, fa], [b, fb]) => worst(fa) - worst(fb) || a.localeCompare(b));
}

function worst(findings: Finding[]): number {
  return Math.min(...findings.map((f) => severities.indexOf(f.severity)));
}

export function countsLine(verdict: Verdict): string {
  return severities.map((s) => `${s} ${String(verdict.counts[s])}`).join(", ");
}

export function verdictLine(verdict: Verdict, policy: Policy): string {
  if (verdict.passed) {
    return `gate passed: no ${policy.failOn.join(" or ")} vulnerability${policy.countUnfixed ? "" : " with a fix"} outside the ignore list`;
  }
  const ids = [...new Set(verdict.failing.map((f) => `${f.id} (${f.packageName})`))];
  return `gate FAILED: ${String(verdict.failing.length)} ${policy.failOn.join("/")} finding(s)${policy.countUnfixed ? "" : " with a fix"}: ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? `, and ${String(ids.length - 8)} more` : ""}`;
}

export function textTable(findings: Finding[], verdict: Verdict): string {
  if (findings.length === 0) return "No known vulnerabilities.";
  const failing = new Set(verdict.failing);
  const ignored = new Set(verdict.ignored.map((i) => i.finding));
  const lines: string[] = [];
  for (const [pkg, group] of byPackage(findings)) {
    lines.push(`${pkg}  (${String(group.length)})`);
    for (const f of group) {
      const mark = failing.has(f) ? "FAIL" : ignored.has(f) ? "ignored" : "";
      lines.push(`  ${f.severity.padEnd(8)} ${f.id.padEnd(20)} ${(f.fixedVersion || "no fix").padEnd(22)} ${mark.padEnd(7)} ${f.title.slice(0, 70)}`);
    }
  }
  return lines.join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");

export function markdownSummary(image: string, findings: Finding[], verdict: Verdict, policy: Policy, trivy: string): string {
  const out = [`### Scan of \`${image}\``, "", `**${verdict.passed ? "Passed" : "Failed"}**: ${cell(verdictLine(verdict, policy))}.`, "", `Trivy: ${trivy}. Findings by severity: ${countsLine(verdict)}.`, ""];
  if (verdict.expired.length > 0) {
    out.push("Expired ignore entries (they no longer ignore anything; renew them with a new date and reason, or remove them):", "");
    for (const e of verdict.expired) out.push(`- ${e.id}${e.package ? ` (${e.package})` : ""}, expired ${e.expires}: ${cell(e.reason)}`);
    out.push("");
  }
  if (findings.length > 0) {
    out.push("| Package | Installed | Vulnerability | Severity | Fixed in | Gate |", "|---|---|---|---|---|---|");
    const failing = new Set(verdict.failing);
    const ignored = new Set(verdict.ignored.map((i) => i.finding));
    for (const [, group] of byPackage(findings)) {
      for (const f of group) {
        const gate = failing.has(f) ? "fails" : ignored.has(f) ? "ignored" : "";
        out.push(`| ${cell(f.packageName)} | ${cell(f.installedVersion)} | ${f.url ? `[${cell(f.id)}](${f.url})` : cell(f.id)} | ${f.severity} | ${cell(f.fixedVersion || "no fix")} | ${gate} |`);
      }
    }
    out.push("");
  }
  return out.join("\n");
}
