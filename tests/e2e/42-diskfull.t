#!/usr/bin/env bash
# 42-diskfull.t - a full disk, for the collector and for the hub.
#
# The test runs itself again inside a private mount namespace
# (unshare -m), where it mounts small tmpfs file systems; its TAP lines
# go straight to prove.  Without unshare, or without the right to use
# it, the test bails out: it never skips silently.
#
# Collector: its database on a 512 KiB tmpfs; imports and then single
# `member add`s until one fails.  A failing command exits 74 with one line
# "fieldbook: ..." naming the full disk or the I/O error; other kinds of
# writes on the full disk fail the same way; every record added before is
# there; `verify` exits 0; after the tmpfs is made bigger, adding works.
#
# Hub: its database on a small tmpfs, a collector pushes until the hub's
# disk is full: the sync exits 75 (the hub answers 503), the hub keeps
# running, the laptop keeps what was not acknowledged pending; once the
# tmpfs is bigger the sync succeeds and the hub holds everything once and
# verifies.

if [ -z "${FB_DISKFULL_NS:-}" ]; then
	if ! command -v unshare >/dev/null 2>&1; then
		echo "Bail out! 42-diskfull.t needs unshare (util-linux) to mount a small tmpfs"
		exit 1
	fi
	if ! command -v mount >/dev/null 2>&1; then
		echo "Bail out! 42-diskfull.t needs mount (util-linux)"
		exit 1
	fi
	# Can we mount a tmpfs in a private mount namespace?  As root plain
	# unshare -m; otherwise try a user namespace (unshare -r -m).
	probe='d=$(mktemp -d) || exit 1
		mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; rc=$?
		rmdir "$d"; exit $rc'
	why=
	for how in "-m" "-r -m"; do
		# shellcheck disable=SC2086
		if out=$(unshare $how --propagation private sh -c "$probe" 2>&1); then
			export FB_DISKFULL_NS="unshare $how"
			# shellcheck disable=SC2086
			exec unshare $how --propagation private -- bash "$0" "$@"
		fi
		why="$why unshare $how: ${out:-failed};"
	done
	echo "Bail out! cannot mount a tmpfs in a private mount namespace:${why//$'\n'/ }"
	exit 1
fi

. "$(dirname "$0")/synclib.sh"
# The collector's part does not depend on the hub's store, and the hub's
# part fills the disk under the hub's SQLite file.
sqlite_only

diag "running inside $FB_DISKFULL_NS"
T0=$SECONDS

MNT=$TMP/small
HMNT=$TMP/hubdisk
mkdir -p "$MNT" "$HMNT"
# The hub first (it holds files there), then the mounts, then $TMP.
trap '_sync_cleanup; umount "$MNT" 2>/dev/null; umount "$HMNT" 2>/dev/null; rm -rf "$TMP"' EXIT
mount -t tmpfs -o size=512k,mode=0700 tmpfs "$MNT" || {
	echo "Bail out! mount -t tmpfs on $MNT failed"
	exit 1
}

# A value that fills the disk quickly (members' notes hold up to 4000 bytes).
pad=$(printf 'Ghi chú dài %04d. ' $(seq 1 150))
pad=${pad:0:3900}

# --- the collector -------------------------------------------------------
DB=$MNT/fb.db
export FIELDBOOK_DB=$DB
fresh_db HN.PL.TT.03
ids=()
imported=0
fails=
# A few imports first (a quarter of the disk), then single members until
# one fails (at most 400).
for ((r = 1; r <= 3; r++)); do
	{
		echo "full_name,role,notes"
		for ((k = 1; k <= 10; k++)); do
			echo "Nhập $r-$k,member,\"$r-$k $pad\""
		done
	} >"$TMP/rows.csv"
	run fb import "$TMP/rows.csv" --type member
	[ "$RC" -eq 0 ] && imported=$((imported + 10))
done
for ((k = 1; k <= 400; k++)); do
	run fb member add --name "Thêm $k" --role member --notes "${pad:0:2000}"
	[ "$RC" -ne 0 ] && break
	ids+=("$OUT")
done
diag "the 512 KiB disk is full after $imported imported and ${#ids[@]} added members"
ok "member add fails once the disk is full (after ${#ids[@]} adds)" test "$RC" -ne 0 -a "${#ids[@]}" -gt 10
expect_exit 74 "member add on the full disk exits 74"
expect_err_match '(full|disk|I/O|space)' "member add: one line naming the full disk or I/O ($ERR)"
expect_out "" "member add on the full disk prints no id"
# An import of 20 rows on the full disk: all or nothing.
{
	echo "full_name,role,notes"
	for ((k = 1; k <= 20; k++)); do
		echo "Nhập cuối $k,member,\"$k ${pad:0:500}\""
	done
} >"$TMP/rows.csv"
run fb import "$TMP/rows.csv" --type member
expect_exit 74 "an import of 20 rows on the full disk exits 74"
expect_err_match '(full|disk|I/O|space)' "the import prints one line naming the full disk or I/O"
is "$(sqlite3 "$DB" "SELECT count(*) FROM record WHERE json_extract(vals, '\$.full_name') LIKE 'Nhập cuối %'")" 0 \
	"the failing import added nothing (all or nothing)"
