#!/usr/bin/env bash
# 40-faults.t - randomized sync rounds through a proxy that cuts, delays
# and stalls connections (tests/tools/faultproxy.c), with three laptops
# of one branch.  Each round one laptop records something and syncs
# through the proxy; the sync may fail (69, 75) but must never lose or
# duplicate anything.  At the end every laptop syncs directly until it
# succeeds, and then:
#   - the hub holds every entry of every laptop, once (device, seq unique);
#   - every laptop holds the same records as the others;
#   - every journal verifies.
# FAULT_ROUNDS (default 60) and FAULT_SEED (default 1) set the run.

. "$(dirname "$0")/synclib.sh"

ROUNDS=${FAULT_ROUNDS:-60}
SEED=${FAULT_SEED:-1}

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
direct_url=$HUB_URL
start_proxy "$SEED"
proxy_url=$PROXY_URL

laptops="a b c"
for l in $laptops; do
	enroll "$H" HN.PL.TT.03 "laptop $l" "$TMP/$l.tok"
	HUB_URL=$proxy_url new_collector "$TMP/$l.db" HN.PL.TT.03 "$TMP/$l.tok"
done

# A deterministic generator for the rounds, independent of $RANDOM.
rng=$SEED
next() {
	rng=$(( (rng * 1103515245 + 12345) % 2147483648 ))
	echo $(( rng % $1 ))
}

ok_syncs=0 failed_syncs=0 other_rc=""
for r in $(seq "$ROUNDS"); do
	set -- $laptops
	shift "$(next 3)"
	l=$1
	db=$TMP/$l.db
	# Something to send: a member, sometimes an edit of a shared one.
	m=$(fbd "$db" member add --name "Hội viên $l $r" --role member)
	if [ "$(next 3)" -eq 0 ]; then
		shared=$(sqlite3 "$db" "select id from record where type='member' order by id limit 1")
		fbd "$db" edit "$shared" "phone=09$(next 100000000)" >/dev/null 2>&1
	fi
	run timeout 20 "$FIELDBOOK" --db "$db" sync
	case $RC in
	0) ok_syncs=$((ok_syncs + 1)) ;;
	69 | 75) failed_syncs=$((failed_syncs + 1)) ;;
	*) other_rc="$other_rc round $r: $RC $ERR;" ;;
	esac
	: "$m"
done
is "$other_rc" "" "every sync through the proxy succeeded or failed with 69/75 ($ok_syncs ok, $failed_syncs cut)"
faults=$(grep -c ' fault ' "$TMP/proxy.log")
cuts=$(grep -Ec ' fault (up|down|stall|lost-answer)' "$TMP/proxy.log")
diag "$ROUNDS rounds, $faults connections through the proxy, $cuts of them cut" \
	"$(grep ' fault ' "$TMP/proxy.log" | awk '{print $4}' | sed 's/=.*//' | sort | uniq -c | tr '\n' ' ')"
ok "the proxy cut some connections ($cuts)" test "$cuts" -gt 0

# Heal: every laptop syncs directly, twice round, until all succeed.
for l in $laptops; do
	fbd "$TMP/$l.db" remote set "$direct_url" --token-file "$TMP/$l.tok" >/dev/null
done
for pass_no in 1 2; do
	for l in $laptops; do
		sync_until "$TMP/$l.db" 5 || fail "laptop $l syncs directly (pass $pass_no)"
	done
done

for l in $laptops; do
	dev=$(own_device "$TMP/$l.db")
	is "$(jcount "$H" "$dev")" "$(jcount "$TMP/$l.db" "$dev")" \
		"laptop $l: the hub holds every entry it wrote, no more"
	is "$(jget "$TMP/$l.db" 'd["pending_entries"]' status --json)" 0 "laptop $l: nothing pending"
	run fbd "$TMP/$l.db" verify
	expect_exit 0 "laptop $l: journal verifies"
done
is "$(hub_dups "$H")" 0 \
	"the hub has no duplicated entry"
is "$(hub_sql "$H" "select count(*) from record where type = 'member'")" \
	"$(sqlite3 "$TMP/a.db" "select count(*) from record where type = 'member'")" \
	"the hub and laptop a hold as many members"
fbd "$TMP/a.db" export --format json --all >"$TMP/a.json"
for l in b c; do
	fbd "$TMP/$l.db" export --format json --all >"$TMP/$l.json"
	same_file "laptops a and $l hold the same records" "$TMP/a.json" "$TMP/$l.json"
done
is "$(sqlite3 "$TMP/a.db" "select count(*) from record where type = 'member'")" "$ROUNDS" \
	"every member added in $ROUNDS rounds is there, once"
stop_proxy
HUB_PID=$(echo "$_SYNC_PIDS" | awk '{print $1}')
stop_hub "$HUB_PID"
is "$HUB_RC" 0 "the hub stops cleanly on SIGTERM"
done_testing
