#!/usr/bin/env bash
# What the hub refuses, over the wire with curl and through `fieldbook
# sync`: missing, wrong and revoked tokens (401, exit 77), a token in the
# URL (400), records outside the token's unit (403, exit 77), entries
# from a clock running ahead (exit 65), a gap in the sequence (409 with
# the expected entry), a change that says what it saw without deleting
# (quarantined).  Every refusal is a JSON error; the hub's log never
# holds a token; the hub still answers afterwards.
. "$(dirname "$0")/synclib.sh"

command -v curl >/dev/null 2>&1 || {
	echo "Bail out! this test needs curl"
	exit 1
}

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
enroll "$H" HN.PL.TT.03 "laptop R (to revoke)" "$TMP/tokR"
enroll "$H" HN.PL.TT.03 "laptop X (wrong branch)" "$TMP/tokX"
enroll "$H" HN.PL.TT.03 "laptop F (fast clock)" "$TMP/tokF"
enroll "$H" HN.PL.TT.03 "curl" "$TMP/tokC"
start_hub "$H"
WRONG=fbt_$(py -c 'import os; print(os.urandom(32).hex())')
TOKC=$(cat "$TMP/tokC")

# req METHOD PATH [TOKEN [BODYFILE [ENCODING]]]: sets CODE and BODY
# (the answer, inflated if it came deflated).
req() {
	local method=$1 path=$2 tok=${3:-} body=${4:-} enc=${5:-deflate}
	local args=(-s --max-time 10 -o "$TMP/answer" -w '%{http_code}' -X "$method")
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	if [ -n "$body" ]; then
		args+=(-H "Content-Type: application/json" --data-binary "@$body")
		[ "$enc" != none ] && args+=(-H "Content-Encoding: $enc")
	fi
	CODE=$(curl "${args[@]}" "$HUB_URL$path" 2>/dev/null)
	BODY=$(cat "$TMP/answer" 2>/dev/null)
}
# is_error CODE: BODY is a JSON object with string "error" == CODE and a
# non-empty string "message".
is_error() {
	printf '%s' "$BODY" | json_q 'isinstance(d.get("error"), str) and isinstance(d.get("message"), str) and len(d["message"]) > 0 and d["error"] == a[0]' "$1" 2>/dev/null
}
# refused DESC STATUS ERRORCODE: three tests on the last req.
refused() {
	is "$CODE" "$2" "$1: HTTP $2"
	if [ "$(is_error "$3")" = true ]; then
		pass "$1: JSON error \"$3\" with a message"
	else
		fail "$1: JSON error \"$3\" with a message" "body: $BODY"
	fi
	like "$BODY" '"hub_time":"[0-9a-f]{16}"' "$1: the answer carries the hub's time"
}
# push_body FILE DEVICE SEQ BRANCH [AHEAD_MS] [RAW]: a push of one new
# member, JSON then zlib-deflated (RAW=raw keeps the JSON as it is).
push_body() {
	py - "$@" <<'EOF'
import json, sys, time, uuid, zlib
path, device, seq, branch = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ahead = int(sys.argv[5]) if len(sys.argv) > 5 else 0
raw = len(sys.argv) > 6 and sys.argv[6] == "raw"
ms = int(time.time() * 1000) + ahead
msg = {"v": 1, "device": device, "seq": seq, "branch": branch,
       "changes": [{"h": "%016x" % (ms << 16), "id": str(uuid.uuid4()), "t": "member",
                    "e": [["full_name", "Người ngoài", ""], ["deleted", "0", ""]]}],
       "last_hash": "00" * 32}
data = json.dumps(msg, ensure_ascii=False).encode()
open(path, "wb").write(data if raw else zlib.compress(data))
EOF
}

# --- the hub is up ---------------------------------------------------------
req GET /v1/health
is "$CODE" 200 "health answers 200"
is "$(printf '%s' "$BODY" | json_get 'd["status"]')" ok "health says ok"

# --- missing and wrong tokens ------------------------------------------------
push_body "$TMP/p1.z" 00000000000000c1 1 HN.PL.TT.03
req GET "/v1/pull?after=0"
refused "pull without a token" 401 unauthorized
req POST /v1/push "" "$TMP/p1.z"
refused "push without a token" 401 unauthorized
req GET "/v1/pull?after=0" "$WRONG"
refused "pull with a wrong token" 401 unauthorized
req POST /v1/push "$WRONG" "$TMP/p1.z"
refused "push with a wrong token" 401 unauthorized
req GET "/v1/pull?after=0" "${TOKC%?}"
refused "pull with a token missing its last character" 401 unauthorized
req GET "/v1/pull?after=0" "$TOKC"
is "$CODE" 200 "the curl token itself is good: pull 200"

