#!/usr/bin/env bash
# fieldbook-hub init and the unit commands: add, import, list, rename,
# move, remove; the tree's rule (a province under the centre, a district
# under a province, a commune under a district or a province, a branch
# under a commune); an import that is all or nothing, names every bad
# row, takes rows in any order and changes nothing when run again; a
# country's list of ~10,700 units imported twice; and what a rename or a
# move does to tokens and reports.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
UNITS_VN=$E2E_DIR/../tools/units_vn.py
units() { hub_sql "$H" "select count(*) from unit"; }

# --- init and unit add ---------------------------------------------------
run hub --db "$H" init --unit HN --name "Hà Nội" --level province
expect_exit 0 "init creates the hub for its top unit"
expect_out_contains "hub for HN (Hà Nội) created at $(hub_store "$H")" "and says so"
run hub --db "$H" init --unit HN --name "Hà Nội" --level province
expect_exit 65 "a second init is refused"
is "$(units)" 1 "one unit: the top"
run hub --db "$TMP/b.db" init --unit HN.X --name "Chi hội" --level branch
expect_exit 65 "a hub for a branch is refused"
expect_err "fieldbook-hub: a hub serves a commune or a wider unit, not a branch (a branch's book is its laptop)"

run hub --db "$H" unit add HN.PL --parent HN --level district --name "Phúc Lợi"
expect_exit 0 "unit add under the top"
expect_out "unit HN.PL (district, Phúc Lợi) added under HN" "says what it added"
run hub --db "$H" unit add HN.PL --parent HN --level district --name "Phúc Lợi"
expect_exit 65 "the same code again is refused"
expect_err "fieldbook-hub: unit HN.PL exists already" "says it exists"
run hub --db "$H" unit add HN.X --parent HN.NONE --level district --name "X"
expect_exit 65 "a unit under a parent that does not exist"
expect_err "fieldbook-hub: no parent unit HN.NONE" "names the parent"
run hub --db "$H" unit add "bad code" --parent HN --level district --name "X"
expect_exit 65 "a code with a space is refused"
is "$(units)" 2 "two units"

# The rule of levels, in add.
run hub --db "$H" unit add HN.PL.B --parent HN.PL --level branch --name "Chi hội"
expect_exit 65 "a branch directly under a district is refused"
expect_err "fieldbook-hub: a branch sits under a commune, not under a district (HN.PL)"
run hub --db "$H" unit add HN.PL.TT --parent HN.PL --level commune --name "Xã Thanh Thủy"
expect_exit 0 "a commune under a district"
run hub --db "$H" unit add HN.PL.TT.X --parent HN.PL.TT --level commune --name "Xã X"
expect_exit 65 "a commune under a commune is refused"
expect_err "fieldbook-hub: a commune sits under a district or directly under a province, not under a commune (HN.PL.TT)"
run hub --db "$H" unit add HN.Q --parent HN --level province --name "Q"
expect_exit 65 "a province under a province is refused"
run hub --db "$H" unit add HN.MD --parent HN --level commune --name "Phường Mỹ Đình"
expect_exit 0 "a commune directly under a province (no district since 2025)"
is "$(units)" 4 "four units"

# --- unit import ------------------------------------------------------------
# A child before its parent.
printf 'code,parent,level,name\nHN.PL.TT.03,HN.PL.TT,branch,Chi hội 3\nHN.PL.TT,HN.PL,commune,Xã Thanh Thủy\nHN.MD.01,HN.MD,branch,Chi hội 1\n' >"$TMP/ok.csv"
run hub --db "$H" unit import "$TMP/ok.csv"
expect_exit 0 "an import whose branch comes before the commune it sits under"
expect_out "imported $TMP/ok.csv: 2 added, 0 renamed, 0 moved, 1 unchanged" \
	"counts what it added and what it found as it is"
is "$(units)" 6 "six units"
before=$(hub_writes "$H")
run hub --db "$H" unit import "$TMP/ok.csv"
expect_out "imported $TMP/ok.csv: 0 added, 0 renamed, 0 moved, 3 unchanged" "run again: nothing changes"
is "$(hub_writes "$H")" "$before" "...and the database is not written"

printf 'code,parent,level,name\nHN.PL.TT.04,HN.PL.TT,branch,Chi hội 4\nHN.PL.TT.05,HN.NOPE,branch,Chi hội 5\n' >"$TMP/bad.csv"
run hub --db "$H" unit import "$TMP/bad.csv"
expect_exit 65 "an import with a unit under a missing parent"
expect_err "fieldbook-hub: line 3: no parent unit HN.NOPE; nothing imported" \
	"names the line and the parent"
