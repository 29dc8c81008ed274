import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import { afterEach, describe, expect, it } from "vitest";
import { parseCoordinates, artifactPath } from "../../../scripts/bundle/coordinates.js";
import { listBundles, loadBundle } from "../../../scripts/bundle/manifest.js";
import { sitePom } from "../../../scripts/bundle/site-pom.js";
import { labelInstruction, renderDockerfile } from "../../../scripts/image/bake.js";
import { formatProblem } from "../../../scripts/lib/problems.js";
import { repoPath } from "../../../scripts/lib/repo.js";

describe("shipped bundles", () => {
  it("are the five CiteLibre assemblages, and all validate", async () => {
    const names = await listBundles();
    expect(names).toEqual(["contactez", "identez", "participez", "rendezvous", "serviceez"]);
    for (const name of names) {
      const { bundle, problems } = await loadBundle(repoPath("bundles", name));
      expect(problems.items.map(formatProblem), name).toEqual([]);
      expect(bundle?.manifest.name).toBe(name);
      expect(bundle?.sqlFiles).toContain("sql/000-core-datastore.sql");
    }
  });

  it("generate well-formed site POMs with every version pinned", async () => {
    for (const name of await listBundles()) {
      const { bundle } = await loadBundle(repoPath("bundles", name));
      const m = bundle!.manifest;
      if (!("build" in m.site)) continue;
      const pom = sitePom({ ...m, site: m.site });
      const errors: string[] = [];
      const doc = new DOMParser({ onError: (level, msg) => { if (level !== "warning") errors.push(msg); } }).parseFromString(pom, "text/xml");
      expect(errors, name).toEqual([]);
      const versions = Array.from(doc.getElementsByTagName("version")).map((v) => v.textContent ?? "");
      expect(versions.length).toBe(m.site.build.plugins.length + 3);
      for (const v of versions) expect(v, `${name} ${v}`).toMatch(/^\d[\w.-]*$/);
      expect(pom).not.toMatch(/SNAPSHOT/);
      expect(pom).toContain(`<artifactId>lutece-core</artifactId>\n      <version>${m.site.build.core.version}</version>`);
    }
  });
});

describe("Maven coordinates", () => {
  it("accept exact versions and lay out the repository path", () => {
    const c = parseCoordinates("fr.paris.lutece.plugins:plugin-appointment:3.0.8:lutece-plugin");
    expect(c).toMatchObject({ artifactId: "plugin-appointment", version: "3.0.8" });
    if (!("error" in c)) expect(artifactPath(c)).toBe("fr/paris/lutece/plugins/plugin-appointment/3.0.8/plugin-appointment-3.0.8.jar");
  });

  it.each([
    ["g:a:[1.0,2.0)", /version range/],
    ["g:a:1.0-SNAPSHOT", /SNAPSHOT/],
    ["g:a:LATEST", /moving version/],
    ["g:a", /not groupId:artifactId:version/],
    ["g/x:a:1.0", /groupId .* may only hold/],
  ])("refuse %s", (text, message) => {
    const c = parseCoordinates(text);
    expect("error" in c && c.error).toMatch(message);
  });
});

