#!/usr/bin/env bash
# edit takes the option names of add (name=, birth-year=, date=) and
# --help lists the fields of each type; edit, delete, restore and
# unattend say in one line what they did; `help COMMAND` is COMMAND's
# help; a mistyped command or option suggests the nearest.
. "$(dirname "$0")/lib.sh"

fresh_db
m=$(new_id fb member add --name "Vũ Thị Hằng" --phone 0901)
m2=$(new_id fb member add --name "Lê Thị Cúc")
t=$(new_id fb training add --title "Chuyển đổi số" --date 2026-05-01 --topic digital_transformation)
v=$(new_id fb visit add --date 2026-05-02 --reason illness --person "Bà Sáu")
fb training attend "$t" "$m" "$m2" >/dev/null

# --- edit takes add's option names ----------------------------------------
run fb edit "vu thi hang" "name=Vũ Thị Thu Hằng" birth-year=1980 joined=2020-03-08
expect_exit 0 "edit with name= and birth-year= (add's --name, --birth-year)"
run fb show "$m" --json
is_j '[d["full_name"], d["birth_year"], d["joined"]]' '["Vũ Thị Thu Hằng", "1980", "2020-03-08"]' \
	"the fields add's options set"
run fb edit "chuyen doi so" date=2026-05-03 end-date=2026-05-04 topic=digital_transformation,stem organizer=commune
expect_exit 0 "edit a training with date=, end-date=, topic=, organizer="
run fb show "$t" --json
is_j '[d["start_date"], d["end_date"], d["topics"], d["organizer_level"]]' \
	'["2026-05-03", "2026-05-04", "digital_transformation,stem", "commune"]' "date= is a training's start_date"
run fb edit "$v" date=2026-05-05 amount-vnd=150000 "person=Bà Bảy"
expect_exit 0 "edit a visit with date=, amount-vnd=, person="
run fb show "$v" --json
is_j '[d["visit_date"], d["amount_vnd"], d["person_name"]]' '["2026-05-05", "150000", "Bà Bảy"]' \
	"date= is a visit's visit_date"
run fb edit "$v" visit_date=2026-05-06
expect_exit 0 "a field's own name still works"
bad 65 "fieldbook: a member has no field 'title'" fb edit "$m" title=X
bad 65 "fieldbook: a visit has no field 'birth-year'" fb edit "$v" birth-year=1980

run fb edit --help
expect_exit 0 "edit --help"
expect_out_match '^  member   name\|full_name, role, birth-year\|birth_year, phone, joined, notes$' \
	"edit --help lists a member's fields, with add's option names"
expect_out_match '^  training title, date\|start_date, end-date\|end_date, topic\|topics, location,$' \
	"and a training's"
expect_out_match '^  visit    date\|visit_date, reason, member\|member_id, person\|person_name,$' \
	"and a visit's"
expect_out_contains "organizer|organizer_level, trainer, notes" "the training's line goes on below"

# --- one line for what was done ---------------------------------------------
# one_line DESC WANT: stdout is exactly WANT, one line, nothing on stderr
one_line() {
	is "$OUT" "$2" "$1"
	is "$(wc -l <"$OUT_FILE")" 1 "$1: one line"
	expect_err_empty "$1: nothing on stderr"
}
run fb edit "$m" phone=0902 "notes=dòng một
dòng hai"
one_line "edit says what it changed" \
	"changed member Vũ Thị Thu Hằng (${m: -8}): phone = 0902, notes = dòng một dòng hai"
run fb edit "$m" phone= "notes=$(printf 'x%.0s' $(seq 60))"
one_line "a cleared field, and a long value cut" \
	"changed member Vũ Thị Thu Hằng (${m: -8}): phone cleared, notes = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
run fb edit "$m" phone=
expect_exit 0 "an edit that changes nothing exits 0"
expect_out "" "and says nothing on stdout"
expect_err "fieldbook: nothing changed" "but 'nothing changed' on stderr"
run fb edit "$t" "title=Tin học"
one_line "edit of a training names it by its title before the change" \
	"changed training \"Chuyển đổi số\" 2026-05-03 (${t: -8}): title = Tin học"

