#!/usr/bin/env bash
# The hub's PostgreSQL store (docs/DECISIONS.md, "PostgreSQL store"), on
# a throw-away cluster (pglib.sh): the commands it runs so far say and
# exit exactly what they do on SQLite (report and verify on the same
# records pushed to both, before and after the same tampering); report
# and verify run on a read-only connection and take no lock; the schema
# is versioned (an older one migrated, a newer one refused untouched).
. "${BASH_SOURCE[0]%/*}/synclib.sh"
. "$E2E_DIR/pglib.sh"

pg_start

# The same commands on a store, each line of their output and exit
# status into transcript file $1; the store named by "$2" "$3" (--db PATH
# or --store URI) reads as STORE, and tokens as TOKEN.
session() {
	local out=$1 opt=$2 where=$3 import=$TMP/units.csv
	printf 'code,parent,level,name\nHN.PL.TT.05,HN.PL.TT,branch,Chi hội 5\nHN.PL.TT,HN.PL,commune,Xã Thanh Thủy\nHN.DA,HN,district,Đông Anh\n' >"$import"
	: >"$out"
	step() {
		local o rc
		o=$(hub "$opt" "$where" "$@" 2>&1)
		rc=$?
		o=${o//"$where"/STORE}
		printf '$ %s\n%s\n[%d]\n' "$*" "$o" "$rc" | sed -E 's/fbt_[0-9a-f]{64}/TOKEN/' >>"$out"
	}
	step init --unit HN --name "Hà Nội" --level province
	step init --unit HN --name "Hà Nội" --level province
	step unit add HN.PL --parent HN --level district --name "Phúc Lộc"
	step unit add HN.PL --parent HN --level district --name "Phúc Lộc"
	step unit import "$import"
	step unit import "$import"
	step unit add HN.PL.TT.03 --parent HN.PL.TT --level branch --name "Chi hội 3"
	step unit add HN.PL.TT.04 --parent HN.PL --level branch --name "Chi hội 4"
	step unit add HN.X --parent HN.NONE --level district --name "X"
	step unit rename HN.PL.TT.05 --name "Chi hội năm"
	step unit move HN.PL.TT --parent HN.DA
	step unit move HN.PL.TT --parent HN.PL
	step unit move HN.PL --parent HN.PL.TT
	step enroll --unit HN.PL.TT.03 --name "Lan"
	step enroll --unit HN.PL.TT.05 --name "Hoa"
	step enroll --unit HN.DA --name "Hub Đông Anh" --hub
	step enroll --unit HN.NOPE --name "Mai"
	step unit list
	step unit list --under HN.PL --format csv
	step unit list --format json
	step devices
	step revoke 2
	step revoke 2
	step revoke 99
	step devices
	step unit remove HN.PL.TT.05
	step unit remove HN.PL.TT.03
	step unit remove HN
	step unit remove HN.NOPE
	step unit add HN.PL.TT.06 --parent HN.PL.TT --level branch --name "Chi hội 6"
	step unit remove HN.PL.TT.06
	step unit list
	step conflicts
	step conflicts --json --all
	step rejected --json
}

session "$TMP/sqlite.txt" --db "$TMP/hub.db"
pg_new_db hub
session "$TMP/pg.txt" --store "$PG_URI"
if cmp -s "$TMP/sqlite.txt" "$TMP/pg.txt"; then
	pass "the same commands say and exit the same on SQLite and on PostgreSQL"
else
	fail "the same commands say and exit the same on SQLite and on PostgreSQL" \
		"$(diff "$TMP/sqlite.txt" "$TMP/pg.txt" | head -40)"
fi
like "$(cat "$TMP/pg.txt")" '^hub 3 enrolled for HN.DA' "the session enrolled what it meant to"

# devices --json: the same but for the moments each store wrote.
hub --db "$TMP/hub.db" devices --json >"$TMP/d1.json" 2>&1
hub --store "$PG_URI" devices --json >"$TMP/d2.json" 2>&1
same_devices=$(py - "$TMP/d1.json" "$TMP/d2.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in a + b:
    for k in ("created", "revoked", "revoked_at"):
        d[k] = bool(d.get(k))
print("same" if a == b else "differ: %r / %r" % (a, b))
EOF
)
is "$same_devices" same "devices --json: the same on both stores (moments aside)"

# --- report and verify: the same records on both stores --------------------
# Two laptops record, each is copied before its first sync, and the
# copy is given a hub on the other store: the same device and entries
# go to both, so both hold the same journal and records.  Hubs of
# synclib.sh: a path is an SQLite file, or under FIELDBOOK_TEST_STORE=pg
# names a database of the cluster (the variable is set for one call).
RS=$TMP/rhub.db
RP=$TMP/rhub-pg.db
rtree() {
	hub_tree "$1"
	{
		hub --db "$1" unit add HN.PL.TT.05 --parent HN.PL.TT --level branch --name "Chi hội 5" &&
			hub --db "$1" unit add HN.PL.TT.06 --parent HN.PL.TT --level branch --name "Chi hội 6" &&
			hub --db "$1" unit add HN.DA --parent HN --level district --name "Đông Anh" &&
			hub --db "$1" unit add HN.DA.KB --parent HN.DA --level commune --name "Xã Kim Bài" &&
			hub --db "$1" unit add HN.DA.KB.01 --parent HN.DA.KB --level branch --name "Chi hội 1"
	} >/dev/null || fail "the unit tree of $1"
	enroll "$1" HN.PL.TT.03 "Lan" "$1.tokA"
	enroll "$1" HN.PL.TT.04 "Hoa" "$1.tokB"
	enroll "$1" HN.PL.TT.05 "Mai (never syncs)" "$1.tokC"
	enroll "$1" HN.PL.TT.06 "Thu (stale)" "$1.tokD"
	enroll "$1" HN.PL.TT.03 "Lan's old laptop" "$1.tokE"
	hub --db "$1" revoke 5 >/dev/null || fail "revoke on $1"
	hub --db "$1" enroll --unit HN.DA --name "Hub Đông Anh" --hub >/dev/null 2>&1 ||
		fail "enroll --hub on $1"
}
rtree "$RS"
FIELDBOOK_TEST_STORE=pg rtree "$RP"

start_hub "$RS"
A=$TMP/lA.db B=$TMP/lB.db
new_collector "$A" HN.PL.TT.03 "$RS.tokA"
new_collector "$B" HN.PL.TT.04 "$RS.tokB"
h3=$(new_id fbd "$A" member add --name "Nguyễn Thị Hoa" --role branch_head --phone 0912000111)
d3=$(new_id fbd "$A" member add --name "Trần Thị Vũ" --role branch_deputy --birth-year 1980)
e3=$(new_id fbd "$A" member add --name "Lê Thị Ân" --role branch_deputy --birth-year 1975)
f3=$(new_id fbd "$A" member add --name "Bùi Văn Anh" --role commune_president_planned)
g3=$(new_id fbd "$A" member add --name "LÊ THỊ ÂN" --role commune_vice)
a3=$(new_id fbd "$A" member add --name "Phạm Thị Thu")
x3=$(new_id fbd "$A" member add --name "Đã xóa" --role branch_head)
fbd "$A" delete "$x3" >/dev/null
fbd "$A" edit "$d3" notes="ghi chú" >/dev/null
t3=$(new_id fbd "$A" training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality,leadership)
o3=$(new_id fbd "$A" training add --title "Khóa cũ" --date 2025-10-01 --topic leadership)
fbd "$A" training attend "$t3" "$h3" "$a3" >/dev/null
fbd "$A" training attend "$o3" "$e3" >/dev/null
fbd "$A" visit add --date 2026-02-01 --reason tet --member "$a3" --support cash --amount-vnd 500000 >/dev/null
fbd "$A" visit add --date 2025-12-20 --reason hardship --member "$e3" --amount-vnd 1000000 >/dev/null
h4=$(new_id fbd "$B" member add --name "Vũ Thị Bảy" --role branch_head)
c4=$(new_id fbd "$B" member add --name "Đỗ Thị Tám" --role commune_president)
t4=$(new_id fbd "$B" training add --title "An toàn thực phẩm" --date 2026-05-02 --topic food_safety,parenting)
fbd "$B" training attend "$t4" "$c4" >/dev/null
fbd "$B" visit add --date 2026-09-09 --reason health_check --member "$h4" --support health_check --amount-vnd 300000 >/dev/null
ok "records on both laptops" test -n "$h3$d3$e3$f3$g3$a3$t3$o3$h4$c4$t4"
copy_db "$A" "$A.pg"
copy_db "$B" "$B.pg"
for x in "$A" "$B"; do
	sync_until "$x"
	expect_exit 0 "laptop ${x##*/} pushes to the SQLite hub"
done
stop_hub
FIELDBOOK_TEST_STORE=pg start_hub "$RP"
for x in A B; do
	fbd "$TMP/l$x.db.pg" remote set "$HUB_URL" --token-file "$RP.tok$x" >/dev/null
	sync_until "$TMP/l$x.db.pg"
	expect_exit 0 "its copy pushes to the PostgreSQL hub"
done
stop_hub
FIELDBOOK_TEST_STORE=pg hub_sql "$RP" "select count(*) from record" >"$TMP/n.pg"
is "$(cat "$TMP/n.pg")" "$(hub_sql "$RS" "select count(*) from record")" \
	"both stores hold the same number of records"
# When the laptops were heard from: the same moments on both stores
# (they pushed seconds apart), one recent, one long ago, one never.
recent=$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%SZ)
old=$(date -u -d '90 days ago' +%Y-%m-%dT%H:%M:%SZ)
heard="update device set last_seen = '$recent' where id = 1;
	update device set last_seen = NULL where id = 2;
	update device set last_seen = '$old' where id = 4"
