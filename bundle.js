// Compiles the CLI (and the benchmark scripts) into single ESM files with esbuild.
// A few files instead of ~1,500 modules: a cold `citelibre theme build` spends most of its time in Node's
// module loader otherwise (measured: 1.14 s unbundled, 0.62 s bundled, for themes/exampleville).
//
// Each build goes to a folder of its own under .cache/builds, and `build` is a link moved onto it in one
// rename. A CLI already running from an earlier build (a demo) keeps loading its own chunks, because
// Node resolves modules through the link to their real folder; a half-written build is never seen. A
// lock keeps two builds (the test suites' set-up, npm run build) from running at once.
import { lstat, mkdir, readdir, realpath, rename, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import lockfile from "proper-lockfile";

const root = import.meta.dirname;
const builds = path.join(root, ".cache", "builds");
const link = path.join(root, "build");
// Older builds are kept for CLIs still running from them, a few at most.
const buildsKept = 3;

await mkdir(builds, { recursive: true });
const unlock = await lockfile.lock(builds, { retries: { retries: 240, minTimeout: 250, maxTimeout: 1000 }, stale: 60_000 });
const outdir = path.join(builds, `${Date.now()}-${process.pid}`);
try {
  await build({
    entryPoints: { cli: "scripts/cli.ts", "bench/theme": "scripts/bench/theme.ts", "bench/runtime": "scripts/bench/runtime.ts", "bench/bake": "scripts/bench/bake.ts", "bench/scan": "scripts/bench/scan.ts", "bench/release": "scripts/bench/release.ts", "bench/load": "scripts/bench/load.ts", "bench/real": "scripts/bench/real.ts", "tools/environment-doc": "scripts/runtime/environment-doc.ts", "tools/sass-worker": "scripts/theme/sass-worker.ts", "tools/walkthrough-screenshots": "scripts/theme/walkthrough-screenshots.ts" },
    absWorkingDir: root,
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Prefer packages' ESM builds: some UMD builds (jsonc-parser) use require() paths esbuild cannot follow.
    mainFields: ["module", "main"],
    // Native addons and the browser driver stay in node_modules and load only when needed.
    // Optional peers of @cyclonedx/cyclonedx-library (XML output and schema validation) that the CLI
    // never calls: left to runtime resolution instead of failing the bundle.
    external: ["sharp", "lightningcss", "playwright-core", "libxmljs2", "xmlbuilder2", "ajv", "ajv-formats", "ajv-formats-draft2019"],
    // Each command's code is a chunk loaded when the command runs, so `theme build` does not pay for
    // parsing the image, bundle and engine code (nor loading sharp for `--help`).
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked",
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: "warning",
  });
  await moveLinkTo(outdir);
} catch (error) {
  // Only a build that never went live is removed: once the link points at it, it is the build.
  if (!(await isLive(outdir))) await rm(outdir, { recursive: true, force: true });
  throw error;
} finally {
  await unlock();
}
await pruneOldBuilds().catch((error) => {
  console.warn(`bundle.js: older builds in ${builds} were not all removed (${error.message}); they only take room`);
});

async function moveLinkTo(dir) {
  const nextLink = `${link}.next-${process.pid}`;
  try {
    await rm(nextLink, { force: true });
    await symlink(path.relative(root, dir), nextLink);
    // A `build` folder from before the links cannot be replaced by a rename: it goes first.
    if ((await lstat(link).catch(() => undefined))?.isDirectory()) await rm(link, { recursive: true, force: true });
    await rename(nextLink, link);
  } finally {
    await rm(nextLink, { force: true });
  }
}

async function isLive(dir) {
  return (await realpath(link).catch(() => undefined)) === (await realpath(dir).catch(() => dir));
}

/** The newest builds stay for CLIs still running from them; the live one always stays. */
async function pruneOldBuilds() {
  const live = await realpath(link).catch(() => undefined);
  const byAge = (await readdir(builds)).filter((name) => /^\d+-\d+$/.test(name)).sort((a, b) => Number(a.split("-")[0]) - Number(b.split("-")[0]));
  for (const old of byAge.slice(0, -buildsKept)) {
    const dir = path.join(builds, old);
    if ((await realpath(dir).catch(() => dir)) !== live) await rm(dir, { recursive: true, force: true });
  }
}
