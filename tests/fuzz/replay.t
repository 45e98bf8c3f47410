#!/bin/sh
# replay.t - replay every saved fuzz input through its target (TAP).
#
# One test per target tests/fuzz/fuzz_NAME.c: the replay driver
# $FIELDBOOK_BUILD/fuzz-replay/fuzz_NAME (built by `make fuzz-replay-bin`)
# runs every file of tests/fuzz/corpus/NAME/.  A crash or a failed check
# on any input fails the test and names the input.  Under `make
# sanitize` the drivers are ASan+UBSan builds, so leaks fail it too.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=${FIELDBOOK_BUILD:-$here/../../build}
bin=$build/fuzz-replay
err=$(mktemp "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX")
trap 'rm -f "$err"' EXIT

targets=""
for src in "$here"/fuzz_*.c; do
	name=${src##*/fuzz_}
	targets="$targets ${name%.c}"
done
set -- $targets
echo "1..$#"

n=0 failed=0
for t in "$@"; do
	n=$((n + 1))
	exe=$bin/fuzz_$t
	corpus=$here/corpus/$t
	if [ ! -x "$exe" ]; then
		echo "not ok $n - fuzz_$t: $exe is not built (make fuzz-replay-bin)"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -d "$corpus" ]; then
		echo "not ok $n - fuzz_$t: no corpus at $corpus"
		failed=$((failed + 1))
		continue
	fi
	# Braces: the shell's own "Aborted" goes to $err too.
	if count=$( { "$exe" "$corpus"; } 2>"$err") && [ "$count" -gt 0 ]; then
		echo "ok $n - fuzz_$t: $count inputs replayed"
		continue
	fi
	echo "not ok $n - fuzz_$t: replay of $corpus failed"
	failed=$((failed + 1))
	# Name the inputs that fail, one run each.
	for f in "$corpus"/*; do
		[ -f "$f" ] || continue
		if ! { "$exe" "$f"; } >/dev/null 2>&1; then
			echo "#   fails on: $f"
			echo "#   rerun:    $exe $f"
		fi
	done
	head -n 40 "$err" | sed 's/^/#   /'
done
[ "$failed" -eq 0 ]
