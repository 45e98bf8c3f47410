#!/usr/bin/env bash
# run.sh - make bench: the collector, sync and hub figures of
# docs/PERFORMANCE.md, each beside a limit measured in the same run on
# the same data, printed as a table and written to bench/results.json.
#
# Everything runs on the real disk (SQLite WAL, synchronous=FULL) in a
# temporary directory under $BENCH_TMP (default /tmp), through the real
# binaries over loopback, except the in-process figures of fbbench
# (raw SQLite, zlib, book_add).  Sizes, with defaults that fit in
# 10 minutes on 2 cores:
#
#   BENCH_N=100000         records of the first push and pull (the "100k")
#   BENCH_N_SMALL=1000     records of the small book (the "1k")
#   BENCH_N_MID=10000      records pushed to a hub for its 10k memory figure
#   BENCH_SINGLE=300       records added one transaction each (fsync each)
#   BENCH_NAMES=200000     members' names sorted in Vietnamese order
#   BENCH_RUNS=9           runs of each latency figure (the median is kept)
#   BENCH_PUSH_RUNS=3      runs of the first push (the median is kept)
#   BENCH_DEVICES=200      devices pushing at once ...
#   BENCH_PER_DEVICE=1000  ... records each
#   BENCH_REPORT_RUNS=3    runs of each report figure (the median is kept)
#   BENCH_REPORT_BRANCHES=2000  branches of the report's province hubs, with
#                          PER_DEVICE/10 records each (as many records as the
#                          200 devices') ...
#   BENCH_REPORT_BIG=1     ... and with PER_DEVICE each (10x the records: two
#                          million by default, a minute to write); 0 skips it
#   BENCH_SEED=20261127    the data's seed
#   BENCH_OUT=bench        where results.json goes
#   BENCH_KEEP=1           keep the temporary directory (for perf)
#
# The latencies at 1k and at 100k are taken in turns (1k, 100k, 1k ...)
# so that other load on the machine weighs on both alike.
#
# Needs: FIELDBOOK, FIELDBOOK_HUB, FBBENCH (set by make bench), sqlite3.
set -euo pipefail

FB=${FIELDBOOK:?set FIELDBOOK}
HUB=${FIELDBOOK_HUB:?set FIELDBOOK_HUB}
FBB=${FBBENCH:?set FBBENCH}
N=${BENCH_N:-100000}
N_SMALL=${BENCH_N_SMALL:-1000}
N_MID=${BENCH_N_MID:-10000}
SINGLE=${BENCH_SINGLE:-300}
NAMES=${BENCH_NAMES:-200000}
RUNS=${BENCH_RUNS:-9}
PUSH_RUNS=${BENCH_PUSH_RUNS:-3}
DEVICES=${BENCH_DEVICES:-200}
PER_DEVICE=${BENCH_PER_DEVICE:-1000}
SEED=${BENCH_SEED:-20261127}
REPORT_RUNS=${BENCH_REPORT_RUNS:-3}
REPORT_BRANCHES=${BENCH_REPORT_BRANCHES:-2000}
REPORT_BIG=${BENCH_REPORT_BIG:-1}
REPORT_YEAR=2026   # the year of the generated courses (fbbench gen_training)
OUT=${BENCH_OUT:-bench}
BRANCH=HN.PL.TT.03
TIMEOUT=300     # seconds any one process may take
FLEET_TIMEOUT=240  # seconds each device's sync may take

started=$(date +%s%N)
mkdir -p "$OUT"
work=$(mktemp -d "${BENCH_TMP:-/tmp}/fieldbook-bench.XXXXXX")
kv=$work/results.kv
: >"$kv"
hub_pids=""
# Run copies: a rebuild in the tree during the run must not change them.
mkdir -p "$work/bin"
cp "$FB" "$work/bin/fieldbook"
cp "$HUB" "$work/bin/fieldbook-hub"
cp "${FBPROXY:?set FBPROXY}" "$work/bin/faultproxy"
FB=$work/bin/fieldbook
HUB=$work/bin/fieldbook-hub
FBPROXY=$work/bin/faultproxy

