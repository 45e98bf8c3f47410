#!/usr/bin/env bash
# visit add: a member or a person, reasons, support, amounts.
. "$(dirname "$0")/lib.sh"

fresh_db
m1=$(new_id fb member add --name "Đỗ Thị Hạnh")

run fb visit add --date 2026-01-25 --reason tet --member "$m1" --support gift \
	--amount-vnd 500000 --gift "Áo dài" --visitors "Chi hội trưởng, chi hội phó" --notes "Thăm Tết"
expect_exit 0 "visit add with --member and every option"
expect_out_match "$UUID_RE" "visit add prints a lower-case UUID alone"
expect_err_empty
v1=$OUT
run fb show "$v1" --json
is_j '[d[k] for k in ("visit_date","reason","member_id","support","amount_vnd","gift","visitors","notes")]' \
	"[\"2026-01-25\", \"tet\", \"$m1\", \"gift\", \"500000\", \"Áo dài\", \"Chi hội trưởng, chi hội phó\", \"Thăm Tết\"]" \
	"every option is stored in its field"

run fb visit add --date 2026-02-10 --reason illness --person "Bà Nguyễn Thị Tư" --support cash --amount-vnd 0
expect_exit 0 "visit add with --person and amount 0"
v2=$OUT
run fb show "$v2" --json
is_j 'd["person_name"] + "|" + d["amount_vnd"] + "|" + str("member_id" in d)' \
	"Bà Nguyễn Thị Tư|0|False" "person_name and amount 0 stored, no member_id"
run fb visit add --date 2026-02-11 --reason hardship --person P --amount-vnd 007
expect_exit 0 "amount with leading zeros"
run fb show "$OUT" --json
is_j 'd["amount_vnd"]' 7 "amount is stored without leading zeros"
run fb visit add --date 2026-02-12 --reason other --person P --amount-vnd 1000000000000
expect_exit 0 "the largest amount (1,000 billion VND) is accepted"
for r in illness hardship tet health_check childbirth bereavement other; do
	run fb visit add --date 2025-06-01 --reason "$r" --person "Reason $r"
	expect_exit 0 "reason $r accepted"
done
for s in cash gift health_check other; do
	run fb visit add --date 2025-06-02 --reason other --person "Support $s" --support "$s"
	expect_exit 0 "support $s accepted"
done

msg_amount() {
	printf "fieldbook: amount_vnd: '%s' is not a whole number of VND from 0 to 1000000000000" "$1"
}
bad 65 "fieldbook: a visit needs a member (--member ID) or a person's name (--person NAME)" \
	fb visit add --date 2026-01-01 --reason illness
bad 65 "fieldbook: a visit needs a member (--member ID) or a person's name (--person NAME)" \
	fb visit add --date 2026-01-01 --reason illness --person "  "
bad 65 "fieldbook: member_id: no member with id '$NOID'" \
	fb visit add --date 2026-01-01 --reason illness --member "$NOID"
bad 65 "fieldbook: member_id: 'abc' is not a record id" \
	fb visit add --date 2026-01-01 --reason illness --member abc
bad 65 "fieldbook: member_id: no member with id '$v1'" \
	fb visit add --date 2026-01-01 --reason illness --member "$v1"
bad 65 "$(msg_amount -5)" fb visit add --date 2026-01-01 --reason illness --person P --amount-vnd -5
bad 65 "$(msg_amount 1.5)" fb visit add --date 2026-01-01 --reason illness --person P --amount-vnd 1.5
bad 65 "$(msg_amount abc)" fb visit add --date 2026-01-01 --reason illness --person P --amount-vnd abc
bad 65 "$(msg_amount 1e6)" fb visit add --date 2026-01-01 --reason illness --person P --amount-vnd 1e6
bad 65 "$(msg_amount 1000000000001)" \
	fb visit add --date 2026-01-01 --reason illness --person P --amount-vnd 1000000000001
bad 65 "$(msg_amount '+5')" fb visit add --date 2026-01-01 --reason illness --person P --amount-vnd +5
bad 65 "fieldbook: reason: unknown value 'birthday'" \
	fb visit add --date 2026-01-01 --reason birthday --person P
bad 65 "fieldbook: reason is required" fb visit add --date 2026-01-01 --person P
bad 65 "fieldbook: support: unknown value 'money'" \
	fb visit add --date 2026-01-01 --reason illness --person P --support money
bad 65 "fieldbook: visit_date: '2026-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb visit add --date 2026-02-30 --reason illness --person P
bad 65 "fieldbook: visit_date: '2026-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb visit add --date 2026-13-01 --reason illness --person P
bad 65 "fieldbook: visit_date: '26-1-1' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb visit add --date 26-1-1 --reason illness --person P
bad 65 "fieldbook: person_name: invalid UTF-8 at byte 5" \
	fb visit add --date 2026-01-01 --reason illness --person "$(printf 'Bà \xff')"
bad 65 "fieldbook: person_name: too long (201 bytes, at most 200)" \
	fb visit add --date 2026-01-01 --reason illness --person "$(printf 'p%.0s' $(seq 201))"
bad 65 "fieldbook: gift: too long (201 bytes, at most 200)" \
	fb visit add --date 2026-01-01 --reason illness --person P --gift "$(printf 'g%.0s' $(seq 201))"
bad 65 "fieldbook: notes: too long (4001 bytes, at most 4000)" \
	fb visit add --date 2026-01-01 --reason illness --person P --notes "$(head -c 4001 /dev/zero | tr '\0' n)"

# A deleted member cannot be visited until restored.
run fb delete "$m1"
bad 65 "fieldbook: member_id: member $m1 is deleted" \
	fb visit add --date 2026-01-01 --reason illness --member "$m1"
run fb restore "$m1"
run fb visit add --date 2026-01-01 --reason illness --member "$m1"
expect_exit 0 "a restored member can be visited"

done_testing
