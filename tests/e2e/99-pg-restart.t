#!/usr/bin/env bash
# The hub loses PostgreSQL in the middle of a push, and PostgreSQL is
# stopped and started under it: each time the laptop hears 503 and exits
# 75 with nothing lost, and the same hub (not restarted) takes the next
# sync and holds every entry once.
#
# The push is caught at its commit: a session of the test holds the
# commit lock (docs/DECISIONS.md, "PostgreSQL store"), the test waits
# until the push waits for it (pg_locks), and only then ends that push's
# connection (pg_terminate_backend).  Stopping the whole server there
# instead would race the lock holder's own end against the push.
FIELDBOOK_TEST_STORE=pg
. "$(dirname "$0")/synclib.sh"

COMMIT_LOCK=108516735134579     # PG_COMMIT_LOCK, sync/hub_store_pg.h

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
start_hub "$H"
A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tokA"
new_id fbd "$A" member add --name "Nguyễn Thị Một" >/dev/null
run fbd "$A" sync
expect_exit 0 "A's first sync goes through"

for i in 2 3 4 5; do
	new_id fbd "$A" member add --name "Thành viên $i" >/dev/null
done
DB=$(_pg_store_of "$H" | sed 's|^postgresql://fieldbook@/||; s|?.*||')

# advisory_locks WHERE: 1 once one advisory lock is so (bounded), else 0.
advisory_locks() {
	local _
	for _ in $(seq 200); do
		pg_sql "$DB" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND $1"
		[ "$PG_OUT" = 1 ] && { echo 1; return; }
		sleep 0.05
	done
	echo 0
}

# Hold the commit lock from a session of our own (bounded: 60 s).
timeout 60 psql -X -q -h "$PG_DIR" -U fieldbook -d "$DB" \
	-c "SELECT pg_advisory_lock($COMMIT_LOCK)" -c "SELECT pg_sleep(60)" \
	>/dev/null 2>&1 </dev/null &
holder=$!
is "$(advisory_locks granted)" 1 "the test holds the commit lock"

fbd "$A" sync >"$TMP/sync.out" 2>"$TMP/sync.err" &
syncer=$!
is "$(advisory_locks "NOT granted")" 1 \
	"the push has applied its batch and waits to number its journal rows"

# The push's own connection is cut (its backend ended, the lock holder's
# left alone): the hub has lost PostgreSQL in the middle of the push.
pg_sql "$DB" "SELECT count(pg_terminate_backend(pid)) FROM pg_locks
	WHERE locktype = 'advisory' AND NOT granted"
is "$PG_OUT" 1 "the push's connection is cut while it waits"
wait "$syncer"
is "$?" 75 "the laptop's sync exits 75 (try again later)"
like "$(cat "$TMP/sync.err")" "HTTP 503" "...the hub answered 503"
# The holder lets go: its session ended on the server (psql killed, its
# backend would sleep on).
pg_sql "$DB" "SELECT count(pg_terminate_backend(pid)) FROM pg_locks
	WHERE locktype = 'advisory' AND granted"
wait "$holder" 2>/dev/null
is "$(jget "$A" 'd["pending_entries"]' status --json)" 4 "the laptop still holds its 4 entries to send"
ok "the hub is still running" kill -0 "$HUB_PID"

run fbd "$A" sync
expect_exit 0 "the next sync goes through (same hub, another connection)"
is "$(jget "$A" 'd["pending_entries"]' status --json)" 0 "nothing is left to send"

# PostgreSQL stopped and started again under the running hub.
for i in 6 7; do
	new_id fbd "$A" member add --name "Thành viên $i" >/dev/null
done
pg_stop
run fbd "$A" sync
expect_exit 75 "with PostgreSQL stopped, the sync exits 75"
expect_err_match "HTTP 503" "...the hub answered 503"
is "$(jget "$A" 'd["pending_entries"]' status --json)" 2 "the laptop still holds its 2 entries"
pg_start_again
run fbd "$A" sync
expect_exit 0 "with PostgreSQL back, the next sync goes through (same hub)"
is "$(jget "$A" 'd["pending_entries"]' status --json)" 0 "nothing is left to send"
dev=$(own_device "$A")
is "$(jcount "$H" "$dev")" "$(jcount "$A" "$dev")" "the hub holds A's journal whole"
is "$(hub_dups "$H")" 0 "and each entry once"
is "$(hub_sql "$H" "select count(*) from record where type = 'member'")" 7 \
	"the hub holds the 7 members"

stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
