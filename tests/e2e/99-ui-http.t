#!/usr/bin/env bash
# 99-ui-http: `fieldbook ui` over HTTP, endpoint by endpoint
# (docs/COMMANDS.md, "ui"; docs/DECISIONS.md, "The local page").
#
# (a) Who may ask: a request without the run's secret, with a wrong
#     one, from another Origin or to another Host is refused (403, a JSON
#     error) and changes nothing; no answer carries a CORS header; the
#     page's files come from the binary.
# (b) Every write through the page is what the command line sees after
#     (list, show): members, a training with its attendance checklist, a
#     visit, edit, delete and restore; search ignores accents.
# (c) A bad date is refused with the command line's own message, in the
#     language asked (Vietnamese by default), naming the field, and
#     nothing is saved.
# (d) The report is `report --format json`'s.
# (e) The page and the command line at the same time: every write of
#     both is saved.
# (f) Sync through the page, with its result; a conflict from two
#     laptops listed and settled through the page.
. "$(dirname "$0")/synclib.sh"

UI_PID=
# start_ui DB: `fieldbook ui` on a free port; UI_PORT, UI_SECRET.
start_ui() {
	local db=$1 pf=$TMP/ui.port _
	rm -f "$pf"
	"$FIELDBOOK" --db "$db" ui --no-open --port-file "$pf" >"$TMP/ui.out" 2>"$TMP/ui.err" \
		</dev/null 5>&- 6>&- 7>&- 8>&- &
	UI_PID=$!
	_SYNC_PIDS="$_SYNC_PIDS $UI_PID"
	UI_PORT=
	for _ in $(seq 200); do
		if [ -s "$pf" ] && grep -q '#s=' "$TMP/ui.out"; then
			UI_PORT=$(head -n 1 "$pf")
			break
		fi
		kill -0 "$UI_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$UI_PORT" ]; then
		echo "Bail out! fieldbook ui did not start: $(head -c 300 "$TMP/ui.err")"
		exit 1
	fi
	UI_SECRET=$(sed -n 's/.*#s=\([0-9a-f]*\).*/\1/p' "$TMP/ui.out")
	export UI_PORT UI_SECRET
}

