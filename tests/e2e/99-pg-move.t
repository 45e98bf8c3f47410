#!/usr/bin/env bash
# A province moves its hub from SQLite to PostgreSQL, and back: the last
# backup of the SQLite hub is restored into an empty PostgreSQL database
# (restore makes the hub's schema there first), the hub serves from
# PostgreSQL, the laptops are pointed at it and sync with nothing lost
# and nothing twice, and a laptop enrolled there gets the next device
# number.  A backup of the PostgreSQL hub is an SQLite hub file that an
# SQLite hub restores and serves the same.
. "$(dirname "$0")/synclib.sh"       # hubs on SQLite (FIELDBOOK_TEST_STORE unset)
. "$E2E_DIR/pglib.sh"

pg_start

d=$TMP/move
mkdir -p "$d"
H=$d/hub.db
hub_tree "$H"
for x in 1 2; do enroll "$H" HN.PL.TT.03 "laptop L$x" "$d/tok$x"; done
start_hub "$H"
for x in 1 2; do new_collector "$d/L$x.db" HN.PL.TT.03 "$d/tok$x"; done
m=$(new_id fbd "$d/L1.db" member add --name "Nguyễn Thị Hoa" --phone 0901000001)
fbd "$d/L2.db" member add --name "Trần Thị Mai" >/dev/null
for x in 1 2; do
	run fbd "$d/L$x.db" sync
	expect_exit 0 "L$x records and syncs with the SQLite hub"
done
fbd "$d/L1.db" edit "$m" phone=0901111111 >/dev/null
fbd "$d/L2.db" sync >/dev/null
fbd "$d/L2.db" edit "$m" phone=0902222222 >/dev/null
for x in 1 2; do fbd "$d/L$x.db" sync >/dev/null; done
is "$(hub_sql "$H" "select count(*) from conflict where resolved = 0")" 1 \
	"the SQLite hub holds an open conflict"
run hub --db "$H" backup "$d/last.db"
expect_exit 0 "the SQLite hub's backup"
stop_hub

# Into an empty PostgreSQL database.
pg_new_db province
run "$FIELDBOOK_HUB" --store "$PG_URI" restore "$d/last.db"
expect_exit 0 "restore into an empty PostgreSQL database"
like "$OUT" "^restored: postgresql://fieldbook@/province.* from $d/last.db \([0-9]+ entries\); start the hub again" \
	"...says what it did and what comes next"
for q in "devices --json" "conflicts" "report --year $(date +%Y)" "verify"; do
	# shellcheck disable=SC2086 # the command's words
	is "$("$FIELDBOOK_HUB" --store "$PG_URI" $q 2>&1)" \
		"$(sqlite_hub "$d/last.db" $q 2>&1 | sed "s|$d/last.db|$PG_URI|g")" \
		"PostgreSQL answers '$q' as the SQLite copy does"
done

"$FIELDBOOK_HUB" --store "$PG_URI" serve --listen 127.0.0.1:0 --port-file "$d/pg.port" \
	>"$d/pg.out" 2>"$d/pg.log" </dev/null 5>&- 6>&- 7>&- 8>&- &
pg_hub=$!
_SYNC_PIDS="$_SYNC_PIDS $pg_hub"
for _ in $(seq 200); do [ -s "$d/pg.port" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$(cat "$d/pg.port")
fbd "$d/L1.db" member add --name "Lê Thị Cúc" >/dev/null
for x in 1 2; do
	run fbd "$d/L$x.db" remote set "$URL" --token-file "$d/tok$x"
	expect_exit 0 "L$x is pointed at the hub on PostgreSQL, with its own token"
	run fbd "$d/L$x.db" sync
	expect_exit 0 "L$x syncs with it"
done
run fbd "$d/L2.db" sync
for x in 1 2; do
	is "$(sqlite3 "$d/L$x.db" "select count(*) from record where type = 'member'")" 3 \
		"L$x holds the three members once each"
done
pg_sql province "SELECT count(*) FROM journal GROUP BY device, seq HAVING count(*) > 1"
is "$PG_OUT" "" "the PostgreSQL hub holds no entry twice"
enroll_out=$("$FIELDBOOK_HUB" --store "$PG_URI" enroll --unit HN.PL.TT.03 --name "laptop L3" 2>&1 >/dev/null)
like "$enroll_out" "device 3 enrolled" "a laptop enrolled there gets the next number (3)"
run "$FIELDBOOK_HUB" --store "$PG_URI" verify
expect_exit 0 "the PostgreSQL hub verifies"

# And back: its backup is an SQLite hub file an SQLite hub restores.
run "$FIELDBOOK_HUB" --store "$PG_URI" backup "$d/pg.db"
expect_exit 0 "the PostgreSQL hub's backup, while it serves"
like "$OUT" "backup written: $d/pg.db \([0-9]+ entries, every chain checked\)" \
	"...the SQLite hub's line"
run sqlite_hub "$d/back.db" restore "$d/pg.db"
expect_exit 0 "an SQLite hub restores it"
is "$(sqlite_hub "$d/back.db" report --year "$(date +%Y)")" \
	"$("$FIELDBOOK_HUB" --store "$PG_URI" report --year "$(date +%Y)")" \
	"...and reports as the PostgreSQL hub does"

# Bad copies change nothing.
before=$("$FIELDBOOK_HUB" --store "$PG_URI" verify 2>&1)
kill -TERM "$pg_hub"
wait "$pg_hub"
run "$FIELDBOOK_HUB" --store "$PG_URI" restore "$d/L1.db"
ok "a laptop's database is refused as a copy" test "$RC" -ne 0
like "$ERR" "^fieldbook-hub: the copy does not check: " "...as a copy that does not check"
run "$FIELDBOOK_HUB" --store "$PG_URI" restore "$d/none.db"
expect_exit 66 "a copy that is not there: 66"
is "$("$FIELDBOOK_HUB" --store "$PG_URI" verify 2>&1)" "$before" "...and the store is as it was"

done_testing
