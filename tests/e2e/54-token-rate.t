#!/usr/bin/env python3
# 54-token-rate.t - a limit per token, and how the laptop lives with it.
#
#  - A token that sends requests faster than its rate (a burst of 300,
#    then 5 a second) gets 429 rate_limited with Retry-After; while it
#    keeps flooding, another laptop syncs normally and never meets a 429;
#    once the flood stops and Retry-After has passed, the token is served.
#  - A hub's token (enroll --hub), which relays a unit's laptops, has ten
#    times the burst: 400 requests at once are all served.
#  - A token may have 4 requests under way at once; a fifth gets 429.
#  - The laptop waits out a 429 (its Retry-After) and sends the request
#    again, within the same sync, 3 times in all; still refused, the sync
#    exits 75 with one line, and nothing is lost.  The 429s here come from
#    a proxy in front of the hub that refuses the requests it is told to:
#    what the laptop meets is then exactly known, not left to timing.
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hublib import ATTACK, FB, Tap, Hub, connect, raw, read_head, run, spawn, tmpdir  # noqa: E402

t = Tap(240)
tmp = tmpdir("rate")
hub = Hub(tmp)
tok_a, dev_a = hub.enroll("laptop A, flooding")
tok_b, dev_b = hub.enroll("laptop B")
tok_c, dev_c = hub.enroll("laptop C")
tok_h, dev_h = hub.enroll("a district hub", hub=True)
port = hub.start()
H = b"Host: hub\r\n"


def laptop(name, token, url):
    db = os.path.join(tmp, name + ".db")
    tf = hub.token_file(token, name + ".tok")
    for args in (("init", "--branch", "HN.B1"), ("remote", "set", url, "--token-file", tf)):
        r = run(FB, "--db", db, *args)
        if r.returncode != 0:
            print("Bail out! laptop %s: %s" % (name, r.stderr))
            sys.exit(1)
    return db


def add_member(db, name):
    r = run(FB, "--db", db, "member", "add", "--name", name)
    return r.stdout.strip()


def pending(db):
    r = run(FB, "--db", db, "status", "--json")
    return json.loads(r.stdout)["pending_entries"]


def status_of(path):
    try:
        with open(path) as f:
            return f.readline().strip()
    except OSError:
        return ""


def counts(line):
    m = re.search(r"answers (.*?)( retry-after|$)", line)
    return dict((k, int(v)) for k, v in (x.split(":") for x in m.group(1).split() if ":" in x)) if m else {}


class Proxy:
    """A proxy in front of the hub, one request a connection.  It refuses
    with 429 (Retry-After: 1) the first `refuse[kind]` requests of each
    kind ("push", "pull"; -1: all of them), and forwards the others; gate,
    if given, is called before each is forwarded (it may wait)."""

    def __init__(self, refuse, gate=None):
        self.refuse = dict(refuse)
        self.gate = gate
        self.seen = {"push": 0, "pull": 0}
        self.refused = {"push": 0, "pull": 0}
        self.times = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        th = threading.Thread(target=self.serve, daemon=True)
        th.start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(c,), daemon=True).start()

    def one(self, c):
        c.settimeout(30)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                d = c.recv(4096)
                if not d:
                    return
                data += d
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            kind = "push" if lines[0].startswith(b"POST") else "pull"
            hdrs = [l for l in lines[1:] if not l.lower().startswith(b"expect:")]
            n = 0
            for l in hdrs:
                if l.lower().startswith(b"content-length:"):
                    n = int(l.split(b":")[1])
            with self.lock:
                self.seen[kind] += 1
                self.times.append((kind, time.monotonic()))
                left = self.refuse.get(kind, 0)
                no = left != 0
                if left > 0:
                    self.refuse[kind] = left - 1
                if no:
                    self.refused[kind] += 1
            if no:
                # hub_time: the hub's clock, as a real hub would say it.
                msg = (b'{"error":"rate_limited","message":"refused by the test",'
                       b'"hub_time":"%016x"}' % (int(time.time() * 1000) << 16))
                c.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n"
                          b"Content-Type: application/json\r\nFieldbook-Protocol: 2\r\n"
                          b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(msg) + msg)
                return
            if self.gate:
                self.gate()
            if any(l.lower() == b"expect: 100-continue" for l in lines[1:]):
                c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            while len(body) < n:
                d = c.recv(65536)
                if not d:
                    return
                body += d
            h = socket.create_connection(("127.0.0.1", port), timeout=30)
            h.sendall(b"\r\n".join([lines[0]] + hdrs + [b"Connection: close"]) +
                      b"\r\n\r\n" + body)
            answer = b""
            while True:
                d = h.recv(65536)
                if not d:
                    break
                answer += d
            h.close()
            c.sendall(answer)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.sock.close()



