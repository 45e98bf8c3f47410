#!/usr/bin/env bash
# 43-ioerror.t - write and sync errors injected under the collector by an
# LD_PRELOAD shim (tests/tools/failio.c, built as tests/libfailio.so).
#
# For each kind of call (write/pwrite, fsync, fdatasync), each command
# (member add, import of 200 rows, edit) and FAILIO_AFTER = 0..40 (the
# number of matching calls on the database's files that succeed first;
# even values fail every later call with EIO, odd ones fail one call with
# ENOSPC), the command either succeeds or exits 74 with one line
# "fieldbook: ..." -- never a crash, another status or a hang.  After
# each run, without the shim: `verify` exits 0; every record of an
# earlier successful command is there; an import is all or nothing; an
# edit holds its value or the one before; the journal has no gap.
#
# A count of AFTER values stops early for a call and command once two
# runs in a row injected nothing (the command makes fewer such calls).
# IOERR_MAX_AFTER (default 40) sets the range.

. "$(dirname "$0")/lib.sh"

SHIM=${FIELDBOOK_BUILD:-$E2E_DIR/../../build}/tests/libfailio.so
MAX_AFTER=${IOERR_MAX_AFTER:-40}
if [ ! -e "$SHIM" ]; then
	echo "Bail out! the failio shim is not built at $SHIM (run make all)"
	exit 1
fi
# Under AddressSanitizer the shim comes before the ASan runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
T0=$SECONDS

DB=$TMP/io.db
export FIELDBOOK_DB=$DB
fresh_db HN.PL.TT.03
DEV=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'device'")
LOG=$TMP/failio.log
: >"$LOG"

# Does the shim work at all?  One write error on the database must fail
# a member add with 74.
run env LD_PRELOAD="$SHIM" FAILIO_CALLS=write,pwrite FAILIO_AFTER=0 FAILIO_PATH=io.db \
	FAILIO_LOG="$TMP/probe.log" "$FIELDBOOK" member add --name "Thử"
if [ "$RC" != 74 ] || [ ! -s "$TMP/probe.log" ]; then
	echo "Bail out! the failio shim injects nothing (exit $RC, $ERR)"
	exit 1
fi

pool=()
for i in 1 2 3 4 5; do
	pool+=("$(new_id fb member add --name "Hội viên $i" --role member)")
done
declare -A phone=()   # the phone each pool member must have
known=("${pool[@]}")  # ids printed by successful commands
imports_ok=()         # prefixes of successful imports

runs=0 ok_runs=0 fail_runs=0 injected=0 applied_anyway=0
bad_rc=
bad_msg=
bad_verify=
bad_state=
declare -A inj_by=() runs_by=()

# check_state RUN: one sqlite3 run over the database; complaints into
# bad_state.
check_state() {
	local res line sql p id
	sql="CREATE TEMP TABLE k(id TEXT PRIMARY KEY);"
	for id in "${known[@]}"; do
		sql="$sql INSERT OR IGNORE INTO k VALUES('$id');"
	done
	sql="$sql SELECT 'missing', count(*) FROM k WHERE id NOT IN (SELECT id FROM record);"
	sql="$sql SELECT 'import', p, count(*) FROM (SELECT substr(n, 1, instr(n, ' ') - 1) AS p
		FROM (SELECT json_extract(vals, '\$.full_name') AS n FROM record WHERE type = 'member')
		WHERE n LIKE 'IMP%') GROUP BY p;"
	for id in "${pool[@]}"; do
		sql="$sql SELECT 'phone', id, coalesce(json_extract(vals, '\$.phone'), '') FROM record WHERE id = '$id';"
	done
	sql="$sql SELECT 'named', count(*) FROM record WHERE json_extract(vals, '\$.full_name') = 'Thêm $runs';"
	sql="$sql SELECT 'gap', coalesce(max(seq + n - 1), 0), coalesce(sum(n), 0), coalesce(min(seq), 1)
		FROM journal WHERE device = '$DEV';"
	res=$(sqlite3 -separator ' ' "$DB" "$sql" 2>&1)
	declare -A got=()
	while IFS= read -r line; do
		set -- $line
		case $1 in
		missing) [ "$2" = 0 ] || bad_state="$bad_state $RUN: $2 printed ids missing;" ;;
		import)
			got[$2]=$3
			[ "$3" = 200 ] || bad_state="$bad_state $RUN: import $2 has $3 of 200 rows;"
			;;
		phone) PHONE_NOW[$2]=${3:-} ;;
		named) NAMED=$2 ;;
		gap)
			[ "$2" = "$3" ] && [ "$4" = 1 ] ||
				bad_state="$bad_state $RUN: journal max(seq+n-1)=$2 sum(n)=$3 min(seq)=$4;"
			;;
		*) bad_state="$bad_state $RUN: sqlite3: $line;" ;;
		esac
	done <<<"$res"
	for p in "${imports_ok[@]}"; do
		[ "${got[$p]:-0}" = 200 ] || bad_state="$bad_state $RUN: successful import $p has ${got[$p]:-0} rows;"
	done
	IMPORT_NOW=("${!got[@]}")
}
declare -A PHONE_NOW=()
IMPORT_NOW=()
NAMED=0

