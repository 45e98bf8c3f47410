#!/usr/bin/env bash
# Three laptops of one branch edit the same records while offline, then
# sync in different orders, again and again.  Afterwards all hold the
# same data (docs/MERGE.md: order of arrival never matters), every value that
# lost is in the conflict log of each laptop and of the hub, and a
# conflict resolved on one laptop is settled everywhere.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
for x in A B C; do
	enroll "$H" HN.PL.TT.03 "laptop $x" "$TMP/tok$x"
done
start_hub "$H"
for x in A B C; do
	new_collector "$TMP/$x.db" HN.PL.TT.03 "$TMP/tok$x"
done
A=$TMP/A.db
B=$TMP/B.db
C=$TMP/C.db

sync_all() {
	local x
	for x in "$@"; do
		run fbd "$TMP/$x.db" sync
		[ "$RC" -eq 0 ] || {
			fail "sync of $x (round $*)" "exit $RC: $ERR"
			return 1
		}
	done
}

# --- shared records ------------------------------------------------------
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Hoa" --role branch_head --phone 0900000001)
m2=$(new_id fbd "$A" member add --name "Trần Thị Lan" --role member)
m3=$(new_id fbd "$A" member add --name "Lê Thị Mai" --role member --notes "gốc")
m6=$(new_id fbd "$A" member add --name "Đỗ Thị Sáu" --notes "gốc")
m7=$(new_id fbd "$A" member add --name "Vũ Thị Bảy" --notes "gốc")
m8=$(new_id fbd "$A" member add --name "Đinh Thị Tám" --notes "gốc")
t1=$(new_id fbd "$A" training add --title "Nuôi con tốt" --date 2026-04-10 --topic parenting)
m4=$(new_id fbd "$B" member add --name "Phạm Thị Thu" --role branch_deputy)
t2=$(new_id fbd "$B" training add --title "An toàn thực phẩm" --date 2026-05-02 --topic food_safety)
m5=$(new_id fbd "$C" member add --name "Hoàng Thị Yến")
fbd "$C" visit add --date 2026-01-20 --reason illness --member "$m5" --support cash --amount-vnd 300000 >/dev/null
sync_all A B C A B C && pass "first syncs: everyone sends what they made"
for x in A B C; do
	is "$(jget "$TMP/$x.db" 'str(d["members"]) + " " + str(d["trainings"]) + " " + str(d["visits"])' status --json)" \
		"8 2 1" "$x holds all 8 members, 2 trainings, 1 visit"
done

# --- offline, each on their own -------------------------------------------
# Attendance: A and C both record m1 at t1 (one row, docs/DATA-MODEL.md), others apart.
fbd "$A" training attend "$t1" "$m1" "$m4" >/dev/null
fbd "$B" training attend "$t2" "$m2" "$m5" >/dev/null
fbd "$C" training attend "$t1" "$m1" "$m5" >/dev/null
# Same field of the same member, two values: B writes last and wins.
fbd "$A" edit "$m1" phone=0911111111 notes="A ghi" >/dev/null
fbd "$B" edit "$m1" phone=0922222222 role=branch_deputy >/dev/null
# Three values for one field: C's is last.
fbd "$A" edit "$m2" notes="ghi chú của A" >/dev/null
fbd "$B" edit "$m2" notes="ghi chú của B" >/dev/null
fbd "$C" edit "$m2" notes="ghi chú của C" >/dev/null
# C deletes m3; A, not knowing, edits it afterwards.
fbd "$C" delete "$m3" >/dev/null
fbd "$A" edit "$m3" notes="A sửa sau khi C xóa" phone=0933333333 >/dev/null
# The other way round: A edits m6 first, then C, not knowing, deletes it.
# Neither saw the other.  C's delete says what it had seen of m6 (its
# seen vector, docs/MERGE.md), and A's edit is not in it: the older
# edit is a conflict too.  A syncs before C, so the edit reaches the
# hub first.
fbd "$A" edit "$m6" notes="A sửa trước khi C xóa" >/dev/null
fbd "$C" delete "$m6" >/dev/null
# The same with the delete reaching the hub first: B edits m8 offline,
# then A, who never saw that edit, deletes m8; A syncs before B.
fbd "$B" edit "$m8" notes="B sửa trước khi A xóa" >/dev/null
fbd "$A" delete "$m8" >/dev/null
# Different fields of one training: both kept, no conflict.
fbd "$A" edit "$t1" location="Nhà văn hóa" >/dev/null
fbd "$C" edit "$t1" trainer="Cô Hạnh" >/dev/null
ok "offline edits recorded" true

