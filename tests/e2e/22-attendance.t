#!/usr/bin/env bash
# Attendance is a set (docs/DATA-MODEL.md, docs/MERGE.md): its id is training_id:member_id, so
# the same person recorded at the same course on two laptops is one row
# everywhere; unattend and attend again are edits of its `deleted` field.
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

hub_att() {
	hub_sql "$H" "select count(*) from record where type = 'attendance'${1:-}"
}
att() {
	jget "$1" 'd["attendances"]' status --json
}
sync_both() {
	local x
	for x in "$@"; do
		run fbd "$TMP/$x.db" sync
		[ "$RC" -eq 0 ] || fail "sync of $x" "exit $RC: $ERR"
	done
}

m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Hoa" --role branch_head)
t1=$(new_id fbd "$A" training add --title "Công tác hội" --date 2026-06-01 --topic association_work)
m2=$(new_id fbd "$B" member add --name "Trần Thị Lan" --role branch_deputy)
m3=$(new_id fbd "$B" member add --name "Lê Thị Mai")
sync_both A B A
is "$(jget "$B" 'str(d["members"]) + " " + str(d["trainings"])' status --json)" "3 1" "B has A's member and training"
is "$(jget "$A" 'str(d["members"]) + " " + str(d["trainings"])' status --json)" "3 1" "A has B's members"

# Both laptops record m1 at t1, offline.
run fbd "$A" training attend "$t1" "$m1"
expect_exit 0 "A records m1 at t1"
ida=$OUT
run fbd "$B" training attend "$t1" "$m1"
expect_exit 0 "B records m1 at t1"
is "$OUT" "$ida" "both laptops made the same attendance id ($t1:$m1)"
is "$ida" "$t1:$m1" "the attendance id is training_id:member_id"
sync_both A B A
is "$(att "$A")" 1 "A: one attendance"
is "$(att "$B")" 1 "B: one attendance"
is "$(hub_att)" 1 "hub: one attendance row"
is "$(hub_sql "$H" "select count(*) from journal where type = 'attendance'")" 2 \
	"hub: both laptops' entries are in its journal"
is "$(fbd "$A" show "$t1" --json | json_get 'len(d["attendees"])')" 1 "A: t1 lists m1 once"
is "$(fbd "$B" show "$t1" --json | json_get 'len(d["attendees"])')" 1 "B: t1 lists m1 once"
for x in A B; do
	is "$(fbd "$TMP/$x.db" report --year 2026 --format json | json_get 'str(d["attendances"]) + " " + str(d["trainees"])')" \
		"1 1" "$x: report counts 1 attendance, 1 trainee"
done
# The same value added twice is not a conflict: there is no losing value.
for x in A B; do
	is "$(fbd "$TMP/$x.db" conflicts --json --all | json_q 'len([c for c in d if c["type"] == "attendance"])')" 0 \
		"$x: no conflict logged for the same attendance recorded twice"
done
is "$(hub_sql "$H" "select count(*) from conflict where type = 'attendance'")" 0 \
	"hub: no conflict logged for the same attendance recorded twice"

# Many at once, on both: each person once.
run fbd "$A" training attend "$t1" "$m2" "$m3"
expect_exit 0 "A records m2 and m3"
run fbd "$B" training attend "$t1" "$m3" "$m2"
expect_exit 0 "B records m3 and m2"
sync_both B A B
is "$(att "$A") $(att "$B") $(hub_att)" "3 3 3" "three attendances on A, B and the hub"
fbd "$A" export --format json --all >"$TMP/A.json"
fbd "$B" export --format json --all >"$TMP/B.json"
same_file "A and B export the same" "$TMP/A.json" "$TMP/B.json"

# Unattend on A, synced: gone on B too.
run fbd "$A" training unattend "$t1" "$m2"
expect_exit 0 "A removes m2's attendance"
sync_both A B
is "$(att "$A") $(att "$B") $(hub_att ' and deleted = 0')" "2 2 2" "unattend reached B and the hub"
is "$(hub_att)" 3 "hub: the row is kept, marked deleted"
# B records it again (later): back everywhere.
run fbd "$B" training attend "$t1" "$m2"
expect_exit 0 "B records m2 again"
is "$OUT" "$t1:$m2" "same id again"
sync_both B A
is "$(att "$A") $(att "$B") $(hub_att ' and deleted = 0')" "3 3 3" "attend again reached A and the hub"

# Both remove the same attendance while offline: one removed row.
fbd "$A" training unattend "$t1" "$m3" >/dev/null
fbd "$B" training unattend "$t1" "$m3" >/dev/null
sync_both A B A
is "$(att "$A") $(att "$B") $(hub_att ' and deleted = 0') $(hub_att)" "2 2 2 3" \
	"the same unattend on both: one row, removed, everywhere"
fbd "$A" export --format json --all >"$TMP/A.json"
fbd "$B" export --format json --all >"$TMP/B.json"
same_file "A and B still export the same" "$TMP/A.json" "$TMP/B.json"

for x in A B; do
	run fbd "$TMP/$x.db" verify
	expect_exit 0 "$x: verify passes"
done
stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
