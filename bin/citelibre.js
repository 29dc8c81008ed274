#!/usr/bin/env node
// Thin launcher: `npm ci` (prepare script) bundles the CLI into build/cli.js, so start-up pays neither for a
// TypeScript loader nor for resolving a thousand modules.
import { existsSync } from "node:fs";

const entry = new URL("../build/cli.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("citelibre: the CLI is not compiled yet. Run `npm ci` (or `npm run build`) in the project folder first.\n");
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
