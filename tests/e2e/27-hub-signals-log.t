#!/usr/bin/env bash
# The hub's SIGTERM and SIGINT go to its sigwait alone: every thread it
# runs, the store's checkpointer included, has them blocked, so a signal
# at any moment (at start-up, a second one during the drain) is a clean
# stop.  Its request log escapes what clients send: a decoded %0A cannot
# forge a log line.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"

# Every thread's blocked set (SigBlk, hex) holds SIGINT (2) and SIGTERM
# (15).  The main thread is left out: it waits in sigwait, which takes
# the two out of its own blocked set for as long as it waits.
threads=0 unblocked=
for st in /proc/"$HUB_PID"/task/*/status; do
	[ "$st" = "/proc/$HUB_PID/task/$HUB_PID/status" ] && continue
	mask=$(awk '/^SigBlk:/ { print $2 }' "$st")
	threads=$((threads + 1))
	(( (16#$mask & 0x4002) == 0x4002 )) || unblocked="$unblocked $(awk '/^Name:/ { print $2 }' "$st")"
done
ok "the hub runs several threads ($threads)" test "$threads" -ge 3
is "$unblocked" "" "every one of them blocks SIGTERM and SIGINT"

# A request whose decoded path holds a line break.
curl -s -o /dev/null "$HUB_URL/v1/x%0Afake-line%20200%5Cx" || true
curl -s -o /dev/null "$HUB_URL/v1/health" || true
curl -s -o /dev/null "$HUB_URL/v1/pull?x=%0Afake-line" || true
ok "no log line starts with the text after the %0A" bash -c "! grep -q '^fake-line' '$HUB_LOG'"
like "$(grep -F '/v1/x' "$HUB_LOG" | head -1)" '/v1/x\\x0afake-line 200\\x5cx 404 ' \
	"the line break and the backslash are written escaped, on the request's own line"

# Two SIGTERMs at once: the second is absorbed by the drain.
kill -TERM "$HUB_PID"
kill -TERM "$HUB_PID"
stop_hub
is "$HUB_RC" 0 "two SIGTERMs in a row: the hub still exits 0"
like "$(tail -1 "$HUB_LOG")" '^hub: stopped$' "after its drain and close"
run hub --db "$H" verify
expect_exit 0 "the database verifies after the stop"
done_testing
