#!/usr/bin/env bash
# 60-wrong-clock.t - a laptop whose clock ran a day fast heals
# (docs/DECISIONS.md, "A clock that ran fast"; libfaketime's `faketime`).
#
# (a) While its clock runs a day fast, laptop A records: a member, an
#     edit of a shared member's notes that laptop B also edits (in real
#     time), a member added and deleted (its seen vector names fast
#     stamps), a training and an attendance.  Every command warns that
#     the clock is a day ahead (the sync before measured the hub's clock);
#     the sync is refused (65, clock_ahead) and nothing is dated again
#     while the clock is still fast.
# (b) The clock is set right.  The warning stops at once; an edit made
#     now still ticks after the fast ones.  The next sync dates them
#     again, sends everything (exit 0, one line saying so); nothing typed
#     is lost, the stamps are within the hub's tolerance, A's HLC came
#     back down, and the journals verify.
# (c) Every replica (A, B, the hub) ends with the same records and the
#     same conflict of the notes: the merge is the same everywhere.
# (d) The warning: a few minutes off says nothing; hours ahead or a day
#     behind are named; after a restart (another boot) the offset the
#     last sync measured stands until a sync measures it again.
# (e) A laptop without a link (bundles): what it saved a day fast is
#     dated again when it writes its bundle with the clock right, and
#     the hub takes the bundle (it refuses one written while still fast).

. "$(dirname "$0")/synclib.sh"

if ! command -v faketime >/dev/null 2>&1; then
	echo "Bail out! 60-wrong-clock.t needs the faketime command (Debian package faketime)"
	exit 1
fi
# curl times its transfers with CLOCK_MONOTONIC, and the laptop carries
# the hub's time forward with CLOCK_BOOTTIME: leave those alone.
export DONT_FAKE_MONOTONIC=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
probe=$(faketime -f '+1d' date -u +%Y-%m-%d 2>&1)
if [ "$probe" != "$(date -u -d tomorrow +%Y-%m-%d)" ]; then
	echo "Bail out! faketime -f '+1d' does not shift the clock here (date says: $probe)"
	exit 1
fi

# fbt OFFSET DB ARGS...: fieldbook with its clock shifted ("" for none).
fbt() {
	local off=$1 db=$2
	shift 2
	if [ -n "$off" ]; then
		timeout "$FB_TIMEOUT" faketime -f "$off" "$FIELDBOOK" --db "$db" "$@" 5>&- 6>&- 7>&- 8>&-
	else
		timeout "$FB_TIMEOUT" "$FIELDBOOK" --db "$db" "$@" 5>&- 6>&- 7>&- 8>&-
	fi
}

# The warning each command gives when the clock is off.
WARN_AHEAD_DAY="fieldbook: warning: this laptop's clock is 24 hours ahead of the hub's; set its date and time (what is saved meanwhile is kept, and dated again by the next sync once the clock is right)"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/a.tok"
enroll "$H" HN.PL.TT.03 "laptop B" "$TMP/b.tok"
new_collector "$TMP/a.db" HN.PL.TT.03 "$TMP/a.tok"
new_collector "$TMP/b.db" HN.PL.TT.03 "$TMP/b.tok"
A=$TMP/a.db B=$TMP/b.db
adev=$(own_device "$A")

# --- (a) a day fast --------------------------------------------------------
m1=$(new_id fbt "" "$B" member add --name "Nguyễn Thị Lan" --notes "gốc")
run fbt "" "$B" sync
expect_exit 0 "(a) B syncs a member"
run fbt "" "$A" sync
expect_exit 0 "(a) A, its clock right, syncs and pulls it"
expect_err_empty "(a) ...without a word about the clock"

