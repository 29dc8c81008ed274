import { describe, expect, it } from "vitest";
import { compareMavenVersions, versionsInMetadata } from "../../../scripts/bundle/maven-metadata.js";

describe("maven-metadata.xml", () => {
  it("lists the versions of versioning/versions only, whatever the layout", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>fr.paris.lutece</groupId><artifactId>lutece-core</artifactId>
  <version>7.0.6</version>
  <versioning>
    <latest>7.0.6</latest>
    <versions>
      <version>7.0.5</version>
      <version>
        7.0.6
      </version>
    </versions>
  </versioning>
</metadata>`;
    expect(versionsInMetadata(xml)).toEqual(["7.0.5", "7.0.6"]);
  });
  it("finds none in what is not metadata (an HTML error page, broken XML)", () => {
    expect(versionsInMetadata("<html><body><version>1</version></body></html>")).toEqual([]);
    expect(versionsInMetadata("<metadata><versioning><versions><version>1.0")).toEqual([]);
    expect(versionsInMetadata("")).toEqual([]);
  });
});

describe("Maven's version order", () => {
  it("sorts numbers as numbers and a release after its pre-releases", () => {
    const shuffled = ["1.10.0", "2.0.0", "1.2.0", "2.0.0-SNAPSHOT", "2.0.0-rc-1", "2.0.0-beta-2", "2.0.0-alpha", "2.0.0-sp1", "1.9"];
    expect([...shuffled].sort(compareMavenVersions)).toEqual(["1.2.0", "1.9", "1.10.0", "2.0.0-alpha", "2.0.0-beta-2", "2.0.0-rc-1", "2.0.0-SNAPSHOT", "2.0.0", "2.0.0-sp1"]);
  });
  it("treats missing parts as zero and qualifiers case-insensitively", () => {
    expect(compareMavenVersions("7.0", "7.0.0")).toBe(0);
    expect(compareMavenVersions("7.0.6-RC", "7.0.6-rc")).toBe(0);
    expect(compareMavenVersions("7.0.6", "7.0.6-rc")).toBeGreaterThan(0);
  });
});
