#!/usr/bin/env bash
# 90-relay.t - hubs relay upward: laptops -> district hubs -> province ->
# central (docs/PROTOCOL.md §13.6, fieldbook-hub upstream set / sync).
#
# Four hubs on loopback: C (central, VN), P (province, HN) below it, and
# two district hubs D1 (HN.PL) and D2 (HN.BV) below P, each enrolled one
# level up with `enroll --hub`.  Two laptops on each district hub share a
# branch and edit one member offline, which makes a conflict there; a
# province officer's laptop L5, enrolled on P, records for a branch of
# D1.  After the laptops sync and the hubs relay bottom-up and then
# top-down, every entry reaches C with its device, sequence and hash
# (C verifies every chain whole), the conflict is listed on D1, P and C,
# L5's member reaches D1's laptops, nothing is sent back to the hub it
# came from, a relay with nothing new is one request, and a hub token
# cannot write as a laptop.  Then: status says what waits; serve
# --upstream-every relays by itself; a district hub restored from an
# older copy gets back from P what it had relayed; a laptop moved to a
# new hub of its district duplicates nothing; the province killed in the
# middle of a relay loses and doubles nothing; after syncs and relays
# in a shuffled order every laptop holds its branch as the centre does;
# and the centre reports each district as the district hub does.
. "$(dirname "$0")/synclib.sh"

T0=$SECONDS

# units H UNIT...: add these units (code:parent:level:name) to H.
units() {
	local h=$1 u code parent level name
	shift
	for u in "$@"; do
		IFS=: read -r code parent level name <<<"$u"
		hub --db "$h" unit add "$code" --parent "$parent" --level "$level" \
			--name "$name" >/dev/null || {
			echo "Bail out! unit add $code on $h failed"
			exit 1
		}
	done
}

D_PL=("HN.PL.TT:HN.PL:commune:Xã Thanh Thủy" "HN.PL.TT.03:HN.PL.TT:branch:Chi hội 3")
D_BV=("HN.BV.X:HN.BV:commune:Xã Ba Vì" "HN.BV.X.01:HN.BV.X:branch:Chi hội 1")
d=$TMP/relay
mkdir -p "$d"
C=$d/central.db P=$d/province.db D1=$d/d1.db D2=$d/d2.db
# Under FIELDBOOK_TEST_STORE=pg every hub is on PostgreSQL, the districts
# and the province that relay up as well as the centre.

hub --db "$C" init --unit VN --name "Trung ương" --level central >/dev/null
units "$C" "HN:VN:province:Hà Nội" "HN.PL:HN:district:Phúc Lộc" \
	"HN.BV:HN:district:Ba Vì" "${D_PL[@]}" "${D_BV[@]}"
hub --db "$P" init --unit HN --name "Hà Nội" --level province >/dev/null
units "$P" "HN.PL:HN:district:Phúc Lộc" "HN.BV:HN:district:Ba Vì" "${D_PL[@]}" "${D_BV[@]}"
hub --db "$D1" init --unit HN.PL --name "Phúc Lộc" --level district >/dev/null
units "$D1" "${D_PL[@]}"
hub --db "$D2" init --unit HN.BV --name "Ba Vì" --level district >/dev/null
units "$D2" "${D_BV[@]}"

run hub --db "$C" enroll --unit HN --name "Hà Nội province hub" --hub
expect_exit 0 "enroll --hub prints a token"
printf '%s\n' "$OUT" >"$d/tokP" && chmod 600 "$d/tokP"
like "$ERR" "hub [0-9]+ enrolled for HN and all below it" "...and says it is a hub's"
(umask 077 && hub --db "$P" enroll --unit HN.PL --name "Phúc Lộc" --hub >"$d/tokD1" 2>/dev/null)
(umask 077 && hub --db "$P" enroll --unit HN.BV --name "Ba Vì" --hub >"$d/tokD2" 2>/dev/null)
enroll "$P" HN.PL.TT.03 "province officer" "$d/tok5"
for x in 1 2; do enroll "$D1" HN.PL.TT.03 "laptop L$x" "$d/tok$x"; done
for x in 3 4; do enroll "$D2" HN.BV.X.01 "laptop L$x" "$d/tok$x"; done

