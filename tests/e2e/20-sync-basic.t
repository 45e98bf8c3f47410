#!/usr/bin/env bash
# Two laptops of one branch and a hub over loopback: what one records
# reaches the other, the two then export the same data, nothing is left
# pending, and a sync with nothing to do costs one request.
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

# Data on A: members, a training with attendance, a visit, an edit and
# a delete, Vietnamese text throughout.
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Hoa" --role branch_head --birth-year 1975 --phone 0912345678)
m2=$(new_id fbd "$A" member add --name "Trần Thị Lan" --role branch_deputy)
m3=$(new_id fbd "$A" member add --name "Lê Thị Mai")
t1=$(new_id fbd "$A" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality,parenting --location "Nhà văn hóa thôn")
fbd "$A" training attend "$t1" "$m1" "$m2" >/dev/null
v1=$(new_id fbd "$A" visit add --date 2026-02-01 --reason tet --member "$m3" --support gift --amount-vnd 500000 --gift "Áo dài")
fbd "$A" edit "$m3" phone=0987654321 notes="Hộ nghèo" >/dev/null
fbd "$A" delete "$m2" >/dev/null
like "$m1 $m2 $m3 $t1 $v1" '^([0-9a-f-]{36} ){4}[0-9a-f-]{36}$' "setup: records added on A"

run fbd "$A" status --json
pendingA=$(printf '%s' "$OUT" | json_get 'd["pending_entries"]')
like "$pendingA" '^[1-9][0-9]*$' "A has entries pending before its first sync ($pendingA)"
is "$(printf '%s' "$OUT" | json_get 'd["last_sync"]')" "" "A has never synced"

run fbd "$A" sync
expect_exit 0 "A syncs"
expect_out_match '^synced: [0-9]+ changes sent, 0 received; [0-9]+ requests' "A's sync says what it sent"
expect_err_empty "A's sync is quiet on stderr"

run fbd "$B" sync
expect_exit 0 "B syncs"
expect_out_match '^synced: 0 changes sent, [1-9][0-9]* received' "B received A's changes"

fbd "$A" export --format json --all >"$TMP/A.json"
fbd "$B" export --format json --all >"$TMP/B.json"
same_file "B's export --all equals A's" "$TMP/A.json" "$TMP/B.json"
fbd "$A" export --format json >"$TMP/A1.json"
fbd "$B" export --format json >"$TMP/B1.json"
same_file "B's export (without deleted) equals A's" "$TMP/A1.json" "$TMP/B1.json"
is "$(json_get 'len(d["records"])' <"$TMP/B.json")" 7 "B holds 3 members, 1 training, 2 attendances, 1 visit"
is "$(fbd "$B" show "$m3" --json | json_get 'd["phone"] + " " + d["notes"]')" "0987654321 Hộ nghèo" \
	"A's edit reached B"
is "$(fbd "$B" show "$v1" --json | json_get 'd["gift"]')" "Áo dài" "Vietnamese text round-trips through the hub"
is "$(fbd "$B" list members --json | json_get 'len(d)')" 2 "A's delete reached B (2 members listed)"

# B records too; A gets it.
m4=$(new_id fbd "$B" member add --name "Phạm Thị Thu" --role member)
fbd "$B" training attend "$t1" "$m4" >/dev/null
fbd "$B" edit "$m1" phone=0900000001 >/dev/null
run fbd "$B" sync
expect_exit 0 "B syncs its own changes"
expect_out_match '^synced: [1-9][0-9]* changes sent, 0 received' "B sent its changes and got nothing new"
run fbd "$A" sync
expect_exit 0 "A syncs again"
expect_out_match '^synced: 0 changes sent, [1-9][0-9]* received' "A received B's changes"
fbd "$A" export --format json --all >"$TMP/A.json"
fbd "$B" export --format json --all >"$TMP/B.json"
same_file "after both ways, exports are equal" "$TMP/A.json" "$TMP/B.json"
is "$(fbd "$A" show "$m1" --json | json_get 'd["phone"]')" 0900000001 "B's edit reached A"
is "$(fbd "$A" show "$t1" --json | json_q 'sorted(d["attendees"]) == sorted([a[0], a[1]])' "$m1" "$m4")" true \
	"A lists m1 and B's m4 as attendees (m2 attended but was deleted)"

for x in A B; do
	db=$TMP/$x.db
	run fbd "$db" status --json
	is "$(printf '%s' "$OUT" | json_get 'd["pending_entries"]')" 0 "$x: pending_entries 0 after sync"
	like "$(printf '%s' "$OUT" | json_get 'd["last_sync"]')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
		"$x: last_sync is set"
	is "$(printf '%s' "$OUT" | json_get 'd["remote"]')" "$HUB_URL" "$x: remote is the hub"
	is "$(printf '%s' "$OUT" | json_get 'd["conflicts"]')" 0 "$x: no conflicts"
done

# Nothing to do: exactly one request (an empty pull, no push).
for x in A B; do
	run fbd "$TMP/$x.db" sync
	expect_exit 0 "$x: sync with nothing to do"
	is "$(printf '%s' "$OUT" | sed -n 's/.*; \([0-9]*\) requests\{0,1\},.*/\1/p')" 1 \
		"$x: a sync with nothing to do makes exactly 1 request"
	expect_out_match '^synced: 0 changes sent, 0 received' "$x: nothing sent or received"
done

# The hub logged one line per request, without tokens.
requests=$(grep -Ec ' (GET|POST) /v2/(push|pull) [0-9]{3} device=[0-9]+ ' "$HUB_LOG")
like "$requests" '^([5-9]|[1-9][0-9]+)$' "the hub logs one line per request ($requests)"
if grep -q -F -e "$(cat "$TMP/tokA")" -e "$(cat "$TMP/tokB")" -e fbt_ "$HUB_LOG"; then
	fail "the hub's log holds no token"
else
	pass "the hub's log holds no token"
fi

for x in A B; do
	run fbd "$TMP/$x.db" verify
	expect_exit 0 "$x: verify passes"
done

# The hub holds each device's journal exactly as the device does.
for x in A B; do
	dev=$(own_device "$TMP/$x.db")
	is "$(jcount "$H" "$dev")" "$(jcount "$TMP/$x.db" "$dev")" "hub holds $x's journal whole"
done

stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