# --- a flooding token --------------------------------------------------------
st_file = os.path.join(tmp, "flood.status")
flood = spawn([sys.executable, "-I", "-S", ATTACK, "flood", "--port", str(port),
               "--token-file", hub.token_file(tok_a, "a.tok"), "--status", st_file,
               "--seconds", "180"], stdout=subprocess.PIPE, text=True)
for _ in range(1200):                      # until the first 429, at most 120 s
    if counts(status_of(st_file)).get("429"):
        break
    if flood.poll() is not None:
        break
    time.sleep(0.1)
line = status_of(st_file)
c = counts(line)
t.ok(c.get("429", 0) >= 1 and c.get("200", 0) >= 300,
     "a token flooding pulls is served its burst, then gets 429 (%s)" % line, line)
m = re.search(r"retry-after (\S+)", line)
t.ok(m and m.group(1).isdigit() and 1 <= int(m.group(1)) <= 60,
     "the 429 says Retry-After: %s (1 to 60 s)" % (m.group(1) if m else "none"), line)
a = raw(port, b"GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\n" + H +
        b"Authorization: Bearer " + tok_a.encode() + b"\r\n\r\n")
doc = json.loads(a.body or b"{}")
t.ok(a.status == 429 and doc.get("error") == "rate_limited" and a.closed,
     "its answer: 429 rate_limited, connection closed (%s)" % doc.get("message"), repr(a))

# Another laptop syncs while the flood goes on.  Its requests pass a gate
# that lets each go to the hub only once A has been refused again since
# the one before: the flood is under way all through B's sync, by
# construction, whatever the speed of either.
gate_log = []


def flood_refused_again():
    seen = gate_log[-1] if gate_log else 0
    for _ in range(300):                   # at most 30 s
        n = counts(status_of(st_file)).get("429", 0)
        if n > seen:
            gate_log.append(n)
            return
        time.sleep(0.1)
    gate_log.append(-1)


gate = Proxy({}, gate=flood_refused_again)
B = laptop("B", tok_b, "http://127.0.0.1:%d" % gate.port)
add_member(B, "Võ Thị Sáu")
t0 = time.monotonic()
r = run(FB, "--db", B, "sync")
took = time.monotonic() - t0
t.ok(r.returncode == 0, "laptop B syncs while A floods (exit 0)", r.stderr)
t.diag("laptop B's sync took %.0f ms during the flood (its requests waited for A's 429s)"
       % (took * 1000))
t.ok(pending(B) == 0, "B has nothing pending")
t.ok(len(gate_log) == sum(gate.seen.values()) >= 1 and -1 not in gate_log,
     "A was refused again before each of B's %d requests (429s so far: %s)"
     % (sum(gate.seen.values()), gate_log))
gate.close()
flood.terminate()
out, _ = flood.communicate(timeout=30)
t.diag("flood: " + out.strip())

# Retry-After passed, A is served again.
a = raw(port, b"GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\n" + H +
        b"Authorization: Bearer " + tok_a.encode() + b"\r\n\r\n")
wait = int(a.headers.get("retry-after", "1"))
time.sleep(wait)
a = raw(port, b"GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\n" + H +
        b"Authorization: Bearer " + tok_a.encode() + b"\r\nConnection: close\r\n\r\n")
