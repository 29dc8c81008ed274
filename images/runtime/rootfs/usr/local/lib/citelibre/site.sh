# shellcheck shell=bash
# The site (sourced by citelibre-entrypoint): its settings for this start, Tomcat, and the wait until
# Lutece says it has started.

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
#     site name and language, then mail, production URL, languages and search index.
# Empty optional values are not written: those keys keep the theme's or the WAR's value. Secrets travel in
# the environment of one command, never on a command line.
configure_site() { # webapp index_dir db_url db_user db_password mail_host mail_port mail_user mail_password default_lang available_langs prod_url
  local webapp=$1 index_dir=$2 db_url=$3 db_user=$4 db_password=$5 mail_host=$6 mail_port=$7 mail_user=$8 mail_password=$9
  local default_lang=${10} available_langs=${11} prod_url=${12}
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
  CL_URL=$db_url CL_USER=$db_user CL_PWD=$db_password \
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
    if [[ -n "$mail_user" ]]; then export CL_MAIL_USER=$mail_user CL_MAIL_PWD=$mail_password; fi
    if [[ -n "$default_lang" ]]; then export CL_LANG=$default_lang; fi
    if [[ -n "$available_langs" ]]; then export CL_LANGS=$available_langs; fi
    if [[ -n "$prod_url" ]]; then export CL_PROD_URL=${prod_url%/}; fi
    export CL_MAIL_HOST=$mail_host CL_MAIL_PORT=$mail_port CL_INDEX_IN_WEBAPP=false CL_INDEX=$index_dir \
      CL_FILE_LUTECE=$webapp/WEB-INF/conf/lutece.properties CL_FILE_WEBMASTER=$webapp/WEB-INF/conf/webmaster.properties \
      CL_FILE_JTIDY=$webapp/WEB-INF/conf/jtidy.properties CL_DIR_PLUGINS=$webapp/WEB-INF/conf/plugins \
      CL_VALIDATION_FLAG=$site_runtime/tmp/validation.flag CL_ADMIN_VALIDATION_FLAG=$site_runtime/tmp/admin_validation.flag
    exec python3 /usr/local/lib/citelibre/set-properties.py "$staged" "${keys[@]}"
  )
  install_site_file "$staged" "$site_runtime/citelibre-runtime.properties"
}

# Live theme changes (CITELIBRE_THEME_LIVE, for `citelibre run --watch`): the token citelibre-live.jsp asks
# for before it empties Lutece's caches, readable by Tomcat and root only. Any other start removes it, so
# the page does nothing.
configure_live_theme() { # 0 or 1
  rm -f "$site_runtime/live-token"
  (( $1 )) && [[ -d "$site_runtime" ]] || return 0
  local staged
  staged=$(mktemp "$site_runtime/.live-token.XXXXXX")
  head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "$staged"
  install_site_file "$staged" "$site_runtime/live-token"
  log "the theme may change while the site runs (CITELIBRE_THEME_LIVE=1): Tomcat reads its files at every request"
}

# Starts Tomcat as its own user (when there is root to drop), with the site's language and time zone, and
# its file cache (conf/context.xml) off when the theme is live.
start_site() { # java options (words), default language, time zone, theme live (0 or 1)
  local catalina_home=/opt/citelibre/catalina-home catalina_base=/opt/citelibre/tomcat classpath as_tomcat=() file_cache=true
  if (( ${4:-0} )); then file_cache=false; fi
  local -a java_opts
  read -r -a java_opts <<<"$1"
  classpath="$catalina_home/bin/bootstrap.jar:$catalina_home/bin/tomcat-juli.jar"
  [[ -f "$catalina_home/bin/bootstrap.jar" ]] || classpath="$catalina_home/lib/*"
  (( EUID != 0 )) || as_tomcat=(setpriv --reuid=tomcat --regid=tomcat --init-groups)
  start_site_service "${as_tomcat[@]}" java "${java_opts[@]}" \
    -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djava.security.egd=file:/dev/urandom \
    -Duser.language="$2" ${3:+"-Duser.timezone=$3"} -Dcitelibre.resources.cachingAllowed="$file_cache" \
    -Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager \
    -Djava.util.logging.config.file="$catalina_base/conf/logging.properties" \
    -Dcatalina.home="$catalina_home" -Dcatalina.base="$catalina_base" -Djava.io.tmpdir="$catalina_base/temp" \
    -classpath "$classpath" org.apache.catalina.startup.Bootstrap start
}

# Waits until the site reports that it has started (citelibre-healthcheck --state): Tomcat answering is
# not enough, Lutece answers its own startup failure page with HTTP 200.
wait_for_site() { # seconds
  local deadline=$((SECONDS + $1)) site_state
  while :; do
    service_running tomcat || die "Tomcat exited during start-up; see the [tomcat] and [lutece] lines above"
    site_state=$(/usr/local/bin/citelibre-healthcheck --state 2>/dev/null || echo starting)
    case "$site_state" in
      started) return 0 ;;
      failed) die "Lutece did not start; its reason is in the [lutece] lines above (\"Lutece did not start: ...\")" ;;
    esac
    (( SECONDS < deadline )) || die "the site did not start within ${1}s (raise CITELIBRE_START_WAIT if it is only slow); see the [tomcat] and [lutece] lines above"
    sleep 0.3
  done
}
