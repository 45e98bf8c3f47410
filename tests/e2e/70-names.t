#!/usr/bin/env bash
# Names instead of ids: every command that takes a record takes a short
# id, a member's name or a training's title (case and accents aside); an
# ambiguous one lists the candidates and exits 65 doing nothing; list
# shows short ids that resolve and --search finds names without accents;
# show names a training's attendees.
. "$(dirname "$0")/lib.sh"

fresh_db
m1=$(new_id fb member add --name "Nguyễn Thị Lan" --birth-year 1985 --phone 0912345678)
m2=$(new_id fb member add --name "Trần Thị Lan" --birth-year 1990 --phone 0987654321)
m3=$(new_id fb member add --name "Nguyễn Thị Hồng Nhung" --role branch_head --birth-year 1978)
m4=$(new_id fb member add --name "Đỗ Thị Đào")
m5=$(new_id fb member add --name "Nguyễn Thị Lan Anh")
t1=$(new_id fb training add --title "Kỹ năng lãnh đạo" --date 2026-03-08 --topic leadership)
t2=$(new_id fb training add --title "Phòng chống bạo lực gia đình" --date 2026-04-01 --topic domestic_violence)

# shown ID: what `show REF --json` found
shown() {
	run fb show "$1" --json
	if [ "$RC" -eq 0 ]; then
		json_eval 'd["id"]' "$OUT"
		printf '%s' "$JV"
	else
		printf 'exit %s: %s' "$RC" "$ERR"
	fi
}

# --- a member by her name, as people type it ----------------------------
is "$(shown "Nguyễn Thị Lan")" "$m1" "a member's full name finds her"
is "$(shown "nguyen thi lan")" "$m1" "without accents and in lower case"
is "$(shown "NGUYỄN THỊ LAN")" "$m1" "in capitals"
nfd=$(py -c 'import unicodedata,sys; print(unicodedata.normalize("NFD", sys.argv[1]))' "Nguyễn Thị Lan")
is "$(shown "$nfd")" "$m1" "typed in decomposed form (NFD)"
is "$(shown "  Nguyễn   Thị-Lan ")" "$m1" "spaces and punctuation aside"
is "$(shown "Nguyễn Thị Lan Anh")" "$m5" "a longer full name is her, not the shorter one"
is "$(shown "nhung")" "$m3" "one word of the name, when only one name has it"
is "$(shown "hong nhung")" "$m3" "two words of the name, in order"
is "$(shown "nguyen nhung")" "$m3" "words need not follow each other"
is "$(shown "do thi dao")" "$m4" "đ is read as d"
is "$(shown "ĐỖ THỊ ĐÀO")" "$m4" "Đ in capitals"
run fb show "đào"
like "$ERR" "could be any of 2 records" "'đào' is a word of Đỗ Thị Đào and of the title Kỹ năng lãnh đạo"

# --- a training by its title ------------------------------------------
is "$(shown "Kỹ năng lãnh đạo")" "$t1" "a training's title finds it"
is "$(shown "ky nang")" "$t1" "words of the title without accents"
is "$(shown "bao luc gia dinh")" "$t2" "other words of another title"

# --- short ids and prefixes -------------------------------------------
is "$(shown "${m2: -8}")" "$m2" "the short id: the last 8 hex digits"
is "$(shown "$(printf '%s' "${m2: -8}" | tr a-f A-F)")" "$m2" "a short id in capitals"
is "$(shown "${m2:0:35}")" "$m2" "the start of the full id (as git takes a prefix)"
is "$(shown "$m2")" "$m2" "the full id"

# --- ambiguous: the candidates, exit 65, nothing done ------------------
snapshot
run fb edit lan phone=0900000000
expect_exit 65 "an ambiguous name: exit 65"
is "$(printf '%s\n' "$ERR" | head -1)" \
	"fieldbook: 'lan' could be any of 3 members (below); nothing was done: give more of the name, or a short id" \
	"the first line says it could be any of them"
