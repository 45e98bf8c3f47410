#!/usr/bin/env bash
# Export then import must round-trip a branch that has deleted records:
# a member who attended a training and was later deleted (she moved
# away), and a deleted training that had attendees.
. "$(dirname "$0")/lib.sh"

A=$TMP/a.db
export FIELDBOOK_DB=$A
fresh_db
m1=$(new_id fb member add --name "Nguyễn Thị An" --role branch_head)
m2=$(new_id fb member add --name "Trần Thị Bình (chuyển đi)" --role member)
t1=$(new_id fb training add --title "Bình đẳng giới" --date 2026-03-08 --topic gender_equality)
t2=$(new_id fb training add --title "Nhập nhầm" --date 2026-03-09 --topic other)
fb training attend "$t1" "$m1" "$m2" >/dev/null
fb training attend "$t2" "$m1" >/dev/null
v=$(new_id fb visit add --date 2026-04-01 --reason illness --member "$m2" --amount-vnd 100000)
fb delete "$m2"
fb delete "$t2"

# try FORMAT [--all]: export from A, import into a fresh database, compare.
try() {
	local fmt=$1 all=${2:-} db=$TMP/$1${2:-}.db ty label
	label="$fmt${all:+ $all}"
	FIELDBOOK_DB=$db fresh_db
	if [ "$fmt" = json ]; then
		fb export --format json $all >"$TMP/src.json"
		run env FIELDBOOK_DB="$db" "$FIELDBOOK" import "$TMP/src.json"
	else
		for ty in member training attendance visit; do
			fb export --type "$ty" $all >"$TMP/$ty.csv"
			run env FIELDBOOK_DB="$db" "$FIELDBOOK" import "$TMP/$ty.csv" --type "$ty"
			[ "$RC" -eq 0 ] || break
		done
	fi
	expect_exit 0 "$label: import of what export wrote succeeds"
	fb export --format json $all >"$TMP/want.json"
	FIELDBOOK_DB=$db fb export --format json $all >"$TMP/got.json"
	if cmp -s "$TMP/want.json" "$TMP/got.json"; then
		pass "$label round trip: export --format json${all:+ $all} identical"
	else
		fail "$label round trip: export --format json${all:+ $all} identical" \
			"$(diff "$TMP/want.json" "$TMP/got.json" | grep -c '^<') lines missing after import"
	fi
}
try json
try json --all
try csv
try csv --all

done_testing
