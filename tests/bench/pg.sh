# pg.sh - make bench: the hub on PostgreSQL beside the SQLite hub, in the
# same run on the same data (sourced by run.sh; bench_pg runs after its
# fleet phase, whose figures it is measured against).
#
# A throw-away cluster (tests/e2e/pglib.sh) in the run's directory, with
# fsync and synchronous_commit on, as the SQLite hub's synchronous=FULL:
#
#   pg_push_rps     the first push of the N-record book (a0.db), one
#                   device, against push_rps (the SQLite hub's, >= 0.5x)
#   pg_pull_rps     the pull of the same into a new laptop, against
#                   pull_rps
#   pg_hwm_mb       the PostgreSQL hub's peak memory after them
#   pg_fleet_*      the DEVICES devices pushing at once (fbbench push),
#                   against pg_push_rps (>= 1x), errors (= 0)
#   sq_small_*, pg_small_*   DEVICES devices of SMALL records each (a
#                   day's changes) at once on each store: the cost of a
#                   request (requests a second, latency)
#
# Without PostgreSQL the rows say "-" and the run goes on.

# hubcmd and start_hub take a postgresql:// URI where they take a file.
hub_where() {
	case $1 in
	postgresql://*) printf '%s\n' --store "$1" ;;
	*) printf '%s\n' --db "$1" ;;
	esac
}

SMALL=${BENCH_SMALL:-20}       # records each device pushes in the small fleet

# fleet_on WHERE TAG DIR: DIR's devices (fbbench fleet) push at once to a
# new hub at WHERE (a file or a postgresql:// URI); TAG_rps, TAG_req_s
# (requests a second), TAG_errors, TAG_p50, TAG_p99, TAG_hwm_mb.
fleet_on() {
	local where=$1 tag=$2 dir=$3 hub sent failed non200 ms
	hubcmd "$where" init --unit HN --name "Hà Nội" --level province >/dev/null
	hubcmd "$where" unit import "$dir/units.csv" >/dev/null || fail "unit import ($tag)"
	export where
	# shellcheck disable=SC2016
	xargs -P 4 -L 1 bash -c 'enroll "$where" "$1" "Laptop $1" "$0.token"' <"$dir/list" ||
		fail "enrolling the devices ($tag)"
	start_hub "$where" "$tag"
	hub=$HUB_PID
	export HUB_URL
	# shellcheck disable=SC2016
	xargs -P 8 -L 1 bash -c '"$FB" --db "$0" remote set "$HUB_URL" --token-file "$0.token" >/dev/null' \
		<"$dir/list" || fail "remote set of the devices ($tag)"
	"$FBB" push "$dir/list" "$HUB_URL" "$FLEET_TIMEOUT" "$work/$tag.genlat" "$work/$tag.devtime" \
		>"$work/$tag.kv" || fail "fbbench push ($tag)"
	note "${tag}_hwm_mb" "$(hwm_mb "$hub")"
	stop_hub "$hub"
	sent=$(sed -n 's/^fleet_records=//p' "$work/$tag.kv")
	ms=$(sed -n 's/^fleet_ms=//p' "$work/$tag.kv")
	failed=$(($(sed -n 's/^fleet_failed_syncs=//p' "$work/$tag.kv") +
		$(sed -n 's/^fleet_unfinished=//p' "$work/$tag.kv") +
		$(sed -n 's/^fleet_gen_non200=//p' "$work/$tag.kv")))
	non200=$(awk '$3 ~ /^(GET|POST)$/ && $5 != 200' "$HUB_LOG" | wc -l)
	note "${tag}_rps" "$(calc "$sent / ($ms / 1000)")"
	note "${tag}_req_s" "$(calc "$(sed -n 's/^fleet_gen_requests=//p' "$work/$tag.kv") / ($ms / 1000)")"
	note "${tag}_records" "$sent"
	note "${tag}_errors" "$((failed + non200))"
	awk '$3 == "POST" && $4 == "/v2/push" {
		for (i = 6; i <= NF; i++) if ($i ~ /^ms=/) print substr($i, 4) }' "$HUB_LOG" \
		>"$work/$tag.lat"
	note "${tag}_p50" "$(percentile 50 <"$work/$tag.lat")"
	note "${tag}_p99" "$(percentile 99 <"$work/$tag.lat")"
}