start_hub "$C"; C_URL=$HUB_URL
start_hub "$P"; P_URL=$HUB_URL P_PID=$HUB_PID P_PORT=$HUB_PORT
start_hub "$D1"; D1_URL=$HUB_URL D1_PID=$HUB_PID D1_PORT=$HUB_PORT
start_hub "$D2"; D2_URL=$HUB_URL D2_PID=$HUB_PID D2_PORT=$HUB_PORT

run hub --db "$P" upstream set "$C_URL" --token-file "$d/tokP"
expect_exit 0 "P's upstream is C"
run hub --db "$D1" upstream set "$P_URL" --token-file "$d/tokD1"
expect_exit 0 "D1's upstream is P"
run hub --db "$D2" upstream set "$P_URL" --token-file "$d/tokD2"
expect_exit 0 "D2's upstream is P"

HUB_URL=$D1_URL
new_collector "$d/L1.db" HN.PL.TT.03 "$d/tok1"
new_collector "$d/L2.db" HN.PL.TT.03 "$d/tok2"
HUB_URL=$D2_URL
new_collector "$d/L3.db" HN.BV.X.01 "$d/tok3"
new_collector "$d/L4.db" HN.BV.X.01 "$d/tok4"
HUB_URL=$P_URL
new_collector "$d/L5.db" HN.PL.TT.03 "$d/tok5"

# A hub's token relays; it never writes as a laptop.
run fbd "$d/L1.db" remote set "$P_URL" --token-file "$d/tokD1"
run fbd "$d/L1.db" member add --name "Thử Nghiệm"
run fbd "$d/L1.db" sync
expect_exit 77 "a laptop that pushes with a hub's token is refused"
like "$ERR" "token is a hub's" "...which the hub says"
rm -f "$d/L1.db" "$d/L1.db-wal" "$d/L1.db-shm"
HUB_URL=$D1_URL
new_collector "$d/L1.db" HN.PL.TT.03 "$d/tok1"

# Laptops record; L1 and L2 edit one member offline (a conflict on D1).
m=$(new_id fbd "$d/L1.db" member add --name "Nguyễn Thị Hoa" --phone 0901000001)
for x in 1 2 3 4; do
	run fbd "$d/L$x.db" member add --name "Thành viên L$x"
	run fbd "$d/L$x.db" sync
	expect_exit 0 "L$x records and syncs with its district hub"
done
run fbd "$d/L2.db" sync
fbd "$d/L1.db" edit "$m" phone=0901111111 >/dev/null
fbd "$d/L2.db" edit "$m" phone=0902222222 >/dev/null
run fbd "$d/L1.db" sync
run fbd "$d/L2.db" sync
expect_exit 0 "L2 syncs its concurrent edit"
is "$(hub_sql "$D1" "select count(*) from conflict where record_id = '$m' and resolved = 0")" 1 \
	"the concurrent edits meet as a conflict on D1"

# What waits for the relay.
run hub --db "$D1" status
expect_exit 0 "D1's status"
like "$OUT" "upstream:   $P_URL" "...names its upstream"
like "$OUT" "last relay: never" "...which it never relayed to"
like "$OUT" "waiting:    [1-9][0-9]* entries of 2 devices" "...and what waits: its two laptops'"
run hub --db "$C" status
like "$OUT" "upstream:   none" "the top hub relays nowhere, and says so"

# Bottom-up.
run hub --db "$D1" sync
expect_exit 0 "D1 relays up"
is "$(hub --db "$D1" status --json | json_get 'd["waiting_entries"]')" 0 \
	"after the relay nothing waits"
like "$(hub --db "$D1" status --json | json_get 'd["lag_seconds"]')" '^[0-9]+$' \
	"...and the lag since the last relay is known"
like "$OUT" "^relayed: [1-9][0-9]* changes of 2 devices sent up, 0 received" \
	"...its two laptops' changes, and receives none of them back"
run hub --db "$D2" sync
expect_exit 0 "D2 relays up"
run hub --db "$P" sync
expect_exit 0 "P relays up to C"
like "$OUT" "changes of 4 devices sent up, 0 received" "...all four laptops' changes"

