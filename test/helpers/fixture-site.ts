/**
 * Builds the fixture site WAR from source with javac (never a committed binary): a javax Servlet 4
 * webapp, like a Lutece 7 site, with Debian's MariaDB JDBC driver in WEB-INF/lib.
 */
import { execa } from "execa";
import { cp, mkdir, mkdtemp, readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoPath } from "../../scripts/lib/repo.js";

const servletApi = "/usr/share/java/servlet-api-4.0.1.jar";
const jdbcDriver = "/usr/share/java/mariadb-java-client.jar";

async function javaSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".java")).map((e) => path.join(e.parentPath, e.name));
}

export async function buildFixtureWar(outDir?: string): Promise<string> {
  for (const f of [servletApi, jdbcDriver]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run setup\` (installs libservlet-api-java and libmariadb-java)`);
  }
  const work = outDir ?? (await mkdtemp(path.join(tmpdir(), "citelibre-fixture-")));
  const tree = path.join(work, "webapp");
  await cp(repoPath("test/fixtures/site/webapp"), tree, { recursive: true });
  const classes = path.join(tree, "WEB-INF/classes");
  await mkdir(classes, { recursive: true });
  await mkdir(path.join(tree, "WEB-INF/lib"), { recursive: true });
  await cp(jdbcDriver, path.join(tree, "WEB-INF/lib/mariadb-java-client.jar"));
  await execa("javac", ["--release", "17", "-encoding", "UTF-8", "-cp", servletApi, "-d", classes, ...(await javaSources(repoPath("test/fixtures/site/src")))]);
  const war = path.join(work, "fixture-site.war");
  await execa("jar", ["--create", "--file", war, "-C", tree, "."]);
  return war;
}
