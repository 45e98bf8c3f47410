#!/usr/bin/env bash
# The hub's TLS: 1.2 and 1.3 only, forward-secret AEAD suites, in the
# hub's order; HSTS on every answer over TLS.  Checked with openssl
# s_client, told to offer what the hub must refuse (TLS 1.0 and 1.1,
# static-RSA key exchange, CBC suites: "@SECLEVEL=0" lets OpenSSL 3 offer
# them), so that a refusal is the hub's, not the client's.  Each refused
# handshake leaves one line in the hub's log.  --tls-priorities replaces
# the default; a string GnuTLS does not take is a usage error (64).
. "$(dirname "$0")/synclib.sh"

for tool in openssl curl; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "Bail out! this test needs $tool"
		exit 1
	}
done

openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=localhost" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -days 1 \
	-keyout "$TMP/hub.key" -out "$TMP/hub.pem" >/dev/null 2>&1 ||
	{ echo "Bail out! openssl could not make a certificate"; exit 1; }
chmod 600 "$TMP/hub.key"
H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop" "$TMP/tok"

# hello ARGS...: a TLS handshake with s_client ARGS, then a health request
# on it; HELLO is "PROTOCOL CIPHER" when the handshake was made, else "-".
hello() {
	local out proto cipher
	out=$(printf 'GET /v1/health HTTP/1.0\r\n\r\n' |
		timeout 20 openssl s_client -connect "127.0.0.1:$HUB_PORT" -ign_eof "$@" 2>&1 5>&- 6>&- 7>&- 8>&-)
	proto=$(printf '%s\n' "$out" | sed -n 's/^New, \([^,]*\), Cipher is .*/\1/p' | head -n 1)
	cipher=$(printf '%s\n' "$out" | sed -n 's/^New, [^,]*, Cipher is //p' | head -n 1)
	if [ -n "$cipher" ] && [ "$cipher" != "(NONE)" ]; then
		HELLO="$proto $cipher"
	else
		HELLO=-
	fi
	HELLO_OUT=$out
}

start_hub "$H" --tls-cert "$TMP/hub.pem" --tls-key "$TMP/hub.key"
LEGACY='DEFAULT:@SECLEVEL=0'
refused=0
hello -tls1 -cipher "$LEGACY"
is "$HELLO" - "TLS 1.0 offered alone: refused"
refused=$((refused + 1))
hello -tls1_1 -cipher "$LEGACY"
is "$HELLO" - "TLS 1.1 offered alone: refused"
refused=$((refused + 1))
hello -tls1_2 -cipher "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:$LEGACY"
is "$HELLO" - "TLS 1.2 with static-RSA key exchange only (no forward secrecy): refused"
refused=$((refused + 1))
hello -tls1_2 -cipher "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:@SECLEVEL=0"
is "$HELLO" - "TLS 1.2 with ECDHE but CBC suites only: refused"
refused=$((refused + 1))
hello -tls1_2
like "$HELLO" '^TLSv1\.2 ECDHE-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$' \
	"TLS 1.2: made, with a forward-secret AEAD suite ($HELLO)"
like "$HELLO_OUT" '"status":"ok"' "a health request goes over it"
hello -tls1_3
like "$HELLO" '^TLSv1\.3 TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$' \
	"TLS 1.3: made ($HELLO)"
# The client's first choice is AES-128; the hub's order puts AES-256 first.
hello -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'
is "$HELLO" "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384" "the hub's order decides the suite, not the client's"

run curl -sS -D - -o /dev/null --max-time 20 --cacert "$TMP/hub.pem" "$HUB_URL/v1/health"
like "$OUT" '^[Ss]trict-[Tt]ransport-[Ss]ecurity: max-age=31536000' "HSTS over TLS: max-age=31536000"
run curl -sS -D - -o /dev/null --max-time 20 --cacert "$TMP/hub.pem" "$HUB_URL/v2/pull?device=0123456789abcdef"
like "$OUT" '^[Ss]trict-[Tt]ransport-[Ss]ecurity: ' "HSTS on a refusal (401) too"

A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tok" "$TMP/hub.pem"
expect_member "$A" "Nguyễn Thị Hoa"
run fbd "$A" sync
expect_exit 0 "a laptop syncs over the hub's TLS"
stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"
n=$(grep -c '127\.0\.0\.1 - - 0 .*no request line libmicrohttpd could read' "$HUB_LOG")
is "$n" "$refused" "each refused handshake left one line in the log"
n=$(grep -c 'libmicrohttpd: ' "$HUB_LOG")
is "$n" 0 "and no other line of libmicrohttpd's"

# Plain HTTP: no HSTS.
start_hub "$H"
run curl -sS -D - -o /dev/null --max-time 20 "$HUB_URL/v1/health"
ok "no HSTS without TLS" test "${OUT#*[Ss]trict-[Tt]ransport}" = "$OUT"
stop_hub

# --tls-priorities: TLS 1.3 alone.
start_hub "$H" --tls-cert "$TMP/hub.pem" --tls-key "$TMP/hub.key" \
	--tls-priorities 'SECURE256:-VERS-ALL:+VERS-TLS1.3'
hello -tls1_2
is "$HELLO" - "--tls-priorities with TLS 1.3 alone: TLS 1.2 refused"
hello -tls1_3
like "$HELLO" '^TLSv1\.3 ' "and TLS 1.3 made"
stop_hub

run hub --db "$H" serve --listen 127.0.0.1:0 --tls-cert "$TMP/hub.pem" --tls-key "$TMP/hub.key" \
	--tls-priorities 'NOT-A-PRIORITY:+VERS-TLS1.2'
expect_exit 64 "--tls-priorities that GnuTLS does not take: exit 64"
like "$ERR" "^fieldbook-hub: --tls-priorities: GnuTLS does not take it" "with one line that says so"
run hub --db "$H" serve --listen 127.0.0.1:0 --tls-priorities 'NORMAL'
expect_exit 64 "--tls-priorities without --tls-cert: exit 64"
done_testing
