import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPolicy, evaluate, loadPolicy, policySchema, type Policy } from "../../../scripts/scan/policy.js";
import { toSarif } from "../../../scripts/scan/sarif.js";
import { markdownSummary, textTable, verdictLine } from "../../../scripts/scan/summary.js";
import { parseTrivyReport, type TrivyReport } from "../../../scripts/scan/trivy-report.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { sarifErrors } from "../../helpers/sarif.js";

const fixtures = ["no-findings", "fixable-criticals", "unfixed-highs", "ignored-id", "expired-ignore", "many-cves"] as const;
const reports = new Map<string, TrivyReport>();
const today = "2026-11-26";
const policy = (over: Partial<Policy> = {}): Policy => policySchema.parse({ ...over });
let work: string;

beforeAll(async () => {
  for (const f of fixtures) reports.set(f, parseTrivyReport(await readFile(repoPath("test/fixtures/trivy", `${f}.json`), "utf8"), f));
  work = await mkdtemp(path.join(tmpdir(), "citelibre-policy-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
const report = (name: (typeof fixtures)[number]) => reports.get(name) ?? (() => { throw new Error(name); })();

describe("Trivy reports", () => {
  it("reads OS and Java findings, marks fixability, and orders them by severity", () => {
    const r = report("fixable-criticals");
    expect(r.artifact).toBe("citelibre/rendezvous:1.0.0");
    expect(r.findings.map((f) => [f.severity, f.id, f.packageName])).toEqual([
      ["CRITICAL", "CVE-2026-10001", "libssl3"],
      ["CRITICAL", "CVE-2026-10002", "openssl"],
      ["HIGH", "CVE-2026-20001", "org.mariadb.jdbc:mariadb-java-client"],
      ["LOW", "CVE-2026-10003", "libxml2"],
    ]);
    expect(r.findings[0]?.status).toBe("fixed");
    expect(r.findings[2]?.packagePath).toMatch(/WEB-INF\/lib\/mariadb-java-client\.jar$/);
    expect(report("no-findings").findings).toEqual([]);
  });

  it("refuses what is not a Trivy report, naming the problem", () => {
    expect(() => parseTrivyReport("{", "x.json")).toThrow(/x\.json is not JSON/);
    expect(() => parseTrivyReport('{"SchemaVersion":1,"Results":[]}', "x.json")).toThrow(/SchemaVersion 1/);
    expect(() => parseTrivyReport('{"Results":"nope"}', "x.json")).toThrow(/does not look like Trivy's JSON output/);
  });
});

describe("the gate", () => {
  it("passes an image with no findings", () => {
    const v = evaluate(report("no-findings").findings, defaultPolicy, today);
    expect(v.passed).toBe(true);
    expect(verdictLine(v, defaultPolicy)).toMatch(/^gate passed/);
  });

  it("fails on fixable criticals and highs, naming them", () => {
    const v = evaluate(report("fixable-criticals").findings, defaultPolicy, today);
    expect(v.passed).toBe(false);
    expect(v.failing.map((f) => f.id)).toEqual(["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-20001"]);
    expect(verdictLine(v, defaultPolicy)).toMatch(/gate FAILED: 3 CRITICAL\/HIGH finding\(s\) with a fix: CVE-2026-10001 \(libssl3\)/);
  });

  it("does not count unfixed vulnerabilities by default, and does when asked", () => {
    const findings = report("unfixed-highs").findings;
    const lenient = evaluate(findings, defaultPolicy, today);
    expect(lenient.passed).toBe(true);
    expect(lenient.unfixedNotCounted.map((f) => f.id).sort()).toEqual(["CVE-2026-11001", "CVE-2026-11002", "CVE-2026-11003"]);
    const strict = evaluate(findings, policy({ countUnfixed: true }), today);
    expect(strict.passed).toBe(false);
    expect(strict.failing).toHaveLength(3);
  });

  it("ignores an id with a reason until its date, also per package", () => {
    const ignore = [{ id: "CVE-2026-12001", reason: "expat is only used by the build tools, never at run time", expires: "2026-12-31" }];
    const v = evaluate(report("ignored-id").findings, policy({ ignore }), today);
    expect(v.passed).toBe(true);
    expect(v.ignored.map((i) => i.finding.id)).toEqual(["CVE-2026-12001"]);
    const otherPackage = evaluate(report("ignored-id").findings, policy({ ignore: [{ ...ignore[0]!, package: "libexpat-dev" }] }), today);
    expect(otherPackage.passed).toBe(false);
    expect(evaluate(report("ignored-id").findings, policy({ ignore: [{ ...ignore[0]!, expires: today }] }), today).passed).toBe(true);
  });

  it("stops ignoring after the expiry date and says so", () => {
    const ignore = [{ id: "CVE-2025-13001", reason: "waiting for the curl update in the next point release", expires: "2026-11-25" }];
    const v = evaluate(report("expired-ignore").findings, policy({ ignore }), today);
    expect(v.passed).toBe(false);
    expect(v.expired.map((e) => e.id)).toEqual(["CVE-2025-13001"]);
    expect(markdownSummary("img", report("expired-ignore").findings, v, policy({ ignore }), "0.74.0")).toContain("CVE-2025-13001, expired 2026-11-25");
  });

  it("groups a package with many CVEs in one block of the table and counts by severity", () => {
    const findings = report("many-cves").findings;
    const v = evaluate(findings, defaultPolicy, today);
    expect(v.counts).toEqual({ CRITICAL: 8, HIGH: 8, MEDIUM: 9, LOW: 8, UNKNOWN: 8 });
    const table = textTable(findings, v);
    expect(table.split("\n").filter((l) => !l.startsWith(" "))).toEqual(["mariadb-server-core 1:10.11.19-0+deb12u1  (40)", "tomcat10-common 10.1.60-1~deb12u1  (1)"]);
    expect(verdictLine(v, defaultPolicy)).toMatch(/and \d+ more$/);
  });
});

describe("scan policy files", () => {
  it("the shipped default policy loads and matches the documented defaults", async () => {
    expect(await loadPolicy(repoPath("config/scan-policy.yaml"))).toEqual(defaultPolicy);
  });

  it.each([
    ["failOn: [SEVERE]", /failOn\.0.*must be one of CRITICAL, HIGH/],
    ["ignore:\n  - id: CVE-2026-1\n    reason: because\n    expires: 2026-01-01", /ignore\.0\.reason.*at least 10 characters/],
    ["ignore:\n  - id: CVE-2026-1\n    reason: a long enough reason\n    expires: next week", /ignore\.0\.expires.*YYYY-MM-DD/],
    ["ignore:\n  - id: CVE-2026-1\n    reason: a long enough reason", /ignore\.0\.expires.*required but missing/],
    ["ignore:\n  - id: CVE-2026-1\n    reason: a long enough reason\n    expires: 2027-02-31", /ignore\.0\.expires.*not a real date/],
    ["countUnfixd: true", /countUnfixd.*not a known key[\s\S]*did you mean countUnfixed/],
    ["failOn: [HIGH", /policy\.yaml:\d+:\d+/],
  ])("%s is refused with the file, the field and the fix", async (text, message) => {
    const file = path.join(work, "policy.yaml");
    await writeFile(file, text);
    await expect(loadPolicy(file)).rejects.toThrow(message);
  });
});

describe("SARIF", () => {
  it.each(fixtures)("the %s report gives SARIF 2.1.0 that passes the schema", (name) => {
    const findings = report(name).findings;
    const sarif = toSarif({ image: "citelibre/rendezvous:1.0.0", findings, verdict: evaluate(findings, defaultPolicy, today), failOn: defaultPolicy.failOn, trivyVersion: "0.74.0" });
    expect(sarifErrors(sarif)).toEqual([]);
  });

  it("has a rule per vulnerability, a result per package, levels from the gate and suppressions for ignored ids", () => {
    const findings = report("fixable-criticals").findings;
    const ignore = [{ id: "CVE-2026-10002", reason: "the openssl binary is not used by the site", expires: "2027-01-01" }];
    const p = policy({ ignore });
    const sarif = toSarif({ image: "citelibre/rendezvous:1.0.0", findings, verdict: evaluate(findings, p, today), failOn: p.failOn, trivyVersion: "0.74.0" }) as {
      runs: Array<{ tool: { driver: { rules: Array<{ id: string; properties: Record<string, unknown> }> } }; results: Array<{ ruleId: string; level: string; suppressions?: unknown[]; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-10003", "CVE-2026-20001"]);
    expect(run.tool.driver.rules[0]?.properties["security-severity"]).toBe("9.5");
    expect((sarif.runs[0] as unknown as { automationDetails: { id: string } }).automationDetails.id).toBe("citelibre-images/citelibre-rendezvous-1.0.0/");
    expect(run.results.map((r) => [r.ruleId, r.level, r.suppressions ? "suppressed" : ""])).toEqual([
      ["CVE-2026-10001", "error", ""],
      ["CVE-2026-10002", "warning", "suppressed"],
      ["CVE-2026-20001", "error", ""],
      ["CVE-2026-10003", "note", ""],
    ]);
    expect(run.results[2]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("opt/citelibre/tomcat/webapps/rendezvous/WEB-INF/lib/mariadb-java-client.jar");
    expect(run.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("citelibre/rendezvous_1.0.0/libssl3");
  });
});

describe("markdown summary", () => {
  it("says the verdict first and escapes table cells", () => {
    const findings = report("fixable-criticals").findings.map((f) => ({ ...f, fixedVersion: f.fixedVersion ? `${f.fixedVersion}|x` : "" }));
    const md = markdownSummary("citelibre/rendezvous:1.0.0", findings, evaluate(findings, defaultPolicy, today), defaultPolicy, "0.74.0");
    expect(md.split("\n")[2]).toMatch(/^\*\*Failed\*\*: gate FAILED/);
    expect(md).toContain("| libssl3 | 3.0.17-1~deb12u2 | [CVE-2026-10001](https://avd.aquasec.com/nvd/cve-2026-10001) | CRITICAL | 3.0.17-1~deb12u3\\|x | fails |");
  });
});
