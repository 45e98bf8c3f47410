#!/usr/bin/env bash
# 57-sync-lock: one sync of a database at a time.  A second sync while
# the first waits inside a request (the proxy holds the hub's answer, so
# the first is certainly mid-sync) exits 75 at once and says so; after
# the first ends, or is killed with -9, the lock is free again and the
# hub holds every entry exactly once.  Recording goes on beside a
# `sync --every 1s` loop: no command fails, none waits a second for the
# database, and every record reaches the hub once.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
enroll "$H" HN.PL.TT.03 "laptop B" "$TMP/tokB"
start_hub "$H"
new_collector "$TMP/A.db" HN.PL.TT.03 "$TMP/tokA"
new_collector "$TMP/B.db" HN.PL.TT.03 "$TMP/tokB"
A=$TMP/A.db
B=$TMP/B.db
for i in $(seq 30); do
	fbd "$A" member add --name "Hội viên $i" >/dev/null
done

held_entries() {
	hub_sql "$H" "select count(*) from journal where device = '$(own_device "$1")'"
}

# --- two at once --------------------------------------------------------
for how in "ends" "is killed with -9"; do
	start_proxy 0 --hold-answer 0
	fbd "$A" remote set "$PROXY_URL" --token-file "$TMP/tokA" >/dev/null
	fbd "$A" member add --name "Thêm trước khi đồng bộ ($how)" >/dev/null
	"$FIELDBOOK" --db "$A" sync >"$TMP/first.out" 2>"$TMP/first.err" &
	first=$!
	_SYNC_PIDS="$_SYNC_PIDS $first"
	if wait_held "$first"; then pass "the first sync is inside a request ($how)"; else fail "the first sync is inside a request ($how)" "$(cat "$TMP/proxy.log")"; fi
	run fbd "$A" sync
	expect_exit 75 "a second sync of the same database exits 75 ($how)"
	expect_err_match "^fieldbook: a sync of this database is already running \(process $first\)" "and says that one is running"
	if [ "$how" = ends ]; then
		stop_proxy
		wait "$first"
		rc=$?
		like "$rc" '^(0|69)$' "the first ends when its connection closes ($rc)"
	else
		kill -9 "$first"
		wait "$first" 2>/dev/null
		stop_proxy
	fi
	_sync_forget "$first"
	fbd "$A" remote set "$HUB_URL" --token-file "$TMP/tokA" >/dev/null
	run fbd "$A" sync
	expect_exit 0 "the lock is free again after the first $how"
	is "$(held_entries "$A")" "$(sqlite3 -readonly "$A" "select max(seq) from journal where device = '$(own_device "$A")'")" \
		"the hub holds each of the laptop's entries ($how)"
	is "$(hub_dups "$H")" 0 "and none twice ($how)"
done

# --- recording beside a loop ---------------------------------------------
"$FIELDBOOK" --db "$B" sync --every 1s >/dev/null 2>"$TMP/loop.log" &
loop=$!
_SYNC_PIDS="$_SYNC_PIDS $loop"
failed=0 slowest=0 n=0
for i in $(seq 30); do
	out=$(FIELDBOOK_TRACE_BUSY=1 "$FIELDBOOK" --db "$B" member add --name "Ghi trong khi đồng bộ $i" 2>&1 >/dev/null) || failed=$((failed + 1))
	w=$(printf '%s\n' "$out" | sed -n 's/^fieldbook: waited \([0-9]*\) ms for the database$/\1/p')
	[ "${w:-0}" -gt "$slowest" ] && slowest=${w:-0}
	n=$((n + 1))
	# Twice, wait (bounded) for the loop to have sent some: the loop and
	# the commands overlap by construction, not by chance.
	if [ $i = 10 ] || [ $i = 20 ]; then
		for _ in $(seq 1200); do
			[ "$(grep -c 'sync ok: [1-9][0-9]* sent' "$TMP/loop.log")" -ge $((i / 10)) ] && break
			sleep 0.05
		done
	fi
	sleep 0.3
done
is "$failed" 0 "none of $n commands beside the loop failed"
ok "none waited a second for the database (the longest: $slowest ms)" test "$slowest" -lt 1000
kill -TERM "$loop"
wait "$loop"
is "$?" 0 "the loop stops with 0"
_sync_forget "$loop"
ok "the loop synced while they were recorded" test "$(grep -c 'sync ok: [1-9][0-9]* sent' "$TMP/loop.log")" -ge 2
run fbd "$B" sync
expect_exit 0 "a last sync for what came after the loop's last"
is "$(hub_sql "$H" "select count(distinct record_id) from journal where device = '$(own_device "$B")'")" 30 \
	"every member recorded beside the loop reached the hub"
is "$(hub_dups "$H")" 0 "each once"

done_testing
