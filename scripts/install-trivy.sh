#!/usr/bin/env bash
# Installs the pinned Trivy release into a folder on PATH, verified by checksum. Used by the GitHub
# workflows; runs the same on any Linux amd64/arm64 machine with internet access.
#   TRIVY_VERSION   default: the version pinned in scripts/scan/trivy.ts
#   TRIVY_SHA256    required: the expected SHA-256 of the release archive for this machine's architecture
#                   (from a source you trust, e.g. the repository variable set when the pin was reviewed)
#   INSTALL_DIR     default: $HOME/.local/bin
# 0.69.4 was a malicious release: never install "latest" or a version without its checksum.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${TRIVY_VERSION:-$(sed -n 's/^export const pinnedTrivyVersion = "\(.*\)";$/\1/p' scripts/scan/trivy.ts)}
expected=${TRIVY_SHA256:?set TRIVY_SHA256 to the SHA-256 of trivy_${version}_Linux-<arch>.tar.gz (see docs/scanning.md)}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "TRIVY_VERSION must be X.Y.Z, not '$version'" >&2; exit 2; }
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || { echo "TRIVY_SHA256 must be 64 lowercase hex digits" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) arch=64bit ;;
  aarch64) arch=ARM64 ;;
  *) echo "no Trivy release for $(uname -m)" >&2; exit 1 ;;
esac
dir=${INSTALL_DIR:-$HOME/.local/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
archive="trivy_${version}_Linux-${arch}.tar.gz"
curl --fail --silent --show-error --location --retry 3 --output "$work/$archive" \
  "https://github.com/aquasecurity/trivy/releases/download/v${version}/${archive}"
actual=$(sha256sum "$work/$archive" | cut -d' ' -f1)
if [[ "$actual" != "$expected" ]]; then
  echo "checksum mismatch for $archive: expected $expected, got $actual; not installed" >&2
  exit 1
fi
tar -xzf "$work/$archive" -C "$work" trivy
install -D -m 0755 "$work/trivy" "$dir/trivy"
echo "installed Trivy $version ($arch) in $dir"
