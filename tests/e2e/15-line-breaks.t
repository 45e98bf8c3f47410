#!/usr/bin/env bash
# Line breaks in notes: LF and tab kept, CR LF stored as LF (shared/text.h:
# "A CR LF pair becomes LF"), a lone CR or a line break elsewhere refused.
. "$(dirname "$0")/lib.sh"

notes_of() {
	fb show "$1" --json | json_get 'repr(d.get("notes", ""))'
}

fresh_db
m=$(new_id fb member add --name "Lan" --notes "$(printf 'dòng 1\ndòng 2\tcột')")
is "$(notes_of "$m")" "'dòng 1\\ndòng 2\\tcột'" "LF and tab in notes are kept"

m2=$(new_id fb member add --name "Hoa" --notes "$(printf 'dòng 1\r\ndòng 2')")
is "$(notes_of "$m2")" "'dòng 1\\ndòng 2'" "CR LF typed in notes is stored as LF"

fb edit "$m" "notes=$(printf 'a\r\nb')"
is "$(notes_of "$m")" "'a\\nb'" "CR LF in an edited note is stored as LF"

printf 'full_name,notes\r\nCúc,"một\r\nhai"\r\n' >"$TMP/crlf.csv"
run fb import "$TMP/crlf.csv" --type member
expect_exit 0 "import a CSV whose quoted notes hold CR LF"
is "$(fb list members --json | json_get '[repr(r.get("notes")) for r in d if r["full_name"] == "Cúc"][0]')" \
	"'một\\nhai'" "CR LF inside a quoted CSV field is stored as LF"

t=$(new_id fb training add --title T --date 2026-01-01 --topic other --notes "$(printf 'x\r\ny')")
is "$(notes_of "$t")" "'x\\ny'" "CR LF in training notes is stored as LF"

bad 65 "fieldbook: notes: control character at byte 2" fb member add --name X --notes "$(printf 'a\rb')"
bad 65 "fieldbook: full_name: control character at byte 3 (line breaks only in notes)" \
	fb member add --name "$(printf 'A\r\nB')"
bad 65 "fieldbook: title: control character at byte 2 (line breaks only in notes)" \
	fb training add --title "$(printf 'T\nU')" --date 2026-01-01 --topic other
bad 65 "fieldbook: notes: control character at byte 2" fb member add --name X --notes "$(printf 'a\033b')"

done_testing
