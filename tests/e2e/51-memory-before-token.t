#!/usr/bin/env python3
# 51-memory-before-token.t - the hub reads no body before it knows the
# token, and caps what the bodies it does read may hold together.
#
#  - A push with no token, a bad one or a revoked one, announcing 4 MiB
#    with "Expect: 100-continue", gets 401 from its head: never
#    "100 Continue", and no byte of its body is read (in=0 in the log).
#  - 300 such uploads at once, each sending its 4 MiB without waiting:
#    the hub grows by less than 256 MiB at its peak (VmHWM) and is back
#    within 64 MiB of where it started once they are closed (VmRSS).
#    None is told "100 Continue"; each gets 401 or, when the hub's close
#    of a connection with bytes unread (a reset) overtakes its 401, sees
#    the connection cut (a client that waits for 100 Continue, as the
#    collector does, always reads the 401).
#    These are memory bounds, not timings: /proc/PID/status says them
#    whatever the machine's speed.
#  - Bodies of good tokens are reserved from their Content-Length: 16 of
#    4 MiB fill the 64 MiB budget, the 17th is answered 503 busy with
#    Retry-After before a byte of it is read, and once one of the 16 has
#    gone (its log line is written), there is room again.
import json
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hublib import ATTACK, HUB, Tap, Hub, connect, read_head, run, spawn, tmpdir  # noqa: E402

MIB = 1024
t = Tap(300)
tmp = tmpdir("membody")
hub = Hub(tmp)
tokens = [hub.enroll("laptop %d" % i) for i in range(1, 19)]
revoked_tok, revoked_dev = tokens[17]
run(HUB, "--db", hub.db, "revoke", str(revoked_dev))
port = hub.start()
H = b"Host: hub\r\n"
FOUR_MIB = 4 * 1024 * 1024


def head(auth):
    return (b"POST /v2/push HTTP/1.1\r\n" + H + auth +
            b"Content-Encoding: deflate\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % FOUR_MIB)


# --- one by hand: 401 from the head, no 100 Continue ----------------------
for k, (what, auth) in enumerate((
        ("no token", b""),
        ("a bad token", b"Authorization: Bearer fbt_" + b"0" * 64 + b"\r\n"),
        ("a revoked token", b"Authorization: Bearer " + revoked_tok.encode() + b"\r\n")), 1):
    s = connect(port, source="127.0.4.%d" % k)
    s.sendall(head(auth))
    status, got = read_head(s)
    s.close()
    t.ok(status == 401, "%s, 4 MiB announced with Expect: 100-continue: 401 at once, "
         "no 100 Continue" % what, repr(got[:200]))


def attack(label, conns, token=None):
    """hubattack upload: conns connections at once, each sending its head
    and its 4 MiB body without waiting, each once; -> its figures."""
    args = [sys.executable, "-I", "-S", ATTACK, "upload", "--port", str(port),
            "--conns", str(conns), "--once", "--seconds", "120"]
    if token:
        args += ["--token-file", hub.token_file(token, label)]
    p = spawn(args, stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=150)
    m = re.search(r"opened (\d+) closed (\d+).* answers (.*)$", out.strip())
    statuses = dict(x.split(":") for x in m.group(3).split() if ":" in x) if m else {}
    return out.strip(), m, statuses


rss0, hwm0 = hub.mem()
out, m, st = attack("tokenless", 300)
rss1, hwm1 = hub.mem()
t.diag("300 tokenless 4 MiB uploads: " + out)
t.ok(m and m.group(1) == "300" and m.group(2) == "300",
     "300 tokenless uploads made, and the hub closed each", out)


def only_401(st, n):
    return set(st) <= {"401"} and "100" not in st


t.ok(only_401(st, 300), "none was told 100 Continue; every answer was 401 (%s of 300; "
     "the rest cut by the reset of the close)" % st.get("401", 0), out)
t.diag("hub memory: VmRSS %d MiB before, VmHWM %d MiB at its peak, VmRSS %d MiB after"
       % (rss0 // MIB, hwm1 // MIB, rss1 // MIB))
t.ok(hwm1 - rss0 < 256 * MIB, "the hub grew by less than 256 MiB (%d MiB)"
     % ((hwm1 - rss0) // MIB))
t.ok(rss1 - rss0 < 64 * MIB, "it is back within 64 MiB of where it started (%+d MiB)"
     % ((rss1 - rss0) // MIB))

out, m, st = attack("badtoken", 50, "fbt_" + "1" * 64)
t.ok(m and m.group(2) == "50" and only_401(st, 50),
     "50 uploads with a bad token: closed, none told 100 Continue", out)
out, m, st = attack("revoked", 50, revoked_tok)
t.ok(m and m.group(2) == "50" and only_401(st, 50),
     "50 uploads with a revoked token: closed, none told 100 Continue", out)
rss2, hwm2 = hub.mem()
t.ok(hwm2 - rss0 < 256 * MIB and rss2 - rss0 < 64 * MIB,
     "and still: peak +%d MiB, now %+d MiB" % ((hwm2 - rss0) // MIB, (rss2 - rss0) // MIB))

# --- the bodies' budget ----------------------------------------------------
held = []
for i in range(16):
    tok = tokens[i][0]
    s = connect(port, source="127.0.5.%d" % (i + 1))
    s.sendall(head(b"Authorization: Bearer " + tok.encode() + b"\r\n"))
    status, got = read_head(s)
    held.append(s)
    if status != 100:
        t.ok(False, "good token %d: 100 Continue" % (i + 1), repr(got))
        break
else:
    t.ok(True, "16 good tokens announce 4 MiB each: 100 Continue each (64 MiB reserved)")
s = connect(port, source="127.0.5.17")
s.sendall(head(b"Authorization: Bearer " + tokens[16][0].encode() + b"\r\n"))
status, got = read_head(s)
body = s.recv(4096)
s.close()
t.ok(status == 503 and b"Retry-After:" in got and b'"busy"' in body,
     "the 17th: 503 busy with Retry-After, before its body", repr(got + body))

first = held.pop(0)
first.close()
mark = "127.0.5.1 "
for _ in range(400):                 # the line of the closed one: room again
    if any(mark in l for l in hub.lines()):
        break
    time.sleep(0.05)
t.ok(any(mark in l and "closed the connection" in l for l in hub.lines()),
     "the first one's sender left: its line is written")
s = connect(port, source="127.0.5.18")
s.sendall(head(b"Authorization: Bearer " + tokens[16][0].encode() + b"\r\n"))
status, got = read_head(s)
s.close()
t.ok(status == 100, "then the 17th token's body is taken (100 Continue)", repr(got))
for s in held:
    s.close()

rc = hub.stop()
t.ok(rc == 0, "the hub stops cleanly (exit %s)" % rc)
lines = hub.lines()
refused = [l for l in lines if " 401 " in l]
t.ok(len(refused) == 403 and all(" in=0 " in l for l in refused),
     "403 refusals in the log, one line each, no body byte read (in=0)",
     "%d lines; %s" % (len(refused), [l for l in refused if " in=0 " not in l][:3]))
t.done()