cleanup() {
	local p
	for p in $hub_pids; do
		kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'bench: %s\n' "$*" >&2; }
# phase NAME: the seconds since the last phase, as phase_NAME_s
phase_t=$started
phase() {
	local t
	t=$(date +%s%N)
	note "phase_$1_s" "$(calc "int(($t - $phase_t) / 1e9 + 0.5)")"
	phase_t=$t
}
note() { printf '%s=%s\n' "$1" "$2" >>"$kv"; }
fail() { say "FAILED: $*"; exit 1; }
now_ns() { date +%s%N; }
# calc EXPR: floating point arithmetic (awk)
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
# percentile P: the nearest-rank P-th percentile of the numbers on stdin
percentile() {
	sort -n | awk -v p="$1" '{ a[NR] = $1 } END {
		if (!NR) exit
		i = int(NR * p / 100); if (i < NR * p / 100) i++; if (i < 1) i = 1
		print a[i] }'
}
# keep KEY VALUE: append VALUE to the list $work/KEY (medians at the end)
keep() { printf '%s\n' "$2" >>"$work/$1.list"; }
note_median() { note "$1" "$(median <"$work/$1.list")"; }

fb() {
	local db=$1
	shift
	timeout "$TIMEOUT" "$FB" --db "$db" "$@"
}
# hubcmd DB ARGS: the hub's command on DB, a file or a postgresql:// URI.
hubcmd() {
	local db=$1 where
	shift
	mapfile -t where < <(hub_where "$db")
	timeout "$TIMEOUT" "$HUB" "${where[@]}" "$@"
}

# timed CMD...: run it; MS is its wall time in ms, OUTPUT its stdout.
MS=0
OUTPUT=
timed() {
	local t0 t1 rc=0
	t0=$(now_ns)
	OUTPUT=$("$@" 2>"$work/last.err") || rc=$?
	t1=$(now_ns)
	[ "$rc" -eq 0 ] || fail "$* exited $rc: $(head -c 400 "$work/last.err")"
	MS=$(calc "($t1 - $t0) / 1e6")
}

# The "N requests, X bytes sent, Y received" a sync prints.
REQ=0 SENT=0 RECV=0 PUSHED=0 PULLED=0
sync_stats() {
	local s
	s=$(printf '%s\n' "$1" | sed -n 's/^synced: \([0-9]*\) changes sent, \([0-9]*\) received.*; \([0-9]*\) requests, \([0-9]*\) bytes sent, \([0-9]*\) received$/\1 \2 \3 \4 \5/p')
	[ -n "$s" ] || fail "cannot read the sync summary: $1"
	read -r PUSHED PULLED REQ SENT RECV <<<"$s"
}

# start_hub DB NAME: serve DB; HUB_PID, HUB_URL, HUB_LOG.
HUB_PID='' HUB_URL='' HUB_LOG=''
start_hub() {
	local db=$1 name=$2 pf=$work/$2.port where
	HUB_LOG=$work/$name.log
	rm -f "$pf"
	mapfile -t where < <(hub_where "$db")
	"$HUB" "${where[@]}" serve --listen 127.0.0.1:0 --port-file "$pf" \
		>"$work/$name.out" 2>"$HUB_LOG" </dev/null &
	HUB_PID=$!
	hub_pids="$hub_pids $HUB_PID"
	for _ in $(seq 200); do
		[ -s "$pf" ] && break
		kill -0 "$HUB_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$pf" ] || fail "the hub did not start: $(head -c 300 "$HUB_LOG")"
	HUB_URL=http://127.0.0.1:$(tr -dc 0-9 <"$pf")
}

