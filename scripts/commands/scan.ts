/**
 * `citelibre scan`: SBOM, vulnerability gate and freshness of an image.
 */
import type { Command } from "commander";
import { UsageError } from "../lib/problems.js";
import type { CommandContext } from "./context.js";

export function registerScan(program: Command, ctx: CommandContext): void {
  program
    .command("scan <image>")
    .description("SBOM of an image, Trivy's vulnerability gate (when installed), and pending Debian security updates")
    .option("--sbom <file>", "where to write the CycloneDX SBOM (default: dist/scan/<image>.cdx.json)")
    .option("--sarif <file>", "write Trivy's findings as SARIF 2.1.0 (GitHub code scanning)")
    .option("--markdown <file>", "write a markdown summary (release report, GitHub job summary)")
    .option("--policy <file>", "scan policy: failing severities, unfixed, ignore list (default: config/scan-policy.yaml)")
    .option("--require-trivy", "fail when Trivy is not installed instead of scanning without it", false)
    .option("--trivy-target <what>", "what Trivy scans: image (the saved image) or sbom (the SBOM written here)", "image")
    .option("--no-freshness", "skip the check for pending Debian updates (it needs the Debian mirror)")
    .action(async (image: string, opts: { sbom?: string; sarif?: string; markdown?: string; policy?: string; requireTrivy: boolean; trivyTarget: string; freshness: boolean }) => {
      const { scanImage, scanText } = await import("../scan/scan.js");
      if (opts.trivyTarget !== "image" && opts.trivyTarget !== "sbom") throw new UsageError(`--trivy-target must be image or sbom, not "${opts.trivyTarget}"`);
      const r = ctx.reporter();
      const result = await scanImage(await ctx.engine(), r, image, {
        requireTrivy: opts.requireTrivy, trivyTarget: opts.trivyTarget, freshness: opts.freshness, tool: { name: "citelibre-forge", version: ctx.version },
        ...(opts.sbom ? { sbomFile: opts.sbom } : {}), ...(opts.sarif ? { sarifFile: opts.sarif } : {}),
        ...(opts.markdown ? { markdownFile: opts.markdown } : {}), ...(opts.policy ? { policyFile: opts.policy } : {}),
        ...(ctx.env.TRIVY_CACHE_DIR !== undefined ? { trivyCacheDir: ctx.env.TRIVY_CACHE_DIR } : {}),
      });
      r.json({ ok: result.passed, ...result });
      r.result(scanText(result));
      if (!result.passed) ctx.setExitCode(1);
    });
}
