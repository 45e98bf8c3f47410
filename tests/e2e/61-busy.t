#!/usr/bin/env bash
# 61-busy.t - a command that meets another one writing (docs/EXIT-CODES.md).
#
# Another process holds the database's write lock (the sqlite3 shell in
# a transaction, standing for a long import or sync that is writing).
# A command that must write waits a moment (the 5 s lock wait), then
# says on one line that another Fieldbook command is running and exits
# 75 (EX_TEMPFAIL: try again), not 74, which is for disk errors; the
# database is unchanged.  Reading goes on meanwhile.  Once the other is
# done, the same command works.  The hub's commands too.  (That a
# command goes on when the lock is released within its wait is SQLite's
# busy handler; a test of it here would race the machine's load.)
#
# With the hub on PostgreSQL (FIELDBOOK_TEST_STORE=pg) the other writer
# is a psql session holding the hub's device table in EXCLUSIVE mode
# (others may read it, not write it), and the collector's part, the same
# whichever store the hub has, is skipped.

. "$(dirname "$0")/synclib.sh"

BUSY_MSG="fieldbook: the database is busy: another Fieldbook command is writing to it (waited 5 s); run this one again when it has finished"

# hold_lock DB: a sqlite3 shell holds DB's write lock (BEGIN IMMEDIATE)
# until release_lock; returns once the lock is held, or fails.  A hub on
# PostgreSQL: a psql session holds its device table (the one enroll
# writes) in EXCLUSIVE mode.
LOCK_PID=
LOCK_PSQL=
hold_lock() {
	local line=
	rm -f "$TMP/lock.in" "$TMP/lock.out"
	mkfifo "$TMP/lock.in" "$TMP/lock.out" || return 1
	if _is_pg_hub "$1"; then
		psql -X -q -A -t -h "$PG_DIR" -U fieldbook -d "$(_pg_name_of "$1")" \
			<"$TMP/lock.in" >"$TMP/lock.out" 2>&1 5>&- 6>&- 7>&- 8>&- &
		LOCK_PID=$! LOCK_PSQL=1
		exec 3>"$TMP/lock.in" 4<"$TMP/lock.out"
		printf "BEGIN;\nLOCK TABLE device IN EXCLUSIVE MODE;\nSELECT 'locked';\n" >&3
	else
		sqlite3 -batch "$1" <"$TMP/lock.in" >"$TMP/lock.out" 2>&1 5>&- 6>&- 7>&- 8>&- &
		LOCK_PID=$! LOCK_PSQL=
		exec 3>"$TMP/lock.in" 4<"$TMP/lock.out"
		printf "BEGIN IMMEDIATE;\nSELECT 'locked';\n" >&3
	fi
	IFS= read -r -t 20 line <&4
	[ "$line" = locked ] || { diag "the lock holder said: $line"; return 1; }
}
release_lock() {
	printf 'ROLLBACK;\n' >&3
	[ -n "$LOCK_PSQL" ] || printf '.quit\n' >&3
	exec 3>&- 4<&-
	wait "$LOCK_PID" 2>/dev/null
	LOCK_PID=
}

# ms: the time in milliseconds.
ms() {
	date +%s%3N
}

if store_pg; then
	skip "the collector's part: the same whichever store the hub has, run with the hub on SQLite"
else
	fresh_db
	m=$(new_id fb member add --name "Nguyễn Thị Lan")
	ok "another process takes the write lock" hold_lock "$FIELDBOOK_DB"
	snapshot
	t0=$(ms)
	run fb member add --name "Trần Thị Hoa"
	t1=$(ms)
	expect_exit 75 "a command that must write exits 75 (try again), not 74"
	expect_err "$BUSY_MSG" "...with one line saying another Fieldbook command is writing"
	ok "...after waiting a moment ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 4000
	run fb edit "$m" phone=0912000111
	expect_exit 75 "an edit meets it too: 75"
	run fb list members
	expect_exit 0 "reading goes on meanwhile"
	expect_out_contains "Nguyễn Thị Lan" "...and shows what is saved"
	release_lock
	db_unchanged "the database is as it was"
	run fb member add --name "Trần Thị Hoa"
	expect_exit 0 "once the other is done, the command works"
fi

# The hub's commands: the same.
H=$TMP/hub.db
hub_tree "$H"
ok "another process takes the hub database's write lock" hold_lock "$H"
run hub --db "$H" enroll --unit HN.PL.TT.03 --name "laptop X"
expect_exit 75 "fieldbook-hub enroll meets it: 75"
expect_err "fieldbook-hub: ${BUSY_MSG#fieldbook: }" "...with the same line"
release_lock
run hub --db "$H" enroll --unit HN.PL.TT.03 --name "laptop X"
expect_exit 0 "...and works once the other is done"
done_testing
