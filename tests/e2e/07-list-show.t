#!/usr/bin/env bash
# list members|trainings|visits [--year] [--all] [--json]; show [--json].
. "$(dirname "$0")/lib.sh"

fresh_db
m1=$(new_id fb member add --name "Nguyễn Thị Hồng Nhung" --role branch_head --birth-year 1980 --phone 0912 --joined 2026-02-01)
m2=$(new_id fb member add --name "An" --joined 2025-01-01 --notes "dòng 1
dòng 2")
t1=$(new_id fb training add --title "Phòng chống bạo lực gia đình" --date 2026-01-10 --topic domestic_violence,stem)
t2=$(new_id fb training add --title "Nuôi dạy con" --date 2025-12-31 --topic parenting)
v1=$(new_id fb visit add --date 2026-01-20 --reason tet --person "Bà Tư" --amount-vnd 500000)
v2=$(new_id fb visit add --date 2025-03-03 --reason illness --member "$m2")
fb training attend "$t1" "$m1" "$m2" >/dev/null

run fb list members
expect_exit 0 "list members exits 0"
expect_err_empty
is "$(printf '%s\n' "$OUT" | head -1 | sed 's/  */ /g')" "ID NAME ROLE BORN PHONE" "members table header"
expect_out_contains "Nguyễn Thị Hồng Nhung" "members table has the Vietnamese name"
expect_out_match "^${m1: -8}  Nguyễn Thị Hồng Nhung +branch_head +1980  0912$" "a member's row, with her short id"
is "$(printf '%s\n' "$OUT" | tail -1)" "2 members" "count line"
is "$(printf '%s\n' "$OUT" | sed -n '2p;3p' | cut -c1-8 | tr '\n' ' ')" "${m2: -8} ${m1: -8} " "members ordered by name"
# Columns line up by display width: the PHONE column starts at the same column.
col=$(printf '%s\n' "$OUT" | py -c '
import sys
lines = sys.stdin.read().splitlines()
print(lines[0].index("ROLE"), lines[2].index("branch_head"))')
is "$col" "$(echo "$col" | cut -d' ' -f1) $(echo "$col" | cut -d' ' -f1)" "ROLE column aligned under a Vietnamese name"

run fb list trainings
expect_exit 0 "list trainings exits 0"
expect_out_match "^${t1: -8}  2026-01-10  Phòng chống bạo lực gia đình +domestic_violence,stem$" "a training's row"
is "$(printf '%s\n' "$OUT" | tail -1)" "2 trainings" "2 trainings"
run fb list visits
expect_exit 0 "list visits exits 0"
expect_out_match "^${v1: -8}  2026-01-20  tet +Bà Tư +500000$" "a visit's row"
expect_out_match "^${v2: -8}  2025-03-03  illness +An +$" "a visit to a member shows her name as the person"
is "$(printf '%s\n' "$OUT" | tail -1)" "2 visits" "2 visits"

# --year filters on the record's date (joined, start_date, visit_date).
run fb list trainings --year 2025
expect_out_contains "${t2: -8}" "--year 2025 shows the 2025 training"
is "$(printf '%s\n' "$OUT" | grep -c "${t1: -8}")" 0 "--year 2025 hides the 2026 training"
is "$(printf '%s\n' "$OUT" | tail -1)" "1 training" "--year 2025: 1 training"
run fb list visits --year 2026 --json
is_j '[r["id"] for r in d]' "[\"$v1\"]" "visits --year 2026"
run fb list members --year 2025 --json
is_j '[r["id"] for r in d]' "[\"$m2\"]" "members --year 2025 (by joined)"
run fb list trainings --year 2024
is "$(printf '%s\n' "$OUT" | tail -1)" "0 trainings" "a year with nothing: 0 trainings"
bad 65 "fieldbook: --year: '20x6' is not a year (1900 to 2200)" fb list trainings --year 20x6
bad 65 "fieldbook: --year: '99' is not a year (1900 to 2200)" fb list trainings --year 99

# --json is one valid JSON document.
for ty in members trainings visits; do
	run fb list "$ty" --json
	expect_exit 0 "list $ty --json exits 0"
	ok "list $ty --json is valid JSON" is_json "$OUT_FILE"
done
run fb list members --json
is_j '[(r["type"], r["full_name"]) for r in d]' \
	'[["member", "An"], ["member", "Nguyễn Thị Hồng Nhung"]]' "members --json records"
is_j '[r["notes"] for r in d if "notes" in r]' \
	'["dòng 1\ndòng 2"]' "a line break in notes survives --json"
run fb list trainings --json --year 2099
is "$OUT" "[]" "an empty list is []"
ok "an empty list is valid JSON" is_json "$OUT_FILE"
run fb delete "$t2"
run fb list trainings --json
is_j 'len(d)' 1 "--json hides the deleted training"
run fb list trainings --json --all
is_j 'sorted(str(r["deleted"]) for r in d)' '["False", "True"]' \
	"--json --all shows it with deleted true"
run fb restore "$t2"

# show: text and JSON.
run fb show "$m2"
expect_exit 0 "show exits 0"
expect_out_match "^id +$m2$|
id +$m2
" "show: id line"
expect_out_contains "full_name  An" "show: name line"
expect_out_contains "notes      dòng 1
           dòng 2" "show: notes continuation lines are indented"
expect_out_contains "deleted    no" "show: deleted no"
expect_out_contains "trainings  1" "show: the member's number of trainings"
expect_out_match "^ +${t1: -8}  2026-01-10  Phòng chống bạo lực gia đình\$" "show: the member's training, by short id, date and title, on its own indented line"
run fb show "$t1"
expect_out_contains "attendees   2" "show training: 2 attendees"
run fb show "$v2" --json
expect_exit 0 "show --json exits 0"
ok "show --json is valid JSON" is_json "$OUT_FILE"
is_j '[d["id"], d["type"], d["branch"], d["member_id"], d["deleted"]]' \
	"[\"$v2\", \"visit\", \"HN.PL.TT.03\", \"$m2\", false]" "show --json fields"
run fb show "$t1" --json
is_j 'sorted(d["attendees"])' \
	"$(py -c 'import sys,json; print(json.dumps(sorted(sys.argv[1:])))' "$m1" "$m2")" "show training --json attendees"
bad 64 "fieldbook: unknown option '--year' (see 'fieldbook show --help')" fb show "$t1" --year 2026

done_testing
