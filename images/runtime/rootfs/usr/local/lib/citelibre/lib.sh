# Shared shell functions of the CiteLibre runtime (sourced by citelibre-entrypoint).

log() { printf '[citelibre] %s\n' "$*"; }

die() {
  printf '[citelibre] error: %s\n' "$*" >&2
  exit 1
}

# Prefixes each line with the service name, so one stream of container logs stays readable.
# sed -u, not awk: Debian's mawk buffers its input from a pipe and would hold lines back.
prefix_lines() { sed -u "s/^/[$1] /"; }

# VAR_FILE=/path sets VAR from the file's content (a Docker or Kubernetes secret); giving both is an error.
read_env_file_variants() {
  local var file
  for var in "$@"; do
    file="${var}_FILE"
    if [[ -n "${!file:-}" ]]; then
      [[ -z "${!var:-}" ]] || die "both $var and $file are set; keep only one"
      [[ -r "${!file}" ]] || die "$file points to ${!file}, which does not exist or cannot be read"
      # Not exported: a secret read from a file stays out of the services' environments.
      printf -v "$var" '%s' "$(cat -- "${!file}")"
    fi
  done
}

# Values end up in properties files and SQL: a newline there would change their meaning.
refuse_multiline() {
  local value=${!1:-}
  if [[ "$value" == *$'\n'* || "$value" == *$'\r'* ]]; then
    die "$1 contains a line break, which no database or mail setting may hold; remove it (a *_FILE secret may end with one newline, which is ignored)"
  fi
}

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

# Returns the secret stored in a root-only file, generating it (and saying where it is) on first use.
ensure_secret() {
  local file=$1
  if [[ ! -s "$file" ]]; then
    ( umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 32 > "$file" )
    printf '[citelibre] generated a password; it is stored in %s (readable by root only)\n' "$file" >&2
  fi
  cat "$file"
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

# Loads *.sql files of a folder in name order, stopping at the first error with the file's name.
load_sql_dir() {
  local dir=$1 what=$2 client=$3 database=$4 f
  local files=("$dir"/*.sql)
  (( ${#files[@]} )) || return 0
  log "loading $what (${#files[@]} file(s))"
  for f in "${files[@]}"; do
    "$client" "$database" < "$f" || die "$what failed in $(basename "$f"); the database was left as it was after the previous file"
  done
}

# Points the site's configuration at the database and the SMTP server, with values escaped for
# .properties files. Secrets travel in the environment, never on a command line.
configure_site() {
  local context=$1 host=$2 port=$3 name=$4 user=$5 mail_host=$6 mail_port=$7
  local webapp=$catalina_base/webapps/${context:-ROOT}
  local conf=$webapp/WEB-INF/conf
  [[ -d "$webapp" ]] || { log "no site installed in $webapp yet: Tomcat starts without it"; return 0; }
  install -d "$conf" 2>/dev/null || true
  if [[ ! -w "$conf" ]]; then
    die "$conf is not writable by user $(id -u), and the site's database and mail settings are written there at start. With a read-only root filesystem, mount a writable volume on it holding a copy of the image's files (the generated Kubernetes manifests do this with an init container and an emptyDir)"
  fi
  local url="jdbc:mariadb://$host:$port/$name?useUnicode=true&characterEncoding=utf8"
  touch "$conf/db.properties" "$conf/config.properties"
  # Values travel as environment of this one command only, so none lingers in the services' environments.
  CL_URL=$url CL_USER=$user CL_PWD=$LUTECE_DB_PWD CL_DRIVER=org.mariadb.jdbc.Driver \
    python3 /usr/local/lib/citelibre/set-properties.py "$conf/db.properties" \
    portal.url=CL_URL portal.user=CL_USER portal.password=CL_PWD portal.driver=CL_DRIVER
  local mail_keys=(mail.server=CL_MAIL_HOST mail.server.port=CL_MAIL_PORT)
  [[ -n "${LUTECE_MAIL_USER:-}" ]] && mail_keys+=(mail.username=CL_MAIL_USER mail.password=CL_MAIL_PWD)
  CL_MAIL_HOST=$mail_host CL_MAIL_PORT=$mail_port CL_MAIL_USER=${LUTECE_MAIL_USER:-} CL_MAIL_PWD=${LUTECE_MAIL_PWD:-} \
    python3 /usr/local/lib/citelibre/set-properties.py "$conf/config.properties" "${mail_keys[@]}"
  # As root the files become readable by Tomcat's group only; without root they already belong to the site's user.
  if (( EUID == 0 )); then chown root:tomcat "$conf/db.properties" "$conf/config.properties"; fi
  chmod 0640 "$conf/db.properties" "$conf/config.properties"
}
