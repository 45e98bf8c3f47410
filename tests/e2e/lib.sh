# lib.sh - shared helpers of the end-to-end tests (sourced, bash).
#
# Each test script gets its own temporary directory ($TMP, removed on
# exit, also the working directory) and a database inside it
# ($FIELDBOOK_DB).  Output is TAP: every assertion prints "ok N - ..."
# or "not ok N - ...", and done_testing prints the plan "1..N" and
# exits non-zero if any failed.  The binary is $FIELDBOOK, else
# ../../build/bin/fieldbook from this directory.
#
#   fb ARGS...          run the fieldbook binary
#   run CMD ARGS...     run a command (stdin /dev/null); sets RC, OUT,
#                       ERR (and OUT_FILE, ERR_FILE holding the bytes)
#   ok DESC CMD...      passes if CMD succeeds
#   is GOT WANT DESC    string equality;  like GOT ERE DESC: a line matches
#   pass DESC / fail DESC [DIAG...] / diag TEXT... / done_testing
#   skip WHY            one test not run, and why (TAP "# SKIP")
#   expect_exit N [desc]         RC is N
#   expect_out TEXT [desc]       stdout equals TEXT (trailing newlines aside)
#   expect_out_contains TEXT     stdout contains TEXT
#   expect_out_match ERE         stdout matches an extended regex
#   expect_err TEXT [desc]       stderr is exactly the one line TEXT
#   expect_err_match ERE         stderr is one line, "fieldbook: ", matching ERE
#   expect_err_empty             nothing on stderr
#   snapshot / db_unchanged      compare export --all + journal count
#   bad CODE MSG CMD...          a bad input: exit CODE, stderr exactly MSG
#                                (one line), database unchanged (3 tests)
#   fresh_db [BRANCH]            new database at $FIELDBOOK_DB
#   new_id CMD...                print the id a command prints (setup)
#   json_get EXPR                Python EXPR on the JSON on stdin, as `d`
#   is_j EXPR WANT DESC          is, with EXPR on the last run's stdout
#   is_json FILE                 python3 -m json.tool accepts FILE
#   sql_query DB SQL             sqlite3 output into $SQL_OUT
#
# Python and sqlite3 each run once per script as helpers fed through
# pipes (fds 5-8): on some machines starting a process costs more than
# the command under test.

set -u

case ${BASH_SOURCE[0]} in
*/*) E2E_DIR=${BASH_SOURCE[0]%/*} ;;
*) E2E_DIR=. ;;
esac
E2E_DIR=$(cd "$E2E_DIR" && pwd)
if [ -z "${FIELDBOOK:-}" ]; then
	FIELDBOOK=$E2E_DIR/../../build/bin/fieldbook
fi
case $FIELDBOOK in
/*) ;;
*) FIELDBOOK=$PWD/$FIELDBOOK ;;
esac
export FIELDBOOK

# Limits.  FB_TIMEOUT bounds commands that may wait on the network
# (synclib.sh).  Local fieldbook runs are bounded without a timeout(1)
# process each (process start-up is most of this suite's time): every
# process may use at most FB_CPU_LIMIT seconds of CPU, SQLite waits at
# most 5 s for a lock, stdin is /dev/null, and a watchdog ends the whole
# script after E2E_LIMIT seconds.
FB_TIMEOUT=${FB_TIMEOUT:-20}
FB_CPU_LIMIT=${FB_CPU_LIMIT:-300}
E2E_LIMIT=${E2E_LIMIT:-600}
ulimit -t "$FB_CPU_LIMIT" 2>/dev/null

if [ ! -x "$FIELDBOOK" ]; then
	echo "Bail out! fieldbook binary not found at $FIELDBOOK (run make all)"
	exit 1
fi
for tool in sqlite3 python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "Bail out! the e2e tests need $tool"
		exit 1
	fi
done

# The interpreter itself, not a version manager's shim (a shell script
# that starts several programs each time), and without site packages.
PYTHON=
_IFS=$IFS
IFS=:
for _d in $PATH; do
	case $_d in *shims*) continue ;; esac
	if [ -x "$_d/python3" ]; then
		PYTHON=$_d/python3
		break
	fi
done
IFS=$_IFS
[ -n "$PYTHON" ] || PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
py() {
	"$PYTHON" -I -S "$@"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldbook-e2e.XXXXXX") || {
	echo "Bail out! mktemp failed"
	exit 1
}
trap 'rm -rf "$TMP"' EXIT
trap 'echo "Bail out! ${0##*/} terminated (over ${E2E_LIMIT}s?)"; exit 130' INT TERM

