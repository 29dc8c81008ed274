/**
 * The stand-in site: a small javax Servlet 4 webapp (images/stand-in-site) compiled with javac here,
 * never committed as a binary. It behaves like a Lutece 7 site where the runtime and themes touch it
 * (Portal.jsp, db.properties, core_datastore, the theme hooks) and says on its page that it is a
 * stand-in. Tests inject it with --site-war; the demo uses it when the Lutece repository is unreachable.
 */
import { execa } from "execa";
import { cp, mkdir, mkdtemp, readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";

const servletApi = "/usr/share/java/servlet-api-4.0.1.jar";
const jdbcDriver = "/usr/share/java/mariadb-java-client.jar";

async function javaSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".java")).map((e) => path.join(e.parentPath, e.name));
}

/** The stand-in WAR, built once per source change and cached, so its image layer is cached too. */
export async function standInWar(): Promise<string> {
  const { createHash } = await import("node:crypto");
  const { readFile } = await import("node:fs/promises");
  const hash = createHash("sha256");
  for (const dir of ["images/stand-in-site/src", "images/stand-in-site/webapp"]) {
    const entries = (await readdir(repoPath(dir), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
    for (const f of entries) hash.update(path.relative(repoPath(), f)).update(await readFile(f));
  }
  const key = hash.digest("hex").slice(0, 16);
  const cached = repoPath(".cache", "stand-in", `stand-in-site-${key}.war`);
  if (existsSync(cached)) return cached;
  const work = await mkdtemp(path.join(tmpdir(), "citelibre-stand-in-"));
  const war = await buildStandInWar(work);
  await mkdir(path.dirname(cached), { recursive: true });
  await cp(war, cached);
  return cached;
}

export async function buildStandInWar(outDir?: string): Promise<string> {
  for (const f of [servletApi, jdbcDriver]) {
    if (!existsSync(f)) throw new UserError(`${f} is missing, and the stand-in site needs it: run \`npm run setup\` (installs libservlet-api-java and libmariadb-java)`);
  }
  const work = outDir ?? (await mkdtemp(path.join(tmpdir(), "citelibre-fixture-")));
  const tree = path.join(work, "webapp");
  await cp(repoPath("images/stand-in-site/webapp"), tree, { recursive: true });
  const classes = path.join(tree, "WEB-INF/classes");
  await mkdir(classes, { recursive: true });
  await mkdir(path.join(tree, "WEB-INF/lib"), { recursive: true });
  await cp(jdbcDriver, path.join(tree, "WEB-INF/lib/mariadb-java-client.jar"));
  await execa("javac", ["--release", "17", "-encoding", "UTF-8", "-cp", servletApi, "-d", classes, ...(await javaSources(repoPath("images/stand-in-site/src")))]);
  const war = path.join(work, "fixture-site.war");
  await execa("jar", ["--create", "--file", war, "-C", tree, "."]);
  return war;
}
