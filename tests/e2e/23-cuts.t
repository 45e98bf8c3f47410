#!/usr/bin/env bash
# A sync cut off at any point can simply be run again (docs/PROTOCOL.md): the
# collector killed mid-push, the hub killed or stopped mid-push, the hub
# not there at all.  Afterwards the hub holds the device's journal
# exactly once and whole, and another laptop pulls exactly the same.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
enroll "$H" HN.PL.TT.03 "laptop B" "$TMP/tokB"
start_hub "$H"
A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tokA"
DEV=$(own_device "$A")

# gen_members FILE N TAG: a CSV of N members.
gen_members() {
	py - "$1" "$2" "$3" <<'EOF'
import csv, sys
path, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
roles = ["member", "member", "member", "branch_deputy"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["full_name", "role", "birth_year", "phone", "notes"])
    for i in range(n):
        w.writerow(["Hội viên %s %04d Nguyễn Thị" % (tag, i), roles[i % 4],
                    1950 + i % 50, "09%08d" % i, "đợt %s" % tag])
EOF
}
imported=0
import_batch() {
	gen_members "$TMP/$1.csv" "$2" "$1"
	run fbd "$A" import "$TMP/$1.csv" --type member
	[ "$RC" -eq 0 ] || {
		echo "Bail out! import of $1 failed: $ERR"
		exit 1
	}
	imported=$((imported + $2))
}
pending() {
	jget "$A" 'd["pending_entries"]' status --json
}
dups() {
	hub_dups "$H"
}

# --- (a) the collector killed (-9) during a large push ---------------------
# Each cut puts the fault proxy before the hub with --hold-answer K: the
# hub receives the sync's (K+1)-th request whole, and its answer never
# comes back.  The sync is then certainly running, blocked on that answer,
# after K answered requests: the kill lands inside it by construction, not
# by timing.  3,000 new members go in at least 3 push requests whatever
# the link (a sync's first batch is 500 changes, and a batch grows at
# most 4 times from one request to the next, client.h), the last of them
# asking for the pull's first page: K = 2 holds that last push.  Then
# 3,000 more: K = 0 holds the first batch (the hub has it, the laptop does
# not know); K = 1 the second request of the next sync (its first is
# answered at once), and again of the sync after it, whose first answer
# acknowledges all the hub holds, leaving one more push to hold.
try=0
# cut_at K: sync through a proxy that holds the (K+1)-th answer; kill -9
# the sync once it is held.
cut_at() {
	local k=$1 before after p rc _
	try=$((try + 1))
	before=$(pending)
	start_proxy 0 --hold-answer "$k"
	fbd "$A" remote set "$PROXY_URL" --token-file "$TMP/tokA" >/dev/null
	"$FIELDBOOK" --db "$A" sync >/dev/null 2>"$TMP/cut.err" </dev/null 5>&- 6>&- 7>&- 8>&- &
	p=$!
	if ! wait_held "$p"; then
		fail "(a) try $try: the sync made fewer than $((k + 1)) requests" "$(cat "$TMP/cut.err")"
	fi
	# K answered pushes: the laptop marks them sent, in a transaction of
	# its own, while the next batch goes out.  Wait for that progress.
	for _ in $(seq 200); do
		[ "$k" -eq 0 ] || [ "$(pending)" -lt "$before" ] && break
		sleep 0.05
	done
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	rc=$?
	stop_proxy
	is "$rc" 137 "(a) try $try: the sync, held at its request $((k + 1)), died of SIGKILL"
	after=$(pending)
	if [ "$k" -eq 0 ]; then
		is "$after" "$before" "(a) try $try: killed before any answer, nothing marked sent ($before pending)"
	else
		ok "(a) try $try: killed after $k answered requests, some marked sent ($before -> $after)" \
			test "$after" -lt "$before"
	fi
	run fbd "$A" verify
	expect_exit 0 "(a) try $try: the laptop's database is intact"
	is "$(dups)" 0 "(a) try $try: no duplicate on the hub"
}
import_batch a1 3000
cut_at 2
import_batch a2 3000
for k in 0 1 1; do
	cut_at "$k"
done
fbd "$A" remote set "$HUB_URL" --token-file "$TMP/tokA" >/dev/null
sync_until "$A" 5
expect_exit 0 "(a) sync after the cuts succeeds"
is "$(pending)" 0 "(a) nothing pending after the re-run"
is "$(jcount "$H" "$DEV")" "$(jcount "$A" "$DEV")" "(a) hub holds A's journal rows and sequence exactly"
is "$(dups)" 0 "(a) no duplicate (device, seq) on the hub"

