#!/usr/bin/env bash
# Progress: on a terminal, sync, import and export draw a line on stderr
# (the step, entries, a bar, bytes, the rate), erase it, then print a
# one-line summary.  Not on a terminal, or with --quiet, only the
# summary.  Over a link that holds the hub's answer back, the line is
# there, and keeps being redrawn, while the laptop waits.
#
# script(1) (util-linux) gives the command a pseudo-terminal; what the
# terminal showed is read back from its output, never timed.
. "$(dirname "$0")/synclib.sh"

if ! command -v script >/dev/null 2>&1; then
	echo "Bail out! the progress tests need script(1) (packaging/deps.sh installs bsdutils)"
	exit 1
fi

# on_tty FILE CMD ARGS...: CMD with stdin, stderr (and stdout, which goes
# on to FILE.out) on a pseudo-terminal; what the terminal showed into
# FILE.  RC is CMD's exit status.
on_tty() {
	local f=$1 cmd
	shift
	printf -v cmd '%q ' "$@"
	script -q -e -c "$cmd >$(printf '%q' "$f.out")" /dev/null </dev/null >"$f" 2>&1 5>&- 6>&- 7>&- 8>&-
	RC=$?
}

# frames FILE: each line the terminal was drawn, one a line (the carriage
# returns that redraw in place become new lines, erasures dropped).
frames() {
	sed 's/\x1b\[K//g' "$1" | tr '\r' '\n' | sed '/^$/d'
}

ESC=$'\e'
H=$TMP/hub.db
A=$TMP/a.db
B=$TMP/b.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "Laptop chị Lan" "$TMP/a.token"
enroll "$H" HN.PL.TT.03 "Laptop chị Hoa" "$TMP/b.token"
start_hub "$H"
new_collector "$A" HN.PL.TT.03 "$TMP/a.token"
new_collector "$B" HN.PL.TT.03 "$TMP/b.token"

{
	echo "full_name,birth_year,phone"
	for i in $(seq 1 40); do echo "Nguyễn Thị Số $i,$((1960 + i)),09$(printf '%08d' "$i")"; done
} >"$TMP/members.csv"

# --- import ---------------------------------------------------------------
on_tty "$TMP/imp.tty" "$FIELDBOOK" --db "$A" import "$TMP/members.csv" --type member
is "$RC" 0 "import on a terminal exits 0"
f=$(frames "$TMP/imp.tty")
like "$f" '^importing 0 rows +\[\.{16}\] +0% +0 B +0 B/s 0:00$' \
	"import: the first line drawn: the step, rows, an empty bar, bytes, the rate, the time"
like "$f" '^importing 40 rows +\[#{16}\] 100% +[0-9.]+ k?B +[0-9.]+ [kMG]?B/s [0-9]+:[0-9]{2}$' \
	"import: the last line drawn: every row, a full bar, the file's bytes, the rate"
like "$(tail -c 4 "$TMP/imp.tty" | od -An -c | tr -d ' ')" '^\\r033\[K$' \
	"import: the line is erased before the summary"
is "$(cat "$TMP/imp.tty.out")" "imported $TMP/members.csv: 40 added, 0 updated, 0 unchanged" \
	"import: then the one-line summary"

# The same members again, with their ids: nothing to add.
fbd "$A" export --type member -o "$TMP/with-ids.csv" 2>/dev/null
run fbd "$A" import "$TMP/with-ids.csv" --type member
expect_exit 0 "import again, stderr not a terminal"
expect_out "imported $TMP/with-ids.csv: 0 added, 0 updated, 40 unchanged" "the summary alone"
expect_err_empty "no progress when stderr is not a terminal"
on_tty "$TMP/impq.tty" "$FIELDBOOK" --db "$A" import "$TMP/with-ids.csv" --type member --quiet
is "$RC" 0 "import --quiet on a terminal exits 0"
is "$(cat "$TMP/impq.tty")" "" "import --quiet draws nothing on the terminal"
is "$(cat "$TMP/impq.tty.out")" "imported $TMP/with-ids.csv: 0 added, 0 updated, 40 unchanged" \
	"import --quiet: the summary"

# --- export ---------------------------------------------------------------
on_tty "$TMP/exp.tty" "$FIELDBOOK" --db "$A" export --type member -o "$TMP/m.csv"
is "$RC" 0 "export on a terminal exits 0"
f=$(frames "$TMP/exp.tty")
like "$f" '^exporting 0/40 records +\[\.{16}\] +0% +0 B +0 B/s 0:00$' "export: the first line: records of all there are"
like "$f" '^exporting 40/40 records +\[#{16}\] 100% +[0-9.]+ kB +[0-9.]+ [kMG]?B/s [0-9]+:[0-9]{2}$' \
	"export: the last line: all of them, a full bar, the bytes, the rate"