# req METHOD PATH [BODY]: ST (status), HD (headers), BODY.
req() {
	run py "$E2E_DIR/uiclient.py" "$@"
	ST=${OUT%%$'\n'*}
	HD=${OUT#*$'\n'}
	HD=${HD%%$'\n\n'*}
	BODY=${OUT#*$'\n\n'}
}

# jb EXPR: EXPR over the last answer's JSON body (as d).
jb() {
	printf '%s' "$BODY" | json_get "$1"
}

members() {
	fb list members --json | json_get 'len(d)'
}

fresh_db HN.PL.TT.03
m0=$(new_id fb member add --name "Nguyễn Thị Lan" --role branch_head --birth-year 1980)
start_ui "$FIELDBOOK_DB"

# --- (a) who may ask ------------------------------------------------------------
like "$(head -n 1 "$TMP/ui.out")" "^Fieldbook's page is at http://127\.0\.0\.1:$UI_PORT/#s=[0-9a-f]{64}$" \
	"ui prints its address, the secret in the fragment"
req GET /
is "$ST" 200 "the page is served"
like "$HD" '^content-type: text/html; charset=utf-8$' "as HTML"
like "$BODY" 'src="/app.js"' "that loads its script from the server itself"
like "$HD" "^content-security-policy: default-src 'none'; script-src 'self'" \
	"with a policy that loads nothing from elsewhere"
req GET /app.js
is "$ST:$(grep -c . <<<"$BODY" | awk '$1 > 100 {print "long"}')" "200:long" "the script is served (from the binary)"
req GET /nothing.js
is "$ST" 404 "a file the page has not is 404"
UI_NOSECRET=1 req GET /api/info
is "$ST:$(jb 'd["error"]')" "403:forbidden" "no secret: refused"
like "$(jb 'd["message"]')" "mở địa chỉ" "with a message in Vietnamese by default"
UI_SECRET=$(printf '%064d' 0) req GET /api/info
is "$ST" 403 "a wrong secret: refused"
UI_SECRET=${UI_SECRET:0:63} req GET /api/info
is "$ST" 403 "a secret cut short: refused"
UI_ORIGIN=http://evil.example req GET /api/info
is "$ST" 403 "another Origin: refused, even with the secret"
UI_ORIGIN=null req GET /api/info
is "$ST" 403 "Origin null: refused"
UI_ORIGIN="http://127.0.0.1:$((UI_PORT + 1))" req GET /api/info
is "$ST" 403 "another port's Origin: refused"
UI_HOST="evil.example:$UI_PORT" req GET /api/info
is "$ST" 403 "another Host (a name rebound to 127.0.0.1): refused"
UI_HOST="evil.example:$UI_PORT" UI_NOSECRET=1 req GET /
is "$ST" 403 "another Host: even the page is refused"
before=$(members)
UI_ORIGIN=http://evil.example req POST /api/add '{"type":"member","fields":{"full_name":"Kẻ Lạ"}}'
is "$ST" 403 "a write from another Origin: refused"
UI_NOSECRET=1 req POST /api/add '{"type":"member","fields":{"full_name":"Kẻ Lạ"}}'
is "$ST" 403 "a write without the secret: refused"
UI_HOST="evil.example:$UI_PORT" req POST /api/add '{"type":"member","fields":{"full_name":"Kẻ Lạ"}}'
is "$ST" 403 "a write to another Host: refused"
is "$(members)" "$before" "refused writes changed nothing"
UI_ORIGIN="http://127.0.0.1:$UI_PORT" req GET /api/info
is "$ST" 200 "its own Origin, 127.0.0.1"
UI_ORIGIN="http://localhost:$UI_PORT" UI_HOST="localhost:$UI_PORT" req GET /api/info
is "$ST" 200 "its own Origin and Host, localhost"
run sh -c "cat '$OUT_FILE' | grep -ci '^access-control-'"
is "$OUT" 0 "no CORS header"
req PUT /api/info
is "$ST" 405 "PUT: refused"
req POST /api/add '{"type":"member","type":"visit","fields":{}}'
is "$ST:$(jb 'd["error"]')" "400:bad_request" "a key twice: refused"
req POST /api/add 'not json'
is "$ST" 400 "a body that is not JSON: refused"
{ printf '{"type":"member","fields":{"notes":"'; head -c 300000 /dev/zero | tr '\0' a; printf '"}}'; } >"$TMP/big.json"
req POST /api/add "@$TMP/big.json"
is "$ST" 413 "a body over 256 KiB: refused"

# --- (b) writes, seen by the command line -----------------------------------------
UI_LANG=en req GET /api/info
is "$(jb '[d["branch"], d["lang"], d["text"]["tab.member"]]')" '["HN.PL.TT.03", "en", "Members"]' \
	"info: the branch and the page's words in English"
req GET /api/info
is "$(jb 'd["text"]["tab.member"]')" "Hội viên" "info: the page's words in Vietnamese by default"
is "$(jb '[f["name"] for f in d["types"]["training"] if f["kind"] == "topics"]')" '["topics"]' \
	"info: a training's topics, for checkboxes"

req POST /api/add '{"type":"member","fields":{"full_name":"Trần Thị Hoa","role":"branch_deputy","phone":"912345678","joined":"2026-03-01"}}'
is "$ST" 200 "member added"
m1=$(jb 'd["id"]')
is "$(jb 'd["phone_fixed"]')" true "a phone without its 0 gets it back, as member add does"
run fb show "$m1" --json
is "$(printf '%s' "$OUT" | json_get '[d["full_name"], d["role"], d["phone"], d["joined"]]')" \
	'["Trần Thị Hoa", "branch_deputy", "0912345678", "2026-03-01"]' "show sees the member the page added"
req POST /api/add '{"type":"member","fields":{"full_name":"Lê Thị Mai"}}'
m2=$(jb 'd["id"]')
req GET '/api/list?type=members&search=tran%20thi'
is "$(jb '[x["full_name"] for x in d["items"]]')" '["Trần Thị Hoa"]' "search ignores accents, as list --search"
req GET '/api/list?type=member'
is "$(jb '[x["full_name"] for x in d["items"]]')" '["Trần Thị Hoa", "Nguyễn Thị Lan", "Lê Thị Mai"]' \
	"members in list's order (given name)"

req POST /api/edit "{\"id\":\"$m2\",\"fields\":{\"birth_year\":\"1990\",\"role\":\"Chi hội phó\"}}"
is "$ST:$(jb 'd["changed"]')" "200:2" "edit: two fields changed"
run fb show "$m2" --json
is "$(printf '%s' "$OUT" | json_get '[d["birth_year"], d["role"]]')" '["1990", "branch_deputy"]' \
	"show sees the edit (a role by its Vietnamese name, as edit takes it)"

req POST /api/add '{"type":"training","fields":{"title":"Kỹ năng lãnh đạo","start_date":"2026-03-08","topics":"leadership,gender_equality"}}'
is "$ST" 200 "training added"
t1=$(jb 'd["id"]')
req POST /api/attendance "{\"training\":\"$t1\",\"members\":[\"$m0\",\"$m1\"]}"
is "$ST:$(jb '[d["added"], d["removed"]]')" "200:[2, 0]" "attendance: two ticked"
run fb show "$t1" --json
is "$(printf '%s' "$OUT" | json_get 'sorted(d["attendees"])')" "$(py -c "import json; print(json.dumps(sorted(['$m0', '$m1'])))")" \
	"show lists the two attendees"
req POST /api/attendance "{\"training\":\"$t1\",\"members\":[\"$m1\",\"$m2\"]}"
is "$(jb '[d["added"], d["removed"]]')" "[1, 1]" "attendance: one unticked, one ticked"
run fb show "$t1" --json
is "$(printf '%s' "$OUT" | json_get 'sorted(d["attendees"])')" "$(py -c "import json; print(json.dumps(sorted(['$m1', '$m2'])))")" \
	"show follows the checklist"
req POST /api/attendance "{\"training\":\"$t1\",\"members\":[\"$m1\",\"nobody\"]}"
is "$ST" 422 "attendance with an unknown member: refused"
run fb show "$t1" --json
is "$(printf '%s' "$OUT" | json_get 'len(d["attendees"])')" 2 "... and nothing of it saved (one transaction)"
req GET "/api/record?id=$t1"
is "$(jb '[len(d["attendees"]), d["title"]]')" '[2, "Kỹ năng lãnh đạo"]' "record: a training with its attendees"

req POST /api/add "{\"type\":\"visit\",\"fields\":{\"visit_date\":\"25/01/2026\",\"reason\":\"Tết\",\"member_id\":\"$m0\",\"amount_vnd\":\"500.000\"}}"
is "$ST" 200 "visit added"
v1=$(jb 'd["id"]')
run fb list visits --json
is "$(printf '%s' "$OUT" | json_get '[d[0]["visit_date"], d[0]["reason"], d[0]["amount_vnd"]]')" \
	'["2026-01-25", "tet", "500000"]' "list sees the visit, values read as add reads them"
req GET '/api/list?type=visit'
is "$(jb 'd["items"][0]["label"]')" "Nguyễn Thị Lan" "a visit's member by her name"

req POST /api/delete "{\"id\":\"$m2\"}"
is "$ST:$(jb 'd["changed"]')" "200:true" "delete"
run fb list members
like "$OUT" '^2 members$' "... list no longer shows her"
req POST /api/delete "{\"id\":\"$m2\"}"
is "$(jb 'd["changed"]')" "false" "deleting again changes nothing"
req GET '/api/list?type=member&all=1'
is "$(jb '[x["deleted"] for x in d["items"] if x["id"] == "'"$m2"'"]')" "[true]" "all=1 lists the deleted one"
req POST /api/restore "{\"id\":\"$m2\"}"
is "$ST:$(jb 'd["changed"]')" "200:true" "restore"
run fb list members
like "$OUT" '^3 members$' "... list shows her again"
req POST /api/delete '{"id":"0190a1b2-0000-7000-8000-000000000000"}'
is "$ST:$(jb 'd["error"]')" "404:not_found" "deleting an unknown id: 404"

# --- (c) a bad date ------------------------------------------------------------------
snapshot
run fb member add --name "Phạm Thị Thu" --joined 31/02/2026
cli_msg=${ERR#fieldbook: }
UI_LANG=en req POST /api/add '{"type":"member","fields":{"full_name":"Phạm Thị Thu","joined":"31/02/2026"}}'
is "$ST:$(jb 'd["error"]'):$(jb 'd["field"]')" "422:invalid:joined" "a bad date: 422, naming the field"
is "$(jb 'd["message"]')" "$cli_msg" "... with the command line's message, in English when asked"
run env LANG=vi_VN.UTF-8 LC_ALL= "$FIELDBOOK" member add --name "Phạm Thị Thu" --joined 31/02/2026
cli_vi=${ERR#fieldbook: }
req POST /api/add '{"type":"member","fields":{"full_name":"Phạm Thị Thu","joined":"31/02/2026"}}'
is "$(jb 'd["message"]')" "$cli_vi" "... and in Vietnamese by default, as the command line says it"
req POST /api/add '{"type":"training","fields":{"title":"X","start_date":"2026-04-01"}}'
is "$ST:$(jb 'd["field"]')" "422:topics" "a training without topics: the field is topics"
req POST /api/edit "{\"id\":\"$m1\",\"fields\":{\"birth_year\":\"abc\"}}"
is "$ST:$(jb 'd["field"]')" "422:birth_year" "a bad edit names its field"
db_unchanged "the refused writes saved nothing"

# --- (d) the report ---------------------------------------------------------------------
req GET '/api/report?year=2026'
is "$ST" 200 "report"
fb report --year 2026 --format json >"$TMP/cli-report.json"
printf '%s' "$BODY" >"$TMP/ui-report.json"
run py -c "
import json
a = json.load(open('$TMP/ui-report.json')); b = json.load(open('$TMP/cli-report.json'))
a.pop('branch_name')
print(a == b)"
is "$OUT" True "the page's report is report --format json's"
req GET '/api/report?year=20x6'
is "$ST:$(jb 'd["error"]')" "422:invalid" "a bad year: refused"

# --- (e) the page and the command line at once --------------------------------------------
before=$(members)
cat >"$TMP/many.py" <<EOF
import os, subprocess, sys, threading
res = []
def one(i):
    p = subprocess.run([sys.executable, "$E2E_DIR/uiclient.py", "POST", "/api/add",
        '{"type":"member","fields":{"full_name":"Trang %d"}}' % i], capture_output=True, text=True)
    res.append(p.stdout.split("\n")[0])
ts = [threading.Thread(target=one, args=(i,)) for i in range(20)]
for t in ts: t.start()
for t in ts: t.join()
print(" ".join(sorted(set(res))))
EOF
py "$TMP/many.py" >"$TMP/many.out" &
many=$!
cli_ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	fb member add --name "Dòng lệnh $i" >/dev/null && cli_ok=$((cli_ok + 1))
done
wait "$many"
is "$(cat "$TMP/many.out")" 200 "20 writes through the page at once: all saved"
is "$cli_ok" 10 "10 commands meanwhile: all saved"
is "$(members)" $((before + 30)) "list counts every one of them"
run fb verify
expect_exit 0 "verify: the journal holds together"

# --- (f) sync and conflicts ------------------------------------------------------------------
req GET /api/sync
is "$(jb '[d["running"], "result" in d]')" "[false, false]" "no sync yet"
req POST /api/sync '{}'
is "$ST" 200 "sync started without a hub set"
for _ in $(seq 100); do
	req GET /api/sync
	[ "$(jb 'd["running"]')" = false ] && break
	sleep 0.1
done
is "$(jb '[d["result"]["ok"], d["result"]["exit"]]')" "[false, 64]" "... and ends: no hub set (exit 64)"
kill -TERM "$UI_PID"
wait "$UI_PID"
is "$?" 0 "ui stops on SIGTERM, exit 0"
_sync_forget "$UI_PID"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
enroll "$H" HN.PL.TT.03 "laptop a" "$TMP/a.tok"
enroll "$H" HN.PL.TT.03 "laptop b" "$TMP/b.tok"
A=$TMP/a.db B=$TMP/b.db
new_collector "$A" HN.PL.TT.03 "$TMP/a.tok"
new_collector "$B" HN.PL.TT.03 "$TMP/b.tok"
ma=$(new_id fbd "$A" member add --name "Đỗ Thị Hạnh" --phone 0900000001)
fbd "$A" sync >/dev/null && fbd "$B" sync >/dev/null
fbd "$A" edit "$ma" phone=0911111111 >/dev/null
fbd "$B" edit "$ma" phone=0922222222 >/dev/null
fbd "$B" sync >/dev/null
start_ui "$A"
# sync_wait: until the page's sync is over (bounded), its state in BODY.
sync_wait() {
	local _
	for _ in $(seq 200); do
		req GET /api/sync
		[ "$(jb 'd["running"]')" = false ] && return 0
		sleep 0.1
	done
}
req POST /api/sync '{}'
is "$ST:$(jb 'd["running"]')" "200:true" "a sync through the page starts"
sync_wait
is "$(jb '[d["result"]["ok"], d["result"]["sent"], d["result"]["received"]]')" "[true, 1, 1]" \
	"... and says what it did: 1 sent, 1 received"
# Another program's sync holds the lock: the page's ends at once, busy.
py -c "
import fcntl, sys, time
f = open(sys.argv[1], 'a')
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], 'w').close()
time.sleep(30)" "$A.sync-lock" "$TMP/held" </dev/null >/dev/null 2>&1 &
holder=$!
_SYNC_PIDS="$_SYNC_PIDS $holder"
for _ in $(seq 100); do
	[ -e "$TMP/held" ] && break
	sleep 0.05
done
req POST /api/sync '{}'
sync_wait
is "$(jb '[d["result"]["ok"], d["result"]["exit"]]')" "[false, 75]" \
	"a sync while another program's holds the lock: busy (75), nothing done"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
_sync_forget "$holder"
run fbd "$A" status --json
is "$(printf '%s' "$OUT" | json_get 'd["last_sync"] is not None')" true "status knows of the page's sync"
req GET /api/conflicts
is "$(jb '[len(d["items"]), d["items"][0]["field"], d["items"][0]["current"], d["items"][0]["other"]]')" \
	'[1, "phone", "0922222222", "0911111111"]' "the conflict, both sides"
is "$(jb 'd["items"][0]["label"]')" "Đỗ Thị Hạnh" "... with the member's name"
cid=$(jb 'd["items"][0]["id"]')
req POST /api/resolve "{\"id\":\"$cid\",\"keep\":\"sideways\"}"
is "$ST" 400 "resolve: keep is current or other"
req POST /api/resolve "{\"id\":\"$cid\",\"keep\":\"other\"}"
is "$ST" 200 "resolve: keep the other"
run fbd "$A" show "$ma" --json
is "$(printf '%s' "$OUT" | json_get 'd["phone"]')" 0911111111 "show: the value kept"
run fbd "$A" conflicts --json
is "$(printf '%s' "$OUT" | json_get 'len(d)')" 0 "conflicts: none left open"
req POST /api/resolve "{\"id\":\"$cid\",\"keep\":\"other\"}"
is "$ST:$(jb 'd["error"]')" "422:invalid" "settling it again: refused, as resolve does"
kill -TERM "$UI_PID"
wait "$UI_PID"
_sync_forget "$UI_PID"

done_testing
