# pglib.sh - a throw-away PostgreSQL cluster for the end-to-end tests
# of the hub's PostgreSQL store (sourced after lib.sh or synclib.sh).
#
#   pg_start             initdb into $TMP/pg and start it on a Unix socket
#                        there (no TCP port); stopped by its pid at exit.
#                        With no PostgreSQL to be had, the script is
#                        skipped whole ("1..0 # SKIP ...") and exits 0.
#   pg_new_db NAME       a new empty database; PG_URI is its URI
#   pg_sql NAME SQL      psql's unaligned output of SQL on NAME, in PG_OUT
#                        (its status is psql's)
#   pg_dump_db NAME FILE     pg_dump of NAME into FILE (custom format)
#   pg_restore_db NAME FILE  NAME dropped, made again empty, and FILE (a
#                        pg_dump_db) restored into it, as an administrator
#                        restores a database from its dump; 1 on failure,
#                        psql's or pg_restore's words in PG_OUT
#   pg_stop              stop the cluster now (fast shutdown, by pid)
#   pg_start_again       start the cluster pg_stop stopped, on its data
#   pg_standby_start     a streaming hot standby of the cluster
#                        (pg_basebackup -R) on a socket of its own;
#                        PG_SB_DIR is that socket's directory, stopped
#                        by its pid at exit
#   pg_standby_uri NAME  PG_URI of database NAME on the standby
#   pg_standby_caught_up 0 once the standby has replayed all the
#                        primary has written (one look; loop on it)
#
# As root (initdb refuses to run as root) the cluster belongs to the
# unprivileged user $PG_USER (default nobody): $TMP is opened to be
# traversed (not read), and the cluster's directory is that user's.
# Its socket directory is the cluster's own, so nothing else on the
# machine can see it, and two scripts never meet.

