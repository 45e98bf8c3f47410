#!/usr/bin/env bash
# fieldbook-hub devices: each token's unit, its laptop, its last push and
# last pull (in local time in the table, UTC ISO 8601 in JSON), revoked
# or not; and a hub database of an earlier version, which lacked the
# last push and pull, gains them when it is opened.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "Laptop chị Nhung" "$TMP/t1"
enroll "$H" HN.PL.TT.04 "Laptop chị Lan" "$TMP/t2"

run hub --db "$H" devices
expect_exit 0 "devices before any sync"
like "$OUT" "^ID +UNIT +DEVICE +LAST PUSH +LAST PULL +STATE +NAME$" "the table's columns"
like "$OUT" "^1 +HN.PL.TT.03 +\(not yet synced\) +never +never +active +Laptop chị Nhung$" \
	"a device that never synced"

start_hub "$H"
new_collector "$TMP/l1.db" HN.PL.TT.03 "$TMP/t1"
fbd "$TMP/l1.db" member add --name "Nguyễn Thị Nhung" >/dev/null
run fbd "$TMP/l1.db" sync
expect_exit 0 "laptop 1 syncs"
new_collector "$TMP/l2.db" HN.PL.TT.04 "$TMP/t2"
run fbd "$TMP/l2.db" sync --pull-only
expect_exit 0 "laptop 2 only pulls"
stop_hub

run hub --db "$H" devices --json
expect_exit 0 "devices --json"
J=$OUT
get() { json_q "$1" <<<"$J"; }
like "$(get 'd[0]["last_push"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	"JSON: laptop 1's last push in UTC ISO 8601"
like "$(get 'd[0]["last_pull"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	"...and its last pull (a sync pushes, then pulls)"
is "$(get 'd[0]["last_seen"] == d[0]["last_push"]')" true "last_seen is still its laptop's last push"
is "$(get 'd[1]["last_push"]')" "" "laptop 2 never pushed"
like "$(get 'd[1]["last_pull"]')" '^[0-9]{4}-' "...but pulled"
is "$(get '[d[0]["unit"], d[0]["unit_name"], d[0]["revoked"], d[0]["hub"]]')" \
	'["HN.PL.TT.03", "Chi hội 3", false, false]' "the unit it writes, by code and name; not revoked"

# The table shows local time ($TZ); JSON stays UTC.
push=$(get 'd[0]["last_push"]')
local=$(py -c 'import sys, datetime
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=7)
print(t.strftime("%Y-%m-%d %H:%M"))' "$push")
TZ=Asia/Ho_Chi_Minh run hub --db "$H" devices
like "$OUT" "^1 +HN.PL.TT.03 +[0-9a-f]{16} +$local +[0-9-]+ [0-9:]+ +active +Laptop chị Nhung$" \
	"in Hanoi's time the table shows $local for $push"
is "$(TZ=Asia/Ho_Chi_Minh hub --db "$H" devices --json | json_get 'd[0]["last_push"]')" \
	"$push" "...and JSON the same UTC moment"
run hub --db "$H" revoke 2
run hub --db "$H" devices
like "$OUT" "^2 +HN.PL.TT.04 .* revoked +Laptop chị Lan$" "a revoked token says so"

# A hub of an earlier version: no last_push, no last_pull.  That was a
# SQLite file: a PostgreSQL store had them from its first schema.
if store_pg; then
	skip "a SQLite hub file of an earlier version (the PostgreSQL store's first schema has the columns)"
	done_testing
fi
cp "$H" "$TMP/old.db"
sqlite3 "$TMP/old.db" "alter table device drop column last_pull; alter table device drop column last_push"
seen=$(sqlite3 "$TMP/old.db" "select last_seen from device where id = 1")
run hub --db "$TMP/old.db" devices --json
expect_exit 0 "devices on an older hub's database"
is "$(json_get 'd[0]["last_push"]' <<<"$OUT")" "$seen" "its last push is what it knew as last seen"
is "$(json_get 'd[1]["last_pull"]' <<<"$OUT")" "" "no pull was noted then"
is "$(sqlite3 "$TMP/old.db" "select group_concat(name) from pragma_table_info('device') where name like 'last_p%'")" \
	"last_push,last_pull" "the columns are added to it"
run hub --db "$TMP/old.db" verify
expect_exit 0 "and it verifies"
done_testing