for x in 1 2 3 4; do
	dev=$(own_device "$d/L$x.db")
	is "$(jchain "$C" "$dev")" "$(jchain "$d/L$x.db" "$dev")" \
		"C holds L$x's journal whole: device, sequences and hashes"
	is "$(jchain "$P" "$dev")" "$(jchain "$d/L$x.db" "$dev")" "...and so does P"
done
run hub --db "$C" verify
expect_exit 0 "C verifies every chain"
is "$(hub_sql "$C" "select count(*) from record where type = 'member'")" 5 \
	"C holds the five members once each"
for h in "$D1" "$P" "$C"; do
	is "$(hub_sql "$h" "select count(*) from conflict where record_id = '$m' and resolved = 0")" 1 \
		"the conflict is listed on $(basename "$h" .db)"
done
is "$(hub_dups "$C")" 0 "C's journal holds each (device, seq) once"

# Nothing new: one request each way of the chain.
run hub --db "$D1" sync
expect_exit 0 "D1 relays again"
like "$OUT" "^relayed: 0 changes of 0 devices sent up, 0 received; 1 requests" \
	"...with nothing new it is one request"

# Top-down: L5 on P records for D1's branch; D1 takes it, L1 gets it.
run fbd "$d/L5.db" member add --name "Phạm Thị Lan"
l5m=$(printf '%s' "$OUT" | grep -Eo '[0-9a-f]{8}-[0-9a-f-]{27}' | head -1)
run fbd "$d/L5.db" sync
expect_exit 0 "L5 syncs with P"
run hub --db "$D1" sync
expect_exit 0 "D1 relays again"
like "$OUT" "^relayed: 0 changes of 0 devices sent up, [1-9][0-9]* received" \
	"...and receives L5's change, none of its own"
run fbd "$d/L1.db" sync
expect_exit 0 "L1 syncs"
run fbd "$d/L1.db" show "$l5m" --json
expect_exit 0 "L1 holds the member L5 recorded on the province hub"
dev5=$(own_device "$d/L5.db")
is "$(jchain "$D1" "$dev5")" "$(jchain "$d/L5.db" "$dev5")" "D1 holds L5's journal as L5 wrote it"
run hub --db "$D1" verify
expect_exit 0 "D1 verifies every chain"
run hub --db "$P" sync
expect_exit 0 "P relays again"
like "$OUT" "changes of 1 devices sent up" "...L5's change goes up to C"
is "$(jchain "$C" "$dev5")" "$(jchain "$d/L5.db" "$dev5")" "C holds L5's journal whole"
run hub --db "$D1" sync
like "$OUT" "^relayed: 0 changes of 0 devices sent up, 0 received; 1 requests" \
	"a change that came down is never sent back up"

# serve --upstream-every: D2 relays by itself while it serves.
run hub --db "$D2" serve --listen 127.0.0.1:0 --upstream-every 0
expect_exit 64 "--upstream-every 0 is refused"
like "$ERR" "a duration of 1 s to 1 day" "...saying what it takes"
run hub --db "$C" serve --listen 127.0.0.1:0 --upstream-every 1m
expect_exit 64 "a hub without an upstream cannot relay"
like "$ERR" "needs an upstream" "...and says so"
stop_hub "$D2_PID"
HUB_LISTEN=127.0.0.1:$D2_PORT start_hub "$D2" --upstream-every 1
run fbd "$d/L3.db" member add --name "Đỗ Thị Hà"
run fbd "$d/L3.db" sync
expect_exit 0 "L3 syncs with D2, which now relays by itself"
dev3=$(own_device "$d/L3.db")
want=$(jchain "$d/L3.db" "$dev3")
for _ in $(seq 200); do
	[ "$(jchain "$P" "$dev3")" = "$want" ] && break
	sleep 0.1
done
is "$(jchain "$P" "$dev3")" "$want" "P receives L3's new change through D2's own relay"
like "$(cat "$HUB_LOG")" "relay ok sent=[1-9]" "D2's log has a line for the relay"