bench_pg() {
	local pgsaved_tmp=${TMP:-} P
	TMP=$work
	PG_FSYNC=on
	# shellcheck source=../e2e/pglib.sh
	. "$(dirname "$0")/../e2e/pglib.sh"
	if ! [ -x "$PG_BIN/initdb" ] || ! command -v psql >/dev/null 2>&1; then
		say "PostgreSQL is not installed: its rows are left out"
		TMP=$pgsaved_tmp
		return 0
	fi
	say "a PostgreSQL cluster for the hub ..."
	( pg_start ) >/dev/null || fail "PostgreSQL did not start"
	# pg_start ran in a subshell (it may exit): the pid from its file.
	PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	trap 'pg_stop; cleanup' EXIT

	say "first push of $N records to a hub on PostgreSQL ($PUSH_RUNS runs) ..."
	for r in $(seq "$PUSH_RUNS"); do
		pg_new_db "push$r" >/dev/null
		P=$PG_URI
		new_hub "$P"
		enroll "$P" "$BRANCH" "Laptop A" "$work/pgt$r.token"
		enroll "$P" "$BRANCH" "Laptop B" "$work/pgtb$r.token"
		start_hub "$P" "pg$r"
		cp "$work/c/a0.db" "$work/c/pg$r.db"
		fb "$work/c/pg$r.db" remote set "$HUB_URL" --token-file "$work/pgt$r.token" >/dev/null
		timed fb "$work/c/pg$r.db" sync --push-only
		sync_stats "$OUTPUT"
		[ "$PUSHED" -eq "$N" ] || fail "the first push to PostgreSQL sent $PUSHED of $N changes"
		keep pg_push_ms "$MS"
		if [ "$r" -lt "$PUSH_RUNS" ]; then
			stop_hub "$HUB_PID"
			rm -f "$work/c/pg$r.db"*
		fi
	done
	note_median pg_push_ms
	note pg_push_rps "$(calc "$N / ($(median <"$work/pg_push_ms.list") / 1000)")"
	say "pull of the same from PostgreSQL into a second laptop ..."
	fb "$work/c/pgb.db" init --branch "$BRANCH" >/dev/null
	fb "$work/c/pgb.db" remote set "$HUB_URL" --token-file "$work/pgtb$PUSH_RUNS.token" >/dev/null
	timed fb "$work/c/pgb.db" sync --pull-only
	sync_stats "$OUTPUT"
	[ "$PULLED" -eq "$N" ] || fail "the pull from PostgreSQL received $PULLED of $N changes"
	note pg_pull_ms "$MS"
	note pg_pull_rps "$(calc "$N / ($MS / 1000)")"
	note pg_hwm_mb "$(hwm_mb "$HUB_PID")"
	stop_hub "$HUB_PID"
	rm -f "$work/c/pg"*.db*

	say "$DEVICES devices push at once to PostgreSQL ..."
	pg_new_db fleet >/dev/null
	fleet_on "$PG_URI" pg_fleet "$F"
	pg_sql fleet "SELECT count(*) FROM journal"
	note pg_fleet_hub_records "$PG_OUT"

	# The cost of a request: as many devices, each with a day's changes
	# (SMALL records), on each store.
	say "$DEVICES devices of $SMALL records each, on SQLite and on PostgreSQL ..."
	mkdir -p "$work/small"
	"$FBB" fleet "$work/small" "$DEVICES" "$SMALL" "$((SEED + 3000))" >"$work/small/list" ||
		fail "fbbench fleet (small)"
	fleet_on "$work/small.db" sq_small "$work/small"
	pg_new_db small >/dev/null
	fleet_on "$PG_URI" pg_small "$work/small"
	pg_stop
	trap cleanup EXIT
	TMP=$pgsaved_tmp
}