sync_all A B C || true
# Mid-way, with some but not all news: B retitles t2 (A has not seen
# it), then A retitles it too and wins.
fbd "$B" edit "$t2" title="ATTP - lần 1" >/dev/null
fbd "$A" edit "$t2" title="An toàn thực phẩm (sửa)" >/dev/null
sync_all A B C || true
sync_all C B A && pass "repeated syncs in another order (C, B, A) succeed"
sync_all A C B || true

# --- everyone converged ---------------------------------------------------
for x in A B C; do
	fbd "$TMP/$x.db" export --format json --all >"$TMP/$x.json"
done
same_file "B's export --all equals A's" "$TMP/A.json" "$TMP/B.json"
same_file "C's export --all equals A's" "$TMP/A.json" "$TMP/C.json"

for x in A B C; do
	db=$TMP/$x.db
	is "$(fbd "$db" show "$m1" --json | json_get 'd["phone"] + " " + d["role"] + " " + d["notes"]')" \
		"0922222222 branch_deputy A ghi" "$x: m1 has B's phone (last), B's role and A's notes"
	is "$(fbd "$db" show "$m2" --json | json_get 'd["notes"]')" "ghi chú của C" "$x: m2 notes: C's (last of three)"
	is "$(fbd "$db" show "$m3" --json | json_get 'str(d["deleted"]) + " " + d["notes"]')" \
		"True A sửa sau khi C xóa" "$x: m3 stays deleted, A's edit kept in its fields"
	is "$(fbd "$db" show "$t1" --json | json_get 'd["location"] + " / " + d["trainer"] + " / " + str(len(d["attendees"]))')" \
		"Nhà văn hóa / Cô Hạnh / 3" "$x: t1 keeps both field edits; 3 attendees (m1 once)"
	is "$(fbd "$db" show "$t2" --json | json_get 'd["title"]')" "An toàn thực phẩm (sửa)" "$x: t2 title: A's (later)"
	is "$(jget "$db" 'd["attendances"]' status --json)" 5 "$x: 5 attendance rows"
	is "$(jget "$db" 'd["pending_entries"]' status --json)" 0 "$x: nothing pending"
done
is "$(hub_sql "$H" "select count(*) from record where type = 'attendance'")" 5 \
	"the hub holds 5 attendance rows (the doubly recorded one once)"

# --- every losing value is logged -----------------------------------------
# has_loser JSONFILE OTHERKEY RECORD FIELD VALUE
has_loser() {
	json_q 'any(c["record"] == a[1] and c["field"] == a[2] and c[a[0]] == a[3] for c in d)' \
		"$2" "$3" "$4" "$5" <"$1"
}
hub --db "$H" conflicts --json --all >"$TMP/hub-conflicts.json"
ok "hub conflicts --json --all is JSON" is_json "$TMP/hub-conflicts.json"
for x in A B C; do
	fbd "$TMP/$x.db" conflicts --json --all >"$TMP/$x-conflicts.json"
done
check_lost() {
	local what=$1 rec=$2 field=$3 value=$4 x
	for x in A B C; do
		is "$(has_loser "$TMP/$x-conflicts.json" other "$rec" "$field" "$value")" true \
			"$x: conflict log holds the lost $what"
	done
	is "$(has_loser "$TMP/hub-conflicts.json" lost "$rec" "$field" "$value")" true \
		"hub: conflict log holds the lost $what"
}
check_lost "phone of m1 from A" "$m1" phone 0911111111
check_lost "notes of m2 from A" "$m2" notes "ghi chú của A"
check_lost "notes of m2 from B" "$m2" notes "ghi chú của B"
check_lost "edit of deleted m3 by A" "$m3" notes "A sửa sau khi C xóa"
check_lost "older edit of m6 by A, deleted by C (the edit first at the hub)" "$m6" notes "A sửa trước khi C xóa"
check_lost "older edit of m8 by B, deleted by A (the delete first at the hub)" "$m8" notes "B sửa trước khi A xóa"
check_lost "title of t2 from B" "$t2" title "ATTP - lần 1"
for x in A B C; do
	is "$(fbd "$TMP/$x.db" export --format json --all | json_q '[r for r in d["records"] if r["id"] == a[0]][0]["notes"]' "$m6")" \
		"A sửa trước khi C xóa" "$x: A's edit of m6 is kept in the deleted record"
