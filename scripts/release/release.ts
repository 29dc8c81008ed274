/**
 * `citelibre release`: the whole matrix. The base image once, then for every bundle x theme: build ->
 * scan -> publish. An entry that fails does not stop the others; the release fails at the end if any
 * did. Nightly mode rebuilds only what changed (changes.ts). Writes the report as JSON and markdown, and
 * in GitHub Actions also the job summary, step outputs and error annotations.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as core from "@actions/core";
import { listBundles, loadBundle, resolveBundleDir } from "../bundle/manifest.js";
import type { Engine } from "../engine/engine.js";
import { baseImageTag, buildBaseImage } from "../image/base.js";
import { gitRevision } from "../lib/git.js";
import { buildBundleImage } from "../image/build-bundle.js";
import { nativePlatform } from "../image/platform.js";
import { sha256, sha256File } from "../lib/hash.js";
import { isLoopback } from "../lib/http.js";
import { registryHost, splitImageRef } from "../lib/image-ref.js";
import type { Reporter } from "../lib/log.js";
import { UsageError, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { writeTreeAtomically } from "../lib/tree.js";
import type { Signing } from "../publish/plan.js";
import { publishImage } from "../publish/publish.js";
import { remoteImageConfig } from "../publish/registry.js";
import { simulatedUpgrade } from "../scan/extract.js";
import { parseSimulatedUpgrade } from "../scan/freshness.js";
import { scanImage } from "../scan/scan.js";
import { trivyOnPath } from "../scan/trivy.js";
import { themeNameOf } from "../theme/identity.js";
import { decideRebuild, inputsDigestOf } from "./changes.js";
import { checkReleaseFlags, dryRunLines, planRelease, type PlannedEntry, type ReleaseBundle, type ReleasePlan, type ReleaseTheme } from "./plan.js";
import { reportMarkdown, type ReleaseEntry, type ReleaseReport } from "./report.js";

export interface ReleaseOptions {
  nightly: boolean;
  bundles?: string[];
  themes?: string[];
  registries: string[];
  dryRun: boolean;
  signing: Signing;
  siteWar?: string;
  standInIfUnreachable: boolean;
  requireTrivy: boolean;
  maxAgeDays: number;
  reportDir: string;
  /** Build and publish these platforms, one manifest list per tag (default: this host's only). */
  platforms?: string[];
  now?: Date;
  tool: { name: string; version: string };
  /** The environment the command was run in: GitHub's variables say which build event this is. */
  env: NodeJS.ProcessEnv;
}

const inputsLabel = "fr.citelibre.inputs.digest";

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Digest of what an image is made from: the pipeline's own files, the bundle folder and the theme folder. */
async function inputsDigest(bundleDir: string, themeDir: string): Promise<string> {
  const roots = [repoPath("scripts"), repoPath("images"), repoPath("Dockerfile.base"), repoPath("package-lock.json"), bundleDir, themeDir];
  const files: Array<{ path: string; sha256: string }> = [];
  for (const root of roots) {
    const list = root.endsWith(".base") || root.endsWith(".json") ? [root] : await filesUnder(root);
    for (const f of list) files.push({ path: path.relative(repoPath(), f), sha256: await sha256File(f) });
  }
  return inputsDigestOf(files, sha256);
}

