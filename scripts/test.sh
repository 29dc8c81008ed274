#!/usr/bin/env bash
# The whole test suite: host set-up, dependencies, lint, type check, unit tests, integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "== lint"; npm run --silent lint
echo "== type check"; npm run --silent typecheck
status=0
echo "== unit tests"
npx vitest run --config vitest.config.ts --reporter=default --reporter=json --outputFile="$results/unit.json" || status=1
echo "== integration tests (real MariaDB, real Chromium, real podman)"
npx vitest run --config vitest.integration.config.ts --reporter=default --reporter=json --outputFile="$results/integration.json" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numFailedTestSuites || 0); skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/integration.json"
exit $status