hub_sql "$RS" "$heard" >/dev/null
FIELDBOOK_TEST_STORE=pg hub_sql "$RP" "$heard" >/dev/null

# report and verify on each store, into transcript $1; "$2" "$3" name it.
# The moment a report is made is the one thing that differs.
rsession() {
	local out=$1 opt=$2 where=$3 by
	: >"$out"
	rstep() {
		local o rc
		o=$(hub "$opt" "$where" "$@" 2>&1)
		rc=$?
		o=${o//"$where"/STORE}
		printf '$ %s\n%s\n[%d]\n' "$*" "$o" "$rc" |
			sed -E 's/^At [^;]*;/At NOW;/; s/^([[:space:]]*"at":[[:space:]]*)"[^"]*"/\1"NOW"/' >>"$out"
	}
	rstep report --year 2026
	rstep report --year 2026 --names
	for by in central province district commune branch; do
		rstep report --year 2026 --by "$by" --format csv
	done
	rstep report --year 2026 --by commune
	rstep report --year 2026 --by branch --names --format csv
	rstep report --year 2026 --by district --names --format json
	rstep report --year 2025 --by branch --format csv
	rstep report --year 2026 --unit HN.PL.TT --by branch --names
	rstep report --year 2026 --unit HN.DA --format csv
	rstep report --year 2026 --stale 1 --by branch --format csv
	rstep report --year 2026 --unit HN.NOPE
	rstep verify
	hub_sql_on "$opt" "update record set vals = replace(vals, '0912000111', '0988888888')
		where id = '$h3'; delete from record where id = '$e3'"
	rstep verify
	rstep report --year 2026 --names --format csv
	hub_sql_on "$opt" "update journal set body = replace(body, 'Bảy', 'Bay')
		where device = '$(own_device "$B")' and seq = 1"
	rstep verify
	hub_sql_on "$opt" "delete from journal where device = '$(own_device "$A")' and seq =
		(select min(seq) from journal where device = '$(own_device "$A")' and seq > 1)"
	rstep verify
}
# SQL on the hub of the session (--db: SQLite, --store: PostgreSQL).
hub_sql_on() {
	if [ "$1" = --db ]; then
		hub_sql "$RS" "$2" >/dev/null
	else
		FIELDBOOK_TEST_STORE=pg hub_sql "$RP" "$2" >/dev/null
	fi
}
RP_URI=$(FIELDBOOK_TEST_STORE=pg _pg_store_of "$RP")
RP_DB=${RP_URI#postgresql://fieldbook@/}
RP_DB=${RP_DB%%\?*}
# A read-only connection (what a hot standby gives): report and verify,
# as on the store itself, on a copy of it taken before the tampering.
pg_sql postgres "CREATE DATABASE ${RP_DB}_ro TEMPLATE $RP_DB"
is "$?$PG_OUT" 0 "a copy of the PostgreSQL hub, to read read-only"
RO_URI="postgresql://fieldbook@/${RP_DB}_ro?host=$PG_DIR&options=-cdefault_transaction_read_only%3Don"
hub --store "$RP_URI" report --year 2026 --by branch --names --format csv >"$TMP/ref.csv" 2>&1

rsession "$TMP/r-sqlite.txt" --db "$RS"
rsession "$TMP/r-pg.txt" --store "$RP_URI"
if cmp -s "$TMP/r-sqlite.txt" "$TMP/r-pg.txt"; then
	pass "report and verify say and exit the same on SQLite and on PostgreSQL"
else
	fail "report and verify say and exit the same on SQLite and on PostgreSQL" \
		"$(diff "$TMP/r-sqlite.txt" "$TMP/r-pg.txt" | head -60)"
fi
r=$(tr -d '\r' <"$TMP/r-pg.txt")
like "$r" '^HN.PL.TT.03,Chi hội 3,trained,branch_heads_deputies,1,3,,$' \
	"the session reported what was recorded (branch 03: 1 of 3 heads and deputies trained)"
like "$r" "^HN,All,not_trained,branch_heads_deputies,$e3,Lê Thị Ân,1975,HN.PL.TT.03$" \
	"...and listed who is not yet trained"
is "$(grep '^HN,All,not_trained,branch_heads' <<<"$r" | head -3 | cut -d, -f6 | tr '\n' '|')" \
	"Lê Thị Ân|Vũ Thị Bảy|Trần Thị Vũ|" "...by given name in Vietnamese order (Ân, Bảy, Vũ)"
like "$r" "^ok: database intact, 54 journal entries in 21 changes, every device's hash chain complete, 19 records as the journal gives them$" \
	"verify: clean"
like "$r" "^fieldbook-hub: member $(printf '%s\n' "$h3" "$e3" | LC_ALL=C sort | head -1)[ :].*\\(2 differences between the record table and the journal in all: the records were changed outside Fieldbook\\)$" \
	"verify: the record changed and the one removed, the first by id named"
like "$r" "^fieldbook-hub: journal: device $(own_device "$B") entry 1 was altered \\(hash does not match\\)$" \
	"verify: a journal row's body changed"
like "$r" "^fieldbook-hub: journal: device $(printf '%s\n' "$(own_device "$A")" "$(own_device "$B")" | LC_ALL=C sort | head -1) entry " \
	"verify: with two devices' chains broken, the first device by its bytes is named"
is "$(grep -c '^\[65\]$' "$TMP/r-pg.txt")" 4 "exit 65 for --unit HN.NOPE and for verify after each tampering"

# On a read-only connection (default_transaction_read_only, as a hot
# standby gives): report and verify read, and write nothing.
run "$FIELDBOOK_HUB" --store "$RO_URI" unit add HN.PL.TT.07 --parent HN.PL.TT --level branch --name "Chi hội 7"
expect_exit 74 "the connection is read-only: a write is refused (74)"
like "$ERR" 'read-only transaction' "...by PostgreSQL"
run hub --store "$RO_URI" report --year 2026 --by branch --names --format csv
expect_exit 0 "report on a read-only connection"
is "$OUT" "$(cat "$TMP/ref.csv")" "...the same report as on the store itself"
run hub --store "$RO_URI" verify
expect_exit 0 "verify on a read-only connection"
like "$OUT" '^ok: database intact, 54 journal entries in 21 changes, .* 19 records ' "...the store whole"
# The migration lock held elsewhere: a current schema is opened without it.
MIGRATE_LOCK=108516735134578    # PG_MIGRATE_LOCK, sync/hub_store_pg.h
timeout 60 psql -X -q -h "$PG_DIR" -U fieldbook -d "${RP_DB}_ro" \
	-c "SELECT pg_advisory_lock($MIGRATE_LOCK)" -c "SELECT pg_sleep(60)" \
	>/dev/null 2>&1 </dev/null &
holder=$!
held=0
for _ in $(seq 200); do
	pg_sql "${RP_DB}_ro" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
	[ "$PG_OUT" = 1 ] && { held=1; break; }
	sleep 0.05
done
is "$held" 1 "another session holds the migration lock"
run hub --store "$RO_URI" report --year 2026 --by branch --names --format csv
expect_exit 0 "report runs meanwhile (a current schema takes no lock)"
is "$OUT" "$(cat "$TMP/ref.csv")" "...and reports the same"
run hub --store "$RO_URI" verify
expect_exit 0 "verify too"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# The store from the environment, as --store.
run env FIELDBOOK_HUB_STORE="$PG_URI" "$FIELDBOOK_HUB" devices
expect_exit 0 "FIELDBOOK_HUB_STORE names the store"
expect_out_contains "Lan"

# --store is a PostgreSQL URI, nothing else.
run "$FIELDBOOK_HUB" --store "$TMP/hub.db" devices
expect_exit 64 "--store with a file name: usage"
expect_err "fieldbook-hub: --store takes a postgresql:// URI (an SQLite hub is --db PATH)"

# With no upstream set, the relay's commands say what to do first, as
# on SQLite (90-relay.t and 91-bundles.t relay between PostgreSQL hubs).
run "$FIELDBOOK_HUB" --store "$PG_URI" sync
expect_exit 64 "sync with no upstream: usage (64)"
expect_err "fieldbook-hub: no hub set up: run 'fieldbook remote set URL --token-file FILE'"
run "$FIELDBOOK_HUB" --store "$PG_URI" status
expect_exit 0 "status on PostgreSQL"
expect_out_contains "upstream:   none"
run "$FIELDBOOK_HUB" --store "$PG_URI" status --json
expect_exit 0 "status --json on PostgreSQL"
is "$(printf '%s' "$OUT" | json_get 'd["upstream"] + "|" + str(d["waiting_entries"])')" "|0" \
	"...no upstream, nothing waiting"
run "$FIELDBOOK_HUB" --store "$PG_URI" serve --upstream-every 5m
expect_exit 64 "serve --upstream-every with no upstream: usage (64)"
expect_err "fieldbook-hub: --upstream-every needs an upstream: run 'fieldbook-hub upstream set URL --token-file FILE' first"
run "$FIELDBOOK_HUB" --store "$PG_URI" backup "$TMP/copy"
expect_exit 0 "backup on PostgreSQL (92-backup.t and 99-pg-move.t have the rest)"
like "$OUT" "^backup written: $TMP/copy \([0-9]+ entries, every chain checked\); keep it off this machine$" \
	"...with the SQLite hub's line"
is "$(sqlite_hub "$TMP/copy" unit list)" "$("$FIELDBOOK_HUB" --store "$PG_URI" unit list)" \
	"...an SQLite hub file with the store's units"

# A database with no hub in it, and PostgreSQL not there.
pg_new_db empty
run "$FIELDBOOK_HUB" --store "$PG_URI" devices
expect_exit 66 "a database without a hub: 66"
expect_err "fieldbook-hub: no hub in $PG_URI (run 'fieldbook-hub --store $PG_URI init' first)"
# A password in the URI is never shown (the cluster trusts the socket,
# so it is taken and not checked).
run "$FIELDBOOK_HUB" --store "postgresql://fieldbook:s3cret@/empty?host=$PG_DIR" devices
expect_exit 66 "with a password in the URI: the same answer"
expect_err "fieldbook-hub: no hub in postgresql://fieldbook@/empty?host=$PG_DIR (run 'fieldbook-hub --store postgresql://fieldbook@/empty?host=$PG_DIR init' first)"
pg_sql empty "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
is "$PG_OUT" 0 "... and nothing was created in it"
run "$FIELDBOOK_HUB" --store "postgresql://fieldbook@/hub?host=$TMP/nowhere" devices
expect_exit 75 "PostgreSQL not reachable: 75 (temporary)"
like "$ERR" '^fieldbook-hub: cannot reach PostgreSQL: .*failed' "... saying so in one line"

# A database holding a table of one of the hub's names: init stops and
# leaves nothing of its own.
pg_new_db taken
pg_sql taken "CREATE TABLE meta(k text)"
run "$FIELDBOOK_HUB" --store "$PG_URI" init --unit HN --name "Hà Nội" --level province
expect_exit 74 "init into a database with a table named meta: stopped (74)"
like "$ERR" 'relation "meta" already exists' "... saying which table"
pg_sql taken "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"
is "$PG_OUT" meta "... and nothing of the hub's was left"

# Versions: an older schema is migrated on open, a newer one refused.
hub_uri="postgresql://fieldbook@/hub?host=$PG_DIR"
pg_sql hub "SELECT max(version) FROM schema_version"
current=$PG_OUT
ok "the schema has a version" test "$current" -ge 2
pg_sql hub "DROP INDEX journal_branch_cseq; CREATE SEQUENCE journal_cseq;
	DELETE FROM schema_version WHERE version >= 2"
pg_sql hub "SELECT max(version) FROM schema_version"
is "$PG_OUT" 1 "set back to version 1"
run "$FIELDBOOK_HUB" --store "$hub_uri" devices
expect_exit 0 "a hub of schema 1 opens"
pg_sql hub "SELECT max(version) FROM schema_version"
is "$PG_OUT" "$current" "... and is migrated to this program's version"
pg_sql hub "SELECT count(*) FROM pg_indexes WHERE indexname = 'journal_branch_cseq'"
is "$PG_OUT" 1 "... its step made"

pg_sql hub "INSERT INTO schema_version(version, applied) VALUES (99, 'later')"
pg_sql hub "SELECT count(*) FROM unit"
units=$PG_OUT
run "$FIELDBOOK_HUB" --store "$hub_uri" unit add HN.SS --parent HN --level district --name "Sóc Sơn"
expect_exit 65 "a newer schema: refused (65)"
expect_err "fieldbook-hub: $hub_uri was written by a newer Fieldbook (schema 99, this program knows $current); nothing was changed"
pg_sql hub "SELECT count(*) FROM unit"
is "$PG_OUT" "$units" "... no unit added"
pg_sql hub "SELECT max(version) FROM schema_version"
is "$PG_OUT" 99 "... and the schema left as it was"

done_testing
