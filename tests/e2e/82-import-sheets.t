#!/usr/bin/env bash
# import of sheets as spreadsheets save them: encodings, separators,
# Vietnamese and common headers, --map, STT and blank columns, and the
# errors that say what to do.
. "$(dirname "$0")/lib.sh"

fresh_db
WANT='[["Lê Thị Cúc", "branch_head", "0912345678"]]'
# The one member of every file below, as list shows her.
member_is() {
	run fb list members --json
	is_j '[[r["full_name"], r.get("role", ""), r.get("phone", "")] for r in d]' "$WANT" "$1"
}
# import FILE as a fresh book's only member.
import_one() {
	fresh_db
	run fb import "$1" --type member
	expect_exit 0 "$2: imports"
	IMPORT_ERR=$ERR
	member_is "$2: the member as meant"
}

# Encodings.  (printf writes the bytes; iconv makes the other encodings.)
printf 'Họ và tên,Vai trò,Số điện thoại\nLê Thị Cúc,Chi hội trưởng,0912345678\n' >"$TMP/u8.csv"
import_one "$TMP/u8.csv" "UTF-8"
printf '\xef\xbb\xbf' | cat - "$TMP/u8.csv" >"$TMP/bom.csv"
import_one "$TMP/bom.csv" "UTF-8 with BOM"
iconv -f UTF-8 -t UTF-16 "$TMP/u8.csv" >"$TMP/u16.csv"
import_one "$TMP/u16.csv" "UTF-16 with BOM"
iconv -f UTF-8 -t UTF-16LE "$TMP/u8.csv" >"$TMP/u16le.csv"
import_one "$TMP/u16le.csv" "UTF-16LE without BOM"
iconv -f UTF-8 -t UTF-16BE "$TMP/u8.csv" >"$TMP/u16be.csv"
import_one "$TMP/u16be.csv" "UTF-16BE without BOM"
# Windows-1258 as Excel writes it: tones as combining marks after the
# letter (Lê Thị Cúc: e-circumflex, i + dot below, u + acute).
printf 'Ho\xf2 va\xcc t\xean,Vai tro\xcc,S\xf4\xec \xf0i\xea\xf2n thoa\xf2i\nL\xea Thi\xf2 Cu\xecc,Chi h\xf4\xf2i tr\xfd\xf5\xd2ng,0912345678\n' >"$TMP/cp.csv"
fresh_db
run fb import "$TMP/cp.csv" --type member
expect_exit 0 "Windows-1258 (combining tones): imports"
run fb list members --json
is_j '[[r["full_name"], r.get("role", "")] for r in d]' '[["Lê Thị Cúc", "branch_head"]]' \
	"Windows-1258: the text composed to NFC, the role found by its label"
# What no encoding reads: a clear error, how to save as CSV UTF-8, 65.
HINT="save it as CSV UTF-8 (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; LibreOffice: Save As 'Text CSV', character set 'Unicode (UTF-8)')"
printf 'H\xe4 v\xb5 t\xaan\nL\xaa\n' >"$TMP/tcvn3.csv"
bad 65 "fieldbook: $TMP/tcvn3.csv is not UTF-8 (line 1: byte 0xE4), UTF-16 or Windows-1258; $HINT" \
	fb import "$TMP/tcvn3.csv" --type member
cp "$E2E_DIR/../fixtures/spreadsheets/dev-members.xlsx" "$TMP/dev-members.xlsx"
bad 65 "fieldbook: $TMP/dev-members.xlsx is a workbook, not CSV text; $HINT" \
	fb import "$TMP/dev-members.xlsx" --type member
iconv -f UTF-8 -t UTF-32 "$TMP/u8.csv" >"$TMP/u32.csv"
bad 65 "fieldbook: $TMP/u32.csv is UTF-32, which Fieldbook does not read; $HINT" \
	fb import "$TMP/u32.csv" --type member

# Separators.
printf 'Họ và tên;Vai trò;Số điện thoại\nLê Thị Cúc;Chi hội trưởng;"0912345678"\n' >"$TMP/semi.csv"
import_one "$TMP/semi.csv" "semicolons"
printf 'Họ và tên\tVai trò\tSố điện thoại\nLê Thị Cúc\tChi hội trưởng\t0912345678\n' >"$TMP/tab.csv"
import_one "$TMP/tab.csv" "tabs"

