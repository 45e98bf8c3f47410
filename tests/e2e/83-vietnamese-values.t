#!/usr/bin/env bash
# Options and values as a Vietnamese user types them: codes by their
# Vietnamese names (case and accents aside), dates day first, amounts
# with thousands separators, a phone without its leading 0.  CSV and
# JSON still hold the codes and ISO dates.
. "$(dirname "$0")/lib.sh"

fresh_db
m=$(new_id fb member add --name "Nguyễn Thị Hồng" --role "Chi hội trưởng" --joined 30/04/2026)
m2=$(new_id fb member add --name "Trần Thị Lan" --role "chi hoi pho" --joined 30-04-2026)
m3=$(new_id fb member add --name "Lê Thị Hoa" --role "HỘI VIÊN" --joined 1/5/2026)
run fb list members --json
is_j '[[r["full_name"], r["role"], r["joined"]] for r in sorted(d, key=lambda r: r["full_name"])]' \
	'[["Lê Thị Hoa", "member", "2026-05-01"], ["Nguyễn Thị Hồng", "branch_head", "2026-04-30"], ["Trần Thị Lan", "branch_deputy", "2026-04-30"]]' \
	"--role by its Vietnamese name, any case, with or without accents; dates day first"
t=$(new_id fb training add --title "Bình đẳng giới ở cơ sở" --date 10/05/26 --end-date 11/05/26 \
	--topic "Bình đẳng giới; nuoi day con" --organizer Xã)
run fb show "$t" --json
is_j '[d["start_date"], d["end_date"], d["topics"], d["organizer_level"]]' \
	'["2026-05-10", "2026-05-11", "gender_equality,parenting", "commune"]' \
	"--topic by names (';' between), --organizer Xã, dd/mm/yy dates"
v=$(new_id fb visit add --date 25/01/2026 --reason Tết --member "$m" --support "Tiền mặt" --amount-vnd 500.000)
v2=$(new_id fb visit add --date 2026-01-26 --reason "ốm đau" --person "Bà Tư" --amount-vnd "500,000 đ")
v3=$(new_id fb visit add --date 2026-01-27 --reason "Thăm hỏi dịp Tết" --person "Bà Năm" --amount-vnd "1.250.000đ")
run fb list visits --json
is_j '[[r["visit_date"], r["reason"], r.get("support", ""), r["amount_vnd"]] for r in sorted(d, key=lambda r: r["visit_date"])]' \
	'[["2026-01-25", "tet", "cash", "500000"], ["2026-01-26", "illness", "", "500000"], ["2026-01-27", "tet", "", "1250000"]]' \
	"--reason Tết and names, --support by name, amounts 500.000, 500,000 đ, 1.250.000đ"

# Output: codes and ISO dates in CSV and JSON.
run fb export --type visit
expect_out_contains "$v,2026-01-25,tet,$m,,cash,500000,,,"$'\r' "CSV holds the codes and ISO dates"
run fb export --format json
is_j '[r["start_date"] for r in d["records"] if r["type"] == "training"]' '["2026-05-10"]' "JSON holds ISO dates"

# edit takes the same values.
run fb edit "$m2" "role=Chi hội trưởng" "joined=02/05/2026"
expect_exit 0 "edit: role and date as typed"
run fb show "$m2" --json
is_j '[d["role"], d["joined"]]' '["branch_head", "2026-05-02"]' "edit: stored as code and ISO date"

# The two-digit year: at most ten years ahead, else the century before.
y=$(date +%Y)
yy_ahead=$(printf '%02d' $(( (y + 10) % 100 )))
yy_past=$(printf '%02d' $(( (y + 11) % 100 )))
m4=$(new_id fb member add --name "Hai Số" --joined "01/01/$yy_ahead")
m5=$(new_id fb member add --name "Ba Số" --joined "01/01/$yy_past")
run fb show "$m4" --json
is_j 'd["joined"]' "$((y + 10))-01-01" "dd/mm/yy: ten years ahead is this century"
run fb show "$m5" --json
is_j 'd["joined"]' "$((y + 11 - 100))-01-01" "dd/mm/yy: eleven years ahead is the century before"

# What cannot be read, or could be read two ways, is refused.
bad 65 "fieldbook: amount_vnd: '1.5' is not a whole number of VND from 0 to 1000000000000" \
	fb visit add --date 2026-01-01 --reason tet --person X --amount-vnd 1.5
bad 65 "fieldbook: amount_vnd: '1,50' is not a whole number of VND from 0 to 1000000000000" \
	fb visit add --date 2026-01-01 --reason tet --person X --amount-vnd 1,50
bad 65 "fieldbook: amount_vnd: '500.000 USD' is not a whole number of VND from 0 to 1000000000000" \
	fb visit add --date 2026-01-01 --reason tet --person X --amount-vnd "500.000 USD"
bad 65 "fieldbook: visit_date: '30-04-26' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb visit add --date 30-04-26 --reason tet --person X
bad 65 "fieldbook: visit_date: '31/04/2026' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb visit add --date 31/04/2026 --reason tet --person X
bad 65 "fieldbook: reason: unknown value 'Sinh nhật'" \
	fb visit add --date 2026-01-01 --reason "Sinh nhật" --person X
bad 65 "fieldbook: topics: unknown topic 'Nấu ăn' (see 'fieldbook training --help')" \
	fb training add --title X --date 2026-01-01 --topic "Bình đẳng giới; Nấu ăn"
bad 65 "fieldbook: role: unknown value 'Chi hội'" fb member add --name X --role "Chi hội"

# A phone without the leading 0 of a Vietnamese number gets it back.
run fb member add --name "Đỗ Thị Ánh" --phone 912345678
expect_exit 0 "a phone of nine digits is accepted"
expect_err "fieldbook: phone 912345678 read as 0912345678 (a Vietnamese number without its leading 0)" \
	"...with a notice"
run fb show "$OUT" --json
is_j 'd["phone"]' "0912345678" "...and stored with its 0"
run fb member add --name "Hồ Thị Mai" --phone "+84 912 345 678"
expect_err_empty "a phone with its country code is left as typed"

done_testing