# The watchdog: a background subshell that checks once a second (read
# with a timeout on a FIFO, no process per tick) whether the script is
# still running, and after E2E_LIMIT seconds stops it and its children.
# It writes nothing, so it never holds prove's pipe open.
_e2e_main=$$
mkfifo "$TMP/.watchdog" "$TMP/.sql.in" "$TMP/.sql.out" 2>/dev/null
if [ -p "$TMP/.watchdog" ]; then
	(
		exec 9<>"$TMP/.watchdog" </dev/null >/dev/null 2>&1
		trap - INT TERM EXIT
		_s=0
		while [ "$_s" -lt "$E2E_LIMIT" ]; do
			kill -0 "$_e2e_main" 2>/dev/null || exit 0
			read -r -t 1 -u 9 _
			_s=$((_s + 1))
		done
		kill -TERM "$_e2e_main"
		pkill -TERM -P "$_e2e_main"
	) &
fi
# Nothing may leak into the user's real data directory.
export HOME=$TMP/home XDG_DATA_HOME=$TMP/xdg
mkdir -p "$HOME"
export FIELDBOOK_DB=$TMP/fb.db
# English, whatever the machine speaks: LC_ALL wins over LANG and
# LC_MESSAGES, and gettext would still follow a $LANGUAGE under C.UTF-8.
# Tests of Vietnamese (74-vietnamese-ui.t) name the language per command.
export LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE
cd "$TMP" || exit 1

_tap_n=0
_tap_failed=0

diag() {
	printf '%s\n' "$@" | sed 's/^/# /' >&2
}

pass() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s\n' "$_tap_n" "${1//$'\n'/ }"
}

fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "${1//$'\n'/ }"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d # SKIP %s\n' "$_tap_n" "${1//$'\n'/ }"
}

# ok DESC CMD ARGS...: passes when the command succeeds.
ok() {
	local d=$1
	shift
	if "$@"; then
		pass "$d"
	else
		fail "$d" "command failed: $*"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected: '$2'"
	fi
}

# matches TEXT ERE: some line of TEXT matches the extended regular
# expression, as grep -E would say (in the shell: no process).
matches() {
	local line re=$2
	while IFS= read -r line; do
		[[ $line =~ $re ]] && return 0
	done <<<"$1"
	return 1
}

# like GOT ERE DESC
like() {
	if matches "$1" "$2"; then
		pass "$3"
	else
		fail "$3" "     got: '$1'" "expected to match: $2"
	fi
}

plan() {
	_tap_plan=$1
}

done_testing() {
	if [ -n "${_tap_plan:-}" ] && [ "$_tap_plan" != "$_tap_n" ]; then
		diag "planned $_tap_plan tests but ran $_tap_n"
		_tap_failed=$((_tap_failed + 1))
	fi
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ] || diag "$_tap_failed of $_tap_n failed"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}

fb() {
	"$FIELDBOOK" "$@" 5>&- 6>&- 7>&- 8>&-
}

OUT_FILE=$TMP/.run.out
ERR_FILE=$TMP/.run.err
RC=0
OUT=
ERR=
LAST_CMD=

run() {
	LAST_CMD="$*"
	"$@" >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
	RC=$?
	OUT=$(<"$OUT_FILE")
	ERR=$(<"$ERR_FILE")
	if [ "$RC" -eq 124 ]; then
		diag "timed out: $LAST_CMD"
	fi
	return 0
}

