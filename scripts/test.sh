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
# The engine matrix: the tests of what an engine does (build, theme-only rebuild, run and persistence,
# clean stop, the SBOM, publishing to a registry, compose, a real application with a plugin) run again on
# the Docker Engine.
engine_tests=(test/integration/bundle.test.ts test/integration/runtime.test.ts test/integration/scan.test.ts test/integration/release.test.ts test/integration/deploy.test.ts test/integration/real-application.test.ts)
reports=("$results/unit.json" "$results/integration.json")
if [[ "${CITELIBRE_ENGINE:-}" == docker ]]; then
  echo "the main run used docker already: no second docker run"
elif docker info >/dev/null 2>&1; then
  echo "== engine tests again on docker ($(docker info --format 'Docker Engine {{.ServerVersion}}'))"
  reports+=("$results/docker.json")
  CITELIBRE_ENGINE=docker npx vitest run --config vitest.integration.config.ts --reporter=default --reporter=json --outputFile="$results/docker.json" "${engine_tests[@]}" || status=1
else
  echo "SKIPPED the docker run of the engine tests: no Docker daemon answers this user (scripts/setup-host.sh starts one)"
  # CI promises both engines: there, a missing daemon is a failure, not a skip.
  if [[ -n "${CI:-}" ]]; then status=1; fi
fi

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    // A suite that fails to load has no failed test of its own: count it then, and only then.
    passed += r.numPassedTests; failed += r.numFailedTests || (r.numFailedTestSuites || 0); skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "${reports[@]}"
exit $status
