#!/usr/bin/env bash
# The report runs on a read-only hot standby: a primary and a streaming
# standby (pg_basebackup -R); laptops sync with the hub on the primary;
# once the standby has replayed everything (its replay position, not a
# wait), the report read there is the primary's, line for line, in
# every form, and the standby refuses what would write.
FIELDBOOK_TEST_STORE=pg
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
enroll "$H" HN.PL.TT.04 "laptop B" "$TMP/tokB"
DB=$(_pg_store_of "$H" | sed 's|^postgresql://fieldbook@/||; s|?.*||')
pg_standby_start
pg_standby_uri "$DB"
SB=$PG_URI

start_hub "$H"
new_collector "$TMP/A.db" HN.PL.TT.03 "$TMP/tokA"
new_collector "$TMP/B.db" HN.PL.TT.04 "$TMP/tokB"
m1=$(new_id fbd "$TMP/A.db" member add --name "Nguyễn Thị Hoa" --role branch_head)
new_id fbd "$TMP/A.db" member add --name "Trần Thị Lan" --role branch_deputy >/dev/null
t1=$(new_id fbd "$TMP/A.db" training add --title "Bình đẳng giới" --date 2026-03-08 \
	--topic gender_equality)
fbd "$TMP/A.db" training attend "$t1" "$m1" >/dev/null
new_id fbd "$TMP/B.db" member add --name "Lê Thị Mai" --role branch_head >/dev/null
new_id fbd "$TMP/B.db" visit add --date 2026-02-01 --reason tet --support gift \
	--amount-vnd 500000 --member "$(new_id fbd "$TMP/B.db" member add --name "Vi Thị Chín")" >/dev/null
for x in A B; do
	run fbd "$TMP/$x.db" sync
	expect_exit 0 "$x syncs with the hub on the primary"
done

caught=0
for _ in $(seq 200); do
	pg_standby_caught_up && { caught=1; break; }
	sleep 0.05
done
is "$caught" 1 "the standby has replayed all the primary wrote"

for args in "--year 2026" "--year 2026 --by commune" "--year 2026 --by province" \
	"--year 2026 --format csv" "--year 2026 --names"; do
	# shellcheck disable=SC2086 # the options' words
	run hub --db "$H" report $args
	expect_exit 0 "report $args on the primary"
	want=$OUT
	# shellcheck disable=SC2086
	run "$FIELDBOOK_HUB" --store "$SB" report $args
	expect_exit 0 "report $args on the standby"
	is "$OUT" "$want" "...the same as on the primary"
done
run "$FIELDBOOK_HUB" --store "$SB" devices
expect_exit 0 "devices on the standby"

run "$FIELDBOOK_HUB" --store "$SB" enroll --unit HN.PL.TT.03 --name "laptop C"
expect_exit 74 "enroll on the standby is refused (read-only)"
like "$ERR" "read-only" "...saying the store is read-only"

stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
