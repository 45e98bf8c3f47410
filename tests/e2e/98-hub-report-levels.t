#!/usr/bin/env bash
# The hub's report at every level, in table, CSV and JSON, on a small
# province whose figures are known:
#
#   HN (province)
#   ├── HN.PL (district)
#   │   ├── HN.PL.TT (commune): .01 laptop A, .02 laptop B (stale),
#   │   │                       .03 laptop C enrolled, never synced
#   │   └── HN.PL.DL (commune): .01 laptop D, .02 nothing (empty)
#   └── HN.MD (commune, directly under the province): .01 laptop E
#
# When each laptop last pushed is set in the hub's database while the
# hub is stopped (A 2 days ago, B 40, D 5, E 1), so what is stale is
# decided by --stale alone.  The hub's row of a branch must equal the
# collector's own report of it, the three formats must say the same,
# and --names must tell apart two people of the same name.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
{
	hub --db "$H" init --unit HN --name "Hà Nội" --level province &&
		hub --db "$H" unit add HN.PL --parent HN --level district --name "Phúc Lộc" &&
		hub --db "$H" unit add HN.PL.TT --parent HN.PL --level commune --name "Xã Thanh Thủy" &&
		hub --db "$H" unit add HN.PL.TT.01 --parent HN.PL.TT --level branch --name "Chi hội 1" &&
		hub --db "$H" unit add HN.PL.TT.02 --parent HN.PL.TT --level branch --name "Chi hội 2" &&
		hub --db "$H" unit add HN.PL.TT.03 --parent HN.PL.TT --level branch --name "Chi hội 3" &&
		hub --db "$H" unit add HN.PL.DL --parent HN.PL --level commune --name "Xã Đại Lải" &&
		hub --db "$H" unit add HN.PL.DL.01 --parent HN.PL.DL --level branch --name "Chi hội Đông" &&
		hub --db "$H" unit add HN.PL.DL.02 --parent HN.PL.DL --level branch --name "Chi hội Tây" &&
		hub --db "$H" unit add HN.MD --parent HN --level commune --name "Xã Minh Đức" &&
		hub --db "$H" unit add HN.MD.01 --parent HN.MD --level branch --name "Chi hội Một"
} >/dev/null || {
	echo "Bail out! could not set up the hub's units"
	exit 1
}
enroll "$H" HN.PL.TT.01 "laptop A" "$TMP/tokA"
enroll "$H" HN.PL.TT.02 "laptop B" "$TMP/tokB"
enroll "$H" HN.PL.TT.03 "laptop C" "$TMP/tokC"
enroll "$H" HN.PL.DL.01 "laptop D" "$TMP/tokD"
enroll "$H" HN.MD.01 "laptop E" "$TMP/tokE"
start_hub "$H"
A=$TMP/A.db B=$TMP/B.db D=$TMP/D.db E=$TMP/E.db
new_collector "$A" HN.PL.TT.01 "$TMP/tokA"
new_collector "$B" HN.PL.TT.02 "$TMP/tokB"
new_collector "$D" HN.PL.DL.01 "$TMP/tokD"
new_collector "$E" HN.MD.01 "$TMP/tokE"

