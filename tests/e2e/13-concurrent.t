#!/usr/bin/env bash
# Two commands writing the same database at once (a script and the user,
# or two terminals) must both succeed: SQLite's lock serialises them and
# the journal stays one gap-free chain.
. "$(dirname "$0")/lib.sh"

fresh_db
N=20
writer() {
	local i fails=0
	for i in $(seq "$N"); do
		fb member add --name "$1 $i" >/dev/null 2>>"$TMP/$1.err" || fails=$((fails + 1))
	done
	echo "$fails" >"$TMP/$1.fails"
}
reader() {
	local i fails=0
	for i in $(seq "$N"); do
		fb list members >/dev/null 2>>"$TMP/r.err" || fails=$((fails + 1))
	done
	echo "$fails" >"$TMP/r.fails"
}
writer A &
pa=$!
writer B &
pb=$!
reader &
pr=$!
wait "$pa" "$pb" "$pr"

is "$(cat "$TMP/A.fails")" 0 "writer A: all $N adds succeed while B writes"
[ -s "$TMP/A.err" ] && diag "A: $(sort "$TMP/A.err" | uniq -c | head -3)"
is "$(cat "$TMP/B.fails")" 0 "writer B: all $N adds succeed while A writes"
[ -s "$TMP/B.err" ] && diag "B: $(sort "$TMP/B.err" | uniq -c | head -3)"
is "$(cat "$TMP/r.fails")" 0 "a reader is not disturbed by the writers"
run fb status --json
is_j 'd["members"]' "$((2 * N))" "$((2 * N)) members recorded"
is "$(sqlite3 "$FIELDBOOK_DB" 'select group_concat(seq) from (select seq from journal order by seq)')" \
	"$(seq -s, 1 $((2 * N)))" "journal sequence 1..$((2 * N)) without gaps"
run fb verify
expect_exit 0 "verify after concurrent writes"

# Concurrent attends of the same people converge on one row each.
t=$(new_id fb training add --title "Cùng lúc" --date 2026-01-01 --topic other)
ids=$(fb list members --json | json_get '" ".join(r["id"] for r in d[:10])')
# shellcheck disable=SC2086
fb training attend "$t" $ids >/dev/null 2>"$TMP/a1.err" &
p1=$!
# shellcheck disable=SC2086
fb training attend "$t" $ids >/dev/null 2>"$TMP/a2.err" &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
is "$r1 $r2" "0 0" "two concurrent attends of the same members both succeed"
[ -s "$TMP/a1.err" ] && diag "$(cat "$TMP/a1.err")"
[ -s "$TMP/a2.err" ] && diag "$(cat "$TMP/a2.err")"
run fb show "$t" --json
is_j 'len(d["attendees"])' 10 "10 attendees, no duplicates"
run fb verify
expect_exit 0 "verify after concurrent attends"

done_testing
