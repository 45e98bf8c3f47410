#!/usr/bin/env bash
# 45-big-faults.t - a first sync of thousands of records through the
# fault proxy (tests/tools/faultproxy.c), so that cuts fall inside the
# pipelined push: batches of 500, 1,000, 2,000 and more, each prepared
# while the one before travels and acknowledged late.  Laptop a pushes
# 6,000 members through the proxy, sync after sync, until one sync
# ends well; laptops b and c pull them the same way, in pages that grow.
# Then, whatever was cut:
#   - the hub holds every entry of laptop a, once, and nothing pending;
#   - laptops b and c hold the same records as laptop a;
#   - the three journals and the hub verify.
# BIG_N (default 6000) members; FAULT_SEED (default 7) seeds the proxy.
# Every loop is bounded: at most 40 syncs of 60 s each per laptop.

. "$(dirname "$0")/synclib.sh"

N=${BIG_N:-6000}
SEED=${FAULT_SEED:-7}

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
direct_url=$HUB_URL
start_proxy "$SEED"
proxy_url=$PROXY_URL

for l in a b c; do
	enroll "$H" HN.PL.TT.03 "laptop $l" "$TMP/$l.tok"
	HUB_URL=$proxy_url new_collector "$TMP/$l.db" HN.PL.TT.03 "$TMP/$l.tok"
done

# N members, imported at once: one change of 3 entries each.
{
	echo "full_name,role,birth_year,phone"
	for i in $(seq "$N"); do
		printf 'Nguyễn Thị Hội viên %d,member,%d,09%08d\n' "$i" $((1950 + i % 50)) "$i"
	done
} >"$TMP/members.csv"
run fbd "$TMP/a.db" import "$TMP/members.csv" --type member
expect_exit 0 "laptop a imports $N members"

# sync_through DB: sync through the proxy until one sync exits 0, at most
# 40 times; SYNCS and CUT count them, OTHER lists any exit but 0, 69, 75.
SYNCS=0 CUT=0 OTHER=""
sync_through() {
	local db=$1 _
	SYNCS=0 CUT=0 OTHER=""
	for _ in $(seq 40); do
		run timeout 60 "$FIELDBOOK" --db "$db" sync
		SYNCS=$((SYNCS + 1))
		case $RC in
		0) return 0 ;;
		69 | 75) CUT=$((CUT + 1)) ;;
		*) OTHER="$OTHER $RC: $ERR;" ;;
		esac
	done
	return 1
}

sync_through "$TMP/a.db"
pushed=$RC
is "$OTHER" "" "laptop a: every cut sync exited 69 or 75"
is "$pushed" 0 "laptop a: a sync through the proxy ended well ($SYNCS syncs, $CUT cut)"
for l in b c; do
	sync_through "$TMP/$l.db"
	is "$OTHER" "" "laptop $l: every cut sync exited 69 or 75"
	is "$RC" 0 "laptop $l: a sync through the proxy ended well ($SYNCS syncs, $CUT cut)"
done
cuts=$(grep -Ec ' fault (up|down|stall|lost-answer)' "$TMP/proxy.log")
diag "$(grep -c ' fault ' "$TMP/proxy.log") connections through the proxy, $cuts cut:" \
	"$(grep ' fault ' "$TMP/proxy.log" | awk '{print $4}' | sed 's/=.*//' | sort | uniq -c | tr '\n' ' ')"
ok "the proxy cut some connections ($cuts)" test "$cuts" -gt 0

# Heal: both sync directly, so that nothing is left in flight.
for l in a b c; do
	fbd "$TMP/$l.db" remote set "$direct_url" --token-file "$TMP/$l.tok" >/dev/null
	sync_until "$TMP/$l.db" 5 || fail "laptop $l syncs directly"
done

dev=$(own_device "$TMP/a.db")
is "$(jcount "$H" "$dev")" "$(jcount "$TMP/a.db" "$dev")" \
	"the hub holds every entry laptop a wrote, no more"
for l in b c; do
	is "$(jcount "$TMP/$l.db" "$dev")" "$(jcount "$TMP/a.db" "$dev")" \
		"laptop $l holds every entry of laptop a"
done
is "$(hub_dups "$H")" 0 \
	"the hub has no duplicated entry"
is "$(hub_sql "$H" "select count(*) from record where type = 'member'")" "$N" \
	"the hub holds the $N members, once"
is "$(jget "$TMP/a.db" 'd["pending_entries"]' status --json)" 0 "laptop a: nothing pending"
fbd "$TMP/a.db" export --format json --all >"$TMP/a.json"
for l in b c; do
	fbd "$TMP/$l.db" export --format json --all >"$TMP/$l.json"
	same_file "laptops a and $l hold the same records" "$TMP/a.json" "$TMP/$l.json"
done
for l in a b c; do
	run fbd "$TMP/$l.db" verify
	expect_exit 0 "laptop $l: journal verifies"
done
run hub --db "$H" verify
expect_exit 0 "the hub verifies"
stop_proxy
HUB_PID=$(echo "$_SYNC_PIDS" | awk '{print $1}')
stop_hub "$HUB_PID"
is "$HUB_RC" 0 "the hub stops cleanly on SIGTERM"
done_testing
