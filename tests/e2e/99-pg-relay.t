#!/usr/bin/env bash
# A hub on PostgreSQL pulls from the hub above while one of its own
# laptops' pushes writes the same new record: the pulled page's merge
# (pg_merge_pulled, docs/DECISIONS.md "PostgreSQL store") loses the race
# for the record's row, goes back to its savepoint and merges into the
# row the other transaction wrote; the relay exits 0 and the record
# holds the pulled change, once.
#
# The race is made, not waited for: a session of the test inserts the
# record's row and keeps its transaction open; the relay is started, and
# the test waits until PostgreSQL shows the relay's backend waiting on
# that row's lock (pg_stat_activity), and only then commits.
FIELDBOOK_TEST_STORE=pg
. "$(dirname "$0")/synclib.sh"

C=$TMP/central.db P=$TMP/district.db
hub_tree "$C"
hub --db "$P" init --unit HN.PL --name "Phúc Lộc" --level district >/dev/null
hub --db "$P" unit add HN.PL.TT --parent HN.PL --level commune --name "Xã Thanh Thủy" >/dev/null
hub --db "$P" unit add HN.PL.TT.03 --parent HN.PL.TT --level branch --name "Chi hội 3" >/dev/null
(umask 077 && hub --db "$C" enroll --unit HN.PL --name "Phúc Lộc" --hub >"$TMP/tokP" 2>/dev/null)
enroll "$C" HN.PL.TT.03 "laptop A" "$TMP/tokA"
start_hub "$C"

A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tokA"
m=$(new_id fbd "$A" member add --name "Nguyễn Thị Lan" --phone 0901000001)
run fbd "$A" sync
expect_exit 0 "A's member reaches the centre"
run hub --db "$P" upstream set "$HUB_URL" --token-file "$TMP/tokP"
expect_exit 0 "the district hub on PostgreSQL takes the centre as its upstream"
run hub --db "$P" status
expect_exit 0 "its status"
expect_out_contains "upstream:   $HUB_URL"
expect_out_contains "last relay: never"

DB=$(_pg_name_of "$P")

# pg_wait WHERE: 1 once a backend of the district's database is so
# (bounded: 200 looks), else 0.
pg_wait() {
	local _
	for _ in $(seq 200); do
		pg_sql "$DB" "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB'
			AND pid <> pg_backend_pid() AND $1"
		[ "$PG_OUT" -ge 1 ] 2>/dev/null && { echo 1; return; }
		sleep 0.05
	done
	echo 0
}

# The other writer: the record's row inserted, its transaction open.
mkfifo "$TMP/holder.sql"
timeout 60 psql -X -q -h "$PG_DIR" -U fieldbook -d "$DB" <"$TMP/holder.sql" \
	>"$TMP/holder.out" 2>&1 &
holder=$!
# (a descriptor of its own: lib.sh's helpers hold 5 to 8)
exec {hold}>"$TMP/holder.sql"
printf "BEGIN;\nINSERT INTO record(id, type, branch, deleted, vals, clk)
	VALUES('%s', 'member', 'HN.PL.TT.03', 0, '{}', '{}');\n" "$m" >&"$hold"
is "$(pg_wait "state = 'idle in transaction'")" 1 \
	"a session holds the record's new row, uncommitted"

hub --db "$P" sync >"$TMP/sync.out" 2>"$TMP/sync.err" {hold}>&- &
syncer=$!
is "$(pg_wait "wait_event_type = 'Lock'")" 1 \
	"the relay's merge of the pulled page waits on that row"
printf 'COMMIT;\n' >&"$hold"
exec {hold}>&-
wait "$holder"
is "$?" 0 "the other writer commits first"
wait "$syncer"
is "$?" 0 "the relay goes through: its merge ran again from its savepoint"
like "$(cat "$TMP/sync.out")" "^relayed: 0 changes of 0 devices sent up, 1 received;" \
	"...and says it took the centre's change"
is "$(cat "$TMP/sync.err")" "" "...with nothing on stderr"

is "$(hub_sql "$P" "SELECT count(*) FROM journal WHERE record_id = '$m'")" 1 \
	"the district holds the change once"
like "$(hub_sql "$P" "SELECT vals FROM record WHERE id = '$m'")" "Nguyễn Thị Lan" \
	"...merged into the row the other writer made"
is "$(hub_sql "$P" "SELECT count(*) FROM conflict")" 0 "...with no conflict (the row was empty)"
run hub --db "$P" verify
expect_exit 0 "the district's store verifies whole"

# Again: nothing new, and what came down is not sent back up.
run hub --db "$P" sync
expect_exit 0 "a second relay"
like "$OUT" "^relayed: 0 changes of 0 devices sent up, 0 received;" "...moves nothing"
run hub --db "$P" status --json
is "$(printf '%s' "$OUT" | json_get 'str(d["waiting_entries"]) + "|" + str(d["lag_seconds"] >= 0)')" \
	"0|True" "status: nothing waits, a last relay known"

done_testing
