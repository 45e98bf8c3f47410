#!/usr/bin/env python3
# 52-strict-http.t - the hub judges a request by its head, strictly, where
# libmicrohttpd alone is lenient (docs/PROTOCOL.md §2, "Strict HTTP"):
# Content-Length with Transfer-Encoding (a request smuggled in the body is
# never run), two Content-Lengths, a Transfer-Encoding other than one
# "chunked", HTTP/1.1 without Host, control bytes, a NUL in the path or in
# the token, two Authorization headers, 500 query parameters.  Each is
# refused at once with its status, the connection is closed, and it
# leaves exactly one line in the log: libmicrohttpd's own refusals too
# (a head over its memory, a Content-Length it cannot count, a broken
# chunk, an HTTP version it does not speak, bytes that are not HTTP).
#
# Each case comes from a loopback address of its own (127.0.1.K), so its
# lines are told apart in the log of the stopped hub, whatever order the
# hub's threads wrote them in: nothing here waits on timing.
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hublib import Tap, Hub, raw, tmpdir  # noqa: E402

t = Tap(240)
hub = Hub(tmpdir("strict"))
token, dev = hub.enroll("laptop 1")
T = token.encode()
port = hub.start()

H = b"Host: hub\r\n"
A = b"Authorization: Bearer " + T + b"\r\n"
PULL = b"GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\n"
SMUGGLED = b"GET /v1/health HTTP/1.1\r\nHost: hub\r\n\r\n"
QUERY_500 = b"&".join(b"k%d" % (i % 10) for i in range(500))   # 1,499 bytes

# (name, request, status, what the answer's message or log line says)
cases = [
    ("Content-Length and Transfer-Encoding, a request smuggled after the body",
     b"POST /v2/push HTTP/1.1\r\n" + H + A + b"Content-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400,
     "both Content-Length and Transfer-Encoding"),
    ("two different Content-Length headers",
     b"POST /v2/push HTTP/1.1\r\n" + H + A + b"Content-Length: 5\r\n"
     b"Content-Length: 6\r\n\r\nabcdef", 400, "two different Content-Length"),
    ("Transfer-Encoding: chunked, gzip",
     b"POST /v2/push HTTP/1.1\r\n" + H + A +
     b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400,
     "Transfer-Encoding must be chunked"),
    ("Transfer-Encoding: xchunked",
     b"POST /v2/push HTTP/1.1\r\n" + H + A +
     b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400,
     "Transfer-Encoding must be chunked"),
    ("Transfer-Encoding twice",
     b"POST /v2/push HTTP/1.1\r\n" + H + A + b"Transfer-Encoding: chunked\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
     "Transfer-Encoding must be chunked"),
    ("HTTP/1.1 without Host",
     b"GET /v1/health HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host"),
    ("two Host headers",
     b"GET /v1/health HTTP/1.1\r\n" + H + H + b"\r\n", 400, "two Host headers"),
    ("a control byte (0x01) in a header's value",
     b"GET /v1/health HTTP/1.1\r\n" + H + b"X-Note: a\x01b\r\n\r\n", 400,
     "a control byte in header X-Note"),
    ("a DEL in a header's value",
     b"GET /v1/health HTTP/1.1\r\n" + H + b"X-Note: a\x7fb\r\n\r\n", 400,
     "a control byte in header X-Note"),
    ("a NUL (%00) in the path",
     b"GET /v1/hea%00lth HTTP/1.1\r\n" + H + b"\r\n", 400, "a NUL (%00) in the path"),
    ("a raw NUL byte in the request line",
     b"GET /v1/health\x00x HTTP/1.1\r\n" + H + b"\r\n", 400, "a malformed request line"),
    ("Authorization: Bearer <good token>\\0junk",
     PULL + H + b"Authorization: Bearer " + T + b"\x00junk\r\n\r\n", 400,
     "a header holds a NUL"),
    ("two Authorization headers (the same good token)",
     PULL + H + A + A + b"\r\n", 400, "two Authorization headers"),
    ("a header folded over two lines",
     b"GET /v1/health HTTP/1.1\r\n" + H + b"X-Note: a\r\n b\r\n\r\n", 400,
     "folded over lines"),
    ("500 query parameters (1,499 bytes)",
     b"GET /v1/health?" + QUERY_500 + b" HTTP/1.1\r\n" + H + b"\r\n", 414,
     "more than 16 query parameters"),
    ("a request target over 2,048 bytes",
     b"GET /v1/health?a=" + b"b" * 3000 + b" HTTP/1.1\r\n" + H + b"\r\n", 414,
     "the request target is over 2048 bytes"),
    # libmicrohttpd's own refusals: the status is its own, the log line ours.
    ("a header over 32 KiB (libmicrohttpd: 431)",
     b"GET /v1/health HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 40000 + b"\r\n\r\n",
     431, "the head is over 32 KiB"),
    ("a Content-Length past 2^64 (libmicrohttpd: 413)",
     b"POST /v2/push HTTP/1.1\r\n" + H + A +
     b"Content-Length: 99999999999999999999999\r\n\r\n", 413,
     "a Content-Length or a chunk size past what it can count"),
    ("a Content-Length that is not a number (libmicrohttpd: 400)",
     b"POST /v2/push HTTP/1.1\r\n" + H + A + b"Content-Length: -5\r\n\r\n", 400,
     "a header line, a Content-Length or a chunk it could not read"),
    ("a broken chunk (libmicrohttpd: 400)",
     b"POST /v2/push HTTP/1.1\r\n" + H + A +
     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 400,
     "a header line, a Content-Length or a chunk it could not read"),
    ("HTTP/2.0 on the request line (libmicrohttpd: 505)",
     b"GET /v1/health HTTP/2.0\r\n" + H + b"\r\n", 505,
     "no request line libmicrohttpd could read"),
    ("a request line over 32 KiB (libmicrohttpd: 414)",
     b"GET /v1/" + b"a" * 40000 + b" HTTP/1.1\r\n" + H + b"\r\n", 414,
     "no request line libmicrohttpd could read"),
    ("bytes that are not HTTP (libmicrohttpd closes)",
     b"GARBAGE\r\n\r\n", None, "no request line libmicrohttpd could read"),
]

