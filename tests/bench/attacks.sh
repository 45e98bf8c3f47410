#!/usr/bin/env bash
# attacks.sh - make bench-attacks: what a laptop and a monitor see of the
# hub while one address attacks it, the figures of docs/SECURITY.md.
#
# For the hub $FIELDBOOK_HUB (and, when $BEFORE_HUB names another build,
# for that one too, as "before"), on loopback:
#
#   idle          no attack
#   heads         1,100 slowloris connections (tests/e2e/hubattack.py head)
#   bodies        1,100 tokenless pushes announcing 4 MiB, a byte every 5 s
#   reads         1,100 connections reading 1,000 pipelined answers a byte
#                 at a time
#   slowhttptest  Debian's slowhttptest -H, 1,100 connections (if installed)
#   flood         one enrolled token sending pulls back to back, as fast as
#                 the hub answers (its rate limit is what stops it)
#
# and under each: /v1/health's latency (the median and the worst of
# ATTACK_PROBES probes, one after the other; a probe that gets no answer
# in 60 s ends the series) and the time a laptop's sync of one new member
# takes (given up after 120 s).  Then the hub's memory under 300 tokenless
# 4 MiB uploads at once: VmRSS before, VmHWM at the peak, VmRSS once they
# are closed.  The attackers come from 127.0.0.2, the laptop and the
# probes from 127.0.0.1.
#
# The table is printed and written to $BENCH_OUT/attacks.md (default
# bench/).  Timings are measured here, never judged: the tests
# (tests/e2e/50-55) assert what completes, not how fast.
#
# Needs: FIELDBOOK, FIELDBOOK_HUB (set by make), python3, curl, sqlite3.
set -euo pipefail

