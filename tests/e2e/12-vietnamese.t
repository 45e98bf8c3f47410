#!/usr/bin/env bash
# Vietnamese text round-trips byte for byte; NFD input is stored as NFC.
. "$(dirname "$0")/lib.sh"

NAME="Nguyễn Thị Hồng Nhung"
TITLE="Phòng chống bạo lực gia đình"
nfd() {
	py -c 'import sys, unicodedata; sys.stdout.write(unicodedata.normalize("NFD", sys.argv[1]))' "$1"
}
nfc() {
	py -c 'import sys, unicodedata; sys.stdout.write(unicodedata.normalize("NFC", sys.argv[1]))' "$1"
}
# has_bytes FILE TEXT DESC: FILE contains TEXT byte for byte.
has_bytes() {
	if grep -Fq -- "$2" "$1"; then
		pass "$3"
	else
		fail "$3" "$(head -c 600 "$1")"
	fi
}
hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

is "$(nfc "$NAME")" "$NAME" "the test's name is NFC"
is "$(nfc "$TITLE")" "$TITLE" "the test's title is NFC"

fresh_db
m=$(new_id fb member add --name "$NAME" --role branch_head --notes "Ghi chú: $TITLE")
t=$(new_id fb training add --title "$TITLE" --date 2026-03-08 --topic domestic_violence \
	--location "Nhà văn hóa thôn Đông" --trainer "$NAME")
fb training attend "$t" "$m" >/dev/null
v=$(new_id fb visit add --date 2026-01-25 --reason tet --person "$NAME" --gift "Áo dài" --visitors "$NAME")

# show (text and JSON)
run fb show "$m"
is "$(printf '%s\n' "$OUT" | sed -n 's/^full_name  //p')" "$NAME" "show: the name byte-identical"
run fb show "$m" --json
is_j 'd["full_name"]' "$NAME" "show --json: the name"
has_bytes "$OUT_FILE" "\"$NAME\"" "show --json writes the UTF-8 bytes, not \\u escapes"
run fb show "$t"
is "$(printf '%s\n' "$OUT" | sed -n 's/^title       //p')" "$TITLE" "show: the title byte-identical"
run fb show "$t" --json
is "$(hex "$(printf '%s' "$OUT" | json_get 'd["title"]')")" "$(hex "$TITLE")" "show --json: the title's bytes"
run fb show "$v" --json
is_j 'd["person_name"] + "|" + d["gift"] + "|" + d["visitors"]' \
	"$NAME|Áo dài|$NAME" "show --json: visit text fields"

# list (text and JSON)
run fb list members
has_bytes "$OUT_FILE" "$m  $NAME" "list members: the name"
run fb list trainings
has_bytes "$OUT_FILE" "$TITLE" "list trainings: the title"
run fb list visits
has_bytes "$OUT_FILE" "$NAME" "list visits: the person"
run fb list members --json
is_j 'd[0]["full_name"]' "$NAME" "list members --json: the name"
run fb list trainings --json
is_j 'd[0]["title"]' "$TITLE" "list trainings --json: the title"

# export (CSV and JSON)
run fb export --type member
has_bytes "$OUT_FILE" "$m,$NAME,branch_head" "export CSV: the name"
run fb export --type training
has_bytes "$OUT_FILE" "$t,$TITLE,2026-03-08" "export CSV: the title"
fb export --type member -o "$TMP/m.csv"
fb export --type training -o "$TMP/t.csv"
fb export --type attendance -o "$TMP/a.csv"
fb export --type visit -o "$TMP/v.csv"
run fb export --format json
has_bytes "$OUT_FILE" "\"full_name\":	\"$NAME\"" "export JSON: the name"
has_bytes "$OUT_FILE" "\"title\":	\"$TITLE\"" "export JSON: the title"
cp "$OUT_FILE" "$TMP/all.json"

