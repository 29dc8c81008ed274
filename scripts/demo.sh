#!/usr/bin/env bash
# The main job on the embedded default: build the neutral CiteLibre theme and show it (page and screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
theme=${1:-themes/citelibre}
node bin/citelibre.js theme check "$theme"
node bin/citelibre.js theme preview "$theme"
echo
echo "Open the preview page above in a browser, or look at the two PNG screenshots."
echo "To rebrand: npx citelibre theme new <your-city>, edit themes/<your-city>/, then: npm run demo -- themes/<your-city>"