# A: 2 heads/deputies, 1 trained; a 2026 course on two topics with 2
# attendances; 2 visits, 700,000 VND.
h1=$(new_id fbd "$A" member add --name "Nguyễn Thị Hoa" --role branch_head --birth-year 1975)
d1=$(new_id fbd "$A" member add --name "Trần Thị Lan" --role branch_deputy --birth-year 1980)
m1=$(new_id fbd "$A" member add --name "Lê Thị Mai")
t1=$(new_id fbd "$A" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality,parenting)
fbd "$A" training attend "$t1" "$h1" "$m1" >/dev/null
fbd "$A" visit add --date 2026-02-01 --reason tet --member "$m1" --amount-vnd 500000 >/dev/null
fbd "$A" visit add --date 2026-07-15 --reason illness --person "Bà Tư" --amount-vnd 200000 >/dev/null
# B: a head of the same name as A's deputy, born 1990, trained only in
# 2025; a deputy trained in 2026; 1 visit of 300,000 VND.
h2=$(new_id fbd "$B" member add --name "Trần Thị Lan" --role branch_head --birth-year 1990)
d2=$(new_id fbd "$B" member add --name "Phạm Thị Thu" --role branch_deputy)
t2=$(new_id fbd "$B" training add --title "An toàn thực phẩm" --date 2026-05-02 --topic food_safety)
o2=$(new_id fbd "$B" training add --title "Khóa cũ" --date 2025-11-01 --topic leadership)
fbd "$B" training attend "$t2" "$d2" >/dev/null
fbd "$B" training attend "$o2" "$h2" >/dev/null
fbd "$B" visit add --date 2026-09-09 --reason health_check --member "$d2" --amount-vnd 300000 >/dev/null
# D: a trained head and a member; 2 visits, one without an amount.
h4=$(new_id fbd "$D" member add --name "Vũ Thị Bảy" --role branch_head)
m4=$(new_id fbd "$D" member add --name "Đỗ Thị Tám")
t4=$(new_id fbd "$D" training add --title "Kỹ năng" --date 2026-04-04 --topic food_safety,leadership)
fbd "$D" training attend "$t4" "$h4" "$m4" >/dev/null
fbd "$D" visit add --date 2026-10-10 --reason tet --member "$m4" --amount-vnd 1000000 >/dev/null
fbd "$D" visit add --date 2026-11-11 --reason hardship --person "Ông Năm" >/dev/null
# E: the commune's president (trained) and vice (not), 3 planned for
# president (2 trained), a head not trained; 1 visit of 2,000,000 VND.
p5=$(new_id fbd "$E" member add --name "Hoàng Thị Yến" --role commune_president)
v5=$(new_id fbd "$E" member add --name "Bùi Thị Chín" --role commune_vice --birth-year 1970)
q5=$(new_id fbd "$E" member add --name "Ngô Thị Mười" --role commune_president_planned)
q6=$(new_id fbd "$E" member add --name "Lý Thị Một" --role commune_president_planned)
q7=$(new_id fbd "$E" member add --name "Dương Thị Hai" --role commune_president_planned --birth-year 1985)
h5=$(new_id fbd "$E" member add --name "Hồ Thị Ba" --role branch_head)
t5=$(new_id fbd "$E" training add --title "Lý luận chính trị" --date 2026-06-06 --topic political_theory)
fbd "$E" training attend "$t5" "$p5" "$q5" "$q6" >/dev/null
fbd "$E" visit add --date 2026-12-01 --reason bereavement --member "$v5" --amount-vnd 2000000 >/dev/null
ok "setup: the laptops' records" test -n "$h1$d1$m1$t1$h2$d2$t2$o2$h4$m4$t4$p5$v5$q5$q6$q7$h5$t5"
for x in A B D E; do
	run fbd "$TMP/$x.db" sync
	expect_exit 0 "laptop $x syncs"
done
stop_hub
# Each laptop last heard so many days ago (in UTC ISO 8601, as the hub
# writes it).
days="CASE unit WHEN 'HN.PL.TT.01' THEN 2 WHEN 'HN.PL.TT.02' THEN 40
	WHEN 'HN.PL.DL.01' THEN 5 ELSE 1 END"
if store_pg; then
	ago="to_char(now() AT TIME ZONE 'UTC' - make_interval(days => $days), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
else
	ago="strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ($days) || ' days')"
fi
hub_sql "$H" "UPDATE device SET last_seen = $ago WHERE last_seen IS NOT NULL" >/dev/null
is "$(hub_sql "$H" "select unit from device where last_seen is null order by unit" | paste -sd' ')" \
	HN.PL.TT.03 "setup: laptop C never pushed"

# report BY [ARGS...]: the three formats into $TMP/BY.{txt,csv,json}.
report() {
	local by=$1
	shift
	hub --db "$H" report --year 2026 --by "$by" "$@" >"$TMP/$by.txt" &&
		hub --db "$H" report --year 2026 --by "$by" --format csv "$@" >"$TMP/$by.csv" &&
		hub --db "$H" report --year 2026 --by "$by" --format json "$@" >"$TMP/$by.json"
}