# --- (b) the hub killed or stopped during pushes ---------------------------
# The same proxy holds the answer to request K+1 of the sync; then the hub
# is killed or stopped while that request is in it, and its connection
# closes under the waiting client.  3,000 members are at least 3 push
# requests (above).
n=0
for how in KILL:1 TERM:0 KILL:2; do
	n=$((n + 1))
	import_batch "b$n" 3000
	start_proxy 0 --hold-answer "${how#*:}"
	fbd "$A" remote set "$PROXY_URL" --token-file "$TMP/tokA" >/dev/null
	timeout 60 "$FIELDBOOK" --db "$A" sync >"$TMP/b.out" 2>"$TMP/b.err" </dev/null 5>&- 6>&- 7>&- 8>&- &
	p=$!
	wait_held "$p" || fail "(b) $n: the sync made fewer than $((${how#*:} + 1)) requests"
	how=${how%:*}
	if [ "$how" = KILL ]; then
		kill_hub
	else
		stop_hub
		is "$HUB_RC" 0 "(b) $n: the hub stopped by SIGTERM mid-push exits 0"
	fi
	wait "$p"
	rc=$?
	stop_proxy
	is "$rc" 69 "(b) $n: the sync cut by SIG$how of the hub exits 69"
	like "$(cat "$TMP/b.err")" '^fieldbook: (push|pull): .*(unreachable|dropped).*run sync again' \
		"(b) $n: the cut sync says the hub is unreachable and to run sync again"
	run fbd "$A" verify
	expect_exit 0 "(b) $n: the laptop's database is intact"
	run hub --db "$TMP/hub.db" verify
	expect_exit 0 "(b) $n: the hub's database and chains are intact after SIG$how"
	start_hub "$H"
	run fbd "$A" remote set "$HUB_URL" --token-file "$TMP/tokA"
	expect_exit 0 "(b) $n: remote set to the restarted hub (new port)"
done
sync_until "$A" 5
expect_exit 0 "(b) sync with the restarted hub succeeds"
is "$(pending)" 0 "(b) nothing pending after the re-run"
is "$(jcount "$H" "$DEV")" "$(jcount "$A" "$DEV")" "(b) hub holds A's journal rows and sequence exactly"
is "$(dups)" 0 "(b) no duplicate (device, seq) on the hub"

# --- (c) the hub not running at all ------------------------------------------
stop_hub
for i in 1 2 3; do
	fbd "$A" member add --name "Ngoại tuyến $i" >/dev/null
done
fbd "$A" edit "$(fbd "$A" list members --json | json_get 'd[0]["id"]')" notes="sửa khi mất mạng" >/dev/null
before=$(pending)
like "$before" '^[1-9][0-9]*$' "(c) entries pending while the hub is down ($before)"
run fbd "$A" sync
expect_exit 69 "(c) sync with no hub exits 69"
expect_err_match 'unreachable.*nothing is lost' "(c) the message says unreachable and that nothing is lost"
is "$(pending)" "$before" "(c) status still shows the same entries pending"
run fbd "$A" status
expect_out_match "journal: +[0-9]+ entries, $before not yet sent" "(c) status (text) shows them not yet sent"
run fbd "$A" sync --push-only
expect_exit 69 "(c) push-only with no hub exits 69 too"
start_hub "$H"
fbd "$A" remote set "$HUB_URL" --token-file "$TMP/tokA" >/dev/null
sync_until "$A" 5
expect_exit 0 "(c) sync once the hub is back succeeds"

# --- everything arrived once --------------------------------------------------
is "$(pending)" 0 "nothing pending on A"
is "$(jcount "$H" "$DEV")" "$(jcount "$A" "$DEV")" "hub journal count and last seq for A equal A's own"
is "$(dups)" 0 "no duplicate (device, seq) on the hub"
is "$(hub_sql "$H" "select count(*) from journal where device = '$DEV' and quarantined = 1")" 0 \
	"nothing of A set aside on the hub"
members=$(jget "$A" 'd["members"]' status --json)
is "$members" $((imported + 3)) "A holds $((imported + 3)) members (imported, and 3 added offline)"
is "$(hub_sql "$H" "select count(*) from record where type = 'member' and deleted = 0")" "$members" \
	"the hub holds the same number of members"
B=$TMP/B.db
new_collector "$B" HN.PL.TT.03 "$TMP/tokB"
sync_until "$B" 5
expect_exit 0 "a second laptop pulls everything"
is "$(jget "$B" 'd["members"]' status --json)" "$members" "the second laptop has exactly A's member count"
fbd "$A" export --format json --all >"$TMP/A.json"
fbd "$B" export --format json --all >"$TMP/B.json"
same_file "the second laptop's export equals A's" "$TMP/A.json" "$TMP/B.json"
for x in A B; do
	run fbd "$TMP/$x.db" verify
	expect_exit 0 "$x: verify passes"
done
run hub --db "$H" verify
expect_exit 0 "the hub's database: integrity and complete chains"
stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
