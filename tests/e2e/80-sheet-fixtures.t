#!/usr/bin/env bash
# The spreadsheets of tests/fixtures/spreadsheets, saved by LibreOffice
# under a Vietnamese locale in three ways (and the workbooks they came
# from): every one imports into exactly the records a person meant.
. "$(dirname "$0")/lib.sh"

FIX=$E2E_DIR/../fixtures/spreadsheets
XLSX_CELLS=$E2E_DIR/../tools/xlsx_cells.py

# What the branch head meant, as export --format json shows it (less the
# ids): the zeros of the phones back, dates in full, codes for labels.
MEMBERS='[{"full_name": "Nguyễn Thị Hồng Nhung", "role": "branch_head", "birth_year": "1978", "phone": "0912345678", "notes": "Trưởng chi hội, nhiệm kỳ 2022–2027"}, {"full_name": "Trần Thị Lan", "role": "branch_deputy", "birth_year": "1982", "phone": "0987000222"}, {"full_name": "Lê Thị Ánh Tuyết", "role": "member", "birth_year": "1990", "phone": "0903111222", "notes": "Hộ khó khăn; đã thăm dịp Tết"}, {"full_name": "Phạm Thị Đào", "role": "member", "birth_year": "1965", "notes": "Ốm dài ngày"}, {"full_name": "Đỗ Thị Ngọc Ánh", "role": "member", "birth_year": "1999", "phone": "0355666777"}]'
TRAININGS='[{"title": "Nuôi dạy con tốt", "start_date": "2026-05-10", "topics": "parenting", "location": "Nhà văn hóa xóm 2", "organizer_level": "branch", "trainer": "Cô Nguyễn Thị Bích"}, {"title": "An toàn thực phẩm trong gia đình", "start_date": "2026-07-22", "end_date": "2026-07-23", "topics": "food_safety,child_injury", "location": "Trường tiểu học", "organizer_level": "commune"}]'
# The records of one type, in the sheet's order (by their ids, made in
# that order), without id, branch, type and deleted.
PICK='[{k: v for k, v in r.items() if k not in ("id", "branch", "type", "deleted")} for r in sorted(d["records"], key=lambda r: r["id"]) if r["type"] == T]'
STT_NOTE="fieldbook: column 1 (STT) ignored: the sheet's own row numbers"
PHONE_NOTE="fieldbook: 4 phone numbers got back the leading 0 a spreadsheet had dropped (lines 2, 3, 4, 6)"

check_book() {
	local how=$1
	run fb export --format json
	is_j "${PICK/T/\"member\"}" "$MEMBERS" "$how: the five members as meant"
	is_j "${PICK/T/\"training\"}" "$TRAININGS" "$how: the two trainings as meant"
	sql_query "$FIELDBOOK_DB" "select count(*) from record where vals like '%' || char(0x0300) || '%'
		or vals like '%' || char(0x0301) || '%' or vals like '%' || char(0x0303) || '%'
		or vals like '%' || char(0x0309) || '%' or vals like '%' || char(0x0323) || '%'"
	is "$SQL_OUT" 0 "$how: no combining tone left: the text is NFC"
}

for how in semicolon-utf8 tab-utf16 comma-cp1258; do
	export FIELDBOOK_DB=$TMP/$how.db
	fresh_db
	run fb import "$FIX/$how/dev-members.csv" --type member
	expect_exit 0 "$how: the member list imports"
	expect_out "imported $FIX/$how/dev-members.csv: 5 added, 0 updated, 0 unchanged" \
		"$how: 5 members added"
	is "$ERR" "$STT_NOTE
$PHONE_NOTE" "$how: notices: STT ignored, four phones given back their 0"
	run fb import "$FIX/$how/dev-trainings.csv" --type training
	expect_exit 0 "$how: the training list imports"
	expect_out "imported $FIX/$how/dev-trainings.csv: 2 added, 0 updated, 0 unchanged" \
		"$how: 2 trainings added"
	is "$ERR" "$STT_NOTE" "$how: notice: STT ignored"
	check_book "$how"
done

# The same lists saved three ways are the same lists: each imports into
# a book that holds them as unchanged, and nothing is written.
export FIELDBOOK_DB=$TMP/semicolon-utf8.db
for how in semicolon-utf8 tab-utf16 comma-cp1258; do
	snapshot
	run fb import "$FIX/$how/dev-members.csv" --type member
	expect_out "imported $FIX/$how/dev-members.csv: 0 added, 0 updated, 5 unchanged" \
		"again, $how members: 5 unchanged"
	run fb import "$FIX/$how/dev-trainings.csv" --type training
	expect_out "imported $FIX/$how/dev-trainings.csv: 0 added, 0 updated, 2 unchanged" \
		"again, $how trainings: 2 unchanged"
	db_unchanged "again, $how: database and journal unchanged"
done

# The workbooks they were saved from, read cell by cell (as a spreadsheet
# saves them: numbers as numbers, dates as dates) into CSV.
export FIELDBOOK_DB=$TMP/xlsx.db
fresh_db
py "$XLSX_CELLS" "$FIX/dev-members.xlsx" csv 1 >"$TMP/m.csv"
py "$XLSX_CELLS" "$FIX/dev-trainings.xlsx" csv 1 >"$TMP/t.csv"
run fb import "$TMP/m.csv" --type member
expect_out "imported $TMP/m.csv: 5 added, 0 updated, 0 unchanged" "the member workbook's cells import"
run fb import "$TMP/t.csv" --type training
expect_out "imported $TMP/t.csv: 2 added, 0 updated, 0 unchanged" "the training workbook's cells import"
check_book "xlsx"

# Nobody is added twice across the ways: the workbook's CSV into the
# book the comma file made.
export FIELDBOOK_DB=$TMP/comma-cp1258.db
run fb import "$TMP/m.csv" --type member
expect_out "imported $TMP/m.csv: 0 added, 0 updated, 5 unchanged" "the workbook's members are the comma file's"

done_testing