# _short TEXT: TEXT on one line, cut to 90 characters, into $_S (a
# variable, not output: a command substitution costs a fork).
_short() {
	_S=$*
	_S=${_S//$'\n'/\\n}
	_S=${_S//$'\r'/\\r}
	[ ${#_S} -gt 90 ] && _S="${_S:0:87}..."
	return 0
}

expect_exit() {
	local d=${2:-}
	[ -n "$d" ] || { _short "$LAST_CMD"; d="exit $1: $_S"; }
	if [ "$RC" = "$1" ]; then
		pass "$d"
	else
		fail "$d" "exit status $RC, expected $1" "stderr: $ERR"
	fi
}

expect_out() {
	local d=${2:-}
	[ -n "$d" ] || { _short "$LAST_CMD"; d="stdout of $_S"; }
	is "$OUT" "$1" "$d"
}

expect_out_contains() {
	local d=${2:-}
	[ -n "$d" ] || { _short "$1"; d="stdout has '$_S'"; }
	case $OUT in
	*"$1"*) pass "$d" ;;
	*) fail "$d" "stdout: $OUT" ;;
	esac
}

expect_out_match() {
	like "$OUT" "$1" "${2:-stdout matches $1}"
}

# Exactly one complete line on stderr?
_err_one_line() {
	local s=
	IFS= read -r -d '' s <"$ERR_FILE"
	[[ $s == ?*$'\n' ]] || return 1
	s=${s%$'\n'}
	[[ $s != *$'\n'* ]]
}

expect_err() {
	local d=${2:-}
	[ -n "$d" ] || { _short "$1"; d="stderr: $_S"; }
	if [ "$ERR" = "$1" ] && _err_one_line; then
		pass "$d"
	else
		fail "$d" "     got: '$ERR'" "expected: '$1' (one line)"
	fi
}

expect_err_match() {
	local d=${2:-"stderr matches $1"}
	if _err_one_line && [ "${ERR#fieldbook: }" != "$ERR" ] &&
		matches "$ERR" "$1"; then
		pass "$d"
	else
		fail "$d" "     got: '$ERR'" "expected one 'fieldbook: ' line matching: $1"
	fi
}

expect_err_empty() {
	if [ ! -s "$ERR_FILE" ]; then
		pass "${1:-nothing on stderr}"
	else
		fail "${1:-nothing on stderr}" "stderr: $ERR"
	fi
}

# sql_query DB SQL: SQL's output (sqlite3 -batch, one line per row) in
# $SQL_OUT.  One sqlite3 process per script answers every query: it
# opens DB for the query and closes it after (.open :memory:), so no
# connection stays open while fieldbook works on the file.
SQL_OUT=
_sql_pid=
sql_query() {
	local line
	SQL_OUT=
	if [ -z "$_sql_pid" ]; then
		SQL_OUT=$(sqlite3 "$1" "$2" 2>&1)
		return
	fi
	printf '.open "%s"\n%s\n;\nselect char(1);\n.open :memory:\n' "$1" "$2" >&5
	while IFS= read -r -t 20 line <&6; do
		[ "$line" = $'\001' ] && return 0
		SQL_OUT+=${SQL_OUT:+$'\n'}$line
	done
	SQL_OUT+="(no answer from sqlite3)"
	return 1
}
if [ -p "$TMP/.sql.in" ]; then
	exec 5<>"$TMP/.sql.in" 6<>"$TMP/.sql.out"
	# Not a writer of its own input (5, 6 closed): it ends at our exit.
	sqlite3 -batch <"$TMP/.sql.in" >"$TMP/.sql.out" 2>&1 5>&- 6>&- &
	_sql_pid=$!
fi

# A database's state as the user sees it (export --format json --all),
# plus the journal's length.  The export is taken again only when the
# record table or the journal changed since the last one (an sqlite3
# query is cheap, a fieldbook run less so); the comparison covers both.
_STATE_KEY=
_STATE_EXPORT=
STATE=
db_state() {
	local db=${1:-$FIELDBOOK_DB} key
	if [ ! -e "$db" ]; then
		STATE="(no database)"
		return
	fi
	sql_query "$db" "select 'journal: ' || count(*) from journal;
		select id || ' ' || type || ' ' || branch || ' ' || deleted || ' ' || vals
		from record order by id;"
	key=$SQL_OUT
	if [ "$db|$key" != "$_STATE_KEY" ]; then
		# The export's summary line on stderr is no part of the state;
		# an error is.
		_STATE_EXPORT=$(FIELDBOOK_DB=$db fb export --format json --all 2>"$TMP/.state.err") ||
			_STATE_EXPORT+=$(<"$TMP/.state.err")
		_STATE_KEY="$db|$key"
	fi
	STATE="$_STATE_EXPORT
$key"
}

SNAP=
snapshot() {
	db_state "$@"
	SNAP=$STATE
}

db_unchanged() {
	local d=${1:-}
	[ -n "$d" ] || { _short "$LAST_CMD"; d="database unchanged after $_S"; }
	db_state
	if [ "$STATE" = "$SNAP" ]; then
		pass "$d"
	else
		fail "$d" "$(diff <(printf '%s\n' "$SNAP") <(printf '%s\n' "$STATE") | head -20)"
	fi
}

# bad CODE MESSAGE CMD ARGS...: three tests for one bad input.
bad() {
	local code=$1 msg=$2
	shift 2
	snapshot
	run "$@"
	expect_exit "$code"
	_short "$msg"
	expect_err "$msg" "one-line error: $_S"
	db_unchanged
}

# fresh_db [BRANCH]: a new database at $FIELDBOOK_DB (removed first).
fresh_db() {
	rm -f "$FIELDBOOK_DB" "$FIELDBOOK_DB"-wal "$FIELDBOOK_DB"-shm "$FIELDBOOK_DB"-journal
	fb init --branch "${1:-HN.PL.TT.03}" >/dev/null || {
		echo "Bail out! init failed"
		exit 1
	}
}

# new_id CMD ARGS...: run a command that prints an id; the id, or fail.
new_id() {
	local id
	id=$("$@" </dev/null) || {
		diag "setup failed: $*"
		return 1
	}
	printf '%s' "$id"
}

# json_get EXPR: evaluate a Python expression on the JSON document on
# stdin, bound to `d`; prints the result (strings bare, others as JSON).
# One Python process per script serves every call (a co-process), as
# starting Python costs more than most fieldbook commands.
coproc _PYJ {
	exec 5>&- 6>&-
	"$PYTHON" -I -S -u -c '
import json, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    head = inp.readline()
    if not head:
        break
    ne, nd = map(int, head.split())
    expr, data = inp.read(ne).decode(), inp.read(nd).decode()
    try:
        d = json.loads(data)
        v = eval(expr)
        res, ok = (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)), 1
    except Exception as e:
        res, ok = "%s: %s" % (type(e).__name__, e), 0
    b = res.encode()
    out.write(b"%d %d\n" % (ok, len(b)) + b)
    out.flush()
' 2>/dev/null
}
exec 7>&"${_PYJ[1]}" 8<&"${_PYJ[0]}"

json_get() {
	local data=
	IFS= read -r -d '' data
	json_eval "$1" "$data" && printf '%s\n' "$JV"
}

# json_eval EXPR TEXT: like json_get, on TEXT, result in $JV (no fork).
JV=
json_eval() {
	JV=
	local LC_ALL=C ok n
	printf '%d %d\n%s%s' "${#1}" "${#2}" "$1" "$2" >&7
	read -r ok n <&8 || {
		echo "json_eval: the Python helper is gone" >&2
		return 1
	}
	[ "$n" -gt 0 ] && IFS= read -r -N "$n" JV <&8
	if [ "$ok" != 1 ]; then
		printf 'json %s: %s\n' "$1" "$JV" >&2
		JV=
		return 1
	fi
}

# is_j EXPR WANT DESC: EXPR on the JSON document of the last run's stdout.
is_j() {
	json_eval "$1" "$OUT"
	is "$JV" "$2" "$3"
}

# is_json FILE: python3 -m json.tool accepts it as one document.
is_json() {
	py -m json.tool "$1" >/dev/null 2>&1
}

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
NOID=00000000-0000-4000-8000-000000000000
