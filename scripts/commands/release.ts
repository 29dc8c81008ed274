/**
 * `citelibre release`: the matrix of bundles and themes, built, scanned and published.
 */
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../lib/problems.js";
import type { CommandContext } from "./context.js";

type ReleaseFlags = { platforms?: string; nightly: boolean; bundles?: string; themes?: string; registry: string[]; sign?: string; siteWar?: string; standInIfUnreachable: boolean; requireTrivy: boolean; maxAgeDays: string; reportDir: string; dryRun: boolean };

export function registerRelease(program: Command, ctx: CommandContext): void {
  program
    .command("release")
    .description("the whole matrix: base once, then build -> scan -> publish for every bundle x theme, with a report")
    .option("--nightly", "tag nightly and nightly-YYYYMMDD, and rebuild only what changed", false)
    .option("--bundles <list>", "comma-separated bundles (default: every folder in bundles/)")
    .option("--themes <list>", "comma-separated themes (default: every folder in themes/)")
    .option("--registry <host/namespace>", "publish to this registry (repeatable); without it, build and scan only", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--sign <how>", "gpg:<fingerprint>, cosign or cosign:<key> (see citelibre publish)")
    .option("--site-war <war>", "one site for every bundle (tests and demos: stand-in)")
    .option("--stand-in-if-unreachable", "bake the stand-in site where the Lutece repository cannot be reached", false)
    .option("--require-trivy", "fail images that could not be scanned for vulnerabilities", false)
    .option("--max-age-days <n>", "nightly: rebuild when the last nightly is older than this", "7")
    .option("--report-dir <dir>", "where report.json, report.md and the SBOMs go", "dist/release")
    .option("--dry-run", "print every image, tag and registry it would publish, and change nothing", false)
    .option("--platforms <list>", "linux/amd64,linux/arm64: build each and publish one manifest list per tag (foreign ones run under QEMU)")
    .action((opts: ReleaseFlags) => releaseCommand(ctx, opts));
}

async function releaseCommand(ctx: CommandContext, opts: ReleaseFlags): Promise<void> {
  const { runRelease } = await import("../release/release.js");
  const { reportMarkdown } = await import("../release/report.js");
  const { parseSigning } = await import("../publish/sign.js");
  const signing = parseSigning(opts.sign, ctx.env);
  if ("error" in signing) throw new UsageError(signing.error);
  const { checkPlatforms } = await import("../image/platform.js");
  const platforms = opts.platforms ? checkPlatforms(opts.platforms) : undefined;
  const maxAgeDays = Number(opts.maxAgeDays);
  if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0) throw new UsageError("--max-age-days must be a positive number of days");
  const list = (v: string | undefined) => v?.split(",").map((x) => x.trim()).filter(Boolean);
  const bundles = list(opts.bundles);
  const themes = list(opts.themes);
  const r = ctx.reporter();
  const report = await runRelease(await ctx.engine(), r, {
    nightly: opts.nightly, registries: opts.registry, dryRun: opts.dryRun, signing, standInIfUnreachable: opts.standInIfUnreachable,
    requireTrivy: opts.requireTrivy, maxAgeDays, reportDir: path.resolve(opts.reportDir), tool: { name: "citelibre-forge", version: ctx.version }, env: ctx.env,
    ...(bundles ? { bundles } : {}), ...(themes ? { themes } : {}), ...(opts.siteWar ? { siteWar: opts.siteWar } : {}), ...(platforms ? { platforms } : {}),
  });
  r.json(report);
  r.result(reportMarkdown(report).trimEnd());
  if (!report.dryRun) r.result(`\nReport: ${path.join(path.resolve(opts.reportDir), "report.md")} and report.json`);
  if (!report.ok) ctx.setExitCode(1);
}
