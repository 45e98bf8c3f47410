#!/usr/bin/env bash
# 44-clock.t - laptops with wrong clocks (libfaketime's `faketime`).
#
# (1) A laptop 3 years behind that has synced edits a field after pulling
#     another laptop's edit of it: its HLC moved past the hub's time, so
#     its edit wins everywhere and no conflict is logged.
# (2) Two laptops, one 5 hours behind, edit one field without syncing in
#     between (the one behind edits later, in real time): every replica
#     keeps the value of the greater (HLC, device) and logs the other.
# (3) A laptop whose clock jumps back and forth between commands (and
#     syncs in between): its journal's HLCs strictly increase, and its
#     journal and the hub verify.
# (4) A laptop 2 hours ahead: its sync is refused (65) with a message
#     naming the clock and the minutes ahead; its entries stay pending,
#     with their stamps, while its clock is still ahead, until the hub's
#     clock passes them (then they go as stamped).  A clock set right
#     again heals at once: 60-wrong-clock.t.

. "$(dirname "$0")/synclib.sh"

if ! command -v faketime >/dev/null 2>&1; then
	echo "Bail out! 44-clock.t needs the faketime command (Debian package faketime)"
	exit 1
fi
# The library itself, to start a hub with a shifted clock (below).
LIBFAKETIME_MT=
for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
	/usr/lib64/faketime/libfaketimeMT.so.1 /usr/local/lib/faketime/libfaketimeMT.so.1; do
	[ -e "$f" ] && { LIBFAKETIME_MT=$f; break; }
done
if [ -z "$LIBFAKETIME_MT" ]; then
	echo "Bail out! libfaketimeMT.so.1 not found (Debian package libfaketime)"
	exit 1
fi
# curl times its transfers with CLOCK_MONOTONIC: leave that one alone.
export DONT_FAKE_MONOTONIC=1
# Under AddressSanitizer libfaketime comes before the ASan runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
probe=$(faketime -f '-3y' date -u +%Y 2>&1)
if [ "$probe" != "$(($(date -u +%Y) - 3))" ]; then
	echo "Bail out! faketime -f '-3y' does not shift the clock here (date says: $probe)"
	exit 1
fi

# fbt OFFSET DB ARGS...: fieldbook with its clock shifted by OFFSET
# (libfaketime's relative form, one unit only: -3y, -5h, +2h, -10m,
# +130m; "" for none).
fbt() {
	local off=$1 db=$2
	shift 2
	if [ -n "$off" ]; then
		timeout "$FB_TIMEOUT" faketime -f "$off" "$FIELDBOOK" --db "$db" "$@"
	else
		timeout "$FB_TIMEOUT" "$FIELDBOOK" --db "$db" "$@"
	fi
}

# The milliseconds of an HLC (48 bits of ms, 16 of counter).
ms_of() {
	echo $(($1 >> 16))
}

# hlc_of DB DEVICE RECORD: the HLC of the device's last journal row of
# the record.
hlc_of() {
	_db_sql "$1" "SELECT hlc FROM journal WHERE device = '$2' AND record_id = '$3'
		ORDER BY seq DESC LIMIT 1"
}

# field DB RECORD FIELD: the value a database holds.
field() {
	_db_sql "$1" "SELECT $(hub_jv "$1" "$3") FROM record WHERE id = '$2'"
}

# conflicts_of DB RECORD FIELD: "loser_value loser_device" lines.
conflicts_of() {
	_db_sql "$1" "SELECT loser_value || ' ' || loser_device FROM conflict
		WHERE record_id = '$2' AND field = '$3' ORDER BY loser_value"
}

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
for l in a b c d e f; do
	enroll "$H" HN.PL.TT.03 "laptop $l" "$TMP/$l.tok"
	new_collector "$TMP/$l.db" HN.PL.TT.03 "$TMP/$l.tok"
done
A=$TMP/a.db B=$TMP/b.db C=$TMP/c.db D=$TMP/d.db E=$TMP/e.db F=$TMP/f.db
now_ms=$(($(date +%s) * 1000))

# --- (1) three years behind, synced once --------------------------------
m=$(new_id fbt "" "$B" member add --name "Lê Thị Mai" --phone 0900000000)
run fbt "" "$B" sync
expect_exit 0 "(1) laptop b (clock right) syncs its new member"
run fbt -3y "$A" sync
expect_exit 0 "(1) laptop a (3 years behind) syncs: it pulls the member"
is "$(field "$A" "$m" phone)" 0900000000 "(1) laptop a holds the member"
run fbt "" "$B" edit "$m" phone=0911111111
run fbt "" "$B" sync
expect_exit 0 "(1) laptop b syncs its edit of the phone"
run fbt -3y "$A" sync
expect_exit 0 "(1) laptop a pulls b's edit"
is "$(field "$A" "$m" phone)" 0911111111 "(1) laptop a sees b's phone"
run fbt -3y "$A" edit "$m" phone=0922222222
expect_exit 0 "(1) laptop a (3 years behind) edits the same phone"
adev=$(own_device "$A")
bdev=$(own_device "$B")
ha=$(hlc_of "$A" "$adev" "$m")
hb=$(hlc_of "$B" "$bdev" "$m")
ok "(1) a's edit is stamped after b's (HLC $ha > $hb) although its clock is 3 years behind" \
	test "$ha" -gt "$hb"
