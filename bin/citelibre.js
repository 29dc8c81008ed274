#!/usr/bin/env node
// Thin launcher: the CLI is compiled to build/ by `npm ci` (prepare script) so start-up never pays for a TypeScript loader.
import { existsSync } from "node:fs";

const entry = new URL("../build/scripts/cli.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("citelibre: the CLI is not compiled yet. Run `npm ci` (or `npm run build`) in the project folder first.\n");
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