# fig BY UNIT: a unit's row ("total" for the total) from the JSON as
# "branches heard/stale/never/indirect/empty | heads trained/total
# presidents planned | members courses attendances trainees | visits amount"
fig() {
	json_q '(lambda r: "%d %d/%d/%d/%d/%d | %d/%d %d/%d %d/%d | %d %d %d %d | %d %d" % (
	    r["branches"]["all"], r["branches"]["heard"], r["branches"]["stale"],
	    r["branches"]["never_synced"], r["branches"]["indirect"], r["branches"]["empty"],
	    r["targets"][0]["trained"], r["targets"][0]["total"], r["targets"][1]["trained"],
	    r["targets"][1]["total"], r["targets"][2]["trained"], r["targets"][2]["total"],
	    r["members"], r["courses"], r["attendances"], r["trainees"], r["visits"],
	    r["amount_vnd"]))(d["total"][0] if a[0] == "total" else
	    [x for x in d["rows"] if x["unit"] == a[0]][0])' "$2" <"$TMP/$1.json"
}
units_of() { json_get '" ".join(r["unit"] for r in d["rows"])' <"$TMP/$1.json"; }

ok "report --by branch in three formats" report branch
is "$(units_of branch)" "HN.MD.01 HN.PL.DL.01 HN.PL.DL.02 HN.PL.TT.01 HN.PL.TT.02 HN.PL.TT.03" \
	"--by branch: a row per branch, in code order"
is "$(fig branch HN.PL.TT.01)" "1 1/0/0/0/0 | 1/2 0/0 0/0 | 3 1 2 2 | 2 700000" "branch TT.01: heard from; 1 of 2 heads trained"
is "$(fig branch HN.PL.TT.02)" "1 0/1/0/0/0 | 1/2 0/0 0/0 | 2 1 1 1 | 1 300000" "branch TT.02: stale; its 2025 course does not count"
is "$(fig branch HN.PL.TT.03)" "1 0/0/1/0/0 | 0/0 0/0 0/0 | 0 0 0 0 | 0 0" "branch TT.03: never synced"
is "$(fig branch HN.PL.DL.01)" "1 1/0/0/0/0 | 1/1 0/0 0/0 | 2 1 2 2 | 2 1000000" "branch DL.01: heard from"
is "$(fig branch HN.PL.DL.02)" "1 0/0/0/0/1 | 0/0 0/0 0/0 | 0 0 0 0 | 0 0" "branch DL.02: empty"
is "$(fig branch HN.MD.01)" "1 1/0/0/0/0 | 0/1 1/2 2/3 | 6 1 3 3 | 1 2000000" "branch MD.01: presidents 1 of 2, planned 2 of 3"
is "$(fig branch total)" "6 3/1/1/0/1 | 3/6 1/2 2/3 | 13 4 8 8 | 6 4000000" "--by branch: the total of the province"
is "$(json_q '[x for x in d["rows"] if x["unit"] == a[0]][0]["branch_status"]' HN.PL.TT.03 <"$TMP/branch.json")" \
	'[{"branch": "HN.PL.TT.03", "name": "Chi hội 3", "status": "never_synced", "laptops": 1, "last_heard": null}]' \
	"TT.03 is listed as never synced, with its one laptop"
like "$(json_q '[x for x in d["rows"] if x["unit"] == a[0]][0]["branch_status"][0]["last_heard"]' HN.PL.TT.02 <"$TMP/branch.json")" \
	'^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$' "JSON: a last heard from in UTC, ISO 8601"

ok "report --by commune" report commune
is "$(units_of commune)" "HN.MD HN.PL.DL HN.PL.TT" "--by commune: the communes, the one under the province too"
is "$(fig commune HN.PL.TT)" "3 1/1/1/0/0 | 2/4 0/0 0/0 | 5 2 3 3 | 3 1000000" "commune TT: 1 heard from, 1 stale, 1 never synced"
is "$(fig commune HN.PL.DL)" "2 1/0/0/0/1 | 1/1 0/0 0/0 | 2 1 2 2 | 2 1000000" "commune DL: 1 heard from, 1 empty"
is "$(fig commune HN.MD)" "1 1/0/0/0/0 | 0/1 1/2 2/3 | 6 1 3 3 | 1 2000000" "commune MD"
is "$(fig commune total)" "6 3/1/1/0/1 | 3/6 1/2 2/3 | 13 4 8 8 | 6 4000000" "--by commune: the same total"
is "$(json_q '[[t["group"], round(t["percent"], 1), t["met"]] for t in [x for x in d["rows"] if x["unit"] == a[0]][0]["targets"]]' HN.MD <"$TMP/commune.json")" \
	'[["branch_heads_deputies", 0, false], ["commune_presidents_vices", 50, false], ["planned_commune_presidents", 66.7, true]]' \
	"commune MD: presidents and vices 50% (target 100%: not met), planned 66.7% (target 50%: met)"

