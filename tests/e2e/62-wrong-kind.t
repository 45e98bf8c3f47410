#!/usr/bin/env bash
# 62-wrong-kind.t - the wrong kind of database (docs/EXIT-CODES.md, 65).
#
# A laptop's command given a hub's database, a hub's command given a
# laptop's, and either given another program's SQLite file: each is
# refused on one line that says what the file is, exit 65, and the file
# is left exactly as it was (no table, index or setting added).  `init`
# of either program never turns an existing database of either kind into
# the other.  The right program still opens each afterwards.

. "$(dirname "$0")/synclib.sh"
# Every database here is a SQLite file given to the wrong program.
sqlite_only

H=$TMP/hub.db
hub_tree "$H"
fresh_db
fb member add --name "Nguyễn Thị Lan" >/dev/null
FB_DB=$FIELDBOOK_DB
OTHER=$TMP/other.sqlite
sqlite3 "$OTHER" "CREATE TABLE contacts(name TEXT, phone TEXT);
	INSERT INTO contacts VALUES('Lan', '0912000111');"

# everything DB: its schema, settings and row counts, as one text.
everything() {
	sqlite3 -readonly "$1" "SELECT type || ' ' || name || ' ' || coalesce(sql, '')
		FROM sqlite_master ORDER BY type, name" 2>&1
	sqlite3 -readonly "$1" "SELECT key || '=' || value FROM meta ORDER BY key" 2>/dev/null
}

HUB_WHAT="$H is a hub's database, not a laptop's: fieldbook does not use it (use fieldbook-hub --db $H); nothing was changed"
FB_WHAT="$FB_DB is a laptop's database, not a hub's: fieldbook-hub does not use it (use fieldbook --db $FB_DB); nothing was changed"
OTHER_WHAT="$OTHER is not a Fieldbook database (it holds another program's tables); nothing was changed"

# --- fieldbook on a hub's database -------------------------------------------
hub_before=$(everything "$H")
for cmd in "list members" "status" "member add --name Hoa" "verify" "sync" "init --branch HN.PL.TT.03"; do
	# shellcheck disable=SC2086 # the words of the command
	run fbd "$H" $cmd
	expect_exit 65 "fieldbook $cmd on a hub's database: 65"
	expect_err "fieldbook: $HUB_WHAT" "...one line saying it is a hub's"
done
is "$(everything "$H")" "$hub_before" "the hub's database is exactly as it was"
run hub --db "$H" devices
expect_exit 0 "fieldbook-hub still uses it"

# --- fieldbook-hub on a laptop's database --------------------------------------
fb_before=$(everything "$FB_DB")
for cmd in "devices" "conflicts" "verify" "report" "enroll --unit HN --name X" "unit add HN.X --parent HN --level branch --name X"; do
	# shellcheck disable=SC2086
	run hub --db "$FB_DB" $cmd
	expect_exit 65 "fieldbook-hub $cmd on a laptop's database: 65"
	expect_err "fieldbook-hub: $FB_WHAT" "...one line saying it is a laptop's"
done
run hub --db "$FB_DB" serve --listen 127.0.0.1:0
expect_exit 65 "fieldbook-hub serve on a laptop's database: 65, before it listens"
like "$ERR" "is a laptop's database, not a hub's" "...saying so"
run hub --db "$FB_DB" init --unit HN --name "Hà Nội" --level province
expect_exit 65 "fieldbook-hub init over a laptop's database: 65"
is "$(everything "$FB_DB")" "$fb_before" "the laptop's database is exactly as it was"
run fb list members
expect_exit 0 "fieldbook still uses it"
expect_out_contains "Nguyễn Thị Lan" "...with its member"

# --- another program's SQLite file ------------------------------------------------
other_before=$(everything "$OTHER")
run fbd "$OTHER" list members
expect_exit 65 "fieldbook on another program's SQLite file: 65"
expect_err "fieldbook: $OTHER_WHAT"
run fbd "$OTHER" init --branch HN.PL.TT.03
expect_exit 65 "fieldbook init over it: 65"
expect_err "fieldbook: $OTHER_WHAT"
run hub --db "$OTHER" devices
expect_exit 65 "fieldbook-hub on it: 65"
expect_err "fieldbook-hub: $OTHER_WHAT"
is "$(everything "$OTHER")" "$other_before" "the other program's file is exactly as it was"
is "$(sqlite3 "$OTHER" 'select phone from contacts')" 0912000111 "...its data too"
done_testing
