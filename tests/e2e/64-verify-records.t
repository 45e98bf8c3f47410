#!/usr/bin/env bash
# 64-verify-records.t - `verify` sees what people see (docs/COMMANDS.md).
#
# The records every command shows are rebuilt from the journal and
# compared with the record table.  A laptop with its own records and
# others' (pulled), and a hub, verify clean.  Then the record table is
# changed behind the journal's back (the sqlite3 shell): a value, a
# stamp, the deleted column, a row no entry wrote, a row gone.  `list`
# and `show` show the changed value, and `verify` reports each record by
# id and field on stdout, then one line on stderr, exit 65; the hub's
# verify names the record and field too.  Put back, all verify again.

. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/a.tok"
enroll "$H" HN.PL.TT.03 "laptop B" "$TMP/b.tok"
A=$TMP/a.db B=$TMP/b.db
new_collector "$A" HN.PL.TT.03 "$TMP/a.tok"
new_collector "$B" HN.PL.TT.03 "$TMP/b.tok"
export FIELDBOOK_DB=$A

m1=$(new_id fb member add --name "Nguyễn Thị Lan" --phone 0912000111)
m2=$(new_id fb member add --name "Trần Thị Hoa")
m3=$(new_id fb member add --name "Lê Thị Mai")
t1=$(new_id fb training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality)
fb training attend "$t1" "$m1" "$m2" >/dev/null
fb edit "$m1" notes="ghi chú" >/dev/null
fb delete "$m3" >/dev/null
mb=$(new_id fbd "$B" member add --name "Phạm Thị Thu" --phone 0912000999)
run fbd "$B" sync
run fb sync
expect_exit 0 "A syncs and pulls B's member"
n=$(sqlite3 "$A" "select count(*) from record")
run fb verify
expect_exit 0 "A verifies"
expect_out "ok: database intact, $(sqlite3 "$A" "select sum(n) from journal") journal entries in $(sqlite3 "$A" "select count(*) from journal") changes, hash chains complete, $n records as the journal gives them" \
	"verify: every record, others' too, is what the journal gives"
run hub --db "$H" verify
expect_exit 0 "the hub verifies"
like "$OUT" ", $n records as the journal gives them$" "...its records too"

# --- changed behind the journal's back ---------------------------------------
cp "$A" "$TMP/a.clean"
sqlite3 "$A" "update record set vals = json_set(vals, '\$.phone', '0999999999') where id = '$m1'"
run fb show "$m1" --json
is "$(json_get 'd["phone"]' <<<"$OUT")" 0999999999 "show shows the changed phone (what people see)"
run fb verify
expect_exit 65 "verify finds the change: 65"
expect_out "member $m1 field phone: the record table holds \"0999999999\", the journal gives \"0912000111\"" \
	"...naming the record and field, with both values, on stdout"
expect_err "fieldbook: 1 record of $n differs from the journal (1 difference, listed above): the record table was changed outside Fieldbook; the journal, which is whole, holds what was typed" \
	"...and one line on stderr"

sqlite3 "$A" "update record set vals = json_set(vals, '\$.phone', '0912000111') where id = '$m1';
	update record set clk = json_set(clk, '\$.notes', '0000000000000001:feedfacefeedface') where id = '$m1';
	update record set deleted = 0 where id = '$m3';
	update record set vals = json_set(vals, '\$.full_name', 'Phạm Thị Thư') where id = '$mb';
	insert into record(id, type, branch, deleted, vals, clk) values('$NOID', 'member',
		'HN.PL.TT.03', 0, '{\"full_name\":\"Ma\"}', '{\"full_name\":\"0000000000000001:feedfacefeedface\"}');
	delete from record where id = '$m2'"
run fb list members
expect_out_contains "Lê Thị Mai" "list shows the deleted member as not deleted (what people see)"
run fb verify
expect_exit 65 "verify: 65"
like "$OUT" "^member $m1 field notes: the record table has it written at 0000000000000001:feedfacefeedface, the journal at [0-9a-f]{16}:[0-9a-f]{16}$" \
	"a stamp changed: record and field"
like "$OUT" "^member $m2: written in the journal, but missing from the record table$" "a row gone"
like "$OUT" "^member $m3 field deleted: the record table's deleted column says 0, the journal 1$" \
	"the deleted column"
like "$OUT" "^member $mb field full_name: the record table holds \"Phạm Thị Thư\", the journal gives \"Phạm Thị Thu\"$" \
	"another laptop's record"
like "$OUT" "^member $NOID: in the record table, but no journal entry wrote it$" "a row no entry wrote"
is "$(wc -l <<<"$OUT")" 5 "five differences, one line each"
expect_err_match "^fieldbook: 5 records of $((n + 1)) differ from the journal \(5 differences, listed above\)" \
	"one line on stderr counts them"

cp "$TMP/a.clean" "$A"
rm -f "$A"-wal "$A"-shm
run fb verify
expect_exit 0 "put back, A verifies again"

# --- the hub ----------------------------------------------------------------------
stop_hub
# The phone's value replaced in the record's JSON text (in either store).
hub_sql "$H" "update record set vals = replace(vals, '\"0912000999\"', '\"0988888888\"') where id = '$mb'" >/dev/null
is "$(hub_sql "$H" "select count(*) from record where vals like '%\"phone\":\"0988888888\"%'")" 1 \
	"setup: the hub's record of B's member changed behind its back"
run hub --db "$H" verify
expect_exit 65 "the hub's verify finds its record changed: 65"
expect_err "fieldbook-hub: member $mb field phone: the record table holds \"0988888888\", the journal gives \"0912000999\" (1 difference between the record table and the journal in all: the records were changed outside Fieldbook)" \
	"...naming the record and field on one line"
done_testing
