/**
 * bundles/<name>/bundle.yaml: one CiteLibre application assemblage (RendezVous, Service'EZ...), what its
 * site is made of, and how its image runs. A contributor adds a bundle by adding a folder.
 */
import { isImageRef, splitImageRef } from "../lib/image-ref.js";
import semver from "semver";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { inexactVersion } from "./coordinates.js";
import { parseYamlText } from "../lib/json-source.js";
import { ProblemList, UserError } from "../lib/problems.js";
import { repoPath } from "../lib/repo.js";
import { closest, validateDocument } from "../lib/validate.js";
import { namePattern } from "../lib/names.js";
import { pluginName, pluginVersion } from "./site-facts.js";

const exactVersion = z
  .string({ error: "must be a version such as 7.1.7" })
  .superRefine((v, ctx) => {
    const bad = inexactVersion(v);
    if (bad) ctx.addIssue({ code: "custom", message: `${bad}; pin an exact version (no ranges, no SNAPSHOT)` });
  });
const mavenId = z.string({ error: "must be text" }).regex(/^[A-Za-z0-9_.-]+$/, { error: "may only hold letters, digits, '.', '_' and '-'" });
const artifact = z.strictObject({
  groupId: mavenId,
  artifactId: mavenId,
  version: exactVersion,
  type: mavenId.optional(),
});
// The plugin descriptor (WEB-INF/plugins/<name>.xml) an artifact installs, when it is not a plugin-<name>
// artifact's <name> (bundle/plugins.ts: modules are checked only when they say it); false for none.
const pluginArtifact = artifact.extend({
  plugin: z.union([z.string().regex(pluginName, { error: "must be a plugin name (its descriptor's <name>)" }), z.literal(false)]).optional(),
});
const sha256 = z.string({ error: "must be a SHA-256 in hex" }).regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters (sha256sum prints it)" });
const httpUrl = z
  .string({ error: "must be a URL" })
  .refine((u) => /^(https?|file):\/\//.test(u) && URL.canParse(u), { error: "must be an http://, https:// or file:// URL" });

/** A companion's image names a version (a tag other than latest) or a digest: deployments must be reproducible. */
function isPinned(reference: string): boolean {
  const ref = splitImageRef(reference);
  return ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== "latest");
}

