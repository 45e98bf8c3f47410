# links.sh - make bench over a 2G-class link (sourced by run.sh, which
# gives fb, hubcmd, new_hub, enroll, start_hub, stop_hub, note, calc, fail,
# say, $work, $BRANCH, $FBPROXY).
#
# The fault proxy's link mode (tests/tools/faultproxy.c --rate) stands
# between a laptop and a hub on loopback: LINK_RATE bytes a second each
# way, LINK_DELAY ms one way.  Figures:
#   - the first sync of LINK_N members, clean: how much of the link it
#     uses (bytes sent / rate / seconds);
#   - the same with every connection cut LINK_CUT s after it opens: its
#     bytes and its time against the clean run's;
#   - the same two for a first pull of those records into a new laptop.
# Bytes are what crossed the link in the direction that carries the
# data (the proxy counts them), so that what a cut wasted is in them.

LINK_RATE=${BENCH_LINK_RATE:-8000}
LINK_DELAY=${BENCH_LINK_DELAY:-150}
LINK_CUT=${BENCH_LINK_CUT:-6}
LINK_N=${BENCH_LINK_N:-3000}

# link_proxy TAG [--cut-after S]: the proxy before $HUB_URL; LINK_URL
link_proxy() {
	local tag=$1 pf=$work/link-$1.port
	shift
	rm -f "$pf"
	"$FBPROXY" --target "127.0.0.1:${HUB_URL##*:}" --port-file "$pf" --seed 1 \
		--max-seconds 600 --rate "$LINK_RATE" --delay "$LINK_DELAY" "$@" \
		2>"$work/link-$tag.log" &
	LINK_PID=$!
	hub_pids="$hub_pids $LINK_PID"
	for _ in $(seq 200); do [ -s "$pf" ] && break; sleep 0.05; done
	[ -s "$pf" ] || fail "the link proxy did not start"
	LINK_URL=http://127.0.0.1:$(tr -dc 0-9 <"$pf")
}

# link_bytes TAG up|down: the bytes the proxy carried that way
link_bytes() {
	sed -n "s/^conn [0-9]* up=\([0-9]*\) down=\([0-9]*\)$/\1 \2/p" "$work/link-$1.log" |
		awk -v w="$2" '{ s += (w == "up" ? $1 : $2) } END { print s + 0 }'
}

# link_sync TAG DB: sync DB through the proxy until it exits 0 (at most 5
# runs); LINK_MS the time of all of them, LINK_RUNS how many.
link_sync() {
	local tag=$1 db=$2 t0 rc
	LINK_RUNS=0
	t0=$(now_ns)
	while [ "$LINK_RUNS" -lt 5 ]; do
		LINK_RUNS=$((LINK_RUNS + 1))
		rc=0
		fb "$db" sync --quiet >"$work/link-$tag.out" 2>"$work/link-$tag.err" || rc=$?
		[ "$rc" -eq 0 ] && break
		[ "$rc" -eq 69 ] || fail "sync over the link ($tag) exited $rc: $(head -c 300 "$work/link-$tag.err")"
	done
	[ "$rc" -eq 0 ] || fail "sync over the link ($tag) did not finish in 5 runs"
	LINK_MS=$(calc "($(now_ns) - $t0) / 1e6")
	kill "$LINK_PID" 2>/dev/null
	wait "$LINK_PID" 2>/dev/null || true
}

bench_links() {
	local LH=$work/links/hub.db LH2=$work/links/hub2.db csv=$work/links/members.csv i tag
	mkdir -p "$work/links"
	# The clean push and the pulls on one hub; the cut push on another,
	# so that the pulls bring exactly LINK_N records.
	new_hub "$LH"
	new_hub "$LH2"
	enroll "$LH" "$BRANCH" "Laptop on 2G" "$work/links/a.token"
	enroll "$LH2" "$BRANCH" "Laptop on 2G, cut" "$work/links/b.token"
	enroll "$LH" "$BRANCH" "Second laptop" "$work/links/c.token"
	enroll "$LH" "$BRANCH" "Second laptop, cut" "$work/links/d.token"
	start_hub "$LH2" links2
	local hub2=$HUB_PID hub2_url=$HUB_URL
	start_hub "$LH" links
	local hub=$HUB_PID hub_url=$HUB_URL
	{
		echo "full_name,role,birth_year,phone"
		for ((i = 1; i <= LINK_N; i++)); do
			printf 'Nguyễn Thị Hội viên %d,member,%d,09%08d\n' "$i" $((1950 + i % 50)) "$i"
		done
	} >"$csv"
	# Two laptops with the same members, one for each link.
	for tag in clean cut; do
		local db=$work/links/$tag.db tok=a
		[ $tag = cut ] && tok=b
		fb "$db" init --branch "$BRANCH" >/dev/null
		fb "$db" import "$csv" --type member --quiet >/dev/null 2>&1 || fail "import into $tag"
	done
	say "first sync of $LINK_N members over $LINK_RATE B/s, $LINK_DELAY ms ..."
	link_proxy push-clean
	fb "$work/links/clean.db" remote set "$LINK_URL" --token-file "$work/links/a.token" >/dev/null
	link_sync push-clean "$work/links/clean.db"
	note link_push_ms "$LINK_MS"
	note link_push_runs "$LINK_RUNS"
	note link_push_bytes "$(link_bytes push-clean up)"
	note link_push_util "$(calc "$(link_bytes push-clean up) / $LINK_RATE / ($LINK_MS / 1000)")"

	say "... and with every connection cut ${LINK_CUT} s after it opens ..."
	HUB_URL=$hub2_url link_proxy push-cut --cut-after "$LINK_CUT"
	fb "$work/links/cut.db" remote set "$LINK_URL" --token-file "$work/links/b.token" >/dev/null
	link_sync push-cut "$work/links/cut.db"
	note link_cut_push_ms "$LINK_MS"
	note link_cut_push_runs "$LINK_RUNS"
	note link_cut_push_bytes "$(link_bytes push-cut up)"
	note link_cut_push_cuts "$(grep -c 'link cut' "$work/link-push-cut.log")"

	say "first pull of those records over the same link, clean and cut ..."
	for tag in clean cut; do
		local db=$work/links/pull-$tag.db tok=c args=()
		[ $tag = cut ] && tok=d && args=(--cut-after "$LINK_CUT")
		fb "$db" init --branch "$BRANCH" >/dev/null
		link_proxy "pull-$tag" "${args[@]}"
		fb "$db" remote set "$LINK_URL" --token-file "$work/links/$tok.token" >/dev/null
		link_sync "pull-$tag" "$db"
		[ "$(fb "$db" status --json | sed -n 's/.*"members":[^0-9]*\([0-9]*\).*/\1/p')" -eq "$LINK_N" ] ||
			fail "the pull over the link ($tag) did not bring every member"
		note "link_${tag}_pull_ms" "$LINK_MS"
		note "link_${tag}_pull_runs" "$LINK_RUNS"
		note "link_${tag}_pull_bytes" "$(link_bytes "pull-$tag" down)"
	done
	note link_pull_util "$(calc "$(sed -n 's/^link_clean_pull_bytes=//p' "$kv") / $LINK_RATE / ($(sed -n 's/^link_clean_pull_ms=//p' "$kv") / 1000)")"
	note link_cut_pull_cuts "$(grep -c 'link cut' "$work/link-pull-cut.log")"
	stop_hub "$hub"
	stop_hub "$hub2"
}