ok "report --by district" report district
is "$(units_of district)" "HN.PL" "--by district: the one district"
is "$(fig district HN.PL)" "5 2/1/1/0/1 | 3/5 0/0 0/0 | 7 3 5 5 | 5 2000000" "district PL: its two communes"
is "$(fig district total)" "6 3/1/1/0/1 | 3/6 1/2 2/3 | 13 4 8 8 | 6 4000000" \
	"--by district: the total counts the commune under no district too"
ok "report --by province" report province
is "$(fig province HN)" "6 3/1/1/0/1 | 3/6 1/2 2/3 | 13 4 8 8 | 6 4000000" "--by province: the province's row is the total"

# The same figures in the three formats: CSV and JSON alike, figure by
# figure; the table's overview, block headings, targets and totals.
cat >"$TMP/same.py" <<'EOF'
import csv, json, re, sys
by = sys.argv[1]
d = json.load(open(sys.argv[2] + ".json"))
rows = d["rows"] + d["total"]
money = lambda v: "{:,}".format(v).replace(",", ".")
def flat_json(r):
    f = {("branches", k): (str(v) if k != "last_heard" else "0", "0" if k != "last_heard" else (v or ""))
         for k, v in r["branches"].items()}
    for b in r["branch_status"]:
        f[("branch", b["branch"])] = (b["status"], str(b["laptops"]), b["last_heard"] or "", b["name"])
    for k, v in r["members_by_role"].items():
        f[("members_by_role", k)] = (str(v), "0")
    for t in r["targets"]:
        f[("trained", t["group"])] = (str(t["trained"]), str(t["total"]))
        for p in t["not_trained"]:
            f[("not_trained", p["id"])] = (t["group"], p["full_name"],
                str(p["birth_year"] or ""), p["branch"])
    for k, v in r["courses_by_topic"].items():
        f[("courses_by_topic", k)] = (str(v["courses"]), str(v["attendances"]))
    f[("courses_total", "all")] = (str(r["courses"]), str(r["attendances"]))
    f[("trainees_total", "all")] = (str(r["trainees"]), "0")
    for k, v in r["visits_by_reason"].items():
        f[("visits_by_reason", k)] = (str(v["visits"]), str(v["amount_vnd"]))
    f[("visits_total", "all")] = (str(r["visits"]), str(r["amount_vnd"]))
    return f
want = [(r["unit"], r["name"], flat_json(r)) for r in rows]
got, cur = [], None
with open(sys.argv[2] + ".csv", newline="") as fh:
    rd = csv.reader(fh)
    assert next(rd) == ["unit", "unit_name", "section", "key", "count", "value", "detail", "branch"]
    for u, n, sec, key, c, v, det, br in rd:
        if cur is None or (u, n) != cur[:2]:
            cur = (u, n, {})
            got.append(cur)
        if sec == "branch":
            cur[2][(sec, br)] = (key, c, v, det)
        elif sec == "not_trained":
            cur[2][(sec, c)] = (key, v, det, br)
        else:
            cur[2][(sec, key)] = (c, v)
if got != want:
    print("# CSV and JSON differ")
    for (a, b) in zip(got, want):
        if a != b:
            print("# csv ", a[:2], sorted(set(a[2].items()) - set(b[2].items()))[:6])
            print("# json", b[:2], sorted(set(b[2].items()) - set(a[2].items()))[:6])
    sys.exit(1)
# The table: one overview line per row, then a block per row.
text = open(sys.argv[2] + ".txt").read()
for r in rows:
    name = "All" if r is d["total"][0] else r["name"]
    g = r["targets"][0]
    line = re.compile(r"^%s +%s +%d +%d +%d +%d/%d +%.1f%% +%d +%d +%d +%d +%s$" % (
        re.escape(r["unit"]), re.escape(name), r["branches"]["all"], r["branches"]["never_synced"],
        r["branches"]["stale"], g["trained"], g["total"], g["percent"], r["members"],
        r["courses"], r["attendances"], r["visits"], re.escape(money(r["amount_vnd"]))), re.M)
    assert line.search(text), "no overview line for %s %s" % (r["unit"], name)
