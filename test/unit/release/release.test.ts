import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { computeTags, eventFromEnvironment } from "../../../scripts/image/tags.js";
import { decideRebuild, inputsDigestOf } from "../../../scripts/release/changes.js";
import { reportMarkdown, type ReleaseReport } from "../../../scripts/release/report.js";
import { sha256 } from "../../../scripts/lib/hash.js";
import { repoPath } from "../../../scripts/lib/repo.js";

const now = new Date("2026-11-26T02:17:00Z");
const tagsFor = (env: NodeJS.ProcessEnv, theme = "citelibre", nightly = false) =>
  computeTags({ event: eventFromEnvironment(env, { nightly, now, version: "1.0.0" }), theme, defaultTheme: "citelibre", sha: "61497d2aa" });

describe("tags per GitHub event", () => {
  it.each([
    ["schedule", { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "schedule", GITHUB_REF: "refs/heads/main" }, ["nightly", "nightly-20261126"]],
    ["a v* tag", { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/tags/v1.2.3" }, ["1.2.3", "1.2", "1", "latest", "sha-61497d2"]],
    ["a pre-release tag", { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/tags/v1.3.0-rc.1" }, ["1.3.0-rc.1", "sha-61497d2"]],
    ["a pull request", { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/pull/42/merge" }, ["pr-42", "sha-61497d2"]],
    ["a branch push", { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/heads/feature/New-Theme" }, ["feature-new-theme", "sha-61497d2"]],
    ["a workstation", {}, ["1.0.0", "latest", "sha-61497d2"]],
  ])("%s", (_name, env, tags) => {
    expect(tagsFor(env)).toEqual(tags);
  });
  it("refuses a pushed tag that is not vX.Y.Z instead of publishing it as latest", () => {
    expect(() => tagsFor({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/tags/v1.2" })).toThrow(/v1\.2 is not a release tag/);
    // SemVer as written: no leading zeros, no build metadata (a tag cannot carry "+"), no prefix but "v".
    for (const tag of ["v01.2.3", "v1.2.3+build.5", "1.2.3", "release-1.2.3"]) {
      expect(() => tagsFor({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: `refs/tags/${tag}` })).toThrow(`${tag} is not a release tag`);
    }
  });
  it("--nightly wins over the event, and other themes get a suffix and never latest", () => {
    expect(tagsFor({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: "refs/heads/main" }, "exampleville", true)).toEqual(["nightly-exampleville", "nightly-20261126-exampleville"]);
    expect(tagsFor({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/tags/v2.0.0" }, "exampleville")).toEqual(["2.0.0-exampleville", "2.0-exampleville", "2-exampleville", "sha-61497d2-exampleville"]);
  });
});

describe("nightly change detection", () => {
  const last = { reference: "ghcr.io/c/rendezvous:nightly", created: "2026-11-25T02:20:00Z", inputsDigest: "d1" };
  const facts = { last, inputsDigest: "d1", securityUpdates: [], maxAgeDays: 7, now };
  it("skips when nothing changed", () => {
    expect(decideRebuild(facts)).toEqual({ rebuild: false, reasons: [] });
  });
  it.each([
    ["Debian security updates", { securityUpdates: ["libssl3", "openssl"] }, /security updates for 2 package\(s\) of the base \(libssl3, openssl\)/],
    ["changed inputs", { inputsDigest: "d2" }, /changed since ghcr\.io\/c\/rendezvous:nightly/],
    ["an old nightly", { last: { ...last, created: "2026-11-10T00:00:00Z" } }, /16\.\d days old \(more than 7\)/],
    ["no nightly yet", { last: undefined }, /no nightly has been published yet/],
    ["an unreadable date", { last: { ...last, created: "" } }, /no readable creation date/],
  ])("rebuilds on %s, saying why", (_name, change, reason) => {
    const d = decideRebuild({ ...facts, ...change });
    expect(d.rebuild).toBe(true);
    expect(d.reasons.join("; ")).toMatch(reason);
  });
  it("digests inputs independently of the order files were found in", () => {
    const files = [{ path: "b", sha256: "2" }, { path: "a", sha256: "1" }];
    expect(inputsDigestOf(files, sha256)).toBe(inputsDigestOf([...files].reverse(), sha256));
    expect(inputsDigestOf(files, sha256)).not.toBe(inputsDigestOf([{ path: "a", sha256: "1" }], sha256));
  });
});

describe("the release report", () => {
  const report: ReleaseReport = {
    mode: "nightly", dryRun: false, startedAt: "2026-11-26T02:17:00Z", finishedAt: "2026-11-26T02:31:00Z", registries: ["ghcr.io/citelibre"], ok: false,
    decision: { rebuild: true, reasons: ["Debian has security updates for 1 package(s) of the base (libssl3)"] },
    entries: [
      { bundle: "rendezvous", theme: "citelibre", image: "citelibre/rendezvous:nightly", tags: ["nightly", "nightly-20261126"], status: "published", digest: `sha256:${"a".repeat(64)}`, sizeBytes: 489_000_000, buildMs: 5100, scan: { verdict: "passed", sbom: "sbom/rendezvous-citelibre.cdx.json", counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 3, LOW: 7, UNKNOWN: 0 } }, publish: { pushed: ["ghcr.io/citelibre/rendezvous:nightly"], alreadyPublished: ["ghcr.io/citelibre/rendezvous:nightly-20261126"], failed: [] }, signature: "signed" },
      { bundle: "participez", theme: "exampleville", image: "citelibre/participez:nightly-exampleville", tags: ["nightly-exampleville"], status: "failed", reason: "gate FAILED: 1 CRITICAL/HIGH finding(s) with a fix: CVE-2026-1 (libx|y)", scan: { verdict: "failed", sbom: "sbom/p.cdx.json" } },
      { bundle: "identez", theme: "citelibre", image: "citelibre/identez:nightly", tags: ["nightly"], status: "failed", reason: "1 tag(s) not published", publish: { pushed: [], alreadyPublished: [], failed: ["ghcr.io/citelibre/identez:nightly"] } },
    ],
  };
  it("renders a readable table: verdict first, one row per image, what was not published at the end", () => {
    const md = reportMarkdown(report).split("\n");
    expect(md[0]).toBe("## Release (nightly): FAILED for 2 of 3 image(s)");
    expect(md).toContain("| Bundle | Theme | Status | Tags | Digest | Size | Build | Scan | Publish | Signature |");
    expect(md).toContain("| rendezvous | citelibre | published | `nightly` `nightly-20261126` | `sha256:aaaaaaaaaaaa` | 489 MB | 5.1 s | passed C0 H0 M3 L7 | 1 pushed, 1 already there | signed |");
    expect(md.find((l) => l.startsWith("| participez"))).toContain("(libx\\|y)");
    expect(md.at(-2)).toBe("Not published: `ghcr.io/citelibre/identez:nightly`. Re-run the release: published tags are skipped.");
  });
});

describe("GitHub workflows", () => {
  const files = ["ci.yml", "nightly.yml", "release.yml"];
  it.each(files)("%s parses, pins every action by commit SHA, and grants least privilege", async (file) => {
    const text = await readFile(repoPath(".github/workflows", file), "utf8");
    const doc = YAML.parse(text) as { on: unknown; permissions?: Record<string, string>; concurrency?: unknown; jobs: Record<string, { permissions?: Record<string, string>; steps: Array<{ uses?: string; run?: string }> }> };
    expect(doc.permissions).toEqual({ contents: "read" });
    expect(doc.concurrency).toBeDefined();
    for (const line of text.split("\n").filter((l) => /^\s*-?\s*uses:/.test(l))) {
      expect(line, `${file}: ${line.trim()}`).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    for (const job of Object.values(doc.jobs)) {
      for (const step of job.steps) {
        // Steps stay thin (npm scripts and repo scripts), and never interpolate expressions into shell.
        if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
      }
    }
  });
  it("nightly runs on a schedule and by hand, never two at once, and can sign and upload SARIF", async () => {
    const doc = YAML.parse(await readFile(repoPath(".github/workflows/nightly.yml"), "utf8")) as { on: { schedule: unknown[]; workflow_dispatch: unknown }; concurrency: { group: string; "cancel-in-progress": boolean }; jobs: { release: { permissions: Record<string, string> } } };
    expect(doc.on.schedule).toHaveLength(1);
    expect("workflow_dispatch" in doc.on).toBe(true);
    expect(doc.concurrency).toEqual({ group: "nightly", "cancel-in-progress": false });
    expect(doc.jobs.release.permissions).toEqual({ contents: "read", packages: "write", "id-token": "write", "security-events": "write" });
  });
});
