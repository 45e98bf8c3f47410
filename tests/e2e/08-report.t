#!/usr/bin/env bash
# report: exact figures for a small known branch, in table, CSV and JSON.
. "$(dirname "$0")/lib.sh"

fresh_db
# Nine members: 3 heads/deputies (2 trained in 2026), 2 commune leaders
# (1 trained), 2 planned for commune president (1 trained), 2 members.
h1=$(new_id fb member add --name "Nguyễn Thị An" --role branch_head)
h2=$(new_id fb member add --name "Trần Thị Bình" --role branch_deputy)
h3=$(new_id fb member add --name "Lê Thị Cúc" --role branch_deputy)
m1=$(new_id fb member add --name "Phạm Thị Dung" --role member)
m2=$(new_id fb member add --name "Hoàng Thị Em")
cp=$(new_id fb member add --name "Đặng Thị Gấm" --role commune_president)
cv=$(new_id fb member add --name "Bùi Thị Hoa" --role commune_vice)
p1=$(new_id fb member add --name "Vũ Thị Kim" --role commune_president_planned)
p2=$(new_id fb member add --name "Đỗ Thị Lan" --role commune_president_planned)
t1=$(new_id fb training add --title "Bình đẳng giới và phòng chống bạo lực gia đình" --date 2026-03-08 --topic gender_equality,domestic_violence)
t2=$(new_id fb training add --title "Nuôi dạy con" --date 2026-06-01 --end-date 2026-06-02 --topic parenting)
t3=$(new_id fb training add --title "An toàn thực phẩm" --date 2025-11-01 --topic food_safety)
t4=$(new_id fb training add --title "STEM" --date 2026-07-01 --topic stem)
fb training attend "$t1" "$h1" "$h2" "$m1" >/dev/null
fb training attend "$t2" "$h1" "$cp" "$p1" "$m2" >/dev/null
fb training unattend "$t2" "$m2"
fb training attend "$t3" "$h3" >/dev/null
fb training attend "$t4" "$cv" "$h3" >/dev/null
fb delete "$t4"
fb visit add --date 2026-01-25 --reason tet --person "Bà Tư" --amount-vnd 500000 >/dev/null
fb visit add --date 2026-01-26 --reason tet --member "$m1" --amount-vnd 300000 >/dev/null
fb visit add --date 2026-04-02 --reason illness --person "Bà Năm" --amount-vnd 1200000 >/dev/null
fb visit add --date 2026-05-05 --reason childbirth --person "Chị Sáu" >/dev/null
vd=$(new_id fb visit add --date 2026-04-03 --reason illness --person "Xoá" --amount-vnd 999)
fb delete "$vd"
fb visit add --date 2025-12-31 --reason hardship --person "Năm trước" --amount-vnd 100000 >/dev/null
# So in 2026: courses T1 (gender_equality, domestic_violence; 3 attend)
# and T2 (parenting; 3 attend, one unattended); T3 is 2025; T4 deleted.
# Visits 2026: tet 500000 + 300000, illness 1200000, childbirth 0; one
# deleted visit (999) and one 2025 visit (100000) do not count.

# sq: squeeze runs of spaces, so that alignment does not matter here.
sq() {
	printf '%s\n' "$OUT" | tr -s ' '
}
has_line() {
	local d=$2
	if sq | grep -Fxq -- "$1"; then
		pass "$d"
	else
		fail "$d" "no line '$1' in:" "$(sq)"
	fi
}

run fb report --year 2026
expect_exit 0 "report --year 2026 exits 0"
expect_err_empty
has_line "Fieldbook report 2026: branch HN.PL.TT.03" "title line"
has_line "Members by role (9)" "9 members"
has_line " Hội viên 2" "2 plain members (one without a role)"
has_line " Chi hội trưởng 1" "1 branch head"
has_line " Chi hội phó 2" "2 branch deputies"
has_line " Quy hoạch Chủ tịch xã 2" "2 planned for commune president"
has_line " Branch heads and deputies 2 of 3 66.7% target 100% NOT MET" \
	"heads and deputies: 2 of 3, 66.7%, target not met"
