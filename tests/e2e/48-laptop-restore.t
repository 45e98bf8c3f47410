#!/usr/bin/env bash
# 48-laptop-restore.t - a laptop restored from an older copy of its
# database, or one database file copied to a second laptop where both go
# on recording (protocol 2, docs/PROTOCOL.md §13.3).       [new behaviour]
#
# Its next sync detects the fork: the laptop goes on under a new device
# id, says so on stderr (`new device`), exits 0, and loses nothing: what
# it recorded after the restore reaches the hub, and what the hub holds of
# its lost work comes back to it.  `fieldbook status` tells of the fork.
# Both copies' records reach the hub whole, each once.
#
# (a) restored: L1's copy is taken, L1 records and syncs more (the work
#     the restore loses, which the hub holds), the copy is put back, L1
#     records something new and syncs.
# (b) copied: L1's file is copied to L1b (same remote, same token); both
#     record different things; L1 syncs, then L1b, then both again.
# (c) restored, and nothing recorded since: the sync gives back the lost
#     work; what the laptop records afterwards syncs too.
# (d) the copies' new changes have the same sequence numbers and sizes,
#     so the hub holds L1b's sequence numbers with L1's content: L1b's
#     records must not be taken for a replay and dropped.
#
# A database is copied (copy_db: the file and its -wal) between commands,
# when no fieldbook process has it open.
. "$(dirname "$0")/synclib.sh"

T0=$SECONDS

# sync_ok DESC DB: one sync of DB, which must exit 0.
sync_ok() {
	run fbd "$2" sync
	expect_exit 0 "$1"
}
# setup G: a new hub with laptops L1 and L2 of one branch, in $TMP/G.
setup() {
	D=$TMP/$1
	mkdir -p "$D"
	expect_reset
	H=$D/hub.db
	L1=$D/L1.db
	L2=$D/L2.db
	hub_tree "$H"
	enroll "$H" HN.PL.TT.03 "laptop L1" "$D/tok1"
	enroll "$H" HN.PL.TT.03 "laptop L2" "$D/tok2"
	start_hub "$H"
	new_collector "$L1" HN.PL.TT.03 "$D/tok1"
	new_collector "$L2" HN.PL.TT.03 "$D/tok2"
}
# holds_all G NAME DB: DB holds exactly the expected records.
holds_all() {
	expected_summary "$D/expected"
	summary_of "$3" "$D/$2.sum"
	same_file "$1 $2 holds every record, each once, with its last value" "$D/expected" "$D/$2.sum"
}
# hub_whole G NAME DB: the hub holds DB's own journal whole.
hub_whole() {
	local dev
	dev=$(own_device "$3")
	is "$(jchain "$H" "$dev")" "$(jchain "$3" "$dev")" "$1 the hub holds $2's journal (its device $dev) whole"
}
hub_ok() {
	run hub --db "$H" verify
	expect_exit 0 "$1 fieldbook-hub verify passes"
	is "$(hub_dups "$H")" 0 "$1 the hub's journal holds each (device, seq) once"
}
verify_ok() {
	run fbd "$3" verify
	expect_exit 0 "$1 fieldbook verify passes on $2"
}
# clean_sync G NAME DB: a further sync moves nothing and says nothing.
clean_sync() {
	run fbd "$3" sync
	expect_exit 0 "$1 a further sync of $2 exits 0"
	expect_out_match '^synced: 0 changes sent, 0 received' "$1 it moves nothing"
	expect_err_empty "$1 it says nothing on stderr"
}

# --- (a) a laptop restored from an older copy ------------------------------
g="(a)"
setup a
expect_member "$L1" "Nguyễn Thị An" 0901000001
m1=$LAST_ID
expect_member "$L1" "Trần Thị Bình"
m2=$LAST_ID
t1=$(new_id fbd "$L1" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality)
expect_rec "$t1" training "Bình đẳng giới"
fbd "$L1" training attend "$t1" "$m1" >/dev/null && expect_rec "$t1:$m1" attendance "$m1"
sync_ok "$g L1 syncs" "$L1"
copy_db "$L1" "$D/backup.db"
DEV1=$(own_device "$L1")

