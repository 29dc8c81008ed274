#!/usr/bin/env bash
# Makes sure system packages and node_modules are in place; cheap when they already are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
stamp=node_modules/.citelibre-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "[setup] installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
npm run --silent build