answers = []
for k, (name, req, status, why) in enumerate(cases, 1):
    a = raw(port, req, source="127.0.1.%d" % k)
    answers.append(a)
    want = "closed" if status is None else "HTTP %d" % status
    got = "closed" if a.status is None and a.closed else "HTTP %s" % a.status
    t.ok(a.status == status and a.closed,
         "%s: %s, connection closed" % (name, want),
         "got %s (closed: %s): %r" % (got, a.closed, a.data[:200]))
    if status is not None and not name.endswith(")"):
        try:
            doc = json.loads(a.body)
        except ValueError:
            doc = {}
        t.ok(doc.get("error") in ("bad_http", "uri_too_long") and why in doc.get("message", ""),
             "%s: the answer says why (%s)" % (name, why), a.body[:300])

smuggle = answers[0]
t.ok(smuggle.rest == b"" and smuggle.data.count(b"HTTP/1.1 ") == 1,
     "the request hidden in the refused body got no answer of its own",
     repr(smuggle.data))

a = raw(port, b"GET /v1/health HTTP/1.1\r\n" + H + b"\r\n", source="127.0.2.1")
t.ok(a.status == 200, "the hub still answers health after them all", repr(a))
rc = hub.stop()
t.ok(rc == 0, "the hub stops cleanly on SIGTERM (exit %s)" % rc)

lines = hub.lines()
for k, (name, req, status, why) in enumerate(cases, 1):
    addr = " 127.0.1.%d " % k
    mine = [l for l in lines if addr in l]
    t.ok(len(mine) == 1 and why in mine[0] and
         (status is None or " %d device=" % status in mine[0] or
          " 0 device=" in mine[0]),
         "%s: exactly one log line, which says why" % name,
         "\n".join(mine) or "(no line)")
smuggled_runs = [l for l in lines if " 127.0.1.1 " in l and "/v1/health" in l]
t.ok(not smuggled_runs, "the smuggled health request left no line: it never ran",
     "\n".join(smuggled_runs))
stray = [l for l in lines if " ? " in l or "libmicrohttpd: " in l]
t.ok(not stray, "no line without the client's address, nor libmicrohttpd's words twice",
     "\n".join(stray))
t.done()
