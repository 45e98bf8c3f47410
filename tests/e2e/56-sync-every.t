#!/usr/bin/env bash
# 56-sync-every: `fieldbook sync --every` with the hub down and coming
# back.  It tries again with growing, jittered waits within the documented
# bounds (shared/backoff.h), the same waits for the same --seed; once the
# hub is up the next attempt goes through and what was recorded in the
# outage arrives once; SIGTERM ends the loop with 0.  A revoked token ends
# it with 77 and the hub's message.  Events come from the loop's log, not
# from timing.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
start_hub "$H"
new_collector "$TMP/A.db" HN.PL.TT.03 "$TMP/tokA"
A=$TMP/A.db
fbd "$A" member add --name "Nguyễn Thị Hoa" >/dev/null
run fbd "$A" sync
expect_exit 0 "a first sync"

# wait_lines FILE REGEX N SECONDS: until FILE holds N lines matching
# REGEX, polled for at most SECONDS; 1 if it never did.
wait_lines() {
	local i n
	for i in $(seq $(($4 * 20))); do
		n=$(grep -cE "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# start_loop LOG ARGS...: fieldbook sync ARGS in the background; LOOP_PID
start_loop() {
	local log=$1
	shift
	"$FIELDBOOK" --db "$A" sync "$@" >/dev/null 2>"$log" &
	LOOP_PID=$!
	_SYNC_PIDS="$_SYNC_PIDS $LOOP_PID"
}

# stop_loop: SIGTERM, and its exit status in LOOP_RC (bounded wait).
stop_loop() {
	local i
	kill -TERM "$LOOP_PID" 2>/dev/null
	for i in $(seq 200); do kill -0 "$LOOP_PID" 2>/dev/null || break; sleep 0.05; done
	wait "$LOOP_PID"
	LOOP_RC=$?
	_sync_forget "$LOOP_PID"
}

# The waits the log announces, in ms, one per line.
waits_of() {
	sed -n 's/.*; next in \([0-9]*\)\.\([0-9]*\) s$/\1\2/p' "$1" | sed 's/^0*\([0-9]\)/\1/'
}

# --- the hub is down ---------------------------------------------------
stop_hub "$HUB_PID"
start_loop "$TMP/loop1.log" --every 2s --seed 42
for i in 1 2 3; do
	fbd "$A" member add --name "Outage member $i" >/dev/null
done
wait_lines "$TMP/loop1.log" 'sync failed \(exit 69\).*; next in' 5 60
ok "five failed attempts logged while the hub is down" test "$(grep -c 'sync failed (exit 69)' "$TMP/loop1.log")" -ge 5
like "$(head -1 "$TMP/loop1.log")" "syncing every 2 s until stopped \(process $LOOP_PID\)" "the loop says what it does"

# Bounds: after the k-th failure in a row the wait is in [d/2, d],
# d = min(period, 1 s * 2^(k-1)).
k=0
bad=""
while read -r w; do
	k=$((k + 1))
	[ $k -le 5 ] || break
	d=1000
	for ((j = 1; j < k; j++)); do d=$((d * 2)); done
	[ $d -gt 2000 ] && d=2000
	if [ "$w" -lt $(((d + 1) / 2)) ] || [ "$w" -gt $d ]; then
		bad="$bad k=$k wait=$w not in [$(((d + 1) / 2)),$d]"
	fi
done < <(waits_of "$TMP/loop1.log")
is "$bad" "" "each wait within the documented bounds"
diag "waits after failures 1-5 (ms): $(waits_of "$TMP/loop1.log" | head -5 | tr '\n' ' ')"

# Each attempt comes no sooner than the wait announced before it.
early=$(py - "$TMP/loop1.log" <<'EOF'
import re, sys, datetime
prev = None
out = []
for line in open(sys.argv[1]):
    m = re.match(r'(\S+) sync .*; next in (\d+)\.(\d+) s$', line.strip())
    if not m:
        continue
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
    if prev is not None and t - prev[0] < prev[1]:
        out.append("%d < %d" % (t - prev[0], prev[1]))
    prev = (t, int(m.group(2)) * 1000 + int(m.group(3)))
print(" ".join(out))
EOF
)
is "$early" "" "no attempt before its announced wait"

# --- the hub comes back ------------------------------------------------
HUB_LISTEN=127.0.0.1:$HUB_PORT start_hub "$H"
wait_lines "$TMP/loop1.log" 'sync ok: ' 1 60
like "$(grep 'sync ok: ' "$TMP/loop1.log" | head -1)" 'sync ok: 3 sent, 0 received, [0-9]+ requests, [0-9]+ bytes sent, [0-9]+ received; next in 2\.000 s$' \
	"once the hub is up the next attempt sends what was recorded in the outage"
stop_loop
is "$LOOP_RC" 0 "SIGTERM ends the loop with 0"
like "$(tail -1 "$TMP/loop1.log")" 'Z sync (stopped|.*; stopped)$' "its last line says it stopped"
is "$(hub_sql "$H" "select count(*) from journal where device = '$(own_device "$A")'")" 4 \
	"the hub holds the laptop's four entries"
is "$(hub_dups "$H")" 0 "each of them once"
# A sync of its own, so that the last attempt is known whenever the
# SIGTERM above landed (in a nap, or in an attempt it cut short).
fbd "$A" sync >/dev/null
run fbd "$A" status --json
is "$(printf '%s' "$OUT" | json_get 'd["autosync"]["last_exit"]')" 0 "status: the last attempt's exit status"
like "$(printf '%s' "$OUT" | json_get 'd["autosync"]["last_result"]')" '^ok: ' "status: its result"
run fbd "$A" status
like "$OUT" 'last try: +[0-9-]+ [0-9:]+, ok: ' "status shows the last try"

# --- the same seed, the same waits ---------------------------------------
stop_hub "$HUB_PID"
for run_ in a b; do
	start_loop "$TMP/seed-$run_.log" --every 2s --seed 7
	wait_lines "$TMP/seed-$run_.log" 'sync failed' 3 60
	stop_loop
done
is "$(waits_of "$TMP/seed-a.log" | head -3)" "$(waits_of "$TMP/seed-b.log" | head -3)" "the same seed draws the same waits"
HUB_LISTEN=127.0.0.1:$HUB_PORT start_hub "$H"

# --- a refusal stops the loop ------------------------------------------
start_loop "$TMP/loop2.log" --every 1s
wait_lines "$TMP/loop2.log" 'sync ok: ' 1 60
hub --db "$H" revoke "$(hub_sql "$H" "select id from device where name = 'laptop A'")" >/dev/null
for i in $(seq 600); do kill -0 "$LOOP_PID" 2>/dev/null || break; sleep 0.05; done
# Still running after 30 s: it did not stop (the status says so below).
kill "$LOOP_PID" 2>/dev/null
wait "$LOOP_PID"
LOOP_RC=$?
_sync_forget "$LOOP_PID"
is "$LOOP_RC" 77 "a revoked token ends the loop with 77"
like "$(grep 'sync failed' "$TMP/loop2.log" | tail -1)" 'sync failed \(exit 77\): .*token.*; not trying again$' "its log says why and that it stops"
like "$(tail -1 "$TMP/loop2.log")" '^fieldbook: .*token' "and the error line follows"

# --- usage ---------------------------------------------------------------
run fbd "$A" sync --every 0
expect_exit 64 "--every 0 is refused"
run fbd "$A" sync --every 2d
expect_exit 64 "--every 2d is refused"
expect_err_match "duration such as 90s, 15m or 1h" "with what it takes"
run fbd "$A" sync --seed 3
expect_exit 64 "--seed alone is refused"

done_testing
