# shellcheck shell=bash
# Generic shell functions of the CiteLibre runtime (sourced by citelibre-entrypoint): they read nothing
# but their arguments.

log() { printf '[citelibre] %s\n' "$*"; }

die() {
  printf '[citelibre] error: %s\n' "$*" >&2
  exit 1
}

# Prefixes each line with the service name, so one stream of container logs stays readable.
# sed -u, not awk: Debian's mawk buffers its input from a pipe and would hold lines back.
prefix_lines() { sed -u "s/^/[$1] /"; }

# A MariaDB string literal, for values that reach SQL (passwords).
sql_quote() {
  local v=${1//\\/\\\\}
  v=${v//\'/\'\'}
  printf "'%s'" "$v"
}

# Fails clearly on a volume that is read-only or full, instead of failing later in MariaDB or Tomcat.
check_volume() {
  local dir=$1 probe
  [[ -d "$dir" ]] || mkdir -p "$dir" 2>/dev/null || die "cannot create $dir: is its parent mounted read-only?"
  probe="$dir/.citelibre-write-test.$$"
  if ! ( : > "$probe" ) 2>/dev/null; then
    die "$dir is read-only: mount a writable volume there (docker run -v citelibre-data:$dir ...)"
  fi
  if ! head -c 1048576 /dev/zero > "$probe" 2>/dev/null; then
    rm -f "$probe"
    die "$dir is full: free some space on the volume (at least 100 MB is needed to start)"
  fi
  rm -f "$probe"
  local free_kb
  free_kb=$(df -Pk "$dir" | awk 'NR==2 { print $4 }')
  if [[ -n "$free_kb" ]] && (( free_kb < 102400 )); then
    die "$dir has only $((free_kb / 1024)) MB free: at least 100 MB is needed to start safely"
  fi
}

# Creates a root-only file holding a new random password, unless it holds one already; says where it is.
ensure_secret_file() { # file, what it is for
  if [[ ! -s "$1" ]]; then
    ( umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 32 > "$1" )
    printf '[citelibre] generated %s; it is stored in %s (readable by root only)\n' "$2" "$1" >&2
  fi
}

# Retries a command until it succeeds or the time is up (seconds).
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then return 1; fi
    sleep 0.2
  done
}

# Milliseconds since the epoch, into the variable named $1 (no subshell: called in polling loops).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; printf -v "$1" '%s' "$((t / 1000))"; }

# The plugins a site's plugin list names (name|version|pool lines, citelibre-install-war), for people:
# "appointment 3.0.7, lucene 5.0.3".
plugins_text() { # file
  awk -F'|' 'NF { printf "%s%s", (n++ ? ", " : ""), ($2 == "" ? $1 : $1 " " $2) }' "$1"
}

