#!/usr/bin/env bash
# import: rows without an id find their record by a key (member: name and
# birth year or phone; training: title and date; visit: date, reason and
# person), so a sheet imported twice adds nobody twice; ambiguous rows
# are refused with the candidates; --dry-run changes nothing; every bad
# row is reported, and nothing is imported.
. "$(dirname "$0")/lib.sh"

fresh_db
printf 'Họ và tên;Năm sinh;Số điện thoại;Vai trò\nNguyễn Thị Lan;1980;0912345678;Hội viên\nTrần Thị Bình;;0987000222;Hội viên\nLê Thị Hoa;;;Hội viên\n' >"$TMP/m.csv"
run fb import "$TMP/m.csv" --type member
expect_out "imported $TMP/m.csv: 3 added, 0 updated, 0 unchanged" "a sheet without ids: 3 added"
snapshot
run fb import "$TMP/m.csv" --type member
expect_out "imported $TMP/m.csv: 0 added, 0 updated, 3 unchanged" "the same sheet again: 3 unchanged"
db_unchanged "the same sheet again: nothing written"

# Case, spacing and the place of a tone do not make another person.
printf 'Họ và tên,Năm sinh\nNGUYỄN  THỊ LAN,1980\n' >"$TMP/case.csv"
run fb import "$TMP/case.csv" --type member
expect_out "imported $TMP/case.csv: 0 added, 1 updated, 0 unchanged" \
	"name in capitals with two spaces: the same member, updated"
run fb list members --json
is_j '[r["full_name"] for r in d if r.get("birth_year") == "1980"]' '["NGUYỄN  THỊ LAN"]' \
	"...whose name is now as the sheet writes it"
printf 'Họ và tên,Năm sinh\nNguyễn Thị Lan,1980\n' >"$TMP/back.csv"
fb import "$TMP/back.csv" --type member >/dev/null

# An update by key: a new phone for the member of that name and year.
printf 'Họ và tên,Năm sinh,Số điện thoại,Ghi chú\nNguyễn Thị Lan,1980,0911000111,Đổi số\n' >"$TMP/upd.csv"
run fb import "$TMP/upd.csv" --type member
expect_out "imported $TMP/upd.csv: 0 added, 1 updated, 0 unchanged" "a new phone with the same name and year: updated"
run fb list members --json
is_j '[(r["phone"], r["notes"]) for r in d if r["full_name"] == "Nguyễn Thị Lan"]' '[["0911000111", "Đổi số"]]' \
	"the member's phone and notes are the sheet's"
# Without a birth year, the phone tells: the same phone is the same member.
printf 'Họ và tên,Số điện thoại,Năm sinh\nTrần Thị Bình,0987000222,1975\n' >"$TMP/phone.csv"
run fb import "$TMP/phone.csv" --type member
expect_out "imported $TMP/phone.csv: 0 added, 1 updated, 0 unchanged" "name and phone: the same member, her year added"
# Another birth year is another person of the same name.
printf 'Họ và tên,Năm sinh\nNguyễn Thị Lan,1992\n' >"$TMP/other.csv"
run fb import "$TMP/other.csv" --type member
expect_out "imported $TMP/other.csv: 1 added, 0 updated, 0 unchanged" "same name, another birth year: another member"
lan80=$(fb list members --json | json_get '[r["id"] for r in d if r.get("birth_year") == "1980"][0]')
lan92=$(fb list members --json | json_get '[r["id"] for r in d if r.get("birth_year") == "1992"][0]')

# A row that could be either is refused, naming both.
printf 'Họ và tên,Ghi chú\nNguyễn Thị Lan,?\n' >"$TMP/amb.csv"
bad 65 "fieldbook: line 2: 2 members match by name: Nguyễn Thị Lan (1992, $lan92); Nguyễn Thị Lan (1980, 0911000111, $lan80); give the row an id column, or tell them apart by birth year or phone; nothing imported" \
	fb import "$TMP/amb.csv" --type member
# With an id column the row goes to its record whatever its name.
printf 'id,Họ và tên,Ghi chú\n%s,Nguyễn Thị Lan,by id\n' "$lan92" >"$TMP/byid.csv"
run fb import "$TMP/byid.csv" --type member
expect_out "imported $TMP/byid.csv: 0 added, 1 updated, 0 unchanged" "an id column settles it"

# One sheet listing a person twice is refused: re-importing it would be
# ambiguous.
printf 'Họ và tên,Năm sinh\nĐinh Thị Mai,1970\nVõ Thị Xuân,1971\nĐinh Thị Mai,1970\n' >"$TMP/twice.csv"
snapshot
run fb import "$TMP/twice.csv" --type member
expect_exit 65 "a sheet listing a member twice: exit 65"
expect_err_match "^fieldbook: line 4: the same member as line 2 \(name and birth year\): Đinh Thị Mai \(1970, [0-9a-f-]{36}\); nothing imported$"
db_unchanged "a sheet listing a member twice: nothing imported"

