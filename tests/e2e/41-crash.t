#!/usr/bin/env bash
# 41-crash.t - crash consistency: processes killed with SIGKILL at
# random moments, hundreds of times.
#
# (a) A collector's write (member add, training attend, edit, import of
#     200 rows) is killed at a random moment after it opened its
#     database: 0..the time such a command runs from there (measured
#     first, at least 10 ms); one run in 8 is left to finish.  After every run: `verify`
#     exits 0; every id printed by a command that exited 0 is there (one
#     of them through `show` each time, all of them through sqlite3, and
#     at the end through `export`); each import is all or nothing (0 or
#     200 members with its prefix); the own journal is gap-free.
# (b) The hub is killed while a collector syncs many changes, and
#     restarted on the same database (a new port, `remote set` again).
#     After every restart `fieldbook-hub verify` exits 0 and the hub holds
#     at least what the collector believes acknowledged.  Finally the hub
#     holds exactly the collector's journal, once.
# (c) The collector is killed during `sync` (push and pull).  After every
#     kill `verify` exits 0; finally sync leaves nothing pending, the hub
#     holds everything once and two laptops hold the same records.
#
# CRASH_ROUNDS (default 200) write rounds in (a), CRASH_HUB_ROUNDS
# (default 30) hub kills in (b), CRASH_SYNC_ROUNDS (default 30) syncs in
# (c), CRASH_SEED (default 1) the generator's seed.  Each part also has a
# time budget (CRASH_A_SECONDS 50, CRASH_B_SECONDS 15, CRASH_C_SECONDS
# 15): on a slow or busy machine it stops early and says so; the counts
# of what was done are printed as diagnostics.

. "$(dirname "$0")/synclib.sh"

ROUNDS=${CRASH_ROUNDS:-200}
HUB_ROUNDS=${CRASH_HUB_ROUNDS:-30}
SYNC_ROUNDS=${CRASH_SYNC_ROUNDS:-30}
SEED=${CRASH_SEED:-1}
# Time budgets (s) of the three parts: a slow machine does fewer rounds
# rather than hit the watchdog of lib.sh.  The counts are printed.
A_BUDGET=${CRASH_A_SECONDS:-50}
B_BUDGET=${CRASH_B_SECONDS:-15}
C_BUDGET=${CRASH_C_SECONDS:-15}
T0=$SECONDS

# A deterministic generator (no fork): rnd N sets R to 0..N-1.
rng=$SEED
R=0
rnd() {
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	R=$(((rng >> 8) % $1))
}

# Sleeping without a process: read with a timeout on a FIFO nobody
# writes to.
mkfifo "$TMP/.tick" && exec 6<>"$TMP/.tick"
nap_ms() {
	local s
	printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
	read -r -t "$s" -u 6 _
	return 0
}