done
for m in m3 m6 m8; do
	is "$(json_q 'sorted(set(c["kind"] for c in d if c["record"] == a[0]))' "${!m}" <"$TMP/hub-conflicts.json")" \
		'["delete"]' "hub: the edit of deleted $m is a conflict of kind delete"
done
# Open, and listed by `conflicts` without --all, on every replica.
open_delete() {
	json_q 'sum(1 for c in d if c["record"] == a[0] and c["kind"] == "delete" and c["field"] == "notes")' "$1"
}
# In what order the hub took each record's changes: its first field each.
hub_order() {
	local first="json_extract(body, '\$[0][0]')" all="group_concat(f, ' ')"
	if [ "${FIELDBOOK_TEST_STORE:-sqlite}" = pg ]; then
		first="body::json->0->>0"
		all="string_agg(f, ' ' order by cseq)"
	fi
	hub_sql "$H" "select $all from (select $first as f, cseq
		from journal where record_id = '$1' order by cseq) o"
}
is "$(hub_order "$m6")" "full_name notes deleted" "m6: the hub took A's edit before C's delete"
is "$(hub_order "$m8")" "full_name deleted notes" "m8: the hub took A's delete before B's edit"
for m in m6 m8; do
	id=${!m}
	for x in A B C; do
		is "$(fbd "$TMP/$x.db" conflicts --json | open_delete "$id")" 1 \
			"$x: conflicts lists the older edit of $m against its delete"
	done
	is "$(hub --db "$H" conflicts --json | open_delete "$id")" 1 \
		"hub: conflicts lists the older edit of $m against its delete"
done
# No conflict where nothing was concurrent.
for x in A B C; do
	is "$(json_q 'sum(1 for c in d if c["record"] == a[0] or (c["record"] == a[1] and c["field"] in ("role", "notes")))' \
		"$t1" "$m1" <"$TMP/$x-conflicts.json")" 0 "$x: no conflict for edits of different fields"
done
is "$(json_q 'sorted(c["lost"] for c in d if c["record"] == a[0] and c["field"] == "notes")' "$m2" \
	<"$TMP/hub-conflicts.json")" '["ghi chú của A", "ghi chú của B"]' "hub: exactly the two losers of m2's notes"

# A delete made after seeing the edit is not concurrent: no conflict.
fbd "$A" edit "$m7" notes="A sửa, C đã thấy" >/dev/null
sync_all A C || true
is "$(fbd "$C" show "$m7" --json | json_get 'd["notes"]')" "A sửa, C đã thấy" "C has seen A's edit of m7"
fbd "$C" delete "$m7" >/dev/null
sync_all C A B || true
for x in A B C; do
	is "$(fbd "$TMP/$x.db" conflicts --json --all | json_q 'sum(1 for c in d if c["record"] == a[0])' "$m7")" 0 \
		"$x: no conflict for a delete that saw the edit"
	is "$(fbd "$TMP/$x.db" show "$m7" --json | json_get 'str(d["deleted"])')" True "$x: m7 is deleted"
done
is "$(hub --db "$H" conflicts --json --all | json_q 'sum(1 for c in d if c["record"] == a[0])' "$m7")" 0 \
	"hub: no conflict for a delete that saw the edit"

# --- resolve on one laptop, settled everywhere -----------------------------
cid=$(json_q '[c["id"] for c in d if c["record"] == a[0] and c["field"] == "phone" and not c["resolved"]][0]' "$m1" \
	<"$TMP/C-conflicts.json")
like "$cid" '^[0-9a-f]{8}$' "C has the open conflict of m1's phone (#$cid)"
run fbd "$C" resolve "$cid" --keep other
expect_exit 0 "C resolves it keeping the other value"
sync_all C A B C A B && pass "everyone syncs after the resolve"
for x in A B C; do
	is "$(fbd "$TMP/$x.db" show "$m1" --json | json_get 'd["phone"]')" 0911111111 "$x shows the chosen phone"
	is "$(fbd "$TMP/$x.db" conflicts --json | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "phone")' "$m1")" \
		0 "$x: the conflict is no longer open"