# Trainings: title and start date.
printf 'Tên lớp,Từ ngày,Chủ đề\nKỹ năng lãnh đạo,10/05/2026,Kỹ năng lãnh đạo\nNuôi dạy con,11/05/2026,Nuôi dạy con\n' >"$TMP/t.csv"
run fb import "$TMP/t.csv" --type training
expect_out "imported $TMP/t.csv: 2 added, 0 updated, 0 unchanged" "trainings without ids: 2 added"
printf 'Tên lớp,Từ ngày,Chủ đề,Địa điểm\nkỹ năng lãnh đạo,2026-05-10,Kỹ năng lãnh đạo,Hội trường\nNuôi dạy con,12/05/2026,Nuôi dạy con,\n' >"$TMP/t2.csv"
run fb import "$TMP/t2.csv" --type training
expect_out "imported $TMP/t2.csv: 1 added, 1 updated, 0 unchanged" \
	"same title and date: updated; same title, another date: another course"
t1=$(fb list trainings --json | json_get '[r["id"] for r in d if r["start_date"] == "2026-05-10"][0]')
m1=$lan80

# Attendance: its id is the pair, so a sheet of pairs adds each once.
printf 'training_id,member_id\n%s,%s\n' "$t1" "$m1" >"$TMP/a.csv"
run fb import "$TMP/a.csv" --type attendance
expect_out "imported $TMP/a.csv: 1 added, 0 updated, 0 unchanged" "an attendance pair: added"
run fb import "$TMP/a.csv" --type attendance
expect_out "imported $TMP/a.csv: 0 added, 0 updated, 1 unchanged" "the same pair again: unchanged"

# Visits: date, reason and the person.
printf 'Ngày thăm,Lý do,Người được thăm,Số tiền\n25/01/2026,Tết,Bà Tư,500.000\n25/01/2026,Tết,Bà Năm,"300,000 đ"\n' >"$TMP/v.csv"
run fb import "$TMP/v.csv" --type visit
expect_out "imported $TMP/v.csv: 2 added, 0 updated, 0 unchanged" "visits without ids: 2 added"
run fb import "$TMP/v.csv" --type visit
expect_out "imported $TMP/v.csv: 0 added, 0 updated, 2 unchanged" "the same visits again: unchanged"
run fb list visits --json
is_j 'sorted((r["person_name"], r["reason"], r["amount_vnd"]) for r in d)' \
	'[["Bà Năm", "tet", "300000"], ["Bà Tư", "tet", "500000"]]' "visits: reasons as codes, amounts as numbers"

# --dry-run: what would happen, row by row; nothing changes.
printf 'Họ và tên,Năm sinh,Số điện thoại\nNguyễn Thị Lan,1980,0911000111\nVõ Thị Xuân,1971,912000333\nNguyễn Thị Lan,1992,0900000009\n' >"$TMP/dry.csv"
snapshot
run fb import "$TMP/dry.csv" --type member --dry-run
expect_exit 0 "--dry-run exits 0"
expect_out "line 2: unchanged member Nguyễn Thị Lan ($lan80)
line 3: add member Võ Thị Xuân
line 4: update member Nguyễn Thị Lan ($lan92): phone
dry run, $TMP/dry.csv: 1 to add, 1 to update, 1 unchanged; nothing changed" \
	"--dry-run names what it would add, update and leave"
expect_err "fieldbook: 1 phone number got back the leading 0 a spreadsheet had dropped (line 3)" \
	"--dry-run: the notices too"
db_unchanged "--dry-run: database and journal unchanged"
run fb import "$TMP/dry.csv" --type member
expect_out "imported $TMP/dry.csv: 1 added, 1 updated, 1 unchanged" "...and the import does what the dry run said"

# A deleted member matched by her key: the same values leave her deleted.
fb delete "$lan92"
printf 'Họ và tên,Năm sinh\nNguyễn Thị Lan,1992\n' >"$TMP/del.csv"
run fb import "$TMP/del.csv" --type member
expect_out "imported $TMP/del.csv: 0 added, 0 updated, 1 unchanged" "a deleted member's row: unchanged, not added again"
printf 'Họ và tên,Năm sinh,Ghi chú\nNguyễn Thị Lan,1992,mới\n' >"$TMP/del2.csv"
bad 65 "fieldbook: line 2: member $lan92 is deleted; set deleted to 0 to restore and change it; nothing imported" \
	fb import "$TMP/del2.csv" --type member

# Every bad row is named, then the count; nothing is imported.
printf 'Họ và tên,Vai trò,Năm sinh,Ngày vào hội\nA,Hội viên,1990,01/02/2020\nB,Nữ hoàng,1990,\nC,,19x0,\nD,,,31/02/2020\nE,Chi hội phó,,\n' >"$TMP/bad.csv"
snapshot
run fb import "$TMP/bad.csv" --type member
expect_exit 65 "three bad rows: exit 65"
is "$ERR" "fieldbook: line 3, column 2 (role): unknown value 'Nữ hoàng'
fieldbook: line 4, column 3 (birth_year): '19x0' is not a year (1900 to 2200)
fieldbook: line 5, column 4 (joined): '31/02/2020' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)
fieldbook: 3 bad rows above; nothing imported" "each bad row on its line, then the count"
db_unchanged "three bad rows: nothing imported, the good rows neither"
{
	printf 'Họ và tên,Năm sinh\n'
	for i in $(seq 1 25); do printf 'Người %d,18%02d\n' "$i" "$i"; done
} >"$TMP/many.csv"
run fb import "$TMP/many.csv" --type member
expect_exit 65 "25 bad rows: exit 65"
is "$(printf '%s\n' "$ERR" | grep -c 'is not a year')" 20 "the first 20 bad rows are named"
like "$ERR" "^fieldbook: 25 bad rows, the first 20 above; nothing imported$" "...and the count of all"

done_testing