FB=${FIELDBOOK:?set FIELDBOOK}
AFTER=${FIELDBOOK_HUB:?set FIELDBOOK_HUB}
BEFORE=${BEFORE_HUB:-}
PROBES=${ATTACK_PROBES:-10}
CONNS=${ATTACK_CONNS:-1100}
UPLOADS=${ATTACK_UPLOADS:-300}
OUT=${BENCH_OUT:-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
ATTACK=$HERE/../e2e/hubattack.py
PY=$(command -v python3)

mkdir -p "$OUT"
work=$(mktemp -d "${BENCH_TMP:-/tmp}/fieldbook-attacks.XXXXXX")
pids=""
cleanup() {
	local p
	for p in $pids; do
		kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'attacks: %s\n' "$*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
mib() { awk "BEGIN { printf \"%d\", $1 / 1024 }"; }

# hub_up BIN: a fresh hub database, two tokens, the hub serving it
# (HUB_PID, PORT); a laptop synced once (LAPTOP).
hub_up() {
	local bin=$1 h _
	rm -rf "$work/run"
	mkdir -p "$work/run"
	h=$work/run/hub.db
	"$bin" --db "$h" init --unit HN --name "Hà Nội" --level province >/dev/null
	"$bin" --db "$h" unit add HN.C --parent HN --level commune --name "Xã Một" >/dev/null
	"$bin" --db "$h" unit add HN.B1 --parent HN.C --level branch --name "Chi hội 1" >/dev/null
	(umask 077 && "$bin" --db "$h" enroll --unit HN.B1 --name laptop >"$work/run/tok" 2>/dev/null)
	(umask 077 && "$bin" --db "$h" enroll --unit HN.B1 --name flooder >"$work/run/tokX" 2>/dev/null)
	"$bin" --db "$h" serve --listen 127.0.0.1:0 --port-file "$work/run/port" \
		>/dev/null 2>"$work/run/hub.log" </dev/null &
	HUB_PID=$!
	pids="$pids $HUB_PID"
	for _ in $(seq 100); do [ -s "$work/run/port" ] && break; sleep 0.05; done
	PORT=$(cat "$work/run/port")
	LAPTOP=$work/run/laptop.db
	"$FB" --db "$LAPTOP" init --branch HN.B1 >/dev/null
	"$FB" --db "$LAPTOP" remote set "http://127.0.0.1:$PORT" --token-file "$work/run/tok" >/dev/null
	"$FB" --db "$LAPTOP" member add --name "Nguyễn Thị Hoa" >/dev/null
	timeout 60 "$FB" --db "$LAPTOP" sync >/dev/null
}

hub_down() {
	kill -TERM "$HUB_PID" 2>/dev/null || true
	for _ in $(seq 200); do kill -0 "$HUB_PID" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$HUB_PID" 2>/dev/null || true
	wait "$HUB_PID" 2>/dev/null || true
}

# attack_up NAME ARGS...: an attacker in the background (APID), once it
# holds or has opened its connections (at most 60 s).
attack_up() {
	local name=$1 st=$work/run/$1.status _ s
	shift
	case $name in
	slowhttptest)
		slowhttptest -H -c "$CONNS" -r "$CONNS" -i 5 -l 600 -p 60 \
			-u "http://127.0.0.1:$PORT/v1/health" >"$work/run/sh.out" 2>&1 </dev/null &
		APID=$!
		pids="$pids $APID"
		for _ in $(seq 600); do
			s=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$work/run/sh.out" | sed -n 's/^connected: *//p' | tail -n 1)
			[ -n "$s" ] && [ "$s" -ge "$CONNS" ] && return 0
			sleep 0.1
		done
		return 0
		;;
	esac
	if [ "$name" = flood ]; then
		"$PY" -I -S "$ATTACK" flood --port "$PORT" --token-file "$work/run/tokX" \
			--seconds 600 --status "$st" >"$work/run/$name.out" 2>&1 </dev/null &
		APID=$!
		pids="$pids $APID"
		for _ in $(seq 600); do
			s=$(head -n 1 "$st" 2>/dev/null || true)
			[[ $s =~ answers\ .*[0-9] ]] && return 0
			sleep 0.1
		done
		return 0
	fi
	"$PY" -I -S "$ATTACK" "$@" --port "$PORT" --conns "$CONNS" --interval 5 \
		--seconds 600 --status "$st" >"$work/run/$name.out" 2>&1 </dev/null &
	APID=$!
	pids="$pids $APID"
	for _ in $(seq 600); do
		s=$(head -n 1 "$st" 2>/dev/null || true)
		if [[ $s =~ opened\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$CONNS" ]; then
			return 0
		fi
		sleep 0.1
	done
}

attack_down() {
	kill -TERM "$APID" 2>/dev/null || true
	for _ in $(seq 200); do kill -0 "$APID" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$APID" 2>/dev/null || true
	wait "$APID" 2>/dev/null || true
}

# measure LABEL: health probes and one sync; one row of the table.
N=0
measure() {
	local label=$1 i t ms list="" worst=0 lost="" t0 t1 rc sync
	for i in $(seq "$PROBES"); do
		t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 60 \
			"http://127.0.0.1:$PORT/v1/health" || true)
		if [ "${t%% *}" != 200 ]; then
			lost="no answer in 60 s (probe $i)"
			break
		fi
		ms=$(awk "BEGIN { printf \"%.1f\", ${t#* } * 1000 }")
		list="$list $ms"
		worst=$(awk "BEGIN { print ($ms > $worst) ? $ms : $worst }")
	done
	N=$((N + 1))
	"$FB" --db "$LAPTOP" member add --name "Trần Thị Lan $N" >/dev/null
	t0=$(now_ms)
	rc=0
	timeout 120 "$FB" --db "$LAPTOP" sync >/dev/null 2>"$work/run/sync.err" || rc=$?
	t1=$(now_ms)
	if [ "$rc" = 0 ]; then
		sync="$((t1 - t0)) ms"
	elif [ "$rc" = 124 ]; then
		sync="not done in 120 s"
	else
		sync="failed after $((t1 - t0)) ms (exit $rc)"
	fi
	if [ -n "$lost" ]; then
		health="$lost"
	else
		health="$(printf '%s\n' $list | median) ms median, $worst ms worst"
	fi
	printf '| %s | %s | %s | %s |\n' "$WHICH" "$label" "$health" "$sync" >>"$work/table"
	say "$WHICH $label: health $health; sync $sync"
}

memory() {
	local rss0 hwm rss1
	rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HUB_PID/status")
	"$PY" -I -S "$ATTACK" upload --port "$PORT" --conns "$UPLOADS" --once --seconds 300 \
		>"$work/run/upload.out" 2>&1 </dev/null || true
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$HUB_PID/status")
	rss1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HUB_PID/status")
	printf '| %s | %s MiB | %s MiB (+%s) | %s MiB (+%s) |\n' "$WHICH" "$(mib "$rss0")" \
		"$(mib "$hwm")" "$(mib $((hwm - rss0)))" "$(mib "$rss1")" "$(mib $((rss1 - rss0)))" \
		>>"$work/mem"
	say "$WHICH memory: $(cat "$work/run/upload.out")"
}

run_all() {
	WHICH=$1
	hub_up "$2"
	measure "idle"
	attack_up heads head
	measure "$CONNS slow heads"
	attack_down
	attack_up bodies body
	measure "$CONNS slow tokenless bodies"
	attack_down
	attack_up reads read
	measure "$CONNS slow readers"
	attack_down
	if command -v slowhttptest >/dev/null 2>&1; then
		attack_up slowhttptest
		measure "slowhttptest -H, $CONNS connections"
		attack_down
	fi
	attack_up flood
	measure "one token flooding pulls"
	attack_down
	say "$WHICH flood: $(cat "$work/run/flood.out")"
	memory
	hub_down
}

: >"$work/table"
: >"$work/mem"
[ -z "$BEFORE" ] || run_all before "$BEFORE"
run_all after "$AFTER"
{
	echo "| hub | attack (one address) | /v1/health under it | a laptop's sync of one member |"
	echo "|---|---|---|---|"
	cat "$work/table"
	echo
	echo "| hub | $UPLOADS tokenless 4 MiB uploads: VmRSS before | VmHWM (peak) | VmRSS after they closed |"
	echo "|---|---|---|---|"
	cat "$work/mem"
} | tee "$OUT/attacks.md"
