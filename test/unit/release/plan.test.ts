import { describe, expect, it } from "vitest";
import { dryRunLines, planRelease, type PlanInputs } from "../../../scripts/release/plan.js";

const now = new Date("2026-11-26T02:17:00Z");
const inputs = (over: Partial<PlanInputs> = {}): PlanInputs => ({
  bundles: [
    { name: "rendezvous", dir: "/b/rendezvous", version: "1.0.0", defaultTheme: "citelibre", servlet: "tomcat10" },
    { name: "legacy", dir: "/b/legacy", version: "2.1.0", defaultTheme: "citelibre", servlet: "tomcat9" },
    { name: "participez", dir: "/b/participez", version: "0.3.0", defaultTheme: "citelibre", servlet: "tomcat10" },
  ],
  themes: [{ name: "citelibre", dir: "/t/citelibre" }, { name: "saint-aubin", dir: "/t/st-aubin-folder" }],
  revision: "61497d2aa",
  env: {},
  nightly: false,
  now,
  registries: [],
  platforms: ["linux/amd64"],
  hostArch: "x64",
  ...over,
});

describe("the release plan", () => {
  it("has one entry per bundle x theme, tagged with the bundle's version and the theme's own name", () => {
    const plan = planRelease(inputs());
    expect(plan.mode).toBe("local");
    expect(plan.entries.map((p) => [p.entry.bundle, p.entry.theme, p.themeDir, p.entry.image])).toEqual([
      ["rendezvous", "citelibre", "/t/citelibre", "citelibre/rendezvous:1.0.0"],
      ["rendezvous", "saint-aubin", "/t/st-aubin-folder", "citelibre/rendezvous:1.0.0-saint-aubin"],
      ["legacy", "citelibre", "/t/citelibre", "citelibre/legacy:2.1.0"],
      ["legacy", "saint-aubin", "/t/st-aubin-folder", "citelibre/legacy:2.1.0-saint-aubin"],
      ["participez", "citelibre", "/t/citelibre", "citelibre/participez:0.3.0"],
      ["participez", "saint-aubin", "/t/st-aubin-folder", "citelibre/participez:0.3.0-saint-aubin"],
    ]);
    expect(plan.entries.every((p) => p.entry.status === "planned" && p.lastNightly === undefined)).toBe(true);
  });

  it("builds each servlet container's base once, in the order the matrix first needs it", () => {
    expect(planRelease(inputs()).bases.map((b) => [b.servlet, b.sample.entry.bundle])).toEqual([["tomcat10", "rendezvous"], ["tomcat9", "legacy"]]);
  });

  it("compares a nightly entry with its rolling nightly on the first registry, never a dated one", () => {
    const plan = planRelease(inputs({ nightly: true, registries: ["127.0.0.1:5000/city", "ghcr.io/citelibre"] }));
    expect(plan.mode).toBe("nightly");
    expect(plan.entries.map((p) => p.lastNightly)).toEqual([
      "127.0.0.1:5000/city/rendezvous:nightly", "127.0.0.1:5000/city/rendezvous:nightly-saint-aubin",
      "127.0.0.1:5000/city/legacy:nightly", "127.0.0.1:5000/city/legacy:nightly-saint-aubin",
      "127.0.0.1:5000/city/participez:nightly", "127.0.0.1:5000/city/participez:nightly-saint-aubin",
    ]);
    expect(planRelease(inputs({ nightly: true })).entries.every((p) => p.lastNightly === undefined)).toBe(true);
  });

  it("reads the event from the environment it is given, not from the process", () => {
    const plan = planRelease(inputs({ env: { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/tags/v3.0.0" } }));
    expect(plan.mode).toBe("release");
    expect(plan.entries[0]!.entry.tags).toEqual(["3.0.0", "3.0", "3", "latest", "sha-61497d2"]);
  });

  it("refuses a bad registry or a platform list without this host's before anything runs", () => {
    expect(() => planRelease(inputs({ registries: ["citelibre"] }))).toThrow(/--registry "citelibre" does not start with a registry host/);
    expect(() => planRelease(inputs({ platforms: ["linux/arm64"] }))).toThrow(/--platforms must include this host's platform \(linux\/amd64\)/);
  });

  it("builds the other platforms under emulation beside this host's, and says so in the dry run", () => {
    const plan = planRelease(inputs({ platforms: ["linux/amd64", "linux/arm64"], registries: ["ghcr.io/citelibre"], bundles: inputs().bundles.slice(0, 1), themes: inputs().themes.slice(0, 1) }));
    expect(plan.foreignPlatforms).toEqual(["linux/arm64"]);
    expect(dryRunLines(plan)).toEqual([
      "rendezvous x citelibre (linux/amd64, linux/arm64): 1.0.0, latest, sha-61497d2\n    -> ghcr.io/citelibre/rendezvous:1.0.0\n    -> ghcr.io/citelibre/rendezvous:latest\n    -> ghcr.io/citelibre/rendezvous:sha-61497d2",
    ]);
    expect(dryRunLines(planRelease(inputs({ bundles: inputs().bundles.slice(0, 1), themes: inputs().themes.slice(0, 1) })))).toEqual(["rendezvous x citelibre: 1.0.0, latest, sha-61497d2  (no --registry: build and scan only)"]);
  });
});
