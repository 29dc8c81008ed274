/**
 * Global set-up of both suites: the compiled CLI (bin/citelibre.js runs build/cli.js) and the Sass worker
 * (build/tools/sass-worker.js) must be those of the sources under test. Built when missing or older than
 * any source. A rebuild cannot disturb a CLI already running from build/ (a demo): bundle.js writes each
 * build to a folder of its own and moves the `build` link onto it, under a lock.
 */
import { execa } from "execa";
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { repoPath } from "../../scripts/lib/repo.js";

async function newestSource(): Promise<number> {
  let newest = 0;
  for (const dir of ["scripts", "images/templates"]) {
    for (const e of await readdir(repoPath(dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
    }
  }
  for (const file of ["bundle.js", "package.json", "package-lock.json"]) newest = Math.max(newest, statSync(repoPath(file)).mtimeMs);
  return newest;
}

export default async function buildIfStale(): Promise<void> {
  const built = repoPath("build", "cli.js");
  if (existsSync(built) && existsSync(repoPath("build", "tools", "sass-worker.js")) && statSync(built).mtimeMs >= (await newestSource())) return;
  console.log("building the CLI for the tests (npm run build): build/ was missing or older than the sources");
  await execa("node", ["bundle.js"], { cwd: repoPath(), stdio: "inherit" });
}