done
run hub --db "$H" conflicts --json
expect_exit 0 "hub conflicts --json"
is "$(printf '%s' "$OUT" | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "phone")' "$m1")" 0 \
	"hub: m1's phone conflict is no longer open"
is "$(printf '%s' "$OUT" | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "notes")' "$m2")" 2 \
	"hub: m2's notes conflicts are still open"
is "$(hub --db "$H" conflicts --json --all | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "phone" and c["resolved"])' "$m1")" \
	1 "hub: with --all, the resolved conflict is listed as resolved"

# Deciding for the edit that met a delete brings the record back.
cid=$(fbd "$B" conflicts --json | json_q '[c["id"] for c in d if c["record"] == a[0] and c["field"] == "notes"][0]' "$m3")
like "$cid" '^[0-9a-f]{8}$' "B has the open delete conflict of m3 (#$cid)"
run fbd "$B" resolve "$cid" --keep other
expect_exit 0 "B resolves it for A's edit"
sync_all B A C B && pass "everyone syncs after the second resolve"
for x in A B C; do
	is "$(fbd "$TMP/$x.db" show "$m3" --json | json_get 'str(d["deleted"]) + " " + d["notes"]')" \
		"False A sửa sau khi C xóa" "$x: m3 is back with A's notes"
	fbd "$TMP/$x.db" export --format json --all >"$TMP/$x.json"
done
same_file "after resolving, B equals A" "$TMP/A.json" "$TMP/B.json"
same_file "after resolving, C equals A" "$TMP/A.json" "$TMP/C.json"

# The older edits: C, who deleted m6, decides for A's edit; B, whose
# edit of m8 met A's delete, keeps the delete.  Each is settled on
# every replica once the resolve has travelled.
cid=$(fbd "$C" conflicts --json | json_q '[c["id"] for c in d if c["record"] == a[0] and c["kind"] == "delete"][0]' "$m6")
like "$cid" '^[0-9a-f]{8}$' "C has the open delete conflict of m6 (#$cid)"
run fbd "$C" resolve "$cid" --keep other
expect_exit 0 "C resolves it for A's older edit"
cid=$(fbd "$B" conflicts --json | json_q '[c["id"] for c in d if c["record"] == a[0] and c["kind"] == "delete"][0]' "$m8")
like "$cid" '^[0-9a-f]{8}$' "B has the open delete conflict of m8 (#$cid)"
run fbd "$B" resolve "$cid" --keep current
expect_exit 0 "B resolves it keeping A's delete"
sync_all C B A C B && pass "everyone syncs after the resolves of the older edits"
for x in A B C; do
	is "$(fbd "$TMP/$x.db" show "$m6" --json | json_get 'str(d["deleted"]) + " " + d["notes"]')" \
		"False A sửa trước khi C xóa" "$x: m6 is back with A's older edit"
	is "$(fbd "$TMP/$x.db" show "$m8" --json | json_get 'str(d["deleted"])')" True "$x: m8 stays deleted"
	for m in m6 m8; do
		id=${!m}
		is "$(fbd "$TMP/$x.db" conflicts --json | open_delete "$id")" 0 "$x: $m's conflict is settled"
		is "$(fbd "$TMP/$x.db" conflicts --json --all | json_q 'sum(1 for c in d if c["record"] == a[0] and c["resolved"])' "$id")" \
			1 "$x: ...and listed as resolved with --all"
	done
	fbd "$TMP/$x.db" export --format json --all >"$TMP/$x.json"
done
for m in m6 m8; do
	is "$(hub --db "$H" conflicts --json | open_delete "${!m}")" 0 "hub: $m's conflict is settled"
done
same_file "after the older edits are resolved, B equals A" "$TMP/A.json" "$TMP/B.json"
same_file "after the older edits are resolved, C equals A" "$TMP/A.json" "$TMP/C.json"

for x in A B C; do
	run fbd "$TMP/$x.db" verify
	expect_exit 0 "$x: verify passes"
done
stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
