# synclib.sh - helpers of the sync end-to-end tests (sourced, bash).
#
# Sources lib.sh (TAP, $TMP, run/expect, fb ...) and adds what the tests
# of a hub and several collectors need.  Every hub is started on
# 127.0.0.1 with port 0, its pid recorded, and killed by that pid when
# the script exits (the EXIT trap of lib.sh is extended, not replaced).
#
#   hub ARGS...                  fieldbook-hub, bounded by a timeout
#   fbd DB ARGS...               fieldbook --db DB ARGS (bounded)
#   hub_tree H                   new hub db: HN > HN.PL > HN.PL.TT > .03, .04
#   enroll H UNIT NAME FILE      enroll a device; its token into FILE (0600)
#   start_hub H [ARGS...]        serve H; sets HUB_PID HUB_PORT HUB_URL HUB_LOG
#                                (on $HUB_LISTEN if set, else 127.0.0.1:0)
#   restart_hub H [ARGS...]      serve H again on the port of the hub started
#                                last (stopped first), so laptops keep their remote
#   stop_hub [PID]               SIGTERM, bounded wait; HUB_RC is its status
#   kill_hub [PID]               SIGKILL (a crash), reaped
#   new_collector DB BRANCH TOKENFILE [CACERT]   init + remote set
#   sync_until DB [MAX]          run sync until it exits 0 (bounded); RC
#   own_device DB                the collector's device id
#   jcount DB DEVICE             "rows|last_seq" of DEVICE's journal in DB
#   jchain DB DEVICE             "rows|last_seq|hash of the last entry": equal
#                                in two databases, they hold the same chain
#   jget DB EXPR ARGS...         json_get EXPR on `fieldbook --db DB ARGS`
#   json_q EXPR ARGS...          json_get with ARGS bound to the list `a`
#   same_file DESC F1 F2         one test: the files are equal (diff if not)
#   records_of DB FILE           DB's records, canonical JSON lines, into FILE
#   expect_reset / expect_rec ID TYPE LABEL [PHONE]   what every laptop must
#                                hold; E_PHONE[ID]=P, E_DEL[ID]=1 for changes
#   expect_member DB NAME [PHONE]  a member added on DB and expected
#                                everywhere; its id in LAST_ID
#   expected_summary FILE        those records, one line each, sorted
#   summary_of DB FILE           DB's records in the same form (export --all)
#   hub_dups H                   (device, seq) held more than once in H's journal
#   copy_db SRC DST              copy a SQLite database no process has open
#                                (the file and its -wal; DST's old -wal/-shm go)
#   start_proxy SEED [ARGS...]   the fault proxy before the last hub started;
#                                sets PROXY_PID PROXY_URL (log: $TMP/proxy.log)
#   wait_held PID                after start_proxy 0 --hold-answer K: wait
#                                (bounded) until the proxy holds an answer
#   stop_proxy                   stop it (its connections to the hub close)
#   hub_sql H SQL                SQL on hub H's store (sqlite3, or psql under
#                                FIELDBOOK_TEST_STORE=pg), unaligned output
#   store_pg                     true under FIELDBOOK_TEST_STORE=pg
#   hub_store H                  what the hub calls H's store in its messages:
#                                the path, or the postgresql:// URI
#   hub_jv DB KEY                SQL of the value KEY in record.vals (JSON
#                                text), as text, in the engine of DB (a hub or
#                                a collector's database): for hub_sql, _db_sql
#   hub_hex DB EXPR              SQL of EXPR (a blob) in upper-case hex, the same
#   hub_copy H FILE online|cold  a copy of hub H's database, taken while it
#                                serves (SQLite: sqlite3 .backup) or stopped
#                                (copy_db); on PostgreSQL pg_dump either way
#   hub_put_back H FILE          hub H (stopped) restored from that copy, as
#                                an administrator would (SQLite: the file
#                                replaced, its -wal and -shm removed first;
#                                PostgreSQL: the database dropped, made again
#                                and pg_restore'd)
#   hub_writes H                 a mark of every row H's store holds: the same
#                                before and after a command that wrote nothing
#                                (SQLite: the file's bytes; PostgreSQL: each
#                                row's xmin and ctid, which any write changes)
#
# FIELDBOOK_TEST_STORE=pg runs every hub of the script on PostgreSQL: a
# throw-away cluster (pglib.sh) is started, and the hub's --db PATH
# becomes --store URI of a database named after PATH, made on first use.
# A script that cannot run so (it copies a hub's file) says
# `sqlite_only` first.