blocks = re.split(r"^== ", text, flags=re.M)[1:]
assert len(blocks) == len(rows), "%d blocks for %d rows" % (len(blocks), len(rows))
for r, b in zip(rows, blocks):
    assert b.startswith(("All: " if r is d["total"][0] else "") + r["unit"] + " "), b[:40]
    if r["level"] != "branch" or r is d["total"][0]:
        assert ("Branches: %d: %d heard from, %d stale, %d never synced, %d through another hub or unit, %d empty"
                % tuple(r["branches"][k] for k in ("all", "heard", "stale", "never_synced", "indirect", "empty"))) in b, b[:300]
        listed = re.findall(r"^    (?:never synced|stale|empty): (\S+) ", b, re.M)
        assert listed == [x["branch"] for x in r["branch_status"]], (listed, r["branch_status"])
    for t in r["targets"]:
        if t["total"] or r["level"] != "branch" or r is d["total"][0]:
            assert re.search(r" %d of %d +%.1f%%  target %d%%" % (t["trained"], t["total"],
                             t["percent"], t["target_percent"]), b), (r["unit"], t["group"])
        for p in t["not_trained"]:
            who = "not yet trained: %s%s, branch %s" % (p["full_name"],
                  ", born %d" % p["birth_year"] if p["birth_year"] else "", p["branch"])
            assert who in b, who
    assert re.search(r"All courses +%d +%d$" % (r["courses"], r["attendances"]), b, re.M), r["unit"]
    assert "%d different members trained" % r["trainees"] in b
    assert re.search(r"All visits +%d +%s$" % (r["visits"], re.escape(money(r["amount_vnd"]))), b, re.M)
    for k, v in r["visits_by_reason"].items():
        if v["visits"]:
            assert re.search(r" %d +%s$" % (v["visits"], re.escape(money(v["amount_vnd"]))), b, re.M), (r["unit"], k)
print("same")
EOF
for by in branch commune district province; do
	is "$(py "$TMP/same.py" $by "$TMP/$by")" same "--by $by: table, CSV and JSON give the same figures"
done
like "$(cat "$TMP/commune.txt")" "^    stale: HN.PL.TT.02 Chi hội 2, last heard from [0-9-]+ [0-9:]+ \(laptops enrolled: 1\)$" \
	"the table names the stale branch and when it was last heard from"
like "$(cat "$TMP/commune.txt")" "^    empty: HN.PL.DL.02 Chi hội Tây \(laptops enrolled: 0\)$" "...and the empty one apart"

# Times: the table in local time (TZ), JSON in UTC.
last=$(json_q '[x for x in d["rows"] if x["unit"] == "HN.PL.TT"][0]["branch_status"][0]["last_heard"]' <"$TMP/commune.json")
local_time=$(TZ=Asia/Ho_Chi_Minh date -d "$last" '+%Y-%m-%d %H:%M')
like "$(TZ=Asia/Ho_Chi_Minh hub --db "$H" report --year 2026 --by commune)" \
	"stale: HN.PL.TT.02 Chi hội 2, last heard from $local_time " "TZ=Asia/Ho_Chi_Minh: the table shows $local_time for $last"

# --stale DAYS decides what is stale.
ok "report --by commune --stale 60" report commune --stale 60
is "$(fig commune total)" "6 4/0/1/0/1 | 3/6 1/2 2/3 | 13 4 8 8 | 6 4000000" "--stale 60: nothing stale"
ok "report --by commune --stale 3" report commune --stale 3
is "$(fig commune total)" "6 2/2/1/0/1 | 3/6 1/2 2/3 | 13 4 8 8 | 6 4000000" "--stale 3: D (5 days) is stale too"
is "$(json_q '[b["branch"] for x in d["rows"] for b in x["branch_status"] if b["status"] == "stale"]' <"$TMP/commune.json")" \
	'["HN.PL.DL.01", "HN.PL.TT.02"]' "--stale 3 lists DL.01 and TT.02 as stale"
