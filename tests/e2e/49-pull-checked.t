#!/usr/bin/env bash
# A pull is checked against the writers' hash chains (docs/PROTOCOL.md
# §7.2): a hub that altered an entry, or reordered a device's changes,
# is caught by the laptop, which names the device and entries, applies
# nothing of the page, and syncs again once the hub is sound.  A captured
# push resent with one value changed and its old last_hash is never
# taken as a replay.  The hub is tampered with through its database, as
# damage or a dishonest relay would leave it.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
for l in B C D; do
	enroll "$H" HN.PL.TT.03 "laptop $l" "$TMP/tok$l"
done
start_hub "$H"
A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tokA"
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Lan" --role branch_head --birth-year 1978)
m2=$(new_id fbd "$A" member add --name "Trần Thị Mai")
t1=$(new_id fbd "$A" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality)
fbd "$A" training attend "$t1" "$m1" "$m2" >/dev/null
fbd "$A" edit "$m2" phone=0912000111 >/dev/null
run fbd "$A" sync
expect_exit 0 "setup: A syncs its records"
devA=$(own_device "$A")

# The number of records a laptop holds, deleted ones included.
records() {
	sqlite3 -readonly "$1" "select count(*) from record"
}

# --- an entry altered on the hub ------------------------------------
B=$TMP/B.db
new_collector "$B" HN.PL.TT.03 "$TMP/tokB"
hub_sql "$H" "update journal set body = replace(body, 'Trần Thị Mai', 'Trần Thị Mây')
	where device = '$devA' and body like '%Trần Thị Mai%'"
is "$(hub_sql "$H" "select count(*) from journal where body like '%Mây%'")" 1 \
	"setup: one entry of A altered on the hub"
run fbd "$B" sync
expect_exit 65 "a page with an altered entry: exit 65"
expect_err_match "device $devA entries [0-9]+ to [0-9]+ do not match their hash chain" \
	"the error names the device and the entries"
expect_err_match "nothing of it was applied" "and says nothing was applied"
is "$(records "$B")" 0 "B applied nothing of the page"
is "$(sqlite3 -readonly "$B" "select coalesce((select value from meta where key = 'pull_cursor'), 0)")" 0 \
	"B's pull cursor did not move"
hub_sql "$H" "update journal set body = replace(body, 'Trần Thị Mây', 'Trần Thị Mai')
	where device = '$devA'"
run fbd "$B" sync
expect_exit 0 "the hub made sound again, B syncs"
is "$(records "$B")" "$(records "$A")" "B holds all of A's records"
run fbd "$B" verify
expect_exit 0 "B's journal verifies"

# --- a device's changes reordered on the hub ------------------------
C=$TMP/C.db
new_collector "$C" HN.PL.TT.03 "$TMP/tokC"
first=$(hub_sql "$H" "select min(cseq) from journal where device = '$devA'")
second=$(hub_sql "$H" "select min(cseq) from journal where device = '$devA' and cseq > $first")
hub_sql "$H" "update journal set cseq = -1 where cseq = $first;
	update journal set cseq = $first where cseq = $second;
	update journal set cseq = $second where cseq = -1"
run fbd "$C" sync
expect_exit 65 "a page with two changes of A swapped: exit 65"
expect_err_match "device $devA entr" "the error names the device"
is "$(records "$C")" 0 "C applied nothing of the page"
hub_sql "$H" "update journal set cseq = -1 where cseq = $first;
	update journal set cseq = $first where cseq = $second;
	update journal set cseq = $second where cseq = -1"
run fbd "$C" sync
expect_exit 0 "in order again, C syncs"
is "$(records "$C")" "$(records "$A")" "C holds all of A's records"

# --- a captured push resent with one value changed ------------------
# D pushes one member; the capture is its body, resent by hand with the
# name changed and the old last_hash: never a replay, on either version.
D=$TMP/D.db
new_collector "$D" HN.PL.TT.03 "$TMP/tokD"
fbd "$D" member add --name "Lê Thị Hồng" >/dev/null
run fbd "$D" sync
expect_exit 0 "setup: D syncs one member"
devD=$(own_device "$D")
body=$(py - "$D" "$devD" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq, hlc, rid, typ, branch, body, h = db.execute(
    "select seq, hlc, record_id, type, branch, body, hex(hash) from journal"
    " where device = ? order by seq limit 1", (sys.argv[2],)).fetchone()
entries = json.loads(body)
for e in entries:
    if e[0] == "full_name":
        e[1] = "Lê Thị Hằng"
    e[2] = e[2] if e[2] else ""
print(json.dumps({"v": 2, "device": sys.argv[2], "seq": seq, "branch": branch,
                  "changes": [{"h": "%016x" % hlc, "id": rid, "t": typ, "e": entries}],
                  "last_hash": h.lower()}, ensure_ascii=False))
EOF
)
like "$body" '"last_hash": "[0-9a-f]{64}"' "setup: the capture, with the name changed"
push_as() {
	printf '%s' "$2" | sed "s/\"v\": 2/\"v\": $1/" |
		curl -s -o "$TMP/ans" -w '%{http_code}' -X POST -H "Authorization: Bearer $(cat "$TMP/tokD")" \
			-H 'Content-Type: application/json' --data-binary @- "$HUB_URL/v$1/push"
}
is "$(push_as 2 "$body")" 409 "resent on /v2/push: 409"
like "$(cat "$TMP/ans")" '"error":"fork".*"seq":1' "a fork at entry 1, not replayed"
is "$(push_as 1 "$body")" 400 "resent on /v1/push: 400"
like "$(cat "$TMP/ans")" '"error":"chain_mismatch"' "chain_mismatch, as the release before knows it"
unchanged=$(py - "$D" "$devD" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq, hlc, rid, typ, branch, body, h = db.execute(
    "select seq, hlc, record_id, type, branch, body, hex(hash) from journal"
    " where device = ? order by seq limit 1", (sys.argv[2],)).fetchone()
print(json.dumps({"v": 2, "device": sys.argv[2], "seq": seq, "branch": branch,
                  "changes": [{"h": "%016x" % hlc, "id": rid, "t": typ, "e": json.loads(body)}],
                  "last_hash": h.lower()}, ensure_ascii=False))
EOF
)
is "$(push_as 2 "$unchanged")" 200 "the very same push is a replay"
like "$(cat "$TMP/ans")" '"applied":0,"replayed":1' "counted as replayed"
is "$(hub_sql "$H" "select count(*) from journal where body like '%Hằng%'")" 0 \
	"the hub never took the changed name"
run hub --db "$H" verify
expect_exit 0 "the hub verifies"

done_testing
