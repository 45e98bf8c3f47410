#!/usr/bin/env bash
# 46-releases.t - the previous release and this one side by side
# (protocol 2, docs/PROTOCOL.md): the hub of this release still serves
# /v1/push and /v1/pull as the previous one did, and a laptop of this
# release meets a hub of the previous one without losing anything.
#
# The previous release is built from this repository's history (OLD_RELEASE
# below) into $FIELDBOOK_BUILD/old-release-<commit>/bin, once: a later run,
# or the sanitizer run with its own FIELDBOOK_BUILD, reuses the binaries
# found there.  The build goes into a temporary directory renamed into
# place when whole, so an interrupted build is never used.
#
# (a) an OLD laptop and a NEW laptop of one branch through the NEW hub,
#     both ways; both end with the same records; everything verifies.
# (b) a NEW laptop facing the OLD hub: exit 76 with one line saying the hub
#     is of an older release and nothing was lost; the laptop's database is
#     unchanged.  Then the hub's binary is upgraded (the same hub database,
#     the same port, served by the NEW fieldbook-hub): the same laptop
#     syncs and everything arrives.                        [new behaviour]
# (c) a collector database of the OLD release with entries recorded
#     offline, opened by the NEW binary: it verifies, shows them pending,
#     and its sync sends them all to the NEW hub.
# (d) protocol 2 on the wire: the NEW hub's answers carry
#     `Fieldbook-Protocol: 2`, the NEW laptop's requests go to /v2/, the OLD
#     laptop's to /v1/.                                    [new behaviour]
. "$(dirname "$0")/synclib.sh"

# The last commit before protocol 2: the previous release.
OLD_RELEASE=812b65d