PG_BIN=${PG_BIN:-}
if [ -z "$PG_BIN" ]; then
	for _d in /usr/lib/postgresql/*/bin; do
		[ -x "$_d/initdb" ] && PG_BIN=$_d
	done
	[ -n "$PG_BIN" ] || PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /x/initdb)")
fi
PG_USER=${PG_USER:-nobody}
PG_DIR=$TMP/pg
PG_PID=
_PG_LAUNCHER=
PG_URI=
PG_OUT=

# Run a PostgreSQL program as the cluster's owner.
_pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

_pg_skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

pg_stop() {
	local _
	[ -n "$PG_PID" ] || return 0
	if kill -0 "$PG_PID" 2>/dev/null; then
		kill -INT "$PG_PID" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$PG_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$PG_PID" 2>/dev/null && kill -9 "$PG_PID" 2>/dev/null
	fi
	if [ -n "$_PG_LAUNCHER" ]; then
		wait "$_PG_LAUNCHER" 2>/dev/null || true
	fi
	PG_PID=
}

# Chain onto the EXIT trap lib.sh or synclib.sh set: the cluster first.
_pg_prev_exit() {
	eval "set -- $(trap -p EXIT)"
	printf '%s' "${3:-}"
}
_PG_PREV_EXIT=$(_pg_prev_exit)
trap 'pg_stop; eval "$_PG_PREV_EXIT"' EXIT

pg_start() {
	local _
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/postgres" ] && command -v psql >/dev/null 2>&1 ||
		_pg_skip "PostgreSQL is not installed (packaging/deps.sh installs it)"
	if [ "$(id -u)" -eq 0 ]; then
		command -v runuser >/dev/null 2>&1 || _pg_skip "runuser is missing (initdb refuses root)"
		id "$PG_USER" >/dev/null 2>&1 || _pg_skip "no user $PG_USER to own the cluster"
		chmod 711 "$TMP"
		mkdir -p "$PG_DIR"
		chown "$PG_USER" "$PG_DIR"
	else
		mkdir -p "$PG_DIR"
	fi
	chmod 700 "$PG_DIR"
	_pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U fieldbook --auth=trust -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$TMP/pg-initdb.log" 2>&1 ||
		_pg_skip "initdb failed: $(tail -n 1 "$TMP/pg-initdb.log")"
	_pg_launch
}

# Start the postmaster on the cluster's data; PG_PID once it answers.
_pg_launch() {
	local _
	# The socket only, in the cluster's own directory; fsync off (unless
	# PG_FSYNC=on: the bench): a throw-away cluster has nothing to keep
	# across a crash.
	_pg_as "$PG_BIN/postgres" -D "$PG_DIR/data" -k "$PG_DIR" -c listen_addresses= \
		-c fsync="${PG_FSYNC:-off}" -c max_connections=300 -c shared_buffers=32MB \
		>>"$TMP/pg.log" 2>&1 </dev/null 5>&- 6>&- 7>&- 8>&- &
	_PG_LAUNCHER=$!
	for _ in $(seq 200); do
		[ -S "$PG_DIR/.s.PGSQL.5432" ] && psql -X -q -h "$PG_DIR" -U fieldbook -d postgres \
			-c 'SELECT 1' >/dev/null 2>&1 && break
		kill -0 "$_PG_LAUNCHER" 2>/dev/null || break
		sleep 0.05
	done
	# The postmaster's own pid (runuser stays between it and us): the
	# first line of postmaster.pid, once it is up.
	[ -s "$PG_DIR/data/postmaster.pid" ] && PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	psql -X -q -h "$PG_DIR" -U fieldbook -d postgres -c 'SELECT 1' >/dev/null 2>&1 || {
		echo "Bail out! PostgreSQL did not start: $(tail -n 3 "$TMP/pg.log")"
		exit 1
	}
}

pg_start_again() {
	_pg_launch
}

PG_SB_DIR=$TMP/pgsb
PG_SB_PID=
pg_standby_stop() {
	local _
	[ -n "$PG_SB_PID" ] || return 0
	kill -INT "$PG_SB_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$PG_SB_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$PG_SB_PID" 2>/dev/null && kill -9 "$PG_SB_PID" 2>/dev/null
	PG_SB_PID=
}

pg_standby_start() {
	local _
	mkdir -p "$PG_SB_DIR"
	[ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_SB_DIR"
	chmod 700 "$PG_SB_DIR"
	_pg_as "$PG_BIN/pg_basebackup" -h "$PG_DIR" -U fieldbook -D "$PG_SB_DIR/data" -R \
		-X stream -c fast --no-sync >"$TMP/pgsb-base.log" 2>&1 || {
		echo "Bail out! pg_basebackup failed: $(tail -n 2 "$TMP/pgsb-base.log")"
		exit 1
	}
	_pg_as "$PG_BIN/postgres" -D "$PG_SB_DIR/data" -k "$PG_SB_DIR" -c listen_addresses= \
		-c fsync=off -c hot_standby=on -c max_connections=300 -c shared_buffers=32MB \
		>>"$TMP/pgsb.log" 2>&1 </dev/null 5>&- 6>&- 7>&- 8>&- &
	for _ in $(seq 200); do
		psql -X -q -h "$PG_SB_DIR" -U fieldbook -d postgres -c 'SELECT 1' \
			>/dev/null 2>&1 && break
		sleep 0.05
	done
	[ -s "$PG_SB_DIR/data/postmaster.pid" ] && PG_SB_PID=$(head -n 1 "$PG_SB_DIR/data/postmaster.pid")
	psql -X -q -h "$PG_SB_DIR" -U fieldbook -d postgres -c 'SELECT 1' >/dev/null 2>&1 || {
		echo "Bail out! the standby did not start: $(grep -m 3 -E "FATAL|ERROR|PANIC" "$TMP/pgsb.log")"
		exit 1
	}
	trap 'pg_standby_stop; pg_stop; eval "$_PG_PREV_EXIT"' EXIT
}

pg_standby_uri() {
	PG_URI="postgresql://fieldbook@/$1?host=$PG_SB_DIR"
}

pg_standby_caught_up() {
	local want got
	want=$(psql -X -q -A -t -h "$PG_DIR" -U fieldbook -d postgres \
		-c 'SELECT pg_current_wal_lsn()' 2>/dev/null) || return 1
	got=$(psql -X -q -A -t -h "$PG_SB_DIR" -U fieldbook -d postgres \
		-c "SELECT pg_last_wal_replay_lsn() >= '$want'::pg_lsn" 2>/dev/null) || return 1
	[ "$got" = t ]
}

pg_new_db() {
	psql -X -q -h "$PG_DIR" -U fieldbook -d postgres -c "CREATE DATABASE \"$1\"" \
		>/dev/null 2>&1 || {
		echo "Bail out! cannot create database $1"
		exit 1
	}
	PG_URI="postgresql://fieldbook@/$1?host=$PG_DIR"
}

pg_dump_db() {
	PG_OUT=$("$PG_BIN/pg_dump" -h "$PG_DIR" -U fieldbook -Fc -f "$2" "$1" 2>&1 </dev/null)
}

pg_restore_db() {
	pg_sql postgres "DROP DATABASE \"$1\"" &&
		pg_sql postgres "CREATE DATABASE \"$1\"" &&
		PG_OUT=$("$PG_BIN/pg_restore" -h "$PG_DIR" -U fieldbook --exit-on-error -d "$1" "$2" 2>&1 </dev/null)
}

pg_sql() {
	PG_OUT=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -U fieldbook -d "$1" \
		-c "$2" 2>&1 </dev/null)
}
