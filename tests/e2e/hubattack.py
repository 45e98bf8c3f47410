#!/usr/bin/env python3
"""hubattack.py - slow and greedy HTTP clients against a hub on loopback,
for the tests of the hub's hardening (tests/e2e/5x-*.t) and for
tests/bench/attacks.sh, which measures the hub under them.

    hubattack.py MODE --port P [--conns N] [--source ADDR] [--token-file F]
                 [--interval S] [--opens-max M] [--seconds S] [--status F]

Keeps N connections to 127.0.0.1:P open at once, from the local address
ADDR (default 127.0.0.2, so that the attacker is one address and the
laptops of a test another), each doing MODE:

  head    slowloris: a request line and one header, then one more header
          line every --interval seconds; the head is never ended
  body    a whole POST /v2/push head with Content-Length 4 MiB (and the
          token of --token-file, if given), then one body byte every
          --interval seconds
  read    a whole GET /v1/health, pipelined 1000 times, with a 1 KiB
          receive buffer, reading one byte every --interval seconds
  upload  a POST /v2/push head with Content-Length 4 MiB and
          "Expect: 100-continue" (and the token, if given), then the
          whole body as fast as the hub takes it
  flood   GET /v2/pull with the token, one request after the other on a
          kept-alive connection (one connection; --conns is ignored),
          as fast as the hub answers; counted by status, and the first
          429's Retry-After kept ("retry-after N" in the status)

A connection the hub closes is opened again (and counted), up to
--opens-max openings in all; so the attack goes on at N connections for as
long as it runs.  It stops after --seconds (default 120) or on SIGTERM,
and prints one line of figures: opened, closed by the hub, the most held
at once, the answers' first status lines by status, and the bytes sent.

With --status F it writes (replaces) F with that line as it goes, and
"held N" once N connections were open at once with their first bytes
sent: a test waits for that line (progress, not time) before it looks at
the hub.  --once: do not open again what the hub closed (upload mode:
each connection sends its body once); the attack then ends by itself
when every connection is closed, and the line says "done".

Python's standard library only; every loop is bounded by --seconds.
"""

import argparse
import errno
import os
import resource
import selectors
import signal
import socket
import sys
import time

BODY = 4 * 1024 * 1024
CHUNK = 65536
PIPELINE = 1000


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("head", "body", "read", "upload", "flood"))
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--conns", type=int, default=1100)
    p.add_argument("--source", default="127.0.0.2")
    p.add_argument("--token-file")
    p.add_argument("--interval", type=float, default=5.0)
    p.add_argument("--opens-max", type=int, default=0)
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--status")
    p.add_argument("--once", action="store_true")
    return p.parse_args()


class Conn:
    __slots__ = ("sock", "out", "sent", "next_ms", "got", "status", "mode",
                 "body_left")

    def __init__(self, sock, mode):
        self.sock = sock
        self.out = b""
        self.sent = 0
        self.next_ms = 0.0       # when it writes (or, read mode, reads) again
        self.got = b""
        self.status = None       # the answer's status, once its line came
        self.mode = mode
        self.body_left = 0


def read_answer(s):
    """One whole answer (head, and a body of Content-Length bytes) from
    the blocking socket s: (status, headers dict), or (None, {}) when the
    hub closed the connection first."""
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(4096)
        if not d:
            return None, {}
        data += d
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    need = int(headers.get("content-length", "0") or 0) - len(rest)
    while need > 0:
        d = s.recv(min(need, 65536))
        if not d:
            break
        need -= len(d)
    parts = lines[0].split(" ")
    return (parts[1] if len(parts) > 1 else "?"), headers


