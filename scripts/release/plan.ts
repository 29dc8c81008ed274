/**
 * What a release will do, decided before anything runs: the entries of the matrix with their tags, the
 * base images to build, and for a nightly the published image each entry is compared with. Pure: the
 * manifests, flags and environment are read once by the caller and passed in, so the plan is what a
 * dry run prints and what the unit tests hold.
 */
import type { ServletContainer } from "../image/base.js";
import { isNative, nativePlatform } from "../image/platform.js";
import { computeTags, eventFromEnvironment, imageName, rollingNightlyTag, type BuildEvent } from "../image/tags.js";
import { UsageError } from "../lib/problems.js";
import { destinations, parseRegistry } from "../publish/plan.js";
import type { ReleaseEntry, ReleaseReport } from "./report.js";

export interface ReleaseBundle {
  name: string;
  dir: string;
  version: string;
  defaultTheme: string;
  servlet: ServletContainer;
}

export interface ReleaseTheme {
  /** The theme's own name (theme.yaml), which its tags carry. */
  name: string;
  dir: string;
}

export interface PlanInputs {
  bundles: ReleaseBundle[];
  themes: ReleaseTheme[];
  revision?: string;
  env: NodeJS.ProcessEnv;
  nightly: boolean;
  now: Date;
  registries: string[];
  platforms: string[];
  hostArch?: string;
}

export interface PlannedEntry {
  entry: ReleaseEntry;
  bundleDir: string;
  themeDir: string;
  event: BuildEvent;
  servlet: ServletContainer;
  /** Nightly with a registry: the published rolling nightly this entry is compared with. */
  lastNightly?: string;
}

export interface ReleasePlan {
  mode: ReleaseReport["mode"];
  registries: string[];
  platforms: string[];
  /** Platforms built under emulation beside this host's own. */
  foreignPlatforms: string[];
  entries: PlannedEntry[];
  /** One base per servlet container, with the first entry that runs on it (whose last nightly shows its packages). */
  bases: Array<{ servlet: ServletContainer; sample: PlannedEntry }>;
}

/** The flags a release can refuse before reading anything: this host's platform, and registry names. */
export function checkReleaseFlags(inputs: Pick<PlanInputs, "platforms" | "registries" | "hostArch">): void {
  if (!inputs.platforms.some((p) => isNative(p, inputs.hostArch))) {
    throw new UsageError(`--platforms must include this host's platform (${nativePlatform(inputs.hostArch)}): its image carries the tags the others join`);
  }
  for (const r of inputs.registries) {
    const parsed = parseRegistry(r);
    if ("error" in parsed) throw new UsageError(`--registry ${parsed.error}`);
  }
}

/** Where the entry's rolling nightly is published on the first registry (publish/plan.ts decides where a tag goes). */
function lastNightlyOf(bundle: string, tags: string[], registry: string | undefined): string | undefined {
  return registry === undefined ? undefined : destinations([`${imageName(bundle)}:${rollingNightlyTag(tags)}`], [registry])[0]?.reference;
}

function planEntry(inputs: PlanInputs, bundle: ReleaseBundle, theme: ReleaseTheme): PlannedEntry {
  const event = eventFromEnvironment(inputs.env, { nightly: inputs.nightly, now: inputs.now, version: bundle.version });
  const tags = computeTags({ event, theme: theme.name, defaultTheme: bundle.defaultTheme, ...(inputs.revision ? { sha: inputs.revision } : {}) });
  const entry: ReleaseEntry = { bundle: bundle.name, theme: theme.name, image: `${imageName(bundle.name)}:${tags[0] ?? ""}`, tags, status: "planned" };
  const lastNightly = event.kind === "nightly" ? lastNightlyOf(bundle.name, tags, inputs.registries[0]) : undefined;
  return { entry, bundleDir: bundle.dir, themeDir: theme.dir, event, servlet: bundle.servlet, ...(lastNightly ? { lastNightly } : {}) };
}

export function planRelease(inputs: PlanInputs): ReleasePlan {
  checkReleaseFlags(inputs);
  const entries = inputs.bundles.flatMap((b) => inputs.themes.map((t) => planEntry(inputs, b, t)));
  const bases: ReleasePlan["bases"] = [];
  for (const sample of entries) if (!bases.some((b) => b.servlet === sample.servlet)) bases.push({ servlet: sample.servlet, sample });
  return {
    mode: entries[0]?.event.kind ?? "local",
    registries: inputs.registries,
    platforms: inputs.platforms,
    foreignPlatforms: inputs.platforms.filter((p) => !isNative(p, inputs.hostArch)),
    entries,
    bases,
  };
}

/** What `release --dry-run` prints: per entry its tags and where each would be pushed. */
export function dryRunLines(plan: ReleasePlan): string[] {
  const platforms = plan.foreignPlatforms.length > 0 ? ` (${plan.platforms.join(", ")})` : "";
  return plan.entries.map(({ entry }) => {
    const refs = destinations(entry.tags.map((t) => `${imageName(entry.bundle)}:${t}`), plan.registries).map((d) => d.reference);
    return `${entry.bundle} x ${entry.theme}${platforms}: ${entry.tags.join(", ")}${refs.length ? `\n    -> ${refs.join("\n    -> ")}` : "  (no --registry: build and scan only)"}`;
  });
}