stop_hub() {
	local p=$1
	kill -TERM "$p" 2>/dev/null || true
	for _ in $(seq 200); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# VmHWM (peak resident memory) of a process, in MB.
hwm_mb() {
	awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# The hub's request log: "TIME ADDR METHOD PATH STATUS device=N in=B
# out=B ms=N".  log_mark LOG: its length now; log_sum LOG MARK METHOD
# FIELD: the sum of FIELD (in, out, ms) over METHOD lines after MARK.
log_mark() { wc -l <"$1"; }
log_sum() {
	tail -n "+$(($2 + 1))" "$1" | awk -v m="$3" -v f="$4=" '$3 == m {
		for (i = 6; i <= NF; i++) if (index($i, f) == 1) s += substr($i, length(f) + 1) }
		END { print s + 0 }'
}

# `fieldbook sync` prints the bytes it sent, headers and bodies, each
# counted once (sync/client.c request()).  Kept as a function so the
# figure has one definition.
# wire_sent SENT_PRINTED LOG MARK
wire_sent() { echo "$1"; }

# new_hub DB: a hub database with HN > HN.PL > HN.PL.TT > HN.PL.TT.03.
new_hub() {
	local h=$1
	hubcmd "$h" init --unit HN --name "Hà Nội" --level province >/dev/null
	hubcmd "$h" unit add HN.PL --parent HN --level district --name "Huyện Phúc Lộc" >/dev/null
	hubcmd "$h" unit add HN.PL.TT --parent HN.PL --level commune --name "Xã Thanh Thủy" >/dev/null
	hubcmd "$h" unit add "$BRANCH" --parent HN.PL.TT --level branch --name "Chi hội 3" >/dev/null
}

# enroll HUBDB UNIT NAME TOKENFILE
enroll() {
	(umask 077 && hubcmd "$1" enroll --unit "$2" --name "$3" >"$4" 2>/dev/null) ||
		fail "enroll $3"
}

. "$(dirname "$0")/links.sh"
. "$(dirname "$0")/pg.sh"

# One sync with nothing to do on DB (its hub logs to LOG): TAG keys.
sync_nothing() {
	local db=$1 log=$2 tag=$3 mark
	mark=$(log_mark "$log")
	timed fb "$db" sync
	sync_stats "$OUTPUT"
	if [ "$PUSHED" -ne 0 ] || [ "$PULLED" -ne 0 ]; then
		fail "a sync with nothing to do moved changes: $OUTPUT"
	fi
	keep "none_ms_$tag" "$MS"
	keep "none_req_$tag" "$REQ"
	keep "none_bytes_$tag" "$(($(wire_sent "$SENT" "$log" "$mark") + RECV))"
}

# One field of training ID edited on DB, then a sync: TAG keys.
sync_one_field() {
	local db=$1 log=$2 tag=$3 id=$4 r=$5 mark
	fb "$db" edit "$id" "location=Nhà văn hóa thôn $r, lần $tag" >/dev/null ||
		fail "edit $id"
	mark=$(log_mark "$log")
	timed fb "$db" sync
	sync_stats "$OUTPUT"
	[ "$PUSHED" -eq 1 ] || fail "the one-field sync sent $PUSHED changes: $OUTPUT"
	keep "one_ms_$tag" "$MS"
	keep "one_req_$tag" "$REQ"
	keep "one_bytes_$tag" "$(($(wire_sent "$SENT" "$log" "$mark") + RECV))"
	keep "one_bytes_printed_$tag" "$((SENT + RECV))"
}

training_add() {
	local db=$1 tag=$2 r=$3
	timed fb "$db" training add --title "Tập huấn kỹ năng tuyên truyền, lớp $r" \
		--date "2026-11-$((10 + r % 18))" --topic association_work,leadership \
		--location "Hội trường UBND xã Thanh Thủy" --organizer commune
	keep "add_ms_$tag" "$MS"
}

# --- the machine ---------------------------------------------------------
dev=$(findmnt -no SOURCE -T "$work" 2>/dev/null || echo "?")
fstype=$(findmnt -no FSTYPE -T "$work" 2>/dev/null || echo "?")
rota=$(cat "/sys/block/$(basename "$dev")/queue/rotational" 2>/dev/null || echo "?")
note machine_cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
note machine_nproc "$(nproc)"
note machine_mem "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
note machine_disk "$dev $fstype (rotational=$rota)"
note machine_sqlite "$(sqlite3 --version | cut -d' ' -f1)"
note machine_load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
note date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
note bench_n "$N"
note bench_seed "$SEED"

# --- limits and the collector, in process --------------------------------
say "limits and book_add on $N records (raw SQLite, zlib-6, book_add) ..."
mkdir -p "$work/c" "$work/s" "$work/m"
"$FBB" collector "$work/c" "$N" "$SINGLE" "$SEED" >>"$kv" || fail "fbbench collector"
say "sorting $NAMES names in Vietnamese order ..."
"$FBB" names "$NAMES" "$SEED" >>"$kv" || fail "fbbench names"
A=$work/c/a.db
note zlib_bpr "$(calc "$(sed -n 's/^zlib_bytes=//p' "$kv") / $N")"
note json_bpr "$(calc "$(sed -n 's/^json_bytes=//p' "$kv") / $N")"

say "the small book ($N_SMALL records) and the mid one ($N_MID) ..."
S=$work/s/c.db
M=$work/m/d.db
"$FBB" make "$S" "$BRANCH" "$N_SMALL" "$((SEED + 7))" >/dev/null || fail "fbbench make"
"$FBB" make "$M" "$BRANCH" "$N_MID" "$((SEED + 8))" >/dev/null || fail "fbbench make"
phase collector

# --- sync: first push and pull of the 100k ---------------------------------
# The first push is timed PUSH_RUNS times, each from the same book (a
# copy) to a fresh hub; the median is kept.  The last run's hub and book
# go on to the pull and the incremental figures.
say "first push of $N records through the hub on loopback ($PUSH_RUNS runs) ..."
cp "$A" "$work/c/a0.db"
for r in $(seq $((PUSH_RUNS - 1))); do
	Ht=$work/trial$r.db
	new_hub "$Ht"
	enroll "$Ht" "$BRANCH" "Laptop A" "$work/t$r.token"
	start_hub "$Ht" "trial$r"
	cp "$work/c/a0.db" "$work/c/t$r.db"
	fb "$work/c/t$r.db" remote set "$HUB_URL" --token-file "$work/t$r.token" >/dev/null
	timed fb "$work/c/t$r.db" sync --push-only
	sync_stats "$OUTPUT"
	[ "$PUSHED" -eq "$N" ] || fail "the first push sent $PUSHED of $N changes"
	keep push_ms "$MS"
	stop_hub "$HUB_PID"
	rm -f "$Ht"* "$work/c/t$r.db"*
done
H=$work/hub.db
new_hub "$H"
enroll "$H" "$BRANCH" "Laptop A" "$work/a.token"
enroll "$H" "$BRANCH" "Laptop B" "$work/b.token"
start_hub "$H" hub
big_hub=$HUB_PID
big_log=$HUB_LOG
big_url=$HUB_URL
fb "$A" remote set "$big_url" --token-file "$work/a.token" >/dev/null
mark=$(log_mark "$big_log")
timed fb "$A" sync --push-only
sync_stats "$OUTPUT"
[ "$PUSHED" -eq "$N" ] || fail "the first push sent $PUSHED of $N changes"
keep push_ms "$MS"
note_median push_ms
note push_rps "$(calc "$N / ($(median <"$work/push_ms.list") / 1000)")"
note push_requests "$REQ"
note push_min_requests "$(calc "int(($N + 3999) / 4000)")"
note push_sent_printed "$SENT"
note push_body "$(log_sum "$big_log" "$mark" POST in)"
note push_hub_ms "$(log_sum "$big_log" "$mark" POST ms)"
SENT=$(wire_sent "$SENT" "$big_log" "$mark")
note push_sent "$SENT"
note push_received "$RECV"
note push_bpr "$(calc "$SENT / $N")"
note hwm_big_mb "$(hwm_mb "$big_hub")"

# The storage floor: the same rows the hub wrote (journal and record,
# with the hub's schema and indexes), copied by plain SQL into an empty
# database, in transactions of the push's batch sizes: no decoding, no
# validation, no hashing, no merge.
say "the hub's rows again, by plain SQL ..."
F0=$work/floor.db
sqlite3 "$F0" "PRAGMA journal_mode=WAL;" >/dev/null
sqlite3 "$H" .schema | sqlite3 "$F0"
{
	echo "PRAGMA synchronous=FULL; PRAGMA cache_size=-16384;"
	echo "ATTACH '$H' AS src;"
	lo=0 size=500
	while [ "$lo" -lt "$N" ]; do
		hi=$((lo + size))
		echo "BEGIN IMMEDIATE;"
		echo "INSERT INTO main.journal SELECT * FROM src.journal WHERE cseq > $lo AND cseq <= $hi;"
		echo "INSERT OR REPLACE INTO main.record SELECT r.* FROM src.record r"
		echo "  JOIN src.journal j ON j.record_id = r.id WHERE j.cseq > $lo AND j.cseq <= $hi;"
		echo "COMMIT;"
		lo=$hi
		size=$((size * 2 > 4000 ? 4000 : size * 2))
	done
} >"$work/floor.sql"
t0=$(now_ns)
sqlite3 "$F0" <"$work/floor.sql" || fail "the plain SQL copy of the hub's rows"
t1=$(now_ns)
[ "$(sqlite3 "$F0" "select count(*) from record")" -eq "$N" ] ||
	fail "the plain SQL copy holds another number of records"
note floor_ms "$(calc "($t1 - $t0) / 1e6")"
note floor_rps "$(calc "$N / (($t1 - $t0) / 1e9)")"
rm -f "$F0"*

say "pull of the same into a second collector ..."
B=$work/c/b.db
fb "$B" init --branch "$BRANCH" >/dev/null
fb "$B" remote set "$big_url" --token-file "$work/b.token" >/dev/null
mark=$(log_mark "$big_log")
timed fb "$B" sync --pull-only
sync_stats "$OUTPUT"
[ "$PULLED" -eq "$N" ] || fail "the pull received $PULLED of $N changes"
note pull_ms "$MS"
note pull_rps "$(calc "$N / ($MS / 1000)")"
note pull_requests "$REQ"
note pull_received "$RECV"
note pull_hub_ms "$(log_sum "$big_log" "$mark" GET ms)"
note pull_bpr "$(calc "$RECV / $N")"
timed fb "$A" sync      # A's pull cursor moves past its own entries, once
note first_full_sync_ms "$MS"
phase push_pull

# --- relay: the hub of the 100k relays them to a hub above it ---------------
# The hub that took the first push is a district hub here: it relays its
# 100k entries to a province hub (docs/PROTOCOL.md §13.6) while it serves,
# then relays again with nothing new.
say "relay of the $N entries to a hub above ..."
UP=$work/upstream.db
new_hub "$UP"
(umask 077 && hubcmd "$UP" enroll --unit HN --name "district hub" --hub \
	>"$work/up.token" 2>/dev/null) || fail "enroll --hub"
start_hub "$UP" upstream
up_hub=$HUB_PID
hubcmd "$H" upstream set "$HUB_URL" --token-file "$work/up.token" >/dev/null ||
	fail "upstream set"
relay_stats() {
	local s
	s=$(printf '%s\n' "$1" | sed -n 's/^relayed: \([0-9]*\) changes of [0-9]* devices sent up, \([0-9]*\) received.*; \([0-9]*\) requests, \([0-9]*\) bytes sent, \([0-9]*\) received$/\1 \2 \3 \4 \5/p')
	[ -n "$s" ] || fail "cannot read the relay summary: $1"
	read -r PUSHED PULLED REQ SENT RECV <<<"$s"
}
timed hubcmd "$H" sync
relay_stats "$OUTPUT"
[ "$PUSHED" -ge "$N" ] || fail "the relay sent $PUSHED of $N changes"
[ "$(sqlite3 "$UP" "select count(*) from record")" -ge "$N" ] ||
	fail "the upstream does not hold the $N records"
note relay_ms "$MS"
note relay_rps "$(calc "$N / ($MS / 1000)")"
note relay_requests "$REQ"
note relay_bpr "$(calc "$SENT / $N")"
timed hubcmd "$H" sync
relay_stats "$OUTPUT"
[ "$PUSHED" -eq 0 ] || fail "a relay with nothing new sent $PUSHED changes"
note relay_none_req "$REQ"
note relay_none_bytes "$((SENT + RECV))"
stop_hub "$up_hub"
phase relay

# --- bundles: the 100k carried by file -------------------------------------
say "bundle export and import of the $N entries ..."
BH=$work/bundlehub.db
new_hub "$BH"
enroll "$BH" "$BRANCH" "Laptop by bundle" "$work/bundle.token"
cp "$work/c/a0.db" "$work/c/bundle.db"
fb "$work/c/bundle.db" remote set http://127.0.0.1:9 --token-file "$work/bundle.token" >/dev/null
timed fb "$work/c/bundle.db" bundle export "$work/a.fbb"
note bundle_export_ms "$MS"
note bundle_export_rps "$(calc "$N / ($MS / 1000)")"
note bundle_bpr "$(calc "$(stat -c %s "$work/a.fbb") / $N")"
timed hubcmd "$BH" bundle import "$work/a.fbb"
[ "$(sqlite3 "$BH" "select count(*) from record")" -eq "$N" ] ||
	fail "the bundle import does not hold the $N records"
note bundle_import_ms "$MS"
note bundle_import_rps "$(calc "$N / ($MS / 1000)")"
rm -f "$BH"* "$work/c/bundle.db"* "$work/a.fbb"*
phase bundles

# --- the 1k book on a hub of its own ---------------------------------------
H1=$work/hub1.db
new_hub "$H1"
enroll "$H1" "$BRANCH" "Laptop C" "$work/c.token"
start_hub "$H1" hub1
small_hub=$HUB_PID
small_log=$HUB_LOG
fb "$S" remote set "$HUB_URL" --token-file "$work/c.token" >/dev/null
fb "$S" sync --push-only >/dev/null || fail "push of the 1k book"
fb "$S" sync >/dev/null || fail "sync of the 1k book"

# --- incremental syncs and training add, 1k and 100k in turns ---------------
say "incremental syncs and training add with $N_SMALL and with $N records synced ..."
idA=$(sqlite3 "$A" "select id from record where type = 'training' limit 1")
idS=$(sqlite3 "$S" "select id from record where type = 'training' limit 1")
if [ -z "$idA" ] || [ -z "$idS" ]; then
	fail "no training to edit"
fi
for r in $(seq "$RUNS"); do
	sync_nothing "$S" "$small_log" 1k
	sync_nothing "$A" "$big_log" big
done
for r in $(seq "$RUNS"); do
	sync_one_field "$S" "$small_log" 1k "$idS" "$r"
	sync_one_field "$A" "$big_log" big "$idA" "$r"
done
for r in $(seq "$RUNS"); do
	training_add "$S" 1k "$r"
	training_add "$A" big "$r"
	timed "$FB" --version       # the floor under any command
	keep exec_ms "$MS"
done
for tag in 1k big; do
	for k in none_ms none_req none_bytes one_ms one_req one_bytes one_bytes_printed add_ms; do
		note_median "${k}_$tag"
	done
done
note_median exec_ms
stop_hub "$big_hub"
stop_hub "$small_hub"
phase incremental

# --- hub memory after 10k -------------------------------------------------
say "hub memory after a push of $N_MID records ..."
H10=$work/hub10.db
new_hub "$H10"
enroll "$H10" "$BRANCH" "Laptop D" "$work/d.token"
start_hub "$H10" hub10
fb "$M" remote set "$HUB_URL" --token-file "$work/d.token" >/dev/null
timed fb "$M" sync --push-only
sync_stats "$OUTPUT"
[ "$PUSHED" -eq "$N_MID" ] || fail "the $N_MID push sent $PUSHED"
note mid_push_rps "$(calc "$N_MID / ($MS / 1000)")"
note hwm_10k_mb "$(hwm_mb "$HUB_PID")"
stop_hub "$HUB_PID"
phase mid

# --- hub: many devices at once --------------------------------------------
say "$DEVICES devices of $PER_DEVICE records: databases, units, tokens ..."
F=$work/fleet
mkdir -p "$F"
"$FBB" fleet "$F" "$DEVICES" "$PER_DEVICE" "$((SEED + 1000))" >"$F/list" || fail "fbbench fleet"
HF=$work/hubf.db
hubcmd "$HF" init --unit HN --name "Hà Nội" --level province >/dev/null
hubcmd "$HF" unit import "$F/units.csv" >/dev/null || fail "unit import"
export -f enroll hubcmd hub_where fail say
export HUB TIMEOUT HF
# Four at a time: they write the same hub database (SQLite waits for the
# lock).  The quoted $0 $1 are xargs' arguments to the inner shell.
# shellcheck disable=SC2016
xargs -P 4 -L 1 bash -c 'enroll "$HF" "$1" "Laptop $1" "$0.token"' <"$F/list" ||
	fail "enrolling the devices"
start_hub "$HF" hubf
fleet_hub=$HUB_PID
export FB HUB_URL
# shellcheck disable=SC2016
xargs -P 8 -L 1 bash -c '"$FB" --db "$0" remote set "$HUB_URL" --token-file "$0.token" >/dev/null' \
	<"$F/list" || fail "remote set of the devices"
phase fleet_setup

say "$DEVICES devices push at once ..."
# One load generator drives every device's connection (fbbench push):
# it reads each database's journal into push bodies first, as the
# collector would, then pushes them all at once against the clock.
"$FBB" push "$F/list" "$HUB_URL" "$FLEET_TIMEOUT" "$work/genlat" "$work/devtime" \
	>"$work/fleet.kv" || fail "fbbench push"
cat "$work/fleet.kv" >>"$kv"
note fleet_hwm_mb "$(hwm_mb "$fleet_hub")"
stop_hub "$fleet_hub"
kvget() { sed -n "s/^$1=//p" "$work/fleet.kv"; }
fleet_ms=$(kvget fleet_ms)
sent=$(kvget fleet_records)
failed=$(($(kvget fleet_failed_syncs) + $(kvget fleet_unfinished)))
log=$work/hubf.log
non200=$(awk '$3 ~ /^(GET|POST)$/ && $5 != 200' "$log" | wc -l)
[ "$failed" -eq 0 ] || say "$failed devices did not finish their push"
note fleet_expected "$((DEVICES * PER_DEVICE))"
note fleet_hub_records "$(sqlite3 "$HF" "select count(*) from journal")"
note fleet_rps "$(calc "$sent / ($fleet_ms / 1000)")"
note fleet_requests "$(awk '$3 == "POST" && $4 == "/v2/push"' "$log" | wc -l)"
note fleet_hub_ms "$(log_sum "$log" 0 POST ms)"
note fleet_non200 "$non200"
note fleet_missing "$((DEVICES * PER_DEVICE - sent))"
note fleet_errors "$((failed + non200 + $(kvget fleet_gen_non200)))"
awk '$3 == "POST" && $4 == "/v2/push" {
	for (i = 6; i <= NF; i++) if ($i ~ /^ms=/) print substr($i, 4) }' "$log" >"$work/lat"