def flood(a, token):
    """The flood mode: requests one after the other, until stopped."""
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    statuses = {}
    retry_after = [None]
    opened = [0]
    end = time.monotonic() + a.seconds
    req = ("GET /v2/pull?device=0123456789abcdef HTTP/1.1\r\nHost: hub\r\n"
           "Authorization: Bearer %s\r\n\r\n" % token).encode()
    last = [0.0]

    def line():
        st = " ".join("%s:%d" % kv for kv in sorted(statuses.items()))
        return ("%s opened %d answers %s%s" % (
            "done" if stop[0] else "running", opened[0], st or "-",
            " retry-after %s" % retry_after[0] if retry_after[0] else ""))

    def write(force=False):
        now = time.monotonic()
        if a.status and (force or now - last[0] >= 0.1):
            last[0] = now
            with open(a.status + ".tmp", "w") as f:
                f.write(line() + "\n")
            os.replace(a.status + ".tmp", a.status)

    s = None
    while not stop[0] and time.monotonic() < end:
        if s is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(30)
            s.bind((a.source, 0))
            s.connect(("127.0.0.1", a.port))
            opened[0] += 1
        try:
            s.sendall(req)
            code, headers = read_answer(s)
        except OSError:
            code, headers = None, {}
        if code is None:
            s.close()
            s = None
            continue
        statuses[code] = statuses.get(code, 0) + 1
        if code == "429" and retry_after[0] is None:
            retry_after[0] = headers.get("retry-after", "none")
        if headers.get("connection", "").lower() == "close":
            s.close()
            s = None
        write()
    stop[0] = True
    write(force=True)
    print(line())


