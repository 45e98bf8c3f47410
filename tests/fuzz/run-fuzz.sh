#!/bin/sh
# run-fuzz.sh - run libFuzzer targets for a set time each (make fuzz).
#
#   run-fuzz.sh FUZZ_BUILD SECONDS TARGET...
#
# Each target FUZZ_BUILD/fuzz_TARGET starts from tests/fuzz/corpus/TARGET
# (read only) and writes the inputs it finds to FUZZ_BUILD/work/TARGET
# (kept between runs: make fuzz-merge adds the useful ones to the
# corpus).  A crash, leak, timeout or out-of-memory input goes to
# FUZZ_BUILD/findings/TARGET/, emptied when the target starts; the run
# of that target then stops.  At the end one line per target gives the
# executions and the findings; the exit status is 1 if any was found.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$1 secs=$2
shift 2

dict_of() {
	case $1 in
	wire_push|wire_pull|journal) echo "$here/dict/json.dict" ;;
	*) [ -f "$here/dict/$1.dict" ] && echo "$here/dict/$1.dict" ;;
	esac
}

summary=""
status=0
for t in "$@"; do
	exe=$build/fuzz_$t
	work=$build/work/$t
	found=$build/findings/$t
	log=$build/logs/$t.log
	rm -rf "$found"
	mkdir -p "$work" "$found" "$build/logs"
	dict=$(dict_of "$t")
	echo "== fuzz_$t: $secs s (log: $log)"
	# -max_len 65536: the corpus keeps inputs under 64 KiB; the CSV
	# target tiles its input to pass the record cap (fuzz_csv.c).
	"$exe" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -print_pcs=0 \
		-artifact_prefix="$found/" ${dict:+-dict="$dict"} \
		"$work" "$here/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -n 1)
	corp=$(ls "$work" | wc -l)
	nfound=$(ls "$found" | wc -l)
	if [ "$nfound" -gt 0 ] || [ "$rc" -ne 0 ]; then
		status=1
		grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|.*check failed|.*runtime error)' "$log" | sed 's/^/   /'
		ls "$found" | sed "s|^|   finding: $found/|"
	fi
	line=$(printf '%-12s %12s executions  %6s s  cov %-6s  work corpus %-6s findings %s' \
		"$t" "${execs:-?}" "$secs" "${cov:-?}" "$corp" "$nfound")
	echo "$line"
	summary="$summary$line
"
done
echo "== fuzz summary (${secs} s per target)"
printf '%s' "$summary"
if [ "$status" -ne 0 ]; then
	echo "Findings: replay one with $build/fuzz_TARGET FILE; save it as tests/fuzz/corpus/TARGET/crash-NAME so that make check replays it."
fi
exit $status