BUILD_DIR=${FIELDBOOK_BUILD:-$E2E_DIR/../../build}
case $BUILD_DIR in
/*) ;;
*) BUILD_DIR=$E2E_DIR/../../$BUILD_DIR ;;
esac
OLD_DIR=$BUILD_DIR/old-release-$OLD_RELEASE
OLD_FB=$OLD_DIR/bin/fieldbook
OLD_HUB=$OLD_DIR/bin/fieldbook-hub

# The temporary build directory goes when the script ends, however.
_OLD_TMPD=
_old_prev_exit=$(_sync_prev_exit)
trap '[ -z "$_OLD_TMPD" ] || rm -rf "$_OLD_TMPD"; eval "$_old_prev_exit"' EXIT

old_built() {
	[ -x "$OLD_FB" ] && [ -x "$OLD_HUB" ]
}

# build_old_release: the previous release's two binaries into $OLD_DIR.
build_old_release() {
	local top st
	top=$(git -C "$E2E_DIR" rev-parse --show-toplevel 2>/dev/null) || {
		echo "Bail out! $E2E_DIR is not inside a git repository: 46-releases.t builds the previous release ($OLD_RELEASE) from its history"
		exit 1
	}
	if ! git -C "$top" cat-file -e "$OLD_RELEASE^{commit}" 2>/dev/null; then
		echo "Bail out! commit $OLD_RELEASE (the previous release) is not in the repository at $top (a shallow clone? run 'git fetch --unshallow')"
		exit 1
	fi
	mkdir -p "$BUILD_DIR" &&
		_OLD_TMPD=$(mktemp -d "$BUILD_DIR/.old-release-$OLD_RELEASE.XXXXXX") &&
		mkdir "$_OLD_TMPD/src" "$_OLD_TMPD/bin" || {
		echo "Bail out! cannot make a build directory under $BUILD_DIR"
		exit 1
	}
	diag "building the previous release ($OLD_RELEASE) into $OLD_DIR"
	git -C "$top" archive "$OLD_RELEASE" | tar -x -C "$_OLD_TMPD/src"
	st="${PIPESTATUS[*]}"
	if [ "$st" != "0 0" ]; then
		echo "Bail out! git archive $OLD_RELEASE | tar failed ($st)"
		exit 1
	fi
	# Not the settings of a make this test may run under (make test,
	# make sanitize-test: BUILD, SAN and the jobserver come in MAKEFLAGS).
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u GNUMAKEFLAGS \
		make -C "$_OLD_TMPD/src" -j2 BUILD=build SAN= CI= WERROR= \
		build/bin/fieldbook build/bin/fieldbook-hub \
		>"$_OLD_TMPD/build.log" 2>&1 </dev/null 5>&- 6>&- 7>&- 8>&-; then
		echo "Bail out! the build of the previous release ($OLD_RELEASE) failed: $(tail -c 600 "$_OLD_TMPD/build.log" | tr '\n' ' ')"
		exit 1
	fi
	mv "$_OLD_TMPD/src/build/bin/fieldbook" "$_OLD_TMPD/src/build/bin/fieldbook-hub" "$_OLD_TMPD/bin/" &&
		rm -rf "$_OLD_TMPD/src" || {
		echo "Bail out! could not move the previous release's binaries into place"
		exit 1
	}
	# An old directory without both binaries is not a build: replace it.
	old_built || rm -rf "$OLD_DIR"
	if mv -T "$_OLD_TMPD" "$OLD_DIR" 2>/dev/null; then
		_OLD_TMPD=
	elif ! old_built; then
		echo "Bail out! could not rename the previous release's build to $OLD_DIR"
		exit 1
	fi
}
old_built || build_old_release
T0=$SECONDS

# The old release's collector, as fbd does for the new one.
ofbd() {
	FIELDBOOK=$OLD_FB fbd "$@"
}
# status_pending DB [BINARY]: pending_entries of `status --json`.
status_pending() {
	FIELDBOOK=${2:-$FIELDBOOK} jget "$1" 'd["pending_entries"]' status --json
}
# hub_device H NAME: the hub's number of the device enrolled as NAME.
hub_device() {
	json_eval "[x[\"id\"] for x in d if x[\"name\"] == \"$2\"][0]" \
		"$(hub --db "$1" devices --json </dev/null)" && printf '%s' "$JV"
}
# http_answer METHOD PATH [TOKENFILE]: "STATUS PROTOCOL-HEADER" of one
# request to the hub started last (the header "-" when it is missing).
http_answer() {
	py - "$HUB_PORT" "$1" "$2" "${3:-}" <<'EOF'
import http.client, sys
port, method, path, tokfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
headers = {}
if tokfile:
    headers["Authorization"] = "Bearer " + open(tokfile).read().strip()
body = None
if method == "POST":
    body = b"{}"
    headers["Content-Type"] = "application/json"
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request(method, path, body=body, headers=headers)
r = c.getresponse()
r.read()
print(r.status, r.getheader("Fieldbook-Protocol") or "-")
EOF
}
is_pos() {
	like "$1" '^[1-9][0-9]*$' "$2 ($1)"
}
like "$("$OLD_FB" --version 2>&1)" . "the previous release's fieldbook runs ($OLD_FB)"
ok "the previous release's fieldbook-hub is there" test -x "$OLD_HUB"

# --- (a) an OLD laptop and a NEW laptop through the NEW hub ---------------
H=$TMP/a-hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "old laptop" "$TMP/tokO"
enroll "$H" HN.PL.TT.03 "new laptop" "$TMP/tokN"
start_hub "$H"
O=$TMP/a-old.db
N=$TMP/a-new.db
FIELDBOOK=$OLD_FB new_collector "$O" HN.PL.TT.03 "$TMP/tokO"
new_collector "$N" HN.PL.TT.03 "$TMP/tokN"

m1=$(new_id ofbd "$O" member add --name "Nguyễn Thị Hoa" --role branch_head --birth-year 1975 --phone 0912345678)
m2=$(new_id ofbd "$O" member add --name "Trần Thị Lan" --role branch_deputy)
m3=$(new_id ofbd "$O" member add --name "Lê Thị Mai")
t1=$(new_id ofbd "$O" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality,parenting --location "Nhà văn hóa thôn")
ofbd "$O" training attend "$t1" "$m1" "$m2" >/dev/null
v1=$(new_id ofbd "$O" visit add --date 2026-02-01 --reason tet --member "$m3" --support gift --amount-vnd 500000 --gift "Áo dài")
ofbd "$O" edit "$m3" phone=0987654321 notes="Hộ nghèo" >/dev/null
ofbd "$O" delete "$m2" >/dev/null
like "$m1 $m2 $m3 $t1 $v1" '^([0-9a-f-]{36} ){4}[0-9a-f-]{36}$' "(a) setup: the old laptop recorded members, a training, a visit"

run ofbd "$O" sync
expect_exit 0 "(a) the old laptop syncs with the new hub"
expect_out_match '^synced: [1-9][0-9]* changes sent, 0 received' "(a) the old laptop sent its changes"
expect_err_empty "(a) the old laptop's sync is quiet on stderr"
is "$(status_pending "$O" "$OLD_FB")" 0 "(a) the old laptop has nothing pending"

run fbd "$N" sync
expect_exit 0 "(a) the new laptop syncs"
expect_out_match '^synced: 0 changes sent, [1-9][0-9]* received' "(a) the new laptop received the old laptop's changes"
is "$(fbd "$N" show "$m3" --json | json_get 'd["phone"] + " " + d["notes"]')" "0987654321 Hộ nghèo" \
	"(a) the old laptop's edit reached the new laptop"
is "$(fbd "$N" list members --json | json_get 'len(d)')" 2 "(a) the old laptop's delete reached the new laptop"

m4=$(new_id fbd "$N" member add --name "Phạm Thị Thu" --role member)
fbd "$N" training attend "$t1" "$m4" >/dev/null
fbd "$N" edit "$m1" phone=0900000001 >/dev/null
v2=$(new_id fbd "$N" visit add --date 2026-04-10 --reason illness --person "Bà Đỗ Thị Tư" --support cash --amount-vnd 300000)
fbd "$N" delete "$v1" >/dev/null
run fbd "$N" sync
expect_exit 0 "(a) the new laptop syncs its own changes"
expect_out_match '^synced: [1-9][0-9]* changes sent, 0 received' "(a) the new laptop sent its changes"

run ofbd "$O" sync
expect_exit 0 "(a) the old laptop syncs again"
expect_out_match '^synced: 0 changes sent, [1-9][0-9]* received' "(a) the old laptop received the new laptop's changes"
is "$(ofbd "$O" show "$m1" --json | json_get 'd["phone"]')" 0900000001 "(a) the new laptop's edit reached the old laptop"
is "$(ofbd "$O" show "$v2" --json | json_get 'd["person_name"] + " " + d["amount_vnd"]')" "Bà Đỗ Thị Tư 300000" \
	"(a) the new laptop's visit reached the old laptop"
is "$(ofbd "$O" show "$t1" --json | json_q 'sorted(d["attendees"]) == sorted([a[0], a[1]])' "$m1" "$m4")" true \
	"(a) the old laptop lists m1 and the new laptop's m4 as attendees"

FIELDBOOK=$OLD_FB records_of "$O" "$TMP/a-old.rec"
records_of "$N" "$TMP/a-new.rec"
same_file "(a) both laptops hold the same records (export --all, sorted)" "$TMP/a-old.rec" "$TMP/a-new.rec"
is "$(wc -l <"$TMP/a-new.rec")" 10 "(a) 4 members, 1 training, 3 attendances, 2 visits"

run hub --db "$H" verify
expect_exit 0 "(a) fieldbook-hub verify passes"
run ofbd "$O" verify
expect_exit 0 "(a) fieldbook verify passes on the old laptop"
run fbd "$N" verify
expect_exit 0 "(a) fieldbook verify passes on the new laptop"
for x in O N; do
	db=${!x}
	dev=$(own_device "$db")
	is "$(jcount "$H" "$dev")" "$(jcount "$db" "$dev")" "(a) the hub holds laptop $x's journal whole"
done
oid=$(hub_device "$H" "old laptop")
n1=$(grep -Ec " POST /v1/push 200 device=$oid " "$HUB_LOG")
n2=$(grep -Ec " GET /v1/pull 200 device=$oid " "$HUB_LOG")
is_pos "$n1" "(a) the new hub answered the old laptop's /v1/push with 200"
is_pos "$n2" "(a) the new hub answered the old laptop's /v1/pull with 200"
A_HUB_LOG=$HUB_LOG
A_HUB_PORT=$HUB_PORT
A_HUB_PID=$HUB_PID

# --- (b) a NEW laptop facing the OLD hub, then the hub upgraded -------------
# The old hub has its database in a SQLite file: there is no older hub
# on PostgreSQL to upgrade from (with FIELDBOOK_TEST_STORE=pg, skipped).
if store_pg; then
	skip "(b) the old release's hub and its SQLite database, upgraded: no older hub on PostgreSQL"
else
	HB=$TMP/b-hub.db
	FIELDBOOK_HUB=$OLD_HUB hub_tree "$HB"
	FIELDBOOK_HUB=$OLD_HUB enroll "$HB" HN.PL.TT.03 "new laptop" "$TMP/tokB"
	FIELDBOOK_HUB=$OLD_HUB enroll "$HB" HN.PL.TT.03 "reader" "$TMP/tokR"
	FIELDBOOK_HUB=$OLD_HUB start_hub "$HB"
	is "$(http_answer POST /v2/push "$TMP/tokB")" "404 -" "(b) premise: the old hub answers 404 to POST /v2/push"
	B=$TMP/b-new.db
	new_collector "$B" HN.PL.TT.03 "$TMP/tokB"
	b1=$(new_id fbd "$B" member add --name "Hoàng Thị Yến" --role branch_head --birth-year 1980)
	b2=$(new_id fbd "$B" member add --name "Vũ Thị Hạnh")
	bt=$(new_id fbd "$B" training add --title "Kỹ năng làm cha mẹ" --date 2026-05-02 --topic parenting)
	fbd "$B" training attend "$bt" "$b1" "$b2" >/dev/null
	fbd "$B" edit "$b2" phone=0911222333 >/dev/null
	like "$b1 $b2 $bt" '^([0-9a-f-]{36} ){2}[0-9a-f-]{36}$' "(b) setup: the new laptop recorded members and a training"
	pendingB=$(status_pending "$B")
	is_pos "$pendingB" "(b) the new laptop has entries pending"
	records_of "$B" "$TMP/b-before.rec"

	run fbd "$B" sync
	expect_exit 76 "(b) sync against the old hub exits 76 (EX_PROTOCOL)"
	expect_err_match 'older release' "(b) one line on stderr: the hub is of an older release"
	like "$ERR" '[Nn]othing (is |was |has been )?lost' "(b) the message says nothing was lost"
	is "$(status_pending "$B")" "$pendingB" "(b) the same $pendingB entries are still pending"
	records_of "$B" "$TMP/b-after.rec"
	same_file "(b) the new laptop's records are unchanged" "$TMP/b-before.rec" "$TMP/b-after.rec"
	run fbd "$B" verify
	expect_exit 0 "(b) fieldbook verify passes on the new laptop"

	stop_hub
	is "$HUB_RC" 0 "(b) the old hub stops on SIGTERM"
	restart_hub "$HB"
	like "$(http_answer GET /v1/health)" '^200 ' "(b) the new hub binary serves the old hub's database"
	run fbd "$B" sync
	expect_exit 0 "(b) after the hub's upgrade the same laptop syncs"
	expect_out_match '^synced: [1-9][0-9]* changes sent' "(b) it sent its changes"
	is "$(status_pending "$B")" 0 "(b) nothing is pending any more"
	run hub --db "$HB" verify
	expect_exit 0 "(b) fieldbook-hub verify passes on the upgraded hub"
	dev=$(own_device "$B")
	is "$(jcount "$HB" "$dev")" "$(jcount "$B" "$dev")" "(b) the hub holds the new laptop's journal whole"
	R=$TMP/b-reader.db
	new_collector "$R" HN.PL.TT.03 "$TMP/tokR"
	run fbd "$R" sync
	expect_exit 0 "(b) another laptop syncs with the upgraded hub"
	records_of "$B" "$TMP/b-new.rec"
	records_of "$R" "$TMP/b-reader.rec"
	same_file "(b) the other laptop received every record" "$TMP/b-new.rec" "$TMP/b-reader.rec"
	is "$(fbd "$R" show "$b2" --json | json_get 'd["phone"]')" 0911222333 "(b) the edit arrived too"
	stop_hub
fi

# --- (c) an OLD collector database with offline entries, opened by NEW ------
HC=$TMP/c-hub.db
hub_tree "$HC"
enroll "$HC" HN.PL.TT.03 "old laptop" "$TMP/tokC"
enroll "$HC" HN.PL.TT.03 "reader" "$TMP/tokD"
start_hub "$HC"
C=$TMP/c-old.db
FIELDBOOK=$OLD_FB new_collector "$C" HN.PL.TT.03 "$TMP/tokC"
c1=$(new_id ofbd "$C" member add --name "Đặng Thị Ngọc" --role branch_head)
run ofbd "$C" sync
expect_exit 0 "(c) the old laptop syncs once"
# Offline: the hub is down; the old release records and keeps it all.
stop_hub
c2=$(new_id ofbd "$C" member add --name "Bùi Thị Thảo" --role branch_deputy --phone 0933444555)
ct=$(new_id ofbd "$C" training add --title "Phòng chống bạo lực gia đình" --date 2026-06-01 --topic domestic_violence)
ofbd "$C" training attend "$ct" "$c1" "$c2" >/dev/null
cv=$(new_id ofbd "$C" visit add --date 2026-06-02 --reason illness --member "$c2" --support cash --amount-vnd 200000)
ofbd "$C" edit "$c1" notes="Trưởng chi hội" >/dev/null
run ofbd "$C" sync
expect_exit 69 "(c) offline, the old laptop's sync exits 69 and keeps its entries"
pendingC=$(status_pending "$C" "$OLD_FB")
is_pos "$pendingC" "(c) the old release shows entries pending"
FIELDBOOK=$OLD_FB records_of "$C" "$TMP/c-before.rec"
restart_hub "$HC"

run fbd "$C" verify
expect_exit 0 "(c) the new fieldbook verifies the old release's database"
is "$(status_pending "$C")" "$pendingC" "(c) the new fieldbook shows the same $pendingC entries pending"
records_of "$C" "$TMP/c-new.rec"
same_file "(c) the new fieldbook reads the same records" "$TMP/c-before.rec" "$TMP/c-new.rec"
run fbd "$C" sync
expect_exit 0 "(c) the new fieldbook syncs the old database to the new hub"
expect_out_match '^synced: [1-9][0-9]* changes sent' "(c) it sent the offline entries"
is "$(status_pending "$C")" 0 "(c) nothing is pending any more"
run hub --db "$HC" verify
expect_exit 0 "(c) fieldbook-hub verify passes"
dev=$(own_device "$C")
is "$(jcount "$HC" "$dev")" "$(jcount "$C" "$dev")" "(c) the hub holds the laptop's journal whole"
D=$TMP/c-reader.db
new_collector "$D" HN.PL.TT.03 "$TMP/tokD"
run fbd "$D" sync
expect_exit 0 "(c) another laptop syncs"
records_of "$C" "$TMP/c-after.rec"
records_of "$D" "$TMP/c-reader.rec"
same_file "(c) the other laptop received every record" "$TMP/c-after.rec" "$TMP/c-reader.rec"
like "$ct $cv" '^[0-9a-f-]{36} [0-9a-f-]{36}$' "(c) setup: the offline training and visit had ids"
run fbd "$C" verify
expect_exit 0 "(c) fieldbook verify passes after the sync"
stop_hub

# --- (d) protocol 2 on the wire (the hub of (a), still serving) -------------
HUB_PORT=$A_HUB_PORT
is "$(http_answer GET /v1/health)" "200 2" "(d) the new hub's answer to /v1/health carries Fieldbook-Protocol: 2"
is "$(http_answer GET '/v1/pull?after=0&limit=10')" "401 2" "(d) so does its 401 answer"
nid=$(hub_device "$H" "new laptop")
all=$(grep -Ec " device=$nid " "$A_HUB_LOG")
v2n=$(grep -Ec " (POST /v2/push|GET /v2/pull) 200 device=$nid " "$A_HUB_LOG")
is_pos "$all" "(d) the new laptop made requests"
is "$v2n" "$all" "(d) every request of the new laptop went to /v2/ and was answered 200"
v1n=$(grep -Ec " (POST|GET) /v1/(push|pull) 200 device=$oid " "$A_HUB_LOG")
is "$v1n" "$(grep -Ec " device=$oid " "$A_HUB_LOG")" "(d) every request of the old laptop went to /v1/ and was answered 200"
stop_hub "$A_HUB_PID"
is "$HUB_RC" 0 "(d) the new hub stops on SIGTERM"

diag "$((SECONDS - T0)) s after the build"
done_testing