like "$ERR" "^  ${m1: -8}  member +Nguyễn Thị Lan +born 1985  0912345678$" "a candidate: short id, name, birth year, phone"
like "$ERR" "^  ${m2: -8}  member +Trần Thị Lan +born 1990  0987654321$" "the other candidate"
like "$ERR" "^  ${m5: -8}  member +Nguyễn Thị Lan Anh$" "a candidate without birth year or phone"
is "$(printf '%s\n' "$ERR" | wc -l)" 4 "one line, then one line per candidate"
db_unchanged "an ambiguous name changes nothing"
run fb delete "thi"
expect_exit 65 "'thi' (every Thị) is ambiguous too"
like "$ERR" "could be any of 5 members" "it counts them all"
db_unchanged "an ambiguous delete deletes nothing"
run fb training attend "ky nang" "Nguyễn Thị Lan" lan
expect_exit 65 "attend with an ambiguous member: exit 65"
db_unchanged "attend records no one when one member is ambiguous (all or nothing)"

# --- nothing matches --------------------------------------------------
bad 65 "fieldbook: no record matches 'Hoa': give a member's name, a training's title or an id (see 'fieldbook list')" \
	fb show Hoa
bad 65 "fieldbook: no training matches 'Hoa' (see 'fieldbook list trainings')" \
	fb training attend Hoa "$m1"
bad 65 "fieldbook: no member matches 'Kỹ năng' (see 'fieldbook list members')" \
	fb training attend "$t1" "Kỹ năng"

# --- the commands that take records, by name ---------------------------
run fb training attend "ky nang lanh dao" "nguyen thi lan" "${m3: -8}"
expect_exit 0 "attend by a title, a name and a short id"
expect_out "$t1:$m1
$t1:$m3" "attend prints the attendance ids"
run fb show "Kỹ năng lãnh đạo"
expect_out_match "^attendees +2$" "show of a training counts its attendees"
expect_out_match "^ +${m1: -8}  Nguyễn Thị Lan  \(born 1985\)$" "and names each, with her short id"
expect_out_match "^ +${m3: -8}  Nguyễn Thị Hồng Nhung  \(born 1978\)$" "the other attendee by name"
run fb show "hong nhung"
expect_out_match "^ +${t1: -8}  2026-03-08  Kỹ năng lãnh đạo$" "show of a member names her trainings"
run fb show "${t1: -8}:${m1: -8}" --json
is_j 'd["id"]' "$t1:$m1" "an attendance by its training's and member's short ids"
run fb show "$t1:$m1"
expect_out_match "^member_id +$m1  \(Nguyễn Thị Lan\)$" "show of an attendance names its member"
v=$(new_id fb visit add --date 2026-05-01 --reason illness --member "hong nhung")
run fb show "$v" --json
is_j 'd["member_id"]' "$m3" "visit add --member takes her name"
run fb edit "$v" "member=Đỗ Thị Đào"
expect_exit 0 "edit member=NAME of a visit"
run fb show "$v" --json
is_j 'd["member_id"]' "$m4" "the visit's member, changed by name"
bad 65 "fieldbook: member_id: no member matches 'Kỹ năng' (see 'fieldbook list members')" \
	fb edit "$v" "member_id=Kỹ năng"
run fb log "nguyen thi lan anh" --json
is_j 'sorted(set(e["id"] for e in d))' "[\"$m5\"]" "log of a member by name"
run fb training unattend "kỹ năng" "nguyen thi lan"
expect_exit 0 "unattend by title and name"
run fb show "$t1" --json
is_j 'd["attendees"]' "[\"$m3\"]" "she is no longer an attendee"

# A deleted and a live record with the same name: the live one, except
# for restore, which means the deleted one.
d1=$(new_id fb member add --name "Phạm Thị Mai" --birth-year 1970)
fb delete "$d1" >/dev/null
d2=$(new_id fb member add --name "Phạm Thị Mai" --birth-year 1995)
is "$(shown "Phạm Thị Mai")" "$d2" "show prefers the record that is not deleted"
run fb restore "pham thi mai"
expect_exit 0 "restore by name"
run fb show "$d1" --json
is_j 'd["deleted"]' false "restore took the deleted one"
run fb restore "pham thi mai"
expect_exit 65 "now both are live: the name is ambiguous"
like "$ERR" "^  ${d1: -8}  member +Phạm Thị Mai +born 1970$" "the candidates tell them apart by birth year"

