#!/usr/bin/env bash
# Slow clients cannot take the hub.  One address (127.0.0.2) holds 1,100
# connections doing one of the slow attacks (tests/e2e/hubattack.py):
#
#   heads   slowloris: a header line every 5 s, the head never ended
#   bodies  a push announcing 4 MiB, a byte every 5 s: with no token, and
#           with an enrolled one
#   reads   1,000 pipelined requests read a byte at a time through a
#           1 KiB window
#
# While each runs (the attacker says it holds, or has opened, its 1,100:
# progress, not a clock), health answers and a laptop on another address
# (127.0.0.1) syncs a new member to the hub.  How long they took is
# printed, not judged: timings are measured by `make bench-attacks`
# (docs/SECURITY.md), never a test's pass or fail.  What is judged is
# that they complete, and that the hub itself closes what is slow: every
# slow head, and a token's slow bodies, are closed by their deadlines
# (the attacker sees them closed; the log says why).
#
# Debian's slowhttptest does the slowloris too, from the laptop's own
# address.  Then a third address opens more connections than one address
# may hold
# (2,048): past that, each is refused and leaves a log line, and the
# others are still served.
. "$(dirname "$0")/synclib.sh"

for tool in curl slowhttptest; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "Bail out! this test needs $tool (make deps)"
		exit 1
	}
done
FB_TIMEOUT=60
ATTACK=$E2E_DIR/hubattack.py
CONNS=1100

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop" "$TMP/tokL"
enroll "$H" HN.PL.TT.03 "a laptop gone bad" "$TMP/tokX"
start_hub "$H"
L=$TMP/L.db
new_collector "$L" HN.PL.TT.03 "$TMP/tokL"
expect_member "$L" "Nguyễn Thị Hoa"
sync_until "$L" 3 || fail "the laptop's first sync"

ATTACK_PID=
ATTACK_STATUS=
# attack NAME MODE ARGS...: hubattack.py in the background (killed by pid
# when the script exits); its status file is $TMP/NAME.status.
attack() {
	local name=$1 mode=$2
	shift 2
	ATTACK_STATUS=$TMP/$name.status
	rm -f "$ATTACK_STATUS"
	"$PYTHON" -I -S "$ATTACK" "$mode" --port "$HUB_PORT" --status "$ATTACK_STATUS" --seconds 240 "$@" \
		>"$TMP/$name.out" 2>&1 </dev/null 5>&- 6>&- 7>&- 8>&- &
	ATTACK_PID=$!
	_SYNC_PIDS="$_SYNC_PIDS $ATTACK_PID"
}

# wait_attack ERE: until the attacker's status matches ERE (at most 120 s,
# or until the attacker ended); 1 if it never did.
wait_attack() {
	local _
	for _ in $(seq 1200); do
		[ -s "$ATTACK_STATUS" ] && matches "$(cat "$ATTACK_STATUS")" "$1" && return 0
		kill -0 "$ATTACK_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$ATTACK_STATUS" ] && matches "$(cat "$ATTACK_STATUS")" "$1"
}

# stop_attack: SIGTERM, bounded wait; its figures in ATTACK_OUT.
stop_attack() {
	local _
	kill -TERM "$ATTACK_PID" 2>/dev/null
	for _ in $(seq 200); do
		kill -0 "$ATTACK_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$ATTACK_PID" 2>/dev/null
	wait "$ATTACK_PID" 2>/dev/null
	_sync_forget "$ATTACK_PID"
	ATTACK_OUT=$(tail -n 1 "$TMP/$1.out")
}

