#!/usr/bin/env bash
# 99-ui-browser: a branch head's month in the local page alone, in
# Debian's chromium, headless, driven by chromium-driver (WebDriver;
# tests/e2e/uibrowser.py): members typed in Vietnamese through the
# keyboard, a bad value's message beside its field, two trainings with
# topics and attendance, a visit, the report, a sync that brings a
# conflict from another laptop, the conflict settled, English.  Every
# step is checked against what the command line then lists.
# Screenshots go to tests/artifacts/.  Skipped, saying so, where
# chromium or chromium-driver is not installed (packaging/deps.sh
# installs them under CI).
. "$(dirname "$0")/synclib.sh"

CHROMIUM=$(command -v chromium || true)
DRIVER=$(command -v chromedriver || true)
if [ -z "$CHROMIUM" ] || [ -z "$DRIVER" ]; then
	echo "1..0 # SKIP chromium or chromedriver is not installed (Debian packages chromium, chromium-driver)"
	exit 0
fi
export CHROMIUM
SHOTS=$(cd "$E2E_DIR/.." && pwd)/artifacts
mkdir -p "$SHOTS"

H=$TMP/hub.db
hub_tree "$H"
start_hub "$H"
enroll "$H" HN.PL.TT.03 "laptop a" "$TMP/a.tok"
enroll "$H" HN.PL.TT.03 "laptop b" "$TMP/b.tok"
FB_A=$TMP/a.db FB_B=$TMP/b.db
export FB_A FB_B
new_collector "$FB_A" HN.PL.TT.03 "$TMP/a.tok"
new_collector "$FB_B" HN.PL.TT.03 "$TMP/b.tok"

"$FIELDBOOK" --db "$FB_A" ui --no-open --port-file "$TMP/ui.port" >"$TMP/ui.out" 2>"$TMP/ui.err" \
	</dev/null 5>&- 6>&- 7>&- 8>&- &
UI_PID=$!
_SYNC_PIDS="$_SYNC_PIDS $UI_PID"
DPORT=$(py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$DRIVER" --port="$DPORT" >"$TMP/driver.log" 2>&1 </dev/null 5>&- 6>&- 7>&- 8>&- &
DRIVER_PID=$!
_SYNC_PIDS="$_SYNC_PIDS $DRIVER_PID"
url=
for _ in $(seq 200); do
	[ -z "$url" ] && url=$(sed -n 's/^.* at \(http:[^ ]*\)$/\1/p' "$TMP/ui.out")
	if [ -n "$url" ] && curl -sf "http://127.0.0.1:$DPORT/status" >/dev/null 2>&1; then
		break
	fi
	sleep 0.05
done
ok "ui printed its address" test -n "$url"
[ -n "$url" ] || { diag "$(cat "$TMP/ui.err")"; done_testing; }

while IFS= read -r line; do
	case $line in
	"PASS "*) pass "${line#PASS }" ;;
	"FAIL "*) desc=${line#FAIL }; fail "${desc%% | *}" "${desc#* | }" ;;
	*) diag "$line" ;;
	esac
done < <(FIELDBOOK=$FIELDBOOK timeout 300 "$PYTHON" -I "$E2E_DIR/uibrowser.py" \
	"http://127.0.0.1:$DPORT" "$url" "$SHOTS" 2>&1 5>&- 6>&- 7>&- 8>&-)
ok "screenshots in tests/artifacts/" test -s "$SHOTS/ui-report.png"
kill -TERM "$UI_PID"
wait "$UI_PID"
is "$?" 0 "ui stops on SIGTERM"
_sync_forget "$UI_PID"
done_testing