size=$(stat -c %s "$TMP/m.csv")
is "$(printf '%s\n' "$f" | tail -1)" "exported 40 members to $TMP/m.csv ($size bytes)" \
	"export: the summary, on stderr after the erased line"
is "$(cat "$TMP/exp.tty.out")" "" "export -o: nothing on stdout"
run fbd "$A" export --type member
expect_exit 0 "export to stdout, stderr not a terminal"
expect_err "exported 40 members to standard output ($size bytes)" "only the summary on stderr"
on_tty "$TMP/expq.tty" "$FIELDBOOK" --db "$A" export --format json --quiet -o "$TMP/all.json"
is "$(frames "$TMP/expq.tty")" "exported 40 records to $TMP/all.json ($(stat -c %s "$TMP/all.json") bytes)" \
	"export --quiet on a terminal: the summary alone"

# --- sync -----------------------------------------------------------------
pending=$(jget "$A" 'd["pending_entries"]' status --json)
on_tty "$TMP/sync.tty" "$FIELDBOOK" --db "$A" sync
is "$RC" 0 "sync on a terminal exits 0"
f=$(frames "$TMP/sync.tty")
like "$f" "^sending +0/$pending entries +\[\.{16}\] +0% +0 B +0 B/s 0:00\$" \
	"sync: the first line: nothing sent yet of the $pending entries"
like "$f" "^sending +$pending/$pending entries +\[#{16}\] 100% +[0-9.]+ k?B +[0-9.]+ [kMG]?B/s [0-9]+:[0-9]{2}\$" \
	"sync: every entry sent, a full bar, the bytes, the rate"
like "$f" '^receiving 0 entries +\[ *<=> *\] +[0-9.]+ k?B +[0-9.]+ [kMG]?B/s [0-9]+:[0-9]{2}$' \
	"sync: receiving: entries, a bar whose end is not known, bytes, the rate"
like "$(tail -c 4 "$TMP/sync.tty" | od -An -c | tr -d ' ')" '^\\r033\[K$' "sync: the line is erased at the end"
like "$(cat "$TMP/sync.tty.out")" "^synced: [0-9]+ changes sent, 0 received; [0-9]+ requests, [0-9]+ bytes sent, [0-9]+ received$" \
	"sync: then the one-line summary"

on_tty "$TMP/syncb.tty" "$FIELDBOOK" --db "$B" sync --pull-only
is "$RC" 0 "the other laptop syncs on a terminal"
like "$(frames "$TMP/syncb.tty")" "^receiving $pending/$pending entries +\[#{16}\] 100% +[0-9.]+ kB" \
	"receiving: at the end, every entry received, and the bar full"

fbd "$A" member add --name "Trần Thị Mới" >/dev/null
run fbd "$A" sync
expect_exit 0 "sync, stderr not a terminal"
like "$OUT" "^synced: 1 changes sent" "the summary alone"
expect_err_empty "no progress when stderr is not a terminal"
fbd "$A" member add --name "Trần Thị Mới Nữa" >/dev/null
on_tty "$TMP/syncq.tty" "$FIELDBOOK" --db "$A" sync --quiet
is "$RC" 0 "sync --quiet on a terminal exits 0"
is "$(cat "$TMP/syncq.tty")" "" "sync --quiet draws nothing"
like "$(cat "$TMP/syncq.tty.out")" "^synced: 1 changes sent" "sync --quiet: the summary"

# --- a link that holds the hub's answer back --------------------------------
# The proxy lets the first request reach the hub whole and keeps its
# answer: the laptop waits, and its terminal must show it is at work.
for i in $(seq 1 20); do fbd "$A" member add --name "Người chờ $i" >/dev/null; done
start_proxy 0 --hold-answer 0
fbd "$A" remote set "$PROXY_URL" --token-file "$TMP/a.token" >/dev/null
on_tty "$TMP/slow.tty" "$FIELDBOOK" --db "$A" sync &
spid=$!
ok "the proxy holds the hub's answer to the first push" wait_held "$spid"
# seen ERE: wait (at most 20 s, polling) until the terminal shows a line
# that matches, while the sync still waits.
seen() {
	local _
	for _ in $(seq 400); do
		matches "$(frames "$TMP/slow.tty")" "$1" && return 0
		sleep 0.05
	done
	return 1
}
ok "while it waits, the line shows the 20 entries sent and their bytes" \
	seen '^sending +20/20 entries +\[#{16}\] 100% +[0-9.]+ k?B '
ok "and is drawn again as the wait goes on (the time and rate change)" \
	seen '^sending +20/20 entries .* 0:0[1-9]$'
ok "the sync is still waiting for the answer" kill -0 "$spid"
stop_proxy
wait "$spid"
like "$(cat "$TMP/slow.tty")" "fieldbook: push: hub unreachable or connection dropped" \
	"when the link drops, the error follows on the terminal"
like "$(frames "$TMP/slow.tty" | tail -1)" "^fieldbook: push: " "the line was erased before the error"

done_testing