# A district hub restored from an older copy loses nothing its upstream
# holds: L2 records, D1 relays it up, L2 is lost for good, and D1 is
# put back from a copy taken before.  D1 asks P from further back than
# it had pulled to, so P sends what D1 had relayed as well.
run hub_copy "$D1" "$d/d1-backup.db" online
expect_exit 0 "D1 is copied while it serves"
dev2=$(own_device "$d/L2.db")
run fbd "$d/L2.db" member add --name "Võ Thị Xuân"
run fbd "$d/L2.db" sync
expect_exit 0 "L2 records after the copy and syncs"
chain2=$(jchain "$d/L2.db" "$dev2")
run hub --db "$D1" sync
expect_exit 0 "D1 relays L2's change to P"
is "$(jchain "$P" "$dev2")" "$chain2" "...which P now holds"
rm -f "$d/L2.db" "$d/L2.db-wal" "$d/L2.db-shm"
stop_hub "$D1_PID"
ok "setup: D1 is put back from the copy" hub_put_back "$D1" "$d/d1-backup.db"
HUB_LISTEN=127.0.0.1:$D1_PORT start_hub "$D1"
ok "setup: the restored D1 lacks L2's last change" test "$(jchain "$D1" "$dev2")" != "$chain2"
run hub --db "$D1" sync
expect_exit 0 "the restored D1 relays"
is "$(jchain "$D1" "$dev2")" "$chain2" "...and gets back from P what it had relayed, L2 being gone"
run fbd "$d/L1.db" sync
expect_exit 0 "L1 syncs with the restored D1"
like "$(fbd "$d/L1.db" list members 2>&1)" "Võ Thị Xuân" "...and holds the member L2 recorded before it was lost"
run hub --db "$D1" verify
expect_exit 0 "the restored D1 verifies"

# A laptop moved to another hub: Ba Vì gets a new hub D2b, and L3 is
# enrolled on it.  L3 sends its whole journal again, D2b relays it, and
# P takes it as what it holds already.
D2B=$d/d2b.db
hub --db "$D2B" init --unit HN.BV --name "Ba Vì" --level district >/dev/null
units "$D2B" "${D_BV[@]}"
(umask 077 && hub --db "$P" enroll --unit HN.BV --name "Ba Vì, máy mới" --hub >"$d/tokD2b" 2>/dev/null)
enroll "$D2B" HN.BV.X.01 "laptop L3, moved" "$d/tok3b"
HUB_LISTEN= start_hub "$D2B"
run hub --db "$D2B" upstream set "$P_URL" --token-file "$d/tokD2b"
fbd "$d/L3.db" remote set "$HUB_URL" --token-file "$d/tok3b" >/dev/null
run fbd "$d/L3.db" sync
expect_exit 0 "L3 syncs with its new hub"
is "$(jchain "$D2B" "$dev3")" "$(jchain "$d/L3.db" "$dev3")" "...which now holds L3's whole journal"
rowsP=$(hub_sql "$P" "select count(*) from journal")
run hub --db "$D2B" sync
expect_exit 0 "the new hub relays to P"
is "$(hub_sql "$P" "select count(*) from journal")" "$rowsP" "P takes L3's journal as what it holds: no new row"
is "$(hub_dups "$P")" 0 "P holds each (device, seq) once"
dev4=$(own_device "$d/L4.db")
is "$(jchain "$D2B" "$dev4")" "$(jchain "$d/L4.db" "$dev4")" \
	"the new hub receives from P what L4 sent through the old one"
run hub --db "$D2B" verify
expect_exit 0 "the new hub verifies"

# The province killed in the middle of a relay.  D1 relays through the
# fault proxy, which holds the answer to its third request (its pull,
# the heads, then the first relay push): P has taken that push when it
# is killed, and D1 never hears so.  By construction, not by timing.
for x in 1 2 3; do fbd "$d/L1.db" member add --name "Hội viên mới $x" >/dev/null; done
run fbd "$d/L1.db" sync
expect_exit 0 "L1 records three members and syncs with D1"
HUB_PORT=$P_PORT
start_proxy 0 --hold-answer 2
hub --db "$D1" upstream set "$PROXY_URL" --token-file "$d/tokD1" >/dev/null
_hub_args --db "$D1" sync
"$FIELDBOOK_HUB" "${_HUB_ARGS[@]}" >/dev/null 2>"$d/cut.err" </dev/null 5>&- 6>&- 7>&- 8>&- &
relay_pid=$!
if wait_held "$relay_pid"; then
	pass "the relay is held at its third request"
