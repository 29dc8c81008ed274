/**
 * The inputs of the builder stage for bundles assembled from lutece-core and plugins (`site.build`):
 * the site POM and the builder Dockerfile, and the cache key of the WAR they produce. Pure: the engine
 * side is scripts/image/site-builder.ts.
 */
import Handlebars from "handlebars";
import type { Bundle } from "./manifest.js";
import { sitePom } from "./site-pom.js";
import { sha256 } from "../lib/hash.js";

export interface SiteBuildInputs {
  pom: string;
  dockerfile: string;
  /** Identifies the WAR these inputs produce (POM, Dockerfile): the cache key of the built site. */
  key: string;
}

export function siteBuildInputs(bundle: Bundle, template: string, builderImage: string, buildMounts = true): SiteBuildInputs {
  const m = bundle.manifest;
  if (!("build" in m.site)) throw new Error(`internal: bundle ${m.name} has a prebuilt site, not a build`);
  const pom = sitePom({ ...m, site: m.site });
  const dockerfile = Handlebars.compile(template, { strict: true, noEscape: true })({ bundle: m.name, builderImage, mounts: buildMounts });
  return { pom, dockerfile, key: sha256(`${pom}\0${dockerfile}`).slice(0, 16) };
}