# Other kinds of writes on the full disk.
t=$(sqlite3 "$DB" "SELECT id FROM record WHERE type = 'member' LIMIT 1")
long=${pad:0:3000}
on_full() {
	run fb "$@"
	case $RC in
	0) diag "fitted on the full disk: $1 $2" ;;
	74)
		if ! _err_one_line || [[ $ERR != "fieldbook: "* ]]; then
			fails="$fails $1 $2: not one 'fieldbook:' line: $ERR;"
		fi
		;;
	*) fails="$fails $1 $2: exit $RC $ERR;" ;;
	esac
}
on_full edit "$t" "notes=$long"
on_full training add --title "Lớp" --date 2026-04-01 --topic stem --notes "$long"
on_full visit add --date 2026-04-02 --reason illness --person "Bà Tư" --notes "$long"
is "$fails" "" "edit, training add, visit add on the full disk exit 74 (or 0) with one line"
is "$(sqlite3 "$DB" "SELECT count(*) FROM record WHERE type = 'member' AND deleted = 0")" \
	"$((imported + ${#ids[@]}))" "every member added before the disk filled is there ($((imported + ${#ids[@]})))"
missing=0
for id in "${ids[@]}"; do
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM record WHERE id = '$id'")" = 1 ] || missing=$((missing + 1))
done
is "$missing" 0 "every printed id is there"
run fb list members --json
expect_exit 0 "list members works on the full disk"
is "$(json_q 'len(d)' <"$OUT_FILE")" "$((imported + ${#ids[@]}))" "list shows them all"
run fb verify
expect_exit 0 "verify exits 0 on the full disk"
mount -t tmpfs -o remount,size=4m tmpfs "$MNT" || fail "remount bigger"
run fb member add --name "Sau khi dọn đĩa" --role member
expect_exit 0 "after the disk is made bigger, member add works again"
ids+=("$OUT")
run fb import "$TMP/rows.csv" --type member
expect_exit 0 "and the import that failed goes through"
is "$(sqlite3 "$DB" "SELECT count(*) FROM record WHERE type = 'member' AND deleted = 0")" \
	"$((imported + ${#ids[@]} + 20))" "every member is there"
run fb verify
expect_exit 0 "verify exits 0 after the disk was made bigger"
dev=$(own_device "$DB")
is "$(sqlite3 "$DB" "SELECT coalesce(max(seq + n - 1), 0) = coalesce(sum(n), 0) FROM journal WHERE device = '$dev'")" 1 \
	"the journal has no gap"
diag "collector part: $((SECONDS - T0)) s"
T1=$SECONDS

# --- the hub ---------------------------------------------------------------
mount -t tmpfs -o size=1m,mode=0700 tmpfs "$HMNT" || {
	echo "Bail out! mount -t tmpfs on $HMNT failed"
	exit 1
}
H=$HMNT/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop l" "$TMP/l.tok"
start_hub "$H"
hub_pid=$HUB_PID
L=$TMP/l.db
new_collector "$L" HN.PL.TT.03 "$TMP/l.tok"
LDEV=$(own_device "$L")
# More than the hub's disk holds (about 1 MB of changes).
{
	echo "full_name,role,notes"
	for ((k = 1; k <= 1500; k++)); do
		echo "Đẩy $k,member,\"$k ${pad:0:100}\""
	done
} >"$TMP/push.csv"
fbd "$L" import "$TMP/push.csv" --type member >/dev/null || fail "import on the laptop"
before=$(jget "$L" 'd["pending_entries"]' status --json)
run fbd "$L" sync
expect_exit 75 "a sync to a hub whose disk is full exits 75"
expect_err_match '(busy|fail|5[0-9][0-9])' "the sync prints one line: the hub is busy or failing"
ok "the hub is still running" kill -0 "$hub_pid"
after=$(jget "$L" 'd["pending_entries"]' status --json)
acked=$(sqlite3 "$L" "SELECT coalesce((SELECT value FROM meta WHERE key = 'acked_seq'), 0)")
hub_has=$(sqlite3 "$H" "SELECT coalesce(max(seq + n - 1), 0) FROM journal WHERE device = '$LDEV'")
diag "the hub's 1 MiB disk filled after it took $hub_has of $before entries"
ok "the laptop keeps entries pending ($after of $before)" test "$after" -gt 0
is "$acked" "$hub_has" "the laptop's acknowledged entries are exactly those the hub holds ($hub_has)"
run hub --db "$H" verify
expect_exit 0 "fieldbook-hub verify exits 0 on the full disk"
if grep -q ' 503 ' "$HUB_LOG"; then
	pass "the hub logged its 503"
else
	fail "the hub logged its 503" "$(tail -3 "$HUB_LOG")"
fi
# The disk is full: a second try fails the same way.
run fbd "$L" sync
expect_exit 75 "a second sync to the full hub exits 75 too"
mount -t tmpfs -o remount,size=16m tmpfs "$HMNT" || fail "remount the hub's disk bigger"
ok "after the hub's disk is made bigger, the sync succeeds" sync_until "$L" 5
is "$(jget "$L" 'd["pending_entries"]' status --json)" 0 "nothing pending on the laptop"
is "$(jcount "$H" "$LDEV")" "$(jcount "$L" "$LDEV")" "the hub holds the laptop's journal"
is "$(sqlite3 "$H" "SELECT count(*) FROM (SELECT device, seq FROM journal GROUP BY device, seq HAVING count(*) > 1)")" 0 \
	"no (device, seq) twice on the hub"
is "$(sqlite3 "$H" "SELECT count(*) FROM record WHERE type = 'member'")" 1500 "the hub holds the 1500 members"
ok "the same hub process served it all" kill -0 "$hub_pid"
stop_hub "$hub_pid"
is "$HUB_RC" 0 "the hub stops cleanly on SIGTERM"
run hub --db "$H" verify
expect_exit 0 "fieldbook-hub verify exits 0 after the disk was made bigger"
diag "hub part: $((SECONDS - T1)) s"
done_testing