# import (CSV and JSON) into fresh databases, then everything again.
for how in csv json; do
	export FIELDBOOK_DB=$TMP/$how.db
	fresh_db
	if [ "$how" = csv ]; then
		fb import "$TMP/m.csv" --type member >/dev/null &&
			fb import "$TMP/t.csv" --type training >/dev/null &&
			fb import "$TMP/a.csv" --type attendance >/dev/null &&
			fb import "$TMP/v.csv" --type visit >/dev/null
	else
		fb import "$TMP/all.json" >/dev/null
	fi
	ok "import $how" test $? -eq 0
	run fb show "$m" --json
	is "$(hex "$(printf '%s' "$OUT" | json_get 'd["full_name"]')")" "$(hex "$NAME")" "after $how import: the name's bytes"
	run fb show "$t"
	is "$(printf '%s\n' "$OUT" | sed -n 's/^title       //p')" "$TITLE" "after $how import: the title"
	run fb list members
	has_bytes "$OUT_FILE" "$NAME" "after $how import: list shows the name"
	fb export --format json >"$TMP/$how.json"
	ok "after $how import: export JSON identical" cmp -s "$TMP/all.json" "$TMP/$how.json"
done
export FIELDBOOK_DB=$TMP/fb.db

# NFD input is stored as NFC.
NAME_D=$(nfd "$NAME")
TITLE_D=$(nfd "$TITLE")
ok "the decomposed name differs from the NFC one" test "$NAME_D" != "$NAME"
is "${#NAME_D}" 26 "NFD name has 26 code points (NFC has 21)"
md=$(new_id fb member add --name "$NAME_D" --notes "$(nfd "Ghi chú")")
run fb show "$md" --json
is "$(hex "$(printf '%s' "$OUT" | json_get 'd["full_name"]')")" "$(hex "$NAME")" "member add: NFD name stored as NFC"
is_j 'd["notes"]' "Ghi chú" "member add: NFD notes stored as NFC"
td=$(new_id fb training add --title "$TITLE_D" --date 2026-04-01 --topic other --location "$(nfd "Thôn Đông")")
run fb show "$td" --json
is "$(hex "$(printf '%s' "$OUT" | json_get 'd["title"]')")" "$(hex "$TITLE")" "training add: NFD title stored as NFC"
is_j 'd["location"]' "Thôn Đông" "training add: NFD location stored as NFC"
vd=$(new_id fb visit add --date 2026-04-02 --reason other --person "$NAME_D")
run fb show "$vd" --json
is_j 'd["person_name"]' "$NAME" "visit add: NFD person stored as NFC"
fb edit "$md" "notes=$(nfd "Đã sửa")"
run fb show "$md" --json
is_j 'd["notes"]' "Đã sửa" "edit: NFD value stored as NFC"
is "$(sqlite3 "$FIELDBOOK_DB" "select count(*) from record where vals like '%' || char(0x0301) || '%' or vals like '%' || char(0x0323) || '%' or vals like '%' || char(0x0300) || '%'")" \
	0 "no combining marks anywhere in the records"
is "$(sqlite3 "$FIELDBOOK_DB" "select count(*) from journal where body like '%' || char(0x0301) || '%' or body like '%' || char(0x0323) || '%'")" \
	0 "no combining marks in the journal either"
# (A new name: a row without an id that names two members is refused.)
printf 'full_name\n%s\n' "$(nfd "Phạm Thị Ánh Hồng")" >"$TMP/nfd.csv"
run fb import "$TMP/nfd.csv" --type member
expect_exit 0 "import an NFD CSV"
is "$(fb list members --json | json_get 'sorted(set(r["full_name"] for r in d if r["full_name"].startswith("Ph")))')" \
	'["Phạm Thị Ánh Hồng"]' "import CSV: NFD stored as NFC (one spelling of the name)"
py -c 'import json, sys, unicodedata; print(json.dumps([{"type": "member", "full_name": unicodedata.normalize("NFD", "Đỗ Thị Hà")}], ensure_ascii=False))' >"$TMP/nfd.json"
run fb import "$TMP/nfd.json"
expect_exit 0 "import an NFD JSON"
run fb list members --json
is_j '[r["full_name"] for r in d if r["full_name"].startswith("Đ")]' '["Đỗ Thị Hà"]' \
	"import JSON: NFD stored as NFC"

# Limits count bytes after NFC: 66 × "ễ" (3 bytes NFC, 5 NFD) + "ab" = 200.
long=$(printf 'ễ%.0s' $(seq 66))ab
run fb member add --name "$(nfd "$long")"
expect_exit 0 "a name of 200 bytes in NFC (332 in NFD) is accepted"
run fb show "$OUT" --json
is_j 'd["full_name"]' "$long" "stored as the 200-byte NFC text"
bad 65 "fieldbook: full_name: too long (203 bytes, at most 200)" fb member add --name "$(nfd "${long}ễ")"

done_testing
