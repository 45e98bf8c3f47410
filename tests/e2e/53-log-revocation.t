#!/usr/bin/env python3
# 53-log-revocation.t - what the hub's log writes of a hostile path, and
# what a token revoked or unknown learns.
#
#  - A %0a in a path cannot start a log line of its own (nor a \r, nor
#    another control byte): it is written \x0a, on the request's line.
#  - A path holding 64 hex digits (a token's body without its fbt_), or
#    fbt_ and a token, is written with the token as [token].
#  - A push whose token was good when its head was judged, and which
#    `fieldbook-hub revoke` revoked before its body came, is refused (401)
#    and nothing of it is applied: the revocation is looked at again in
#    the push's transaction.  The order comes from the hub itself: its
#    "100 Continue" says the head (and the token) was judged; the revoke
#    runs after that, the body is sent after the revoke ended.
#  - An unknown token and a revoked one get the same 401 answer, which
#    names no device number.
import json
import os
import re
import sys
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hublib import HUB, Tap, Hub, connect, raw, read_all, read_head, run, tmpdir, member_batch  # noqa: E402

t = Tap(180)
hub = Hub(tmpdir("logrev"))
tok_a, dev_a = hub.enroll("laptop A")
tok_b, dev_b = hub.enroll("laptop B")
tok_c, dev_c = hub.enroll("laptop C")
port = hub.start()
H = b"Host: hub\r\n"

# --- the log -------------------------------------------------------------
FORGED = "2026-01-01T00:00:00Z 10.9.9.9 POST /v2/push 200 device=7 in=1 out=1 ms=1"
path = ("/v1/x%0a" + FORGED.replace(" ", "%20") + "%0d%0a" + FORGED.replace(" ", "%20")).encode()
a = raw(port, b"GET " + path + b" HTTP/1.1\r\n" + H + b"\r\n", source="127.0.3.1")
t.ok(a.status == 404, "a path with %0a and %0d: 404", repr(a))

hexbody = tok_b[4:]          # 64 hex digits: tok_b without its fbt_
a = raw(port, b"GET /v1/" + hexbody.encode() + b" HTTP/1.1\r\n" + H + b"\r\n",
        source="127.0.3.2")
t.ok(a.status == 404, "a path holding 64 hex digits: 404", repr(a))
a = raw(port, b"GET /v1/x/" + hexbody.upper().encode() + b"/y HTTP/1.1\r\n" + H + b"\r\n",
        source="127.0.3.3")
t.ok(a.status == 404, "a path holding 64 upper-case hex digits: 404", repr(a))
# Percent-encoded, and refused by libmicrohttpd (a head over 32 KiB): the
# line the hub writes from the raw request target is decoded the same way.
enc = "".join("%%%02x" % ord(ch) for ch in hexbody).encode()
a = raw(port, b"GET /v1/" + enc + b" HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 40000 +
        b"\r\n\r\n", source="127.0.3.4")
t.ok(a.status == 431, "a percent-encoded token in the path of a refused head: 431", repr(a))
a = raw(port, b"GET /v1/" + tok_c.encode() + b" HTTP/1.1\r\n" + H + b"\r\n",
        source="127.0.3.5")
t.ok(a.status == 400, "fbt_ and a token in the path: 400 token_in_url", repr(a))

# --- revocation inside the push's transaction ----------------------------
body = zlib.compress(json.dumps(member_batch("0123456789abcdef", 1,
                                             "7f1c3a52-0d4e-4b8a-9f6e-2a1b3c4d5e6f",
                                             "Phạm Thị Thu")).encode())
s = connect(port)
s.sendall(b"POST /v1/push HTTP/1.1\r\n" + H + b"Authorization: Bearer " + tok_a.encode() +
          b"\r\nContent-Encoding: deflate\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n"
          % len(body))
status, head = read_head(s)
t.ok(status == 100, "a push with a good token: its head passes (100 Continue)", repr(head))
r = run(HUB, "--db", hub.db, "revoke", str(dev_a))
t.ok(r.returncode == 0, "revoke of device %d while its push waits for its body" % dev_a, r.stderr)
s.sendall(body)
got, closed = read_all(s)
s.close()
m = re.match(rb"HTTP/1\.1 (\d+)", got)
t.ok(m and m.group(1) == b"401", "the body came after the revoke: 401", repr(got[:300]))
r = run("sqlite3", hub.db, "select count(*) from journal")
t.ok(r.stdout.strip() == "0", "nothing of that push was applied", r.stdout + r.stderr)
revoked_answer = got.partition(b"\r\n\r\n")[2]

# --- unknown and revoked tokens look the same ----------------------------
def pull_answer(token):
    a = raw(port, b"GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\n" + H +
            b"Authorization: Bearer " + token.encode() + b"\r\n\r\n")
    doc = json.loads(a.body) if a.status else {}
    doc.pop("hub_time", None)
    return a.status, doc

st_rev, doc_rev = pull_answer(tok_a)
st_unk, doc_unk = pull_answer("fbt_" + "0" * 64)
t.ok(st_rev == 401 and st_unk == 401, "a revoked and an unknown token: 401 both (%s, %s)"
     % (st_rev, st_unk))
t.ok(doc_rev == doc_unk and doc_rev.get("error") == "unauthorized",
     "the same answer for both: %s" % json.dumps(doc_rev, ensure_ascii=False),
     "revoked: %r\nunknown: %r" % (doc_rev, doc_unk))
push_doc = json.loads(revoked_answer or b"{}")
push_doc.pop("hub_time", None)
t.ok(push_doc == doc_unk, "the push refused in its transaction says the same",
     "%r" % push_doc)
digits = [d for d in (doc_rev, push_doc) if re.search(r"\d", d.get("message", ""))]
t.ok(not digits, "no answer names a device number", repr(digits))

rc = hub.stop()
t.ok(rc == 0, "the hub stops cleanly (exit %s)" % rc)
lines = hub.lines()
mine = [l for l in lines if " 127.0.3.1 " in l]
t.ok(len(mine) == 1 and "\\x0a" in mine[0] and "\\x0d" in mine[0],
     "the %0a path is one log line, its line breaks written \\x0a and \\x0d",
     "\n".join(mine))
forged = [l for l in lines if l.startswith("2026-01-01T") or l.split(" ")[1] == "10.9.9.9"]
t.ok(not forged, "no forged line", "\n".join(forged))
for k, what in ((2, "64 hex digits"), (3, "64 upper-case hex digits"),
                (4, "percent-encoded 64 hex digits"), (5, "fbt_ and a token")):
    mine = [l for l in lines if " 127.0.3.%d " % k in l]
    t.ok(len(mine) == 1 and "[token]" in mine[0], "a path with %s: one line, written [token]" % what,
         "\n".join(mine))
text = "\n".join(lines)
leaked = [tok for tok in (tok_a, tok_b, tok_c) if tok[4:] in text or tok[4:].upper() in text]
t.ok(not leaked, "no token's hex digits anywhere in the log")
auth_lines = [l for l in lines if " 401 " in l]
t.ok(all("revoked" in l or "unknown" in l or "no bearer" in l for l in auth_lines) and
     any("device=%d" % dev_a in l for l in auth_lines),
     "the log (the operator's) names the revoked device's number", "\n".join(auth_lines))
t.done()