note fleet_p50 "$(percentile 50 <"$work/lat")"
note fleet_p99 "$(percentile 99 <"$work/lat")"
note fleet_dev_p50 "$(percentile 50 <"$work/devtime")"
note fleet_dev_p99 "$(percentile 99 <"$work/devtime")"
phase fleet

# --- the hub on PostgreSQL, beside the SQLite hub's figures above ----------
bench_pg
phase postgresql

# --- hub: a country's units -------------------------------------------------
say "unit import of a country's list, twice ..."
U=$work/units
mkdir -p "$U"
python3 "$(dirname "$0")/../tools/units_vn.py" --shuffle "$U/vn.csv" 2>/dev/null ||
	fail "units_vn.py"
note units_rows "$(($(wc -l <"$U/vn.csv") - 1))"
# The limit: the sqlite3 shell's .import of the same file into a plain
# table, a process start and one transaction like the import's.
timed sqlite3 "$U/raw.db" ".import --csv $U/vn.csv unit"
note units_raw_ms "$MS"
hubcmd "$U/hub.db" init --unit VN --name "Trung ương" --level central >/dev/null
timed hubcmd "$U/hub.db" unit import "$U/vn.csv"
note units_import_ms "$MS"
timed hubcmd "$U/hub.db" unit import "$U/vn.csv"
note units_reimport_ms "$MS"
case $OUTPUT in *" 0 added, 0 renamed, 0 moved, "*) ;; *) fail "the second import changed units: $OUTPUT" ;; esac
phase units

