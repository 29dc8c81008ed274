/**
 * The tag policy, in one place: which build event a run is, and the image tags each event gets.
 *
 * Events: a scheduled run (or --nightly) is a nightly, a pushed vX.Y.Z[-pre] tag a release, a pull
 * request pr-N, a branch push its branch name, and a run on a workstation a local build of the bundle's
 * version. Tags follow docker/metadata-action's conventions:
 *   release of X.Y.Z        X.Y.Z, X.Y, X, latest   (a pre-release X.Y.Z-rc.1 gets only its own tag)
 *   nightly                 nightly, nightly-YYYYMMDD (UTC)
 *   branch / pull request   branch name (sanitised) / pr-N
 *   local build             X.Y.Z, latest            (so `docker run citelibre/<bundle>` finds it)
 *   every event but a nightly, with a git revision: sha-<7 hex> (a nightly and a release of one commit
 *   are different images: they must not share a tag)
 * Images of a non-default theme get a -<theme> suffix on every tag and never `latest`.
 */
import semver from "semver";
import { namePattern } from "../lib/names.js";
import { UsageError } from "../lib/problems.js";

export type BuildEvent =
  | { kind: "release"; version: string }
  | { kind: "nightly"; date: Date }
  | { kind: "branch"; branch: string }
  | { kind: "pull-request"; number: number }
  | { kind: "local"; version: string };

export interface TagInput {
  event: BuildEvent;
  theme: string;
  defaultTheme: string;
  sha?: string;
}

/** The version as SemVer 2.0 writes it, exactly (no "v" prefix, no build metadata), or null. */
function strictVersion(version: string): semver.SemVer | null {
  return semver.valid(version) === version ? semver.parse(version) : null;
}

export function isPrerelease(version: string): boolean {
  return (strictVersion(version)?.prerelease.length ?? 0) > 0;
}

function ymd(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, "");
}

/** A branch name as a tag: lowercase, [a-z0-9_.-], at most 128 characters, never starting with . or -. */
export function sanitizeTag(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-").replace(/^[.-]+/, "").slice(0, 128) || "unnamed";
}

export function computeTags(input: TagInput): string[] {
  const { event, theme, defaultTheme } = input;
  const isDefaultTheme = theme === defaultTheme;
  const tags: string[] = [];
  switch (event.kind) {
    case "release":
    case "local": {
      const v = strictVersion(event.version);
      if (!v) throw new Error(`"${event.version}" is not a semantic version`);
      tags.push(event.version);
      if (v.prerelease.length === 0) {
        if (event.kind === "release") tags.push(`${v.major}.${v.minor}`, `${v.major}`);
        if (isDefaultTheme) tags.push("latest");
      }
      break;
    }
    case "nightly":
      tags.push("nightly", `nightly-${ymd(event.date)}`);
      break;
    case "branch":
      tags.push(sanitizeTag(event.branch));
      break;
    case "pull-request":
      tags.push(`pr-${event.number}`);
      break;
  }
  if (input.sha && event.kind !== "nightly") {
    if (!/^[0-9a-f]{7,40}$/.test(input.sha)) throw new Error(`"${input.sha}" is not a git revision`);
    tags.push(`sha-${input.sha.slice(0, 7)}`);
  }
  return isDefaultTheme ? tags : tags.filter((t) => t !== "latest").map((t) => `${t}-${theme}`);
}

/** `<registry>/<namespace>/<bundle>`; the registry part is omitted for local and Docker Hub names. */
export function imageName(bundle: string, options: { registry?: string; namespace?: string } = {}): string {
  return [options.registry, options.namespace ?? "citelibre", bundle].filter(Boolean).join("/");
}

/**
 * An entry's rolling nightly tag among its tags: `nightly`, or `nightly-<theme>` for another theme, never
 * a dated one (`nightly-YYYYMMDD[-theme]`); `nightly` when there is none.
 */
export function rollingNightlyTag(tags: string[]): string {
  // A theme's suffix follows the theme-name rule, which starts with a letter: a date never passes it.
  return tags.find((t) => t === "nightly" || (t.startsWith("nightly-") && namePattern.test(t.slice("nightly-".length)))) ?? "nightly";
}

/** The build event of this run, from the command line and GitHub's environment (passed in: pure). */
export function eventFromEnvironment(env: NodeJS.ProcessEnv, options: { nightly: boolean; now: Date; version: string }): BuildEvent {
  if (options.nightly || env.GITHUB_EVENT_NAME === "schedule") return { kind: "nightly", date: options.now };
  const ref = env.GITHUB_REF ?? "";
  if (ref.startsWith("refs/tags/")) {
    const tag = ref.slice("refs/tags/".length);
    const version = tag.startsWith("v") ? tag.slice(1) : "";
    if (strictVersion(version)) return { kind: "release", version };
    // Any other tag would fall through to a local build and publish `latest`: refuse it instead.
    throw new UsageError(`the tag ${tag} is not a release tag: releases are tagged vX.Y.Z or vX.Y.Z-pre (for example v1.2.0 or v1.3.0-rc.1)`);
  }
  const pr = /^refs\/pull\/(\d+)\//.exec(ref);
  if (pr?.[1] && env.GITHUB_EVENT_NAME?.startsWith("pull_request")) return { kind: "pull-request", number: Number(pr[1]) };
  const branch = /^refs\/heads\/(.+)$/.exec(ref);
  if (branch?.[1] && env.GITHUB_ACTIONS === "true") return { kind: "branch", branch: branch[1] };
  return { kind: "local", version: options.version };
}
