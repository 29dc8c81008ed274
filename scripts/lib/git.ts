/**
 * What git says about the project's own sources: image labels (revision, source, creation date) and the
 * release's sha tag come from here. Every answer is undefined outside a git checkout.
 */
import { run } from "./exec.js";
import { repoPath } from "./repo.js";

/** The last commit touching `paths` (all of the repository when empty), or undefined outside git. */
export async function gitRevision(paths: string[] = []): Promise<string | undefined> {
  try {
    return (await run("git", ["-C", repoPath(), "log", "-1", "--format=%H", "--", ...paths])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The time of the last commit touching `paths` (all of the repository when empty). */
export async function lastCommitTime(paths: string[] = []): Promise<Date | undefined> {
  const r = await run("git", ["-C", repoPath(), "log", "-1", "--format=%ct", "--", ...paths]).catch(() => undefined);
  return r && /^\d+$/.test(r.stdout.trim()) ? new Date(Number(r.stdout.trim()) * 1000) : undefined;
}

/**
 * Where the sources live, for org.opencontainers.image.source: CITELIBRE_SOURCE_URL, else the git
 * remote "origin" as an https URL (credentials removed), else nothing.
 */
export async function gitSource(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.CITELIBRE_SOURCE_URL) return env.CITELIBRE_SOURCE_URL;
  const remote = await run("git", ["-C", repoPath(), "config", "--get", "remote.origin.url"]).then((r) => r.stdout.trim(), () => "");
  const ssh = /^git@([^:]+):(.+?)(?:\.git)?$/.exec(remote);
  if (ssh) return `https://${ssh[1] ?? ""}/${ssh[2] ?? ""}`;
  if (/^https?:\/\//.test(remote)) {
    const url = new URL(remote);
    url.username = "";
    url.password = "";
    return url.href.replace(/\.git$/, "");
  }
  return undefined;
}
