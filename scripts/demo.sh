#!/usr/bin/env bash
# The main job on the embedded defaults: build and start the demo site (RendezVous in the neutral
# CiteLibre theme), then print its URLs. Ctrl-C stops it; the data stays in a named volume.
# Where the Lutece Maven repository is unreachable, the image carries the stand-in site and says so.
#   npm run demo                          RendezVous, theme citelibre
#   npm run demo -- themes/exampleville   the same site in another theme
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
theme=${1:-themes/citelibre}
node bin/citelibre.js theme check "$theme"
exec node bin/citelibre.js run rendezvous --theme "$theme" --stand-in-if-unreachable "${@:2}"
