# lib.sh - shared helpers of the end-to-end tests (sourced, bash).
#
# Each test script gets its own temporary directory ($TMP, removed on
# exit) and a database inside it ($FIELDBOOK_DB).  Output is TAP:
# every assertion prints "ok N - ..." or "not ok N - ...", and
# done_testing prints the plan "1..N" and exits non-zero if any failed.
#
#   fb ARGS...          run the fieldbook binary (bounded by a timeout)
#   run CMD ARGS...     run a command; sets RC, OUT, ERR (and OUT_FILE,
#                       ERR_FILE holding the exact bytes)
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

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${FIELDBOOK:-}" ]; then
	FIELDBOOK=$E2E_DIR/../../build/bin/fieldbook
fi
case $FIELDBOOK in
/*) ;;
*) FIELDBOOK=$PWD/$FIELDBOOK ;;
esac
export FIELDBOOK

# Per-call limit: a hung command fails its test instead of the suite.
FB_TIMEOUT=${FB_TIMEOUT:-20}

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

# The interpreter itself, without site packages: a version-manager shim
# or site start-up costs a third of a second per call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
py() {
	"$PYTHON" -I -S "$@"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldbook-e2e.XXXXXX") || {
	echo "Bail out! mktemp failed"
	exit 1
}
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
# Nothing may leak into the user's real data directory.
export HOME=$TMP/home XDG_DATA_HOME=$TMP/xdg
mkdir -p "$HOME"
export FIELDBOOK_DB=$TMP/fb.db
export LC_ALL=C.UTF-8 TZ=UTC
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

# like GOT ERE DESC
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
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
	timeout "$FB_TIMEOUT" "$FIELDBOOK" "$@"
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

_short() {
	local s=$*
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/\\r}
	[ ${#s} -gt 90 ] && s="${s:0:87}..."
	printf '%s' "$s"
}

expect_exit() {
	local d=${2:-"exit $1: $(_short "$LAST_CMD")"}
	if [ "$RC" = "$1" ]; then
		pass "$d"
	else
		fail "$d" "exit status $RC, expected $1" "stderr: $ERR"
	fi
}

expect_out() {
	is "$OUT" "$1" "${2:-stdout of $(_short "$LAST_CMD")}"
}

expect_out_contains() {
	local d=${2:-"stdout has '$(_short "$1")'"}
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
	local d=${2:-"stderr: $(_short "$1")"}
	if [ "$ERR" = "$1" ] && _err_one_line; then
		pass "$d"
	else
		fail "$d" "     got: '$ERR'" "expected: '$1' (one line)"
	fi
}

expect_err_match() {
	local d=${2:-"stderr matches $1"}
	if _err_one_line && [ "${ERR#fieldbook: }" != "$ERR" ] &&
		printf '%s' "$ERR" | grep -Eq -- "$1"; then
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

# A database's state as the user sees it, plus the journal's length.
db_state() {
	local db=${1:-$FIELDBOOK_DB}
	if [ ! -e "$db" ]; then
		echo "(no database)"
		return
	fi
	FIELDBOOK_DB=$db fb export --format json --all 2>&1
	echo "journal: $(sqlite3 "$db" 'select count(*) from journal' 2>&1)"
}

SNAP=
snapshot() {
	SNAP=$(db_state "$@")
}

db_unchanged() {
	local d=${1:-"database unchanged after $(_short "$LAST_CMD")"} now
	now=$(db_state)
	if [ "$now" = "$SNAP" ]; then
		pass "$d"
	else
		fail "$d" "$(diff <(printf '%s\n' "$SNAP") <(printf '%s\n' "$now") | head -20)"
	fi
}

# bad CODE MESSAGE CMD ARGS...: three tests for one bad input.
bad() {
	local code=$1 msg=$2
	shift 2
	snapshot
	run "$@"
	expect_exit "$code"
	expect_err "$msg" "one-line error: $(_short "$msg")"
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
json_get() {
	py -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
' "$1"
}

# is_json FILE: python3 -m json.tool accepts it as one document.
is_json() {
	py -m json.tool "$1" >/dev/null 2>&1
}

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
NOID=00000000-0000-4000-8000-000000000000
