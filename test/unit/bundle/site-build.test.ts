import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundle, type Bundle } from "../../../scripts/bundle/manifest.js";
import { ArtifactError } from "../../../scripts/bundle/maven.js";
import { siteBuildInputs } from "../../../scripts/bundle/site-build.js";
import { resolveSite } from "../../../scripts/bundle/site.js";
import { readSiteDigest } from "../../../scripts/bundle/site-facts.js";
import { mavenErrors } from "../../../scripts/image/site-builder.js";
import { repoPath } from "../../../scripts/lib/repo.js";
import { startMavenRepo, type TestRepo } from "../../helpers/maven-repo.js";
import { writeZip } from "../../helpers/zip.js";

let repo: TestRepo;
let work: string;
let template: string;

async function bundleWithRepository(url: string): Promise<Bundle> {
  const dir = path.join(work, Math.random().toString(36).slice(2), "rendezvous");
  await cp(repoPath("bundles/rendezvous"), dir, { recursive: true });
  const file = path.join(dir, "bundle.yaml");
  await writeFile(file, (await readFile(file, "utf8")).replace(/https:\/\/dev\.lutece\.paris\.fr\/maven_repository/g, url));
  const { bundle } = await loadBundle(dir);
  if (!bundle) throw new Error("the copied bundle does not load");
  return bundle;
}

beforeAll(async () => {
  repo = await startMavenRepo();
  await repo.publish("fr.paris.lutece", "lutece-core", "7.1.7-beta-01", Buffer.from("core"));
  work = await mkdtemp(path.join(tmpdir(), "citelibre-site-build-"));
  template = await readFile(repoPath("images/templates/site-builder.Dockerfile.hbs"), "utf8");
});
afterAll(async () => {
  await repo.close();
  await rm(repo.dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe("the Maven builder stage of site.build bundles", () => {
  it("builds the generated POM with lutece:site-assembly on the chosen builder image", async () => {
    const { bundle } = await loadBundle(repoPath("bundles/rendezvous"));
    if (!bundle) throw new Error("rendezvous does not load");
    const inputs = siteBuildInputs(bundle, template, "localhost/citelibre/debian-bootstrap:bookworm");
    expect(inputs.dockerfile).toMatch(/^FROM localhost\/citelibre\/debian-bootstrap:bookworm$/m);
    expect(inputs.dockerfile).toMatch(/apt-get install -y --no-install-recommends maven openjdk-17-jdk-headless/);
    expect(inputs.dockerfile).toMatch(/RUN --mount=type=cache,target=\/root\/.m2\/repository/);
    expect(inputs.dockerfile).toMatch(/mvn .*lutece:site-assembly/);
    expect(inputs.dockerfile).toContain("cp \"$1\" /site/site.war");
    expect(inputs.pom).toContain("<artifactId>plugin-appointment</artifactId>");
  });

  it("keys the built WAR on the plugin list and the builder, so only a real change rebuilds it", async () => {
    const a = await bundleWithRepository(repo.url);
    const same = siteBuildInputs(a, template, "img").key;
    expect(siteBuildInputs(a, template, "img").key).toBe(same);
    expect(siteBuildInputs(a, template, "other").key).not.toBe(same);
    if (!("build" in a.manifest.site)) throw new Error("rendezvous is expected to be a site.build bundle");
    const changed: Bundle = { ...a, manifest: { ...a.manifest, site: { build: { ...a.manifest.site.build, plugins: [] } } } };
    expect(siteBuildInputs(changed, template, "img").key).not.toBe(same);
  });

  it("keeps Maven's own error lines and drops its boilerplate", () => {
    const said = mavenErrors([
      "[INFO] Scanning for projects...",
      "[ERROR] [ERROR] Some problems were encountered while processing the POMs:",
      "[ERROR]     Non-resolvable parent POM for fr.citelibre.sites:site-rendezvous:1.0.0: Could not find artifact fr.paris.lutece.tools:lutece-site-pom:pom:3.2.2",
      "[ERROR] ",
      "[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.",
      "[ERROR] Re-run Maven using the -X switch to enable full debug logging.",
      "[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/ProjectBuildingException",
    ]);
    expect(said?.split("\n")).toEqual([
      "Maven said:",
      "  [ERROR] [ERROR] Some problems were encountered while processing the POMs:",
      "  [ERROR]     Non-resolvable parent POM for fr.citelibre.sites:site-rendezvous:1.0.0: Could not find artifact fr.paris.lutece.tools:lutece-site-pom:pom:3.2.2",
    ]);
    expect(mavenErrors(["[INFO] BUILD SUCCESS"])).toBeUndefined();
  });
});

describe("site resolution for site.build bundles", () => {
  const options = { cacheDir: path.join(tmpdir(), "citelibre-unused-cache"), packedSitesDir: path.join(tmpdir(), "citelibre-unused-sites") };
  let builtWar: string;
  beforeAll(async () => {
    builtWar = path.join(await mkdtemp(path.join(tmpdir(), "citelibre-built-")), "site.war");
    await writeZip(builtWar, { "WEB-INF/web.xml": "<web-app/>" });
  });

  it("hands the bundle to the builder stage when the repository answers", async () => {
    const bundle = await bundleWithRepository(repo.url);
    const built = { file: builtWar, sha256: "a".repeat(64) };
    const seen: string[] = [];
    const site = await resolveSite(bundle, { ...options, assemble: (b) => { seen.push(b.manifest.name); return Promise.resolve(built); } });
    expect(seen).toEqual(["rendezvous"]);
    expect(site).toEqual({ ...built, digest: await readSiteDigest(builtWar), source: "assembled with Maven from bundles/rendezvous/bundle.yaml", standIn: false });
  });

  it("says the repository is unreachable before starting Maven, and the demo falls back to the stand-in", async () => {
    const bundle = await bundleWithRepository("http://127.0.0.1:9/repo/");
    let called = false;
    const assemble = () => { called = true; return Promise.resolve({ file: "", sha256: "" }); };
    const error = await resolveSite(bundle, { ...options, assemble }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).kind).toBe("unreachable");
    expect((error as Error).message).toMatch(/unreachable from here.*--site-war/s);
    expect(called).toBe(false);
    const fallback = await resolveSite(bundle, { ...options, assemble, standInIfUnreachable: true });
    expect(fallback.standIn).toBe(true);
  });

  it("offline, does not probe the repository and lets the builder serve an earlier WAR", async () => {
    const bundle = await bundleWithRepository("http://127.0.0.1:9/repo/");
    const modes: boolean[] = [];
    await resolveSite(bundle, { ...options, offline: true, assemble: (_b, o) => { modes.push(o.offline); return Promise.resolve({ file: builtWar, sha256: "b".repeat(64) }); } });
    expect(modes).toEqual([true]);
  });
});
