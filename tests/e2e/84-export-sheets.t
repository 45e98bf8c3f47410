#!/usr/bin/env bash
# export for spreadsheets: --lang vi (Vietnamese headers and labels) with
# --bom, --format xlsx (a real workbook: ids and phones as text, dates as
# dates, numbers as numbers), report --format xlsx; and every export
# imports back unchanged.
. "$(dirname "$0")/lib.sh"

XLSX_CELLS=$E2E_DIR/../tools/xlsx_cells.py
fresh_db
m=$(new_id fb member add --name "Nguyễn Thị Hồng" --role branch_head --birth-year 1978 \
	--phone 0912345678 --joined 2020-03-08 --notes 'Trưởng chi hội, "nhiệm kỳ"
2022–2027')
m2=$(new_id fb member add --name "Trần Thị Lan" --role commune_president_planned --phone 0087)
gone=$(new_id fb member add --name "Bà Đã Xóa")
t=$(new_id fb training add --title "Bình đẳng giới" --date 2026-03-08 --end-date 2026-03-09 \
	--topic gender_equality,stem --organizer commune --location "Hội trường, xã")
fb training attend "$t" "$m" >/dev/null
v=$(new_id fb visit add --date 2026-01-25 --reason tet --member "$gone" --support gift \
	--amount-vnd 1250000 --gift "Áo dài")
fb delete "$gone"
fb export --format json >"$TMP/all.json"
TYPES="member training attendance visit"

# --lang vi: Vietnamese headers, labels for codes; dates and numbers as
# they are; --bom for Excel.
run fb export --type member --lang vi --bom
is "$(head -c 3 "$OUT_FILE" | od -An -tx1 | tr -d ' ')" "efbbbf" "--lang vi --bom: a BOM first"
like "$OUT" "^.?.?.?Mã,Họ và tên,Vai trò,Năm sinh,Số điện thoại,Ngày vào hội,Ghi chú,Đã xóa"$'\r'"$" \
	"--lang vi: the member headers in Vietnamese (with deleted: a visit names a deleted member)"
expect_out_contains "$m,Nguyễn Thị Hồng,Chi hội trưởng,1978,0912345678,2020-03-08," \
	"--lang vi: the role's label, phone and ISO date as they are"
expect_out_contains "$m2,Trần Thị Lan,Quy hoạch Chủ tịch xã,,0087,," "--lang vi: every role has its label"
run fb export --type training --lang vi
expect_out_contains "Mã,Tên lớp tập huấn,Từ ngày,Đến ngày,Chủ đề,Địa điểm,Cấp tổ chức,Giảng viên,Ghi chú"$'\r' \
	"--lang vi: the training headers"
expect_out_contains "$t,Bình đẳng giới,2026-03-08,2026-03-09,Bình đẳng giới; STEM,\"Hội trường, xã\",Xã,," \
	"--lang vi: topics by their labels, '; ' between; the level's label"
run fb export --type visit --lang vi
expect_out_contains "Mã,Ngày thăm,Lý do,Mã hội viên,Người được thăm,Hình thức hỗ trợ,Số tiền (đồng),Quà tặng,Người đi thăm,Ghi chú"$'\r' \
	"--lang vi: the visit headers"
expect_out_contains "$v,2026-01-25,Thăm hỏi dịp Tết,$gone,,Hiện vật,1250000,Áo dài,,"$'\r' "--lang vi: reason and support by label"

# Every CSV export, in either language, imports back unchanged: into the
# same book (nothing written), and into a new one (the same records).
for lang in en vi; do
	for ty in $TYPES; do
		fb export --type "$ty" --lang "$lang" --bom -o "$TMP/$lang-$ty.csv"
	done
	snapshot
	for ty in $TYPES; do
		run fb import "$TMP/$lang-$ty.csv" --type "$ty"
		expect_out_match "^imported .*: 0 added, 0 updated, [0-9]+ unchanged$" \
			"--lang $lang $ty CSV into its own book: all unchanged"
	done
	db_unchanged "--lang $lang CSV into its own book: nothing written"
	FIELDBOOK_DB=$TMP/$lang.db fresh_db
	for ty in $TYPES; do
		FIELDBOOK_DB=$TMP/$lang.db fb import "$TMP/$lang-$ty.csv" --type "$ty" >/dev/null
	done
	FIELDBOOK_DB=$TMP/$lang.db fb export --format json >"$TMP/$lang.json"
	ok "--lang $lang CSV into a new book: the same records (export --format json identical)" \
		cmp -s "$TMP/all.json" "$TMP/$lang.json"
done

# xlsx: a sheet per type; ids and phones are text, dates dates, years
# and amounts numbers.
run fb export --format xlsx -o "$TMP/all.xlsx"
expect_exit 0 "export --format xlsx -o FILE"
expect_out "" "nothing on stdout"
zip_ok() { py -c 'import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)' "$1"; }
ok "the workbook is a whole zip file" zip_ok "$TMP/all.xlsx"
is "$(py "$XLSX_CELLS" "$TMP/all.xlsx" sheets | tr '\n' ' ')" "members trainings attendances visits " \
	"one worksheet per type"
py "$XLSX_CELLS" "$TMP/all.xlsx" cells 1 >"$TMP/cells1"
cells=$(<"$TMP/cells1")
like "$cells" "^E[0-9]+ text 0912345678$" "a phone is a text cell, its 0 kept"
like "$cells" "^E[0-9]+ text 0087$" "a short phone with zeros too"
like "$cells" "^A[0-9]+ text $m$" "an id is a text cell"
like "$cells" "^D[0-9]+ number 1978$" "a birth year is a number"
like "$cells" "^F[0-9]+ date 2020-03-08$" "a joined date is a date"
like "$(py "$XLSX_CELLS" "$TMP/all.xlsx" cells 2)" "^C2 date 2026-03-08$" "a training's start is a date"
like "$(py "$XLSX_CELLS" "$TMP/all.xlsx" cells 4)" "^G2 number 1250000$" "an amount is a number"
unzip -p "$TMP/all.xlsx" xl/styles.xml >"$TMP/styles.xml"
ok "dates show as yyyy-mm-dd" grep -q 'formatCode="yyyy-mm-dd"' "$TMP/styles.xml"
# As a spreadsheet would save it: every sheet imports back unchanged.
FIELDBOOK_DB=$TMP/x.db fresh_db
n=1
for ty in $TYPES; do
	py "$XLSX_CELLS" "$TMP/all.xlsx" csv "$n" >"$TMP/x-$ty.csv"
	run env FIELDBOOK_DB="$TMP/x.db" "$FIELDBOOK" import "$TMP/x-$ty.csv" --type "$ty"
	expect_exit 0 "xlsx sheet $n ($ty), saved as CSV, imports"
	n=$((n + 1))
done
FIELDBOOK_DB=$TMP/x.db fb export --format json >"$TMP/x.json"
ok "xlsx into a new book: the same records" cmp -s "$TMP/all.json" "$TMP/x.json"

# --lang vi in a workbook: Vietnamese sheets, headers, labels, dd/mm/yyyy.
run fb export --format xlsx --lang vi --type training -o "$TMP/vi.xlsx"
expect_exit 0 "export --format xlsx --lang vi --type training"
is "$(py "$XLSX_CELLS" "$TMP/vi.xlsx" sheets)" "Lớp tập huấn" "one sheet, named in Vietnamese"
py "$XLSX_CELLS" "$TMP/vi.xlsx" csv 1 >"$TMP/vi-training.csv"
like "$(<"$TMP/vi-training.csv")" "^Mã,Tên lớp tập huấn,Từ ngày," "Vietnamese headers"
ok "dates show as dd/mm/yyyy" sh -c "unzip -p '$TMP/vi.xlsx' xl/styles.xml | grep -q 'formatCode=\"dd/mm/yyyy\"'"
snapshot
run fb import "$TMP/vi-training.csv" --type training
expect_out "imported $TMP/vi-training.csv: 0 added, 0 updated, 1 unchanged" "the Vietnamese workbook imports back unchanged"
db_unchanged

# Files and usage.
bad 74 "fieldbook: $TMP/all.xlsx exists; choose another name or remove it" \
	fb export --format xlsx -o "$TMP/all.xlsx"
bad 64 "fieldbook: --lang is en or vi, not 'fr' (see 'fieldbook export --help')" \
	fb export --type member --lang fr
bad 64 "fieldbook: --lang vi is for csv and xlsx: JSON keeps the codes (see 'fieldbook export --help')" \
	fb export --format json --lang vi
bad 64 "fieldbook: --bom is for CSV (see 'fieldbook export --help')" \
	fb export --format xlsx --bom -o "$TMP/b.xlsx"

# report --format xlsx.
run fb report --year 2026 --format xlsx -o "$TMP/report.xlsx"
expect_exit 0 "report --format xlsx -o FILE"
is "$(py "$XLSX_CELLS" "$TMP/report.xlsx" sheets)" "Report 2026" "the report's sheet"
py "$XLSX_CELLS" "$TMP/report.xlsx" cells 1 >"$TMP/rcells"
rcells=$(<"$TMP/rcells")
like "$rcells" "^A1 text Fieldbook report 2026: branch HN.PL.TT.03$" "the report's heading"
py "$XLSX_CELLS" "$TMP/report.xlsx" csv 1 >"$TMP/report.csv"
report=$(<"$TMP/report.csv")
like "$report" "^Chi hội trưởng,branch_head,1," "members by role: label, code, count"
like "$report" "^Branch heads and deputies,branch_heads_deputies,1,1,100,100,met" \
	"a target group: trained, total, percent, target, met"
like "$report" "^Trần Thị Lan,planned_commune_presidents,$m2,Quy hoạch Chủ tịch xã" \
	"not yet trained: name, group, id as text, role"
like "$report" "^Bình đẳng giới,gender_equality,1,1" "courses by topic"
like "$report" "^Thăm hỏi dịp Tết,tet,1,1250000" "visits by reason with the amount"
like "$rcells" "^C[0-9]+ text $m2$" "the id of a person is a text cell"
like "$rcells" "^D[0-9]+ number 1250000$" "an amount is a number cell"
bad 74 "fieldbook: $TMP/report.xlsx exists; choose another name or remove it" \
	fb report --year 2026 --format xlsx -o "$TMP/report.xlsx"
bad 64 "fieldbook: --format is table, csv, json or xlsx, not 'ods' (see 'fieldbook report --help')" \
	fb report --format ods

done_testing
