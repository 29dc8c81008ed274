# shellcheck shell=bash
# The embedded MariaDB (sourced by citelibre-entrypoint): its data folder in the volume, the server, and
# the site's database and user in it.

mysql_socket=/run/citelibre/mysqld/mysqld.sock
sql_root() { mariadb --no-defaults --protocol=socket --socket="$mysql_socket" -uroot --batch --skip-column-names --default-character-set=utf8mb4 "$@"; }

# Prepares $1/mysql: refuses a volume made by another MariaDB version, sets aside a first initialisation
# that never finished (keeping only the latest such copy), and initialises a new one. Sets the variable
# named $2 to 1 when the server is new.
prepare_mariadb_datadir() { # state folder, variable
  local datadir=$1/mysql image_version volume_version old aside init_log
  image_version=$(mariadbd --version | grep -oE '[0-9]+\.[0-9]+' | head -n1)
  printf -v "$2" 0
  if [[ -f "$datadir/citelibre-mariadb-version" ]]; then
    volume_version=$(cat "$datadir/citelibre-mariadb-version")
    if [[ "$volume_version" != "$image_version" ]]; then
      die "the data volume was initialised by MariaDB $volume_version and this image has MariaDB $image_version. Start the image version that created the volume and export the database (mariadb-dump), or run mariadb-upgrade on a copy of the volume; data was left untouched."
    fi
  elif [[ -d "$datadir/mysql" ]]; then
    # A first start that never finished: nothing was ever committed by the site, so start over. One copy
    # is kept for whoever wants to look at it; older ones would only fill the volume.
    for old in "$datadir".incomplete-*; do
      log "removing $old, an older incomplete first initialisation"
      rm -rf -- "$old"
    done
    aside="$datadir.incomplete-$(date -u +%Y%m%dT%H%M%SZ)"
    log "found an incomplete first initialisation; moving it to $aside and starting again"
    mv -- "$datadir" "$aside"
  fi
  if [[ ! -d "$datadir/mysql" ]]; then
    printf -v "$2" 1
    log "first start: initialising MariaDB $image_version in $datadir"
    install -d -m 0750 -o mysql -g mysql "$datadir"
    if ! init_log=$(mariadb-install-db --no-defaults --user=mysql --datadir="$datadir" --auth-root-authentication-method=socket \
      --skip-test-db --skip-name-resolve 2>&1); then
      prefix_lines mariadb-init <<<"$init_log"
      die "mariadb-install-db failed; see the [mariadb-init] lines above"
    fi
  fi
  chown mysql:mysql "$datadir"
}

start_mariadb() { # state folder, address to listen on, buffer pool size
  install -d -m 0755 -o mysql -g mysql /run/citelibre/mysqld
  start_service mariadb mariadbd --no-defaults --user=mysql --datadir="$1/mysql" --socket="$mysql_socket" \
    --pid-file=/run/citelibre/mysqld/mariadbd.pid --bind-address="$2" --port=3306 --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size="$3" --skip-log-bin
  wait_for "MariaDB" 30 sql_root -e 'SELECT 1' || die "MariaDB did not start; see the [mariadb] lines above"
}

# The site's database and its user, who connects from the container itself, and from the network when
# this is a database-only container. At every start the password follows the one given, which may have
# changed; the version file marks the server as initialised (the site's set-up has its own ledger).
ensure_site_account() { # state folder, database, user, password, from the network (0 or 1)
  local db=$2 user=$3 password host hosts=("127.0.0.1" localhost)
  password=$(sql_quote "$4")
  (( $5 )) && hosts+=("%")
  {
    printf 'CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n' "$db"
    for host in "${hosts[@]}"; do
      printf "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY %s;\n" "$user" "$host" "$password"
      printf "ALTER USER '%s'@'%s' IDENTIFIED BY %s;\n" "$user" "$host" "$password"
      printf "GRANT ALL PRIVILEGES ON \`%s\`.* TO '%s'@'%s';\n" "$db" "$user" "$host"
    done
  } | sql_root || die "could not create or update the database $db and its user $user"
  if [[ ! -f "$1/mysql/citelibre-mariadb-version" ]]; then
    mariadbd --version | grep -oE '[0-9]+\.[0-9]+' | head -n1 > "$1/mysql/citelibre-mariadb-version"
  fi
}