# The hub binary: $FIELDBOOK_HUB (made absolute here, before lib.sh
# changes directory), else ../../build/bin/fieldbook-hub from here.
_synclib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${FIELDBOOK_HUB:-}" ]; then
	FIELDBOOK_HUB=$_synclib_dir/../../build/bin/fieldbook-hub
fi
case $FIELDBOOK_HUB in
/*) ;;
*) FIELDBOOK_HUB=$PWD/$FIELDBOOK_HUB ;;
esac
export FIELDBOOK_HUB

. "$_synclib_dir/lib.sh"

if [ ! -x "$FIELDBOOK_HUB" ]; then
	echo "Bail out! fieldbook-hub binary not found at $FIELDBOOK_HUB (run make all)"
	exit 1
fi

# Servers this script started, killed by pid on exit.
_SYNC_PIDS=
_sync_cleanup() {
	local p
	for p in $_SYNC_PIDS; do
		if kill -0 "$p" 2>/dev/null; then
			kill -9 "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
	_SYNC_PIDS=
}
# Chain onto lib.sh's EXIT trap (whatever it is): servers first.
# shellcheck disable=SC2120 # its own set --, not the caller's arguments
_sync_prev_exit() {
	eval "set -- $(trap -p EXIT)"
	printf '%s' "${3:-}"
}
_SYNC_PREV_EXIT=$(_sync_prev_exit)
trap '_sync_cleanup; eval "$_SYNC_PREV_EXIT"' EXIT

_sync_forget() {
	local p keep=
	for p in $_SYNC_PIDS; do
		[ "$p" = "$1" ] || keep="$keep $p"
	done
	_SYNC_PIDS=$keep
}

if [ "${FIELDBOOK_TEST_STORE:-sqlite}" = pg ]; then
	. "$_synclib_dir/pglib.sh"
	pg_start
fi

store_pg() {
	[ "${FIELDBOOK_TEST_STORE:-sqlite}" = pg ]
}

# A script whose hubs are SQLite files it reads or copies itself.
sqlite_only() {
	store_pg || return 0
	echo "1..0 # SKIP the hub's SQLite file is used itself"
	exit 0
}

# The PostgreSQL store of the hub path $1: its database made on first use.
_pg_store_of() {
	local name
	name=h_$(printf '%s' "$1" | md5sum | cut -c1-16)
	if [ ! -e "$TMP/$name.pgdb" ]; then
		pg_new_db "$name" >&2
		: >"$TMP/$name.pgdb"
	fi
	printf 'postgresql://fieldbook@/%s?host=%s' "$name" "$PG_DIR"
}

# The hub's arguments, in _HUB_ARGS: --db PATH made --store URI under
# FIELDBOOK_TEST_STORE=pg.
_hub_args() {
	_HUB_ARGS=()
	while [ $# -gt 0 ]; do
		if [ "$1" = --db ] && [ $# -ge 2 ] && store_pg; then
			_HUB_ARGS+=(--store "$(_pg_store_of "$2")")
			shift 2
		else
			_HUB_ARGS+=("$1")
			shift
		fi
	done
}

# Is path $1 a hub made on PostgreSQL (FIELDBOOK_TEST_STORE=pg)?
_is_pg_hub() {
	[ "${FIELDBOOK_TEST_STORE:-sqlite}" = pg ] &&
		[ -e "$TMP/h_$(printf '%s' "$1" | md5sum | cut -c1-16).pgdb" ]
}

# SQL on a collector's database, or on a hub's store.
_db_sql() {
	if _is_pg_hub "$1"; then
		hub_sql "$1" "$2"
	else
		sqlite3 -readonly "$1" "$2"
	fi
}

hub_sql() {
	if store_pg; then
		local rc=0
		pg_sql "$(_pg_name_of "$1")" "$2" || rc=$?
		[ -z "$PG_OUT" ] || printf '%s\n' "$PG_OUT"
		return "$rc"
	else
		sqlite3 "$1" "$2"
	fi
}

# The PostgreSQL database of hub path $1 (made on first use).
_pg_name_of() {
	_pg_store_of "$1" | sed 's|^postgresql://fieldbook@/||; s|?.*||'
}

hub_copy() {
	if store_pg; then
		pg_dump_db "$(_pg_name_of "$1")" "$2" || {
			printf '%s\n' "$PG_OUT" >&2
			return 1
		}
	elif [ "$3" = online ]; then
		sqlite3 "$1" ".backup '$2'"
	else
		copy_db "$1" "$2"
	fi
}

hub_put_back() {
	if store_pg; then
		pg_restore_db "$(_pg_name_of "$1")" "$2" || {
			printf '%s\n' "$PG_OUT" >&2
			return 1
		}
	else
		rm -f "$1"-wal "$1"-shm &&
			cp "$2" "$1"
	fi
}

hub_store() {
	if store_pg; then
		_pg_store_of "$1"
	else
		printf '%s' "$1"
	fi
}

hub_jv() {
	if _is_pg_hub "$1"; then
		printf "(vals::json->>'%s')" "$2"
	else
		printf "json_extract(vals, '\$.%s')" "$2"
	fi
}

hub_hex() {
	if _is_pg_hub "$1"; then
		printf "upper(encode(%s, 'hex'))" "$2"
	else
		printf 'hex(%s)' "$2"
	fi
}

hub_writes() {
	local t q=
	if ! store_pg; then
		sha256sum "$1" | cut -d' ' -f1
		return
	fi
	# A row written (inserted, updated, even to the same values) is a
	# new row version: a new xmin, and most often a new ctid.
	for t in $(hub_sql "$1" "select tablename from pg_tables where schemaname = 'public' order by tablename"); do
		q+="${q:+ union all }select '$t', count(*), md5(coalesce(string_agg(xmin::text || ctid::text, ',' order by ctid), '')) from \"$t\""
	done
	hub_sql "$1" "$q"
}

# Processes started here do not hold lib.sh's helper pipes (fds 5-8).
hub() {
	_hub_args "$@"
	timeout "$FB_TIMEOUT" "$FIELDBOOK_HUB" "${_HUB_ARGS[@]}" 5>&- 6>&- 7>&- 8>&-
}

# sqlite_hub FILE ARGS...: the hub on the SQLite file FILE whichever
# store the script's hubs are on (a backup is such a file on both).
sqlite_hub() {
	local f=$1
	shift
	timeout "$FB_TIMEOUT" "$FIELDBOOK_HUB" --db "$f" "$@" 5>&- 6>&- 7>&- 8>&-
}

fbd() {
	local db=$1
	shift
	timeout "$FB_TIMEOUT" "$FIELDBOOK" --db "$db" "$@" 5>&- 6>&- 7>&- 8>&-
}

hub_tree() {
	local h=$1
	{
		hub --db "$h" init --unit HN --name "Hà Nội" --level province &&
			hub --db "$h" unit add HN.PL --parent HN --level district --name "Phúc Lộc" &&
			hub --db "$h" unit add HN.PL.TT --parent HN.PL --level commune --name "Xã Thanh Thủy" &&
			hub --db "$h" unit add HN.PL.TT.03 --parent HN.PL.TT --level branch --name "Chi hội 3" &&
			hub --db "$h" unit add HN.PL.TT.04 --parent HN.PL.TT --level branch --name "Chi hội 4"
	} >/dev/null || {
		echo "Bail out! could not set up the hub database $h"
		exit 1
	}
}

enroll() {
	local h=$1 unit=$2 name=$3 file=$4
	(umask 077 && hub --db "$h" enroll --unit "$unit" --name "$name" >"$file" 2>/dev/null) || {
		echo "Bail out! enroll $name for $unit failed"
		exit 1
	}
	chmod 600 "$file"
	grep -Eq '^fbt_[0-9a-f]{64}$' "$file" || {
		echo "Bail out! enroll printed no token: $(head -c 100 "$file")"
		exit 1
	}
}

_HUB_N=0
HUB_PID=
HUB_PORT=
HUB_URL=
HUB_LOG=
HUB_RC=
HUB_LISTEN=
# start_hub H [serve args...]: the hub's stderr goes to HUB_LOG (one per
# start, so a test can read what each one logged).  It listens on
# $HUB_LISTEN when that is set (restart_hub), else on a free port.
start_hub() {
	local h=$1 pf c _ scheme=http listen=${HUB_LISTEN:-127.0.0.1:0}
	shift
	_HUB_N=$((_HUB_N + 1))
	pf=$TMP/hub-$_HUB_N.port
	HUB_LOG=$TMP/hub-$_HUB_N.log
	rm -f "$pf"
	case " $* " in *" --tls-cert "*) scheme=https ;; esac
	_hub_args --db "$h" serve --listen "$listen" --port-file "$pf" "$@"
	"$FIELDBOOK_HUB" "${_HUB_ARGS[@]}" \
		>"$TMP/hub-$_HUB_N.out" 2>"$HUB_LOG" </dev/null 5>&- 6>&- 7>&- 8>&- &
	HUB_PID=$!
	_SYNC_PIDS="$_SYNC_PIDS $HUB_PID"
	HUB_PORT=
	for _ in $(seq 100); do
		if [ -s "$pf" ]; then
			# Only a whole line: the hub may be writing it.
			c=$(cat "$pf" && echo x)
			if [ "${c%$'\n'x}" != "$c" ]; then
				c=${c%$'\n'x}
				if [[ $c =~ ^[0-9]+$ ]]; then
					HUB_PORT=$c
					break
				fi
			fi
		fi
		kill -0 "$HUB_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$HUB_PORT" ]; then
		echo "Bail out! the hub did not start: $(head -c 300 "$HUB_LOG")"
		exit 1
	fi
	HUB_URL=$scheme://127.0.0.1:$HUB_PORT
}

# restart_hub H [serve args...]: a hub on H listening on the port of the
# hub started last, which must be stopped already: the laptops' remote
# URL stays the same, as for a hub restarted or upgraded in place.  The
# binary is $FIELDBOOK_HUB (FIELDBOOK_HUB=OTHER restart_hub H for another).
restart_hub() {
	if [ -z "$HUB_PORT" ]; then
		echo "Bail out! restart_hub: no hub was started before"
		exit 1
	fi
	HUB_LISTEN=127.0.0.1:$HUB_PORT start_hub "$@"
}

PROXY_PID=
PROXY_URL=
# start_proxy SEED [ARGS...]: tests/tools/faultproxy in front of the hub
# started last (HUB_PORT), each connection's fault drawn from SEED; ARGS
# go to the proxy (--hold-answer K).  It stops by itself after 280 s, and
# is killed by pid when the script exits.
start_proxy() {
	local proxy=${FIELDBOOK_BUILD:-$_synclib_dir/../../build}/tests/faultproxy _ seed=$1
	shift
	if [ ! -x "$proxy" ]; then
		echo "Bail out! faultproxy not built at $proxy (run make all)"
		exit 1
	fi
	rm -f "$TMP/proxy.port"
	"$proxy" --target "127.0.0.1:$HUB_PORT" --port-file "$TMP/proxy.port" --seed "$seed" \
		--max-seconds 280 "$@" 2>"$TMP/proxy.log" 5>&- 6>&- 7>&- 8>&- &
	PROXY_PID=$!
	_SYNC_PIDS="$_SYNC_PIDS $PROXY_PID"
	for _ in $(seq 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
	PROXY_URL=http://127.0.0.1:$(cat "$TMP/proxy.port")
}

# wait_held PID: until the proxy (--hold-answer) holds an answer back,
# at most 60 s; 1 if it never did (PID, the client, ended first: it made
# fewer requests than the test expected).
wait_held() {
	local _
	for _ in $(seq 1200); do
		grep -q '^held answer' "$TMP/proxy.log" 2>/dev/null && return 0
		kill -0 "$PROXY_PID" 2>/dev/null || return 1
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# stop_proxy: before stop_hub, so that no connection the proxy still
# holds to the hub looks like a request in flight.
stop_proxy() {
	[ -n "$PROXY_PID" ] || return 0
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	_sync_forget "$PROXY_PID"
	PROXY_PID=
}

# stop_hub [PID]: SIGTERM, wait at most ~10 s (then SIGKILL); HUB_RC.
# shellcheck disable=SC2120
stop_hub() {
	local p=${1:-$HUB_PID} _
	HUB_RC=
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 200); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$p" 2>/dev/null; then
		diag "hub $p did not stop on SIGTERM; killing it"
		kill -9 "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
	# shellcheck disable=SC2034 # read by the tests
	HUB_RC=$?
	_sync_forget "$p"
}

# kill_hub [PID]: a crash, no chance to finish anything.
# shellcheck disable=SC2120
kill_hub() {
	local p=${1:-$HUB_PID}
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	_sync_forget "$p"
}

# new_collector DB BRANCH TOKENFILE [CACERT]
new_collector() {
	local db=$1 branch=$2 tok=$3 ca=${4:-}
	rm -f "$db" "$db"-wal "$db"-shm
	fbd "$db" init --branch "$branch" >/dev/null || {
		echo "Bail out! init of $db failed"
		exit 1
	}
	if [ -n "$ca" ]; then
		fbd "$db" remote set "$HUB_URL" --token-file "$tok" --cacert "$ca" >/dev/null
	else
		fbd "$db" remote set "$HUB_URL" --token-file "$tok" >/dev/null
	fi || {
		echo "Bail out! remote set of $db failed"
		exit 1
	}
}

# sync_until DB [MAX]: sync until exit 0, at most MAX tries; RC OUT ERR.
sync_until() {
	local db=$1 max=${2:-10} _
	for _ in $(seq "$max"); do
		run fbd "$db" sync
		[ "$RC" -eq 0 ] && return 0
		sleep 0.1
	done
	diag "sync of $db still failing after $max tries: $RC $ERR"
	return 1
}

own_device() {
	sqlite3 "$1" "select value from meta where key = 'device'"
}

jcount() {
	_db_sql "$1" "select count(*), coalesce(max(seq + n - 1), 0) from journal where device = '$2'"
}

# The hash chains each entry to the one before: equal last hashes (and
# counts) mean the same journal, content and all.  Read-only.
jchain() {
	_db_sql "$1" "select count(*) || '|' || coalesce(max(seq + n - 1), 0) || '|' ||
		coalesce((select $(hub_hex "$1" hash) from journal where device = '$2' order by seq desc limit 1), '-')
		from journal where device = '$2'"
}

# jget DB EXPR ARGS...: a value from a --json command of fieldbook.
jget() {
	local db=$1 expr=$2
	shift 2
	fbd "$db" "$@" </dev/null | json_get "$expr"
}

# json_q EXPR ARGS...: like json_get, with the extra arguments bound to
# the list `a` (so values need no quoting inside the expression).
json_q() {
	py -c '
import json, sys
d = json.load(sys.stdin)
a = sys.argv[2:]
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
' "$@"
}

same_file() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "$(diff "$2" "$3" | head -20)"
	fi
}

# copy_db SRC DST: a copy of the SQLite database SRC, which no process
# has open (a stopped hub, a laptop between commands), as a person would
# make one: the file and its -wal if there is one.  DST's old -wal and
# -shm are removed first, so the copy is not read with another's log.
copy_db() {
	rm -f "$2" "$2"-wal "$2"-shm "$2"-journal
	cp "$1" "$2" || return 1
	if [ -e "$1"-wal ]; then
		cp "$1"-wal "$2"-wal || return 1
	fi
}

# records_of DB FILE: DB's records as its own `export --format json
# --all` gives them, one JSON object a line, keys sorted, lines sorted,
# into FILE; two databases hold the same records when the files are
# equal (same_file).  FIELDBOOK=OTHER records_of ... for another binary.
records_of() {
	local out
	out=$(fbd "$1" export --format json --all 2>"$TMP/.export.err" </dev/null) ||
		out+=$(<"$TMP/.export.err")
	if json_eval '"\n".join(sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in d["records"]))' "$out"; then
		printf '%s\n' "$JV" >"$2"
	else
		printf '(export of %s failed: %s)\n' "$1" "$out" >"$2"
	fi
}

# What every laptop must hold at the end of a test: for each record id a
# line "id type label phone deleted" (label: a member's name, a
# training's title, an attendance's member id; phone "-" when none;
# deleted 0 or 1).  A test notes each record it makes (expect_rec) and
# each change (E_PHONE[ID]=..., E_DEL[ID]=1), and compares the laptops'
# summary_of with expected_summary (same_file).
declare -A E_TYPE E_LABEL E_PHONE E_DEL
expect_reset() {
	E_TYPE=() E_LABEL=() E_PHONE=() E_DEL=()
}
expect_rec() {
	E_TYPE[$1]=$2
	E_LABEL[$1]=$3
	E_PHONE[$1]=${4:--}
	E_DEL[$1]=0
}
expect_member() {
	local id
	if [ -n "${3:-}" ]; then
		id=$(new_id fbd "$1" member add --name "$2" --phone "$3")
	else
		id=$(new_id fbd "$1" member add --name "$2")
	fi
	[ -n "$id" ] || {
		echo "Bail out! member add $2 on $1 failed"
		exit 1
	}
	expect_rec "$id" member "$2" "${3:-}"
	LAST_ID=$id
}

expected_summary() {
	local id
	for id in "${!E_TYPE[@]}"; do
		printf '%s %s %s %s %s\n' "$id" "${E_TYPE[$id]}" "${E_LABEL[$id]}" "${E_PHONE[$id]}" "${E_DEL[$id]}"
	done | sort >"$1"
}
summary_of() {
	local out
	out=$(fbd "$1" export --format json --all 2>"$TMP/.export.err" </dev/null) ||
		out+=$(<"$TMP/.export.err")
	if json_eval '"\n".join(sorted("%s %s %s %s %d" % (r["id"], r["type"], r.get("full_name") or r.get("title") or r.get("member_id"), r.get("phone") or "-", r["deleted"]) for r in d["records"]))' "$out"; then
		printf '%s\n' "$JV" | sort >"$2"
	else
		printf '(export of %s failed: %s)\n' "$1" "$out" >"$2"
	fi
}

hub_dups() {
	hub_sql "$1" "select count(*) from (select device, seq from journal group by device, seq having count(*) > 1) d"
}