async function selectThemes(requested: string[] | undefined): Promise<ReleaseTheme[]> {
  const known = (await readdir(repoPath("themes"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const t of requested ?? []) if (!known.includes(t)) throw new UsageError(`--themes: there is no theme "${t}" in themes/ (known: ${known.join(", ")})`);
  const selected: ReleaseTheme[] = [];
  for (const folder of requested ?? known) {
    const dir = repoPath("themes", folder);
    if (!existsSync(path.join(dir, "theme.yaml"))) throw new UserError(`${dir} has no theme.yaml: give theme names from themes/ to --themes`);
    // A theme.yaml without a valid name fails its own entries at build time, with the theme's own problems.
    selected.push({ name: (await themeNameOf(dir)) ?? folder, dir });
  }
  return selected;
}

async function selectBundles(requested: string[] | undefined): Promise<ReleaseBundle[]> {
  const known = await listBundles();
  for (const b of requested ?? []) if (!known.includes(b)) throw new UsageError(`--bundles: there is no bundle "${b}" (known: ${known.join(", ")})`);
  const selected: ReleaseBundle[] = [];
  for (const name of requested ?? known) {
    const dir = await resolveBundleDir(name);
    const { bundle, problems } = await loadBundle(dir);
    if (!bundle) throw new UserError(`bundle ${name} is not valid: ${problems.items[0]?.message ?? ""} (run \`citelibre bundle check ${name}\`)`);
    const m = bundle.manifest;
    selected.push({ name, dir, version: m.version, defaultTheme: m.defaultTheme, servlet: m.servletContainer });
  }
  return selected;
}

/** Reads what the plan needs (manifests, theme names, the revision) once; the flags are checked first. */
async function planFromOptions(options: ReleaseOptions, now: Date): Promise<ReleasePlan> {
  const flags = { registries: options.registries, platforms: options.platforms ?? [nativePlatform()] };
  checkReleaseFlags(flags);
  const [bundles, themes, revision] = await Promise.all([selectBundles(options.bundles), selectThemes(options.themes), gitRevision()]);
  return planRelease({ ...flags, bundles, themes, env: options.env, nightly: options.nightly, now, ...(revision ? { revision } : {}) });
}

export async function runRelease(engine: Engine, reporter: Reporter, options: ReleaseOptions): Promise<ReleaseReport> {
  // One clock: the start in the report, the date in nightly tags and the age of the last nightly agree.
  const now = options.now ?? new Date();
  const startedAt = now.toISOString();
  const plan = await planFromOptions(options, now);
  const entries = plan.entries.map((p) => p.entry);
  const report = (extra: Partial<ReleaseReport>): ReleaseReport => ({
    mode: plan.mode, dryRun: options.dryRun, startedAt, finishedAt: new Date().toISOString(), registries: options.registries, entries, ok: true, ...extra,
  });
  if (options.dryRun) {
    for (const line of dryRunLines(plan)) reporter.result(line);
    return report({});
  }
  await checkReportDir(options.reportDir);
  const run: ReleaseRun = { engine, reporter, options, plan, now, securityUpdates: [], decisionReasons: [] };
  await buildBases(run);
  for (const [i, planned] of plan.entries.entries()) {
    reporter.step(`[${String(i + 1)}/${String(plan.entries.length)}] ${planned.entry.bundle} x ${planned.entry.theme}`);
    await releaseEntry(run, planned).catch((e: unknown) => {
      planned.entry.status = "failed";
      planned.entry.reason = (e as Error).message.split("\n")[0] ?? String(e);
      reporter.warn(`${planned.entry.bundle} x ${planned.entry.theme} failed: ${planned.entry.reason}`);
    });
  }
  const final = report({
    ok: entries.every((e) => e.status !== "failed"),
    ...(plan.mode === "nightly" ? { decision: { rebuild: entries.some((e) => e.status !== "skipped"), reasons: run.decisionReasons } } : {}),
  });
  await writeReport(final, options.reportDir, options.env);
  return final;
}

/** The state of one release as it runs: what the nightly learnt about the base, and why it rebuilt. */
interface ReleaseRun {
  engine: Engine;
  reporter: Reporter;
  options: ReleaseOptions;
  plan: ReleasePlan;
  now: Date;
  securityUpdates: string[];
  decisionReasons: string[];
}

/** The bases once. A nightly rebuilds them from scratch when Debian has security updates for them. */
async function buildBases(run: ReleaseRun): Promise<void> {
  const { engine, reporter, plan } = run;
  if (plan.mode === "nightly") {
    for (const { servlet, sample } of plan.bases) {
      // What the published images run on: the local base where one exists (a long-lived builder), else
      // the last nightly itself, pulled (a fresh CI runner has no local images).
      let ref: string | undefined = `localhost/${baseImageTag(servlet)}`;
      if (!(await engine.imageId(ref))) ref = await pullLastNightly(engine, reporter, sample.lastNightly);
      if (!ref) continue;
      reporter.step(`checking Debian for security updates of ${ref}`);
      const fresh = parseSimulatedUpgrade(await simulatedUpgrade(engine, ref).catch((e: unknown) => {
        reporter.warn(`the freshness check failed (${(e as Error).message.split("\n")[0] ?? ""}); the base is rebuilt to be safe`);
        return "Inst freshness-check-failed [0] (1 Debian-Security:unknown)";
      }), run.now.toISOString());
      run.securityUpdates.push(...fresh.security.map((u) => u.name));
    }
  }
  for (const { servlet } of plan.bases) {
    for (const platform of plan.platforms) {
      reporter.step(`base image (${servlet}, ${platform})`);
      await buildBaseImage(engine, reporter, { bootstrap: true, servlet, platform, env: run.options.env, ...(run.securityUpdates.length ? { noCache: true } : {}) });
    }
  }
}

/** Nightly: whether the entry changed since its published nightly; records why when it did. */
async function needsRebuild(run: ReleaseRun, planned: PlannedEntry, digest: string): Promise<boolean> {
  const ref = planned.lastNightly;
  if (ref === undefined) return true;
  const last = await remoteImageConfig(ref).catch(() => undefined);
  const decision = decideRebuild({
    ...(last ? { last: { reference: ref, created: last.labels["org.opencontainers.image.created"] ?? last.created ?? "", ...(last.labels[inputsLabel] ? { inputsDigest: last.labels[inputsLabel] } : {}) } } : {}),
    inputsDigest: digest, securityUpdates: run.securityUpdates, maxAgeDays: run.options.maxAgeDays, now: run.now,
  });
  run.decisionReasons = [...new Set([...run.decisionReasons, ...decision.reasons])];
  if (!decision.rebuild) {
    planned.entry.status = "skipped";
    planned.entry.reason = `nothing changed since ${ref}`;
    run.reporter.result(`${planned.entry.bundle} x ${planned.entry.theme}: ${planned.entry.reason}`);
  }
  return decision.rebuild;
}

/** Build, scan and publish one entry of the matrix, recording each outcome in its report entry. */
async function releaseEntry(run: ReleaseRun, planned: PlannedEntry): Promise<void> {
  const { entry } = planned;
  const digest = await inputsDigest(planned.bundleDir, planned.themeDir);
  if (!(await needsRebuild(run, planned, digest))) return;
  const started = performance.now();
  const build = (platform?: string) => buildBundleImage(run.engine, run.reporter, entry.bundle, {
    theme: planned.themeDir, mavenRepo: [], offline: false, standInIfUnreachable: run.options.standInIfUnreachable, namespace: "citelibre", cache: true,
    event: planned.event, extraLabels: { [inputsLabel]: digest }, env: run.options.env, ...(platform ? { platform } : {}), ...(run.options.siteWar ? { siteWar: run.options.siteWar } : {}),
  });
  const { result } = await build();
  Object.assign(entry, { image: result.image, tags: result.tags.map((t) => splitImageRef(t).tag ?? "latest"), imageId: result.id, sizeBytes: result.sizeBytes, buildMs: Math.round(performance.now() - started), status: "built" as const });
  // Other platforms' images of the same entry: built the same way, named after their platform.
  for (const platform of run.plan.foreignPlatforms) {
    run.reporter.step(`${entry.bundle} x ${entry.theme} for ${platform} (emulated)`);
    const other = await build(platform);
    const otherSbom = path.join(run.options.reportDir, "sbom", `${entry.bundle}-${entry.theme}-${platform.replace("/", "-")}.cdx.json`);
    await scanImage(run.engine, run.reporter, other.result.image, { sbomFile: otherSbom, requireTrivy: false, trivyTarget: "image", freshness: false, tool: run.options.tool, ...trivyCache(run) });
    entry.platformSboms = [...(entry.platformSboms ?? []), path.relative(run.options.reportDir, otherSbom)];
  }
  if (run.plan.foreignPlatforms.length > 0) entry.platforms = run.plan.platforms;
  if (!(await scanEntry(run, entry, result.image))) return;
  if (run.options.registries.length > 0) await publishEntry(run, entry, result.image, result.tags);
}

const trivyCache = (run: ReleaseRun) => (run.options.env.TRIVY_CACHE_DIR !== undefined ? { trivyCacheDir: run.options.env.TRIVY_CACHE_DIR } : {});

/** The scan gate of an entry's image; false (and the entry failed) when it does not pass. */
async function scanEntry(run: ReleaseRun, entry: ReleaseEntry, image: string): Promise<boolean> {
  const { reportDir } = run.options;
  const sbom = path.join(reportDir, "sbom", `${entry.bundle}-${entry.theme}.cdx.json`);
  const sarif = path.join(reportDir, "sarif", `${entry.bundle}-${entry.theme}.sarif`);
  const scan = await scanImage(run.engine, run.reporter, image, { sbomFile: sbom, ...(trivyOnPath() ? { sarifFile: sarif } : {}), requireTrivy: run.options.requireTrivy, trivyTarget: "image", freshness: false, tool: run.options.tool, ...trivyCache(run) });
  entry.scan = {
    verdict: scan.trivy.ran ? (scan.passed ? "passed" : "failed") : "not-scanned", sbom: path.relative(reportDir, sbom),
    ...(scan.trivy.ran ? { sarif: path.relative(reportDir, sarif) } : {}), ...(scan.verdict ? { counts: scan.verdict.counts } : {}),
  };
  if (!scan.passed) {
    entry.status = "failed";
    entry.reason = scan.verdict?.line ?? "the scan gate failed";
  }
  return scan.passed;
}

async function publishEntry(run: ReleaseRun, entry: ReleaseEntry, image: string, tags: string[]): Promise<void> {
  const { options } = run;
  const published = await publishImage(run.engine, run.reporter, image, { registries: options.registries, signing: options.signing, tags, env: options.env, ...(run.plan.foreignPlatforms.length > 0 ? { platforms: run.plan.platforms } : {}) });
  entry.publish = {
    pushed: published.outcomes.filter((o) => o.status === "pushed").map((o) => o.reference),
    alreadyPublished: published.outcomes.filter((o) => o.status === "already-published").map((o) => o.reference),
    failed: published.outcomes.filter((o) => o.status === "failed").map((o) => o.reference),
  };
  const firstDigest = published.outcomes.find((o) => o.digest)?.digest;
  if (firstDigest) entry.digest = firstDigest;
  entry.signature = options.signing.kind !== "none" && published.outcomes.every((o) => o.signed) ? "signed" : "unsigned";
  entry.status = published.ok ? "published" : "failed";
  if (!published.ok) entry.reason = `${String(entry.publish.failed.length)} tag(s) not published: ${published.outcomes.find((o) => o.status === "failed")?.error ?? ""}`;
}

/** The report folder is replaced as a whole: refuse one that holds anything but an earlier report. */
async function checkReportDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries && entries.length > 0 && !entries.includes("report.json")) {
    throw new UserError(`--report-dir ${dir} already holds files that are not a release report; the report replaces the whole folder, so give an empty or new folder (default dist/release)`);
  }
}