is "$(units)" 6 "all or nothing: the good row before it is not kept"

# Every bad row is named, each on its line, then the count.
{
	echo "code,parent,level,name"
	echo "HN.PL.TT.06,HN.PL.TT,branch,Chi hội 6"     # 2: good
	echo "HN.PL.B7,HN.PL,branch,Chi hội 7"           # 3: a branch under a district
	echo "bad code,HN,district,X"                    # 4: the code
	echo "HN.PL,HN,commune,Phúc Lợi"                 # 5: a level changed
	echo "HN.PL.TT.06,HN.PL.TT,branch,Chi hội 6"     # 6: given twice
	echo "HN.PL.TT.08,HN.PL.TT,village,Thôn 8"       # 7: no such level
	echo "HN.PL.TT.09,HN.PL.TT,branch,"              # 8: no name
	echo "HN.PL.TT.10,HN.PL.TT,branch"               # 9: a field short
} >"$TMP/many.csv"
run hub --db "$H" unit import "$TMP/many.csv"
expect_exit 65 "an import with seven bad rows"
is "$ERR" "fieldbook-hub: line 4: unit code 'bad code' is not valid (1 to 64 letters, digits, '.', '-', '_')
fieldbook-hub: line 7: level 'village' is not one of central, province, district, commune, branch
fieldbook-hub: line 8: unit HN.PL.TT.09 needs a name (UTF-8, at most 200 bytes)
fieldbook-hub: line 9: 3 fields, not 4
fieldbook-hub: 4 bad rows above; nothing imported" "the rows that cannot be read, each named, before the tree is looked at"
sed -i '4d;7,9d' "$TMP/many.csv"
run hub --db "$H" unit import "$TMP/many.csv"
expect_exit 65 "the rows that read, checked against the tree"
is "$ERR" "fieldbook-hub: line 3: a branch sits under a commune, not under a district (HN.PL)
fieldbook-hub: line 4: unit HN.PL is a district: a unit's level does not change (remove it and add it again as a commune)
fieldbook-hub: line 5: unit HN.PL.TT.06 is given twice: here and before (line 2)
fieldbook-hub: 3 bad rows above; nothing imported" "each named with its line"
is "$(units)" 6 "nothing imported"

{
	echo "code,parent,level,name"
	for i in $(seq 25); do echo "HN.PL.X$i,HN.PL,branch,Chi hội $i"; done
} >"$TMP/25.csv"
run hub --db "$H" unit import "$TMP/25.csv"
expect_exit 65 "25 bad rows"
like "$ERR" "^fieldbook-hub: line 21: a branch sits under a commune" "the 20th is named"
like "$ERR" "^fieldbook-hub: 25 bad rows, the first 20 above; nothing imported$" "then the count"
is "$(grep -c 'line' <<<"$ERR")" 20 "no more than 20 named"

printf 'code,parent,name\nHN.A,HN,A\n' >"$TMP/head.csv"
run hub --db "$H" unit import "$TMP/head.csv"
expect_exit 65 "a file without the header"
expect_err "fieldbook-hub: line 1: the header must be code,parent,level,name" "says what the header is"

# A path that opens but cannot be read (a directory: read fails with
# EISDIR) is an I/O error, not an empty file imported.
mkdir -p "$TMP/dir.csv"
run hub --db "$H" unit import "$TMP/dir.csv"
expect_exit 74 "a file that cannot be read is an I/O error (74)"
like "$ERR" '^fieldbook-hub: cannot read .*dir.csv: Is a directory; nothing imported$' \
	"one line: what could not be read, and that nothing was imported"
is "$(units)" 6 "no unit added"

# Renamed and moved by an import; a name in NFD is kept in NFC.
nfd=$(py -c 'import unicodedata; print(unicodedata.normalize("NFD", "Xã Thanh Thủy mới"))')
printf 'code,parent,level,name\nHN.PL.TT,HN,commune,%s\nHN.MD,HN,commune,Phường Mỹ Đình 1\nHN.PL.TT.03,HN.PL.TT,branch,Chi hội 3\n' "$nfd" >"$TMP/re.csv"
run hub --db "$H" unit import "$TMP/re.csv"
expect_out "imported $TMP/re.csv: 0 added, 2 renamed, 1 moved, 1 unchanged" \
	"a rename and a move counted (the commune both)"
