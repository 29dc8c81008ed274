/**
 * Maven repository metadata: the versions a maven-metadata.xml lists, in Maven's order, so a "not found"
 * can name the newest ones. Pure.
 */
import { DOMParser } from "@xmldom/xmldom";

/** The versions listed under metadata/versioning/versions; none for a document that is not metadata. */
export function versionsInMetadata(xml: string): string[] {
  let doc;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, "text/xml");
  } catch {
    return [];
  }
  const root = doc.documentElement;
  if (root?.nodeName !== "metadata") return [];
  return [...root.getElementsByTagName("versions")]
    .filter((list) => list.parentNode?.nodeName === "versioning")
    .flatMap((list) => [...list.getElementsByTagName("version")].map((v) => (v.textContent ?? "").trim()))
    .filter(Boolean);
}

// Maven's qualifier order; any other qualifier sorts after these, alphabetically (ComparableVersion's rule).
const qualifierRank: Record<string, number> = { alpha: 0, a: 0, beta: 1, b: 1, milestone: 2, m: 2, rc: 3, cr: 3, snapshot: 4, "": 5, ga: 5, final: 5, release: 5, sp: 6 };

function tokens(version: string): Array<number | string> {
  return (version.toLowerCase().match(/\d+|[a-z]+/g) ?? []).map((t) => (/^\d/.test(t) ? Number(t) : t));
}

function compareToken(a: number | string | undefined, b: number | string | undefined): number {
  // A missing part is a zero against a number, and a release against a qualifier (1.0 = 1.0.0 > 1.0-rc).
  const left = a ?? (typeof b === "number" ? 0 : "");
  const right = b ?? (typeof a === "number" ? 0 : "");
  if (typeof left === "number" && typeof right === "number") return left - right;
  if (typeof left === "number") return 1;
  if (typeof right === "number") return -1;
  const rank = (q: string) => qualifierRank[q] ?? 7;
  return rank(left) - rank(right) || left.localeCompare(right);
}

/** Maven's version order, for the versions repositories publish (1.2 < 1.10, 2.0-rc1 < 2.0-SNAPSHOT < 2.0). */
export function compareMavenVersions(a: string, b: string): number {
  const [left, right] = [tokens(a), tokens(b)];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const c = compareToken(left[i], right[i]);
    if (c !== 0) return c;
  }
  return 0;
}