run fb delete "ba bay"
expect_exit 65 "a visit is not found by its person's name"
run fb delete "$v"
one_line "delete says what it deleted and how to undo it" \
	"deleted visit 2026-05-06 to Bà Bảy (${v: -8}); 'fieldbook restore ${v: -8}' brings it back"
run fb delete "$v"
one_line "delete of a deleted record says so" "visit 2026-05-06 to Bà Bảy (${v: -8}) was already deleted"
run fb restore "${v: -8}"
one_line "restore says what it restored" "restored visit 2026-05-06 to Bà Bảy (${v: -8})"
run fb restore "${v: -8}"
one_line "restore of a live record says so" "visit 2026-05-06 to Bà Bảy (${v: -8}) was not deleted"
run fb delete "$t:$m"
one_line "delete of an attendance names both sides" \
	"deleted attendance of Vũ Thị Thu Hằng at \"Tin học\" (${t: -8}:${m: -8}); 'fieldbook restore ${t: -8}:${m: -8}' brings it back"
run fb restore "${t: -8}:${m: -8}"
one_line "and the short form it gives restores it" \
	"restored attendance of Vũ Thị Thu Hằng at \"Tin học\" (${t: -8}:${m: -8})"

run fb training unattend "tin hoc" "$m" "le thi cuc"
one_line "unattend names the members and the training" \
	"removed Vũ Thị Thu Hằng, Lê Thị Cúc from training \"Tin học\" 2026-05-03 (${t: -8})"
run fb training attend "tin hoc" "$m" >/dev/null
run fb training unattend "tin hoc" "$m" "le thi cuc"
one_line "unattend says who was not attending" \
	"removed Vũ Thị Thu Hằng from training \"Tin học\" 2026-05-03 (${t: -8}); Lê Thị Cúc was not attending"
run fb training unattend "tin hoc" "$m" "le thi cuc"
one_line "unattend of no one attending" \
	"nobody removed from training \"Tin học\" 2026-05-03 (${t: -8}); Vũ Thị Thu Hằng, Lê Thị Cúc were not attending"

# --- help COMMAND -------------------------------------------------------
for c in "edit" "list" "training attend" "sync" "remote set"; do
	# shellcheck disable=SC2086 # the words of a two-word command
	want=$(fb $c --help)
	# shellcheck disable=SC2086
	run fb help $c
	expect_exit 0 "help $c exits 0"
	is "$OUT" "$want" "help $c is '$c --help'"
done
run fb help training
expect_exit 0 "help of a group"
is "$OUT" "$(fb training --help)" "help training is 'training --help'"
run fb help
is "$OUT" "$(fb --help)" "help alone is --help"
bad 64 "fieldbook: unknown command 'nosuch' (see 'fieldbook --help')" fb help nosuch
bad 64 "fieldbook: unknown command 'lsit'; did you mean 'list'? (see 'fieldbook --help')" fb help lsit
bad 64 "fieldbook: help takes one command, not 'extra' (see 'fieldbook help')" fb help edit extra

# --- a typo suggests the nearest -------------------------------------------
bad 64 "fieldbook: unknown command 'lsit'; did you mean 'list'? (see 'fieldbook --help')" fb lsit members
bad 64 "fieldbook: unknown command 'sycn'; did you mean 'sync'? (see 'fieldbook --help')" fb sycn
bad 64 "fieldbook: unknown command 'shw'; did you mean 'show'? (see 'fieldbook --help')" fb shw "$m"
bad 64 "fieldbook: unknown command 'delte'; did you mean 'delete'? (see 'fieldbook --help')" fb delte "$m"
bad 64 "fieldbook: unknown command 'membr'; did you mean 'member add'? (see 'fieldbook --help')" \
	fb membr add --name "Không thêm"
bad 64 "fieldbook: unknown command 'trainig'; did you mean 'training'? (see 'fieldbook --help')" fb trainig
bad 64 "fieldbook: unknown command 'member ad'; did you mean 'member add'? (see 'fieldbook member --help')" \
	fb member ad --name "Không thêm"
bad 64 "fieldbook: unknown command 'xyzzy' (see 'fieldbook --help')" fb xyzzy
bad 64 "fieldbook: unknown option '--serch'; did you mean '--search'? (see 'fieldbook list --help')" \
	fb list members --serch lan
bad 64 "fieldbook: unknown option '--frob' (see 'fieldbook list --help')" fb list members --frob

done_testing
