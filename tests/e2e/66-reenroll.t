#!/usr/bin/env bash
# 66-reenroll.t - a laptop enrolled again (docs/SECURITY.md, "A laptop
# enrolled again"; docs/PROTOCOL.md §3).
#
# (a) Laptop A syncs, then its token is revoked: its sync is refused
#     (77).  The operator enrolls it again for the same unit; with the
#     new token `remote set` and `sync` work: A's chain goes on under its
#     device id, what it recorded meanwhile reaches laptop B, `devices`
#     shows the new token holding the id, the old one revoked.
# (b) A new token while the old one still stands: refused (77), saying
#     which token to revoke; once it is revoked, the sync works.
# (c) What may not take a revoked laptop's id: a token of another unit,
#     a token already bound to another laptop (77 each, nothing applied).
# (d) A laptop enrolled again may pull before it has anything to push.
# (e) A laptop whose id came from a fork (a copied database) is enrolled
#     again: the new token takes the fork's id over too.

. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
for x in a b c d e f g; do
	enroll "$H" HN.PL.TT.03 "laptop $x" "$TMP/$x.tok"
done
A=$TMP/a.db B=$TMP/b.db
new_collector "$A" HN.PL.TT.03 "$TMP/a.tok"
new_collector "$B" HN.PL.TT.03 "$TMP/b.tok"
adev=$(own_device "$A")

# hub_id NAME: the hub's number of the token enrolled under NAME.
hub_id() {
	hub --db "$H" devices --json | json_q '[x["id"] for x in d if x["name"] == a[0]][0]' "$1"
}
# holder DEVICE: the names of the tokens `devices` shows with DEVICE, and
# whether each is revoked.
holder() {
	hub --db "$H" devices --json | json_q '" ".join("%s:%s" % (x["name"].split()[-1], "revoked" if x["revoked"] else "live") for x in d if x["device"] == a[0])' "$1"
}

# --- (a) revoked, then enrolled again ----------------------------------------------
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Lan")
run fbd "$A" sync
expect_exit 0 "(a) A syncs with its first token"
run hub --db "$H" revoke "$(hub_id "laptop a")"
expect_exit 0 "(a) its token is revoked"
m2=$(new_id fbd "$A" member add --name "Trần Thị Hoa")
run fbd "$A" sync
expect_exit 77 "(a) A's sync is refused (77)"
enroll "$H" HN.PL.TT.03 "laptop a2" "$TMP/a2.tok"
run fbd "$A" remote set "$HUB_URL" --token-file "$TMP/a2.tok"
expect_exit 0 "(a) remote set with the new token"
m3=$(new_id fbd "$A" member add --name "Lê Thị Mai")
run fbd "$A" sync
expect_exit 0 "(a) with the new token, A syncs"
expect_err_empty "(a) ...without a word"
is "$(own_device "$A")" "$adev" "(a) under the device id it always had"
is "$(jcount "$H" "$adev")" "$(jcount "$A" "$adev")" "(a) the hub holds A's whole chain"
is "$(jget "$A" 'd["pending_entries"]' status --json)" 0 "(a) nothing pending"
is "$(holder "$adev")" "a:revoked a2:live" "(a) devices: the old token revoked, the new one holding A's id"
run fbd "$B" sync
expect_exit 0 "(a) B syncs"
for m in "$m1" "$m2" "$m3"; do
	run fbd "$B" show "$m" --json
	expect_exit 0 "(a) B has A's member $m"
done
run hub --db "$H" verify
expect_exit 0 "(a) the hub verifies"

# --- (b) the old token still stands ---------------------------------------------------
C=$TMP/c.db
new_collector "$C" HN.PL.TT.03 "$TMP/c.tok"
fbd "$C" member add --name "Phạm Thị Thu" >/dev/null
run fbd "$C" sync
expect_exit 0 "(b) C syncs"
enroll "$H" HN.PL.TT.03 "laptop c2" "$TMP/c2.tok"
fbd "$C" remote set "$HUB_URL" --token-file "$TMP/c2.tok" >/dev/null
fbd "$C" member add --name "Đỗ Thị Thu" >/dev/null
cid=$(hub_id "laptop c")
run fbd "$C" sync
expect_exit 77 "(b) a new token while the old one stands: refused (77)"
expect_err "fieldbook: push: the hub refused: device $(own_device "$C") is enrolled under another token (hub device $cid, \"laptop c\"); if this laptop was enrolled again, the hub's operator revokes that one first (fieldbook-hub revoke $cid); nothing was applied and your records are kept here" \
	"(b) ...saying which token to revoke"