def main():
    a = parse()
    token = open(a.token_file).read().strip() if a.token_file else None
    if a.mode == "flood":
        return flood(a, token)
    auth = ("Authorization: Bearer %s\r\n" % token).encode() if token else b""
    need = a.conns + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    opens_max = a.opens_max or a.conns * 50
    sel = selectors.DefaultSelector()
    conns = {}
    stats = {"opened": 0, "closed": 0, "held": 0, "statuses": {}, "sent": 0,
             "failed": 0}
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    held_said = [False]
    last_status_write = [0.0]
    end = time.monotonic() + a.seconds

    def status_line(final=False):
        st = " ".join("%s:%d" % kv for kv in sorted(stats["statuses"].items()))
        return ("%s opened %d closed %d held %d open %d failed %d sent %d answers %s"
                % ("done" if final else "running", stats["opened"], stats["closed"],
                   stats["held"], len(conns), stats["failed"], stats["sent"],
                   st or "-"))

    def write_status(force=False):
        if not a.status:
            return
        now = time.monotonic()
        if not force and now - last_status_write[0] < 0.2:
            return
        last_status_write[0] = now
        tmp = a.status + ".tmp"
        with open(tmp, "w") as f:
            f.write(status_line(final=force and stop[0]) + "\n")
            if held_said[0]:
                f.write("held %d\n" % a.conns)
        os.replace(tmp, a.status)

    def first_bytes():
        if a.mode == "head":
            return (b"GET /v1/health HTTP/1.1\r\nHost: hub\r\n"
                    b"User-Agent: slow\r\n")
        if a.mode == "body":
            return (b"POST /v2/push HTTP/1.1\r\nHost: hub\r\n" + auth +
                    b"Content-Length: %d\r\n\r\n" % BODY + b"x")
        if a.mode == "read":
            return b"GET /v1/health HTTP/1.1\r\nHost: hub\r\n\r\n" * PIPELINE
        return (b"POST /v2/push HTTP/1.1\r\nHost: hub\r\n" + auth +
                b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % BODY)

    def open_one():
        if stats["opened"] >= opens_max:
            return False
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if a.mode == "read":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        try:
            s.bind((a.source, 0))
        except OSError as e:
            print("hubattack: cannot bind %s: %s" % (a.source, e), file=sys.stderr)
            s.close()
            stop[0] = True
            return False
        err = s.connect_ex(("127.0.0.1", a.port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            stats["failed"] += 1
            return True
        c = Conn(s, a.mode)
        c.out = first_bytes()
        if a.mode == "upload":
            c.body_left = BODY
        conns[s.fileno()] = c
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        stats["opened"] += 1
        return True

    def close(c, by_hub):
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        conns.pop(c.sock.fileno(), None)
        c.sock.close()
        if by_hub:
            stats["closed"] += 1

    def count(code):
        stats["statuses"][code] = stats["statuses"].get(code, 0) + 1

    def note_answer(c, data):
        """The status of the first answer on c ("100 Continue" aside, but
        counted: a test asserts the hub never sent it before a refusal)."""
        if c.status is not None:
            return
        c.got += data[:256]
        while c.status is None:
            head, sep, rest = c.got.partition(b"\r\n")
            if not sep:
                if len(c.got) >= 256:
                    c.status = "?"
                    count("?")
                return
            parts = head.split(b" ")
            code = parts[1].decode("ascii", "replace") if len(parts) > 1 else "?"
            if code != "100":
                c.status = code
                count(code)
                return
            count("100")
            _, sep, after = c.got.partition(b"\r\n\r\n")
            if not sep:
                c.got = b""        # the rest of its head comes later: dropped
                return
            c.got = after

    def want(c, now):
        ev = 0
        if c.out or (c.mode == "upload" and c.body_left > 0):
            ev |= selectors.EVENT_WRITE
        if c.mode != "read" or c.sent == 0 or now >= c.next_ms:
            ev |= selectors.EVENT_READ
        return ev

    def update(c, now):
        ev = want(c, now)
        try:
            if ev:
                sel.modify(c.sock, ev, c)
            else:
                sel.unregister(c.sock)
        except KeyError:
            if ev:
                sel.register(c.sock, ev, c)
        except ValueError:
            pass

    def on_read(c, now):
        try:
            data = c.sock.recv(1 if c.mode == "read" and c.status is not None else CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            close(c, True)
            return
        note_answer(c, data)
        if c.mode == "read" and c.status is not None:
            c.next_ms = now + a.interval

    def on_write(c, now):
        if c.out:
            piece = c.out
        elif c.mode == "upload" and c.body_left > 0:
            piece = b"x" * min(CHUNK, c.body_left)
        else:
            return
        try:
            n = c.sock.send(piece)
        except BlockingIOError:
            return
        except OSError:
            close(c, True)
            return
        if c.out:
            c.out = c.out[n:]
            if not c.out:
                c.next_ms = now + a.interval
        else:
            c.body_left -= n
        c.sent += n
        stats["sent"] += n

    while not stop[0] and time.monotonic() < end:
        while len(conns) < a.conns and not stop[0] and not (a.once and stats["opened"] >= a.conns):
            if not open_one():
                break
        if a.once and not conns and stats["opened"] >= a.conns:
            break
        sending = sum(1 for c in conns.values() if c.sent > 0)
        stats["held"] = max(stats["held"], sending)
        if sending >= a.conns and not held_said[0]:
            held_said[0] = True
            write_status(force=True)
        for key, mask in sel.select(timeout=0.05):
            c = key.data
            now = time.monotonic()
            if mask & selectors.EVENT_READ:
                on_read(c, now)
            if mask & selectors.EVENT_WRITE and c.sock.fileno() in conns:
                on_write(c, now)
            if c.sock.fileno() in conns:
                update(c, now)
        # Ticks: one more header line or body byte, or a byte to read.
        now = time.monotonic()
        for c in list(conns.values()):
            if c.sent and not c.out and now >= c.next_ms:
                if c.mode == "head":
                    c.out = b"X-a: b\r\n"
                    c.next_ms = now + a.interval
                elif c.mode == "body":
                    c.out = b"x"
                    c.next_ms = now + a.interval
            update(c, now)
        write_status()
    stop[0] = True
    line = status_line(final=True)
    for c in list(conns.values()):
        close(c, False)
    write_status(force=True)
    print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
