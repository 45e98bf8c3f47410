#!/usr/bin/env bash
# 92-backup.t - fieldbook-hub backup and restore, on either store.
#
# A backup taken while the hub serves is a consistent, checked,
# owner-only copy (a cp of a serving hub misses what sits in its WAL),
# an SQLite hub file on both stores.
# restore refuses while the hub serves, refuses a damaged copy and
# leaves the database as it was; put back while the hub is stopped, the
# laptops' next syncs send what the copy lacks, and every laptop ends
# with every record once.
. "$(dirname "$0")/synclib.sh"

T0=$SECONDS
d=$TMP/backup
mkdir -p "$d"
H=$d/hub.db
hub_tree "$H"
for x in 1 2 3; do enroll "$H" HN.PL.TT.03 "laptop L$x" "$d/tok$x"; done
start_hub "$H"
for x in 1 2; do new_collector "$d/L$x.db" HN.PL.TT.03 "$d/tok$x"; done

for n in 1 2 3; do fbd "$d/L1.db" member add --name "Hội viên $n" >/dev/null; done
run fbd "$d/L1.db" sync
expect_exit 0 "L1 records and syncs"

run hub --db "$H" backup "$d/night.db"
expect_exit 0 "a backup while the hub serves"
like "$OUT" "backup written: .*night.db \([1-9][0-9]* entries, every chain checked\)" \
	"...says what it wrote, checked"
is "$(stat -c %a "$d/night.db")" 600 "...readable by its owner only"
run sqlite_hub "$d/night.db" verify
expect_exit 0 "the copy verifies as a hub's database (an SQLite hub file)"
is "$(sqlite_hub "$d/night.db" devices --json)" "$(hub --db "$H" devices --json)" \
	"...with the hub's devices, as the hub lists them"
dev1=$(own_device "$d/L1.db")
is "$(jchain "$d/night.db" "$dev1")" "$(jchain "$H" "$dev1")" "...and holds what the hub held"

for n in 4 5; do fbd "$d/L1.db" member add --name "Hội viên $n" >/dev/null; done
run fbd "$d/L1.db" sync
expect_exit 0 "L1 records more after the backup"
run fbd "$d/L2.db" sync
expect_exit 0 "L2 pulls everything"

run hub --db "$H" restore "$d/night.db"
expect_exit 75 "restore refuses while the hub serves"
like "$ERR" "stop the hub first" "...saying what to do"

stop_hub
cp "$d/night.db" "$d/bad.db"
printf 'garbage' | dd of="$d/bad.db" bs=1 seek=4096 conv=notrunc status=none
before=$(jchain "$H" "$dev1")
run hub --db "$H" restore "$d/bad.db"
ok "a damaged copy is refused" test "$RC" -ne 0
like "$ERR" "the copy does not check|malformed|not a database" "...as a copy that does not check"
is "$(jchain "$H" "$dev1")" "$before" "...and the database is as it was"

run hub --db "$H" restore "$d/night.db"
expect_exit 0 "restore of the backup while the hub is stopped"
like "$OUT" "restored: .*start the hub again" "...says what comes next"
ok "the database now holds what the copy held, not what L1 sent after it" \
	test "$(jchain "$H" "$dev1")" = "$(jchain "$d/night.db" "$dev1")"
restart_hub "$H"
run fbd "$d/L1.db" sync
expect_exit 0 "L1 syncs with the restored hub"
is "$(jchain "$H" "$dev1")" "$(jchain "$d/L1.db" "$dev1")" "...which holds L1's journal whole again"
new_collector "$d/L3.db" HN.PL.TT.03 "$d/tok3"
for x in 2 3; do
	run fbd "$d/L$x.db" sync
	expect_exit 0 "L$x syncs"
done
for x in 1 2 3; do
	is "$(sqlite3 "$d/L$x.db" "select count(*) from record where type = 'member'")" 5 \
		"L$x holds the five members once each"
done
run hub --db "$H" verify
expect_exit 0 "the restored hub verifies"

stop_hub
diag "$((SECONDS - T0)) s"
done_testing
