/**
 * Which build event a release is, from the command line and GitHub's environment: a scheduled run is a
 * nightly, a pushed v* tag a release, a pull request pr-N, a branch push its branch name, and a run on a
 * workstation a local build of the bundle's version. Pure: the environment is an argument.
 */
import type { BuildEvent } from "../image/tags.js";
import { UsageError } from "../lib/problems.js";

export function eventFromEnvironment(env: NodeJS.ProcessEnv, options: { nightly: boolean; now: Date; version: string }): BuildEvent {
  if (options.nightly || env.GITHUB_EVENT_NAME === "schedule") return { kind: "nightly", date: options.now };
  const ref = env.GITHUB_REF ?? "";
  const tag = /^refs\/tags\/v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(ref);
  if (tag?.[1]) return { kind: "release", version: tag[1] };
  // Any other tag would fall through to a local build and publish `latest`: refuse it instead.
  if (ref.startsWith("refs/tags/")) throw new UsageError(`the tag ${ref.slice("refs/tags/".length)} is not a release tag: releases are tagged vX.Y.Z or vX.Y.Z-pre (for example v1.2.0 or v1.3.0-rc.1)`);
  const pr = /^refs\/pull\/(\d+)\//.exec(ref);
  if (pr?.[1] && env.GITHUB_EVENT_NAME?.startsWith("pull_request")) return { kind: "pull-request", number: Number(pr[1]) };
  const branch = /^refs\/heads\/(.+)$/.exec(ref);
  if (branch?.[1] && env.GITHUB_ACTIONS === "true") return { kind: "branch", branch: branch[1] };
  return { kind: "local", version: options.version };
}