describe("bundle Dockerfiles", () => {
  it("quote labels safely in one instruction", () => {
    const text = renderDockerfile("FROM {{siteImage}}\nCOPY theme/ /\n{{labelInstruction}}\n", { siteImage: "s" }, { "x.description": 'He said "hi"\nand $HOME \\ left' });
    expect(text).toContain('LABEL "x.description"="He said \\"hi\\" and \\$HOME \\\\ left"');
    expect(labelInstruction({ b: "2", a: "1" })).toBe('LABEL "a"="1" \\\n      "b"="2"');
  });

  it("order base, WAR, bundle in the site image, and put the theme alone on top", async () => {
    const siteTemplate = await readFile(repoPath("images/templates/bundle-site.Dockerfile.hbs"), "utf8");
    const sha = "e".repeat(64);
    const site = renderDockerfile(siteTemplate, { bundle: "b", baseImage: "localhost/citelibre/base:bookworm", baseId: "a".repeat(64), context: "ctx", siteDigest: sha, mounts: "yes" });
    // Named in FROM (BuildKit refuses an image ID there); the ID is in the file, so a new base is a new site image.
    expect(site).toContain("a".repeat(64));
    expect(site).not.toMatch(/^FROM [0-9a-f]{64}/m);
    const order = ["FROM localhost/citelibre/base:bookworm", "RUN --mount=type=bind,source=site/site.war,target=/tmp/site.war", `citelibre-install-war /tmp/site.war "ctx" ${sha}`, "COPY bundle/ /"].map((s) => site.indexOf(s));
    expect(order.every((pos, i) => pos >= 0 && (i === 0 || pos > (order[i - 1] ?? 0)))).toBe(true);
    // The WAR is mounted for the step that unpacks it, never copied into a layer of its own.
    expect(site).not.toMatch(/^(COPY|ADD) .*site\.war/m);
    expect(site).not.toContain("theme/");
    // Without BuildKit (docker without buildx): installed in a first stage, of which the final image
    // takes only what the install wrote, so no layer of it holds the WAR either.
    const staged = renderDockerfile(siteTemplate, { bundle: "b", baseImage: "localhost/citelibre/base:bookworm", baseId: "a".repeat(64), context: "ctx", siteDigest: sha, mounts: "" });
    expect(staged).not.toContain("--mount");
    const stages = staged.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^localhost\/citelibre\/base:bookworm AS install\nCOPY site\/site\.war \/tmp\/site\.war\nRUN citelibre-install-war \/tmp\/site\.war "ctx" e{64}/);
    const final = stages[1] ?? "";
    expect(final).not.toMatch(/site\.war/);
    expect(final.split("\n").filter((l) => /^[A-Z]+ /.test(l))).toEqual([
      "COPY --from=install /opt/citelibre/tomcat/webapps/ /opt/citelibre/tomcat/webapps/",
      "COPY --from=install /opt/citelibre/site/ /opt/citelibre/site/",
      "COPY bundle/ /",
    ]);
    const themeTemplate = await readFile(repoPath("images/templates/bundle.Dockerfile.hbs"), "utf8");
    const theme = renderDockerfile(themeTemplate, { bundle: "b", theme: "t", siteImage: "localhost/citelibre-cache/b-site:1" }, { a: "1" });
    const instructions = theme.split("\n").filter((l) => /^[A-Z]+ /.test(l)).map((l) => l.split(" ")[0]);
    expect(instructions).toEqual(["FROM", "COPY", "LABEL"]);
  });
});

