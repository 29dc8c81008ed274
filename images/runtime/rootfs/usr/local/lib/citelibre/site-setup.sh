# shellcheck shell=bash
# The site's database, sourced by citelibre-entrypoint. Its connection is the module's own state, set once
# by use_site_database; everything else comes in arguments.
#
# On the first start against an empty database it runs, in order and once:
#   1. the site's own SQL from its WAR (WEB-INF/sql, in the order of /opt/citelibre/site/sql-plan);
#   2. the site's plugins installed as Lutece's plugin screen installs them (install_site_plugins), each
#      recorded with its version;
#   3. the bundle's SQL (/opt/citelibre/sql/bundle/*.sql, in name order);
#   4. when asked (CITELIBRE_DEMO_CONTENT=1), the bundle's demo content (load_demo_content);
#   5. the back-office accounts: admin gets the generated (or given) password, every other seeded account
#      is disabled with a random password;
# each step recorded in the citelibre_setup table before and after it runs. Then, at every start, the
# theme's SQL (idempotent upserts). All of it under a server-side named lock, so containers starting
# together against one database take turns and only the first one sets it up; the first start of a site
# on the database is under that lock too (site_started).
#
# What a start finds, and what it does:
#   - a "complete" row: the database is set up; nothing but the theme SQL runs, nothing is ever dropped;
#   - tables but no row of ours: a database set up elsewhere (or by an image before this ledger): it is
#     recorded as adopted and nothing but the theme SQL runs;
#   - rows of ours but no "complete": an earlier first set-up was cut off (killed, connection lost, a
#     script failed). It began on a database with no table but this ledger, so every other table there is
#     its own, half-made, and the site never ran on it (Tomcat starts only after the set-up): those tables
#     are dropped and the set-up runs again from its first script. A script that fails stops the start
#     with its name and the server's error, and is recorded as failed.

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

