#!/usr/bin/env bash
# 58-autosync: `fieldbook autosync enable | disable | status` write and
# remove a systemd user timer and service for this database, which
# systemd-analyze accepts where it is installed, and call systemctl
# --user (a stand-in here that records its arguments).  Without a user
# session, enable leaves nothing behind and says what to run instead.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
start_hub "$H"
new_collector "$TMP/A.db" HN.PL.TT.03 "$TMP/tokA"
A=$TMP/A.db
export HOME=$TMP/home
unset XDG_CONFIG_HOME
mkdir -p "$HOME" "$TMP/bin" "$TMP/nobus"
UNITS=$HOME/.config/systemd/user

# A systemctl that records its arguments, and says when a timer is next.
cat >"$TMP/bin/systemctl" <<'SH'
#!/bin/sh
echo "$*" >>"$SYSTEMCTL_LOG"
case "$*" in
*show*NextElapseUSecRealtime*) echo "NextElapseUSecRealtime=@1796000000" ;;
esac
exit 0
SH
# One as on a machine without a user manager.
cat >"$TMP/nobus/systemctl" <<'SH'
#!/bin/sh
echo "Failed to connect to bus: No medium found" >&2
exit 1
SH
chmod +x "$TMP/bin/systemctl" "$TMP/nobus/systemctl"
export SYSTEMCTL_LOG=$TMP/systemctl.log

PATH=$TMP/bin:$PATH run fbd "$A" autosync enable --every 10m
expect_exit 0 "autosync enable"
expect_out_match '^autosync on: this database syncs every 10m \(fieldbook-sync-[0-9a-f]{8}\.timer\)$' "says it is on"
name=$(ls "$UNITS" 2>/dev/null | sed -n 's/\.timer$//p')
like "$name" '^fieldbook-sync-[0-9a-f]{8}$' "a timer for this database in ~/.config/systemd/user"
ok "and its service" test -f "$UNITS/$name.service"
is "$(cat "$SYSTEMCTL_LOG")" "--user daemon-reload
--user enable --now $name.timer" "systemctl --user: reload, then enable --now the timer"
like "$(grep '^ExecStart=' "$UNITS/$name.service")" "^ExecStart=\"$FIELDBOOK\" --db \"$(realpath "$A")\" sync --log$" \
	"the service runs one sync of this database, logging one line"
like "$(grep '^ExecStopPost=' "$UNITS/$name.service")" 'EXIT_STATUS" = 77 .*systemctl --user stop '"$name"'\.timer' \
	"a refusal (77) stops the timer"
is "$(grep -E '^(OnUnitActiveSec|RandomizedDelaySec)=' "$UNITS/$name.timer")" "OnUnitActiveSec=600s
RandomizedDelaySec=60s" "the timer: every 10 minutes, spread by up to a tenth"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$TMP/run" && chmod 700 "$TMP/run"
	run env XDG_RUNTIME_DIR="$TMP/run" systemd-analyze verify --user --man=no "$UNITS/$name.timer" "$UNITS/$name.service"
	expect_exit 0 "systemd-analyze verify --user accepts both"
	[ "$RC" = 0 ] || diag "$ERR"
else
	pass "# SKIP systemd-analyze is not installed"
fi

# Another database, other units.
new_collector "$TMP/B.db" HN.PL.TT.03 "$TMP/tokA"
PATH=$TMP/bin:$PATH run fbd "$TMP/B.db" autosync enable
expect_exit 0 "a second database's autosync (every 15m by default)"
is "$(ls "$UNITS" | wc -l)" 4 "has units of its own"
PATH=$TMP/bin:$PATH run fbd "$TMP/B.db" autosync disable
expect_exit 0 "and loses them"

fbd "$A" sync >/dev/null
PATH=$TMP/bin:$PATH run fbd "$A" autosync status
expect_exit 0 "autosync status"
like "$OUT" "autosync:  on, every 600 s \($name\.timer\)" "says it is on"
like "$OUT" 'last try:  [0-9-]+ [0-9:]+, ok: 0 sent, 0 received' "the last try and its result"
like "$OUT" 'next try:  2026-11-30 ' "the next, as systemd says"
PATH=$TMP/bin:$PATH run fbd "$A" status
like "$OUT" 'autosync:  on' "status says so too"
PATH=$TMP/bin:$PATH run fbd "$A" autosync status --json
is "$(printf '%s' "$OUT" | json_get '[d["autosync"]["on"], d["autosync"]["every_seconds"], d["autosync"]["next_attempt"], d["autosync"]["last_exit"]]')" \
	'[true, 600, "2026-11-30T00:53:20Z", 0]' "and in JSON (UTC)"

: >"$SYSTEMCTL_LOG"
PATH=$TMP/bin:$PATH run fbd "$A" autosync disable
expect_exit 0 "autosync disable"
expect_out "autosync off: this database syncs only when asked" "says it is off"
is "$(cat "$SYSTEMCTL_LOG")" "--user disable --now $name.timer
--user daemon-reload" "systemctl --user: disable --now, then reload"
is "$(ls "$UNITS" | wc -l)" 0 "its units are gone"
PATH=$TMP/bin:$PATH run fbd "$A" autosync status
like "$OUT" "autosync:  off" "status: off"

PATH=$TMP/nobus:$PATH run fbd "$A" autosync enable
expect_exit 69 "without a user session, enable exits 69"
expect_err_match "no systemd user session here \(Failed to connect to bus: No medium found\): run 'fieldbook --db .* sync --every 15m'" \
	"and says what to run instead"
is "$(ls "$UNITS" | wc -l)" 0 "leaving nothing behind"

run fbd "$A" autosync enable --every soon
expect_exit 64 "a duration it cannot read"

done_testing