run fbt +1d "$A" member add --name "Trần Thị Hoa" --phone 0912000111
expect_exit 0 "(a) a day fast, A adds a member"
m2=$OUT
expect_err "$WARN_AHEAD_DAY" "(a) ...and is told at once that its clock is a day ahead"
run fbt +1d "$A" edit "$m1" notes="A ghi"
expect_exit 0 "(a) A edits the shared member's notes"
expect_err "$WARN_AHEAD_DAY" "(a) ...with the same warning"
m3=$(fbt +1d "$A" member add --name "Lê Thị Mai" 2>/dev/null)
run fbt +1d "$A" delete "$m3"
expect_exit 0 "(a) A adds and deletes another"
t1=$(fbt +1d "$A" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality 2>/dev/null)
run fbt +1d "$A" training attend "$t1" "$m2"
expect_exit 0 "(a) A records a training and who attended"
like "$t1" "$UUID_RE" "(a) the training has an id"
# B edits the same notes meanwhile, in real time, and syncs first.
fbd "$B" edit "$m1" notes="B ghi" >/dev/null
run fbt "" "$B" sync
expect_exit 0 "(a) B edits the same notes and syncs"
pending=$(jget "$A" 'd["pending_entries"]' status --json 2>/dev/null)
ok "(a) A has entries to send ($pending)" test "$pending" -gt 0
before=$(jchain "$A" "$adev")
run fbt +1d "$A" sync
expect_exit 65 "(a) still a day fast, A's sync is refused (65)"
like "$ERR" 'clock_ahead: entry [0-9]+ is stamped .* ahead of the hub.s clock; set this laptop.s date and time' \
	"(a) ...saying the entries are ahead of the hub's clock, and to set the date"
like "$ERR" '24 hours ahead of the hub' "(a) ...and warning that the clock is a day ahead"
is "$(jchain "$A" "$adev")" "$before" "(a) nothing is dated again while the clock is still fast"
is "$(jcount "$H" "$adev")" "0|0" "(a) the hub took none of them"

# --- (b) the clock set right ------------------------------------------------
run fbt "" "$A" status
expect_exit 0 "(b) A's clock is right again: status"
expect_err_empty "(b) ...and the warning is gone at once"
run fbt "" "$A" member add --name "Phạm Thị Thu"
expect_exit 0 "(b) A adds a member with its clock right"
m4=$OUT
ms_now=$(($(date +%s%3N)))
last=$(sqlite3 "$A" "select hlc >> 16 from journal where device = '$adev' order by seq desc limit 1")
ok "(b) ...which still ticks after the fast entries (the HLC never goes back)" \
	test "$last" -gt $((ms_now + 20 * 3600 * 1000))
run fbt "" "$A" sync
expect_exit 0 "(b) the next sync goes through (exit 0)"
like "$ERR" '^fieldbook: [0-9]+ changes saved while this laptop.s clock ran fast were dated again to the right time and sent; nothing is lost$' \
	"(b) ...saying, on one line, that the changes were dated again"
expect_out_match '^synced: [0-9]+ changes sent' "(b) ...and what it sent"
is "$(jget "$A" 'd["pending_entries"]' status --json)" 0 "(b) nothing pending on A"
is "$(jcount "$H" "$adev")" "$(jcount "$A" "$adev")" "(b) the hub holds all of A's journal"
ms_now=$(($(date +%s%3N)))
top=$(sqlite3 "$A" "select max(hlc) >> 16 from journal where device = '$adev'")
ok "(b) every stamp of A is within the hub's 5 minutes ($top <= $((ms_now + 300000)))" \
	test "$top" -le $((ms_now + 300000))
