/**
 * `citelibre bundle check|pom`: bundle manifests and what they generate.
 */
import type { Command } from "commander";
import { UserError, problemsText, summaryLine } from "../lib/problems.js";
import type { CommandContext } from "./context.js";

export function registerBundle(program: Command, ctx: CommandContext): void {
  const bundleCmd = program.command("bundle").description("check bundle manifests and show what they generate");
  bundleCmd
    .command("check [bundles...]")
    .description("validate bundle manifests (default: every folder of bundles/); exit 1 if any is invalid")
    .action(async (names: string[]) => {
      const { listBundles, loadBundle, resolveBundleDir } = await import("../bundle/manifest.js");
      const r = ctx.reporter();
      const targets = names.length > 0 ? names : await listBundles();
      const results = [];
      for (const name of targets) {
        const dir = await resolveBundleDir(name);
        const { bundle, problems } = await loadBundle(dir);
        results.push({ bundle: name, valid: bundle !== undefined, problems: problems.items });
        if (problems.items.length > 0) r.result(problemsText(dir, problems.items));
        r.result(`${name}: ${bundle ? "valid" : "invalid"} (${summaryLine(problems.items)})`);
      }
      r.json({ valid: results.every((x) => x.valid), bundles: results });
      ctx.setExitCode(results.every((x) => x.valid) ? 0 : 1);
    });
  bundleCmd
    .command("pom <bundle>")
    .description("print the Maven site POM generated from a bundle's site.build")
    .action(async (name: string) => {
      const { loadBundle, resolveBundleDir } = await import("../bundle/manifest.js");
      const { sitePom } = await import("../bundle/site-pom.js");
      const dir = await resolveBundleDir(name);
      const { bundle, problems } = await loadBundle(dir);
      if (!bundle) throw new UserError(`bundle ${name} is not valid:\n${problemsText(dir, problems.items)}`);
      const m = bundle.manifest;
      if (!("build" in m.site)) throw new UserError(`${name} uses a prebuilt site (site.war): there is no POM to generate`);
      ctx.io.stdout.write(sitePom({ ...m, site: m.site }));
    });
}