# The lost work: recorded and synced after the copy.
expect_member "$L1" "Lê Thị Cúc"
fbd "$L1" edit "$m1" phone=0901999999 >/dev/null && E_PHONE[$m1]=0901999999
fbd "$L1" delete "$m2" >/dev/null && E_DEL[$m2]=1
sync_ok "$g L1 syncs its work after the copy" "$L1"
lost=$(jchain "$L1" "$DEV1")
is "$(jchain "$H" "$DEV1")" "$lost" "$g setup: the hub holds L1's work after the copy"

copy_db "$D/backup.db" "$L1"
is "$(jget "$L1" 'd["members"]' status --json)" 2 "$g setup: L1 is back at its copy (2 members)"
expect_member "$L1" "Phạm Thị Dung" 0904000001
m4=$LAST_ID
run fbd "$L1" sync
expect_exit 0 "$g the restored L1's sync exits 0"
like "$ERR" '[Nn]ew device' "$g it says on stderr that it goes on as a new device"
DEV1N=$(own_device "$L1")
ok "$g L1 now has a new device id ($DEV1 -> $DEV1N)" test -n "$DEV1N" -a "$DEV1N" != "$DEV1"
holds_all "$g" L1 "$L1"
is "$(fbd "$L1" show "$m1" --json | json_get 'd["phone"]')" 0901999999 "$g the lost edit came back to L1"
sync_ok "$g L2 syncs" "$L2"
holds_all "$g" L2 "$L2"
run fbd "$L2" show "$m4" --json
expect_exit 0 "$g L2 holds what L1 recorded after the restore"
hub_ok "$g"
is "$(jchain "$H" "$DEV1")" "$lost" "$g the hub still holds the old device's journal whole"
hub_whole "$g" L1 "$L1"
run fbd "$L1" status
expect_exit 0 "$g fieldbook status of L1"
like "$OUT" '[Ff]ork|[Nn]ew device' "$g fieldbook status of L1 mentions the fork"
clean_sync "$g" L1 "$L1"
verify_ok "$g" L1 "$L1"
verify_ok "$g" L2 "$L2"
stop_hub

# --- (b) one database copied to a second laptop ----------------------------
g="(b)"
setup b
L1b=$D/L1b.db
expect_member "$L1" "Hoàng Thị Em" 0905000001
e1=$LAST_ID
sync_ok "$g L1 syncs" "$L1"
copy_db "$L1" "$L1b"
DEV1=$(own_device "$L1")
# Different things on each.
expect_member "$L1" "Vũ Thị Gấm"
v1=$(new_id fbd "$L1" visit add --date 2026-02-01 --reason tet --member "$e1" --support gift --amount-vnd 500000 --gift "Áo dài")
expect_rec "$v1" visit "$e1"
expect_member "$L1b" "Đỗ Thị Hà"
h1=$LAST_ID
t3=$(new_id fbd "$L1b" training add --title "Kỹ năng làm cha mẹ" --date 2026-05-02 --topic parenting)
expect_rec "$t3" training "Kỹ năng làm cha mẹ"
fbd "$L1b" training attend "$t3" "$e1" "$h1" >/dev/null &&
	expect_rec "$t3:$e1" attendance "$e1" && expect_rec "$t3:$h1" attendance "$h1"
fbd "$L1b" edit "$e1" notes="Hộ nghèo" >/dev/null

run fbd "$L1" sync
expect_exit 0 "$g L1 syncs first"
expect_err_empty "$g L1's sync sees nothing wrong (the hub holds its history)"
run fbd "$L1b" sync
expect_exit 0 "$g the copy L1b syncs"
like "$ERR" '[Nn]ew device' "$g L1b says on stderr that it goes on as a new device"
sync_ok "$g L1 syncs again" "$L1"
sync_ok "$g L1b syncs again" "$L1b"
is "$(own_device "$L1")" "$DEV1" "$g L1, whose history the hub holds, keeps its device id"
ok "$g L1b now has a device id of its own" test "$(own_device "$L1b")" != "$DEV1"
sync_ok "$g L2 syncs" "$L2"
holds_all "$g" L1 "$L1"
holds_all "$g" L1b "$L1b"
holds_all "$g" L2 "$L2"
is "$(fbd "$L2" show "$e1" --json | json_get 'd["phone"] + " " + d["notes"]')" "0905000001 Hộ nghèo" \
	"$g L1b's edit of a record of before the copy reached L2"
