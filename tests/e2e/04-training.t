#!/usr/bin/env bash
# training add, attend, unattend.
. "$(dirname "$0")/lib.sh"

fresh_db
m1=$(new_id fb member add --name "Nguyễn Thị An" --role branch_head)
m2=$(new_id fb member add --name "Trần Thị Bình" --role branch_deputy)
m3=$(new_id fb member add --name "Lê Thị Cúc")

run fb training add --title "Tập huấn bình đẳng giới" --date 2026-03-08 --end-date 2026-03-09 \
	--topic gender_equality,domestic_violence --location "Nhà văn hóa thôn 3" \
	--organizer commune --trainer "Hoàng Văn Dũng" --notes "Mang theo tài liệu"
expect_exit 0 "training add with every option exits 0"
expect_out_match "$UUID_RE" "training add prints a lower-case UUID alone"
expect_err_empty
t1=$OUT
run fb show "$t1" --json
is_j '[d[k] for k in ("title","start_date","end_date","topics","location","organizer_level","trainer","notes")]' \
	'["Tập huấn bình đẳng giới", "2026-03-08", "2026-03-09", "gender_equality,domestic_violence", "Nhà văn hóa thôn 3", "commune", "Hoàng Văn Dũng", "Mang theo tài liệu"]' \
	"every option is stored in its field"
is_j 'd["attendees"]' "[]" "a new training has no attendees"

# Topics: a list, spaces and repeats tidied, order kept.
run fb training add --title "Nhiều chủ đề" --date 2026-04-01 --topic " parenting , food_safety,parenting,stem "
expect_exit 0 "a list of topics with spaces and a repeat"
t2=$OUT
run fb show "$t2" --json
is_j 'd["topics"]' "parenting,food_safety,stem" "topics are stored canonical, in the order given"
all=association_work,gender_equality,population_family_planning,parenting,food_safety,domestic_violence,child_injury,digital_transformation,political_theory,leadership,trusted_address,stem,legal_consulting,other
run fb training add --title "Mọi chủ đề" --date 2026-04-02 --topic "$all"
expect_exit 0 "all 14 topics of the vocabulary are accepted"
run fb training add --title "Một ngày" --date 2026-04-03 --end-date 2026-04-03 --topic other
expect_exit 0 "end date equal to start date is accepted"
for lvl in central province district commune branch; do
	run fb training add --title "Level $lvl" --date 2025-01-01 --topic other --organizer "$lvl"
	expect_exit 0 "organizer level $lvl accepted"
done

bad 65 "fieldbook: end_date 2026-03-01 is before start_date 2026-03-05" \
	fb training add --title X --date 2026-03-05 --end-date 2026-03-01 --topic stem
bad 65 "fieldbook: topics: unknown topic 'cooking' (see 'fieldbook training --help')" \
	fb training add --title X --date 2026-03-05 --topic cooking
bad 65 "fieldbook: topics: unknown topic 'cooking' (see 'fieldbook training --help')" \
	fb training add --title X --date 2026-03-05 --topic stem,cooking
bad 65 "fieldbook: topics: must not be empty" \
	fb training add --title X --date 2026-03-05 --topic ""
bad 65 "fieldbook: topics: at least one topic is required" \
	fb training add --title X --date 2026-03-05 --topic ",,"
bad 65 "fieldbook: topics is required" fb training add --title X --date 2026-03-05
bad 65 "fieldbook: start_date is required" fb training add --title X --topic stem
bad 65 "fieldbook: title: must not be empty" fb training add --title "" --date 2026-03-05 --topic stem
bad 65 "fieldbook: start_date: '2026-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb training add --title X --date 2026-02-30 --topic stem
bad 65 "fieldbook: start_date: '2026-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb training add --title X --date 2026-13-01 --topic stem
bad 65 "fieldbook: start_date: '26-1-1' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb training add --title X --date 26-1-1 --topic stem
bad 65 "fieldbook: end_date: '2026-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb training add --title X --date 2026-02-01 --end-date 2026-02-30 --topic stem
bad 65 "fieldbook: organizer_level: unknown value 'village'" \
	fb training add --title X --date 2026-03-05 --topic stem --organizer village
bad 65 "fieldbook: title: invalid UTF-8 at byte 1" \
	fb training add --title "$(printf '\xff')" --date 2026-03-05 --topic stem
bad 65 "fieldbook: title: too long (201 bytes, at most 200)" \
	fb training add --title "$(printf 'x%.0s' $(seq 201))" --date 2026-03-05 --topic stem

