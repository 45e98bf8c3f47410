#!/usr/bin/env bash
# The hub's report rolls the branches' figures up its unit tree:
# HN > HN.PL > HN.PL.TT > HN.PL.TT.03, HN.PL.TT.04.  Two laptops of the
# two branches sync known data; the per-branch numbers must be exactly
# those, and the commune, district and total rows their sums.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop chi hội 3" "$TMP/tok3"
enroll "$H" HN.PL.TT.04 "laptop chi hội 4" "$TMP/tok4"
start_hub "$H"
P=$TMP/P.db
Q=$TMP/Q.db
new_collector "$P" HN.PL.TT.03 "$TMP/tok3"
new_collector "$Q" HN.PL.TT.04 "$TMP/tok4"

# Branch 03: 3 heads/deputies of whom 2 trained in 2026, 5 members
# (one more deleted), one 2026 course with 3 attendances, one 2025 course,
# 2026 visits of 500,000 + 200,000 VND, one 2025 visit.
h3=$(new_id fbd "$P" member add --name "Nguyễn Thị Hoa" --role branch_head)
d3=$(new_id fbd "$P" member add --name "Trần Thị Lan" --role branch_deputy)
e3=$(new_id fbd "$P" member add --name "Lê Thị Mai" --role branch_deputy)
a3=$(new_id fbd "$P" member add --name "Phạm Thị Thu")
b3=$(new_id fbd "$P" member add --name "Hoàng Thị Yến")
x3=$(new_id fbd "$P" member add --name "Đã xóa" --role branch_head)
fbd "$P" delete "$x3" >/dev/null
t3=$(new_id fbd "$P" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality)
o3=$(new_id fbd "$P" training add --title "Khóa cũ" --date 2025-10-01 --topic leadership)
fbd "$P" training attend "$t3" "$h3" "$d3" "$a3" >/dev/null
fbd "$P" training attend "$o3" "$e3" >/dev/null
fbd "$P" visit add --date 2026-02-01 --reason tet --member "$b3" --support cash --amount-vnd 500000 >/dev/null
fbd "$P" visit add --date 2026-07-15 --reason illness --person "Bà Tư" --support gift --amount-vnd 200000 >/dev/null
fbd "$P" visit add --date 2025-12-20 --reason hardship --member "$a3" --amount-vnd 1000000 >/dev/null
# Branch 04: 2 heads/deputies, 1 trained; 3 members; one 2026 course with
# 2 attendances; one 2026 visit of 300,000 VND.
h4=$(new_id fbd "$Q" member add --name "Vũ Thị Bảy" --role branch_head)
d4=$(new_id fbd "$Q" member add --name "Đỗ Thị Tám" --role branch_deputy)
a4=$(new_id fbd "$Q" member add --name "Bùi Thị Chín")
t4=$(new_id fbd "$Q" training add --title "An toàn thực phẩm" --date 2026-05-02 --topic food_safety,parenting)
fbd "$Q" training attend "$t4" "$h4" "$a4" >/dev/null
fbd "$Q" visit add --date 2026-09-09 --reason health_check --member "$d4" --support health_check --amount-vnd 300000 >/dev/null
ok "setup: records on both laptops" test -n "$h3$d3$e3$a3$b3$t3$o3$h4$d4$a4$t4"

for x in P Q; do
	run fbd "$TMP/$x.db" sync
	expect_exit 0 "laptop $x syncs"
done
is "$(hub_sql "$H" "select branch || '=' || count(*) from record group by branch order by branch" | paste -sd' ')" \
	"HN.PL.TT.03=15 HN.PL.TT.04=7" "the hub holds both branches' records (15 and 7)"
# Each laptop pulls only its own branch (the token's scope).
for x in P Q; do
	run fbd "$TMP/$x.db" sync
	expect_exit 0 "laptop $x syncs again"
done
is "$(fbd "$P" export --format json --all | json_get '" ".join(sorted(set(r["branch"] for r in d["records"]))) + " " + str(len(d["records"]))')" \
	"HN.PL.TT.03 15" "laptop 03 holds only branch 03's 15 records"
is "$(fbd "$Q" export --format json --all | json_get '" ".join(sorted(set(r["branch"] for r in d["records"]))) + " " + str(len(d["records"]))')" \
	"HN.PL.TT.04 7" "laptop 04 holds only branch 04's 7 records"

# row JSONFILE UNIT: the row of UNIT ("total" for the total) as
# "heads/trained percent members courses attendances trainees visits amount".
row() {
	json_q '(lambda r: "%d/%d %.1f %d %d %d %d %d %d" % (r["heads_deputies"], r["heads_deputies_trained"],
	    r["percent"], r["members"], r["courses"], r["attendances"], r["trainees"], r["visits"],
	    r["amount_vnd"]))(d["total"][0] if a[0] == "total" else [x for x in d["rows"] if x["unit"] == a[0]][0])' \
		"$2" <"$1"
}

run hub --db "$H" report --year 2026 --by branch --format json
expect_exit 0 "report --by branch --format json"
printf '%s' "$OUT" >"$TMP/branch.json"
ok "it is one JSON document" is_json "$TMP/branch.json"
is "$(json_get 'd["unit"] + " " + str(d["year"]) + " " + d["by"]' <"$TMP/branch.json")" "HN 2026 branch" \
	"the report says its unit, year and level"