t.ok(a.status == 200, "once its Retry-After (%d s) has passed, A is served" % wait, repr(a))

# --- a hub's token -------------------------------------------------------------
s = connect(port)
got = {}
for i in range(400):
    s.sendall(b"GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\n" + H +
              b"Authorization: Bearer " + tok_h.encode() + b"\r\n\r\n")
    st, head = read_head(s)
    n = int(re.search(rb"Content-Length: (\d+)", head).group(1)) if st else 0
    while n > 0:
        n -= len(s.recv(n))
    got[st] = got.get(st, 0) + 1
    if st != 200:
        break
s.close()
t.ok(got == {200: 400}, "a hub's token is served 400 requests in a row (%s)" % got)

# --- requests under way --------------------------------------------------------
held = []
statuses = []
for i in range(5):
    s = connect(port)
    s.sendall(b"POST /v2/push HTTP/1.1\r\n" + H + b"Authorization: Bearer " + tok_c.encode() +
              b"\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n")
    st, got = read_head(s)
    statuses.append(st)
    held.append(s)
t.ok(statuses == [100, 100, 100, 100, 429],
     "a token's 4 pushes under way are taken, a fifth is refused 429 (%s)" % statuses)
for s in held:
    s.close()


# --- the laptop and 429s ------------------------------------------------------
p = Proxy({"push": 2, "pull": 1})
C = laptop("C", tok_c, "http://127.0.0.1:%d" % p.port)
rid = add_member(C, "Lý Thị Bình")
r = run(FB, "--db", C, "sync")
t.ok(r.returncode == 0, "two 429s of a push in one sync are waited out: exit 0",
     r.stderr)
t.ok(p.refused == {"push": 2, "pull": 0} and p.seen["push"] == 3 and p.seen["pull"] == 0,
     "the laptop sent the refused push again until it went through, and its answer"
     " brought the pull (%s refused of %s)" % (p.refused, p.seen))
r = run(FB, "--db", C, "sync", "--pull-only")
t.ok(r.returncode == 0 and p.refused == {"push": 2, "pull": 1} and p.seen["pull"] == 2,
     "a pull refused 429 is waited out and asked again (%s refused of %s)"
     % (p.refused, p.seen), r.stderr)
t.ok(pending(C) == 0, "C has nothing pending")
r2 = run("sqlite3", hub.db, "select count(*) from record where id = '%s'" % rid)
t.ok(r2.stdout.strip() == "1", "the hub has C's member")
gaps = [b - a for (k1, a), (k2, b) in zip(p.times, p.times[1:])]
t.diag("the laptop's waits between requests: %s s" % ", ".join("%.1f" % g for g in gaps))
p.close()

p = Proxy({"push": -1, "pull": -1})
run(FB, "--db", C, "remote", "set", "http://127.0.0.1:%d" % p.port, "--token-file",
    os.path.join(tmp, "C.tok"))
add_member(C, "Đinh Thị Hà")
before = pending(C)
r = run(FB, "--db", C, "sync")
errs = r.stderr.strip().split("\n")
t.ok(r.returncode == 75, "every request refused 429: the sync exits 75 (exit %d)" % r.returncode,
     r.stderr)
t.ok(len(errs) == 1 and errs[0].startswith("fieldbook: ") and "429" in errs[0],
     "with one line that names the 429: %s" % errs[0], r.stderr)
t.ok(p.seen["push"] == 4 and p.seen["pull"] == 0,
     "it sent the push 4 times (once, and 3 times again), then gave up (%s)" % p.seen)
t.ok(pending(C) == before and before > 0, "nothing is lost: %d entries still pending" % before)
p.close()

rc = hub.stop()
t.ok(rc == 0, "the hub stops cleanly (exit %s)" % rc)
lines = hub.lines()
b_lines = [l for l in lines if " device=%d " % dev_b in l]
t.ok(b_lines and not [l for l in b_lines if " 429 " in l],
     "laptop B never met a 429 (%d requests)" % len(b_lines), "\n".join(b_lines))
t.done()
