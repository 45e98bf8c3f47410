#!/usr/bin/env bash
# 65-conflicts.t - a conflict's number, settling twice, and a new laptop
# (docs/MERGE.md, "The conflict log").
#
# (a) Laptops A and B edit the same fields while apart (a phone, notes),
#     and A deletes a member B edits: after syncing, A, B and the hub
#     list the same conflicts under the same numbers, derived from the
#     entries that met (record, field, the stamp that lost), whatever
#     order each replica received them in.
# (b) A resolves one by its number (a prefix will do, '#' too); resolving
#     it again is refused (65) with a message, and so is it on B once the
#     decision reached B; bad and unknown numbers are refused (65).
# (c) Laptop C, enrolled later, pulls the branch's history: the open
#     conflicts between A and B are not C's own (`conflicts` says there
#     are some between other laptops, `status` counts none), `--all`
#     lists them marked, under the same numbers.  A conflict C takes part
#     in afterwards is its own.

. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
for x in a b c; do
	enroll "$H" HN.PL.TT.03 "laptop $x" "$TMP/$x.tok"
done
A=$TMP/a.db B=$TMP/b.db C=$TMP/c.db
new_collector "$A" HN.PL.TT.03 "$TMP/a.tok"
new_collector "$B" HN.PL.TT.03 "$TMP/b.tok"

sync_all() {
	local x
	for x in "$@"; do
		run fbd "$x" sync
		[ "$RC" -eq 0 ] || { fail "sync of $x" "exit $RC: $ERR"; return 1; }
	done
}

# ids DB: "id record field lost" of every conflict, sorted, from --all.
ids() {
	fbd "$1" conflicts --json --all | json_get '"\n".join(sorted("%s %s %s %s" % (c["id"], c["record"], c["field"], c["other"]) for c in d))'
}
hub_ids() {
	hub --db "$H" conflicts --json --all | json_get '"\n".join(sorted("%s %s %s %s" % (c["id"], c["record"], c["field"], c["lost"]) for c in d))'
}

# --- (a) the same numbers everywhere ------------------------------------------
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Lan" --phone 0900000001)
m2=$(new_id fbd "$A" member add --name "Trần Thị Hoa" --notes "gốc")
m3=$(new_id fbd "$A" member add --name "Lê Thị Mai" --notes "gốc")
sync_all "$A" "$B" || true
fbd "$A" edit "$m1" phone=0911111111 >/dev/null
fbd "$B" edit "$m1" phone=0922222222 >/dev/null
fbd "$B" edit "$m2" notes="B ghi" >/dev/null
fbd "$A" edit "$m2" notes="A ghi" >/dev/null
fbd "$B" edit "$m3" notes="B sửa" >/dev/null
fbd "$A" delete "$m3" >/dev/null
# B first at the hub; A receives B's entries, then B receives A's.
sync_all "$B" "$A" "$B" || true
ida=$(ids "$A")
is "$(wc -l <<<"$ida")" 3 "(a) A lists three conflicts (phone, notes, the edit of a deleted member)"
like "$ida" '^[0-9a-f]{8} ' "(a) ...each numbered with 8 hex digits"
is "$(ids "$B")" "$ida" "(a) B lists the same conflicts under the same numbers"
is "$(hub_ids)" "$ida" "(a) the hub too"
pid=$(fbd "$A" conflicts --json | json_get '[c["id"] for c in d if c["field"] == "phone"][0]')
nid=$(fbd "$A" conflicts --json | json_get '[c["id"] for c in d if c["field"] == "notes" and c["kind"] == "field"][0]')
run fbd "$A" conflicts
like "$OUT" "#$pid  member [^,]*, phone:" "(a) the table shows the number with a '#', and names the member"

# --- (b) resolving, and resolving again -----------------------------------------
run fbd "$A" resolve "#${pid:0:5}" --keep other
expect_exit 0 "(b) A resolves the phone by a prefix of its number, '#' and all"
expect_out "conflict #${pid:0:5} resolved" "(b) ...and says so"
export FIELDBOOK_DB=$A
bad 65 "fieldbook: conflict #$pid is already settled (a later change decided it); to change the value now, use 'fieldbook edit'" \
	fb resolve "$pid" --keep current
sync_all "$A" "$B" || true
is "$(fbd "$B" show "$m1" --json | json_get 'd["phone"]')" "$(fbd "$A" show "$m1" --json | json_get 'd["phone"]')" \
	"(b) B has A's decision"
export FIELDBOOK_DB=$B
bad 65 "fieldbook: conflict #$pid is already settled (a later change decided it); to change the value now, use 'fieldbook edit'" \
	fb resolve "$pid" --value 0933333333
bad 65 "fieldbook: 'x12' is not a conflict id (see 'fieldbook conflicts')" fb resolve x12 --keep other
bad 65 "fieldbook: 'abc' is not a conflict id (see 'fieldbook conflicts')" fb resolve abc --keep other
bad 65 "fieldbook: no conflict 0000beef here (see 'fieldbook conflicts --all')" fb resolve 0000beef --keep other
run fbd "$B" resolve "$nid" --keep current
expect_exit 0 "(b) B resolves the notes by the number A showed"
is "$(ids "$A" | cut -d' ' -f1)" "$(ids "$B" | cut -d' ' -f1)" "(b) still the same numbers on A and B"

# --- (c) a new laptop ------------------------------------------------------------------
new_collector "$C" HN.PL.TT.03 "$TMP/c.tok"
run fbd "$C" sync
expect_exit 0 "(c) C, new, pulls the branch's history"
open_ab=$(fbd "$A" conflicts --json | json_get 'len(d)')
ok "(c) A has open conflicts of its own ($open_ab)" test "$open_ab" -gt 0
run fbd "$C" conflicts
expect_exit 0 "(c) conflicts on C"
expect_out_contains "0 conflicts" "(c) ...none of C's own"
expect_out_contains "more between other laptops, from before this one first synced, are theirs to settle" \
	"(c) ...and says others' exist"
is "$(jget "$C" 'd["conflicts"]' status --json)" 0 "(c) status counts none for C"
is "$(fbd "$C" conflicts --json --all | json_get 'str(len([c for c in d if not c["resolved"]]) > 0 and all(c["inherited"] for c in d if not c["resolved"]))')" True \
	"(c) --all lists the open ones marked inherited"
is "$(fbd "$C" conflicts --json --all | json_get 'sorted(c["id"] for c in d)')" \
	"$(fbd "$A" conflicts --json --all | json_get 'sorted(c["id"] for c in d)')" \
	"(c) ...under A's numbers"
run fbd "$C" conflicts --all
expect_out_contains "[between other laptops, from before this one]" "(c) the table marks them"
# A conflict C takes part in is C's.
fbd "$C" edit "$m2" notes="C ghi" >/dev/null
fbd "$A" edit "$m2" notes="A lần hai" >/dev/null
sync_all "$C" "$A" "$C" || true
is "$(fbd "$C" conflicts --json | json_get 'len([c for c in d if c["record"] == "'"$m2"'" and not c["inherited"]])')" 1 \
	"(c) a conflict of C's own edit is listed as C's"
is "$(jget "$C" 'd["conflicts"]' status --json)" 1 "(c) ...and counted"
stop_hub
done_testing