else
	fail "the relay is held at its third request" "$(cat "$d/cut.err")"
fi
kill_hub "$P_PID"
wait "$relay_pid"
ok "...and fails when the province dies under it" test "$?" -ne 0
stop_proxy
HUB_LISTEN=127.0.0.1:$P_PORT start_hub "$P"
P_PID=$HUB_PID
hub --db "$D1" upstream set "$P_URL" --token-file "$d/tokD1" >/dev/null
run hub --db "$D1" sync
expect_exit 0 "the next relay after the province's restart goes through"
dev1=$(own_device "$d/L1.db")
is "$(jchain "$P" "$dev1")" "$(jchain "$d/L1.db" "$dev1")" "P holds L1's journal whole"
is "$(hub_dups "$P")" 0 "...each entry once"
run hub --db "$P" verify
expect_exit 0 "P verifies after the crash"

# A hub's token cannot widen its scope: D1's token relays, to P, a
# change of a Ba Vì branch, which P refuses whole (403).
py - "$d/wide.z" 00000000000000d7 HN.BV.X.01 <<'EOF_PY'
import hashlib, json, struct, sys, time, uuid, zlib
path, device, branch = sys.argv[1], sys.argv[2], sys.argv[3]
def u64(v): return struct.pack(">Q", v)
def s64(b): return u64(len(b)) + b
rid, hlc = str(uuid.uuid4()), int(time.time() * 1000) << 16
f, v = "full_name", "Ngoài Phạm Vi"
h = hashlib.sha256(bytes(32) + b"fbj1" + s64(device.encode()) + u64(1) + u64(hlc) +
                   s64(rid.encode()) + s64(b"member") + s64(branch.encode()) +
                   s64(f.encode()) + s64(v.encode()) + u64(0) + s64(b"")).digest()
msg = {"v": 2, "device": device, "seq": 1, "branch": branch, "relay": True,
       "changes": [{"h": "%016x" % hlc, "id": rid, "t": "member", "e": [[f, v, ""]]}],
       "last_hash": h.hex()}
open(path, "wb").write(zlib.compress(json.dumps(msg, ensure_ascii=False).encode()))
EOF_PY
code=$(curl -s --max-time 10 -o "$d/answer" -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $(cat "$d/tokD1")" -H "Content-Type: application/json" \
	-H "Content-Encoding: deflate" -H "Fieldbook-Protocol: 2" --data-binary "@$d/wide.z" \
	"$P_URL/v2/push")
is "$code|$(json_get 'd["error"]' <"$d/answer")" "403|out_of_scope" \
	"a district hub's token cannot relay a record of another district"
is "$(hub_sql "$P" "select count(*) from journal where device = '00000000000000d7'")" 0 \
	"...and P holds nothing of it"

# Rejected entries are carried as rejected: a laptop of an older make
# sends D1 a change that says what it had seen without deleting; D1
# sets it aside and keeps the chain going through it.  Relayed, P and
# C set it aside too and hold the chain whole.
enroll "$D1" HN.PL.TT.03 "an old laptop" "$d/tokR"
py "$_synclib_dir/../tools/push_seen_edit.py" "$d/seen.z" 00000000000000c6 HN.PL.TT.03
code=$(curl -s --max-time 10 -o "$d/answer" -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $(cat "$d/tokR")" -H "Content-Type: application/json" \
	-H "Content-Encoding: deflate" --data-binary "@$d/seen.z" "$D1_URL/v1/push")
is "$code|$(json_get 'd["rejected_total"]' <"$d/answer")" "200|1" "D1 takes the old laptop's batch and sets one change aside"
run hub --db "$D1" sync
expect_exit 0 "D1 relays it"
run hub --db "$P" sync
expect_exit 0 "P relays it"
for h in "$P" "$C"; do
	is "$(jchain "$h" 00000000000000c6)" "$(jchain "$D1" 00000000000000c6)" \
		"$(basename "$h" .db) holds the old laptop's chain whole"
	is "$(hub_sql "$h" "select count(*) from journal where device = '00000000000000c6' and quarantined = 1")|$(hub_sql "$h" "select seq from rejected where device = '00000000000000c6'")" \
		"1|2" "...with its change 2 set aside and listed as rejected"
done

# Syncs and relays in a shuffled order (seeded: the same every run):
# laptops record and sync, hubs relay, in any order; then two rounds of
# everyone.  Every laptop holds its branch as the centre does.
RANDOM=20261207
for step in $(seq 30); do
	r=$((RANDOM % 8))
	case $r in
	[0-3])
		x=$((r + 1))
		[ "$x" -eq 2 ] && x=5       # L2 is gone; L5 records on P
		fbd "$d/L$x.db" member add --name "Bước $step của L$x" >/dev/null
		run fbd "$d/L$x.db" sync ;;
	4) run hub --db "$D1" sync ;;
	5) run hub --db "$D2" sync ;;
	6) run hub --db "$D2B" sync ;;
	7) run hub --db "$P" sync ;;
	esac
	[ "$RC" -eq 0 ] || diag "shuffled step $step ($r): exit $RC: $ERR"