# --- a 2G-class link, clean and cut -----------------------------------------
bench_links
phase links

# --- the hub's report ------------------------------------------------------
# On the hub the devices filled, at every level; then on province hubs
# written directly (fbbench hubfill): 200 branches and REPORT_BRANCHES
# with the same records in all, and REPORT_BRANCHES with 10x the records.
# report_ms DB BY KEY [RUNS]: the median wall time of `report --by BY`.
report_ms() {
	local db=$1 by=$2 key=$3 runs=${4:-$REPORT_RUNS} r
	for r in $(seq "$runs"); do
		timed hubcmd "$db" report --by "$by" --year "$REPORT_YEAR" --format csv
		keep "$key" "$MS"
	done
	note_median "$key"
}
# gen_hub DB BRANCHES N: a province hub of BRANCHES branches of N records.
gen_hub() {
	hubcmd "$1" init --unit HN --name "Hà Nội" --level province >/dev/null ||
		fail "init $1"
	"$FBB" hubfill "$1" "$2" "$3" "$((SEED + 2000))" >/dev/null || fail "fbbench hubfill"
}
say "report at every level, $DEVICES branches ..."
# The floor: every record read once by plain SQL, by a process as well.
for r in $(seq "$REPORT_RUNS"); do
	timed sqlite3 "$HF" "SELECT count(*), sum(length(vals)) FROM record"
	keep report_floor_ms "$MS"
