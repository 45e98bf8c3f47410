#!/usr/bin/env bash
# 47-hub-restore.t - a hub restored from an older copy of its database
# (protocol 2, docs/PROTOCOL.md §13.3).                    [new behaviour]
#
# Three laptops record and sync; the hub's database is copied; all three
# record and sync more (L3 last, so it pulls what the others sent after
# the copy); the hub is stopped and its database replaced by the copy, as
# an administrator would (its -wal and -shm removed first); the hub is
# started again on the same port.  Then L1, which has nothing new, syncs;
# L2 records more and syncs; L3 syncs; a laptop L4 enrolled after the
# restore syncs.  From each laptop's one ordinary sync on, the hub holds
# every entry again, exactly once (pull cursors are not trusted across a
# restore), and after at most two more rounds of syncs every laptop
# holds every record, including those recorded before and after the
# restore, each once and with its last value.  A fifth laptop L5 records
# and syncs after the copy and is then lost for good; L3, which pulled
# its record, sends its changes back to the restored hub in its one
# sync, so they reach everyone (docs/PROTOCOL.md §13.5, relay).
#
# (a) the copy is taken while the hub serves: sqlite3 .backup.
# (b) the copy is a cp of the stopped hub's file.
# With the hub on PostgreSQL (FIELDBOOK_TEST_STORE=pg) both copies are
# pg_dump's, and the restore drops the database, makes it again and
# pg_restores the copy into it.
. "$(dirname "$0")/synclib.sh"

T0=$SECONDS
how_online="sqlite3 .backup" how_cold="cp"
store_pg && how_online=pg_dump how_cold=pg_dump

# sync_ok G DESC DB: one sync of DB, which must exit 0.
sync_ok() {
	run fbd "$3" sync
	expect_exit 0 "$1 $2"
}

