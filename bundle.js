// Compiles the CLI (and the benchmark scripts) into single ESM files with esbuild.
// A few files instead of ~1,500 modules: a cold `citelibre theme build` spends most of its time in Node's
// module loader otherwise (measured: 1.14 s unbundled, 0.62 s bundled, for themes/exampleville).
import { rm } from "node:fs/promises";
import { build } from "esbuild";

// Chunk names carry content hashes: start from an empty folder so old chunks do not pile up.
await rm("build", { recursive: true, force: true });

await build({
  entryPoints: { cli: "scripts/cli.ts", "bench/theme": "scripts/bench/theme.ts", "bench/runtime": "scripts/bench/runtime.ts", "bench/bake": "scripts/bench/bake.ts", "bench/scan": "scripts/bench/scan.ts", "bench/release": "scripts/bench/release.ts", "bench/load": "scripts/bench/load.ts", "bench/real": "scripts/bench/real.ts", "tools/environment-doc": "scripts/runtime/environment-doc.ts", "tools/sass-worker": "scripts/theme/sass-worker.ts", "tools/walkthrough-screenshots": "scripts/theme/walkthrough-screenshots.ts" },
  outdir: "build",
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