# The site's database, over TCP as the site's own user whether it is the embedded server or another one,
# so the set-up runs with exactly the site's privileges. The password reaches the clients in an options
# file only this user can read, removed once the site has started (close_site_database) or the container
# ends: never on a command line, and never in the environment of the set-up lock's long-lived session.
use_site_database() { # host port database user password lock_wait
  db_host=$1 db_port=$2 db_name=$3 lock_wait=$6
  local password=${5//\\/\\\\}
  password=${password//\"/\\\"}
  site_client_options=$(mktemp "${TMPDIR:-/tmp}/citelibre-client.XXXXXX")
  temporary_files+=("$site_client_options")
  printf '[client]\npassword="%s"\n' "$password" > "$site_client_options"
  site_client=(mariadb --defaults-file="$site_client_options" --protocol=tcp -h "$1" -P "$2" -u "$4" --database="$3"
    --batch --skip-column-names --default-character-set=utf8mb4)
}
sql_site() { "${site_client[@]}" "$@"; }
close_site_database() { rm -f -- "${site_client_options:-}"; }

site_plan=/opt/citelibre/site/sql-plan
setup_table=citelibre_setup

# A table name in backquotes, for the names the server lists (a backquote inside is doubled).
sql_identifier() { printf '`%s`' "${1//\`/\`\`}"; }

# Sets the variable $1 to the single value a query returns. A query that fails stops the start: an
# unanswered "is it set up?" must never read as "empty".
sql_value() { # variable, what (for the message), SQL
  local out
  if ! out=$(sql_site -e "$3" 2>&1); then
    die "could not read $2 from the database $db_name at $db_host:$db_port: ${out:-no answer}"
  fi
  printf -v "$1" '%s' "$out"
}

ensure_setup_ledger() {
  local legacy
  sql_site -e "CREATE TABLE IF NOT EXISTS $setup_table (
    step VARCHAR(255) NOT NULL PRIMARY KEY,
    seq INT NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'done',
    sha256 CHAR(64) NULL,
    started_at TIMESTAMP NULL DEFAULT NULL,
    done_at TIMESTAMP NULL DEFAULT NULL,
    done_by VARCHAR(255) NOT NULL,
    detail TEXT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" || die "could not create the $setup_table table in $db_name: does $db_user have the CREATE privilege on it?"
  # Images before this ledger recorded one row per set-up (step, done_at, done_by): give it today's columns.
  sql_value legacy "the set-up ledger's columns" "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '$setup_table' AND column_name = 'seq'"
  if (( legacy == 0 )); then
    sql_site -e "ALTER TABLE $setup_table MODIFY step VARCHAR(255) NOT NULL, MODIFY done_at TIMESTAMP NULL DEFAULT NULL,
      ADD COLUMN seq INT NULL AFTER step, ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'done' AFTER seq,
      ADD COLUMN sha256 CHAR(64) NULL AFTER state, ADD COLUMN started_at TIMESTAMP NULL DEFAULT NULL AFTER sha256,
      ADD COLUMN detail TEXT NULL" || die "could not update the $setup_table table in $db_name"
  fi
}

# complete, adopt, interrupted or fresh (see the top of this file).
setup_state() { # variable
  local complete ours tables
  sql_value complete "the set-up ledger" "SELECT COUNT(*) FROM $setup_table WHERE step = 'complete' AND state = 'done'"
  sql_value ours "the set-up ledger" "SELECT COUNT(*) FROM $setup_table WHERE step <> 'bundle-sql'"
  sql_value tables "the list of tables" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> '$setup_table'"
  if (( complete > 0 )); then printf -v "$1" complete
  elif (( ours > 0 )); then printf -v "$1" interrupted
  elif (( tables > 0 )); then printf -v "$1" adopt
  else printf -v "$1" fresh
  fi
}

record_step() { # step, state, [sha256], [detail]
  local sha=NULL detail=NULL started=NULL done_at=NULL
  [[ -n "${3:-}" ]] && sha="'$3'"
  [[ -n "${4:-}" ]] && detail=$(sql_quote "${4:0:2000}")
  case "$2" in running) started="CURRENT_TIMESTAMP" ;; done) done_at="CURRENT_TIMESTAMP" ;; esac
  sql_site -e "INSERT INTO $setup_table (step, seq, state, sha256, started_at, done_at, done_by, detail)
    VALUES ($(sql_quote "$1"), $setup_seq, '$2', $sha, $started, $done_at, $(sql_quote "${HOSTNAME:-unknown}"), $detail)
    ON DUPLICATE KEY UPDATE state = VALUES(state), sha256 = COALESCE(VALUES(sha256), sha256),
      started_at = COALESCE(VALUES(started_at), started_at), done_at = VALUES(done_at), done_by = VALUES(done_by), detail = VALUES(detail)"
}

# Runs one SQL file as a recorded step; stops the start with the file and the server's error if it fails.
run_setup_step() { # step, file
  local step=$1 file=$2 sha out
  [[ -f "$file" ]] || die "the set-up script $file ($step) is missing from the image"
  setup_seq=$((setup_seq + 1))
  sha=$(sha256sum "$file" | cut -d' ' -f1)
  record_step "$step" running "$sha" || die "could not write to the $setup_table table before $step"
  # InnoDB whatever a script's session would pick (Lutece's ant build sets MyISAM for its own session).
  if ! out=$(sql_site --init-command="SET SESSION default_storage_engine = InnoDB" < "$file" 2>&1); then
    record_step "$step" failed "$sha" "$out" || true
    die "the first set-up of the database failed in $step: ${out:-the client gave no message}. Nothing after it ran; the next start sets the database up again from its first script. If the server's message names a setting of yours (privileges, sql_mode, disk), fix it and start again; if it names the script, that site's SQL does not load on MariaDB."
  fi
  record_step "$step" done "$sha" || die "could not write to the $setup_table table after $step"
}