# scenario G METHOD: the whole story, METHOD online or cold.
scenario() {
	local g=$1 method=$2 d=$TMP/$2 H BK x db dev n round converged
	local L1 L2 L3 L4 L5 a1 a3 b1 bt c1 dev5 chain5
	mkdir -p "$d"
	expect_reset
	H=$d/hub.db
	BK=$d/backup.db
	L1=$d/L1.db L2=$d/L2.db L3=$d/L3.db L4=$d/L4.db L5=$d/L5.db
	hub_tree "$H"
	for x in 1 2 3 5; do
		enroll "$H" HN.PL.TT.03 "laptop L$x" "$d/tok$x"
	done
	start_hub "$H"
	for x in 1 2 3 5; do
		new_collector "$d/L$x.db" HN.PL.TT.03 "$d/tok$x"
	done

	# Before the copy.
	expect_member "$L1" "Nguyễn Thị An" 0901000001
	a1=$LAST_ID
	expect_member "$L1" "Trần Thị Bình"
	sync_ok "$g" "L1 syncs before the copy" "$L1"
	expect_member "$L2" "Lê Thị Cúc"
	b1=$LAST_ID
	bt=$(new_id fbd "$L2" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality)
	expect_rec "$bt" training "Bình đẳng giới"
	sync_ok "$g" "L2 syncs before the copy" "$L2"
	fbd "$L2" training attend "$bt" "$a1" >/dev/null &&
		expect_rec "$bt:$a1" attendance "$a1"
	sync_ok "$g" "L2 syncs the attendance" "$L2"
	expect_member "$L3" "Phạm Thị Dung" 0903000001
	c1=$LAST_ID
	sync_ok "$g" "L3 syncs before the copy" "$L3"

	# The copy.
	if [ "$method" = online ]; then
		run hub_copy "$H" "$BK" online
		expect_exit 0 "$g the hub's database is copied ($how_online) while the hub serves"
	else
		stop_hub
		hub_copy "$H" "$BK" cold
		ok "$g the stopped hub's database is copied ($how_cold)" test -s "$BK"
		restart_hub "$H"
	fi

	# After the copy: all this the restore takes from the hub.
	expect_member "$L1" "Hoàng Thị Em"
	a3=$LAST_ID
	fbd "$L1" edit "$a1" phone=0901999999 >/dev/null && E_PHONE[$a1]=0901999999
	sync_ok "$g" "L1 syncs after the copy" "$L1"
	expect_member "$L2" "Vũ Thị Gấm"
	fbd "$L2" delete "$b1" >/dev/null && E_DEL[$b1]=1
	sync_ok "$g" "L2 syncs after the copy" "$L2"
	expect_member "$L5" "Ngô Thị Lan" 0905000001
	sync_ok "$g" "L5 syncs after the copy" "$L5"
	expect_member "$L3" "Đỗ Thị Hà"
	fbd "$L3" edit "$c1" phone=0903999999 >/dev/null && E_PHONE[$c1]=0903999999
	sync_ok "$g" "L3 syncs after the copy (and pulls the others' newer records)" "$L3"
	run fbd "$L3" show "$a3" --json
	expect_exit 0 "$g setup: L3 holds L1's record made after the copy"
	dev5=$(own_device "$L5")
	chain5=$(jchain "$L5" "$dev5")
	like "$(jchain "$L3" "$dev5")" "^[1-9]" "$g setup: L3 holds L5's changes"
	rm -f "$L5"

	# The restore.
	stop_hub
	is "$HUB_RC" 0 "$g the hub stops on SIGTERM"
	ok "$g the hub's database is put back from the copy" hub_put_back "$H" "$BK"
	restart_hub "$H"
	enroll "$H" HN.PL.TT.03 "laptop L4" "$d/tok4"
	new_collector "$L4" HN.PL.TT.03 "$d/tok4"

	# Each laptop's one ordinary sync.
	sync_ok "$g" "L1, with nothing new, syncs with the restored hub" "$L1"
	expect_member "$L2" "Bùi Thị Hồng"
	sync_ok "$g" "L2 records more and syncs with the restored hub" "$L2"
	sync_ok "$g" "L3 syncs with the restored hub" "$L3"
	like "$ERR" "lost [0-9]+ changes of 1 other devices that this laptop holds; they were sent back" \
		"$g L3 says it sent back the changes of L5, which is lost for good"
	is "$(jchain "$H" "$dev5")" "$chain5" \
		"$g after L3's one sync, the restored hub holds L5's journal whole again"
	for x in 1 2 3; do
		db=$d/L$x.db
		dev=$(own_device "$db")
		is "$(jchain "$H" "$dev")" "$(jchain "$db" "$dev")" \
			"$g after its one sync, the restored hub holds L$x's journal whole again"
	done
	sync_ok "$g" "L4, enrolled after the restore, syncs" "$L4"

	# More rounds until every laptop holds the same records: at most 2.
	converged=
	n=0
	for round in 1 2; do
		for x in 1 2 3 4; do
			run fbd "$d/L$x.db" sync
			[ "$RC" -eq 0 ] || {
				n=$((n + 1))
				diag "round $round: L$x sync exit $RC: $ERR"
			}
		done
		for x in 1 2 3 4; do
			records_of "$d/L$x.db" "$d/L$x.rec"
		done
		if cmp -s "$d/L1.rec" "$d/L2.rec" && cmp -s "$d/L1.rec" "$d/L3.rec" &&
			cmp -s "$d/L1.rec" "$d/L4.rec"; then
			converged=$round
			break
		fi
	done
	is "$n" 0 "$g every laptop's sync of every round exits 0"
	like "$converged" '^[12]$' "$g every laptop holds the same records after at most 2 rounds"

	expected_summary "$d/expected"
	for x in 1 2 3 4; do
		summary_of "$d/L$x.db" "$d/L$x.sum"
		same_file "$g L$x holds every record recorded before and after the restore, each once, with its last value" \
			"$d/expected" "$d/L$x.sum"
	done
	for x in 2 3 4; do
		same_file "$g L$x's records equal L1's (export --all)" "$d/L1.rec" "$d/L$x.rec"
	done

	run hub --db "$H" verify
	expect_exit 0 "$g fieldbook-hub verify passes"
	is "$(hub_dups "$H")" 0 "$g the hub's journal holds each (device, seq) once"
	for x in 1 2 3 4; do
		db=$d/L$x.db
		dev=$(own_device "$db")
		is "$(jchain "$H" "$dev")" "$(jchain "$db" "$dev")" "$g the hub holds L$x's journal whole"
		is "$(jget "$db" 'd["pending_entries"]' status --json)" 0 "$g L$x has nothing pending"
		run fbd "$db" verify
		expect_exit 0 "$g fieldbook verify passes on L$x"
	done
	stop_hub
	is "$HUB_RC" 0 "$g the hub stops on SIGTERM"
}

scenario "(a)" online
scenario "(b)" cold

diag "$((SECONDS - T0)) s"
done_testing