ok "(1) a's stamp is near the real time, not 3 years back" \
	test "$(ms_of "$ha")" -ge "$((now_ms - 600000))"
run fbt -3y "$A" sync
expect_exit 0 "(1) laptop a's sync is accepted (its entry is not ahead of the hub)"
run fbt "" "$B" sync
expect_exit 0 "(1) laptop b syncs"
for x in A B H; do
	is "$(field "${!x}" "$m" phone)" 0922222222 "(1) ${x,,}: a's later edit wins"
	is "$(conflicts_of "${!x}" "$m" phone)" "" "(1) ${x,,}: no conflict logged for the phone"
done
is "$(jget "$A" 'd["pending_entries"]' status --json)" 0 "(1) nothing pending on laptop a"

# --- (2) five hours behind, concurrent edits -----------------------------
m2=$(new_id fbt "" "$D" member add --name "Phạm Thị Hoa" --phone 0930000000)
run fbt "" "$D" sync
expect_exit 0 "(2) laptop d syncs its new member"
run fbt -5h "$C" sync
expect_exit 0 "(2) laptop c (5 hours behind) pulls it"
# Concurrent: neither syncs before both have edited.  d edits first.
run fbt "" "$D" edit "$m2" phone=0944444444
expect_exit 0 "(2) laptop d edits the phone"
run fbt -5h "$C" edit "$m2" phone=0955555555
expect_exit 0 "(2) laptop c (5 hours behind) edits the same phone, later in real time"
cdev=$(own_device "$C")
ddev=$(own_device "$D")
hc=$(hlc_of "$C" "$cdev" "$m2")
hd=$(hlc_of "$D" "$ddev" "$m2")
# The spec's rule: the greater (HLC, device id) wins.
if [ "$hc" -gt "$hd" ] || { [ "$hc" = "$hd" ] && [[ $cdev > $ddev ]]; }; then
	win=0955555555 winner=c lose=0944444444 loser_dev=$ddev
else
	win=0944444444 winner=d lose=0955555555 loser_dev=$cdev
fi
diag "(2) c's stamp $hc, d's stamp $hd: laptop $winner's value should win"
run fbt -5h "$C" sync
expect_exit 0 "(2) laptop c syncs"
run fbt "" "$D" sync
expect_exit 0 "(2) laptop d syncs"
run fbt -5h "$C" sync
expect_exit 0 "(2) laptop c syncs again"
for x in C D H; do
	is "$(field "${!x}" "$m2" phone)" "$win" "(2) ${x,,}: the greater (HLC, device) wins: laptop $winner's $win"
	is "$(conflicts_of "${!x}" "$m2" phone)" "$lose $loser_dev" "(2) ${x,,}: the losing value $lose is in the conflict log"
done
is "$(fbt -5h "$C" conflicts --json | json_q 'sum(1 for c in d if c["record"] == a[0] and c["field"] == "phone")' "$m2")" 1 \
	"(2) fieldbook conflicts on laptop c shows it"

# --- (3) a clock that jumps backwards between commands ------------------
edev=$(own_device "$E")
t3=$(new_id fbt "" "$E" training add --title "Tập huấn" --date 2026-05-01 --topic leadership)
steps=0
e_members=()
for off in "" -1h -1d -2y +0m -10m -3y -1h "" -5h -30d; do
	mm=$(fbt "$off" "$E" member add --name "Hội viên lệch giờ $steps" --role member) ||
		fail "(3) member add with clock '$off'"
	e_members+=("$mm")
	fbt "$off" "$E" edit "$mm" "phone=097$steps" >/dev/null || fail "(3) edit with clock '$off'"
	fbt "$off" "$E" training attend "$t3" "${e_members[@]}" >/dev/null ||
		fail "(3) attend with clock '$off'"
	steps=$((steps + 1))
	# Sync now and then, under the same wrong clock.
	if [ $((steps % 4)) = 0 ]; then
		run fbt "$off" "$E" sync
		[ "$RC" -eq 0 ] || fail "(3) sync with clock '$off'" "exit $RC: $ERR"
	fi
