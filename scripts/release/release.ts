/**
 * `citelibre release`: the whole matrix. The base image once, then for every bundle x theme: build ->
 * scan -> publish. An entry that fails does not stop the others; the release fails at the end if any
 * did. Nightly mode rebuilds only what changed (changes.ts). Writes the report as JSON and markdown, and
 * in GitHub Actions also the job summary, step outputs and error annotations.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as core from "@actions/core";
import YAML from "yaml";
import { listBundles, loadBundle, resolveBundleDir } from "../bundle/manifest.js";
import { baseImageTag, buildBaseImage, gitRevision } from "../image/base.js";
import { buildBundleImage } from "../image/build-bundle.js";
import { isNative, nativePlatform } from "../image/platform.js";
import type { Engine } from "../engine/engine.js";
import { computeTags, imageName, rollingNightlyTag, type BuildEvent } from "../image/tags.js";
import { sha256, sha256File } from "../lib/hash.js";
import type { Reporter } from "../lib/log.js";
import { UsageError, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { writeTreeAtomically } from "../lib/tree.js";
import { destinations, parseRegistry, type Signing } from "../publish/plan.js";
import { isLoopback } from "../lib/http.js";
import { publishImage } from "../publish/publish.js";
import { remoteImageConfig } from "../publish/registry.js";
import { simulatedUpgrade } from "../scan/extract.js";
import { parseSimulatedUpgrade } from "../scan/freshness.js";
import { scanImage } from "../scan/scan.js";
import { trivyOnPath } from "../scan/trivy.js";
import { decideRebuild, inputsDigestOf } from "./changes.js";
import { eventFromEnvironment } from "./event.js";
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

async function themeName(dir: string): Promise<string> {
  const text = await readFile(path.join(dir, "theme.yaml"), "utf8").catch(() => {
    throw new UserError(`${dir} has no theme.yaml: give theme names from themes/ to --themes`);
  });
  const name = (YAML.parse(text) as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : path.basename(dir);
}

async function selectThemes(requested: string[] | undefined): Promise<string[]> {
  const known = (await readdir(repoPath("themes"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const t of requested ?? []) if (!known.includes(t)) throw new UsageError(`--themes: there is no theme "${t}" in themes/ (known: ${known.join(", ")})`);
  return requested ?? known;
}

async function selectBundles(requested: string[] | undefined): Promise<string[]> {
  const known = await listBundles();
  for (const b of requested ?? []) if (!known.includes(b)) throw new UsageError(`--bundles: there is no bundle "${b}" (known: ${known.join(", ")})`);
  return requested ?? known;
}

export async function runRelease(engine: Engine, reporter: Reporter, options: ReleaseOptions): Promise<ReleaseReport> {
  const now = options.now ?? new Date();
  const platforms = options.platforms ?? [nativePlatform()];
  if (!platforms.some((p) => isNative(p))) throw new UsageError(`--platforms must include this host's platform (${nativePlatform()}): its image carries the tags the others join`);
  const multiPlatform = platforms.length > 1;
  for (const r of options.registries) {
    const parsed = parseRegistry(r);
    if ("error" in parsed) throw new UsageError(`--registry ${parsed.error}`);
  }
  const [bundleNames, themeNames, revision] = await Promise.all([selectBundles(options.bundles), selectThemes(options.themes), gitRevision()]);
  const startedAt = now.toISOString();
  const entries: ReleaseEntry[] = [];
  let event: BuildEvent | undefined;

  interface Planned { entry: ReleaseEntry; bundleDir: string; themeDir: string; event: BuildEvent }
  const planned: Planned[] = [];
  for (const b of bundleNames) {
    const bundleDir = await resolveBundleDir(b);
    const { bundle, problems } = await loadBundle(bundleDir);
    if (!bundle) throw new UserError(`bundle ${b} is not valid: ${problems.items[0]?.message ?? ""} (run \`citelibre bundle check ${b}\`)`);
    for (const t of themeNames) {
      const themeDir = repoPath("themes", t);
      const theme = await themeName(themeDir);
      event = eventFromEnvironment(process.env, { nightly: options.nightly, now, version: bundle.manifest.version });
      const tags = computeTags({ event, theme, defaultTheme: bundle.manifest.defaultTheme, ...(revision ? { sha: revision } : {}) });
      const local = imageName(b);
      const entry: ReleaseEntry = { bundle: b, theme, image: `${local}:${tags[0] ?? ""}`, tags, status: "planned" };
      entries.push(entry);
      planned.push({ entry, bundleDir, themeDir, event });
    }
  }
  const mode = event?.kind ?? "local";

  if (options.dryRun) {
    for (const p of planned) {
      const refs = destinations(p.entry.tags.map((t) => `${imageName(p.entry.bundle)}:${t}`), options.registries).map((d) => d.reference);
      reporter.result(`${p.entry.bundle} x ${p.entry.theme}${multiPlatform ? ` (${platforms.join(", ")})` : ""}: ${p.entry.tags.join(", ")}${refs.length ? `\n    -> ${refs.join("\n    -> ")}` : "  (no --registry: build and scan only)"}`);
    }
    const report: ReleaseReport = { mode, dryRun: true, startedAt, finishedAt: new Date().toISOString(), registries: options.registries, entries, ok: true };
    return report;
  }

  await checkReportDir(options.reportDir);

  // The base once. A nightly rebuilds it from scratch when Debian has security updates for it.
  const servlets = new Map<string, Planned>();
  for (const p of planned) {
    const servlet = (await loadBundle(p.bundleDir)).bundle?.manifest.servletContainer ?? "tomcat10";
    if (!servlets.has(servlet)) servlets.set(servlet, p);
  }
  let securityUpdates: string[] = [];
  let decisionReasons: string[] = [];
  if (mode === "nightly") {
    for (const [servlet, sample] of servlets) {
      // What the published images run on: the local base where one exists (a long-lived builder), else
      // the last nightly itself, pulled (a fresh CI runner has no local images).
      let ref: string | undefined = `localhost/${baseImageTag(servlet as "tomcat10" | "tomcat9")}`;
      if (!(await engine.imageId(ref))) ref = await pullLastNightly(engine, reporter, sample.entry, options.registries[0]);
      if (!ref) continue;
      reporter.step(`checking Debian for security updates of ${ref}`);
      const fresh = parseSimulatedUpgrade(await simulatedUpgrade(engine, ref).catch((e: unknown) => {
        reporter.warn(`the freshness check failed (${(e as Error).message.split("\n")[0] ?? ""}); the base is rebuilt to be safe`);
        return "Inst freshness-check-failed [0] (1 Debian-Security:unknown)";
      }), now.toISOString());
      securityUpdates = [...securityUpdates, ...fresh.security.map((u) => u.name)];
    }
  }
  for (const servlet of servlets.keys()) {
    for (const platform of platforms) {
      reporter.step(`base image (${servlet}, ${platform})`);
      await buildBaseImage(engine, reporter, { bootstrap: true, servlet: servlet as "tomcat10" | "tomcat9", platform, ...(securityUpdates.length ? { noCache: true } : {}) });
    }
  }

  for (const [i, p] of planned.entries()) {
    const { entry } = p;
    reporter.step(`[${String(i + 1)}/${String(planned.length)}] ${entry.bundle} x ${entry.theme}`);
    try {
      const digest = await inputsDigest(p.bundleDir, p.themeDir);
      if (mode === "nightly" && options.registries.length > 0) {
        const first = parseRegistry(options.registries[0] ?? "");
        const nightlyTag = rollingNightlyTag(entry.tags);
        const ref = "error" in first ? "" : `${first.host}/${first.namespace}/${entry.bundle}:${nightlyTag}`;
        const last = await remoteImageConfig(ref).catch(() => undefined);
        const decision = decideRebuild({
          ...(last ? { last: { reference: ref, created: last.labels["org.opencontainers.image.created"] ?? last.created ?? "", ...(last.labels[inputsLabel] ? { inputsDigest: last.labels[inputsLabel] } : {}) } } : {}),
          inputsDigest: digest, securityUpdates, maxAgeDays: options.maxAgeDays, now,
        });
        decisionReasons = [...new Set([...decisionReasons, ...decision.reasons])];
        if (!decision.rebuild) {
          entry.status = "skipped";
          entry.reason = `nothing changed since ${ref}`;
          reporter.result(`${entry.bundle} x ${entry.theme}: ${entry.reason}`);
          continue;
        }
      }
      const started = performance.now();
      const { result } = await buildBundleImage(engine, reporter, entry.bundle, {
        theme: p.themeDir, mavenRepo: [], offline: false, standInIfUnreachable: options.standInIfUnreachable, namespace: "citelibre", cache: true,
        event: p.event, extraLabels: { [inputsLabel]: digest }, ...(options.siteWar ? { siteWar: options.siteWar } : {}),
      });
      Object.assign(entry, { image: result.image, tags: result.tags.map((t) => t.slice(t.lastIndexOf(":") + 1)), imageId: result.id, sizeBytes: result.sizeBytes, buildMs: Math.round(performance.now() - started), status: "built" as const });

      // Other platforms' images of the same entry: built the same way, named after their platform.
      for (const platform of platforms.filter((x) => !isNative(x))) {
        reporter.step(`${entry.bundle} x ${entry.theme} for ${platform} (emulated)`);
        const other = await buildBundleImage(engine, reporter, entry.bundle, {
          theme: p.themeDir, mavenRepo: [], offline: false, standInIfUnreachable: options.standInIfUnreachable, namespace: "citelibre", cache: true,
          event: p.event, extraLabels: { [inputsLabel]: digest }, platform, ...(options.siteWar ? { siteWar: options.siteWar } : {}),
        });
        const otherSbom = path.join(options.reportDir, "sbom", `${entry.bundle}-${entry.theme}-${platform.replace("/", "-")}.cdx.json`);
        await scanImage(engine, reporter, other.result.image, { sbomFile: otherSbom, requireTrivy: false, trivyTarget: "image", freshness: false, tool: options.tool });
        entry.platformSboms = [...(entry.platformSboms ?? []), path.relative(options.reportDir, otherSbom)];
      }
      if (multiPlatform) entry.platforms = platforms;

      const sbom = path.join(options.reportDir, "sbom", `${entry.bundle}-${entry.theme}.cdx.json`);
      const sarif = path.join(options.reportDir, "sarif", `${entry.bundle}-${entry.theme}.sarif`);
      const scan = await scanImage(engine, reporter, result.image, { sbomFile: sbom, ...(trivyOnPath() ? { sarifFile: sarif } : {}), requireTrivy: options.requireTrivy, trivyTarget: "image", freshness: false, tool: options.tool });
      entry.scan = {
        verdict: scan.trivy.ran ? (scan.passed ? "passed" : "failed") : "not-scanned", sbom: path.relative(options.reportDir, sbom),
        ...(scan.trivy.ran ? { sarif: path.relative(options.reportDir, sarif) } : {}), ...(scan.verdict ? { counts: scan.verdict.counts } : {}),
      };
      if (!scan.passed) {
        entry.status = "failed";
        entry.reason = scan.verdict?.line ?? "the scan gate failed";
        continue;
      }
      if (options.registries.length > 0) {
        const published = await publishImage(engine, reporter, result.image, { registries: options.registries, signing: options.signing, tags: result.tags, ...(multiPlatform ? { platforms } : {}) });
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
    } catch (e) {
      entry.status = "failed";
      entry.reason = (e as Error).message.split("\n")[0] ?? String(e);
      reporter.warn(`${entry.bundle} x ${entry.theme} failed: ${entry.reason}`);
    }
  }

  const report: ReleaseReport = {
    mode, dryRun: false, startedAt, finishedAt: new Date().toISOString(), registries: options.registries, entries,
    ok: entries.every((e) => e.status !== "failed"),
    ...(mode === "nightly" ? { decision: { rebuild: entries.some((e) => e.status !== "skipped"), reasons: decisionReasons } } : {}),
  };
  await writeReport(report, options.reportDir);
  return report;
}

/** The report folder is replaced as a whole: refuse one that holds anything but an earlier report. */
async function checkReportDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries && entries.length > 0 && !entries.includes("report.json")) {
    throw new UserError(`--report-dir ${dir} already holds files that are not a release report; the report replaces the whole folder, so give an empty or new folder (default dist/release)`);
  }
}