for calls in write,pwrite fsync fdatasync; do
	for op in add import edit; do
		quiet=0
		for ((after = 0; after <= MAX_AFTER; after++)); do
			runs=$((runs + 1))
			RUN="$op/$calls/after=$after"
			if [ $((after % 2)) = 0 ]; then
				mode=(FAILIO_ERRNO=EIO FAILIO_TIMES=0)
			else
				mode=(FAILIO_ERRNO=ENOSPC FAILIO_TIMES=1)
			fi
			: >"$TMP/run.log"
			case $op in
			add) args=(member add --name "Thêm $runs" --role member) ;;
			import)
				{
					echo "full_name,role,birth_year"
					for ((k = 1; k <= 200; k++)); do
						echo "IMP$runs người $k,member,19$((50 + k % 50))"
					done
				} >"$TMP/imp.csv"
				args=(import "$TMP/imp.csv" --type member)
				;;
			edit)
				target=${pool[$((runs % ${#pool[@]}))]}
				newphone=09$((10000000 + runs))
				args=(edit "$target" "phone=$newphone")
				;;
			esac
			# (timeout gets the shim too; it writes nothing to io.db.)
			export "${mode[@]}"
			LD_PRELOAD=$SHIM FAILIO_CALLS=$calls FAILIO_AFTER=$after FAILIO_PATH=io.db \
				FAILIO_LOG=$TMP/run.log run timeout 20 "$FIELDBOOK" "${args[@]}"
			unset FAILIO_ERRNO FAILIO_TIMES
			mapfile -t lines <"$TMP/run.log"
			n=${#lines[@]}
			[ "$n" -gt 0 ] && printf '%s\n' "${lines[@]}" >>"$LOG"
			injected=$((injected + n))
			inj_by[$calls]=$((${inj_by[$calls]:-0} + n))
			runs_by[$calls]=$((${runs_by[$calls]:-0} + 1))
			case $RC in
			0) ok_runs=$((ok_runs + 1)) ;;
			74)
				fail_runs=$((fail_runs + 1))
				if ! _err_one_line || [[ $ERR != "fieldbook: "* ]] ||
					! [[ $ERR =~ (I/O|disk|full|space|write|sync) ]]; then
					bad_msg="$bad_msg $RUN: '$ERR';"
				fi
				;;
			*) bad_rc="$bad_rc $RUN: exit $RC $ERR;" ;;
			esac
			CRC=$RC
			if [ "$RC" = 0 ]; then
				case $op in
				add)
					if [[ $OUT =~ $UUID_RE ]]; then known+=("$OUT"); else bad_rc="$bad_rc $RUN: no id printed;"; fi
					;;
				import) imports_ok+=("IMP$runs") ;;
				edit) phone[$target]=$newphone ;;
				esac
			fi
			run fb verify
			[ "$RC" -eq 0 ] || bad_verify="$bad_verify $RUN: $RC $ERR;"
			check_state
			# What a failed command may have left: nothing, or all of it
			# (SQLite cannot always tell whether a commit whose sync
			# failed reached the disk; the next open may find it whole).
			if [ "$op" = edit ]; then
				now=${PHONE_NOW[$target]:-}
				if [ "$now" = "$newphone" ] && [ "${phone[$target]:-}" != "$newphone" ]; then
					applied_anyway=$((applied_anyway + 1))
					phone[$target]=$newphone
				fi
				for id in "${pool[@]}"; do
					[ "${PHONE_NOW[$id]:-}" = "${phone[$id]:-}" ] ||
						bad_state="$bad_state $RUN: phone of $id is '${PHONE_NOW[$id]:-}', expected '${phone[$id]:-}';"
				done
			elif [ "$op" = import ] && [ "$CRC" != 0 ]; then
				for p in "${IMPORT_NOW[@]}"; do
					if [ "$p" = "IMP$runs" ]; then
						applied_anyway=$((applied_anyway + 1))
						imports_ok+=("IMP$runs")
					fi
				done
			elif [ "$op" = add ] && [ "$CRC" != 0 ] && [ "$NAMED" = 1 ]; then
				applied_anyway=$((applied_anyway + 1))
			fi
			if [ "$n" -eq 0 ]; then
				quiet=$((quiet + 1))
				[ "$quiet" -ge 2 ] && break
			else
				quiet=0
			fi
		done
	done
