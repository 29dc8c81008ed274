# shellcheck shell=bash
# Starting, supervising and stopping the container's services (sourced by citelibre-entrypoint).
#
# The rules: services stop in the reverse order of their start (Tomcat, the mail catcher, MariaDB last, so
# it flushes InnoDB cleanly), whatever ends the container: a signal, an error after a service started, or
# a service that dies. All of them share one budget, CITELIBRE_STOP_TIMEOUT seconds, which fits inside
# `docker stop`'s default 10 s. The exit status tells a restart policy what happened: 0 only for a stop
# asked for once the container was running; a signal during the start-up exits 128 + its number (a
# Kubernetes Job cut off mid-set-up is not "complete"); a service that died, or any error, exits 1.

declare -A pids=()
order=()
stopping=0
# Until read_settings has read CITELIBRE_STOP_TIMEOUT (the contract's default).
stop_timeout=8
# Files to remove whatever ends the container (a client options file holding a password).
temporary_files=()
# prepare, start, running: what a signal or an error interrupts.
phase=prepare

start_service() { # name, command...
  local name=$1; shift
  "$@" > >(prefix_lines "$name") 2>&1 &
  pids[$name]=$!
  order+=("$name")
}

# Tomcat's own messages (java.util.logging) go to its standard error, and the site's (Lutece's log4j
# configuration, citelibre-install-war) to its standard output: each stream gets its own prefix. Standard
# error is redirected first, so its prefixing process writes to the container's output, not to the other's.
start_site_service() { # command...
  "$@" 2> >(prefix_lines tomcat) > >(prefix_lines lutece) &
  pids[tomcat]=$!
  order+=(tomcat)
}

service_running() { [[ -n "${pids[$1]:-}" ]] && kill -0 "${pids[$1]}" 2>/dev/null; }

stop_service() { # name, milliseconds
  local name=$1 budget=$2 pid=${pids[$1]:-} now deadline
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name"
    kill -TERM "$pid" 2>/dev/null || true
    now_ms now
    deadline=$((now + budget))
    while kill -0 "$pid" 2>/dev/null && (( now < deadline )); do sleep 0.05; now_ms now; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop within $((budget / 1000)).$((budget % 1000 / 100))s; killing it (raise CITELIBRE_STOP_TIMEOUT, and the engine's grace period with it, if it only needs longer)"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  unset "pids[$name]"
}

# What each service keeps of the stop budget for itself while those stopped before it take their turn:
# MariaDB 40 % (never less than 2 s), the mail catcher 1 s; Tomcat takes whatever is left before them.
stop_reserve_ms() { # name, total milliseconds
  case "$1" in
    mariadb) local r=$(( $2 * 4 / 10 )); (( r >= 2000 )) || r=2000; echo "$r" ;;
    tomcat) echo 0 ;;
    *) echo 1000 ;;
  esac
}

shutdown() {
  (( stopping )) && return 0
  stopping=1
  local total=$((stop_timeout * 1000)) now deadline i j name budget reserve
  now_ms now
  deadline=$((now + total))
  for (( i=${#order[@]}-1; i>=0; i-- )); do
    name=${order[$i]}
    service_running "$name" || { stop_service "$name" 0; continue; }
    reserve=0
    for (( j=i-1; j>=0; j-- )); do
      if service_running "${order[$j]}"; then reserve=$((reserve + $(stop_reserve_ms "${order[$j]}" "$total"))); fi
    done
    now_ms now
    budget=$((deadline - now - reserve))
    (( budget >= 500 )) || budget=500
    stop_service "$name" "$budget"
  done
}

on_signal() { # name, number
  # A second signal while stopping (Ctrl-C twice, docker stop after a service died) must not cut the
  # ordered stop short: MariaDB would be killed mid-flush. The stop under way ends the container.
  if (( stopping )); then log "received $1 while stopping: still stopping in order"; return 0; fi
  log "received $1, stopping"
  shutdown
  if [[ "$phase" == running ]]; then exit 0; fi
  log "stopped by $1 before the start-up finished"
  exit $((128 + $2))
}

on_error() { # status, line, command
  (( BASHPID == $$ && ! stopping )) || return 0
  log "error: '$3' failed (exit $1, citelibre-entrypoint line $2) during the $phase phase"
}

install_traps() {
  trap 'on_signal SIGTERM 15' TERM
  trap 'on_signal SIGINT 2' INT
  trap 'on_signal SIGQUIT 3' QUIT
  # Only the main shell stops services: a command substitution that fails inherits the traps (set -E).
  trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
  # Any exit after services started (die, an error, the end of supervise) stops them in order first.
  # The last line says how the container ended, for whoever reads the log (and `citelibre run`).
  trap 'rc=$?; if (( BASHPID == $$ )); then shutdown; rm -f -- "${temporary_files[@]}"; log "stopped (exit status $rc)"; fi; exit "$rc"' EXIT
}

# Waits for the first service to end. Each service is meant to run as long as the container, so any end
# is a failure: the others are stopped in order and the container exits 1, for the restart policy.
supervise() {
  phase=running
  local name rc
  while :; do
    rc=0
    wait -n || rc=$?
    # No child left to wait for (should not happen): do not spin.
    (( rc != 127 )) || sleep 1
    for name in "${order[@]}"; do
      [[ -n "${pids[$name]:-}" ]] || continue
      kill -0 "${pids[$name]}" 2>/dev/null && continue
      rc=0
      wait "${pids[$name]}" 2>/dev/null || rc=$?
      unset "pids[$name]"
      log "error: $name exited unexpectedly (exit $rc); stopping the others"
      exit 1
    done
  done
}
