/**
 * Pending updates of an image's Debian packages, from a simulated upgrade (`apt-get -s dist-upgrade`) run in
 * a throw-away container against the image's own apt sources. Pure parsing here; the container is run
 * by scripts/scan/extract.ts. Security updates are what the nightly pipeline rebuilds for.
 */

export interface PendingUpdate {
  name: string;
  installed: string;
  candidate: string;
  /** Where the candidate comes from, as apt names it ("Debian-Security:12/stable-security"). */
  origins: string[];
  security: boolean;
}

export interface FreshnessReport {
  checkedAt: string;
  updates: PendingUpdate[];
  security: PendingUpdate[];
}

// Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u1 Debian-Security:12/stable-security [amd64])
const inst = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) ([^[]+?)(?: \[[^\]]+\])?\)/;

export function parseSimulatedUpgrade(output: string, checkedAt: string): FreshnessReport {
  const updates: PendingUpdate[] = [];
  for (const line of output.split("\n")) {
    const m = inst.exec(line.trim());
    if (!m?.[1] || !m[3]) continue;
    const origins = (m[4] ?? "").split(/,\s*/).map((o) => o.trim()).filter(Boolean);
    updates.push({
      name: m[1], installed: m[2] ?? "", candidate: m[3], origins,
      security: origins.some((o) => /security/i.test(o)),
    });
  }
  updates.sort((a, b) => a.name.localeCompare(b.name));
  return { checkedAt, updates, security: updates.filter((u) => u.security) };
}