done
is "$bad_rc" "" "every run under the shim exited 0 or 74 ($runs runs: $ok_runs ok, $fail_runs failed)"
is "$bad_msg" "" "every failure printed one line 'fieldbook: ...' naming the I/O error"
is "$bad_verify" "" "verify exits 0 after each of the $runs runs"
is "$bad_state" "" "every record of a successful command is there; imports are all or nothing; edits whole; no journal gap"
ok "the shim injected failures ($injected)" test "$injected" -gt 0
ok "some runs failed with 74 ($fail_runs)" test "$fail_runs" -gt 0
# export -o FILE: its fsync must come after the last write, so that the
# whole file is on disk when export exits 0.  The shim logs the file's
# size at the fsync; it must be the final size.
for fmt in json csv; do
	f=$TMP/export-$fmt.out
	: >"$TMP/trace.log"
	LD_PRELOAD=$SHIM FAILIO_CALLS=fsync,fdatasync FAILIO_AFTER=1000000 FAILIO_TRACE=1 \
		FAILIO_PATH=export-$fmt FAILIO_LOG=$TMP/trace.log \
		run timeout 20 "$FIELDBOOK" export --type member --format "$fmt" -o "$f"
	expect_exit 0 "export --format $fmt -o FILE exits 0"
	size=$(stat -c %s "$f")
	synced=$(sed -n 's/^trace f.*sync .* size=\([0-9-]*\) .*/\1/p' "$TMP/trace.log" | tail -1)
	is "${synced:-no fsync}" "$size" "export --format $fmt -o: the file is synced after its last write ($size bytes)"
done
# export -o FILE when the fsync fails: 74 and one line.
LD_PRELOAD=$SHIM FAILIO_CALLS=fsync,fdatasync FAILIO_AFTER=0 FAILIO_PATH=export-bad \
	FAILIO_LOG=$TMP/export.log run timeout 20 "$FIELDBOOK" export --type member -o "$TMP/export-bad.csv"
expect_exit 74 "export -o FILE whose fsync fails exits 74"
expect_err_match '(I/O|writing)' "export -o FILE whose fsync fails: one line naming the error"
[ -e "$TMP/export-bad.csv" ] && diag "export -o left the file it could not sync behind ($(stat -c %s "$TMP/export-bad.csv") bytes)"
injected=$((injected + $(grep -c '^failio' "$TMP/export.log")))

# Finally: the database still takes writes and verifies.
run fb member add --name "Cuối cùng" --role member
expect_exit 0 "a last member add without the shim works"
run fb verify
expect_exit 0 "the database verifies at the end"
summary=
for c in write,pwrite fsync fdatasync; do
	summary="$summary $c: ${runs_by[$c]:-0} runs, ${inj_by[$c]:-0} failures injected;"
done
diag "43-ioerror: $runs runs, $injected injected failures ($(grep -c 'errno=EIO' "$LOG") EIO, $(grep -c 'errno=ENOSPC' "$LOG") ENOSPC);$summary" \
	"$ok_runs runs succeeded, $fail_runs exited 74; $applied_anyway failed commands were found whole afterwards; $((SECONDS - T0)) s"
done_testing