is "$(py "$TMP/same.py" commune "$TMP/commune")" same "--stale 3: the formats agree"

# --names: the people not yet trained, told apart by birth year and branch.
ok "report --by province --names" report province --names
is "$(json_q '[[p["full_name"], p["birth_year"], p["branch"]] for p in d["total"][0]["targets"][0]["not_trained"]]' <"$TMP/province.json")" \
	'[["Hồ Thị Ba", null, "HN.MD.01"], ["Trần Thị Lan", 1980, "HN.PL.TT.01"], ["Trần Thị Lan", 1990, "HN.PL.TT.02"]]' \
	"--names: heads and deputies not trained, in name order, the two Trần Thị Lan apart"
is "$(json_q '[[p["full_name"], p["birth_year"]] for t in d["total"][0]["targets"][1:] for p in t["not_trained"]]' <"$TMP/province.json")" \
	'[["Bùi Thị Chín", 1970], ["Dương Thị Hai", 1985]]' "--names: the vice president and the one planned not yet trained"
like "$(cat "$TMP/province.txt")" "^      not yet trained: Trần Thị Lan, born 1980, branch HN.PL.TT.01 \(" "the table tells the first Trần Thị Lan..."
like "$(cat "$TMP/province.txt")" "^      not yet trained: Trần Thị Lan, born 1990, branch HN.PL.TT.02 \(" "...from the second"
is "$(grep -c ',not_trained,' "$TMP/province.csv")" 10 "CSV: 5 people, in the province's row and the total"
is "$(py "$TMP/same.py" province "$TMP/province")" same "--names: the formats agree"
ok "report --by commune --names" report commune --names
is "$(json_q '[p["full_name"] for x in d["rows"] if x["unit"] == "HN.PL.TT" for p in x["targets"][0]["not_trained"]]' <"$TMP/commune.json")" \
	'["Trần Thị Lan", "Trần Thị Lan"]' "commune TT lists its own two"
is "$(py "$TMP/same.py" commune "$TMP/commune")" same "--names by commune: the formats agree"
is "$(grep -c 'not yet trained' "$TMP/branch.txt")" 0 "without --names, no names"

# The hub's row of a branch is the collector's own report of it.
ok "report --by branch --names" report branch --names
for x in A:HN.PL.TT.01 B:HN.PL.TT.02 D:HN.PL.DL.01 E:HN.MD.01; do
	db=$TMP/${x%%:*}.db br=${x#*:}
	fbd "$db" report --year 2026 --format csv | tr -d '\r' | sed 1d >"$TMP/own.csv"
	grep "^$br," "$TMP/branch.csv" | tr -d '\r' | grep -Ev '^[^,]*,[^,]*,branch(es)?,' |
		cut -d, -f3-6 >"$TMP/hubrow.csv"
	same_file "the hub's row of $br is laptop ${x%%:*}'s own report" "$TMP/own.csv" "$TMP/hubrow.csv"
done

# Another unit, another year; bad options.
run hub --db "$H" report --year 2026 --unit HN.PL.DL --by branch --format json
expect_exit 0 "--unit HN.PL.DL"
is "$(printf '%s' "$OUT" | json_get '" ".join(r["unit"] for r in d["rows"]) + " | " + str(d["total"][0]["branches"]["all"])')" \
	"HN.PL.DL.01 HN.PL.DL.02 | 2" "--unit narrows the rows and the total to its branches"
run hub --db "$H" report --year 2025 --by commune --format json
is "$(printf '%s' "$OUT" | json_get '"%d %d %d" % (d["total"][0]["courses"], d["total"][0]["trainees"], d["total"][0]["targets"][0]["trained"])')" \
	"1 1 1" "2025: B's old course, and its head trained that year"
run hub --db "$H" report --unit HN.XX
expect_exit 65 "an unknown --unit exits 65"
is "$ERR" "fieldbook-hub: --unit: this hub has no unit HN.XX" "...and says so"
run hub --db "$H" report --stale ten
expect_exit 65 "--stale ten exits 65"
is "$ERR" "fieldbook-hub: --stale: 'ten' is not a number of days" "...and says why"
run hub --db "$H" report --stale -1
expect_exit 65 "--stale -1 exits 65"
done_testing