done
for round in 1 2; do
	for x in 1 3 4 5; do run fbd "$d/L$x.db" sync; done
	for h in "$D1" "$D2" "$D2B" "$P"; do run hub --db "$h" sync; done
done
for x in 1 3 4 5; do run fbd "$d/L$x.db" sync; done
branch_ids() {
	_db_sql "$1" "select id from record where branch = '$2' order by id"
}
for x in 1 5; do
	is "$(branch_ids "$d/L$x.db" HN.PL.TT.03)" "$(branch_ids "$C" HN.PL.TT.03)" \
		"after the shuffle L$x holds its branch's records as the centre does"
done
for x in 3 4; do
	is "$(branch_ids "$d/L$x.db" HN.BV.X.01)" "$(branch_ids "$C" HN.BV.X.01)" \
		"after the shuffle L$x holds its branch's records as the centre does"
done
is "$(hub_dups "$C")" 0 "the centre holds every entry once"
run hub --db "$C" verify
expect_exit 0 "the centre verifies every chain after the shuffle"

# Reports across levels: once every hub has relayed both ways, the
# centre's row of each district equals the district hub's own report:
# the same figures (a hub knows only its own laptops' syncing, so the
# branches' rows of syncing are left out of the comparison).
figures() { grep -Ev '^[^,]*,[^,]*,branch(es)?,'; }
for h in "$D1" "$D2B" "$P" "$D1" "$D2B"; do
	run hub --db "$h" sync
	[ "$RC" -eq 0 ] || diag "sync of $h: $ERR"
done
for pair in "$D1:HN.PL" "$D2B:HN.BV"; do
	h=${pair%%:*} u=${pair##*:}
	hub --db "$h" report --by district --format csv | figures >"$d/low.csv"
	hub --db "$C" report --unit "$u" --by district --format csv | figures >"$d/top.csv"
	same_file "the centre reports $u as its district hub does" "$d/low.csv" "$d/top.csv"
	for level in commune branch; do
		hub --db "$h" report --by $level --format csv | figures >"$d/low.csv"
		hub --db "$C" report --unit "$u" --by $level --format csv | figures >"$d/top.csv"
		same_file "...$level by $level" "$d/low.csv" "$d/top.csv"
		hub --db "$P" report --unit "$u" --by $level --format csv | figures >"$d/top.csv"
		same_file "...and so does the province" "$d/low.csv" "$d/top.csv"
	done
done
like "$(cat "$d/top.csv")" "HN.BV.X.01" "setup: the reports have rows"

for pid in $_SYNC_PIDS; do stop_hub "$pid"; done
[ -n "${KEEP:-}" ] && cp -r "$d" /tmp/relay-keep
diag "$((SECONDS - T0)) s"
done_testing
