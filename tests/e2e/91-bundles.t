#!/usr/bin/env bash
# 91-bundles.t - sync carried on a USB stick (docs/PROTOCOL.md §16).
#
# L1 never reaches the hub: it writes a bundle of what the hub has not
# acknowledged, the hub applies it as pushes and writes an
# acknowledgement, and L1 takes that.  The same bundle applied twice
# adds nothing.  L2 syncs over the network; the hub writes a bundle of
# what others changed for L1, and L1 applies it.  A damaged, cut, foreign
# or misdirected bundle is refused whole and changes nothing; a bundle
# of a token the hub does not know is refused too.  Then the district
# hub relays what arrived by bundle to its province; and to a second
# province with no link at all, by bundle both ways.
. "$(dirname "$0")/synclib.sh"

T0=$SECONDS
d=$TMP/bundles
mkdir -p "$d"
H=$d/hub.db
# Under FIELDBOOK_TEST_STORE=pg every hub is on PostgreSQL: the district
# hub H, which relays up by link and by bundle, and the provinces.
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "L1, no link" "$d/tok1"
enroll "$H" HN.PL.TT.03 "L2" "$d/tok2"
start_hub "$H"

# L1: a remote set once with its token; the URL is never reached.
fbd "$d/L1.db" init --branch HN.PL.TT.03 >/dev/null
fbd "$d/L1.db" remote set http://127.0.0.1:9 --token-file "$d/tok1" >/dev/null
new_collector "$d/L2.db" HN.PL.TT.03 "$d/tok2"
dev1=$(own_device "$d/L1.db")

a=$(new_id fbd "$d/L1.db" member add --name "Nguyễn Thị An" --phone 0901000001)
b=$(new_id fbd "$d/L1.db" member add --name "Trần Thị Bình")
fbd "$d/L1.db" edit "$a" phone=0901000002 >/dev/null

run fbd "$d/L1.db" bundle export "$d/b1.fbb"
expect_exit 0 "L1 writes a bundle"
like "$OUT" "bundle written: 3 changes not yet acknowledged" "...of its three changes"
is "$(stat -c %a "$d/b1.fbb")" 600 "...readable by its owner only"
head -c 17 "$d/b1.fbb" | grep -q '^FIELDBOOK-BUNDLE ' && pass "...named as a bundle in its first line" ||
	fail "...named as a bundle in its first line"

# Refusals first: nothing of a bad bundle is used.
rows0=$(hub_sql "$H" "select count(*) from journal")
cp "$d/b1.fbb" "$d/bad.fbb"
printf '\x55' | dd of="$d/bad.fbb" bs=1 seek=120 conv=notrunc status=none
run hub --db "$H" bundle import "$d/bad.fbb"
expect_exit 65 "a bundle with a byte changed is refused"
like "$ERR" "damaged" "...as damaged"
head -c 150 "$d/b1.fbb" >"$d/cut.fbb"
run hub --db "$H" bundle import "$d/cut.fbb"
expect_exit 65 "a bundle cut short is refused"
like "$ERR" "cut short" "...as cut short"
printf 'id,name\n1,x\n' >"$d/foreign.csv"
run hub --db "$H" bundle import "$d/foreign.csv"
expect_exit 65 "a file that is no bundle is refused"
like "$ERR" "not a Fieldbook bundle" "...saying so"
is "$(hub_sql "$H" "select count(*) from journal")" "$rows0" "none of them changed the hub"

# The bundle, applied.
run hub --db "$H" bundle import "$d/b1.fbb"
expect_exit 0 "the hub applies L1's bundle"
like "$OUT" "3 changes of device $dev1 \(3 new, 0 held already, 0 set aside\)" \
	"...as three new changes"
is "$(jchain "$H" "$dev1")" "$(jchain "$d/L1.db" "$dev1")" "the hub holds L1's journal as L1 wrote it"
ok "the acknowledgement is written beside it" test -s "$d/b1.fbb.ack"
run hub --db "$H" bundle import "$d/b1.fbb" --ack "$d/again.ack"
expect_exit 0 "the same bundle again"
like "$OUT" "\(0 new, 3 held already" "...is taken as held already"
is "$(hub_dups "$H")" 0 "the hub holds each (device, seq) once"

is "$(jget "$d/L1.db" 'd["pending_entries"]' status --json)" 4 "setup: L1 has 4 entries pending"
run fbd "$d/L1.db" bundle ack "$d/b1.fbb.ack"
expect_exit 0 "L1 takes the acknowledgement"
like "$OUT" "holds this laptop's entries up to 4" "...up to its last entry"
is "$(jget "$d/L1.db" 'd["pending_entries"]' status --json)" 0 "L1 has nothing pending"
run fbd "$d/L1.db" bundle ack "$d/b1.fbb"
expect_exit 65 "a push bundle is no acknowledgement"