# --- revoked ------------------------------------------------------------------
R=$TMP/R.db
new_collector "$R" HN.PL.TT.03 "$TMP/tokR"
fbd "$R" member add --name "Trước khi thu hồi" >/dev/null
run fbd "$R" sync
expect_exit 0 "laptop R syncs before its token is revoked"
rid=$(hub --db "$H" devices --json | json_q '[x["id"] for x in d if x["name"] == a[0]][0]' "laptop R (to revoke)")
like "$rid" '^[0-9]+$' "devices --json gives R's device id ($rid)"
run hub --db "$H" revoke "$rid"
expect_exit 0 "revoke R while the hub serves"
is "$(hub --db "$H" devices --json | json_q '[x["revoked"] for x in d if x["id"] == int(a[0])][0]' "$rid")" true \
	"devices --json shows R revoked"
req GET "/v1/pull?after=0" "$(cat "$TMP/tokR")"
refused "pull with a revoked token" 401 unauthorized
fbd "$R" member add --name "Sau khi thu hồi" >/dev/null
pend=$(jget "$R" 'd["pending_entries"]' status --json)
run fbd "$R" sync
expect_exit 77 "sync with a revoked token exits 77"
expect_err_match 'token' "the message names the token"
is "$(jget "$R" 'd["pending_entries"]' status --json)" "$pend" "R keeps its unsent entries ($pend)"

# --- a token in the URL ---------------------------------------------------------
req GET "/v1/pull?token=$TOKC"
refused "token= in the URL" 400 token_in_url
req GET "/v1/pull?access_token=$TOKC" "$TOKC"
refused "access_token= in the URL, even with a good header" 400 token_in_url
req GET "/v1/pull?after=0&x=$TOKC" "$TOKC"
refused "a token under any name in the URL" 400 token_in_url
req GET "/v1/health?auth=$TOKC"
refused "a token in the URL of health" 400 token_in_url
run fbd "$R" remote set "$HUB_URL/v1?token=$TOKC" --token-file "$TMP/tokR"
expect_exit 65 "remote set refuses a URL with a token in it"

# --- a record outside the token's unit ----------------------------------------
X=$TMP/X.db
new_collector "$X" HN.PL.TT.04 "$TMP/tokX"
xid=$(new_id fbd "$X" member add --name "Chi hội 4, hội viên")
pend=$(jget "$X" 'd["pending_entries"]' status --json)
run fbd "$X" sync
expect_exit 77 "sync of branch HN.PL.TT.04 with a token of HN.PL.TT.03 exits 77"
expect_err_match 'outside|refused' "the message says outside / refused"
like "$ERR" 'HN\.PL\.TT\.04' "the message names the branch"
is "$(fbd "$X" show "$xid" --json | json_get 'd["full_name"]')" "Chi hội 4, hội viên" "X still has its record"
is "$(jget "$X" 'd["pending_entries"]' status --json)" "$pend" "X's pending count is unchanged ($pend)"
is "$(hub_sql "$H" "select (select count(*) from record where branch = 'HN.PL.TT.04') + (select count(*) from journal where branch = 'HN.PL.TT.04')")" \
	0 "the hub has no record or entry of HN.PL.TT.04"
push_body "$TMP/scope.z" 00000000000000c2 1 HN.PL.TT.04
req POST /v1/push "$TOKC" "$TMP/scope.z"
refused "push of another branch with curl" 403 out_of_scope
push_body "$TMP/scope2.z" 00000000000000c2 1 HN
req POST /v1/push "$TOKC" "$TMP/scope2.z"
refused "push of the province unit itself (wider than the token)" 403 out_of_scope

# --- an entry from the future ---------------------------------------------------
if ! command -v faketime >/dev/null 2>&1; then
	fail "faketime is needed to test a clock running ahead (install faketime)"
else
	F=$TMP/F.db
	new_collector "$F" HN.PL.TT.03 "$TMP/tokF"
	# libfaketime is preloaded ahead of an ASan build's runtime: allow it.
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		timeout "$FB_TIMEOUT" faketime '+2 hours' "$FIELDBOOK" --db "$F" member add --name "Đồng hồ chạy nhanh"
	expect_exit 0 "a member added with the clock 2 hours ahead"
	fid=$OUT
	ahead=$(fbd "$F" log "$fid" --json | json_q '((int(d[0]["hlc"], 16) >> 16) - int(__import__("time").time() * 1000)) // 60000')
	like "$ahead" '^1(0[0-9]|1[0-9]|2[0-9])$' "F's journal entry is stamped about 2 hours ahead ($ahead minutes)"
	pend=$(jget "$F" 'd["pending_entries"]' status --json)
	# While the clock is still ahead, the hub refuses the entry.
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		timeout "$FB_TIMEOUT" faketime '+2 hours' "$FIELDBOOK" --db "$F" sync
	expect_exit 65 "sync of an entry 2 hours ahead, the clock still ahead, exits 65"
	like "$ERR" '^fieldbook: push: .*clock_ahead' "the message mentions the clock"
	is "$(jget "$F" 'd["pending_entries"]' status --json)" "$pend" "F keeps the entry pending"
	is "$(hub_sql "$H" "select count(*) from journal where device = '$(own_device "$F")'")" 0 \
		"the hub stored nothing of F"
	# Set right, the clock heals it: the entry is dated again and sent
	# (60-wrong-clock.t has the whole story).
	run fbd "$F" sync
	expect_exit 0 "with the clock right, the sync dates the entry again and sends it"
	is "$(hub_sql "$H" "select count(*) from journal where device = '$(own_device "$F")'")" 1 \
		"the hub stored F's entry"
	push_body "$TMP/ahead.z" 00000000000000c3 1 HN.PL.TT.03 $((10 * 60 * 1000))
	req POST /v1/push "$TOKC" "$TMP/ahead.z"
	refused "push of an entry 10 minutes ahead with curl" 400 clock_ahead
	like "$BODY" 'clock' "the error message names the clock"
