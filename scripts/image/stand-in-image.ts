/**
 * A small image of the stand-in site (images/stand-in-site) on a base image, without a bundle: the
 * base, the stand-in WAR installed as the context "site", a one-table bundle SQL and a theme overlay.
 * The runtime tests and the runtime benchmark both start it, each on the engine it is given.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import { buildStandInWar } from "../bundle/stand-in.js";
import { repoPath } from "../lib/repo.js";
import { writeTreeAtomically } from "../lib/tree.js";
import { checkTheme } from "../theme/build.js";

export const standInContext = "site";

export async function buildStandInImage(engine: Engine, baseImage: string, tag: string, options: { theme?: string; sassTimeoutMs: number }): Promise<string> {
  const theme = options.theme ?? "exampleville";
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-stand-in-image-"));
  try {
    await buildStandInWar(path.join(dir, "war"));
    const outcome = await checkTheme(repoPath("themes", theme), { sassTimeoutMs: options.sassTimeoutMs });
    if (!outcome.tree) throw new Error(`theme ${theme} does not build`);
    await writeTreeAtomically(path.join(dir, "theme"), outcome.tree);
    await mkdir(path.join(dir, "sql"), { recursive: true });
    await writeFile(
      path.join(dir, "sql", "001-core.sql"),
      "CREATE TABLE IF NOT EXISTS core_datastore (entity_key VARCHAR(255) NOT NULL PRIMARY KEY, entity_value TEXT) DEFAULT CHARSET=utf8mb4;\n" +
        "INSERT INTO core_datastore VALUES ('portal.site.site_property.name', 'Lutece');\n",
    );
    await writeFile(
      path.join(dir, "Dockerfile"),
      [
        `FROM ${baseImage}`,
        `ENV CITELIBRE_CONTEXT=${standInContext}`,
        "COPY war/fixture-site.war /tmp/site.war",
        `RUN citelibre-install-war /tmp/site.war ${standInContext} && rm /tmp/site.war`,
        "COPY sql/ /opt/citelibre/sql/bundle/",
        "COPY theme/sql/theme.sql /opt/citelibre/sql/theme/",
        `COPY theme/webapp/ /opt/citelibre/tomcat/webapps/${standInContext}/`,
        "",
      ].join("\n"),
    );
    await engine.build({ context: dir, tags: [tag] });
    return tag;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