# Headers: labels without regard to case or accents, common ones, STT.
printf 'stt,HO TEN,chuc vu,SĐT\n1,Lê Thị Cúc,chi hoi truong,912345678\n' >"$TMP/plain.csv"
import_one "$TMP/plain.csv" "headers without accents, in capitals, STT"
is "$IMPORT_ERR" "fieldbook: column 1 (stt) ignored: the sheet's own row numbers
fieldbook: 1 phone number got back the leading 0 a spreadsheet had dropped (line 2)" \
	"notices: STT ignored, a phone given back its 0"
printf 'Full_Name,ROLE,phone,\nLê Thị Cúc,Branch_Head,0912345678,\n' >"$TMP/names.csv"
import_one "$TMP/names.csv" "field names in any case, an empty last column"
printf 'Họ và tên,Vai trò,Số điện thoại,\nLê Thị Cúc,Chi hội trưởng,0912345678,x\n' >"$TMP/blank.csv"
bad 65 "fieldbook: line 2, column 4: a value under no header ('x'); give the column a header or --map; nothing imported" \
	fb import "$TMP/blank.csv" --type member

# --map names what Fieldbook does not know; skip leaves a column out.
printf 'Tên,Quê quán,Di động,Chức danh\nLê Thị Cúc,Hà Nam,0912345678,Chi hội trưởng\n' >"$TMP/map.csv"
fresh_db
bad 65 "fieldbook: line 1, column 1: unknown column 'Tên' (it might be full_name (\"Họ và tên\")); name it with --map \"Tên=FIELD\"; nothing imported" \
	fb import "$TMP/map.csv" --type member
run fb import "$TMP/map.csv" --type member --map "Tên=full_name,Quê quán=skip,di dong=phone,Chức danh=role"
expect_exit 0 "--map: imports"
member_is "--map: the member as meant"
bad 64 "fieldbook: --map: no column is called 'Nơi ở' (see 'fieldbook import --help')" \
	fb import "$TMP/map.csv" --type member --map "Tên=full_name,Quê quán=skip,di dong=phone,Chức danh=role,Nơi ở=notes"
bad 64 "fieldbook: --map: a member has no field 'hometown' (full_name, role, birth_year, phone, joined, notes, id, or skip) (see 'fieldbook import --help')" \
	fb import "$TMP/map.csv" --type member --map "Quê quán=hometown"
bad 64 "fieldbook: --map: 'Tên' is not HEADER=FIELD (see 'fieldbook import --help')" \
	fb import "$TMP/map.csv" --type member --map "Tên"
bad 64 "fieldbook: --map names the columns of CSV, not JSON (see 'fieldbook import --help')" \
	fb import "$TMP/x.json" --map "a=notes"
# An unknown column near a known one is named with the field it might be.
printf 'Họ và tên,Số điện thoại di động\nLê Thị Cúc,0912345678\n' >"$TMP/near.csv"
bad 65 "fieldbook: line 1, column 2: unknown column 'Số điện thoại di động' (it might be phone (\"Số điện thoại\")); name it with --map \"Số điện thoại di động=FIELD\"; nothing imported" \
	fb import "$TMP/near.csv" --type member
printf 'Họ và tên,Điện thoại,SĐT\nLê Thị Cúc,1,2\n' >"$TMP/dup.csv"
bad 65 "fieldbook: line 1, column 3: 'SĐT' is phone again (column 2 'Điện thoại'); nothing imported" \
	fb import "$TMP/dup.csv" --type member

# Trainings: Vietnamese headers, several topics in a cell by ; or ,
printf 'Tên lớp tập huấn,Ngày bắt đầu,Ngày kết thúc,Chủ đề,Nơi tổ chức,Cấp tổ chức,Báo cáo viên\nLớp A,30/04/2026,1/5/2026,"Bình đẳng giới, STEM",Hội trường,Huyện,Bà X\nLớp B,30-04-2026,,Nuôi dạy con;Khác,,Tỉnh,\n' >"$TMP/t.csv"
run fb import "$TMP/t.csv" --type training
expect_exit 0 "a training sheet with Vietnamese headers imports"
run fb list trainings --json
is_j '[[r["title"], r["start_date"], r.get("end_date", ""), r["topics"], r.get("organizer_level", ""), r.get("trainer", "")] for r in sorted(d, key=lambda r: r["title"])]' \
	'[["Lớp A", "2026-04-30", "2026-05-01", "gender_equality,stem", "district", "Bà X"], ["Lớp B", "2026-04-30", "", "parenting,other", "province", ""]]' \
	"trainings: dates in full, topics and levels as codes"

done_testing
