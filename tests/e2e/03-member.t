#!/usr/bin/env bash
# member add: every option, the id printed alone, and bad values.
. "$(dirname "$0")/lib.sh"

fresh_db

run fb member add --name "Trần Thị Lan" --role branch_deputy --birth-year 1975 \
	--phone "0912 345 678" --joined 2019-05-20 --notes "Hội viên tích cực"
expect_exit 0 "member add with every option exits 0"
expect_out_match "$UUID_RE" "member add prints a lower-case UUID alone"
expect_err_empty "member add: nothing on stderr"
m=$OUT
is "$(printf '%s\n' "$OUT" | wc -l)" 1 "member add prints exactly one line"

run fb show "$m" --json
expect_exit 0 "show the new member"
is_j '[d[k] for k in ("id","type","branch","full_name","role","birth_year","phone","joined","notes")]' \
	"[\"$m\", \"member\", \"HN.PL.TT.03\", \"Trần Thị Lan\", \"branch_deputy\", \"1975\", \"0912 345 678\", \"2019-05-20\", \"Hội viên tích cực\"]" \
	"every option is stored in its field"
is_j 'd["deleted"]' false "a new member is not deleted"

run fb member add --name "Lê Thị Hoa"
expect_exit 0 "member add with --name only"
m2=$OUT
run fb show "$m2" --json
is_j 'sorted(k for k in d if k not in ("id","type","branch","deleted","trainings"))' \
	'["full_name"]' "only the given field is set"

# Values are trimmed and canonical.
run fb member add --name "  Phạm Thị Mai  " --role commune_vice
m3=$OUT
run fb show "$m3" --json
is_j 'd["full_name"]' "Phạm Thị Mai" "white space around a name is trimmed"

# Each role of the vocabulary is accepted.
for r in member branch_head branch_deputy commune_president commune_vice \
	commune_president_planned official; do
	run fb member add --name "Role $r" --role "$r"
	expect_exit 0 "role $r accepted"
done

# Limits: 200 bytes of name and 4000 of notes are fine, one more is not.
name200=$(printf 'a%.0s' $(seq 200))
name201=${name200}a
notes4000=$(head -c 4000 /dev/zero | tr '\0' n)
notes4001=${notes4000}n
run fb member add --name "$name200" --notes "$notes4000"
expect_exit 0 "a 200-byte name and 4000-byte notes are accepted"

# Bad inputs: exit 65, one line naming the problem, nothing written.
bad 65 "fieldbook: joined: '2026-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb member add --name X --joined 2026-02-30
bad 65 "fieldbook: joined: '2026-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb member add --name X --joined 2026-13-01
bad 65 "fieldbook: joined: '26-1-1' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb member add --name X --joined 26-1-1
bad 65 "fieldbook: joined: '2025-02-29' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb member add --name X --joined 2025-02-29
run fb member add --name "Leap" --joined 2024-02-29
expect_exit 0 "2024-02-29 is a date"
bad 65 "fieldbook: role: unknown value 'queen'" fb member add --name X --role queen
bad 65 "fieldbook: birth_year: '19x0' is not a year (1900 to 2200)" \
	fb member add --name X --birth-year 19x0
bad 65 "fieldbook: birth_year: '1800' is not a year (1900 to 2200)" \
	fb member add --name X --birth-year 1800
bad 65 "fieldbook: full_name: invalid UTF-8 at byte 1" fb member add --name "$(printf '\xff')"
bad 65 "fieldbook: full_name: invalid UTF-8 at byte 3" fb member add --name "$(printf 'Ng\xc3')"
bad 65 "fieldbook: notes: invalid UTF-8 at byte 2" fb member add --name X --notes "$(printf 'a\xffb')"
bad 65 "fieldbook: full_name: must not be empty" fb member add --name ""
bad 65 "fieldbook: full_name: must not be empty" fb member add --name "   "
bad 65 "fieldbook: full_name is required" fb member add --role member
bad 65 "fieldbook: full_name: too long (201 bytes, at most 200)" fb member add --name "$name201"
bad 65 "fieldbook: notes: too long (4001 bytes, at most 4000)" \
	fb member add --name X --notes "$notes4001"
bad 65 "fieldbook: full_name: control character at byte 2 (line breaks only in notes)" \
	fb member add --name "$(printf 'A\nB')"

run fb list members --json
is_j 'len(d)' 12 "exactly the 12 good members were added"

done_testing
