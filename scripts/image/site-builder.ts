/**
 * The builder stage for `site.build` bundles: builds the generated site POM with Maven in a throw-away
 * image (the Debian bootstrap root filesystem where no registry is reachable, else debian:bookworm-slim),
 * copies the WAR out into .cache/site-build/, and removes the builder container. The WAR is keyed by
 * the POM and the builder Dockerfile, so a bundle whose plugin list did not change is not rebuilt.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { bootstrapImage, defaultFromImage } from "./base.js";
import type { Engine } from "../engine/engine.js";
import type { Bundle } from "../bundle/manifest.js";
import { ArtifactError } from "../bundle/maven.js";
import { siteBuildInputs } from "../bundle/site-build.js";
import { sha256File } from "../lib/hash.js";
import type { Reporter } from "../lib/log.js";
import { ToolError } from "../lib/exec.js";
import { UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { addFile, placeWhenWhole, syncTree, type FileTree } from "../lib/tree.js";

export interface BuiltSite {
  file: string;
  sha256: string;
}

export async function buildSiteWar(engine: Engine, reporter: Reporter, bundle: Bundle, options: { noCache?: boolean; offline?: boolean } = {}): Promise<BuiltSite> {
  const name = bundle.manifest.name;
  const builderImage = (await engine.imageId(bootstrapImage)) ? bootstrapImage : defaultFromImage;
  const template = await readFile(repoPath("images/templates/site-builder.Dockerfile.hbs"), "utf8");
  const inputs = siteBuildInputs(bundle, template, builderImage, engine.capabilities.buildMounts);
  const war = repoPath(".cache", "site-build", `${name}-${inputs.key}.war`);
  if (!options.noCache && existsSync(war)) return { file: war, sha256: await sha256File(war) };
  if (options.offline) throw new ArtifactError("offline", `offline mode: the ${name} site has not been assembled with this plugin list before (no ${path.relative(repoPath(), war)}); run once online, or drop --offline`);

  const tree: FileTree = new Map();
  addFile(tree, "pom.xml", inputs.pom);
  addFile(tree, "Dockerfile", inputs.dockerfile);
  const context = repoPath(".cache", "bake", `${name}-site-builder`);
  await syncTree(context, tree);
  const image = `localhost/citelibre-cache/${name}-site-builder:${inputs.key}`;
  const plugins = "build" in bundle.manifest.site ? bundle.manifest.site.build.plugins.length : 0;
  reporter.step(`assembling the ${name} site with Maven (lutece:site-assembly, lutece-core and ${plugins} plugins); a first build downloads Maven and the plugins`);
  const output: string[] = [];
  try {
    // Host network: Maven reaches the repositories as this machine does, including a mirror on localhost.
    await reporter.during(`building ${image} with Maven`, engine.build({ context, tags: [image], network: "host", ...(options.noCache ? { noCache: true } : {}) }, { onLine: (l) => { output.push(l); reporter.detail(l); } }));
  } catch (e) {
    if (e instanceof ToolError) {
      throw new UserError(`Maven could not assemble the ${name} site from bundles/${name}/bundle.yaml (site.build). Check that every plugin version exists in the repositories it lists (\`citelibre bundle pom ${name}\` shows the POM), or give a prebuilt site with --site-war. ${mavenErrors(output) ?? e.message}`);
    }
    throw e;
  }

  // Copy the WAR out of a container that never runs; the image stays as a cache.
  await placeWhenWhole(`${war}.partial`, async (partial) => {
    await engine.copyFromImage(image, [{ from: "/site/site.war", to: partial }]);
    return { target: war, value: undefined };
  });
  return { file: war, sha256: await sha256File(war) };
}

/** Maven prints its errors on standard output as [ERROR] lines; they say more than the engine's exit status. */
export function mavenErrors(lines: string[]): string | undefined {
  const noise = /^\[ERROR\]\s*($|To see the full stack trace|Re-run Maven|For more information about the errors|\[Help \d+\])/;
  const errors = lines.filter((l) => l.startsWith("[ERROR]") && !noise.test(l)).slice(0, 12);
  return errors.length > 0 ? `Maven said:\n${errors.map((l) => `  ${l}`).join("\n")}` : undefined;
}
