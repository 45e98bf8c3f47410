#!/usr/bin/env python3
# uiclient.py - one HTTP request to `fieldbook ui`, for the e2e tests of
# the local page (99-ui-*.t).  Usage:
#   uiclient.py METHOD PATH [BODY | @FILE]
# The port and secret come from $UI_PORT and $UI_SECRET; $UI_HOST,
# $UI_ORIGIN and $UI_LANG set those headers ($UI_HOST "-": the default
# Host), $UI_NOSECRET=1 leaves the secret out.  Prints the status on
# the first line, then the headers as "name: value" lines, a blank
# line, and the body.
import http.client
import os
import sys


def main():
    method, path = sys.argv[1], sys.argv[2]
    body = sys.argv[3].encode("utf-8") if len(sys.argv) > 3 else None
    if body is not None and body.startswith(b"@"):
        with open(body[1:].decode(), "rb") as f:
            body = f.read()
    port = int(os.environ["UI_PORT"])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {}
    host = os.environ.get("UI_HOST", "-")
    headers["Host"] = "127.0.0.1:%d" % port if host == "-" else host
    if os.environ.get("UI_NOSECRET") != "1":
        headers["X-Fieldbook-Secret"] = os.environ.get("UI_SECRET", "")
    if os.environ.get("UI_ORIGIN"):
        headers["Origin"] = os.environ["UI_ORIGIN"]
    if os.environ.get("UI_LANG"):
        headers["X-Fieldbook-Lang"] = os.environ["UI_LANG"]
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    res = conn.getresponse()
    data = res.read()
    out = sys.stdout.buffer
    out.write(b"%d\n" % res.status)
    for k, v in res.getheaders():
        out.write(("%s: %s\n" % (k.lower(), v)).encode("utf-8"))
    out.write(b"\n" + data + b"\n")


main()
