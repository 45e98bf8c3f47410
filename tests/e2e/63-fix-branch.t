#!/usr/bin/env bash
# 63-fix-branch.t - the wrong branch code typed at init
# (`fieldbook init --fix-branch CODE`, docs/COMMANDS.md).
#
# (a) Laptop A is made with HN.PL.TT.04 where its token is for
#     HN.PL.TT.03.  It records members, a training, who attended, a
#     visit and a delete.  Its sync is refused (77, out of scope; nothing
#     applied), then cut off with the hub's answer lost: while the hub
#     may hold something, --fix-branch refuses and says to sync again.
# (b) A sync that gets an answer (the refusal again) clears that doubt;
#     --fix-branch HN.PL.TT.03 then rewrites every record, entry and
#     chain hash, says so on one line, and everything verifies.  The next
#     sync sends it all; the hub and laptop B hold the records in .03.
# (c) Afterwards --fix-branch refuses (65) and says what to do instead;
#     nothing changes.  Bad uses: both --branch and --fix-branch (64),
#     the same code, a bad code, no database (66).
# (d) A laptop whose hub was never reached (connection refused) may
#     still correct its code: nothing left it.

. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/a.tok"
enroll "$H" HN.PL.TT.03 "laptop B" "$TMP/b.tok"
A=$TMP/a.db B=$TMP/b.db
new_collector "$A" HN.PL.TT.04 "$TMP/a.tok"
new_collector "$B" HN.PL.TT.03 "$TMP/b.tok"
adev=$(own_device "$A")

# --- (a) the wrong code, and a sync that may have reached the hub ----------
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Lan" --role branch_head)
m2=$(new_id fbd "$A" member add --name "Trần Thị Hoa")
m3=$(new_id fbd "$A" member add --name "Lê Thị Mai")
t1=$(new_id fbd "$A" training add --title "Kỹ năng lãnh đạo" --date 2026-04-10 --topic leadership)
fbd "$A" training attend "$t1" "$m1" "$m2" >/dev/null
v1=$(new_id fbd "$A" visit add --date 2026-01-20 --reason tet --member "$m2" --support gift --gift "Bánh chưng")
fbd "$A" edit "$m1" phone=0912000111 >/dev/null
fbd "$A" delete "$m3" >/dev/null
run fbd "$A" sync
expect_exit 77 "(a) A's sync is refused: its branch is outside the token's unit (77)"
like "$ERR" 'HN.PL.TT.04, outside unit HN.PL.TT.03' "(a) ...naming the branch"
is "$(hub_sql "$H" "select count(*) from journal")" 0 "(a) the hub applied nothing"
# The same refusal, but its answer lost on the way: A cannot know.
start_proxy 0 --faults lost-answer
fbd "$A" remote set "$PROXY_URL" --token-file "$TMP/a.tok" >/dev/null
run fbd "$A" sync
expect_exit 69 "(a) a sync whose answer is lost: 69"
stop_proxy
snapshot "$A"
run fbd "$A" init --fix-branch HN.PL.TT.03
expect_exit 65 "(a) --fix-branch after a sync cut off: refused (65)"
expect_err "fieldbook: --fix-branch: a sync was cut off before the hub answered, so it may hold changes of branch HN.PL.TT.04; run 'fieldbook sync' once more, then try again" \
	"(a) ...saying to sync once more"
FIELDBOOK_DB=$A db_unchanged "(a) A is unchanged"

# --- (b) corrected ---------------------------------------------------------------
fbd "$A" remote set "$HUB_URL" --token-file "$TMP/a.tok" >/dev/null
run fbd "$A" sync
expect_exit 77 "(b) the sync, answered, is refused again"
chain_before=$(jchain "$A" "$adev")
run fbd "$A" init --fix-branch HN.PL.TT.03 --name "Chi hội 3"
expect_exit 0 "(b) --fix-branch HN.PL.TT.03 works now"
expect_out "branch corrected: HN.PL.TT.04 is now HN.PL.TT.03 (9 changes rewritten; nothing had been sent)" \
	"(b) ...and says what it did on one line"