clock=$(sqlite3 "$A" "select value >> 16 from meta where key = 'hlc'")
ok "(b) A's clock (meta hlc) came back down ($clock)" test "$clock" -le $((ms_now + 300000))
bad=$(sqlite3 "$A" "select count(*) from journal j join journal k on k.device = j.device
	and k.seq > j.seq and k.hlc <= j.hlc where j.device = '$adev'")
is "$bad" 0 "(b) A's HLCs still increase with its sequence"
run fbd "$A" verify
expect_exit 0 "(b) A's journal verifies"
run hub --db "$H" verify
expect_exit 0 "(b) the hub's journal verifies"
run fbt "" "$A" edit "$m4" phone=0912000444
run fbt "" "$A" sync
expect_exit 0 "(b) the next change goes out at once"
expect_err_empty "(b) ...with nothing to say"

# --- (c) the same everywhere ------------------------------------------------
run fbt "" "$B" sync
expect_exit 0 "(c) B syncs"
records_of "$A" "$TMP/a.rec"
records_of "$B" "$TMP/b.rec"
same_file "(c) B holds exactly A's records" "$TMP/a.rec" "$TMP/b.rec"
for id in "$m2" "$m3" "$m4" "$t1" "$t1:$m2"; do
	ok "(c) nothing typed is lost: $id is on B" grep -q "\"id\": \"$id\"" "$TMP/b.rec"
done
is "$(fbd "$B" show "$m3" --json | json_get 'str(d["deleted"])')" True "(c) the deleted member is deleted on B"
# The record state, stamps included, of the hub and the laptops.
state() {
	_db_sql "$1" "select id || '|' || deleted || '|' || vals || '|' || clk from record order by id"
}
is "$(state "$B")" "$(state "$A")" "(c) B's record state, stamps included, is A's"
is "$(state "$H")" "$(state "$A")" "(c) the hub's is A's too"
notes_conflict() {
	local w="printf('%016x', winner_hlc)" l="printf('%016x', loser_hlc)"
	if _is_pg_hub "$1"; then
		w="lpad(to_hex(winner_hlc), 16, '0')" l="lpad(to_hex(loser_hlc), 16, '0')"
	fi
	_db_sql "$1" "select winner_value || '|' || $w || '|' || winner_device || '|' || loser_value || '|' ||
		$l || '|' || loser_device from conflict where record_id = '$m1'
		and field = 'notes'"
}
c_a=$(notes_conflict "$A")
like "$c_a" '^A ghi\|' "(c) A's notes (later, dated again) won over B's; the conflict is logged"
is "$(notes_conflict "$B")" "$c_a" "(c) B logged the same conflict"
is "$(notes_conflict "$H")" "$c_a" "(c) the hub logged the same conflict"

# --- (d) the warning -----------------------------------------------------------
run fbt +3m "$A" list members
expect_exit 0 "(d) a clock 3 minutes fast: list"
expect_err_empty "(d) ...within the hub's tolerance: no warning"
run fbt +3h "$A" list members
like "$ERR" "^fieldbook: warning: this laptop's clock is 3 hours ahead of the hub's" \
	"(d) 3 hours fast: named"
run fbt -2d "$A" list members
expect_exit 0 "(d) two days slow, list still works"
expect_err "fieldbook: warning: this laptop's clock is 2 days behind the hub's; set its date and time" \
	"(d) ...and says it is 2 days behind"
# A sync while a day fast measures the offset; after a restart (another
# boot id) that offset is all there is, so it is said until a sync
# measures the clock right.
run fbt +1d "$A" sync
expect_exit 0 "(d) a sync while a day fast (nothing to send) succeeds"
expect_err "$WARN_AHEAD_DAY" "(d) ...and warns"
is "$(sqlite3 "$A" "select cast(value as integer) < -86000000 from meta where key = 'clock_offset_ms'")" 1 \
	"(d) meta clock_offset_ms holds the offset it measured"
sqlite3 "$A" "update meta set value = substr(value, 1, instr(value, ':')) || '0:another-boot'
	where key = 'clock_seen'"
run fbt "" "$A" status
expect_err "$WARN_AHEAD_DAY" "(d) after a restart, the clock right: the last sync's offset is still said"
run fbt "" "$A" sync
expect_exit 0 "(d) a sync with the clock right"
expect_err_empty "(d) ...measures it again: no warning"
run fbt "" "$A" status
expect_err_empty "(d) ...nor on the next command"

# --- (e) bundles ------------------------------------------------------------------
enroll "$H" HN.PL.TT.03 "laptop G, no link" "$TMP/g.tok"
G=$TMP/g.db
fbt "" "$G" init --branch HN.PL.TT.03 >/dev/null
fbt "" "$G" remote set http://127.0.0.1:9 --token-file "$TMP/g.tok" >/dev/null
gdev=$(own_device "$G")
g1=$(fbt +1d "$G" member add --name "Vũ Thị Bảy" 2>/dev/null)
fbt +1d "$G" edit "$g1" phone=0912000777 >/dev/null 2>&1
run fbt +1d "$G" bundle export "$TMP/g-fast.fbb"
expect_exit 0 "(e) G, a day fast, writes a bundle"
run hub --db "$H" bundle import "$TMP/g-fast.fbb"
expect_exit 65 "(e) the hub refuses it: its entries are a day ahead"
like "$ERR" "ahead of the hub.s clock" "(e) ...saying so"
before=$(jchain "$G" "$gdev")
run fbt "" "$G" bundle export "$TMP/g.fbb"
expect_exit 0 "(e) with the clock right, G writes its bundle again"
ok "(e) ...its entries dated again" test "$(jchain "$G" "$gdev")" != "$before"
run hub --db "$H" bundle import "$TMP/g.fbb"
expect_exit 0 "(e) the hub takes it"
is "$(jchain "$H" "$gdev")" "$(jchain "$G" "$gdev")" "(e) the hub holds G's journal as G holds it now"
run fbd "$G" verify
expect_exit 0 "(e) G verifies"
stop_hub
done_testing