is "$(json_get '" ".join(r["unit"] for r in d["rows"])' <"$TMP/branch.json")" "HN.PL.TT.03 HN.PL.TT.04" \
	"one row per branch, in code order"
is "$(json_get '[r["name"] for r in d["rows"]][0]' <"$TMP/branch.json")" "Chi hội 3" "rows carry the unit's name"
is "$(row "$TMP/branch.json" HN.PL.TT.03)" "3/2 66.7 5 1 3 3 2 700000" "branch 03: 2 of 3 heads/deputies trained, 5 members, 1 course, 3 attendances, 2 visits, 700,000 VND"
is "$(row "$TMP/branch.json" HN.PL.TT.04)" "2/1 50.0 3 1 2 2 1 300000" "branch 04: 1 of 2 trained, 3 members, 1 course, 2 attendances, 1 visit, 300,000 VND"
is "$(row "$TMP/branch.json" total)" "5/3 60.0 8 2 5 5 3 1000000" "total of the hub: the sum"

# The hub's branch row agrees with the laptop's own report.
is "$(fbd "$P" report --year 2026 --format json | json_get '"%d %d %d %d %d" % (d["courses"], d["attendances"], d["trainees"], d["visits"], d["amount_vnd"])')" \
	"1 3 3 2 700000" "laptop 03's own report has the same figures"

run hub --db "$H" report --year 2026 --by commune --format json
expect_exit 0 "report --by commune"
printf '%s' "$OUT" >"$TMP/commune.json"
is "$(json_get '" ".join(r["unit"] for r in d["rows"])' <"$TMP/commune.json")" HN.PL.TT "one commune row"
is "$(row "$TMP/commune.json" HN.PL.TT)" "5/3 60.0 8 2 5 5 3 1000000" "--by commune sums the two branches"
run hub --db "$H" report --year 2026 --by district --format json
printf '%s' "$OUT" >"$TMP/district.json"
is "$(row "$TMP/district.json" HN.PL)" "5/3 60.0 8 2 5 5 3 1000000" "--by district sums them too"
run hub --db "$H" report --year 2026 --unit HN.PL.TT.04 --format json
printf '%s' "$OUT" >"$TMP/unit4.json"
is "$(json_get '" ".join(r["unit"] for r in d["rows"])' <"$TMP/unit4.json")" HN.PL.TT.04 "--unit narrows to one branch"
is "$(row "$TMP/unit4.json" total)" "2/1 50.0 3 1 2 2 1 300000" "--unit HN.PL.TT.04: its total is the branch"

# Another year: only what was in 2025.
run hub --db "$H" report --year 2025 --by branch --format json
printf '%s' "$OUT" >"$TMP/2025.json"
is "$(row "$TMP/2025.json" HN.PL.TT.03)" "3/1 33.3 5 1 1 1 1 1000000" "2025, branch 03: the old course and visit only"
is "$(row "$TMP/2025.json" HN.PL.TT.04)" "2/0 0.0 3 0 0 0 0 0" "2025, branch 04: nothing"

# CSV: a header row, then one row per figure of each unit, the total's last.
run hub --db "$H" report --year 2026 --by branch --format csv
expect_exit 0 "report --format csv"
printf '%s\n' "$OUT" | tr -d '\r' >"$TMP/branch.csv"
is "$(head -1 "$TMP/branch.csv")" "unit,unit_name,section,key,count,value,detail,branch" \
	"CSV header row"
is "$(cut -d, -f1,2 "$TMP/branch.csv" | sed 1d | uniq | tr '\n' ' ')" \
	"HN.PL.TT.03,Chi hội 3 HN.PL.TT.04,Chi hội 4 HN,All " "CSV: the 2 branches, then the total"
is "$(grep -c '^HN.PL.TT.03,Chi hội 3,' "$TMP/branch.csv")" \
	"$(grep -c '^HN,All,' "$TMP/branch.csv")" "as many rows for a branch as for the total"
is "$(grep -E '^HN.PL.TT.03,[^,]*,(trained,branch_heads|courses_total|trainees_total|visits_total)' "$TMP/branch.csv" | tr '\n' ' ')" \
	"HN.PL.TT.03,Chi hội 3,trained,branch_heads_deputies,2,3,, HN.PL.TT.03,Chi hội 3,courses_total,all,1,3,, HN.PL.TT.03,Chi hội 3,trainees_total,all,3,0,, HN.PL.TT.03,Chi hội 3,visits_total,all,2,700000,, " \
	"CSV rows of branch 03"
is "$(grep -E '^HN,All,(trained,branch_heads|courses_total|trainees_total|visits_total)' "$TMP/branch.csv" | tr '\n' ' ')" \
	"HN,All,trained,branch_heads_deputies,3,5,, HN,All,courses_total,all,2,5,, HN,All,trainees_total,all,5,0,, HN,All,visits_total,all,3,1000000,, " \
	"CSV total rows"

run hub --db "$H" report --year 2026 --by branch
expect_exit 0 "report as a table"
expect_out_contains "HN.PL.TT.04" "the table lists branch 04"

# Usage errors.
run hub --db "$H" report --year 2026 --by village
expect_exit 64 "unknown --by exits 64"
like "$ERR" 'by' "the message names --by"
run hub --db "$H" report --year 2026 --format xml
expect_exit 64 "unknown --format exits 64"
run hub --db "$H" report --year 20x6
expect_exit 65 "a bad --year exits 65"

stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
