# shellcheck shell=bash
# The environment contract (images/runtime/environment.yaml, documented in ENVIRONMENT.md), read once at
# start: every variable the runtime honours is read here and nowhere else, checked with every error
# collected before one exit, and turned into the plan of what this container runs (plan_services).
# A unit test holds this file, the contract and the deployment generators in agreement.

# Passwords: handed to the entrypoint through a file descriptor, never left in a long-running process's
# environment (see hand_over_secrets).
secret_settings=(LUTECE_DB_PWD LUTECE_DB_PASSWORD LUTECE_ADMIN_PWD LUTECE_MAIL_PWD)
is_secret_setting() { [[ " ${secret_settings[*]} " == *" $1 "* ]]; }
# Settings that may instead be read from a file named by <NAME>_FILE (a Docker or Kubernetes secret).
file_settings=(LUTECE_DB_HOST LUTECE_DB_PORT LUTECE_DB_NAME LUTECE_DB_USER LUTECE_DB_PWD LUTECE_DB_PASSWORD
  LUTECE_MAIL_HOST LUTECE_MAIL_PORT LUTECE_MAIL_USER LUTECE_MAIL_PWD LUTECE_DEFAULT_LANG LUTECE_AVAILABLE_LANG
  LUTECE_PROD_URL LUTECE_ADMIN_PWD TZ)