fi

# --- a gap --------------------------------------------------------------------------
push_body "$TMP/gap.z" 00000000000000c4 5 HN.PL.TT.03
req POST /v1/push "$TOKC" "$TMP/gap.z"
refused "push starting at seq 5 for a new device" 409 gap
is "$(printf '%s' "$BODY" | json_get 'd.get("expected")')" 1 'the answer says "expected":1'
like "$BODY" '"expected":1[,}]' 'the JSON has "expected":1 literally'
is "$(hub_sql "$H" "select count(*) from journal where device = '00000000000000c4'")" 0 "nothing of the gap stored"

# --- a seen vector outside a delete is set aside ---------------------------------
# A change may carry `_seen` only with deleted=1 (docs/DATA-MODEL.md): a
# batch whose second change edits a field and says what it saw is taken,
# hash chain and all, but that change is quarantined, not merged.
py "$_synclib_dir/../tools/push_seen_edit.py" "$TMP/seen.z" 00000000000000c6 HN.PL.TT.03
req POST /v1/push "$TOKC" "$TMP/seen.z"
is "$CODE" 200 "a batch with _seen on an edit is taken (HTTP 200)"
is "$(printf '%s' "$BODY" | json_get '[d["ack"], d["applied"], d["rejected_total"], d["rejected"][0]["seq"]]')" \
	"[3, 1, 1, 2]" "...its first change applied, the second (seq 2) set aside"
like "$(printf '%s' "$BODY" | json_get 'd["rejected"][0]["reason"]')" '^_seen: only a change that deletes' \
	"...because only a delete says what it had seen"
is "$(hub_sql "$H" "select count(*) from journal where device = '00000000000000c6' and quarantined = 1")" 1 \
	"the hub keeps that change quarantined"
is "$(hub_sql "$H" "select count(*) from record where vals like '%\"Vi Thị Chín\"%'
	and vals not like '%\"phone\"%' and vals not like '%\"_seen\"%'")" 1 \
	"...and merged none of it"

# --- malformed input, all JSON errors ----------------------------------------------
printf 'not deflate at all' >"$TMP/junk"
req POST /v1/push "$TOKC" "$TMP/junk"
refused "a body that is not deflate" 400 bad_deflate
py -c 'import zlib, sys; open(sys.argv[1], "wb").write(zlib.compress(b"{\"v\":1,"))' "$TMP/trunc.z"
req POST /v1/push "$TOKC" "$TMP/trunc.z"
refused "deflated JSON cut short" 400 malformed
push_body "$TMP/p1.json" 00000000000000c5 1 HN.PL.TT.03 0 raw
req POST /v1/push "$TOKC" "$TMP/p1.json" gzip
refused "Content-Encoding gzip" 415 bad_encoding
req GET /v1/nothing "$TOKC"
refused "an unknown endpoint" 404 not_found
req GET /v1/push "$TOKC"
refused "GET on push" 405 method
req GET "/v1/pull?after=-1" "$TOKC"
refused "a negative cursor" 400 malformed
req GET "/v1/pull?after=0&limit=100000" "$TOKC"
refused "a limit over 1000" 400 malformed

# --- the log, and the hub still answers ------------------------------------------
leaked=
for f in tokA tokR tokX tokF tokC; do
	grep -q -F "$(cat "$TMP/$f")" "$HUB_LOG" && leaked="$leaked $f"
done
grep -q -F "$WRONG" "$HUB_LOG" && leaked="$leaked wrong"
grep -q -F "${TOKC%?}" "$HUB_LOG" && leaked="$leaked truncated"
is "$leaked" "" "the hub's log holds none of the tokens used"
ok "the hub's log holds no fbt_ text at all" sh -c "! grep -q fbt_ '$HUB_LOG'"
like "$(grep -c ' 401 ' "$HUB_LOG")" '^[1-9]' "the hub logged the refusals"
req GET /v1/health
is "$CODE" 200 "health still answers 200 afterwards"
A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tokA"
fbd "$A" member add --name "Vẫn chạy" >/dev/null
run fbd "$A" sync
expect_exit 0 "a good laptop still syncs afterwards"
stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
done_testing
