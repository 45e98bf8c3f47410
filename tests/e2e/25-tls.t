#!/usr/bin/env bash
# A hub given a certificate speaks TLS.  A laptop that trusts the
# certificate (--cacert) syncs; one that does not is refused with exit
# 69 and a message about TLS, and keeps its changes.  The host name is
# checked too: a certificate for another name is refused.
. "$(dirname "$0")/synclib.sh"

for tool in openssl curl; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "Bail out! this test needs $tool"
		exit 1
	}
done

# cert NAME SAN: a self-signed certificate NAME.pem with key NAME.key.
cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=$3" \
		-addext "subjectAltName=$2" -days 1 \
		-keyout "$TMP/$1.key" -out "$TMP/$1.pem" >/dev/null 2>&1
}
cert good "IP:127.0.0.1,DNS:localhost" localhost ||
	{ echo "Bail out! openssl could not make a certificate"; exit 1; }
cert other "DNS:other.example" other.example ||
	{ echo "Bail out! openssl could not make a certificate"; exit 1; }
chmod 600 "$TMP"/*.key

H=$TMP/hub.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "laptop A" "$TMP/tokA"
enroll "$H" HN.PL.TT.03 "laptop B" "$TMP/tokB"
enroll "$H" HN.PL.TT.03 "laptop C" "$TMP/tokC"

run hub --db "$H" serve --listen 127.0.0.1:0 --tls-cert "$TMP/good.pem"
expect_exit 64 "--tls-cert without --tls-key is a usage error"

start_hub "$H" --tls-cert "$TMP/good.pem" --tls-key "$TMP/good.key"
like "$HUB_URL" '^https://127\.0\.0\.1:[0-9]+$' "the hub serves https ($HUB_URL)"
like "$(cat "$TMP/hub-$_HUB_N.out")" 'with TLS' "the hub says it listens with TLS"
run curl -s --max-time 10 --cacert "$TMP/good.pem" "$HUB_URL/v1/health"
is "$RC $(printf '%s' "$OUT" | json_get 'd["status"]' 2>/dev/null)" "0 ok" "curl trusting the certificate: health ok over TLS"
run curl -s --max-time 10 "http://127.0.0.1:$HUB_PORT/v1/health"
ok "plain HTTP to the TLS port gets no health answer" test "$RC" -ne 0 -o "${OUT#*\"status\":\"ok\"}" = "$OUT"

# A trusts the certificate.
A=$TMP/A.db
new_collector "$A" HN.PL.TT.03 "$TMP/tokA" "$TMP/good.pem"
m1=$(new_id fbd "$A" member add --name "Nguyễn Thị Hoa" --role branch_head)
run fbd "$A" sync
expect_exit 0 "a laptop with --cacert syncs over TLS"
expect_out_match '^synced: [1-9][0-9]* changes sent' "it sent its changes"
is "$(jget "$A" 'd["pending_entries"]' status --json)" 0 "A: nothing pending"

# B does not: refused, data kept.
B=$TMP/B.db
new_collector "$B" HN.PL.TT.03 "$TMP/tokB"
fbd "$B" member add --name "Trần Thị Lan" >/dev/null
pend=$(jget "$B" 'd["pending_entries"]' status --json)
run fbd "$B" sync
expect_exit 69 "a laptop without --cacert is refused (exit 69)"
expect_err_match 'TLS|certificate' "the message mentions TLS / the certificate"
like "$ERR" 'cacert' "the message says how to fix it (--cacert)"
is "$(jget "$B" 'd["pending_entries"]' status --json)" "$pend" "B's data is still pending ($pend)"
is "$(jget "$B" 'd["last_sync"]' status --json)" "" "B has not synced"
is "$(hub_sql "$H" "select count(*) from journal where device = '$(own_device "$B")'")" 0 "the hub got nothing from B"

# Once B trusts it, B syncs and gets A's member.
run fbd "$B" remote set "$HUB_URL" --token-file "$TMP/tokB" --cacert "$TMP/good.pem"
expect_exit 0 "B: remote set with --cacert"
run fbd "$B" sync
expect_exit 0 "B syncs once it trusts the certificate"
is "$(jget "$B" 'd["pending_entries"]' status --json)" 0 "B: nothing pending"
is "$(fbd "$B" show "$m1" --json | json_get 'd["full_name"]')" "Nguyễn Thị Hoa" "B has A's member"

# http:// to a TLS hub: refused, not hung.
C=$TMP/C.db
rm -f "$C"
fbd "$C" init --branch HN.PL.TT.03 >/dev/null
fbd "$C" remote set "http://127.0.0.1:$HUB_PORT" --token-file "$TMP/tokC" >/dev/null
fbd "$C" member add --name "Lê Thị Mai" >/dev/null
run fbd "$C" sync
ok "http:// to the TLS port fails (exit $RC)" test "$RC" -ne 0
is "$(jget "$C" 'd["pending_entries"]' status --json)" 1 "C keeps its entry"
stop_hub
is "$HUB_RC" 0 "the TLS hub exits 0 on SIGTERM"

# A certificate for another host name, even when trusted: refused.
start_hub "$H" --tls-cert "$TMP/other.pem" --tls-key "$TMP/other.key"
run fbd "$C" remote set "$HUB_URL" --token-file "$TMP/tokC" --cacert "$TMP/other.pem"
expect_exit 0 "C trusts a certificate made for other.example"
run fbd "$C" sync
expect_exit 69 "a certificate for another host name is refused (exit 69)"
expect_err_match 'TLS|certificate' "the message mentions TLS / the certificate"
is "$(jget "$C" 'd["pending_entries"]' status --json)" 1 "C still keeps its entry"
stop_hub
is "$HUB_RC" 0 "the hub exits 0 on SIGTERM"

for x in A B C; do
	run fbd "$TMP/$x.db" verify
	expect_exit 0 "$x: verify passes"
done
done_testing