done
note_median report_floor_ms
note report_records "$(sqlite3 "$HF" "select count(*) from record")"
for by in branch commune district province; do
	report_ms "$HF" "$by" "report_${by}_ms"
done
G=$work/gen200.db
gen_hub "$G" 200 "$PER_DEVICE"
report_ms "$G" branch report_g200_ms
note report_g200_per100k "$(calc "$(median <"$work/report_g200_ms.list") * 100000 / (200 * $PER_DEVICE)")"
rm -f "$G"*
say "report on $REPORT_BRANCHES branches of $((PER_DEVICE / 10)) records ..."
G=$work/gen2000.db
gen_hub "$G" "$REPORT_BRANCHES" "$((PER_DEVICE / 10))"
note report_branches "$REPORT_BRANCHES"
report_ms "$G" branch report_g2000_ms
report_ms "$G" province report_g2000_province_ms
rm -f "$G"*
if [ "$REPORT_BIG" != 0 ]; then
	say "report on $REPORT_BRANCHES branches of $PER_DEVICE records ..."
	G=$work/genbig.db
	t0=$(now_ns)
	gen_hub "$G" "$REPORT_BRANCHES" "$PER_DEVICE"
	note report_big_fill_s "$(calc "($(now_ns) - $t0) / 1e9")"
	note report_big_records "$((REPORT_BRANCHES * PER_DEVICE))"
	report_ms "$G" branch report_big_ms 1
	note report_big_per100k "$(calc "$(median <"$work/report_big_ms.list") * 100000 / ($REPORT_BRANCHES * $PER_DEVICE)")"
	rm -f "$G"*
fi
phase report

# --- the table ------------------------------------------------------------
ended=$(now_ns)
note machine_load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
note bench_seconds "$(calc "int(($ended - $started) / 1e9)")"
"$FBB" report "$kv" "$OUT/results.json" || fail "report"
printf '\nbench: %s s in all (N=%s, %s devices x %s records); load average %s at the start, %s at the end\n' \
	"$(sed -n 's/^bench_seconds=//p' "$kv")" "$N" "$DEVICES" "$PER_DEVICE" \
	"$(sed -n 's/^machine_load_start=//p' "$kv")" "$(sed -n 's/^machine_load_end=//p' "$kv")"
printf 'bench: wrote %s/results.json\n' "$OUT"