has_line " not yet trained: Lê Thị Cúc (Chi hội phó)" "the untrained deputy is named"
is "$(sq | grep -c 'not yet trained: Nguyễn Thị An\|not yet trained: Trần Thị Bình')" 0 \
	"the trained head and deputy are not listed as untrained"
is "$(sq | grep -c 'Bùi Thị Hoa')" 1 "a deleted training does not count (commune vice untrained)"
has_line " Commune presidents and vice presidents 1 of 2 50.0% target 100% NOT MET" \
	"commune leaders: 1 of 2"
has_line " not yet trained: Bùi Thị Hoa (Phó Chủ tịch Hội LHPN xã)" "the untrained commune vice is named"
has_line " Planned for commune president 1 of 2 50.0% target 50% met" "planned: 1 of 2 meets the 50% target"
has_line " not yet trained: Đỗ Thị Lan (Quy hoạch Chủ tịch xã)" "the untrained planned president is named"
has_line " Bình đẳng giới 1 3" "gender equality: 1 course, 3 attendances"
has_line " Phòng chống bạo lực gia đình 1 3" "domestic violence: 1 course, 3 attendances"
has_line " Nuôi dạy con 1 3" "parenting: 1 course, 3 attendances (unattend not counted)"
is "$(sq | grep -c 'STEM\|An toàn thực phẩm')" 0 "no STEM (deleted) or food safety (2025) course in 2026"
has_line " All courses 2 6" "2 courses, 6 attendances"
has_line " 5 different members trained" "5 different members trained"
has_line " Thăm hỏi dịp Tết 2 800.000" "Tết: 2 visits, 800.000 VND"
has_line " Ốm đau 1 1.200.000" "illness: 1 visit, 1.200.000 VND (deleted visit not counted)"
has_line " Sinh con 1 0" "childbirth: 1 visit without amount"
has_line " All visits 4 2.000.000" "4 visits, 2.000.000 VND in all"
is "$(sq | grep -c 'Hoàn cảnh khó khăn')" 0 "the 2025 visit is not in 2026"

run fb report --year 2026 --format csv
expect_exit 0 "report --format csv exits 0"
csv_has() {
	if printf '%s\n' "$OUT" | tr -d '\r' | grep -Fxq -- "$1"; then
		pass "csv: $1"
	else
		fail "csv: $1" "$OUT"
	fi
}
csv_has "section,key,count,value"
csv_has "members_by_role,branch_deputy,2,0"
csv_has "trained,branch_heads_deputies,2,3"
csv_has "not_trained,branch_heads_deputies,$h3,Lê Thị Cúc"
csv_has "trained,commune_presidents_vices,1,2"
csv_has "not_trained,commune_presidents_vices,$cv,Bùi Thị Hoa"
csv_has "trained,planned_commune_presidents,1,2"
csv_has "courses_by_topic,gender_equality,1,3"
csv_has "courses_by_topic,domestic_violence,1,3"
csv_has "courses_by_topic,parenting,1,3"
csv_has "courses_by_topic,stem,0,0"
csv_has "courses_by_topic,food_safety,0,0"
csv_has "courses_total,all,2,6"
csv_has "trainees_total,all,5,0"
csv_has "visits_by_reason,tet,2,800000"
csv_has "visits_by_reason,illness,1,1200000"
csv_has "visits_by_reason,hardship,0,0"
csv_has "visits_total,all,4,2000000"
is "$(printf '%s\n' "$OUT" | grep -c $'\r$')" "$(printf '%s\n' "$OUT" | wc -l)" "report CSV lines end in CRLF (RFC 4180)"

