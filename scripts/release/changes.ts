/**
 * Nightly change detection: rebuild only when Debian has security updates for the image's packages,
 * when the inputs (pipeline, bundle, theme) differ from those of the last nightly, or when the last
 * nightly is older than the allowed age. Pure: the facts are gathered by release.ts.
 */

export interface LastNightly {
  /** When the published nightly was built (its org.opencontainers.image.created label). */
  created: string;
  /** Its fr.citelibre.inputs.digest label. */
  inputsDigest?: string;
  reference: string;
}

export interface ChangeFacts {
  last?: LastNightly;
  inputsDigest: string;
  /** Names of packages with pending updates from the Debian security archive (base image). */
  securityUpdates: string[];
  maxAgeDays: number;
  now: Date;
}

export interface RebuildDecision {
  rebuild: boolean;
  reasons: string[];
}

export function decideRebuild(facts: ChangeFacts): RebuildDecision {
  const reasons: string[] = [];
  if (!facts.last) reasons.push("no nightly has been published yet");
  if (facts.securityUpdates.length > 0) {
    const names = facts.securityUpdates.slice(0, 5).join(", ");
    reasons.push(`Debian has security updates for ${String(facts.securityUpdates.length)} package(s) of the base (${names}${facts.securityUpdates.length > 5 ? ", …" : ""})`);
  }
  if (facts.last) {
    if (facts.last.inputsDigest !== facts.inputsDigest) reasons.push(`the pipeline, the bundle or the theme changed since ${facts.last.reference}`);
    const ageDays = (facts.now.getTime() - Date.parse(facts.last.created)) / 86_400_000;
    if (!Number.isFinite(ageDays) || ageDays > facts.maxAgeDays) {
      reasons.push(Number.isFinite(ageDays) ? `the last nightly is ${ageDays.toFixed(1)} days old (more than ${String(facts.maxAgeDays)})` : "the last nightly has no readable creation date");
    }
  }
  return { rebuild: reasons.length > 0, reasons };
}

/** One digest of every input file (path and content digest), sorted so the order of discovery does not matter. */
export function inputsDigestOf(files: Array<{ path: string; sha256: string }>, hash: (text: string) => string): string {
  return hash([...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => `${f.path}\0${f.sha256}`).join("\n"));
}