# wait_opened N: until the attacker has opened N connections (at most
# 120 s, or until it ended); 1 if it never did.
wait_opened() {
	local _ s
	for _ in $(seq 1200); do
		s=$(head -n 1 "$ATTACK_STATUS" 2>/dev/null)
		[[ $s =~ opened\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$1" ] && return 0
		kill -0 "$ATTACK_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# served LABEL: health answers, and the laptop syncs a new member.
N_MEMBER=0
served() {
	local label=$1 t0 t1 health
	run curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 60 "$HUB_URL/v1/health"
	health=${OUT#* }
	like "$OUT" '^200 ' "$label: health answers"
	N_MEMBER=$((N_MEMBER + 1))
	expect_member "$L" "Trần Thị Lan $N_MEMBER"
	t0=$(date +%s%N)
	run fbd "$L" sync
	t1=$(date +%s%N)
	expect_exit 0 "$label: the laptop's sync completes"
	is "$(hub_sql "$H" "select count(*) from record where id = '$LAST_ID'")" 1 \
		"$label: the hub has the laptop's new member"
	diag "$label: health answered in ${health} s, the sync took $(((t1 - t0) / 1000000)) ms"
}

# --- slowloris heads -------------------------------------------------------
attack heads head --conns "$CONNS" --interval 5
if wait_attack "held $CONNS"; then
	pass "one address holds $CONNS slow heads ($(head -n 1 "$ATTACK_STATUS"))"
else
	fail "one address holds $CONNS slow heads" "$(cat "$ATTACK_STATUS" "$TMP/heads.out" 2>&1)"
fi
served "$CONNS slow heads"
# Every head is given HUB_HEAD_S (10 s) whole: the hub closes the first
# 1,100 itself, though each still sends a line every 5 s.
if wait_attack "closed (1[1-9][0-9][0-9]|[2-9][0-9]{3,})"; then
	pass "the hub closed the slow heads itself ($(head -n 1 "$ATTACK_STATUS"))"
else
	fail "the hub closed the slow heads itself" "$(head -n 1 "$ATTACK_STATUS")"
fi
served "$CONNS slow heads, opened again"
stop_attack heads
diag "heads: $ATTACK_OUT"
n=$(grep -c '127\.0\.0\.2 - - 408 .*no whole request head within 10 s' "$HUB_LOG")
ok "each slow head the hub closed left a log line ($n)" test "$n" -ge "$CONNS"

# --- slow bodies, no token -------------------------------------------------
attack bodies body --conns "$CONNS" --interval 5
if wait_opened "$CONNS"; then
	pass "one address has sent $CONNS slow tokenless bodies ($(head -n 1 "$ATTACK_STATUS"))"
else
	fail "one address has sent $CONNS slow tokenless bodies" "$(cat "$ATTACK_STATUS")"
fi
served "$CONNS slow tokenless bodies"
stop_attack bodies
diag "bodies: $ATTACK_OUT"
like "$ATTACK_OUT" 'answers (401:[0-9]+|-)$' "every tokenless body was answered 401 (or cut), none read"
n=$(grep '127\.0\.0\.2 POST /v2/push 401' "$HUB_LOG" | grep -vc ' in=0 ')
is "$n" 0 "no byte of a tokenless body was read (in=0 on every line)"

# --- slow bodies, an enrolled token ------------------------------------------
attack tbodies body --conns 50 --once --interval 5 --token-file "$TMP/tokX"
if wait_opened 50; then
	pass "a token sends 50 slow bodies at once"
else
	fail "a token sends 50 slow bodies at once" "$(cat "$ATTACK_STATUS")"
fi
served "a token's 50 slow bodies"
# Four may be under way; the other 46 are refused at once.  The four are
# closed by their deadline (1 KiB/s after 10 s), which ends the attack.
if wait_attack "^done .*closed 50 "; then
	pass "the hub closed all 50 itself"
else
	fail "the hub closed all 50 itself" "$(cat "$ATTACK_STATUS")"
fi
stop_attack tbodies
diag "token bodies: $ATTACK_OUT"
like "$ATTACK_OUT" 'answers 429:46$' "46 of them got 429: a token has 4 requests under way at most"
n=$(grep -c '127\.0\.0\.2 - - 408 .*body slower than 1024 bytes/s' "$HUB_LOG")
is "$n" 4 "the 4 slow bodies were closed by their deadline, a log line each"

# --- slow reads --------------------------------------------------------------
attack reads read --conns "$CONNS" --interval 5
if wait_opened "$CONNS"; then
	pass "one address has opened $CONNS slow readers ($(head -n 1 "$ATTACK_STATUS"))"
else
	fail "one address has opened $CONNS slow readers" "$(cat "$ATTACK_STATUS")"
fi
served "$CONNS slow readers"
stop_attack reads
diag "reads: $ATTACK_OUT"

# --- Debian's slowhttptest: slowloris from the laptop's own address ---------
# Its own connections (it cannot choose its address): 1,100, all opened
# in the first second, a header line every 5 s.
slowhttptest -H -c "$CONNS" -r "$CONNS" -i 5 -l 120 -p 60 -u "$HUB_URL/v1/health" \
	>"$TMP/sht.out" 2>&1 </dev/null 5>&- 6>&- 7>&- 8>&- &
SHT_PID=$!
_SYNC_PIDS="$_SYNC_PIDS $SHT_PID"
# The connections the hub holds: /proc/net/tcp's established sockets on
# its port (slowhttptest itself says how many only every few seconds).
hub_conns() {
	awk -v p=":$(printf '%04X' "$HUB_PORT")" '$4 == "01" && substr($2, length($2) - 4) == p' \
		/proc/net/tcp | wc -l
}
held=0
for _ in $(seq 600); do
	held=$(hub_conns)
	[ "$held" -ge "$CONNS" ] && break
	kill -0 "$SHT_PID" 2>/dev/null || break
	sleep 0.1
done
ok "slowhttptest holds $CONNS slow heads (the hub has $held connections)" test "$held" -ge "$CONNS"
served "slowhttptest's $CONNS slow heads"
kill -TERM "$SHT_PID" 2>/dev/null
for _ in $(seq 100); do kill -0 "$SHT_PID" 2>/dev/null || break; sleep 0.05; done
kill -9 "$SHT_PID" 2>/dev/null
wait "$SHT_PID" 2>/dev/null
_sync_forget "$SHT_PID"

# --- more than one address may hold ------------------------------------------
# The hub holds 4,096 connections, 2,048 of them from one address; this
# needs 4,160 open files for the hub and 2,400 for the attacker.
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 6700 ]; then
	pass "# SKIP the hard limit of open files ($(ulimit -Hn)) is under 6,700"
else
	attack many head --conns 2300 --opens-max 2600 --interval 5 --source 127.0.0.3
	if wait_opened 2600; then
		pass "a third address opens 2,300 slow heads at once"
	else
		fail "a third address opens 2,300 slow heads at once" "$(cat "$ATTACK_STATUS")"
	fi
	served "2,300 slow heads from one more address"
	stop_attack many
	diag "many: $ATTACK_OUT"
	n=$(grep -c '? - - 0 .*refused a connection: the hub holds as many as it may, from this address (2048)' "$HUB_LOG")
	ok "the connections past 2,048 were refused, a log line each ($n)" test "$n" -ge 252
fi

stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM after it all"
run fbd "$L" verify
expect_exit 0 "the laptop's book verifies"
done_testing
