/**
 * Maven coordinates, exact versions only: a release must be rebuilt from the same bytes tomorrow,
 * which ranges ([7.1,)), LATEST/RELEASE and SNAPSHOT versions cannot promise.
 */
export interface Coordinates {
  groupId: string;
  artifactId: string;
  version: string;
  /** Packaging of the file: war, jar, pom, or Lutece's lutece-plugin / lutece-core (which are jars). */
  type: string;
  classifier?: string;
}

const idPattern = /^[A-Za-z0-9_.-]+$/;

/** Why a version is not exact, or undefined when it is. */
export function inexactVersion(version: string): string | undefined {
  if (/[[\](),]/.test(version)) return `"${version}" is a version range`;
  if (/^(LATEST|RELEASE)$/i.test(version)) return `"${version}" is a moving version`;
  if (/-SNAPSHOT$/i.test(version)) return `"${version}" is a SNAPSHOT, which changes without notice`;
  if (!/^[0-9A-Za-z][0-9A-Za-z._-]*$/.test(version)) return `"${version}" is not a version`;
  return undefined;
}

/** Parses "groupId:artifactId:version[:type[:classifier]]". */
export function parseCoordinates(text: string, defaultType = "war"): Coordinates | { error: string } {
  const parts = text.split(":");
  if (parts.length < 3 || parts.length > 5) return { error: `"${text}" is not groupId:artifactId:version[:type[:classifier]]` };
  const [groupId = "", artifactId = "", version = "", type = defaultType, classifier] = parts;
  for (const [name, value] of [["groupId", groupId], ["artifactId", artifactId], ["type", type]] as const) {
    if (!idPattern.test(value)) return { error: `${name} "${value}" may only hold letters, digits, '.', '_' and '-'` };
  }
  const bad = inexactVersion(version);
  if (bad) return { error: `${bad}: give an exact version` };
  if (classifier !== undefined && !idPattern.test(classifier)) return { error: `classifier "${classifier}" is not valid` };
  return { groupId, artifactId, version, type, ...(classifier ? { classifier } : {}) };
}

export function formatCoordinates(c: Coordinates): string {
  return [c.groupId, c.artifactId, c.version, c.type, ...(c.classifier ? [c.classifier] : [])].join(":");
}

/** File extension of a packaging type: Lutece plugins and core are jars. */
export function extensionOf(type: string): string {
  return type === "lutece-plugin" || type === "lutece-core" || type === "jar" ? "jar" : type;
}

/** Path of the artifact in a Maven repository layout. */
export function artifactPath(c: Coordinates): string {
  const file = `${c.artifactId}-${c.version}${c.classifier ? `-${c.classifier}` : ""}.${extensionOf(c.type)}`;
  return [...c.groupId.split("."), c.artifactId, c.version, file].join("/");
}

export function metadataPath(c: Pick<Coordinates, "groupId" | "artifactId">): string {
  return [...c.groupId.split("."), c.artifactId, "maven-metadata.xml"].join("/");
}