# First set-up only: every seeded back-office account has a default password (admin/adminadmin in
# Lutece's init_db_lutece_core.sql). admin gets $1 in the PBKDF2 form Lutece 7 stores; the others are
# disabled with a random password nobody knows (the back office can enable them again).
secure_accounts() { # admin password
  local present admin_hash other_hash left admins
  sql_value present "the list of tables" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'core_admin_user'"
  if (( present == 0 )); then
    log "the site has no core_admin_user table: no back-office account to secure"
    return 0
  fi
  [[ -n "$1" ]] || die "the set-up created back-office accounts (core_admin_user), and no password was given for admin: set LUTECE_ADMIN_PWD (or LUTECE_ADMIN_PWD_FILE)"
  setup_seq=$((setup_seq + 1))
  record_step accounts running || die "could not write to the $setup_table table before the accounts step"
  admin_hash=$(CL_PASSWORD=$1 python3 /usr/local/lib/citelibre/lutece-password.py)
  other_hash=$(CL_PASSWORD=$(head -c 48 /dev/urandom | base64 | tr -d '\n') python3 /usr/local/lib/citelibre/lutece-password.py)
  # On standard input, not -e: a command line shows in ps.
  sql_site <<SQL || die "could not set the back-office passwords in core_admin_user"
UPDATE core_admin_user SET password = $(sql_quote "$admin_hash"), reset_password = 0, password_max_valid_date = NULL, status = 0 WHERE access_code = 'admin';
UPDATE core_admin_user SET password = $(sql_quote "$other_hash"), status = 1 WHERE access_code <> 'admin';
SQL
  sql_value admins "the back-office accounts" "SELECT COUNT(*) FROM core_admin_user WHERE access_code = 'admin'"
  sql_value left "the back-office accounts" "SELECT COUNT(*) FROM core_admin_user WHERE password LIKE 'PLAINTEXT:%' OR password IS NULL"
  (( left == 0 )) || die "$left back-office account(s) still have a default password after the accounts step"
  if (( admins == 0 )); then
    log "warning: the site's SQL created no back-office account named admin; every seeded account is disabled"
  fi
  record_step accounts done || die "could not write to the $setup_table table after the accounts step"
}

site_plugins=/opt/citelibre/site/plugins

# Every plugin the site carries (its descriptors, listed at image build in $site_plugins as
# name|version|needs a pool) is installed: Lutece keeps a plugin disabled until core_datastore says
# core.plugins.status.<name>.installed=true, and a plugin that needs a connection pool reads its pool's name
# from core.plugins.status.<name>.pool (without it Lutece warns and falls back to portal). That is what its
# plugin screen writes (PluginService.updatePluginData). Its rights are the ones its core/ scripts created
# and granted to admin (user 1) in step 1: Lutece's own install would re-create the descriptor's rights and
# revoke them from every user, so it is not imitated there. Each plugin is recorded in the ledger as
# plugin/<name>, its version in the detail.
install_site_plugins() {
  [[ -s "$site_plugins" ]] || return 0
  local name version pool sql="" count=0 has_datastore
  sql_value has_datastore "the list of tables" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'core_datastore'"
  if (( has_datastore == 0 )); then
    log "warning: the site carries plugins but its SQL created no core_datastore table: they stay as Lutece registers them (disabled)"
    return 0
  fi
  while IFS='|' read -r name version pool; do
    [[ -n "$name" ]] || continue
    sql+="INSERT INTO core_datastore (entity_key, entity_value) VALUES ($(sql_quote "core.plugins.status.$name.installed"), 'true') ON DUPLICATE KEY UPDATE entity_value = 'true';"$'\n'
    if [[ "$pool" == 1 ]]; then
      sql+="INSERT INTO core_datastore (entity_key, entity_value) VALUES ($(sql_quote "core.plugins.status.$name.pool"), 'portal') ON DUPLICATE KEY UPDATE entity_value = 'portal';"$'\n'
    fi
    count=$((count + 1))
  done < "$site_plugins"
  sql_site <<<"$sql" || die "could not install the site's plugins in core_datastore"
  while IFS='|' read -r name version pool; do
    [[ -n "$name" ]] || continue
    setup_seq=$((setup_seq + 1))
    record_step "plugin/$name" done "" "$version" || die "could not record the plugin $name in $setup_table"
  done < "$site_plugins"
  log "installed the site's $count plugin(s): $(plugins_text "$site_plugins")"
}