# wait_open PID FILE: wait (at most ~2 s) until process PID has FILE
# open; returns 1 when it is gone first.  No process per check.
wait_open() {
	local pid=$1 f=$2 fd i any
	for ((i = 0; i < 2000; i++)); do
		any=
		for fd in /proc/"$pid"/fd/*; do
			[ -e "$fd" ] || continue
			any=1
			[[ $fd -ef $f ]] && return 0
		done
		[ -n "$any" ] || return 1
		nap_ms 1
	done
	return 1
}

# crash_run DELAY_MAX_MS DB CMD ARGS...: run CMD in the background, kill
# it with SIGKILL 0..DELAY_MAX_MS ms after it opened DB (or let it end).
# Sets RC (137 when killed), stdout in $TMP/crash.out.
# One run in 8 is not killed at all, so that some commands of every kind
# end normally whatever the machine's speed.
crash_run() {
	local max=$1 db=$2 pid
	shift 2
	"$@" >"$TMP/crash.out" 2>"$TMP/crash.err" </dev/null &
	pid=$!
	rnd 8
	if [ "$R" -ne 0 ]; then
		if wait_open "$pid" "$db"; then
			rnd "$max"
			nap_ms "$R"
		fi
		kill -9 "$pid" 2>/dev/null
	fi
	{ wait "$pid"; } 2>/dev/null
	RC=$?
}

# timed_run DB CMD ARGS...: run CMD, and set OPEN_MS to how long it ran
# after it opened DB (the window in which kills are interesting).
OPEN_MS=0
timed_run() {
	local db=$1 pid t t2
	shift
	"$@" >/dev/null 2>&1 </dev/null &
	pid=$!
	wait_open "$pid" "$db"
	t=$EPOCHREALTIME
	wait "$pid"
	t2=$EPOCHREALTIME
	OPEN_MS=$(((${t2/./} - ${t/./}) / 1000))
}

# ---------------------------------------------------------------------
# (a) a collector killed during its writes
# Only the collector is in it, the same whichever store the hub has:
# with the hub on PostgreSQL (FIELDBOOK_TEST_STORE=pg) it is skipped.
if store_pg; then
	skip "(a) the collector's own writes: no hub in them, run with the hub on SQLite"
	a_rounds=0 a_kills=0
else
	DB=$TMP/c.db
	export FIELDBOOK_DB=$DB
	fresh_db HN.PL.TT.03
	pool=()
	for i in 1 2 3 4 5 6 7 8; do
		pool+=("$(new_id fb member add --name "Thành viên $i" --role member)")
	done
	trainings=()
	for i in 1 2 3; do
		trainings+=("$(new_id fb training add --title "Lớp $i" --date 2026-03-0$i --topic parenting)")
	done
	DEV=$(own_device "$DB")
	printf '%s\n' "${pool[@]}" "${trainings[@]}" >"$TMP/known.ids"

	# The kill window of each command: how long it runs once it has opened
	# the database, measured here (at least 10 ms), so that the kills fall
	# all over its writes on a fast machine as on a slow one.
	imp_csv() {
		local k
		{
			echo "full_name,role,birth_year"
			for ((k = 1; k <= 200; k++)); do
				echo "$1 người $k,member,19$((50 + k % 50))"
			done
		} >"$TMP/imp.csv"
	}
	declare -A window=()
	timed_run "$DB" "$FIELDBOOK" member add --name "Đo giờ" --role member
	window[add]=$OPEN_MS
	timed_run "$DB" "$FIELDBOOK" training attend "${trainings[0]}" "${pool[@]:0:4}"
	window[attend]=$OPEN_MS
	timed_run "$DB" "$FIELDBOOK" edit "${pool[0]}" phone=0900000000 "notes=đo giờ"
	window[edit]=$OPEN_MS
	imp_csv "Đo"
	timed_run "$DB" "$FIELDBOOK" import "$TMP/imp.csv" --type member
	window[import]=$OPEN_MS
	for op in add attend edit import; do
		[ "${window[$op]}" -lt 10 ] && window[$op]=10
	done
	diag "(a) kill windows after the database is opened: add ${window[add]} ms, attend ${window[attend]} ms," \
		"edit ${window[edit]} ms, import ${window[import]} ms"

	declare -A killed=() done_ok=()
	imports_ok=()
	bad_rc=
	bad_verify=
	bad_ids=
	bad_imports=
	bad_gap=
	bad_show=
	shows=0
	for ((r = 1; r <= ROUNDS; r++)); do
		if [ $((SECONDS - T0)) -ge "$A_BUDGET" ]; then
			diag "(a) stopped after $((r - 1)) rounds: the time budget of $A_BUDGET s is spent"
			break
		fi
		case $((r % 4)) in
		1)
			op=add
			crash_run "${window[add]}" "$DB" "$FIELDBOOK" member add --name "Người $r" --role member
			;;
		2)
			op=attend
			rnd 3
			t=${trainings[$R]}
			ms=()
			for k in 1 2 3 4; do
				rnd ${#pool[@]}
				ms+=("${pool[$R]}")
			done
			crash_run "${window[attend]}" "$DB" "$FIELDBOOK" training attend "$t" "${ms[@]}"
			;;
		3)
			op=edit
			rnd ${#pool[@]}
			m=${pool[$R]}
			rnd 100000000
			crash_run "${window[edit]}" "$DB" "$FIELDBOOK" edit "$m" "phone=09$R" "notes=vòng $r"
			;;
		0)
			op=import
			imp_csv "IMP$r"
			crash_run "${window[import]}" "$DB" "$FIELDBOOK" import "$TMP/imp.csv" --type member
			;;
		esac
		case $RC in
		137) killed[$op]=$((${killed[$op]:-0} + 1)) ;;
		0)
			done_ok[$op]=$((${done_ok[$op]:-0} + 1))
			case $op in
			add | attend)
				new=$(<"$TMP/crash.out")
				if [ -z "$new" ]; then
					bad_ids="$bad_ids round $r: $op exited 0 without an id;"
				fi
				printf '%s\n' "$new" >>"$TMP/known.ids"
				[ "$op" = add ] && pool+=("$new")
				# One of the new ids through the program itself (all of
				# them through sqlite3 below and the export at the end).
				set -- $new
				rnd $#
				shift "$R"
				if [ $# -gt 0 ]; then
					fb show "$1" >/dev/null 2>&1 || bad_show="$bad_show round $r: show $1;"
					shows=$((shows + 1))
				fi
				;;
			import) imports_ok+=("IMP$r") ;;
			esac
			;;
		*) bad_rc="$bad_rc round $r ($op): exit $RC $(head -c 200 "$TMP/crash.err");" ;;
		esac
		run fb verify
		[ "$RC" -eq 0 ] || bad_verify="$bad_verify round $r ($op): $RC $ERR;"
		# One sqlite3 run checks the rest: ids that must be there and are
		# not, imports neither empty nor whole, and the own journal's gaps.
		res=$(
			{
				echo "CREATE TEMP TABLE k(id TEXT PRIMARY KEY);"
				echo "BEGIN;"
				while IFS= read -r id; do
					[ -n "$id" ] && echo "INSERT OR IGNORE INTO k VALUES('$id');"
				done <"$TMP/known.ids"
				echo "COMMIT;"
				echo "SELECT 'missing', count(*) FROM k WHERE id NOT IN (SELECT id FROM record);"
				echo "SELECT 'import', p, count(*) FROM (SELECT substr(n, 1, instr(n, ' ') - 1) AS p
					FROM (SELECT json_extract(vals, '\$.full_name') AS n FROM record
					WHERE type = 'member') WHERE n LIKE 'IMP%') GROUP BY p HAVING count(*) <> 200;"
				echo "SELECT 'gap', coalesce(max(seq + n - 1), 0), coalesce(sum(n), 0), coalesce(min(seq), 1)
					FROM journal WHERE device = '$DEV';"
			} | sqlite3 -separator ' ' "$DB" 2>&1
		)
		while IFS= read -r line; do
			case $line in
			"missing 0") ;;
			missing*) bad_ids="$bad_ids round $r ($op): ${line#missing } printed ids missing;" ;;
			import*) bad_imports="$bad_imports round $r ($op): $line;" ;;
			gap*)
				set -- $line
				if [ "$2" != "$3" ] || [ "$4" != 1 ]; then
					bad_gap="$bad_gap round $r ($op): max(seq+n-1)=$2 sum(n)=$3 min(seq)=$4;"
				fi
				;;
			*) bad_ids="$bad_ids round $r: sqlite3: $line;" ;;
			esac
		done <<<"$res"
	done
	is "$bad_rc" "" "(a) every killed write either exited 0 or died of SIGKILL"
	a_rounds=$((r - 1))
	is "$bad_verify" "" "(a) verify exits 0 after each of $a_rounds rounds"
	is "$bad_ids" "" "(a) every id printed by a command that exited 0 is in the database"
	is "$bad_show" "" "(a) show finds the new ids printed by commands that exited 0 ($shows checked)"
	is "$bad_imports" "" "(a) every import is all or nothing (0 or 200 rows)"
	is "$bad_gap" "" "(a) the own journal is gap-free after every kill"
	n_imp=0
	for p in "${imports_ok[@]}"; do
		c=$(sqlite3 "$DB" "SELECT count(*) FROM record WHERE type = 'member'
			AND json_extract(vals, '\$.full_name') LIKE '$p %'")
		[ "$c" = 200 ] && n_imp=$((n_imp + 1))
	done
	is "$n_imp" "${#imports_ok[@]}" "(a) every import that exited 0 holds its 200 rows"
	# Every printed id, once more, through an export of the program.
	fb export --format json --all >"$TMP/all.json"
	missing=$(py -c '
import json, sys
d = json.load(open(sys.argv[1]))
have = set()
def walk(x):
    if isinstance(x, dict):
        if "id" in x and isinstance(x["id"], str):
            have.add(x["id"])
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(d)
want = [l.strip() for l in open(sys.argv[2]) if l.strip()]
print(sum(1 for w in want if w not in have))
' "$TMP/all.json" "$TMP/known.ids")
	is "$missing" 0 "(a) export holds every id printed by a successful command ($(sort -u "$TMP/known.ids" | wc -l) ids)"
	summary=
	for op in add attend edit import; do
		summary="$summary $op: ${killed[$op]:-0} killed, ${done_ok[$op]:-0} done;"
	done
	a_kills=0
	for op in add attend edit import; do a_kills=$((a_kills + ${killed[$op]:-0})); done
	diag "(a) $a_rounds rounds, $a_kills collector kills:$summary $((SECONDS - T0)) s"
fi
T1=$SECONDS

# ---------------------------------------------------------------------
# (b) the hub killed while a collector pushes many changes
H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
enroll "$H" HN.PL.TT.03 "laptop s" "$TMP/s.tok"
enroll "$H" HN.PL.TT.03 "laptop p" "$TMP/p.tok"
S=$TMP/s.db
P=$TMP/p.db
new_collector "$S" HN.PL.TT.03 "$TMP/s.tok"
new_collector "$P" HN.PL.TT.03 "$TMP/p.tok"
SDEV=$(own_device "$S")
PDEV=$(own_device "$P")

# import_rows DB PREFIX N: N new members in one import.
import_rows() {
	local k
	{
		echo "full_name,role"
		for ((k = 1; k <= $3; k++)); do
			echo "$2 hội viên $k,member"
		done
	} >"$TMP/rows.csv"
	fbd "$1" import "$TMP/rows.csv" --type member >/dev/null
}

# How long does a sync of one round's changes run once it has opened its
# database?  The hub is killed anywhere in 0..that after that moment.
import_rows "$S" "CAL" 250
timed_run "$S" "$FIELDBOOK" --db "$S" sync
sync_ms=$OPEN_MS
[ "$sync_ms" -lt 20 ] && sync_ms=20
diag "(b) a sync of 250 changes runs $sync_ms ms after it opened the database"

# acked_vs_hub DB: ACKED, what laptop DB believes the hub acknowledged,
# and HMAX, the last sequence of its device on the hub, read after it
# (the hub's only grows).
acked_vs_hub() {
	ACKED=$(sqlite3 "$1" "SELECT coalesce((SELECT value FROM meta WHERE key = 'acked_seq'), 0)")
	HMAX=$(hub_sql "$H" "SELECT coalesce(max(seq + n - 1), 0) FROM journal
		WHERE device = '$(own_device "$1")'")
}

hub_kills=0
b_ok=0 b_cut=0
bad_sync_rc=
bad_hub_verify=
bad_acked=
for ((r = 1; r <= HUB_ROUNDS; r++)); do
	if [ $((SECONDS - T1)) -ge "$B_BUDGET" ]; then
		diag "(b) stopped after $((r - 1)) rounds: the time budget of $B_BUDGET s is spent"
		break
	fi
	import_rows "$S" "HUB$r" $((100 + r * 10))
	rnd 10
	[ "$R" -lt 3 ] && {
		m=$(sqlite3 "$S" "SELECT id FROM record WHERE type = 'member' LIMIT 1")
		fbd "$S" edit "$m" "phone=08$r" >/dev/null
	}
	"$FIELDBOOK" --db "$S" sync >"$TMP/sync.out" 2>"$TMP/sync.err" </dev/null &
	spid=$!
	wait_open "$spid" "$S"
	rnd "$sync_ms"
	nap_ms "$R"
	kill_hub "$HUB_PID"
	hub_kills=$((hub_kills + 1))
	# The sync ends on its own: the hub is gone (bounded by the watchdog
	# of lib.sh, and by the connect timeout of the client).
	wait "$spid"
	src=$?
	case $src in
	0) b_ok=$((b_ok + 1)) ;;
	69 | 75) b_cut=$((b_cut + 1)) ;;
	*) bad_sync_rc="$bad_sync_rc round $r: $src $(head -c 200 "$TMP/sync.err");" ;;
	esac
	run hub --db "$H" verify
	[ "$RC" -eq 0 ] || bad_hub_verify="$bad_hub_verify round $r: $RC $ERR;"
	# What the laptop believes acknowledged is on the hub's disk.
	acked_vs_hub "$S"
	[ "$ACKED" -le "$HMAX" ] || bad_acked="$bad_acked round $r: laptop acked $ACKED, hub holds $HMAX;"
	start_hub "$H"
	fbd "$S" remote set "$HUB_URL" --token-file "$TMP/s.tok" >/dev/null ||
		bad_sync_rc="$bad_sync_rc round $r: remote set failed;"
done
fbd "$P" remote set "$HUB_URL" --token-file "$TMP/p.tok" >/dev/null
is "$bad_sync_rc" "" "(b) every sync cut by a hub crash exited 0, 69 or 75 ($b_ok ok, $b_cut cut)"
is "$bad_hub_verify" "" "(b) fieldbook-hub verify exits 0 after each of $hub_kills hub kills"
is "$bad_acked" "" "(b) the hub always holds what the laptop believes acknowledged"
ok "(b) the final sync succeeds" sync_until "$S" 10
is "$(jcount "$H" "$SDEV")" "$(jcount "$S" "$SDEV")" "(b) the hub holds exactly the laptop's journal (rows, last seq)"
is "$(hub_dups "$H")" 0 \
	"(b) no (device, seq) twice on the hub"
is "$(jget "$S" 'd["pending_entries"]' status --json)" 0 "(b) nothing pending on the laptop"
run fbd "$S" verify
expect_exit 0 "(b) the laptop's journal verifies"
diag "(b) $hub_kills hub kills: $b_ok syncs finished first, $b_cut were cut; $((SECONDS - T1)) s"
T2=$SECONDS

# ---------------------------------------------------------------------
# (c) the collector killed during sync; laptop p sends things to pull
c_killed=0 c_ok=0 c_cut=0
bad_c_rc=
bad_c_verify=
bad_c_acked=
import_rows "$S" "CAL2" 150
import_rows "$P" "CALP" 100
fbd "$P" sync >/dev/null 2>&1
timed_run "$S" "$FIELDBOOK" --db "$S" sync
sync_ms=$OPEN_MS
[ "$sync_ms" -lt 20 ] && sync_ms=20
diag "(c) a sync pushing 150 and pulling 100 changes runs $sync_ms ms after it opened the database"
for ((r = 1; r <= SYNC_ROUNDS; r++)); do
	if [ $((SECONDS - T2)) -ge "$C_BUDGET" ]; then
		diag "(c) stopped after $((r - 1)) rounds: the time budget of $C_BUDGET s is spent"
		break
	fi
	if [ $((r % 3)) = 1 ]; then
		import_rows "$P" "PULL$r" 300
		fbd "$P" sync >/dev/null 2>&1
	fi
	import_rows "$S" "PUSH$r" 150
	crash_run $((sync_ms * 3 / 2)) "$S" "$FIELDBOOK" --db "$S" sync
	case $RC in
	137) c_killed=$((c_killed + 1)) ;;
	0) c_ok=$((c_ok + 1)) ;;
	69 | 75) c_cut=$((c_cut + 1)) ;;
	*) bad_c_rc="$bad_c_rc round $r: $RC $(head -c 200 "$TMP/crash.err");" ;;
	esac
	run fbd "$S" verify
	[ "$RC" -eq 0 ] || bad_c_verify="$bad_c_verify round $r: $RC $ERR;"
	acked_vs_hub "$S"
	[ "$ACKED" -le "$HMAX" ] || bad_c_acked="$bad_c_acked round $r: laptop acked $ACKED, hub holds $HMAX;"
done
c_rounds=$((r - 1))
is "$bad_c_rc" "" "(c) every sync was killed or exited 0/69/75"
is "$bad_c_verify" "" "(c) verify exits 0 after each of $c_killed sync kills"
is "$bad_c_acked" "" "(c) the laptop never believes acknowledged what the hub lacks"
ok "(c) the final sync of laptop s succeeds" sync_until "$S" 10
ok "(c) the final sync of laptop p succeeds" sync_until "$P" 10
is "$(jget "$S" 'd["pending_entries"]' status --json)" 0 "(c) nothing pending on laptop s"
is "$(jcount "$H" "$SDEV")" "$(jcount "$S" "$SDEV")" "(c) the hub holds exactly laptop s's journal"
is "$(jcount "$H" "$PDEV")" "$(jcount "$P" "$PDEV")" "(c) the hub holds exactly laptop p's journal"
is "$(hub_dups "$H")" 0 \
	"(c) no (device, seq) twice on the hub"
is "$(jcount "$S" "$PDEV")" "$(jcount "$P" "$PDEV")" "(c) laptop s pulled all of laptop p's journal, once"
fbd "$S" export --format json --all >"$TMP/s.json"
fbd "$P" export --format json --all >"$TMP/p.json"
same_file "(c) both laptops hold the same records" "$TMP/s.json" "$TMP/p.json"
run fbd "$S" verify
expect_exit 0 "(c) laptop s verifies at the end"
run hub --db "$H" verify
expect_exit 0 "(c) the hub verifies at the end"
diag "(c) $c_rounds syncs: $c_killed killed, $c_ok finished first, $c_cut failed (69/75); $((SECONDS - T2)) s"
stop_hub
is "$HUB_RC" 0 "the hub stops cleanly on SIGTERM"
diag "41-crash: $a_kills collector kills in $a_rounds write rounds, $hub_kills hub kills, $c_killed sync kills in $((SECONDS - T0)) s"
done_testing