records_of "$L1" "$D/L1.rec"
records_of "$L1b" "$D/L1b.rec"
records_of "$L2" "$D/L2.rec"
same_file "$g the two copies converge on the same records" "$D/L1.rec" "$D/L1b.rec"
same_file "$g L2 holds the same records as L1" "$D/L1.rec" "$D/L2.rec"
hub_ok "$g"
hub_whole "$g" L1 "$L1"
hub_whole "$g" L1b "$L1b"
run fbd "$L1b" status
like "$OUT" '[Ff]ork|[Nn]ew device' "$g fieldbook status of L1b mentions the fork"
clean_sync "$g" L1b "$L1b"
for x in L1 L1b L2; do
	verify_ok "$g" "$x" "${!x}"
done
stop_hub

# --- (c) restored, nothing recorded since ----------------------------------
g="(c)"
setup c
expect_member "$L1" "Bùi Thị Hồng" 0906000001
k1=$LAST_ID
sync_ok "$g L1 syncs" "$L1"
copy_db "$L1" "$D/backup.db"
expect_member "$L1" "Đặng Thị Ngọc"
k2=$LAST_ID
fbd "$L1" edit "$k1" phone=0906999999 >/dev/null && E_PHONE[$k1]=0906999999
sync_ok "$g L1 syncs its work after the copy" "$L1"
copy_db "$D/backup.db" "$L1"
run fbd "$L1" show "$k2" --json
expect_exit 65 "$g setup: the restored L1 lacks its work after the copy"

sync_ok "$g the restored L1, with nothing new, syncs" "$L1"
holds_all "$g" L1 "$L1"
is "$(fbd "$L1" show "$k1" --json | json_get 'd["phone"]')" 0906999999 "$g the lost edit came back to L1"
verify_ok "$g" L1 "$L1"
# What it records now must not be lost either.
expect_member "$L1" "Ngô Thị Oanh"
k3=$LAST_ID
sync_ok "$g L1 syncs what it recorded after getting its work back" "$L1"
sync_ok "$g L2 syncs" "$L2"
holds_all "$g" L2 "$L2"
run fbd "$L2" show "$k3" --json
expect_exit 0 "$g L2 holds L1's newest record"
holds_all "$g" L1 "$L1"
hub_ok "$g"
hub_whole "$g" L1 "$L1"
clean_sync "$g" L1 "$L1"
verify_ok "$g" L1 "$L1"
stop_hub

# --- (d) the copies' changes share sequence numbers and sizes ---------------
g="(d)"
setup d
L1b=$D/L1b.db
expect_member "$L1" "Lý Thị Phương"
sync_ok "$g L1 syncs" "$L1"
copy_db "$L1" "$L1b"
DEV1=$(own_device "$L1")
# The same command on each copy: one change each, with the same fields.
expect_member "$L1" "Mai Thị Quế" 0907000001
q1=$LAST_ID
expect_member "$L1b" "Tạ Thị Rạng" 0907000002
q2=$LAST_ID
is "$(sqlite3 -readonly "$L1b" "select seq || '/' || n from journal where record_id = '$q2'")" \
	"$(sqlite3 -readonly "$L1" "select seq || '/' || n from journal where record_id = '$q1'")" \
	"$g setup: the copies' new changes have the same sequence number and size"
sync_ok "$g L1 syncs" "$L1"
run fbd "$L1b" sync
expect_exit 0 "$g the copy L1b syncs"
like "$ERR" '[Nn]ew device' "$g L1b says it goes on as a new device"
is "$(hub_sql "$H" "select case when count(*) > 0 then 1 else 0 end from journal where record_id = '$q2'")" 1 \
	"$g the hub holds L1b's record (not taken for a replay of L1's)"
sync_ok "$g L1 syncs again" "$L1"
sync_ok "$g L2 syncs" "$L2"
for x in L1 L1b L2; do
	holds_all "$g" "$x" "${!x}"
done
hub_ok "$g"
hub_whole "$g" L1 "$L1"
hub_whole "$g" L1b "$L1b"
stop_hub

diag "$((SECONDS - T0)) s"
done_testing