hub --db "$H" revoke "$cid" >/dev/null
run fbd "$C" sync
expect_exit 0 "(b) once it is revoked, the sync works"

# --- (c) who may not take a revoked laptop's id ---------------------------------------
D=$TMP/d.db
new_collector "$D" HN.PL.TT.03 "$TMP/d.tok"
fbd "$D" member add --name "Vũ Thị Bảy" >/dev/null
run fbd "$D" sync
expect_exit 0 "(c) D syncs"
hub --db "$H" revoke "$(hub_id "laptop d")" >/dev/null
enroll "$H" HN.PL.TT "commune officer" "$TMP/commune.tok"
fbd "$D" remote set "$HUB_URL" --token-file "$TMP/commune.tok" >/dev/null
fbd "$D" member add --name "Đinh Thị Tám" >/dev/null
held=$(jcount "$H" "$(own_device "$D")")
run fbd "$D" sync
expect_exit 77 "(c) a token of another unit may not take it on (77)"
like "$ERR" "was enrolled for unit HN.PL.TT.03; a token of unit HN.PL.TT cannot take it on" "(c) ...saying so"
fbd "$D" remote set "$HUB_URL" --token-file "$TMP/a2.tok" >/dev/null
run fbd "$D" sync
expect_exit 77 "(c) nor a token bound to another laptop (77)"
like "$ERR" "this token belongs to device $adev, not $(own_device "$D")" "(c) ...saying so"
is "$(jcount "$H" "$(own_device "$D")")" "$held" "(c) nothing of D was applied"
is "$(holder "$(own_device "$D")")" "d:revoked" "(c) D's id is still the revoked token's"

# --- (d) a pull first ----------------------------------------------------------------------
E=$TMP/e.db
new_collector "$E" HN.PL.TT.03 "$TMP/e.tok"
fbd "$E" member add --name "Hoàng Thị Yến" >/dev/null
run fbd "$E" sync
expect_exit 0 "(d) E syncs"
hub --db "$H" revoke "$(hub_id "laptop e")" >/dev/null
enroll "$H" HN.PL.TT.03 "laptop e2" "$TMP/e2.tok"
fbd "$E" remote set "$HUB_URL" --token-file "$TMP/e2.tok" >/dev/null
run fbd "$E" sync
expect_exit 0 "(d) with nothing to push, E's sync (a pull) works with the new token"
run fbd "$E" show "$m3" --json
expect_exit 0 "(d) ...and brings A's members"

# --- (e) an id from a fork --------------------------------------------------------------
F=$TMP/f.db F2=$TMP/f2.db
new_collector "$F" HN.PL.TT.03 "$TMP/f.tok"
fbd "$F" member add --name "Ngô Thị Lụa" >/dev/null
run fbd "$F" sync
expect_exit 0 "(e) F syncs"
copy_db "$F" "$F2"
fbd "$F" member add --name "F ghi" >/dev/null
fbd "$F2" member add --name "F2 ghi" >/dev/null
run fbd "$F" sync
run fbd "$F2" sync
expect_exit 0 "(e) the copy F2 syncs"
like "$ERR" "goes on as new device" "(e) ...as a new device (a fork)"
f2dev=$(own_device "$F2")
hub --db "$H" revoke "$(hub_id "laptop f")" >/dev/null
enroll "$H" HN.PL.TT.03 "laptop f2" "$TMP/f2.tok"
fbd "$F2" remote set "$HUB_URL" --token-file "$TMP/f2.tok" >/dev/null
fbd "$F2" member add --name "F2 lần hai" >/dev/null
run fbd "$F2" sync
expect_exit 0 "(e) enrolled again, the copy syncs under its fork's id"
is "$(jcount "$H" "$f2dev")" "$(jcount "$F2" "$f2dev")" "(e) the hub holds its chain"
is "$(holder "$f2dev")" "f2:live" "(e) the new token holds the fork's id"
stop_hub
done_testing
