#!/usr/bin/env bash
# The release the GitHub workflows run (npm run release:nightly / release:tag), also runnable by hand with
# the same variables: DOCKERHUB_NAMESPACE and/or GHCR_NAMESPACE name the destinations; credentials come
# from CITELIBRE_REGISTRY_<HOST>_USER / _PASSWORD (see docs/publishing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: release-ci.sh nightly|tag}
registries=()
if [[ -n "${DOCKERHUB_NAMESPACE:-}" ]]; then registries+=(--registry "docker.io/${DOCKERHUB_NAMESPACE,,}"); fi
if [[ -n "${GHCR_NAMESPACE:-}" ]]; then registries+=(--registry "ghcr.io/${GHCR_NAMESPACE,,}"); fi
if (( ${#registries[@]} == 0 )); then
  echo "release-ci.sh: set DOCKERHUB_NAMESPACE and/or GHCR_NAMESPACE to say where the images go" >&2
  exit 2
fi
flags=(--sign cosign --require-trivy)
case "$mode" in
  nightly) flags+=(--nightly) ;;
  tag) ;;
  *) echo "release-ci.sh: the mode is nightly or tag, not '$mode'" >&2; exit 2 ;;
esac
exec node bin/citelibre.js release "${flags[@]}" "${registries[@]}"