is "$(hub_sql "$H" "select parent from unit where code = 'HN.PL.TT'")|$(hub_sql "$H" "select name from unit where code = 'HN.PL.TT'" |
	tr -d '\n' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" \
	"HN|$(printf 'Xã Thanh Thủy mới' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" \
	"the commune is under the province now, its name in NFC"

# --- unit list -------------------------------------------------------------------
run hub --db "$H" unit list
expect_exit 0 "unit list"
is "$OUT" "CODE             LEVEL     BRANCHES  DEVICES  NAME
HN               province         2        0  Hà Nội
  HN.MD          commune          1        0  Phường Mỹ Đình 1
    HN.MD.01     branch           1        0  Chi hội 1
  HN.PL          district         0        0  Phúc Lợi
  HN.PL.TT       commune          1        0  Xã Thanh Thủy mới
    HN.PL.TT.03  branch           1        0  Chi hội 3" "a tree: each code indented under its parent, children by code"
run hub --db "$H" unit list --under HN.PL.TT --format csv
is "${OUT//$'\r'/}" "code,parent,level,name,depth,branches,devices
HN.PL.TT,HN,commune,Xã Thanh Thủy mới,0,1,0
HN.PL.TT.03,HN.PL.TT,branch,Chi hội 3,1,1,0" "--under and --format csv"
is "$(hub --db "$H" unit list --format json | json_get '[(x["code"], x["parent"], x["depth"]) for x in d][:2]')" \
	'[["HN", null, 0], ["HN.MD", "HN", 1]]' "--format json: the top's parent is null"
hub --db "$H" unit list --format csv >"$TMP/list.csv"
before=$(hub_writes "$H")
run hub --db "$H" unit import "$TMP/list.csv"
expect_out "imported $TMP/list.csv: 0 added, 0 renamed, 0 moved, 6 unchanged" \
	"the list's CSV imports as it is, and changes nothing"
is "$(hub_writes "$H")" "$before" "...the database not written"
run hub --db "$H" unit list --under HN.NOPE
expect_exit 65 "--under a unit that does not exist"
expect_err "fieldbook-hub: no unit HN.NOPE"
run hub --db "$H" unit list --format xml
expect_exit 64 "--format xml is a usage error"

# --- rename, move, remove -------------------------------------------------------------
run hub --db "$H" unit rename HN.PL --name "  Phúc Lộc "
expect_exit 0 "rename"
expect_out "unit HN.PL renamed: Phúc Lộc" "trimmed"
run hub --db "$H" unit rename HN.PL --name "Phúc Lộc"
expect_out "unit HN.PL is named Phúc Lộc already; nothing changed" "the same name again"
run hub --db "$H" unit rename HN.NOPE --name X
expect_exit 65 "rename of no unit"
expect_err "fieldbook-hub: no unit HN.NOPE"
run hub --db "$H" unit move HN.PL.TT --parent HN.PL.TT.03
expect_exit 65 "a commune under its own branch is refused"
run hub --db "$H" unit add HN.BV --parent HN --level district --name "Ba Vì"
run hub --db "$H" unit move HN.PL --parent HN.BV
expect_exit 65 "a district under a district"
run hub --db "$H" unit move HN --parent HN.PL
expect_exit 65 "the hub's own unit does not move"
expect_err "fieldbook-hub: unit HN is this hub's own unit: it sits under no other here"
run hub --db "$H" unit move HN.PL.TT --parent HN.PL.TT
expect_exit 65 "a unit under itself"
expect_err "fieldbook-hub: unit HN.PL.TT cannot sit under itself"
run hub --db "$H" unit move HN.PL.TT --parent HN.PL
expect_exit 0 "a commune back under its district"
expect_out "unit HN.PL.TT moved under HN.PL"
run hub --db "$H" unit move HN.PL.TT --parent HN.PL
expect_out "unit HN.PL.TT is under HN.PL already; nothing changed" "moved again: nothing"

run hub --db "$H" unit remove HN
expect_exit 65 "the hub's own unit is not removed"
run hub --db "$H" unit remove HN.PL
expect_exit 65 "a unit with units under it"
expect_err "fieldbook-hub: unit HN.PL has 1 unit under it; nothing was removed" "says why"
run hub --db "$H" unit remove HN.NOPE
expect_exit 65 "no such unit"
expect_err "fieldbook-hub: no unit HN.NOPE"
run hub --db "$H" unit remove HN.BV
expect_exit 0 "an empty district is removed"
expect_out "unit HN.BV removed"
is "$(hub_sql "$H" "select count(*) from unit where code = 'HN.BV'")" 0 "...gone"

# --- tokens and reports across a move and a rename ---------------------------------------
run hub --db "$H" unit add HN.BV --parent HN --level district --name "Ba Vì"
enroll "$H" HN.PL.TT.03 "laptop of branch 3" "$TMP/t3"
enroll "$H" HN.PL "district officer" "$TMP/tpl"
start_hub "$H"
new_collector "$TMP/l3.db" HN.PL.TT.03 "$TMP/t3"
fbd "$TMP/l3.db" member add --name "Nguyễn Thị Hồng" --role branch_head >/dev/null
run fbd "$TMP/l3.db" sync
expect_exit 0 "branch 3's laptop syncs"
new_collector "$TMP/ld.db" HN.PL.TT.03 "$TMP/tpl"
fbd "$TMP/ld.db" member add --name "Trần Thị Lan" >/dev/null
run fbd "$TMP/ld.db" sync
expect_exit 0 "the district's token writes branch 3, which is inside its district"

# unit_total UNIT: every number of UNIT's row in the report by district,
# added up (whatever the report's columns are called).
unit_total() {
	hub --db "$H" report --by district --format json | py -c '
import json, sys
def rows(x):
    if isinstance(x, dict):
        if x.get("unit") == sys.argv[1] or x.get("code") == sys.argv[1]:
            yield x
        for v in x.values():
            yield from rows(v)
    elif isinstance(x, list):
        for v in x:
            yield from rows(v)
print(int(sum(v for r in rows(json.load(sys.stdin)) for v in r.values()
              if isinstance(v, (int, float)) and not isinstance(v, bool))))' "$1"
}
like "$(unit_total HN.PL)" '^[1-9]' "the report counts the records under Phúc Lộc"
is "$(unit_total HN.BV)" 0 "...and none under Ba Vì"
run hub --db "$H" unit remove HN.PL.TT.03
expect_exit 65 "a branch with records and devices is not removed"
expect_err "fieldbook-hub: unit HN.PL.TT.03 has 2 records, 1 device enrolled for it (revoked ones count: their rows keep its history); nothing was removed" \
	"says both reasons"

run hub --db "$H" unit move HN.PL.TT --parent HN.BV
expect_exit 0 "the commune moves to Ba Vì while the hub serves"
is "$(unit_total HN.PL)" 0 "the report counts none under Phúc Lộc now"
like "$(unit_total HN.BV)" '^[1-9]' "...and the commune's records under Ba Vì"
fbd "$TMP/l3.db" member add --name "Lê Thị Mai" >/dev/null
run fbd "$TMP/l3.db" sync
expect_exit 0 "the branch's token keeps its unit: it still syncs"
fbd "$TMP/ld.db" member add --name "Phạm Thị Hoa" >/dev/null
run fbd "$TMP/ld.db" sync
expect_exit 77 "the district's token no longer covers branch 3, now under Ba Vì"
run hub --db "$H" unit rename HN.PL.TT.03 --name "Chi hội 3 (mới)"
run hub --db "$H" report --by branch --format csv
expect_out_match "^HN.PL.TT.03,Chi hội 3 \(mới\)," "the report names the branch by its new name"
run fbd "$TMP/l3.db" sync
expect_exit 0 "a rename changes nothing for the token"
stop_hub

# --- a country's list ---------------------------------------------------------------
C=$TMP/central.db
py "$UNITS_VN" --shuffle "$TMP/vn.csv" 2>/dev/null
rows=$(($(wc -l <"$TMP/vn.csv") - 1))
ok "the country's list has over 10,500 units ($rows)" test "$rows" -gt 10500
like "$(grep -c ',commune,' "$TMP/vn.csv")" '^1[0-9]{4}$' "...over 10,000 of them communes and wards"
hub --db "$C" init --unit VN --name "Trung ương" --level central >/dev/null
t0=$(date +%s%N)
run hub --db "$C" unit import "$TMP/vn.csv"
t1=$(date +%s%N)
expect_exit 0 "the country's list imports in one go (rows in a random order)"
expect_out "imported $TMP/vn.csv: $rows added, 0 renamed, 0 moved, 0 unchanged"
diag "import of $rows units: $(((t1 - t0) / 1000000)) ms"
before=$(hub_writes "$C")
changes=$(hub_sql "$C" "select count(*) from unit")
run hub --db "$C" unit import "$TMP/vn.csv"
expect_out "imported $TMP/vn.csv: 0 added, 0 renamed, 0 moved, $rows unchanged" "imported again: nothing changes"
is "$(hub_writes "$C"):$(hub_sql "$C" "select count(*) from unit")" "$before:$changes" \
	"...the database is not written"
hub --db "$C" unit list --format csv | cut -d, -f1-4 | tail -n +2 | sort >"$TMP/back.csv"
tail -n +2 "$TMP/vn.csv" | sort >"$TMP/in.csv"
sed -i '/^VN,,central,/d' "$TMP/back.csv"
same_file "every unit comes back as it went in, byte for byte" "$TMP/in.csv" "$TMP/back.csv"
done_testing
