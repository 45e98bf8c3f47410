#!/usr/bin/env bash
# 93-manuals: the man pages and the bash completion that `make all`
# generates from the programs' --help (packaging/fromhelp.py) name every
# command, render without a warning, and complete what the table says.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${FIELDBOOK_BUILD:-$SRC/build}
HUB=${FIELDBOOK_HUB:-$BUILD_DIR/bin/fieldbook-hub}

# The commands a program's --help lists ("member add", "init", ...).
commands_of() {
	"$1" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-][a-z-]*\( [a-z-][a-z-]*\)\{0,1\}\)  .*/\1/p'
}

for prog in fieldbook fieldbook-hub; do
	bin=$FIELDBOOK
	[ "$prog" = fieldbook-hub ] && bin=$HUB
	page=$BUILD_DIR/man/$prog.1
	comp=$BUILD_DIR/completion/$prog
	ok "$prog.1 was built" test -s "$page"
	ok "$prog completion was built" test -s "$comp"
	[ -s "$page" ] && [ -s "$comp" ] || continue
	cmds=$(commands_of "$bin")
	n=$(printf '%s\n' "$cmds" | grep -c .)
	like "$n" '^[1-9][0-9]*$' "$prog --help lists commands ($n)"

	# Every command is a section of the manual, and its options are there.
	missing=
	while IFS= read -r c; do
		grep -qx ".SS $c" "$page" || missing="$missing [$c]"
		for o in $("$bin" $c --help | sed -n 's/^  \(-., \|    \)--\([a-z0-9-]*\).*/\2/p'); do
			grep -q -- "\\\\-\\\\-${o//-/\\\\-}\\\\fR" "$page" || missing="$missing [$c --$o]"
		done
	done <<<"$cmds"
	is "$missing" "" "every command and option of $prog --help is in $prog.1"
	missing=
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT FILES "EXIT STATUS" "SEE ALSO"; do
		grep -qx "\\.SH $s\\|\\.SH \"$s\"" "$page" || missing="$missing [$s]"
	done
	is "$missing" "" "$prog.1 has every section"

	# The environment variables the sources read are in the manual.
	case $prog in
	fieldbook) srcs=$(ls "$SRC"/collector/*.c "$SRC"/shared/*.c) ;;
	*) srcs=$(ls "$SRC"/sync/hub*.c) ;;
	esac
	vars=$(grep -ho 'getenv("[A-Z_]*")' $srcs | sed 's/getenv("\(.*\)")/\1/' | sort -u)
	missing=
	for v in $vars; do
		grep -q "^\\\\fB${v}\\\\fR\$" "$page" || missing="$missing $v"
	done
	is "$missing" "" "$prog.1 names every variable the sources read ($(echo $vars))"
	like "$(grep -c '^\\fB[0-9]*\\fR (EX_' "$page")" '^10$' "$prog.1 lists the ten exit statuses"

	# Rendered without a warning.
	if command -v groff >/dev/null 2>&1; then
		run groff -man -Tutf8 -ww -z "$page"
		is "$RC:$ERR" "0:" "groff -man renders $prog.1 without a warning"
	elif command -v man >/dev/null 2>&1; then
		run man --warnings -l "$page"
		is "$RC:$ERR" "0:" "man -l renders $prog.1 without a warning"
	else
		pass "# SKIP neither groff nor man here"
	fi
done

run python3 "$SRC/packaging/fromhelp.py" check-exit-codes "$SRC/docs/EXIT-CODES.md"
is "$RC:$OUT" "0:" "fromhelp.py's exit statuses are those of docs/EXIT-CODES.md"

# The completion, sourced into bash, for each program.
# complete_words PROG WORD...: what the completion offers for the last word.
complete_words() {
	bash --norc --noprofile -c '
		. "$1/fieldbook" && . "$1/fieldbook-hub" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		fn=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
	' complete "$BUILD_DIR/completion" "$@"
}

run bash --norc --noprofile -c '. "$1/fieldbook"; . "$1/fieldbook-hub"; complete -p fieldbook fieldbook-hub' x "$BUILD_DIR/completion"
is "$OUT" "complete -F _fieldbook fieldbook
complete -F _fieldbook_hub fieldbook-hub" "complete -p fieldbook and fieldbook-hub"

for prog in fieldbook fieldbook-hub; do
	bin=$FIELDBOOK
	[ "$prog" = fieldbook-hub ] && bin=$HUB
	got=" $(complete_words "$prog" "") "
	missing=
	for c in $(commands_of "$bin" | cut -d' ' -f1 | sort -u); do
		case $got in *" $c "*) ;; *) missing="$missing $c" ;; esac
	done
	is "$missing" "" "the $prog completion knows every command"
done

is "$(complete_words fieldbook member "")" "add " "fieldbook member <TAB>: add"
is "$(complete_words fieldbook training a)" "add attend " "fieldbook training a<TAB>"
is "$(complete_words fieldbook member add --r)" "--role " "options per command: member add --r"
is "$(complete_words fieldbook member add --role branch_)" "branch_deputy branch_head " "roles: --role branch_"
is "$(complete_words fieldbook training add --topic dom)" "domestic_violence " "topics: --topic dom"
is "$(complete_words fieldbook export --type "")" "attendance member training visit " "record types: export --type"
is "$(complete_words fieldbook --db x.db list "")" "members trainings visits " "list after --db PATH"
is "$(complete_words fieldbook visit add --reason t)" "tet " "visit reasons"
is "$(complete_words fieldbook report --format "")" "csv json table xlsx " "report --format"
is "$(complete_words fieldbook-hub --db h.db report --by pro)" "province " "hub levels: report --by"
is "$(complete_words fieldbook-hub --db h.db serve --)" "--help --listen --port-file --tls-cert --tls-key --tls-priorities --upstream-every " "hub serve options"

done_testing