/** The published nightly of an entry, pulled so its packages can be checked; undefined when there is none. */
async function pullLastNightly(engine: Engine, reporter: Reporter, entry: ReleaseEntry, registry: string | undefined): Promise<string | undefined> {
  const parsed = registry ? parseRegistry(registry) : undefined;
  if (!parsed || "error" in parsed) return undefined;
  const tag = rollingNightlyTag(entry.tags);
  const reference = `${parsed.host}/${parsed.namespace}/${entry.bundle}:${tag}`;
  if (!(await remoteImageConfig(reference).catch(() => undefined))) return undefined;
  reporter.step(`pulling ${reference} to check its packages against Debian`);
  await engine.pull(reference, { tlsVerify: !isLoopback(parsed.host) });
  return reference;
}

export async function writeReport(report: ReleaseReport, dir: string): Promise<void> {
  const markdown = reportMarkdown(report);
  const tree = new Map<string, Buffer>([["report.json", Buffer.from(`${JSON.stringify(report, null, 2)}\n`)], ["report.md", Buffer.from(markdown)]]);
  // The folder is replaced as a whole: carry over this release's SBOMs and SARIF files, drop older ones.
  for (const e of report.entries) {
    for (const file of [e.scan?.sbom, e.scan?.sarif, ...(e.platformSboms ?? [])]) if (file) tree.set(file, await readFile(path.join(dir, file)));
  }
  await writeTreeAtomically(dir, tree);
  if (process.env.GITHUB_ACTIONS === "true") {
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    core.setOutput("report-json", path.join(dir, "report.json"));
    core.setOutput("report-markdown", path.join(dir, "report.md"));
    core.setOutput("ok", String(report.ok));
    for (const e of report.entries.filter((x) => x.status === "failed")) core.error(`${e.bundle} x ${e.theme}: ${e.reason ?? "failed"}`, { title: `release: ${e.image}` });
  }
}
