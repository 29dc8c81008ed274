import { describe, expect, it } from "vitest";
import { computeTags, imageName, rollingNightlyTag, sanitizeTag, type TagInput } from "../../../scripts/image/tags.js";

const night = new Date("2026-11-26T23:30:00Z");
const base = { theme: "citelibre", defaultTheme: "citelibre" };

const table: Array<[string, TagInput, string[]]> = [
  ["stable release, default theme", { ...base, event: { kind: "release", version: "1.0.9" } }, ["1.0.9", "1.0", "1", "latest"]],
  ["stable release with sha", { ...base, event: { kind: "release", version: "2.3.4" }, sha: "0123456789abcdef" }, ["2.3.4", "2.3", "2", "latest", "sha-0123456"]],
  ["pre-release: only its own tag", { ...base, event: { kind: "release", version: "1.1.0-rc.1" } }, ["1.1.0-rc.1"]],
  ["release of a city theme: suffixed, no latest", { theme: "exampleville", defaultTheme: "citelibre", event: { kind: "release", version: "1.0.9" } }, ["1.0.9-exampleville", "1.0-exampleville", "1-exampleville"]],
  ["pre-release of a city theme", { theme: "exampleville", defaultTheme: "citelibre", event: { kind: "release", version: "1.0.9-beta.2" } }, ["1.0.9-beta.2-exampleville"]],
  ["nightly, UTC date, no sha tag", { ...base, event: { kind: "nightly", date: night }, sha: "abcdef1" }, ["nightly", "nightly-20261126"]],
  ["nightly of a city theme", { theme: "exampleville", defaultTheme: "citelibre", event: { kind: "nightly", date: night } }, ["nightly-exampleville", "nightly-20261126-exampleville"]],
  ["branch push", { ...base, event: { kind: "branch", branch: "feature/New Theme" }, sha: "1234567" }, ["feature-new-theme", "sha-1234567"]],
  ["pull request", { ...base, event: { kind: "pull-request", number: 42 } }, ["pr-42"]],
  ["local build", { ...base, event: { kind: "local", version: "1.0.0" } }, ["1.0.0", "latest"]],
  ["local build of a city theme", { theme: "exampleville", defaultTheme: "citelibre", event: { kind: "local", version: "1.0.0" } }, ["1.0.0-exampleville"]],
];

describe("computeTags", () => {
  it.each(table)("%s", (_name, input, expected) => {
    expect(computeTags(input)).toEqual(expected);
  });

  it("refuses a version that is not semantic and a revision that is not hex", () => {
    expect(() => computeTags({ ...base, event: { kind: "release", version: "v1" } })).toThrow(/not a semantic version/);
    expect(() => computeTags({ ...base, event: { kind: "release", version: "1.0.0" }, sha: "main" })).toThrow(/not a git revision/);
  });

  it("sanitises branch names into valid tags", () => {
    expect(sanitizeTag("-Release/2026.11")).toBe("release-2026.11");
    expect(sanitizeTag("///")).toBe("unnamed");
  });

  it("names images citelibre/<bundle> with an optional registry and namespace", () => {
    expect(imageName("rendezvous")).toBe("citelibre/rendezvous");
    expect(imageName("rendezvous", { registry: "ghcr.io", namespace: "city" })).toBe("ghcr.io/city/rendezvous");
  });
});

describe("the rolling nightly tag", () => {
  it("is nightly, or nightly-<theme>, never a dated one, whatever the order", () => {
    const date = new Date("2026-12-01T03:00:00Z");
    expect(rollingNightlyTag(computeTags({ event: { kind: "nightly", date }, theme: "citelibre", defaultTheme: "citelibre" }))).toBe("nightly");
    expect(rollingNightlyTag(computeTags({ event: { kind: "nightly", date }, theme: "exampleville", defaultTheme: "citelibre" }))).toBe("nightly-exampleville");
    expect(rollingNightlyTag(["nightly-20261201-exampleville", "nightly-exampleville"])).toBe("nightly-exampleville");
    expect(rollingNightlyTag(["nightly-20261201"])).toBe("nightly");
  });
});