export const bundleSchema = z.strictObject({
  name: z.string({ error: "must be text" }).regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, { error: "must be 3 to 40 lowercase letters, digits or '-' (it names the image)" }),
  title: z.string({ error: "must be text" }).min(1).max(80),
  description: z.string({ error: "must be text" }).min(1).max(500),
  version: z.string({ error: "must be a semantic version" }).refine((v) => semver.valid(v) === v, { error: "must be a semantic version such as 1.0.0" }),
  context: z.string({ error: "must be text" }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "must be a context path without slashes, such as rendezvous" }),
  defaultTheme: z.string({ error: "must be a theme name" }).regex(namePattern, { error: "must be the name of a folder in themes/" }).default("citelibre"),
  servletContainer: z.enum(["tomcat10", "tomcat9"], { error: "must be tomcat10 or tomcat9" }).default("tomcat10"),
  site: z.union(
    [
      z.strictObject({
        build: z.strictObject({
          repositories: z.array(httpUrl).min(1, { error: "needs at least one Maven repository" }),
          parent: artifact,
          core: artifact,
          plugins: z.array(pluginArtifact).default([]),
        }),
      }),
      z.strictObject({
        war: z.union([
          z.strictObject({ url: httpUrl, sha256 }),
          z.strictObject({ coordinates: z.string({ error: "must be groupId:artifactId:version" }), repositories: z.array(httpUrl).min(1), sha256: sha256.optional() }),
        ], { error: "needs either url + sha256, or coordinates + repositories (+ sha256)" }),
      }),
    ],
    { error: "must hold either build (lutece-core and plugins to assemble) or war (a prebuilt site)" },
  ),
  env: z
    .array(z.strictObject({ name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: "must be an upper-case variable name" }), description: z.string().min(1), default: z.string().optional() }))
    .default([]),
  ports: z.array(z.strictObject({ port: z.number().int().min(1).max(65535), description: z.string().min(1) })).default([
    { port: 8080, description: "site" },
    { port: 1080, description: "caught mails" },
  ]),
  // Services a bundle can run beside it (a search engine, an identity provider). Deployments generate them
  // as optional parts: compose.<name>.yaml, k8s/companions/<name>.yaml.
  companions: z
    .array(
      z.strictObject({
        name: z.string({ error: "must be text" }).regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "must be up to 31 lowercase letters, digits or '-' (it names a service)" }),
        description: z.string({ error: "must be text" }).min(1),
        image: z
          .string({ error: "must be an image reference" })
          .refine(isImageRef, { error: "must be an image reference such as docker.io/library/solr:9.8.1" })
          .refine(isPinned, { error: "must pin a version tag or a digest (not latest): deployments must be reproducible" }),
        ports: z.array(z.number().int().min(1).max(65535)).default([]),
        environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a variable name" }), z.string()).default({}),
        // What the site needs to find the companion, added to the application's environment.
        appEnvironment: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: "must be an upper-case variable name" }), z.string()).default({}),
      }),
    )
    .default([])
    .refine((list) => new Set(list.map((c) => c.name)).size === list.length, { error: "names must be unique" })
    .refine((list) => list.every((c) => !["app", "database", "mail", "init"].includes(c.name)), { error: "app, database, mail and init are the stack's own services: pick another name" }),
  urls: z
    .strictObject({
      frontOffice: z.string().startsWith("/").default("/jsp/site/Portal.jsp"),
      backOffice: z.string().startsWith("/").default("/jsp/admin/AdminLogin.jsp"),
      // The application's own entry points (its page, its back-office screen), printed by `run` when the
      // site carries the bundle's plugins.
      application: z.string().startsWith("/").optional(),
      applicationBackOffice: z.string().startsWith("/").optional(),
    })
    .default({ frontOffice: "/jsp/site/Portal.jsp", backOffice: "/jsp/admin/AdminLogin.jsp" }),
  // Demo content (demo/*.sql), loaded on a first set-up when asked (CITELIBRE_DEMO_CONTENT=1): written for
  // one plugin's schema, at the versions it was verified on, and never over that plugin's data.
  demo: z
    .strictObject({
      description: z.string({ error: "must be text" }).min(1).max(300),
      plugin: z.string({ error: "must be a plugin name" }).regex(pluginName, { error: "must be a plugin name (its descriptor's <name>)" }),
      verifiedVersions: z.array(z.string().regex(pluginVersion, { error: "must be a plugin version" }).min(1, { error: "must be a plugin version" })).min(1, { error: "needs the plugin versions the demo content was verified on" }),
      emptyTable: z.string({ error: "must be a table name" }).regex(/^[A-Za-z0-9_]{1,64}$/, { error: "must be a table name (letters, digits, '_')" }),
    })
    .optional(),
  verification: z
    .strictObject({
      here: z.array(z.string()).default([]),
      needsLuteceRepository: z.array(z.string()).default([]),
      leftOut: z.array(z.string()).default([]),
    })
    .default({ here: [], needsLuteceRepository: [], leftOut: [] }),
});

export type BundleManifest = z.infer<typeof bundleSchema>;