run fb report --year 2026 --format json
expect_exit 0 "report --format json exits 0"
ok "report JSON is valid" is_json "$OUT_FILE"
is_j 'd["year"]' 2026 "json: year"
is_j 'd["branch"]' HN.PL.TT.03 "json: branch"
is_j '[(g["group"], g["trained"], g["total"], float(round(g["percent"], 1)), g["target_percent"]) for g in d["targets"]]' \
	'[["branch_heads_deputies", 2, 3, 66.7, 100], ["commune_presidents_vices", 1, 2, 50.0, 100], ["planned_commune_presidents", 1, 2, 50.0, 50]]' \
	"json: targets trained/total/percent"
is_j '[[p["full_name"] for p in g["not_trained"]] for g in d["targets"]]' \
	'[["Lê Thị Cúc"], ["Bùi Thị Hoa"], ["Đỗ Thị Lan"]]' "json: names not yet trained"
is_j 'd["targets"][0]["not_trained"][0]["id"]' "$h3" "json: id of the untrained deputy"
is_j 'sorted((k, v["courses"], v["attendances"]) for k, v in d["courses_by_topic"].items() if v["courses"] or v["attendances"])' \
	'[["domestic_violence", 1, 3], ["gender_equality", 1, 3], ["parenting", 1, 3]]' \
	"json: courses and attendances by topic"
is_j '[d["courses"], d["attendances"], d["trainees"], d["visits"], d["amount_vnd"]]' \
	'[2, 6, 5, 4, 2000000]' "json: courses, attendances, trainees, visits, amount"
is_j 'd["visits_by_reason"]["tet"]' '{"visits": 2, "amount_vnd": 800000}' "json: Tết visits"
is_j 'd["members_by_role"]' \
	'{"member": 2, "branch_head": 1, "branch_deputy": 2, "commune_president": 1, "commune_vice": 1, "commune_president_planned": 2, "official": 0}' \
	"json: members by role"

# --year 2025: only the 2025 course and visit.
run fb report --year 2025 --format json
is_j '[d["courses"], d["attendances"], d["trainees"], d["visits"], d["amount_vnd"]]' \
	'[1, 1, 1, 1, 100000]' "2025: one course, one attendance, one visit of 100000"
is_j '[(g["trained"], g["total"]) for g in d["targets"]]' '[[1, 3], [0, 2], [0, 2]]' \
	"2025: only the deputy trained that year counts"
is_j 'd["courses_by_topic"]["food_safety"]' '{"courses": 1, "attendances": 1}' "2025: food safety course"
run fb report --year 2025
has_line " Branch heads and deputies 1 of 3 33.3% target 100% NOT MET" "2025 table: 1 of 3, 33.3%"
has_line " All visits 1 100.000" "2025 table: 1 visit, 100.000 VND"

# A year with nothing.
run fb report --year 2030 --format json
is_j '[d["courses"], d["visits"], d["amount_vnd"], [g["trained"] for g in d["targets"]]]' \
	'[0, 0, 0, [0, 0, 0]]' "2030: nothing"
run fb report --year 2030
has_line " Branch heads and deputies 0 of 3 0.0% target 100% NOT MET" "2030 table: 0 of 3"

# Restoring the deleted training brings its attendance back.
run fb restore "$t4"
run fb report --year 2026 --format json
is_j '[d["courses"], d["attendances"], d["courses_by_topic"]["stem"]["courses"]]' '[3, 8, 1]' \
	"restored training counts again"
is_j '[(g["trained"], g["total"]) for g in d["targets"]]' '[[3, 3], [2, 2], [1, 2]]' \
	"restored training: its attendees count as trained"
run fb report --year 2026
has_line " Branch heads and deputies 3 of 3 100.0% target 100% met" "100% of heads and deputies: met"

# The default year is the current one.
run fb report --format json
is_j 'd["year"]' "$(date +%Y)" "report defaults to the current year"

bad 65 "fieldbook: --year: 'abc' is not a year (1900 to 2200)" fb report --year abc
bad 64 "fieldbook: unexpected argument '2026' (see 'fieldbook report --help')" fb report 2026

done_testing