done
{
	echo "full_name,role"
	for k in 1 2 3 4 5; do echo "Nhập lệch giờ $k,member"; done
} >"$TMP/e.csv"
fbt -4y "$E" import "$TMP/e.csv" --type member >/dev/null || fail "(3) import with clock -4y"
bad=$(sqlite3 "$E" "SELECT count(*) FROM journal j JOIN journal k ON k.device = j.device
	AND k.seq > j.seq AND k.hlc <= j.hlc WHERE j.device = '$edev'")
rows=$(sqlite3 "$E" "SELECT count(*) FROM journal WHERE device = '$edev'")
is "$bad" 0 "(3) the $rows journal rows of laptop e have strictly increasing HLCs ($steps clock jumps)"
run fbt -2y "$E" sync
expect_exit 0 "(3) laptop e syncs with its clock 2 years behind"
run fbt "" "$E" verify
expect_exit 0 "(3) laptop e's journal verifies"
is "$(jcount "$H" "$edev")" "$(jcount "$E" "$edev")" "(3) the hub holds laptop e's journal"
bad=$(hub_sql "$H" "SELECT count(*) FROM journal j JOIN journal k ON k.device = j.device
	AND k.seq > j.seq AND k.hlc <= j.hlc WHERE j.device = '$edev'")
is "$bad" 0 "(3) on the hub too, laptop e's HLCs strictly increase"
run hub --db "$H" verify
expect_exit 0 "(3) the hub verifies"

# --- (4) two hours ahead -------------------------------------------------
fdev=$(own_device "$F")
run fbt "" "$F" sync
expect_exit 0 "(4) laptop f syncs once with its clock right"
fm=$(new_id fbt +2h "$F" member add --name "Đỗ Thị Thu" --role member)
run fbt +2h "$F" edit "$fm" phone=0966666666
pend=$(jget "$F" 'd["pending_entries"]' status --json)
ok "(4) laptop f has entries to send ($pend)" test "$pend" -gt 0
run fbt +2h "$F" sync
expect_exit 65 "(4) a sync 2 hours ahead is refused (65)"
like "$ERR" '^fieldbook: push: .*clock_ahead.*hub.s clock' "(4) the message names the clock"
like "$ERR" '^fieldbook: warning: this laptop.s clock is 2 hours ahead' "(4) and warns that the laptop's clock is 2 hours ahead"
like "$ERR" ' (119|120) minutes ahead' "(4) the message says how many minutes ahead (about 120)"
msg1=$ERR
is "$(jget "$F" 'd["pending_entries"]' status --json)" "$pend" "(4) the entries stay pending"
is "$(jcount "$H" "$fdev")" "0|0" "(4) the hub took none of them"
# Still ahead: the same refusal, and nothing is dated again, for a clock
# that is still fast would date them ahead again (60-wrong-clock.t has
# the clock set right, when they are).
before=$(jchain "$F" "$fdev")
run fbt +2h "$F" sync
expect_exit 65 "(4) still 2 hours ahead, the sync is still refused (65)"
norm() {
	local s=$1
	[[ $s =~ ^(.*\ )[0-9]+(\ minutes\ ahead.*)$ ]] && s="${BASH_REMATCH[1]}N${BASH_REMATCH[2]}"
	printf '%s' "$s"
}
is "$(norm "$(grep -v warning <<<"$ERR")")" "$(norm "$(grep -v warning <<<"$msg1")")" "(4) the same refusal (minutes aside)"
is "$(jchain "$F" "$fdev")" "$before" "(4) the entries keep their stamps while the clock is fast"
is "$(jget "$F" 'd["pending_entries"]' status --json 2>/dev/null)" "$pend" "(4) the entries are still pending"
# Once the hub's clock has passed the stamps, they go through.  The hub
# is started with libfaketime preloaded (the faketime command would fork,
# and stop_hub's SIGTERM would reach faketime, not the hub).
stop_hub
cat >"$TMP/hub-later" <<EOF
#!/bin/sh
LD_PRELOAD=$LIBFAKETIME_MT FAKETIME=+130m exec "$FIELDBOOK_HUB" "\$@"
EOF
chmod +x "$TMP/hub-later"
FIELDBOOK_HUB=$TMP/hub-later start_hub "$H"
fbt +2h "$F" remote set "$HUB_URL" --token-file "$TMP/f.tok" >/dev/null 2>&1
run fbt +2h "$F" sync
expect_exit 0 "(4) once the hub's clock has passed them, the entries are accepted"
is "$(grep -c 'dated again' <<<"$ERR")" 0 "(4) ...as they were stamped: nothing was dated again"
is "$(jget "$F" 'd["pending_entries"]' status --json 2>/dev/null)" 0 "(4) nothing pending on laptop f"
is "$(jcount "$H" "$fdev")" "$(jcount "$F" "$fdev")" "(4) the hub holds laptop f's journal"
run hub --db "$H" verify
expect_exit 0 "(4) the hub verifies"
stop_hub
is "$HUB_RC" 0 "the hub stops cleanly on SIGTERM"
done_testing
