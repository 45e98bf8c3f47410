#!/usr/bin/env bash
# fieldbook-hub init, unit add and unit import: the unit tree a hub's
# scopes and reports stand on.  An import is all or nothing and names
# the line it refused; a file that cannot be read whole imports nothing.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
units() { sqlite3 "$H" "select count(*) from unit"; }

run hub --db "$H" init --unit HN --name "Hà Nội" --level province
expect_exit 0 "init creates the hub for its top unit"
expect_out_contains "hub for HN (Hà Nội) created at $H" "and says so"
run hub --db "$H" init --unit HN --name "Hà Nội" --level province
expect_exit 65 "a second init is refused"
is "$(units)" 1 "one unit: the top"

run hub --db "$H" unit add HN.PL --parent HN --level district --name "Phúc Lợi"
expect_exit 0 "unit add under the top"
run hub --db "$H" unit add HN.PL --parent HN --level district --name "Phúc Lợi"
expect_exit 65 "the same code again is refused"
expect_err "fieldbook-hub: unit HN.PL exists already" "says it exists"
run hub --db "$H" unit add HN.X --parent HN.NONE --level district --name "X"
expect_exit 65 "a unit under a parent that does not exist"
expect_err "fieldbook-hub: no parent unit HN.NONE" "names the parent"
run hub --db "$H" unit add "bad code" --parent HN --level district --name "X"
expect_exit 65 "a code with a space is refused"
is "$(units)" 2 "two units"

printf 'code,parent,level,name\nHN.PL.TT,HN.PL,commune,Thanh Thủy\nHN.PL.TT.03,HN.PL.TT,branch,Chi hội 3\n' >"$TMP/ok.csv"
run hub --db "$H" unit import "$TMP/ok.csv"
expect_exit 0 "an import of two units"
expect_out_contains "2 units added" "counts them"
is "$(units)" 4 "four units"

printf 'code,parent,level,name\nHN.PL.TT.04,HN.PL.TT,branch,Chi hội 4\nHN.PL.TT.05,HN.NOPE,branch,Chi hội 5\n' >"$TMP/bad.csv"
run hub --db "$H" unit import "$TMP/bad.csv"
expect_exit 65 "an import with a unit under a missing parent"
expect_err "fieldbook-hub: line 3: no parent unit HN.NOPE" "names the line and the parent"
is "$(units)" 4 "all or nothing: the good row before it is not kept"

printf 'code,parent,name\nHN.A,HN,A\n' >"$TMP/head.csv"
run hub --db "$H" unit import "$TMP/head.csv"
expect_exit 65 "a file without the header"
expect_err "fieldbook-hub: line 1: the header must be code,parent,level,name" "says what the header is"

# A path that opens but cannot be read (a directory: read fails with
# EISDIR) is an I/O error, not an empty file imported.
mkdir -p "$TMP/dir.csv"
run hub --db "$H" unit import "$TMP/dir.csv"
expect_exit 74 "a file that cannot be read is an I/O error (74)"
like "$ERR" '^fieldbook-hub: cannot read .*dir.csv: Is a directory; nothing imported$' \
	"one line: what could not be read, and that nothing was imported"
is "$(units)" 4 "no unit added"

run hub --db "$H" report --by branch --format csv
expect_exit 0 "the report runs over the imported tree"
expect_out_match "^HN.PL.TT.03,Chi hội 3," "and has a row for the imported branch"
done_testing
