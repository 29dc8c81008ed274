/**
 * npm run docs:environment: writes ENVIRONMENT.md's table from environment.yaml. With --check, changes
 * nothing and exits 1 when the table is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { environmentDoc, loadRuntimeContract, withEnvironmentTable } from "./contract.js";

const current = readFileSync(environmentDoc, "utf8");
const wanted = withEnvironmentTable(current, loadRuntimeContract());
if (current === wanted) {
  console.log(`${environmentDoc} is up to date`);
} else if (process.argv.includes("--check")) {
  console.error(`${environmentDoc} is out of date with environment.yaml: run npm run docs:environment`);
  process.exitCode = 1;
} else {
  writeFileSync(environmentDoc, wanted);
  console.log(`wrote ${environmentDoc}`);
}
