#!/usr/bin/env bash
# Many laptops push at once while another pulls over and over: every
# entry is held once, nothing acknowledged is lost, the concurrent edits
# of one record all reach the conflict log, and the pulling laptop's
# cursor never passes a change committed after it looked (it ends with
# everything).  Runs on the SQLite hub, and on PostgreSQL under
# FIELDBOOK_TEST_STORE=pg, where the pushes really run side by side.
. "$(dirname "$0")/synclib.sh"

N=40            # laptops pushing at once
K=3             # members each adds

H=$TMP/hub.db
hub_tree "$H"
for i in $(seq 0 "$N"); do
	enroll "$H" HN.PL.TT.03 "laptop $i" "$TMP/tok$i"
done
enroll "$H" HN.PL.TT.03 "reader" "$TMP/tokR"
start_hub "$H"

# Laptop 0 records the member everyone will edit; all take it first.
for i in $(seq 0 "$N"); do
	new_collector "$TMP/L$i.db" HN.PL.TT.03 "$TMP/tok$i"
done
new_collector "$TMP/R.db" HN.PL.TT.03 "$TMP/tokR"
S=$(new_id fbd "$TMP/L0.db" member add --name "Nguyễn Thị Sáu" --role branch_head)
sync_until "$TMP/L0.db" >/dev/null
ready=0
for i in $(seq 1 "$N"); do
	sync_until "$TMP/L$i.db" && ready=$((ready + 1))
done
is "$ready" "$N" "every laptop took the shared member first"

# Each laptop: K members of its own and its own note on the shared one.
made=0
for i in $(seq 1 "$N"); do
	for k in $(seq "$K"); do
		fbd "$TMP/L$i.db" member add --name "Thành viên $i-$k" >/dev/null && made=$((made + 1))
	done
	fbd "$TMP/L$i.db" edit "$S" notes="ghi chú của máy $i" >/dev/null && made=$((made + 1))
done
is "$made" "$((N * (K + 1)))" "every laptop recorded its changes"

# All push at once; the reader pulls again and again until they are done.
pids=
for i in $(seq 1 "$N"); do
	fbd "$TMP/L$i.db" sync >"$TMP/push$i.out" 2>&1 &
	pids="$pids $!"
done
pulls=0
for _ in $(seq 400); do
	fbd "$TMP/R.db" sync >/dev/null 2>&1 && pulls=$((pulls + 1))
	alive=0
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && alive=1
	done
	[ "$alive" -eq 0 ] && break
done
failed=0
for p in $pids; do
	wait "$p" || failed=$((failed + 1))
done
diag "the reader synced $pulls times while the laptops pushed; $failed pushes ended early"
# A push that gave up (busy: 75) goes through when run again.
done_all=0
for i in $(seq 1 "$N"); do
	sync_until "$TMP/L$i.db" 5 && done_all=$((done_all + 1))
done
is "$done_all" "$N" "every laptop's changes went through"

# The hub holds each laptop's journal whole, each entry once.
is "$(hub_dups "$H")" 0 "no entry is held twice by the hub"
whole=0
for i in $(seq 0 "$N"); do
	dev=$(own_device "$TMP/L$i.db")
	[ "$(jcount "$H" "$dev")" = "$(jcount "$TMP/L$i.db" "$dev")" ] && whole=$((whole + 1))
done
is "$whole" "$((N + 1))" "the hub holds every laptop's journal whole"

# The reader's cursor passed nothing: one more sync brings it all.
sync_until "$TMP/R.db" >/dev/null
is "$(jget "$TMP/R.db" 'd["members"]' status --json)" "$((1 + N * K))" \
	"the reader holds every member ($((1 + N * K)))"
is "$(fbd "$TMP/R.db" conflicts --json --all | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "notes")' "$S")" \
	"$((N - 1))" "the reader logs every edit of the shared note but the kept one ($((N - 1)))"
is "$(hub --db "$H" conflicts --json | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "notes")' "$S")" \
	"$((N - 1))" "so does the hub"

# Every laptop converges on what the reader holds.
fbd "$TMP/R.db" export --all --format json >"$TMP/R.json" 2>/dev/null
same=0
for i in 1 $((N / 2)) "$N"; do
	sync_until "$TMP/L$i.db" >/dev/null
	fbd "$TMP/L$i.db" export --all --format json >"$TMP/L$i.json" 2>/dev/null
	cmp -s "$TMP/R.json" "$TMP/L$i.json" && same=$((same + 1))
done
is "$same" 3 "laptops 1, $((N / 2)) and $N export what the reader does"

stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