demo_dir=/opt/citelibre/demo

# The bundle's demo content (/opt/citelibre/demo/*.sql), for a site a decision maker clicks through. It is
# written for one plugin's schema, at the versions /opt/citelibre/demo/requires lists (plugin, versions,
# and the table that must still be empty), so it loads only where all of that holds, each file in one
# transaction: a file that fails leaves nothing behind, and the start goes on with a warning. Never a
# reason to stop a start.
load_demo_content() { # 0 or 1
  local files=("$demo_dir"/*.sql) plugin versions guard version rows out f
  (( ${#files[@]} )) || return 0
  if (( ! $1 )); then
    log "the bundle's demo content is not loaded (CITELIBRE_DEMO_CONTENT=1 loads it on a first set-up)"
    return 0
  fi
  IFS=$'\t' read -r plugin versions guard < "$demo_dir/requires" || true
  if ! grep -q "^$plugin|" "$site_plugins" 2>/dev/null; then
    log "the bundle's demo content is not loaded: it is written for the plugin $plugin, which this site does not carry"
    return 0
  fi
  version=$(awk -F'|' -v p="$plugin" '$1 == p { print $2 }' "$site_plugins")
  if [[ " $versions " != *" $version "* ]]; then
    log "warning: the bundle's demo content is not loaded: it is verified on $plugin ${versions// /, }, and this site carries $plugin $version"
    return 0
  fi
  if ! rows=$(sql_site -e "SELECT COUNT(*) FROM $(sql_identifier "$guard")" 2>&1); then
    log "warning: the bundle's demo content is not loaded: $plugin's table $guard cannot be read (${rows:-no message})"
    return 0
  fi
  if [[ "$rows" != 0 ]]; then
    log "the bundle's demo content is not loaded: $plugin's table $guard holds $rows row(s) already, and demo content never goes over a plugin's data"
    return 0
  fi
  for f in "${files[@]}"; do
    # COMMIT on a line of its own: a file that ends in a comment without a newline must not swallow it.
    if ! out=$({ printf 'START TRANSACTION;\n'; cat "$f"; printf '\nCOMMIT;\n'; } | sql_site 2>&1); then
      # The client echoes the statement around its error: the ERROR line says it all, on one line.
      log "warning: the bundle's demo content $(basename "$f") did not load, and left nothing: $(grep -m1 '^ERROR' <<<"$out" || tr '\n' ' ' <<<"${out:-no message}")"
      return 0
    fi
    setup_seq=$((setup_seq + 1))
    record_step "demo/$(basename "$f")" done "$(sha256sum "$f" | cut -d' ' -f1)" "$plugin $version" || die "could not record the demo content in $setup_table"
  done
  log "loaded the bundle's demo content (${#files[@]} file(s), for $plugin $version)"
}

run_first_setup() { # webapp_sql, admin password, demo content (0 or 1)
  local webapp_sql=$1 admin_password=$2 plan=() bundle=("/opt/citelibre/sql/bundle"/*.sql) f rows expected myisam table
  if [[ -s "$site_plan" ]]; then mapfile -t plan < "$site_plan"; fi
  log "first set-up of $db_name: ${#plan[@]} script(s) of the site, ${#bundle[@]} of the bundle"
  setup_seq=0
  for f in "${plan[@]}"; do
    [[ "$f" != *..* ]] || die "$site_plan names $f, outside the site's WEB-INF/sql"
    run_setup_step "site/$f" "$webapp_sql/$f"
  done
  install_site_plugins
  for f in "${bundle[@]}"; do run_setup_step "bundle/$(basename "$f")" "$f"; done
  # A script that asked for MyISAM by name (ENGINE=MyISAM) is moved to InnoDB while its tables are new.
  sql_value myisam "the tables' engines" "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND engine = 'MyISAM'"
  if [[ -n "$myisam" ]]; then
    log "converting to InnoDB the tables a script created as MyISAM: ${myisam//$'\n'/ }"
    while IFS= read -r table; do
      sql_site -e "ALTER TABLE $(sql_identifier "$table") ENGINE = InnoDB" || die "could not convert $table to InnoDB"
    done <<<"$myisam"
  fi
  # After the conversion: its transactions roll back only on InnoDB tables.
  load_demo_content "$3"
  secure_accounts "$admin_password"
  setup_seq=$((setup_seq + 1))
  assert_setup_lock
  record_step complete done || die "could not record the end of the set-up in $setup_table"
  # Read back: every step this start planned is recorded as done, in order.
  expected=$setup_seq
  sql_value rows "the set-up ledger" "SELECT COUNT(*) FROM $setup_table WHERE state = 'done' AND seq BETWEEN 1 AND $expected"
  (( rows == expected )) || die "the set-up ledger holds $rows finished step(s) of the $expected this start ran: another container may have changed $db_name at the same time"
  log "the database $db_name is set up ($expected step(s), recorded in $setup_table)"
}

# A database set up by another site (the stand-in, a WAR without some plugin) lacks what this site's own
# scripts create; they are not run on a database in use (they drop their tables first), so say so.
warn_unrun_site_scripts() {
  [[ -s "$site_plan" ]] || return 0
  local adopted ran missing=() f
  sql_value adopted "the set-up ledger" "SELECT COUNT(*) FROM $setup_table WHERE step = 'complete' AND detail LIKE 'adopted%'"
  (( adopted == 0 )) || return 0
  sql_value ran "the set-up ledger" "SELECT step FROM $setup_table WHERE step LIKE 'site/%'"
  while IFS= read -r f; do
    grep -qxF "site/$f" <<<"$ran" || missing+=("$f")
  done < "$site_plan"
  (( ${#missing[@]} == 0 )) && return 0
  log "warning: ${#missing[@]} SQL script(s) of this site never ran on $db_name (${missing[*]:0:3}$( (( ${#missing[@]} > 3 )) && printf ' ...')): it was set up for another site. They are not run on a database in use: to start this site afresh, give it an empty volume (or database)"
}

# The set-up lock: a named lock on the server, held by one client session (a coprocess) for as long as
# it is needed. A container that dies loses its session, and with it the lock.
setup_lock_name() { printf 'citelibre_setup_%s' "$db_name"; }

take_setup_lock() {
  local answer=""
  # The client itself, not a shell around it, so that killing the coprocess ends the session.
  coproc SETUP_LOCK { exec "${site_client[@]}" --unbuffered 2>&1; }
  setup_lock_in=${SETUP_LOCK[1]} setup_lock_out=${SETUP_LOCK[0]} setup_lock_pid=$SETUP_LOCK_PID
  # The session idles while the set-up or a first start runs on other connections: it must outlive them.
  printf "SET SESSION wait_timeout = 86400; SELECT CONNECTION_ID(), GET_LOCK('%s', %d);\n" "$(setup_lock_name)" "$lock_wait" >&"$setup_lock_in"
  log "waiting for the set-up lock on $db_name (another container may hold it)"
  read -r -t $((lock_wait + 10)) setup_lock_session answer <&"$setup_lock_out" || true
  if [[ "$answer" != 1 ]]; then
    kill "$setup_lock_pid" 2>/dev/null || true
    setup_lock_pid=""
    die "could not take the set-up lock on $db_name within ${lock_wait}s (the server said: ${setup_lock_session:-nothing} ${answer}). Another container may be stuck setting up the database or starting the site; check its logs, or raise CITELIBRE_SETUP_LOCK_WAIT"
  fi
}

# Before recording that something is done for everyone: the lock must still be this container's (its
# session could have been cut, and another container could have taken over).
assert_setup_lock() {
  local holder
  sql_value holder "the set-up lock's holder" "SELECT COALESCE(IS_USED_LOCK('$(setup_lock_name)'), 0)"
  [[ "$holder" == "$setup_lock_session" ]] \
    || die "this container lost the set-up lock on $db_name (its session was cut; the lock is now held by session $holder): stopping rather than writing over another container's set-up. Start it again."
}

release_setup_lock() {
  [[ -n "${setup_lock_pid:-}" ]] || return 0
  # The session may have gone already (the server closed it): there is then nothing left to release.
  { printf "SELECT RELEASE_LOCK('%s');\n" "$(setup_lock_name)" >&"$setup_lock_in"; } 2>/dev/null || true
  exec {setup_lock_in}>&- 2>/dev/null || true
  wait "$setup_lock_pid" 2>/dev/null || true
  setup_lock_pid=""
}

# Lutece's first start on a database writes its defaults there (cache and plugin states, from caches.dat and
# plugins.dat) with check-then-insert: two sites starting together on it fail with duplicate keys. So the
# first start of each site WAR on a database happens under the set-up lock, and is recorded.
first_start_step() { printf 'first-start/%s' "$(head -c 16 /opt/citelibre/site/site-digest 2>/dev/null || echo unknown)"; }

# The site has started (citelibre-entrypoint): record its first start if this container held the lock for it.
site_started() {
  if (( ${hold_setup_lock:-0} )); then
    local seq
    assert_setup_lock
    sql_value seq "the set-up ledger" "SELECT COALESCE(MAX(seq), 0) + 1 FROM $setup_table"
    setup_seq=$seq
    record_step "$(first_start_step)" done || die "could not record the site's first start in $setup_table"
    hold_setup_lock=0
  fi
  release_setup_lock
}

# The whole of it, under the set-up lock. $1: the site's WEB-INF/sql folder; $2: a function that sets the
# variable it is given to the password for admin (called only when a first set-up runs; it may stop the
# start when there is none); $3: 1 when this container starts the site next. The lock then stays held, for
# site_started, when this site WAR has never started on this database.
setup_site_database() { # webapp_sql, admin password function, starts the site (0 or 1), demo content (0 or 1)
  local found admin_password="" started table
  take_setup_lock
  ensure_setup_ledger
  setup_state found
  case "$found" in
    complete)
      log "the database $db_name is set up already: first-time set-up skipped"
      warn_unrun_site_scripts ;;
    adopt)
      setup_seq=0
      record_step complete done "" "adopted: the database already held the site's tables" || die "could not write to $setup_table"
      log "the database $db_name already holds tables this image did not create: it is used as it is (nothing is run against it, nothing dropped)" ;;
    interrupted|fresh)
      if [[ "$found" == interrupted ]]; then
        local last tables drops=""
        sql_value last "the set-up ledger" "SELECT CONCAT(step, ' (', state, ')') FROM $setup_table WHERE step <> 'bundle-sql' ORDER BY seq DESC LIMIT 1"
        sql_value tables "the list of tables" "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> '$setup_table'"
        log "an earlier first set-up of $db_name was cut off at $last; the site never ran on it: dropping the $(grep -c . <<<"$tables" || true) table(s) it made and setting it up again from the first script"
        while IFS= read -r table; do [[ -z "$table" ]] || drops+="DROP TABLE IF EXISTS $(sql_identifier "$table");"$'\n'; done <<<"$tables"
        printf 'SET FOREIGN_KEY_CHECKS = 0;\n%sDELETE FROM %s;\n' "$drops" "$setup_table" | sql_site || die "could not clear what the interrupted set-up left in $db_name"
      fi
      # A site with SQL of its own seeds back-office accounts: their password is needed before anything runs.
      if [[ -s "$site_plan" ]]; then "$2" admin_password; fi
      run_first_setup "$1" "$admin_password" "${4:-0}" ;;
  esac
  load_sql_dir /opt/citelibre/sql/theme "theme SQL"
  hold_setup_lock=0
  if (( $3 )); then
    sql_value started "the set-up ledger" "SELECT COUNT(*) FROM $setup_table WHERE step = '$(first_start_step)' AND state = 'done'"
    if (( started == 0 )); then
      hold_setup_lock=1
      log "this site starts on $db_name for the first time: keeping the set-up lock until it has started"
      return 0
    fi
  fi
  release_setup_lock
}
