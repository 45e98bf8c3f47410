#!/usr/bin/env bash
# init: creates an owner-only database for one branch, once.
. "$(dirname "$0")/lib.sh"

export FIELDBOOK_DB=$TMP/data/sub/fb.db
run fb init --branch HN.PL.TT.03 --name "Chi hội 3, xã Thanh Thủy"
expect_exit 0 "init exits 0"
expect_out "$FIELDBOOK_DB" "init prints the database path"
expect_err_empty "init is quiet on stderr"
ok "database file exists" test -f "$FIELDBOOK_DB"
is "$(stat -c %a "$FIELDBOOK_DB")" 600 "database file mode is 0600"
is "$(stat -c %a "$TMP/data/sub")" 700 "created directory mode is 0700"
is "$(stat -c %a "$TMP/data")" 700 "created parent directory mode is 0700"
bad_perm=$(find "$TMP/data" -newer "$TMP/home" \( -type f -perm /077 -o -type d -perm /077 \) | head -1)
is "$bad_perm" "" "no file or directory readable by others (wal/shm included)"

run fb status --json
is_j 'd["branch"]' "HN.PL.TT.03" "status shows the branch code"
is_j 'd["branch_name"]' "Chi hội 3, xã Thanh Thủy" "status shows the branch name byte-identical"
like "$(printf '%s' "$OUT" | json_get 'd["device"]')" '^[0-9a-f]{16}$' "device id is 16 hex digits"
is_j 'd["journal_entries"]' 0 "a new database has an empty journal"

# Twice: refused, nothing changes (the device id stays).
dev=$(fb status --json | json_get 'd["device"]')
bad 65 "fieldbook: $FIELDBOOK_DB already holds a Fieldbook for branch HN.PL.TT.03 (to correct a branch code typed wrong, while nothing has been sent: fieldbook init --fix-branch CODE)" \
	fb init --branch HN.PL.TT.04
is "$(fb status --json | json_get 'd["branch"] + " " + d["device"]')" "HN.PL.TT.03 $dev" \
	"second init keeps branch and device"

# Bad branch codes: 65, no database created.
export FIELDBOOK_DB=$TMP/bad/fb.db
bad 65 "fieldbook: branch code 'bad code!' is not valid (letters, digits, '.', '-', '_'; at most 64)" \
	fb init --branch 'bad code!'
ok "no database file after a bad branch code" test ! -e "$FIELDBOOK_DB"
bad 65 "fieldbook: branch code '' is not valid (letters, digits, '.', '-', '_'; at most 64)" \
	fb init --branch ''
long=$(printf 'A%.0s' $(seq 65))
bad 65 "fieldbook: branch code '$long' is not valid (letters, digits, '.', '-', '_'; at most 64)" \
	fb init --branch "$long"
run fb init --branch "$(printf 'A%.0s' $(seq 64))"
expect_exit 0 "a 64-character branch code is accepted"
rm -f "$FIELDBOOK_DB"
bad 64 "fieldbook: --branch CODE is required (see 'fieldbook init --help')" fb init
bad 65 "fieldbook: --name: invalid UTF-8" fb init --branch B1 --name "$(printf 'Chi h\xff')"
ok "no database file after invalid UTF-8 in --name" test ! -e "$FIELDBOOK_DB"

done_testing
