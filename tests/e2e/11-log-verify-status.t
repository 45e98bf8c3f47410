#!/usr/bin/env bash
# log [ID], verify (and tampering), status [--json].
. "$(dirname "$0")/lib.sh"

fresh_db
m=$(new_id fb member add --name "Nguyễn Thị Hồng Nhung" --role branch_head)
t=$(new_id fb training add --title "Phòng chống bạo lực gia đình" --date 2026-03-08 --topic domestic_violence)
fb training attend "$t" "$m" >/dev/null
fb edit "$m" phone=0912
v=$(new_id fb visit add --date 2026-01-25 --reason tet --person "Bà Tư" --amount-vnd 500000)
fb delete "$v"
dev=$(fb status --json | json_get 'd["device"]')

# status
run fb status --json
expect_exit 0 "status --json exits 0"
ok "status --json is valid JSON" is_json "$OUT_FILE"
is_j 'sorted(set(["attendances", "branch", "branch_name", "conflicts", "database", "device", "journal_entries", "last_sync", "members", "pending_entries", "remote", "trainings", "visits"]) - set(d))' \
	'[]' "status --json has the fields: counts, pending, remote, last sync, conflicts"
is_j '[d["remote"], d["last_sync"]]' '["", ""]' "status --json: no remote, never synced"
is_j '[d["database"], d["branch"], d["members"], d["trainings"], d["attendances"], d["visits"], d["conflicts"]]' \
	"[\"$FIELDBOOK_DB\", \"HN.PL.TT.03\", 1, 1, 1, 0, 0]" "status counts live records"
n=$(sqlite3 "$FIELDBOOK_DB" 'select sum(n) from journal')
is_j 'd["journal_entries"]' "$n" "journal_entries = entries in the journal"
is_j 'd["pending_entries"]' "$n" "nothing sent yet: all pending"
is "$n" 14 "one entry per field: 2 member + 3 training + 2 attendance + 1 edit + 4 visit + 2 delete (deleted and _seen)"
run fb status
expect_exit 0 "status (text) exits 0"
expect_out_contains "branch:    HN.PL.TT.03" "status text: branch"
expect_out_contains "device:    $dev" "status text: device"
expect_out_contains "records:   1 members, 1 trainings, 1 attendances, 0 visits" "status text: records"
expect_out_contains "journal:   $n entries, $n not yet sent" "status text: journal"
bad 64 "fieldbook: unexpected argument 'x' (see 'fieldbook status --help')" fb status x

# log
run fb log
expect_exit 0 "log exits 0"
is "$(printf '%s\n' "$OUT" | wc -l)" "$n" "log: one line per journal entry"
expect_out_match "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  $dev #1  member $m  full_name = Nguyễn Thị Hồng Nhung$" \
	"log line: local time (to the minute), device, sequence, type, id, field = value"
run fb log "$m"
expect_exit 0 "log ID exits 0"
is "$(printf '%s\n' "$OUT" | wc -l)" 3 "log ID: the member's 3 entries only"
is "$(printf '%s\n' "$OUT" | grep -vc " member $m ")" 0 "log ID: no other record's entries"
expect_out_contains "phone = 0912" "log ID shows the edit"
run fb log "$v"
is "$(printf '%s\n' "$OUT" | tail -2 | head -1 | sed 's/.*  //')" "deleted = 1" "log shows the delete as deleted = 1"
is "$(printf '%s\n' "$OUT" | tail -1 | sed 's/.*  //')" "(delete saw 4 fields)" \
	"...and its seen vector as how many fields it saw, not as a field"
run fb log "$v" --json
is_j '[[e["field"], e.get("internal", False)] for e in d][-2:]' '[["deleted", false], ["_seen", true]]' \
	"log --json keeps the seen vector's entry, marked internal"
run fb log "$t:$m"
is "$(printf '%s\n' "$OUT" | wc -l)" 2 "log of an attendance id"
run fb log --json
expect_exit 0 "log --json exits 0"
ok "log --json is valid JSON" is_json "$OUT_FILE"
is_j 'len(d)' "$n" "log --json: one object per entry"
is_j '[d[0][k] for k in ("device","seq","id","type","field","value")]' \
	"[\"$dev\", 1, \"$m\", \"member\", \"full_name\", \"Nguyễn Thị Hồng Nhung\"]" "log --json: first entry"
is_j '[e["seq"] for e in d]' \
	"$(py -c 'import sys; print(list(range(1, int(sys.argv[1]) + 1)))' "$n")" "sequence numbers 1..n without gaps"
like "$(printf '%s' "$OUT" | json_get 'd[0]["hlc"]')" '^[0-9a-f]{16}$' "hlc is 16 hex digits"
bad 65 "fieldbook: no record with id '$NOID'" fb log "$NOID"
bad 64 "fieldbook: give at most one record (see 'fieldbook log --help')" fb log "$m" "$t"

# verify
run fb verify
expect_exit 0 "verify exits 0 on a good database"
expect_out_match "^ok: database intact, $n journal entries in 6 changes, hash chains complete, [0-9]+ records as the journal gives them$" "verify: ok line"
expect_err_empty

cp "$FIELDBOOK_DB" "$TMP/good.db"
# Tamper with the body of the training's row (the second change).
seq=$(sqlite3 "$FIELDBOOK_DB" "select seq from journal where record_id = '$t' order by seq limit 1")
sqlite3 "$FIELDBOOK_DB" "update journal set body = replace(body, 'bạo lực', 'BẠO LỰC') where record_id = '$t'"
is "$(sqlite3 "$FIELDBOOK_DB" "select count(*) from journal where body like '%BẠO LỰC%'")" 1 "tampered one journal row"
bad 65 "fieldbook: journal: device $dev entry $seq was altered (hash does not match)" fb verify

# A changed value (same length) in the first row.
cp "$TMP/good.db" "$FIELDBOOK_DB"
sqlite3 "$FIELDBOOK_DB" "update journal set body = replace(body, 'branch_head', 'branch_dead') where seq = 1"
bad 65 "fieldbook: journal: device $dev entry 1 was altered (hash does not match)" fb verify

# A changed HLC.
cp "$TMP/good.db" "$FIELDBOOK_DB"
last=$(sqlite3 "$FIELDBOOK_DB" "select max(seq) from journal")
sqlite3 "$FIELDBOOK_DB" "update journal set hlc = hlc + 1 where seq = $last"
bad 65 "fieldbook: journal: device $dev entry $last was altered (hash does not match)" fb verify

# A missing row.
cp "$TMP/good.db" "$FIELDBOOK_DB"
sqlite3 "$FIELDBOOK_DB" "delete from journal where seq = $seq"
bad 65 "fieldbook: journal: device $dev entry $seq is missing" fb verify

cp "$TMP/good.db" "$FIELDBOOK_DB"
run fb verify
expect_exit 0 "verify is ok again on the untouched copy"
bad 64 "fieldbook: unexpected argument 'x' (see 'fieldbook verify --help')" fb verify x

done_testing
