#!/usr/bin/env bash
# The hub's PostgreSQL store (docs/DECISIONS.md, "PostgreSQL store"), on
# a throw-away cluster (pglib.sh): the commands it runs so far say and
# exit exactly what they do on SQLite; the schema is versioned (an older
# one migrated, a newer one refused untouched); the commands it cannot
# run yet are refused before anything is opened.
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

# The store from the environment, as --store.
run env FIELDBOOK_HUB_STORE="$PG_URI" "$FIELDBOOK_HUB" devices
expect_exit 0 "FIELDBOOK_HUB_STORE names the store"
expect_out_contains "Lan"

# --store is a PostgreSQL URI, nothing else.
run "$FIELDBOOK_HUB" --store "$TMP/hub.db" devices
expect_exit 64 "--store with a file name: usage"
expect_err "fieldbook-hub: --store takes a postgresql:// URI (an SQLite hub is --db PATH)"

# What is not written yet is refused before the store is opened.
for c in "report|report --year 2026" "verify|verify" "sync|sync" \
	"status|status" \
	"restore|restore x" "upstream set|upstream set http://x --token-file x"; do
	# shellcheck disable=SC2086 # the command's words
	run "$FIELDBOOK_HUB" --store "$PG_URI" ${c#*|}
	expect_exit 64 "${c%%|*}: refused on PostgreSQL (64)"
	expect_err "fieldbook-hub: not yet supported on a PostgreSQL store: ${c%%|*}"
done
run "$FIELDBOOK_HUB" --store "$PG_URI" bundle export --upstream "$TMP/up.bundle"
expect_exit 64 "bundle export --upstream: refused on PostgreSQL (64)"
expect_err "fieldbook-hub: not yet supported on a PostgreSQL store: bundle export --upstream"
run "$FIELDBOOK_HUB" --store "$PG_URI" serve --upstream-every 5m
expect_exit 64 "serve --upstream-every: refused on PostgreSQL (64)"
expect_err "fieldbook-hub: not yet supported on a PostgreSQL store: serve --upstream-every"
run "$FIELDBOOK_HUB" --store "$PG_URI" backup "$TMP/copy"
expect_exit 64 "backup on PostgreSQL: refused"
expect_err "fieldbook-hub: a PostgreSQL store is backed up with pg_dump (and restored with pg_restore), not with 'backup'"
ok "backup wrote nothing" test ! -e "$TMP/copy"

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