export interface Bundle {
  dir: string;
  manifest: BundleManifest;
  /** SQL seeds in load order (file names sort). */
  sqlFiles: string[];
  /** Files under conf/, relative, mirrored into WEB-INF/conf/. */
  confFiles: string[];
  /** Demo content (demo/*.sql) in load order (file names sort). */
  demoFiles: string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

export function bundlesDir(): string {
  return repoPath("bundles");
}

/** A bundle by name (a folder of bundles/) or by path. */
export async function resolveBundleDir(nameOrPath: string): Promise<string> {
  if (nameOrPath.includes("/")) return path.resolve(nameOrPath);
  const dir = path.join(bundlesDir(), nameOrPath);
  if (await stat(dir).then(() => true, () => false)) return dir;
  const known = (await readdir(bundlesDir()).catch(() => [])).filter((n) => !n.startsWith("."));
  throw new UserError(`there is no bundle "${nameOrPath}"${closest(nameOrPath, known)}. Known bundles: ${known.join(", ")}.`, [], 2);
}

export async function loadBundle(dir: string): Promise<{ bundle?: Bundle; problems: ProblemList }> {
  const problems = new ProblemList();
  const file = "bundle.yaml";
  const text = await readFile(path.join(dir, file), "utf8").catch(() => undefined);
  if (text === undefined) {
    problems.error({ file, message: `${path.join(dir, file)} does not exist`, fix: "create bundle.yaml (see docs/bundles.md and bundles/rendezvous/bundle.yaml)" });
    return { problems };
  }
  const parsed = parseYamlText(text);
  if (!parsed.ok) {
    problems.error({ file, ...parsed.position, message: `is not valid YAML: ${parsed.message}`, fix: "correct the syntax at that line" });
    return { problems };
  }
  const { value: manifest, problems: schemaProblems } = validateDocument(bundleSchema, parsed.value, file, parsed.locate, "docs/bundles.md");
  problems.addAll(schemaProblems);
  if (!manifest) return { problems };
  if (manifest.name !== path.basename(dir)) {
    problems.error({ file, field: "name", message: `"${manifest.name}" differs from the folder name "${path.basename(dir)}"`, fix: "name the folder after the bundle: the CLI finds bundles by folder" });
  }
  if (!(await stat(repoPath("themes", manifest.defaultTheme)).then(() => true, () => false))) {
    problems.error({ file, field: "defaultTheme", message: `"${manifest.defaultTheme}" is not a folder of themes/`, fix: "use citelibre, or add the theme folder" });
  }
  const sqlFiles = (await listFiles(path.join(dir, "sql"))).map((f) => `sql/${f}`);
  for (const f of sqlFiles) {
    if (!f.endsWith(".sql") || f.slice(4).includes("/")) {
      problems.error({ file: f, message: "is not a .sql file directly in sql/", fix: "keep only NNN-name.sql files in sql/; they load in name order" });
    }
  }
  const confFiles = await listFiles(path.join(dir, "conf"));
  // The runtime writes these at every start (citelibre-install-war links them out of the read-only webapp).
  for (const f of confFiles.filter((c) => c === "db.properties" || c === "override/citelibre-runtime.properties")) {
    problems.error({
      file: `conf/${f}`,
      message: "is written by the runtime at every start, from the environment: a copy here would hide the container's own database and mail settings",
      fix: f === "db.properties" ? "remove it; set the connection with LUTECE_DB_* variables, and pool sizes in the WAR's own db.properties" : "remove it; put the bundle's own settings in another file of conf/override/",
    });
  }
  const demoFiles = (await listFiles(path.join(dir, "demo"))).map((f) => `demo/${f}`);
  for (const f of demoFiles) {
    if (!f.endsWith(".sql") || f.slice(5).includes("/")) problems.error({ file: f, message: "is not a .sql file directly in demo/", fix: "keep only NNN-name.sql files in demo/; they load in name order" });
  }
  if (demoFiles.length > 0 && !manifest.demo) problems.error({ file, field: "demo", message: "is missing, and demo/ holds demo content", fix: "describe it: demo: { description, plugin, verifiedVersions, emptyTable } (see docs/bundles.md)" });
  if (demoFiles.length === 0 && manifest.demo) problems.error({ file, field: "demo", message: "describes demo content, and demo/ holds no .sql file", fix: "add the demo SQL to demo/, or remove demo from bundle.yaml" });
  if (problems.hasErrors) return { problems };
  return { problems, bundle: { dir, manifest, sqlFiles, confFiles, demoFiles } };
}

export async function listBundles(): Promise<string[]> {
  const names = await readdir(bundlesDir(), { withFileTypes: true }).catch(() => []);
  return names.filter((d) => d.isDirectory()).map((d) => d.name).sort();
}
