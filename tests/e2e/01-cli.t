#!/usr/bin/env bash
# Global options, help, version, unknown commands and options, --db.
. "$(dirname "$0")/lib.sh"

run fb --help
expect_exit 0 "--help exits 0"
expect_out_contains "usage: fieldbook [--db PATH] COMMAND [ARGS]" "--help shows usage"
for c in init "member add" "training add" "training attend" "training unattend" \
	"visit add" edit delete restore show list report export import log verify status; do
	expect_out_match "^  $c +[a-z]|
  $c +[a-z]" "--help lists '$c'"
done
expect_err_empty "--help writes nothing to stderr"

run fb -h
expect_exit 0 "-h exits 0"
run fb help
expect_exit 0 "'help' exits 0"
expect_out_contains "Commands:" "'help' lists commands"

run fb --version
expect_exit 0 "--version exits 0"
expect_out_match '^fieldbook [0-9]+\.[0-9]+\.[0-9]+$' "--version prints 'fieldbook X.Y.Z'"
expect_err_empty

run fb member add --help
expect_exit 0 "member add --help exits 0"
expect_out_contains "usage: fieldbook member add --name NAME" "member add --help shows usage"
expect_out_contains "role: member branch_head branch_deputy commune_president commune_vice commune_president_planned official" \
	"member add --help lists roles"
run fb training add --help
expect_out_contains "topics: association_work gender_equality population_family_planning parenting food_safety domestic_violence child_injury digital_transformation political_theory leadership trusted_address stem legal_consulting other" \
	"training add --help lists the topic vocabulary"
run fb visit add --help
expect_out_contains "reason: illness hardship tet health_check childbirth bereavement other" "visit add --help lists reasons"
expect_out_contains "support: cash gift health_check other" "visit add --help lists support kinds"
run fb training --help
expect_exit 0 "'training --help' exits 0"
expect_out_contains "fieldbook training attend TRAINING_ID MEMBER_ID..." "'training --help' lists its verbs"

# Usage errors: exit 64, one line, nothing touched.
fresh_db
bad 64 "fieldbook: unknown command 'frobnicate' (see 'fieldbook --help')" fb frobnicate
bad 64 "fieldbook: unknown option '--frob' (see 'fieldbook --help')" fb --frob status
bad 64 "fieldbook: unknown option '--frob' (see 'fieldbook member add --help')" \
	fb member add --name X --frob
bad 64 "fieldbook: unknown option '--frob' (see 'fieldbook list --help')" fb list members --frob
bad 64 "fieldbook: unknown option '--json' (see 'fieldbook verify --help')" fb verify --json
bad 64 "fieldbook: option '--name' needs a value (see 'fieldbook member add --help')" \
	fb member add --name
bad 64 "fieldbook: --name given twice (see 'fieldbook member add --help')" \
	fb member add --name A --name B
bad 64 "fieldbook: unexpected argument 'extra' (see 'fieldbook member add --help')" \
	fb member add --name A extra
bad 64 "fieldbook: say what to list: members, trainings or visits (see 'fieldbook list --help')" fb list
bad 64 "fieldbook: cannot list 'cats'; choose members, trainings or visits (see 'fieldbook list --help')" \
	fb list cats
bad 64 "fieldbook: --format is csv, json or xlsx, not 'xml' (see 'fieldbook export --help')" \
	fb export --format xml
bad 64 "fieldbook: --format is table, csv, json or xlsx, not 'pdf' (see 'fieldbook report --help')" \
	fb report --format pdf
bad 64 "fieldbook: give exactly one record id (see 'fieldbook show --help')" fb show
bad 64 "fieldbook: give a record id and at least one FIELD=VALUE (see 'fieldbook edit --help')" \
	fb edit "$NOID"
bad 64 "fieldbook: give a training id and at least one member id (see 'fieldbook training attend --help')" \
	fb training attend "$NOID"

run fb
expect_exit 64 "no command: exit 64"
run fb --db
expect_exit 64 "--db without a path: exit 64"
expect_err_match "^fieldbook: .*--db" "--db without a path: one line naming --db"

# --db PATH and --db=PATH win over $FIELDBOOK_DB.
run fb --db "$TMP/other.db" init --branch OTHER.01
expect_exit 0 "init with --db PATH"
expect_out "$TMP/other.db" "init prints the database path"
run fb --db "$TMP/other.db" status --json
is_j 'd["branch"]' "OTHER.01" "--db PATH is used over \$FIELDBOOK_DB"
run fb --db="$TMP/other.db" status --json
is_j 'd["branch"]' "OTHER.01" "--db=PATH is used"
run fb status --json
is_j 'd["branch"]' "HN.PL.TT.03" "\$FIELDBOOK_DB is used without --db"

# A command needing a database where there is none: 66, nothing created.
run env FIELDBOOK_DB="$TMP/nowhere/x.db" "$FIELDBOOK" member add --name X
expect_exit 66 "no database: exit 66"
expect_err "fieldbook: no database at $TMP/nowhere/x.db (run 'init' first, or give --db)"
ok "no database: nothing created" test ! -e "$TMP/nowhere"

# The XDG default.
run env -u FIELDBOOK_DB XDG_DATA_HOME="$TMP/xdg" "$FIELDBOOK" init --branch X1
expect_exit 0 "init with the XDG default"
ok "database created under \$XDG_DATA_HOME/fieldbook/" test -f "$TMP/xdg/fieldbook/fieldbook.db"

# One line for each of these usage errors, never a page of help on stderr.
run "$FIELDBOOK"
expect_exit 64 "no command: usage error"
expect_err "fieldbook: give a command (see 'fieldbook --help')" "no command: one line"
run "$FIELDBOOK" training
expect_exit 64 "a group without its verb: usage error"
expect_err "fieldbook: 'training' needs one of: add, attend, unattend (see 'fieldbook training --help')" \
	"a group without its verb names the verbs"
run "$FIELDBOOK" --db
expect_exit 64 "--db without a path: usage error"
expect_err "fieldbook: --db needs a path" "--db without a path says so"
fresh_db
run "$FIELDBOOK" show $'\xff'
expect_exit 65 "an invalid id: bad data"
expect_err "fieldbook: no record with id '?'" "bytes that are not UTF-8 are not echoed raw"

done_testing