# attend: several members in one call, one attendance id each.
run fb training attend "$t1" "$m1" "$m2"
expect_exit 0 "attend two members"
expect_out "$t1:$m1
$t1:$m2" "attend prints training_id:member_id for each"
expect_err_empty
run fb show "$t1" --json
is_j 'len(d["attendees"])' 2 "show --json: 2 attendees"
is_j 'sorted(d["attendees"])' \
	"$(printf '%s\n' "$m1" "$m2" | sort | py -c 'import sys,json; print(json.dumps([l.strip() for l in sys.stdin]))')" \
	"the attendees are the two members"
run fb status --json
is_j 'd["attendances"]' 2 "status: 2 attendances"

# The same attendance again: one row, same id, journal untouched.
j=$(sqlite3 "$FIELDBOOK_DB" 'select count(*) from journal')
run fb training attend "$t1" "$m1"
expect_exit 0 "attending twice is not an error"
expect_out "$t1:$m1" "attending twice prints the same id"
run fb show "$t1" --json
is_j 'len(d["attendees"])' 2 "still 2 attendees after attending twice"
run fb status --json
is_j 'd["attendances"]' 2 "status: still 2 attendances"
is "$(sqlite3 "$FIELDBOOK_DB" 'select count(*) from journal')" "$j" "attending twice writes no journal entry"
is "$(sqlite3 "$FIELDBOOK_DB" "select count(*) from record where type = 'attendance'")" 2 "two attendance rows"
run fb training attend "$t1" "$m3" "$m3"
expect_exit 0 "the same member twice in one call"
run fb show "$t1" --json
is_j 'len(d["attendees"])' 3 "3 attendees"
run fb show "$m1" --json
is_j 'd["trainings"]' "[\"$t1\"]" "show member --json lists her trainings"
run fb show "$t1:$m1" --json
is_j 'd["type"] + " " + d["training_id"] + " " + d["member_id"]' \
	"attendance $t1 $m1" "show an attendance by its id"

# unattend: removed, and attending again brings it back.
run fb training unattend "$t1" "$m3"
expect_exit 0 "unattend exits 0"
expect_out "" "unattend prints nothing"
run fb show "$t1" --json
is_j 'len(d["attendees"])' 2 "2 attendees after unattend"
run fb status --json
is_j 'd["attendances"]' 2 "status: 2 attendances after unattend"
run fb training unattend "$t1" "$m3"
expect_exit 0 "unattend twice is not an error"
run fb training attend "$t1" "$m3"
expect_exit 0 "attend again after unattend"
run fb show "$t1" --json
is_j 'len(d["attendees"])' 3 "3 attendees again"

# Unknown ids: 65, and nothing of the call is kept (all or nothing).
bad 65 "fieldbook: training_id: no training with id '$NOID'" fb training attend "$NOID" "$m1"
bad 65 "fieldbook: member_id: no member with id '$NOID'" fb training attend "$t2" "$NOID"
bad 65 "fieldbook: member_id: no member with id '$NOID'" fb training attend "$t2" "$m1" "$NOID"
bad 65 "fieldbook: member_id: 'nope' is not a record id" fb training attend "$t2" nope
bad 65 "fieldbook: training_id: no training with id '$m1'" fb training attend "$m1" "$m2"
bad 65 "fieldbook: member_id: no member with id '$t1'" fb training attend "$t2" "$t1"
bad 65 "fieldbook: member $NOID is not recorded as attending training $t2" \
	fb training unattend "$t2" "$NOID"
bad 65 "fieldbook: member $m1 is not recorded as attending training $t2" \
	fb training unattend "$t2" "$m1" "$m2"
run fb training attend "$t2" "$m1"
bad 65 "fieldbook: member $m2 is not recorded as attending training $t2" \
	fb training unattend "$t2" "$m1" "$m2"
run fb show "$t2" --json
is_j 'd["attendees"]' "[\"$m1\"]" "a failed unattend removes no one (all or nothing)"

# A deleted training or member cannot be attended.
run fb delete "$t2"
bad 65 "fieldbook: training_id: training $t2 is deleted" fb training attend "$t2" "$m2"

# unattend builds the attendance id from its two arguments: ids that are
# not record ids are refused before, so that "T:M" with anything after it
# cannot be cut down to the attendance T:M and remove it.
t2=$(new_id fb training add --title "Điểm danh" --date 2026-05-01 --topic other)
run fb training attend "$t2" "$m2"
expect_exit 0 "attend m2 at a new training t2 (for the unattend checks)"
att_t2m2() { sqlite3 "$FIELDBOOK_DB" "select deleted from record where id = '$t2:$m2'"; }
bad 65 "fieldbook: training_id: '$t2:$m2' is not a record id" fb training unattend "$t2:$m2" X
bad 65 "fieldbook: member_id: '${m2}X' is not a record id" fb training unattend "$t2" "${m2}X"
bad 65 "fieldbook: member_id: 'nope' is not a record id" fb training unattend "$t2" nope
is "$(att_t2m2)" 0 "the attendance t2:m2 is still recorded after the refused unattends"
done_testing
