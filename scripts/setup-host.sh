#!/usr/bin/env bash
# Installs the system packages the CiteLibre Forge pipeline and its tests need, on Debian 12 / Ubuntu 22.04+.
# Idempotent: it installs only what is missing and does nothing (quickly) when everything is there.
# Run as root, or as a user with sudo.
set -euo pipefail

# What each package is for:
#   chromium, fonts-dejavu-core      theme previews and browser tests (headless, driven by playwright-core)
#   mariadb-server, mariadb-client   the integration test that loads theme.sql into a real core_datastore
#   podman, buildah, skopeo, runc,   the container engine (rootful), its image tools and an OCI runtime
#   uidmap, fuse-overlayfs, slirp4netns
#   golang-...-plugin-dnsname,       container names resolve on podman networks (CNI backend)
#   dnsmasq-base
#   mmdebstrap                       builds the Debian root filesystem of the base image without a registry
#   openjdk-17-jdk-headless,         compile the stand-in site (images/stand-in-site: javax Servlet 4, like Lutece 7)
#   libservlet-api-java, libmariadb-java
#   docker-registry                  a real OCI registry on 127.0.0.1 for the publish and release tests
#   gnupg                            GPG simple signing of published images (podman --sign-by)
#   podman-compose                   runs the generated compose stacks (deploy compose)
#   docker.io, docker-compose        the Docker Engine (and Debian's compose 1.29) beside podman, where no
#                                    Docker Engine is installed already (docker-ce conflicts with docker.io):
#                                    every engine test runs on both (scripts/test.sh)
#   catatonit                        the pause process podman builds its pod infra image from (kube play)
#   wrk                              bounded HTTP load on loopback (load test, npm run bench:load)
packages=(chromium fonts-dejavu-core mariadb-server mariadb-client docker-registry gnupg
  podman buildah skopeo runc uidmap fuse-overlayfs slirp4netns golang-github-containernetworking-plugin-dnsname dnsmasq-base
  podman-compose catatonit wrk
  mmdebstrap
  openjdk-17-jdk-headless libservlet-api-java libmariadb-java)

log() { printf '[setup] %s\n' "$*"; }

if [[ ${EUID} -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    log "run this script as root (or install sudo): it installs system packages with apt-get"; exit 1
  fi
else
  SUDO=()
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "this script supports Debian and Ubuntu (apt-get). On another system install: ${packages[*]}"
  exit 1
fi

# Docker from Debian only where there is no Docker Engine of another origin (docker-ce, GitHub's runners),
# and Debian's compose only where docker has no compose of its own.
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]; }
other_docker=""
for p in docker-ce docker-ce-cli containerd.io moby-engine docker-desktop podman-docker; do installed "$p" && other_docker=$p; done
if installed docker.io || { [[ -z "$other_docker" ]] && ! command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; }; then
  packages+=(docker.io)
  if ! docker compose version >/dev/null 2>&1; then packages+=(docker-compose); fi
elif [[ -n "$other_docker" ]]; then
  log "Docker comes from $other_docker here: Debian's docker.io is not installed over it"
fi

missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then missing+=("$p"); fi
done

if (( ${#missing[@]} > 0 )); then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  # --no-remove: a package that conflicts with one already here stops the install instead of removing it.
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}" >/dev/null
else
  log "system packages present: ${packages[*]}"
fi

# Podman on hosts without CAP_SYS_RESOURCE (many CI machines and containers): its default ulimits fail
# with EPERM, and crun fails on hybrid cgroups. A marked block in containers.conf fixes both; re-running
# replaces the block instead of adding another.
conf=/etc/containers/containers.conf
begin="# BEGIN citelibre-forge (managed by scripts/setup-host.sh)"
end="# END citelibre-forge"
block="$begin
[containers]
default_ulimits = [\"nofile=16384:16384\", \"nproc=32768:32768\"]

[engine]
runtime = \"runc\"
$end"
current=""
[[ -f "$conf" ]] && current=$(awk -v b="$begin" -v e="$end" '$0==b{skip=1} !skip{print} $0==e{skip=0}' "$conf")
if grep -qE '^\[(containers|engine)\]' <<<"$current"; then
  log "$conf already has [containers] or [engine] settings of its own; add these by hand if podman fails with EPERM on ulimits:"
  printf '%s\n' "$block" | sed 's/^/    /'
else
  wanted=$(printf '%s\n%s\n' "$current" "$block" | sed '/./,$!d')
  if [[ ! -f "$conf" ]] || [[ "$(cat "$conf")" != "$wanted" ]]; then
    "${SUDO[@]}" mkdir -p /etc/containers
    printf '%s\n' "$wanted" | "${SUDO[@]}" tee "$conf" >/dev/null
    log "configured podman in $conf (ulimits, runc)"
  fi
fi

# Simple signing: podman writes signatures to, and reads them from, the lookaside store that
# registries.d names. Only written when no default-docker entry exists, so a site's own setting wins.
lookaside_conf=/etc/containers/registries.d/default.yaml
if ! grep -qs '^default-docker:' /etc/containers/registries.d/*.yaml; then
  "${SUDO[@]}" mkdir -p /etc/containers/registries.d /var/lib/containers/sigstore
  printf '%s\n' "# Written by citelibre-forge scripts/setup-host.sh: where image signatures are stored and read." \
    "default-docker:" "  sigstore: file:///var/lib/containers/sigstore" "  sigstore-staging: file:///var/lib/containers/sigstore" \
    | "${SUDO[@]}" tee "$lookaside_conf" >/dev/null
  log "configured the signature store in $lookaside_conf"
fi
# Debian starts docker-registry as a service on port 5000 where systemd runs; the tests start their own
# on a free loopback port, so the packaged service is not needed.

# The Docker daemon: started here when none answers and no systemd runs (containers, CI runners without
# an init); where systemd runs, through it. Its log goes to /var/log/citelibre-dockerd.log.
if command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd runs but does not answer this user: run as root, or join the docker group (usermod -aG docker $USER)"
  elif [[ -d /run/systemd/system ]]; then
    "${SUDO[@]}" systemctl start docker || log "systemctl start docker failed: see journalctl -u docker"
  else
    log "starting dockerd (no systemd here); its log: /var/log/citelibre-dockerd.log"
    "${SUDO[@]}" setsid sh -c 'exec dockerd >>/var/log/citelibre-dockerd.log 2>&1' </dev/null &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  if docker info >/dev/null 2>&1; then log "the Docker daemon answers"; else log "the Docker daemon does not answer: see /var/log/citelibre-dockerd.log (podman works without it; npm test then skips the docker run, and fails in CI)"; fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if (( node_major < 20 || (node_major == 20 && node_minor < 19) )); then
  log "Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none))."
  log "Install it from https://nodejs.org or your distribution's nodejs 20+ package, then run this again."
  exit 1
fi
log "host ready"
