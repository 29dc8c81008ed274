/**
 * The real Lutece 7.0.6 web application (third-party test data in ../shared/fixtures/, never copied into
 * this repository): where it is, copies of it with extra files, and SQL inside a container that runs it.
 */
import { execa } from "execa";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sha256File } from "../../scripts/lib/hash.js";
import { repoPath } from "../../scripts/lib/repo.js";
import { engine } from "./containers.js";

export const fixtureSha256 = "118c7da4c5dd81ab8f5d90974e37cb432108a0730de281daaef59470372a6b53";

/**
 * The fixture WAR: CITELIBRE_LUTECE_WAR, else ../shared/fixtures beside this checkout. Undefined (with the
 * reason) when it is not on this machine; a file with other bytes is an error, not a skip.
 */
export async function luteceWar(): Promise<{ war?: string; reason?: string }> {
  const war = process.env.CITELIBRE_LUTECE_WAR ?? repoPath("..", "shared", "fixtures", "lutece-core-7.0.6", "lutece-core-7.0.6.war");
  if (!existsSync(war)) return { reason: `the real Lutece 7.0.6 WAR is not on this machine (looked for ${war}; set CITELIBRE_LUTECE_WAR)` };
  const sha = await sha256File(war);
  if (sha !== fixtureSha256) throw new Error(`${war} has sha256 ${sha}, not the fixture's ${fixtureSha256}`);
  return { war };
}

/** A copy of a WAR with files added or replaced (paths inside the WAR), in a temporary folder. */
export async function warWith(war: string, files: Record<string, string>): Promise<{ war: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "citelibre-war-"));
  const copy = path.join(dir, "site.war");
  await copyFile(war, copy);
  const tree = path.join(dir, "tree");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tree, name)), { recursive: true });
    await writeFile(path.join(tree, name), content);
  }
  await execa("jar", ["--update", "--file", copy, "-C", tree, ...Object.keys(files).map((f) => f.split("/")[0] ?? f).filter((v, i, a) => a.indexOf(v) === i)]);
  return { war: copy, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** SQL as root inside a container that runs MariaDB (all-in-one or database role), through its socket. */
export async function sqlIn(container: string, sql: string, database = "lutece"): Promise<string> {
  return (await engine.raw(["exec", container, "mariadb", "--no-defaults", "--socket=/run/citelibre/mysqld/mysqld.sock", "-uroot", "--batch", "--skip-column-names", database, "-e", sql])).stdout;
}