/** The published nightly of an entry, pulled so its packages can be checked; undefined when there is none. */
async function pullLastNightly(engine: Engine, reporter: Reporter, reference: string | undefined): Promise<string | undefined> {
  if (reference === undefined || !(await remoteImageConfig(reference).catch(() => undefined))) return undefined;
  reporter.step(`pulling ${reference} to check its packages against Debian`);
  await engine.pull(reference, { tlsVerify: !isLoopback(registryHost(splitImageRef(reference))) });
  return reference;
}

/** The report files, and in GitHub Actions (as `env` says) the job summary, step outputs and annotations. */
async function writeReport(report: ReleaseReport, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const markdown = reportMarkdown(report);
  const tree = new Map<string, Buffer>([["report.json", Buffer.from(`${JSON.stringify(report, null, 2)}\n`)], ["report.md", Buffer.from(markdown)]]);
  // The folder is replaced as a whole: carry over this release's SBOMs and SARIF files, drop older ones.
  for (const e of report.entries) {
    for (const file of [e.scan?.sbom, e.scan?.sarif, ...(e.platformSboms ?? [])]) if (file) tree.set(file, await readFile(path.join(dir, file)));
  }
  await writeTreeAtomically(dir, tree);
  if (env.GITHUB_ACTIONS === "true") {
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    core.setOutput("report-json", path.join(dir, "report.json"));
    core.setOutput("report-markdown", path.join(dir, "report.md"));
    core.setOutput("ok", String(report.ok));
    for (const e of report.entries.filter((x) => x.status === "failed")) core.error(`${e.bundle} x ${e.theme}: ${e.reason ?? "failed"}`, { title: `release: ${e.image}` });
  }
}
