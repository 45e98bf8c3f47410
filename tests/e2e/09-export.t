#!/usr/bin/env bash
# export: CSV per type (RFC 4180, optional BOM), JSON, -o FILE.
. "$(dirname "$0")/lib.sh"

fresh_db
m=$(new_id fb member add --name 'Lan, "Nhỏ"' --role member --notes 'a, "b"
c')
t=$(new_id fb training add --title "Kỹ năng lãnh đạo" --date 2026-02-02 --topic leadership,stem --location "Hội trường, xã")
fb training attend "$t" "$m" >/dev/null
v=$(new_id fb visit add --date 2026-02-03 --reason health_check --member "$m" --support health_check --amount-vnd 150000)
d=$(new_id fb member add --name "Đã xoá")
fb delete "$d"

# CSV: header of the type's fields, id first; CRLF rows; quoting.
run fb export --type member
expect_exit 0 "export --type member exits 0"
expect_err_empty
printf 'id,full_name,role,birth_year,phone,joined,notes\r\n%s,"Lan, ""Nhỏ""",member,,,,"a, ""b""\nc"\r\n' "$m" >"$TMP/want.csv"
ok "member CSV is exactly as RFC 4180 wants (commas, quotes, line break quoted)" cmp -s "$OUT_FILE" "$TMP/want.csv"
[ -n "$(cmp "$OUT_FILE" "$TMP/want.csv" 2>&1)" ] && diag "$(od -c "$OUT_FILE" | head -20)"
is "$(grep -c "$d" "$OUT_FILE")" 0 "a deleted member is not exported"

run fb export --type training
printf 'id,title,start_date,end_date,topics,location,organizer_level,trainer,notes\r\n%s,Kỹ năng lãnh đạo,2026-02-02,,"leadership,stem","Hội trường, xã",,,\r\n' "$t" >"$TMP/want.csv"
ok "training CSV exact (topics list quoted)" cmp -s "$OUT_FILE" "$TMP/want.csv"
run fb export --type attendance
printf 'id,training_id,member_id\r\n%s:%s,%s,%s\r\n' "$t" "$m" "$t" "$m" >"$TMP/want.csv"
ok "attendance CSV exact" cmp -s "$OUT_FILE" "$TMP/want.csv"
run fb export --type visits
printf 'id,visit_date,reason,member_id,person_name,support,amount_vnd,gift,visitors,notes\r\n%s,2026-02-03,health_check,%s,,health_check,150000,,,\r\n' "$v" "$m" >"$TMP/want.csv"
ok "visit CSV exact (plural type name accepted)" cmp -s "$OUT_FILE" "$TMP/want.csv"

run fb export --type member --all
expect_out_match '^id,full_name,role,birth_year,phone,joined,notes,deleted' "--all adds a deleted column"
expect_out_match "^$d,Đã xoá,,,,,,1" "--all includes the deleted member with deleted=1"
expect_out_contains 'c",0' "--all: live member (row ends after its notes) has deleted=0"

# --bom: EF BB BF then the same bytes.
run fb export --type member --bom
is "$(head -c 3 "$OUT_FILE" | od -An -tx1 | tr -d ' ')" "efbbbf" "--bom starts with EF BB BF"
fb export --type member >"$TMP/nobom.csv"
is "$(tail -c +4 "$OUT_FILE" | cmp - "$TMP/nobom.csv" && echo same)" same "--bom: the rest is the plain CSV"
run fb export --type member
is "$(head -c 3 "$OUT_FILE" | od -An -tx1 | tr -d ' ')" "69642c" "without --bom, no BOM"

# A CSV parser reads back what went in.
got=$(fb export --type member | py -c '
import csv, sys, json
rows = list(csv.DictReader(sys.stdin))
print(json.dumps([rows[0]["full_name"], rows[0]["notes"]], ensure_ascii=False))')
is "$got" '["Lan, \"Nhỏ\"", "a, \"b\"\nc"]' "Python's csv module reads the fields back exactly"

# JSON: every type, or one; valid; deleted only with --all.
run fb export --format json
expect_exit 0 "export --format json exits 0"
ok "export JSON is valid" is_json "$OUT_FILE"
is_j 'd["branch"]' HN.PL.TT.03 "JSON names the branch"
is_j '[r["type"] for r in d["records"]]' \
	'["member", "training", "attendance", "visit"]' "JSON has every live record, members first"
is "$(printf '%s' "$OUT" | json_get '[r["notes"] for r in d["records"] if r["id"] == "'"$m"'"][0]')" 'a, "b"
c' "JSON keeps the notes exactly"
run fb export --format json --all
is_j 'sum(1 for r in d["records"] if r["deleted"])' 1 "JSON --all includes the deleted member"
run fb export --format json --type training
is_j '[r["id"] for r in d["records"]]' "[\"$t\"]" "JSON --type training"

# -o FILE: created owner-only, never overwritten.
run fb export --type member -o "$TMP/out.csv"
expect_exit 0 "export -o FILE exits 0"
expect_out "" "export -o FILE prints nothing on stdout"
fb export --type member >"$TMP/stdout.csv"
ok "-o FILE holds the same bytes as stdout" cmp -s "$TMP/out.csv" "$TMP/stdout.csv"
is "$(stat -c %a "$TMP/out.csv")" 600 "the exported file is 0600"
echo "precious" >"$TMP/keep.csv"
bad 74 "fieldbook: $TMP/keep.csv exists; choose another name or remove it" \
	fb export --type member -o "$TMP/keep.csv"
is "$(cat "$TMP/keep.csv")" "precious" "an existing file is not overwritten"
bad 74 "fieldbook: $TMP/out.csv exists; choose another name or remove it" \
	fb export --format json --output "$TMP/out.csv"
ok "the earlier export is untouched" cmp -s "$TMP/out.csv" "$TMP/stdout.csv"
ln -s "$TMP/keep.csv" "$TMP/link.csv"
run fb export --type member -o "$TMP/link.csv"
ok "a symlink to an existing file is refused (exit non-zero)" test "$RC" -ne 0
is "$(cat "$TMP/keep.csv")" "precious" "the symlink's target is not overwritten"
bad 74 "fieldbook: cannot create $TMP/nodir/x.csv: No such file or directory" \
	fb export --type member -o "$TMP/nodir/x.csv"

bad 64 "fieldbook: CSV holds one type: give --type member|training|attendance|visit (see 'fieldbook export --help')" \
	fb export
bad 64 "fieldbook: unknown type 'cats' (member, training, attendance, visit) (see 'fieldbook export --help')" \
	fb export --type cats
bad 64 "fieldbook: --format is csv, json or xlsx, not 'ods' (see 'fieldbook export --help')" \
	fb export --type member --format ods

done_testing
