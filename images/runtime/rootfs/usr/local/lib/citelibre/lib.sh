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

# Loads *.sql files of a folder into the site's database (sql_site) in name order, stopping at the first
# error with the file's name.
load_sql_dir() { # folder, what they are
  local dir=$1 what=$2 f
  local files=("$dir"/*.sql)
  (( ${#files[@]} )) || return 0
  log "loading $what (${#files[@]} file(s))"
  for f in "${files[@]}"; do
    sql_site < "$f" || die "$what failed in $(basename "$f"); the database was left as it was after the previous file"
  done
}

# What the site reads and writes per container, outside its read-only webapp: citelibre-install-war links
# WEB-INF/conf/db.properties, WEB-INF/conf/override/citelibre-runtime.properties, WEB-INF/tmp and
# WEB-INF/logs here.
site_runtime=/run/citelibre/site

# Moves a staged settings file into place, readable by Tomcat's group only (it may hold passwords).
install_site_file() { # staged final
  if (( EUID == 0 )); then chown root:tomcat "$1"; fi
  chmod 0640 "$1"
  mv -f "$1" "$2"
}

# Writes the site's settings for this start, values escaped for .properties (set-properties.py):
#   db.properties: the WAR's own file (its pool tuning) with this container's connection and the MariaDB
#     driver the image ships;
#   citelibre-runtime.properties, which Lutece reads from conf/override after its own files: the theme's
#     site name and language, then mail, production URL, languages and search index from the environment.
# Secrets travel in the environment of one command, never on a command line.
configure_site() { # webapp db_host db_port db_name db_user mail_host mail_port index_dir
  local webapp=$1 host=$2 port=$3 name=$4 user=$5 mail_host=$6 mail_port=$7 index_dir=$8
  [[ -d "$webapp" ]] || { log "no site installed in $webapp yet: Tomcat starts without it"; return 0; }
  # As root the folder is root's and Tomcat's group reads it; without root it is the site's user's own.
  local made=0
  if (( EUID == 0 )); then install -d -o root -g tomcat -m 0750 "$site_runtime" && made=1; else mkdir -p "$site_runtime" 2>/dev/null && made=1; fi
  if (( ! made )) || ! ( : > "$site_runtime/.write-test" ) 2>/dev/null; then
    die "$site_runtime is not writable by user $(id -u), and the site's settings are written there at every start. With a read-only root filesystem, mount a writable volume on it (citelibre deploy k8s mounts an emptyDir there)"
  fi
  rm -f "$site_runtime/.write-test"
  local owner=() dir staged
  (( EUID == 0 )) && owner=(-o tomcat -g tomcat)
  for dir in "$site_runtime/tmp" "$site_runtime/logs" "$index_dir"; do install -d -m 0750 "${owner[@]}" "$dir"; done

  staged=$(mktemp "$site_runtime/.db.properties.XXXXXX")
  if [[ -f /opt/citelibre/site/db.properties ]]; then cat /opt/citelibre/site/db.properties > "$staged"; fi
  CL_URL="jdbc:mariadb://$host:$port/$name?useUnicode=true&characterEncoding=utf8" CL_USER=$user CL_PWD=$LUTECE_DB_PWD \
    CL_DRIVER=org.mariadb.jdbc.Driver python3 /usr/local/lib/citelibre/set-properties.py "$staged" \
    portal.url=CL_URL portal.user=CL_USER portal.password=CL_PWD portal.driver=CL_DRIVER
  install_site_file "$staged" "$site_runtime/db.properties"

  staged=$(mktemp "$site_runtime/.citelibre-runtime.properties.XXXXXX")
  {
    echo "# Written by citelibre-entrypoint at every start, from the theme and the environment"
    echo "# (images/runtime/ENVIRONMENT.md): change those, not this file."
    if [[ -f /opt/citelibre/theme/site.properties ]]; then cat /opt/citelibre/theme/site.properties; fi
  } > "$staged"
  local keys=(mail.server=CL_MAIL_HOST mail.server.port=CL_MAIL_PORT
    search.lucene.indexInWebapp=CL_INDEX_IN_WEBAPP search.lucene.indexPath=CL_INDEX
    file.lutece.properties=CL_FILE_LUTECE file.webmaster.properties=CL_FILE_WEBMASTER file.jtidy.properties=CL_FILE_JTIDY
    file.dir.plugins=CL_DIR_PLUGINS file.validation.flag=CL_VALIDATION_FLAG file.amin.validation.flag=CL_ADMIN_VALIDATION_FLAG
    mail.username=CL_MAIL_USER mail.password=CL_MAIL_PWD lutece.i18n.defaultLocale=CL_LANG lutece.i18n.availableLocales=CL_LANGS
    lutece.prod.url=CL_PROD_URL lutece.admin.prod.url=CL_PROD_URL init.webapp.prod.url=CL_PROD_URL lutece.code=CL_PROD_URL)
  # In a subshell, so the exported values reach set-properties.py's environment only. Variables left unset
  # are not written: those keys keep the theme's or the WAR's value.
  (
    if [[ -n "${LUTECE_MAIL_USER:-}" ]]; then export CL_MAIL_USER=$LUTECE_MAIL_USER CL_MAIL_PWD=${LUTECE_MAIL_PWD:-}; fi
    if [[ -n "${LUTECE_DEFAULT_LANG:-}" ]]; then export CL_LANG=$LUTECE_DEFAULT_LANG; fi
    if [[ -n "${LUTECE_AVAILABLE_LANG:-}" ]]; then export CL_LANGS=$LUTECE_AVAILABLE_LANG; fi
    if [[ -n "${LUTECE_PROD_URL:-}" ]]; then export CL_PROD_URL=${LUTECE_PROD_URL%/}; fi
    export CL_MAIL_HOST=$mail_host CL_MAIL_PORT=$mail_port CL_INDEX_IN_WEBAPP=false CL_INDEX=$index_dir \
      CL_FILE_LUTECE=$webapp/WEB-INF/conf/lutece.properties CL_FILE_WEBMASTER=$webapp/WEB-INF/conf/webmaster.properties \
      CL_FILE_JTIDY=$webapp/WEB-INF/conf/jtidy.properties CL_DIR_PLUGINS=$webapp/WEB-INF/conf/plugins \
      CL_VALIDATION_FLAG=$site_runtime/tmp/validation.flag CL_ADMIN_VALIDATION_FLAG=$site_runtime/tmp/admin_validation.flag
    exec python3 /usr/local/lib/citelibre/set-properties.py "$staged" "${keys[@]}"
  )
  install_site_file "$staged" "$site_runtime/citelibre-runtime.properties"
}