# The way back: what others changed, for L1.
run fbd "$d/L2.db" sync
expect_exit 0 "L2 syncs over the network"
run fbd "$d/L2.db" show "$b" --json
expect_exit 0 "...and holds L1's member, which came by bundle"
c=$(new_id fbd "$d/L2.db" member add --name "Lê Thị Cúc")
fbd "$d/L2.db" edit "$a" notes="Đã gặp" >/dev/null
run fbd "$d/L2.db" sync
expect_exit 0 "L2 records and syncs"
run hub --db "$H" bundle export --for "$dev1" "$d/back.fbb"
expect_exit 0 "the hub writes a bundle for L1"
like "$OUT" "bundle written: [1-9][0-9]* changes for device $dev1" "...of what others changed"
run fbd "$d/L2.db" bundle import "$d/back.fbb"
expect_exit 65 "another laptop cannot apply it"
like "$ERR" "was made for device $dev1" "...for it was made for L1"
run fbd "$d/L1.db" bundle import "$d/back.fbb"
expect_exit 0 "L1 applies it"
run fbd "$d/L1.db" show "$c" --json
expect_exit 0 "L1 holds L2's member"
like "$(fbd "$d/L1.db" show "$a" --json)" "Đã gặp" "...and L2's edit of L1's member"
run fbd "$d/L1.db" verify
expect_exit 0 "L1 verifies"

# A token the hub does not know.
H2=$d/other.db
hub_tree "$H2"
enroll "$H2" HN.PL.TT.03 "elsewhere" "$d/tok3"
fbd "$d/L3.db" init --branch HN.PL.TT.03 >/dev/null
fbd "$d/L3.db" remote set http://127.0.0.1:9 --token-file "$d/tok3" >/dev/null
fbd "$d/L3.db" member add --name "Phạm Thị Dung" >/dev/null
fbd "$d/L3.db" bundle export "$d/b3.fbb" >/dev/null
run hub --db "$H" bundle import "$d/b3.fbb"
expect_exit 77 "a bundle of a token this hub did not enroll is refused"
like "$ERR" "not one this hub enrolled" "...saying why"

# What came by bundle goes up the chain like anything else.
hub_url=$HUB_URL hub_pid=$HUB_PID
P=$d/province.db
hub_tree "$P"
(umask 077 && hub --db "$P" enroll --unit HN.PL --name "district" --hub >"$d/tokH" 2>/dev/null)
start_hub "$P"
p_pid=$HUB_PID
run hub --db "$H" upstream set "$HUB_URL" --token-file "$d/tokH"
run hub --db "$H" sync
expect_exit 0 "the district hub relays to its province"
is "$(jchain "$P" "$dev1")" "$(jchain "$H" "$dev1")" \
	"the province holds the journal of L1, which never had a link"

# Between hubs without a link: the district's relay to a second
# province goes by bundle, and its answer comes back the same way.
P2=$d/province2.db
hub_tree "$P2"
(umask 077 && hub --db "$P2" enroll --unit HN.PL --name "district, no link" --hub >"$d/tokH2" 2>/dev/null)
enroll "$P2" HN.PL.TT.03 "province officer" "$d/tok9"
hub --db "$H" upstream set http://127.0.0.1:9 --token-file "$d/tokH2" >/dev/null
run hub --db "$H" bundle export --upstream "$d/up.fbb"
expect_exit 0 "the district writes its relay into a bundle"
like "$OUT" "bundle written: [1-9][0-9]* changes of [1-9][0-9]* devices for the upstream" \
	"...of its laptops' changes"
run hub --db "$P2" bundle import "$d/up.fbb"
expect_exit 0 "the second province imports it"
like "$OUT" "relayed by hub district, no link" "...as the relay of that hub"
is "$(jchain "$P2" "$dev1")" "$(jchain "$H" "$dev1")" "it holds L1's journal whole"
run hub --db "$H" status --json
waiting=$(printf '%s' "$OUT" | json_get 'd["waiting_entries"]')
relay_id=$(printf '%s' "$OUT" | json_get 'd["relay_id"]')
ok "setup: before the answer, the district still counts them as waiting" test "$waiting" -gt 0
run hub --db "$H" bundle import "$d/up.fbb.ack"
expect_exit 0 "the district imports the answer"
is "$(hub --db "$H" status --json | json_get 'd["waiting_entries"]')" 0 "...and nothing waits any more"
run hub --db "$P2" bundle import "$d/up.fbb"
like "$OUT" "\(0 new" "the same relay bundle again adds nothing"
is "$(hub_dups "$P2")" 0 "...no entry twice"

# The way down: a province officer's member reaches the district, then L2.
HUB_URL_SAVE=$HUB_URL
start_hub "$P2"
fbd "$d/L9.db" init --branch HN.PL.TT.03 >/dev/null
fbd "$d/L9.db" remote set "$HUB_URL" --token-file "$d/tok9" >/dev/null
nine=$(new_id fbd "$d/L9.db" member add --name "Hà Thị Chín")
run fbd "$d/L9.db" sync
expect_exit 0 "a province officer records on the second province hub"
run hub --db "$P2" bundle export --for "$relay_id" "$d/down.fbb"
expect_exit 0 "the province writes a bundle for the district, by its relay id"
run hub --db "$H" bundle import "$d/down.fbb"
expect_exit 0 "the district imports it"
like "$OUT" "bundle applied: [1-9][0-9]* changes from the upstream" "...as changes from the upstream"
dev9=$(own_device "$d/L9.db")
is "$(jchain "$H" "$dev9")" "$(jchain "$d/L9.db" "$dev9")" "the district holds the officer's journal"
run fbd "$d/L2.db" sync
run fbd "$d/L2.db" show "$nine" --json
expect_exit 0 "L2 holds the officer's member"
run hub --db "$H" bundle export --upstream "$d/up2.fbb"
like "$OUT" "bundle written: 0 changes" "what came down is not sent back up"

stop_hub "$p_pid"
stop_hub "$hub_pid"
diag "$((SECONDS - T0)) s"
done_testing