# --- list: short ids that resolve, --search ----------------------------
run fb list members
expect_exit 0 "list members"
is "$(printf '%s\n' "$OUT" | head -1 | cut -c1-10)" "ID        " "the ID column is 8 wide (and a gap)"
like "$OUT" "^${m1: -8}  Nguyễn Thị Lan " "a member's short id and name"
ids=$(printf '%s\n' "$OUT" | sed '1d;$d' | cut -d' ' -f1)
fails=0
for s in $ids; do
	run fb show "$s" --json
	[ "$RC" -eq 0 ] || fails=$((fails + 1))
done
is "$fails" 0 "every short id list shows finds its record"

run fb list members --search "nguyen thi"
expect_out_contains "Nguyễn Thị Lan" "--search 'nguyen thi' finds Nguyễn Thị Lan"
expect_out_contains "Nguyễn Thị Hồng Nhung" "and Nguyễn Thị Hồng Nhung"
is "$(printf '%s\n' "$OUT" | grep -c "Trần")" 0 "and not Trần Thị Lan"
is "$(printf '%s\n' "$OUT" | tail -1)" "3 members" "the count line counts what was found"
run fb list members --search "NGUYỄN THỊ LAN"
is "$(printf '%s\n' "$OUT" | tail -1)" "2 members" "accents and capitals in the search"
run fb list members --search 0987
expect_out_contains "Trần Thị Lan" "--search finds a member by phone"
run fb list trainings --search "bao luc"
expect_out_match "^${t2: -8}  2026-04-01  Phòng chống bạo lực gia đình" "--search finds a training by its title"
is "$(printf '%s\n' "$OUT" | tail -1)" "1 training" "only that one"
run fb list visits --search "dao"
expect_out_match "^${v: -8}  2026-05-01  illness +Đỗ Thị Đào" "a visit found, and shown, by its member's name"
fb delete "$d2" >/dev/null
run fb list members --search "mai" --json
is_j 'len(d)' 1 "--search with --json; deleted ones hidden"
run fb list members --search "mai" --all --json
is_j 'len(d)' 2 "--search with --all"
run fb list members --search "xyz"
is "$OUT" "ID        NAME                          ROLE            BORN  PHONE
0 members" "a search that finds nothing"

# Two ids that end alike: their short ids grow until each is unique, and
# a third that begins as they end does not make them ambiguous.
cat >"$TMP/same-end.csv" <<'EOF'
id,full_name
01900000-0000-7000-8000-0000aaaaaaaa,Vũ Thị Một
01900000-0000-7000-8000-0001aaaaaaaa,Vũ Thị Hai
aaaaaaaa-0000-7000-8000-000000000001,Vũ Thị Ba
EOF
run fb import "$TMP/same-end.csv" --type member
expect_exit 0 "import members whose ids end alike"
run fb list members --search "vu thi"
expect_out_match "^0aaaaaaaa  Vũ Thị Một" "a short id lengthened to 9 digits"
expect_out_match "^1aaaaaaaa  Vũ Thị Hai" "the other, 9 digits too"
expect_out_match "^00000001   Vũ Thị Ba" "the column is as wide as the longest"
is "$(shown 0aaaaaaaa)" "01900000-0000-7000-8000-0000aaaaaaaa" "the lengthened short id finds its record"
is "$(shown 1AAAAAAAA)" "01900000-0000-7000-8000-0001aaaaaaaa" "so does the other"
run fb show aaaaaaaa
expect_exit 65 "the 8 digits both end with (and one begins with) are ambiguous"
like "$ERR" "could be any of 3 members" "all three are candidates"

done_testing