type Mutation = (yaml: string) => string;
const bad: Array<[string, Mutation, RegExp]> = [
  ["missing name", (y) => y.replace(/^name: .*\n/m, ""), /bundle\.yaml:\d+:\d+ \(document\)|name: is required but missing/],
  ["misspelt key", (y) => y.replace("defaultTheme:", "defaultTheem:"), /defaultTheem: is not a known key.*\n.*did you mean defaultTheme\?/],
  ["version range", (y) => y.replace('version: "3.0.8"', 'version: "[3.0.8,)"'), /site.*version: "\[3\.0\.8,\)" is a version range; pin an exact version/],
  ["SNAPSHOT", (y) => y.replace('version: "3.0.8"', 'version: "3.0.9-SNAPSHOT"'), /is a SNAPSHOT/],
  ["not semver", (y) => y.replace(/^version: 1\.0\.0$/m, "version: one"), /version: must be a semantic version/],
  ["bad context path", (y) => y.replace("context: rendezvous", "context: /rendez/vous"), /context: must be a context path without slashes/],
  ["unknown servlet container", (y) => y.replace("servletContainer: tomcat10", "servletContainer: jetty"), /servletContainer: must be tomcat10 or tomcat9/],
  ["unknown default theme", (y) => y.replace("defaultTheme: citelibre", "defaultTheme: atlantis"), /defaultTheme: "atlantis" is not a folder of themes\//],
  ["site with neither build nor war", (y) => y.replace(/site:\n {2}build:/, "site:\n  nothing: true\n  build:"), /site\.nothing: is not a known key\n.*valid keys here: build, war/],
  ["war without checksum", (y) => y.replace(/site:\n(?: {2,}.*\n)+/, 'site:\n  war:\n    url: https://example.test/site.war\n'), /site/],
  ["repository that is not a URL", (y) => y.replace(/ {6}- https:\/\/dev\.lutece\.paris\.fr\/maven_repository/, "      - dev.lutece"), /repositories\.0: must be an http:\/\/, https:\/\/ or file:\/\/ URL/],
  ["name differs from folder", (y) => y.replace("name: rendezvous", "name: rdv"), /name: "rdv" differs from the folder name "rendezvous"/],
  ["YAML syntax", (y) => `${y}\n  - broken: [\n`, /bundle\.yaml:\d+:\d+ is not valid YAML/],
  ["companion on latest", (y) => `${y}\ncompanions:\n  - { name: solr, description: search, image: "docker.io/library/solr:latest" }\n`, /companions\.0\.image: must pin a version tag or a digest/],
  ["companion without a tag", (y) => `${y}\ncompanions:\n  - { name: solr, description: search, image: "docker.io/library/solr" }\n`, /companions\.0\.image: must pin a version tag or a digest/],
  ["companion image that breaks the grammar", (y) => `${y}\ncompanions:\n  - { name: solr, description: search, image: "docker.io/library/so..lr:9.8.1" }\n`, /companions\.0\.image: must be an image reference such as docker\.io\/library\/solr:9\.8\.1/],
  ["companion on a registry port, without a tag", (y) => `${y}\ncompanions:\n  - { name: solr, description: search, image: "registry.city.example:5000/solr" }\n`, /companions\.0\.image: must pin a version tag or a digest/],
  ["companion named like a stack service", (y) => `${y}\ncompanions:\n  - { name: database, description: x, image: "mariadb:11.4" }\n`, /companions: app, database, mail and init are the stack's own services/],
];

describe("broken bundle manifests", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  it("accept a companion from a city's own registry on a port, pinned by tag or digest", async () => {
    root = await mkdtemp(path.join(tmpdir(), "citelibre-bundle-"));
    const dir = path.join(root, "rendezvous");
    await cp(repoPath("bundles/rendezvous"), dir, { recursive: true });
    const file = path.join(dir, "bundle.yaml");
    const images = ["registry.city.example:5000/search/solr:9.8.1", `127.0.0.1:5000/solr@sha256:${"a".repeat(64)}`];
    await writeFile(file, `${await readFile(file, "utf8")}\ncompanions:\n${images.map((image, i) => `  - { name: c${String(i)}, description: search, image: "${image}" }`).join("\n")}\n`);
    const { bundle, problems } = await loadBundle(dir);
    expect(problems.items.map(formatProblem)).toEqual([]);
    expect(bundle?.manifest.companions.map((c) => c.image)).toEqual(images);
  });

  it.each(bad)("%s", async (_name, mutate, expected) => {
    root = await mkdtemp(path.join(tmpdir(), "citelibre-bundle-"));
    const dir = path.join(root, "rendezvous");
    await cp(repoPath("bundles/rendezvous"), dir, { recursive: true });
    const file = path.join(dir, "bundle.yaml");
    await writeFile(file, mutate(await readFile(file, "utf8")));
    const { bundle, problems } = await loadBundle(dir);
    expect(bundle).toBeUndefined();
    const text = problems.items.map(formatProblem).join("\n");
    expect(text).toMatch(expected);
    expect(text).toMatch(/fix: /);
  });
});

describe("bundle conf/ files", () => {
  it.each([
    ["db.properties", /conf\/db\.properties is written by the runtime at every start[\s\S]*set the connection with LUTECE_DB_\* variables/],
    ["override/citelibre-runtime.properties", /conf\/override\/citelibre-runtime\.properties is written by the runtime[\s\S]*another file of conf\/override/],
  ])("refuses %s, which the runtime writes", async (file, expected) => {
    const root = await mkdtemp(path.join(tmpdir(), "citelibre-bundle-"));
    try {
      const dir = path.join(root, "rendezvous");
      await cp(repoPath("bundles/rendezvous"), dir, { recursive: true });
      await mkdir(path.dirname(path.join(dir, "conf", file)), { recursive: true });
      await writeFile(path.join(dir, "conf", file), "portal.user=root\n");
      await writeFile(path.join(dir, "conf", "override-ok.properties"), "x=1\n");
      const { bundle, problems } = await loadBundle(dir);
      expect(bundle).toBeUndefined();
      expect(problems.items.map(formatProblem).join("\n")).toMatch(expected);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
