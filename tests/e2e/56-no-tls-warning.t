#!/usr/bin/env bash
# serve on an address other than loopback without TLS warns, in one
# line on stderr (the service's log), of what crosses the network
# readable; on loopback, or with TLS, it does not.  The hubs listen on a
# free port only for as long as the test looks at them, and are stopped
# by their pid.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
hub_tree "$H"
WARN="hub: warning: listening on 0.0.0.0:0 without TLS: device tokens and members' records cross the network readable by anyone on the path, and a token read there writes as its laptop; give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a reverse proxy that serves TLS (docs/OPERATIONS.md)"

start_hub "$H"
stop_hub
is "$(grep -c 'warning' "$HUB_LOG")" 0 "on 127.0.0.1 no warning"

HUB_LISTEN=0.0.0.0:0 start_hub "$H"
run curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HUB_URL/v1/health"
is "$OUT" 200 "a hub on 0.0.0.0 without TLS serves"
stop_hub
is "$(grep 'warning' "$HUB_LOG")" "$WARN" "...and has warned once, naming the risk and what to do"
is "$HUB_RC" 0 "it stops on SIGTERM"

if py -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	HUB_LISTEN='[::1]:0' start_hub "$H"
	stop_hub
	is "$(grep -c 'warning' "$HUB_LOG")" 0 "on [::1] no warning"
else
	pass "# SKIP no IPv6 loopback here"
fi

if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-addext "subjectAltName=IP:127.0.0.1" -days 1 \
		-keyout "$TMP/k.pem" -out "$TMP/c.pem" >/dev/null 2>&1; then
	HUB_LISTEN=0.0.0.0:0 start_hub "$H" --tls-cert "$TMP/c.pem" --tls-key "$TMP/k.pem"
	stop_hub
	is "$(grep -c 'warning' "$HUB_LOG")" 0 "on 0.0.0.0 with TLS no warning"
else
	pass "# SKIP openssl cannot make a certificate"
fi
done_testing