expect_err_empty "(b) ...nothing on stderr"
is "$(jget "$A" 'd["branch"] + " / " + d["branch_name"] + " / " + d["device"]' status --json)" \
	"HN.PL.TT.03 / Chi hội 3 / $adev" "(b) status: the new code and name, the same device"
is "$(sqlite3 "$A" "select count(*) from journal where branch <> 'HN.PL.TT.03'")" 0 \
	"(b) every journal entry has the new code"
is "$(sqlite3 "$A" "select count(*) from record where branch <> 'HN.PL.TT.03'")" 0 \
	"(b) every record too"
chain_after=$(jchain "$A" "$adev")
is "${chain_after%|*}" "${chain_before%|*}" "(b) the same entries and numbers"
ok "(b) ...chained anew (the code is hashed)" test "${chain_after##*|}" != "${chain_before##*|}"
run fbd "$A" verify
expect_exit 0 "(b) A verifies"
is "$(fbd "$A" list members | grep -c 'Nguyễn Thị Lan')" 1 "(b) the records are all there"
run fbd "$A" sync
expect_exit 0 "(b) the next sync sends everything"
is "$(jcount "$H" "$adev")" "$(jcount "$A" "$adev")" "(b) the hub holds A's journal"
is "$(hub_sql "$H" "select count(*) from record where branch = 'HN.PL.TT.03'")" \
	"$(sqlite3 "$A" "select count(*) from record")" "(b) the hub holds every record, in HN.PL.TT.03"
run fbd "$B" sync
expect_exit 0 "(b) laptop B syncs"
records_of "$A" "$TMP/a.rec"
records_of "$B" "$TMP/b.rec"
same_file "(b) B holds exactly A's records" "$TMP/a.rec" "$TMP/b.rec"
for id in "$m1" "$m2" "$m3" "$t1" "$v1" "$t1:$m1"; do
	ok "(b) $id reached B" grep -q "\"id\": \"$id\"" "$TMP/b.rec"
done
run hub --db "$H" verify
expect_exit 0 "(b) the hub verifies"

# --- (c) afterwards, and bad uses ---------------------------------------------
export FIELDBOOK_DB=$A
bad 65 "fieldbook: --fix-branch: this laptop has already sent changes as branch HN.PL.TT.03, and the hub keeps them there, so its branch can no longer be changed here; record for HN.PL.TT.04 in a new database (fieldbook --db NEW.db init --branch HN.PL.TT.04), and ask the hub's operator about what was sent" \
	fb init --fix-branch HN.PL.TT.04
bad 64 "fieldbook: give --branch CODE (a new database) or --fix-branch CODE (correct this one's), not both (see 'fieldbook init --help')" \
	fb init --branch HN.PL.TT.03 --fix-branch HN.PL.TT.04
C=$TMP/c.db
export FIELDBOOK_DB=$C
fresh_db HN.PL.TT.04
bad 65 "fieldbook: --fix-branch: the branch is HN.PL.TT.04 already" fb init --fix-branch HN.PL.TT.04
bad 65 "fieldbook: branch code 'sai mã!' is not valid (letters, digits, '.', '-', '_'; at most 64)" \
	fb init --fix-branch 'sai mã!'
export FIELDBOOK_DB=$TMP/none.db
run fb init --fix-branch HN.PL.TT.03
expect_exit 66 "--fix-branch without a database: 66"
expect_err "fieldbook: no database at $TMP/none.db (run 'init' first, or give --db)"
ok "...and none is made" test ! -e "$TMP/none.db"

# --- (d) a hub that was never reached ------------------------------------------
export FIELDBOOK_DB=$C
fb member add --name "Phạm Thị Thu" >/dev/null
fb remote set "http://127.0.0.1:1" --token-file "$TMP/b.tok" >/dev/null
run fb sync
expect_exit 69 "(d) a sync that cannot connect: 69"
run fb init --fix-branch HN.PL.TT.03
expect_exit 0 "(d) nothing left the laptop: the code is corrected"
stop_hub
done_testing
