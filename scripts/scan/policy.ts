/**
 * The scan policy (config/scan-policy.yaml by default, --policy to choose another): which severities
 * fail the gate, whether unfixed vulnerabilities count, and ignore entries that each carry a reason and
 * an expiry date. Loading validates like bundle.yaml does; evaluation is pure and takes today's date.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { isFixable, severities, type Finding, type Severity } from "./trivy-report.js";
import { parseYamlText } from "../lib/json-source.js";
import { problemsText, UserError } from "../lib/problems.js";
import { validateDocument } from "../lib/validate.js";

const isoDate = z.string({ error: "must be a date written YYYY-MM-DD" }).regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date written YYYY-MM-DD" })
  .refine((d) => { const t = Date.parse(`${d}T00:00:00Z`); return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d); }, { error: "is not a real date" });

export const policySchema = z.strictObject({
  failOn: z.array(z.enum(severities, { error: `must be one of ${severities.join(", ")}` })).default(["CRITICAL", "HIGH"]),
  countUnfixed: z.boolean({ error: "must be true or false" }).default(false),
  ignore: z
    .array(z.strictObject({
      id: z.string({ error: "must be a vulnerability id such as CVE-2024-1234" }).regex(/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]+$/, { error: "must be a vulnerability id such as CVE-2024-1234 or GHSA-xxxx-xxxx-xxxx" }),
      package: z.string().min(1).optional(),
      reason: z.string({ error: "must say why it is ignored" }).min(10, { error: "must say why it is ignored (at least 10 characters)" }),
      expires: isoDate,
    }))
    .default([]),
});

export type Policy = z.infer<typeof policySchema>;
export const defaultPolicy: Policy = policySchema.parse({});

export async function loadPolicy(file: string): Promise<Policy> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new UserError(`the scan policy ${file} cannot be read. Give an existing file to --policy, or leave it out to use config/scan-policy.yaml.`);
  });
  const parsed = parseYamlText(text);
  if (!parsed.ok) throw new UserError(`${file}${parsed.position ? `:${String(parsed.position.line)}:${String(parsed.position.column)}` : ""}: ${parsed.message}`);
  const { value, problems } = validateDocument(policySchema, parsed.value, path.basename(file), parsed.locate, "docs/scanning.md");
  if (!value) throw new UserError(`the scan policy is not valid:\n${problemsText(path.dirname(file), problems)}`);
  return value;
}

export interface Verdict {
  passed: boolean;
  /** Findings that fail the gate. */
  failing: Finding[];
  ignored: Array<{ finding: Finding; reason: string; expires: string }>;
  /** Ignore entries past their date: they no longer ignore anything. */
  expired: Policy["ignore"];
  /** Findings of a failing severity left out because no fix exists (when countUnfixed is false). */
  unfixedNotCounted: Finding[];
  counts: Record<Severity, number>;
}

/** `today` is YYYY-MM-DD (UTC); an entry expiring today still applies. */
export function evaluate(findings: Finding[], policy: Policy, today: string): Verdict {
  const active = policy.ignore.filter((e) => e.expires >= today);
  const expired = policy.ignore.filter((e) => e.expires < today);
  const counts = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  const verdict: Verdict = { passed: true, failing: [], ignored: [], expired, unfixedNotCounted: [], counts };
  for (const f of findings) {
    counts[f.severity]++;
    const entry = active.find((e) => e.id.toUpperCase() === f.id.toUpperCase() && (e.package === undefined || e.package === f.packageName));
    if (entry) {
      verdict.ignored.push({ finding: f, reason: entry.reason, expires: entry.expires });
      continue;
    }
    if (!policy.failOn.includes(f.severity)) continue;
    if (!isFixable(f) && !policy.countUnfixed) {
      verdict.unfixedNotCounted.push(f);
      continue;
    }
    verdict.failing.push(f);
  }
  verdict.passed = verdict.failing.length === 0;
  return verdict;
}
