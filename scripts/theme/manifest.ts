import { sha256 } from "../lib/hash.js";
import type { FileTree } from "../lib/tree.js";

export interface OverlayFile {
  path: string;
  size: number;
  sha256: string;
}

/** The overlay's description, read by later stages (bake, scan): no timestamps, so equal input gives equal bytes. */
export interface OverlayManifest {
  schemaVersion: 1;
  generator: string;
  theme: { name: string; version: string; displayName: string };
  tokensDigest: string;
  /** Digest of the whole overlay: changes whenever any file changes. */
  digest: string;
  roots: { webapp: string; luteceSkin: string; runtime: string; sql: string; keycloak: string };
  files: OverlayFile[];
}

export function overlayManifest(tree: FileTree, theme: OverlayManifest["theme"], tokensDigest: string, generator: string): OverlayManifest {
  const files = [...tree]
    .filter(([p]) => p !== "manifest.json")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, content]) => ({ path: p, size: content.length, sha256: sha256(content) }));
  const digest = sha256(files.map((f) => `${f.sha256}  ${f.path}\n`).join(""));
  return {
    schemaVersion: 1,
    generator,
    theme,
    tokensDigest,
    digest: `sha256:${digest}`,
    roots: { webapp: "webapp/", luteceSkin: "lutece-skin/", runtime: "runtime/site.properties", sql: "sql/theme.sql", keycloak: `keycloak/themes/${theme.name}/` },
    files,
  };
}
