#!/usr/bin/env bash
# Both programs run their commands through one table and one parser
# (shared/cmd.h): every command's --help comes from its entry, argument
# counts and unknown options are refused in one place with the same
# words, and a failed write of the output is an error with a message.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
fresh_db

# Every command listed by --help answers --help with its usage line and
# the options its entry declares, and exits 0 writing nothing to stderr.
for prog in fieldbook fieldbook-hub; do
	if [ "$prog" = fieldbook ]; then bin=$FIELDBOOK; else bin=$FIELDBOOK_HUB; fi
	n=0
	# The list is "  NAME (padded to 18)  HELP": a name is one or two words.
	while read -r cmd; do
		[ -n "$cmd" ] || continue
		# shellcheck disable=SC2086 # two-word commands split on purpose
		run timeout 10 "$bin" $cmd --help
		if [ "$RC" != 0 ] || [ -n "$ERR" ] || ! grep -q "^usage: $prog .*${cmd}" <<<"$OUT"; then
			fail "$prog $cmd --help" "rc=$RC err=$ERR out=$(head -c 200 <<<"$OUT")"
		fi
		n=$((n + 1))
	done < <("$bin" --help | sed -n '/^Commands:/,/^$/p' | sed -E '1d; s/^  (.{18}) .*/\1/; s/ +$//')
	ok "$prog: every one of its $n commands answers --help with its usage" test "$n" -ge 10
done

run fb member add --help
expect_out_contains "    --birth-year Y" "member add --help lists --birth-year from the option table"
run hub unit add --help
expect_out_contains "    --parent CODE" "unit add --help lists --parent from the option table"
run hub report --help
expect_out_contains "    --by LEVEL" "report --help lists --by"

# The same checks and words in both programs.
bad 64 "fieldbook: unknown option '--frob' (see 'fieldbook status --help')" fb status --frob
run hub --db "$H" devices --frob
expect_exit 64 "the hub refuses an unknown option"
expect_err "fieldbook-hub: unknown option '--frob' (see 'fieldbook-hub devices --help')" \
	"the hub says it in the collector's words"
run hub --db "$H" verify extra
expect_exit 64 "the hub refuses an argument verify does not take"
expect_err "fieldbook-hub: unexpected argument 'extra' (see 'fieldbook-hub verify --help')" \
	"unexpected argument, named"
run hub --db "$H" enroll --unit HN.PL.TT.03 --unit HN.PL.TT.04 --name x
expect_exit 64 "a value option given twice is refused by the hub too"
expect_err "fieldbook-hub: --unit given twice (see 'fieldbook-hub enroll --help')" "given twice"
run hub --db "$H" devices --json=yes
expect_exit 64 "a flag given a value"
run hub --db "$H" revoke
expect_exit 64 "revoke without a device id"
expect_err "fieldbook-hub: give one device id (see 'devices') (see 'fieldbook-hub revoke --help')" \
	"says what to give"
run hub --db "$H" unit
expect_exit 64 "a group's first word alone"
expect_err "fieldbook-hub: 'unit' needs one of: add, import, list, rename, move, remove (see 'fieldbook-hub unit --help')" \
	"names the group's verbs"
run hub unit --help
expect_exit 0 "'unit --help' exits 0"
expect_out_contains "fieldbook-hub --db PATH unit import FILE.csv" "and lists the group's usage lines"

# A trailing --db is a missing path, not an unknown option.
run hub --db
expect_exit 64 "fieldbook-hub --db with no path"
expect_err "fieldbook-hub: --db needs a path" "says the path is missing"
run fb --db
expect_exit 64 "fieldbook --db with no path"
expect_err "fieldbook: --db needs a path" "the same words"

# Output that cannot be written: exit 74 with a message, from both.
if [ -w /dev/full ]; then
	_hub_args --db "$H" devices
	run sh -c '"$0" "$@" >/dev/full' "$FIELDBOOK_HUB" "${_HUB_ARGS[@]}"
	expect_exit 74 "the hub's listing into a full device exits 74"
	expect_err "fieldbook-hub: cannot write output" "with a message"
	run sh -c '"$0" status >/dev/full' "$FIELDBOOK"
	expect_exit 74 "the collector's status into a full device exits 74"
	expect_err "fieldbook: cannot write output" "with a message"
	run sh -c '"$0" --help >/dev/full' "$FIELDBOOK_HUB"
	expect_exit 74 "help into a full device exits 74"
else
	pass "skip: /dev/full is not writable here"
fi
done_testing
