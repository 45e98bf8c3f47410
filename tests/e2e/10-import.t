#!/usr/bin/env bash
# import: CSV and JSON, round trips, idempotence, all or nothing.
. "$(dirname "$0")/lib.sh"

A=$TMP/a.db
B=$TMP/b.db
C=$TMP/c.db
export FIELDBOOK_DB=$A
fresh_db HN.PL.TT.03
FIELDBOOK_DB=$B fresh_db HN.PL.TT.03
FIELDBOOK_DB=$C fresh_db HN.PL.TT.03

m1=$(new_id fb member add --name "Nguyễn Thị Hồng Nhung" --role branch_head --birth-year 1980 \
	--phone "0912 345 678" --joined 2020-01-02 --notes 'Ghi chú: "quan trọng", nhiều dòng
dòng 2
	thụt lề')
m2=$(new_id fb member add --name "Trần Thị Bình" --role branch_deputy)
t1=$(new_id fb training add --title "Phòng chống bạo lực gia đình" --date 2026-03-08 --end-date 2026-03-09 \
	--topic domestic_violence,gender_equality --location "Nhà văn hóa, thôn 3" --organizer commune \
	--trainer "Hoàng Văn Dũng" --notes "Tài liệu \"A\"")
fb training attend "$t1" "$m1" "$m2" >/dev/null
v1=$(new_id fb visit add --date 2026-01-25 --reason tet --member "$m1" --support gift \
	--amount-vnd 500000 --gift "Áo dài" --visitors "Chi hội trưởng, chi hội phó" --notes "Thăm Tết")
v2=$(new_id fb visit add --date 2026-02-10 --reason illness --person "Bà Tư" --amount-vnd 0)
fb export --format json >"$TMP/a.json"

# CSV round trip into a second database: identical export.
for ty in member training attendance visit; do
	fb export --type "$ty" -o "$TMP/$ty.csv"
done
for ty in member training attendance visit; do
	run env FIELDBOOK_DB="$B" "$FIELDBOOK" import "$TMP/$ty.csv" --type "$ty"
	expect_exit 0 "import $ty.csv exits 0"
done
expect_out "imported $TMP/visit.csv: 2 added, 0 updated, 0 unchanged" "import reports what it added"
FIELDBOOK_DB=$B fb export --format json >"$TMP/b.json"
ok "CSV round trip: export --format json is identical" cmp -s "$TMP/a.json" "$TMP/b.json"
[ -n "$(cmp "$TMP/a.json" "$TMP/b.json" 2>&1)" ] && diag "$(diff "$TMP/a.json" "$TMP/b.json" | head -20)"
for ty in member training attendance visit; do
	FIELDBOOK_DB=$B fb export --type "$ty" >"$TMP/b-$ty.csv"
	ok "CSV round trip: $ty CSV is byte-identical" cmp -s "$TMP/$ty.csv" "$TMP/b-$ty.csv"
done

# Importing the same files again adds nothing.
export FIELDBOOK_DB=$B
for ty in member training attendance visit; do
	snapshot
	run fb import "$TMP/$ty.csv" --type "$ty"
	expect_exit 0 "re-import $ty.csv exits 0"
	expect_out_match "^imported .*: 0 added, 0 updated, [0-9]+ unchanged$" "re-import $ty.csv: 0 added, 0 updated"
	db_unchanged "re-import $ty.csv: database and journal unchanged"
done

# JSON round trip.
export FIELDBOOK_DB=$C
run fb import "$TMP/a.json"
expect_exit 0 "import a.json exits 0"
expect_out "imported $TMP/a.json: 7 added, 0 updated, 0 unchanged" "7 records added from JSON"
fb export --format json >"$TMP/c.json"
ok "JSON round trip: export --format json is identical" cmp -s "$TMP/a.json" "$TMP/c.json"
snapshot
run fb import "$TMP/a.json"
expect_exit 0 "re-import a.json exits 0"
expect_out "imported $TMP/a.json: 0 added, 0 updated, 7 unchanged" "re-import JSON: 7 unchanged"
db_unchanged "re-import JSON: database and journal unchanged"
run fb verify
expect_exit 0 "verify after the imports"

# A CSV row with an existing id updates it.
export FIELDBOOK_DB=$B
printf 'id,phone\r\n%s,0999\r\n' "$m2" >"$TMP/upd.csv"
run fb import "$TMP/upd.csv" --type member
expect_out "imported $TMP/upd.csv: 0 added, 1 updated, 0 unchanged" "a row with a known id updates"
run fb show "$m2" --json
is_j 'd["phone"] + " " + d["full_name"]' "0999 Trần Thị Bình" \
	"only the columns given change"

# Hand-written CSV: quoted comma, quotes, line break; BOM; CRLF; no ids.
export FIELDBOOK_DB=$TMP/d.db
fresh_db
printf '\xef\xbb\xbffull_name,role,notes\r\n"Lê Thị Cúc, con bà Tư",member,"Nói: ""Chào chị"", rồi\nxuống dòng"\r\nAn,,\r\n' >"$TMP/hand.csv"
run fb import "$TMP/hand.csv" --type member
expect_exit 0 "hand-written CSV with BOM, CRLF and quoting imports"
expect_out "imported $TMP/hand.csv: 2 added, 0 updated, 0 unchanged" "2 added"
run fb list members --json
is_j '[[r["full_name"], r.get("notes", "")] for r in d]' \
	'[["An", ""], ["Lê Thị Cúc, con bà Tư", "Nói: \"Chào chị\", rồi\nxuống dòng"]]' \
	"quoted comma, doubled quotes and line break read exactly"
printf 'full_name\nNo final newline' >"$TMP/nonl.csv"
run fb import "$TMP/nonl.csv" --type member
expect_exit 0 "a last row without a line break imports"

# A bad row: line and column named, nothing imported (not even good rows).
export FIELDBOOK_DB=$B
printf 'full_name,role,joined\nAn,member,2020-01-01\nBình,queen,2020-01-01\n' >"$TMP/bad3.csv"
bad 65 "fieldbook: line 3, column 2 (role): unknown value 'queen'; nothing imported" \
	fb import "$TMP/bad3.csv" --type member
run fb list members --json
is_j '[r["full_name"] for r in d if r["full_name"] in ("An", "Bình")]' "[]" \
	"the good row before the bad one was not imported"
printf 'full_name,role,joined\nAn,member,2020-01-01\nBình,member,2026-02-30\n' >"$TMP/bad3d.csv"
bad 65 "fieldbook: line 3, column 3 (joined): '2026-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200); nothing imported" \
	fb import "$TMP/bad3d.csv" --type member
printf 'full_name,notes\nAn,"two\nlines"\nBình,ok\n"",x\n' >"$TMP/bad5.csv"
bad 65 "fieldbook: line 5, column 1 (full_name): must not be empty; nothing imported" \
	fb import "$TMP/bad5.csv" --type member
printf 'visit_date,reason,person_name,amount_vnd\n2026-01-01,tet,A,100\n2026-01-02,tet,B,1.5\n' >"$TMP/bad3a.csv"
bad 65 "fieldbook: line 3, column 4 (amount_vnd): '1.5' is not a whole number of VND from 0 to 1000000000000; nothing imported" \
	fb import "$TMP/bad3a.csv" --type visit
printf 'title,start_date,topics\nA,2026-01-01,stem\nB,2026-01-01,"stem,cooking"\n' >"$TMP/bad3t.csv"
bad 65 "fieldbook: line 3, column 3 (topics): unknown topic 'cooking' (see 'fieldbook training --help'); nothing imported" \
	fb import "$TMP/bad3t.csv" --type training
printf 'full_name\nAn\n\xff\n' >"$TMP/bad3u.csv"
bad 65 "fieldbook: $TMP/bad3u.csv is not UTF-8 (line 3: byte 0xFF), UTF-16 or Windows-1258; save it as CSV UTF-8 (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; LibreOffice: Save As 'Text CSV', character set 'Unicode (UTF-8)')" \
	fb import "$TMP/bad3u.csv" --type member
printf 'visit_date,reason\n2026-01-01,tet\n' >"$TMP/noperson.csv"
bad 65 "fieldbook: line 2: a visit needs a member (--member ID) or a person's name (--person NAME); nothing imported" \
	fb import "$TMP/noperson.csv" --type visit
printf 'full_name,shoe\nA,1\n' >"$TMP/badhead.csv"
bad 65 "fieldbook: line 1, column 2: unknown column 'shoe' (a member has full_name, role, birth_year, phone, joined, notes); name it with --map \"shoe=FIELD\" or leave it out with --map \"shoe=skip\"; nothing imported" \
	fb import "$TMP/badhead.csv" --type member
printf 'full_name,role\nA,member\nB\n' >"$TMP/short.csv"
bad 65 "fieldbook: line 3: 1 fields, the header has 2; nothing imported" \
	fb import "$TMP/short.csv" --type member
printf 'full_name,role\nA,member\n"B,member\n' >"$TMP/unterm.csv"
bad 65 "fieldbook: line 3: unterminated quoted field; nothing imported" \
	fb import "$TMP/unterm.csv" --type member
: >"$TMP/empty.csv"
bad 65 "fieldbook: the file is empty: a header row is needed; nothing imported" \
	fb import "$TMP/empty.csv" --type member
printf 'training_id,member_id\n%s,%s\n' "$t1" "$NOID" >"$TMP/att.csv"
bad 65 "fieldbook: line 2: member_id: no member with id '$NOID'; nothing imported" \
	fb import "$TMP/att.csv" --type attendance

# JSON errors.
printf 'not json' >"$TMP/bad.json"
bad 65 "fieldbook: not valid JSON (near byte 1); nothing imported" fb import "$TMP/bad.json"
printf '[{"type":"member","full_name":"A"},{"type":"member","full_name":"B","role":"x"}]' >"$TMP/bad2.json"
bad 65 "fieldbook: record 2: role: unknown value 'x'; nothing imported" fb import "$TMP/bad2.json"
printf '{"branch":"OTHER","records":[{"type":"member","branch":"OTHER","full_name":"A"}]}' >"$TMP/other.json"
bad 65 "fieldbook: record 1: belongs to branch OTHER, this is HN.PL.TT.03; nothing imported" \
	fb import "$TMP/other.json"

# Missing file: 66.  Usage: 64.
bad 66 "fieldbook: cannot open $TMP/missing.csv: No such file or directory" \
	fb import "$TMP/missing.csv" --type member
bad 66 "fieldbook: cannot open $TMP/missing.json: No such file or directory" fb import "$TMP/missing.json"
bad 64 "fieldbook: a CSV file holds one type: give --type member|training|attendance|visit (see 'fieldbook import --help')" \
	fb import "$TMP/member.csv"
bad 64 "fieldbook: give one file to import (see 'fieldbook import --help')" fb import
bad 64 "fieldbook: unknown type 'cats' (member, training, attendance, visit) (see 'fieldbook import --help')" \
	fb import "$TMP/member.csv" --type cats

done_testing