# /proc/<pid>/environ shows a process's environment as it was when it started, to the host and to anyone
# who can read it, and every child inherits it: `export -n` cannot take a password back out of it. So when
# passwords arrive in the environment, the entrypoint starts itself again without them, handing them over
# on file descriptor 3; as the container's first process it also puts tini in front of itself, so that
# tini's environment is clean as well.
hand_over_secrets() { # the entrypoint's own arguments
  local given=() unset_args=() name payload="" encoded launcher=()
  [[ -z "${CITELIBRE_SECRETS_FD:-}" ]] || return 0
  for name in "${secret_settings[@]}"; do
    if [[ -v "$name" ]]; then
      given+=("$name")
      unset_args+=("--unset=$name")
      encoded=$(printf '%s' "${!name}" | base64 -w0)
      payload+="$name $encoded"$'\n'
    fi
  done
  (( $$ == 1 )) && launcher=(/usr/bin/tini --)
  if (( ${#given[@]} )); then
    exec 3<<<"$payload"
    exec env "${unset_args[@]}" CITELIBRE_SECRETS_FD=3 "${launcher[@]}" "$0" "$@"
  fi
  (( $$ != 1 )) || exec "${launcher[@]}" "$0" "$@"
}

receive_secrets() {
  local name encoded
  [[ -n "${CITELIBRE_SECRETS_FD:-}" ]] || return 0
  [[ "$CITELIBRE_SECRETS_FD" == 3 ]] || die "CITELIBRE_SECRETS_FD is the entrypoint's own: unset it"
  while read -r name encoded; do
    [[ -n "$name" ]] || continue
    is_secret_setting "$name" || die "unexpected setting '$name' on the entrypoint's secret descriptor"
    printf -v "$name" '%s' "$(base64 -d <<<"$encoded")"
    export -n "${name?}"
  done <&3
  exec 3<&-
  unset CITELIBRE_SECRETS_FD
}

settings_errors=()
setting_error() { settings_errors+=("$*"); }

# NAME_FILE=/path sets NAME from the file's content; giving both is an error. Secrets read from a file are
# not exported: they stay out of the services' environments.
read_file_settings() {
  local name file
  for name in "${file_settings[@]}"; do
    file="${name}_FILE"
    [[ -n "${!file:-}" ]] || continue
    if [[ -n "${!name:-}" ]]; then setting_error "both $name and $file are set; keep only one"; continue; fi
    if [[ ! -r "${!file}" ]]; then setting_error "$file points to ${!file}, which does not exist or cannot be read"; continue; fi
    printf -v "$name" '%s' "$(cat -- "${!file}")"
    if is_secret_setting "$name"; then export -n "${name?}"; fi
  done
}

check_setting() { # name, pattern, what it must be (for the message); an empty value is left to its default
  local value=${!1:-}
  [[ -z "$value" || "$value" =~ $2 ]] || setting_error "$1 must be $3 (got '$value')"
}

# Reads and checks every setting; on any error, says them all and stops before anything is touched.
read_settings() {
  read_file_settings
  : "${LUTECE_DB_PWD:=${LUTECE_DB_PASSWORD:-}}"
  local name value
  for name in "${file_settings[@]}"; do
    value=${!name:-}
    # Values end up in properties files and SQL: a line break there would change their meaning.
    if [[ "$value" == *$'\n'* || "$value" == *$'\r'* ]]; then
      setting_error "$name contains a line break, which no database or mail setting may hold; remove it (a *_FILE secret may end with one newline, which is ignored)"
    fi
  done
  role=${CITELIBRE_ROLE:-app}
  case "$role" in app|database|mail|init) ;; *) setting_error "CITELIBRE_ROLE must be app, database, mail or init (got '$role')" ;; esac
  check_setting LUTECE_DB_PORT '^[0-9]{1,5}$' "a port number"
  check_setting LUTECE_MAIL_PORT '^[0-9]{1,5}$' "a port number"
  check_setting LUTECE_DB_NAME '^[A-Za-z0-9_]{1,64}$' "letters, digits and '_' only"
  check_setting LUTECE_DB_USER '^[A-Za-z0-9_.-]{1,80}$' "letters, digits, '_', '.' and '-' only"
  check_setting LUTECE_DEFAULT_LANG '^[a-z]{2,3}$' "a language code such as fr or en"
  check_setting LUTECE_AVAILABLE_LANG '^[a-z]{2,3}(,[a-z]{2,3})*$' "language codes separated by commas, such as fr,en"
  check_setting LUTECE_PROD_URL '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$' \
    "the site's public address, such as https://rendezvous.example.org/rendezvous"
  check_setting CITELIBRE_DB_WAIT '^[0-9]{1,5}$' "a number of seconds"
  check_setting CITELIBRE_START_WAIT '^[0-9]{1,5}$' "a number of seconds"
  check_setting CITELIBRE_SETUP_LOCK_WAIT '^[0-9]{1,5}$' "a number of seconds"
  check_setting CITELIBRE_STOP_TIMEOUT '^[1-9][0-9]{0,3}$' "a number of seconds from 1"
  check_setting CITELIBRE_DB_BUFFER_POOL '^[0-9]{1,6}[KMG]?$' "a size such as 128M or 1G"
  check_setting CITELIBRE_MAIL_WEB_BIND '^([0-9]{1,3}\.){3}[0-9]{1,3}$' "an IPv4 address to listen on, such as 127.0.0.1 or 0.0.0.0"
  check_setting CITELIBRE_CONTEXT '^[A-Za-z0-9._-]{1,64}$' "a context path such as rendezvous (letters, digits, '.', '_', '-')"
  check_setting CITELIBRE_THEME_LIVE '^[01]$' "1 to let citelibre run --watch change the theme of the running site, else 0"
  check_setting CITELIBRE_DEMO_CONTENT '^[01]$' "1 to load the bundle's demo content on a first set-up, else 0"
  check_setting CITELIBRE_HEALTH_PATH '^/[A-Za-z0-9._~/-]*$' "a path starting with /, such as /jsp/site/Portal.jsp"
  if [[ -n "${TZ:-}" && ! -f "/usr/share/zoneinfo/${TZ}" ]]; then setting_error "TZ='$TZ' is not a known time zone (for example Europe/Paris)"; fi

  db_wait=${CITELIBRE_DB_WAIT:-60}
  start_wait=${CITELIBRE_START_WAIT:-300}
  lock_wait=${CITELIBRE_SETUP_LOCK_WAIT:-300}
  stop_timeout=${CITELIBRE_STOP_TIMEOUT:-8}
  theme_live=${CITELIBRE_THEME_LIVE:-0}
  demo_content=${CITELIBRE_DEMO_CONTENT:-0}
  # The context path: CITELIBRE_CONTEXT, else what the bundle image recorded, else ROOT.
  context=${CITELIBRE_CONTEXT:-$(cat /opt/citelibre/site-context 2>/dev/null || true)}
  plan_services
  if (( ${#settings_errors[@]} )); then
    local e
    for e in "${settings_errors[@]}"; do printf '[citelibre] error: %s\n' "$e" >&2; done
    die "${#settings_errors[@]} setting(s) to fix before the container can start; every variable is described in images/runtime/ENVIRONMENT.md"
  fi
}

# What this container runs, from its role and settings: embedded_db, embedded_mail, the database and mail
# servers the site uses, and whether a volume holds state.
plan_services() {
  local external_db=0 external_mail=0
  case "${LUTECE_DB_HOST:-}" in ""|localhost|127.0.0.1) ;; *) external_db=1 ;; esac
  case "${LUTECE_MAIL_HOST:-}" in ""|localhost|127.0.0.1) ;; *) external_mail=1 ;; esac
  as_root=0
  (( EUID == 0 )) && as_root=1
  embedded_db=$(( ! external_db ))
  embedded_mail=$(( ! external_mail ))
  case "$role" in
    database)
      (( ! external_db )) || setting_error "CITELIBRE_ROLE=database runs the database itself: unset LUTECE_DB_HOST"
      [[ -n "${LUTECE_DB_PWD:-}" ]] || setting_error "CITELIBRE_ROLE=database needs LUTECE_DB_PWD (or LUTECE_DB_PWD_FILE): the password application containers will use"
      embedded_mail=0 ;;
    init)
      (( external_db )) || setting_error "CITELIBRE_ROLE=init sets up an external database: set LUTECE_DB_HOST (and LUTECE_DB_PWD)"
      embedded_mail=0 ;;
    mail) embedded_db=0 ;;
  esac
  if (( ! as_root )); then
    if [[ "$role" == database || "$role" == mail ]]; then
      setting_error "CITELIBRE_ROLE=$role must run as root (it drops to its own user); remove runAsUser/--user"
    elif (( embedded_db )); then
      setting_error "running as user $(id -u) needs an external database: set LUTECE_DB_HOST, or run the container as root so it can start its own MariaDB"
    elif [[ "$role" == app ]] && (( embedded_mail )); then
      setting_error "running as user $(id -u) needs an external SMTP server: set LUTECE_MAIL_HOST (for example the mail catcher, CITELIBRE_ROLE=mail), or run as root"
    fi
  fi
  if [[ "$role" != mail && "$role" != database ]] && (( external_db )) && [[ -z "${LUTECE_DB_PWD:-}" ]]; then
    setting_error "LUTECE_DB_HOST points to an external database, so LUTECE_DB_PWD (or LUTECE_DB_PWD_FILE) must give the password of ${LUTECE_DB_USER:-lutece}"
  fi
  db_host=127.0.0.1 db_port=3306
  if (( external_db )); then db_host=$LUTECE_DB_HOST; db_port=${LUTECE_DB_PORT:-3306}; fi
  db_name=${LUTECE_DB_NAME:-lutece}
  db_user=${LUTECE_DB_USER:-lutece}
  mail_host=127.0.0.1 mail_port=1025
  if (( external_mail )); then mail_host=$LUTECE_MAIL_HOST; mail_port=${LUTECE_MAIL_PORT:-25}; fi
  # Only the embedded services keep state: an application container against external services needs no volume.
  state_in_use=$(( embedded_db || embedded_mail ))
}
