"""hublib.py - helpers of the Python end-to-end tests of the hub's
hardening (tests/e2e/5x-*.t), as lib.sh and synclib.sh are for the shell
tests.  Python's standard library only.

    t = Tap(limit_s)             TAP: t.ok(cond, desc, diag), t.diag(text),
                                 t.done() (the plan, and the exit status);
                                 the whole script is stopped after limit_s
    h = Hub(tmp)                 a hub database (HN > HN.C > HN.B1, HN.B2) in tmp;
                                 h.enroll(name) -> (token, device number)
                                 h.start(*args) serves it on 127.0.0.1:0
                                 (its stderr, the request log, in h.log);
                                 h.stop() SIGTERMs it (killed past 20 s)
                                 and returns its exit status; h.lines()
                                 the log's lines; h.mem() its VmRSS and
                                 VmHWM in KiB (/proc/PID/status)
    raw(port, data, source=...)  send bytes on a new connection from the
                                 local address source; -> Answer (status,
                                 headers, body, every byte, closed: the
                                 hub closed the connection after it)
    member_batch(...)            a version 1 push of one member, its hash
                                 chain as docs/PROTOCOL.md §5 gives it

Every server started here is stopped by its pid when the script exits;
every wait is bounded.
"""

import atexit
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FB = os.environ.get("FIELDBOOK") or os.path.join(HERE, "../../build/bin/fieldbook")
HUB = os.environ.get("FIELDBOOK_HUB") or os.path.join(HERE, "../../build/bin/fieldbook-hub")
ATTACK = os.path.join(HERE, "hubattack.py")
TIMEOUT = 30              # any one command or request


class Tap:
    def __init__(self, limit_s):
        self.n = 0
        self.failed = 0
        # A watchdog: the whole script, bounded.
        t = threading.Timer(limit_s, self._out_of_time)
        t.daemon = True
        t.start()

    def _out_of_time(self):
        print("Bail out! %s ran out of time" % os.path.basename(sys.argv[0]))
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGTERM)

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
            if diag is not None:
                self.diag(diag)
        sys.stdout.flush()
        return cond

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        if self.failed:
            self.diag("%d of %d failed" % (self.failed, self.n))
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)


_children = []


def _cleanup():
    for p in _children:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))


def spawn(args, **kw):
    """A child process killed by pid when the script exits."""
    p = subprocess.Popen(args, **kw)
    _children.append(p)
    return p


def run(*args, stdin=None, env=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT,
                          input=stdin, env=env)


def tmpdir(name):
    d = tempfile.mkdtemp(prefix="fieldbook-%s." % name)
    atexit.register(shutil.rmtree, d, True)
    return d


class Hub:
    def __init__(self, tmp):
        self.tmp = tmp
        self.db = os.path.join(tmp, "hub.db")
        self.proc = None
        self.port = None
        self.log = None
        self.starts = 0
        for s in ([HUB, "--db", self.db, "init", "--unit", "HN", "--name", "Hà Nội",
                   "--level", "province"],
                  [HUB, "--db", self.db, "unit", "add", "HN.C", "--parent", "HN",
                   "--level", "commune", "--name", "Xã Một"],
                  [HUB, "--db", self.db, "unit", "add", "HN.B1", "--parent", "HN.C",
                   "--level", "branch", "--name", "Chi hội 1"],
                  [HUB, "--db", self.db, "unit", "add", "HN.B2", "--parent", "HN.C",
                   "--level", "branch", "--name", "Chi hội 2"]):
            r = run(*s)
            if r.returncode != 0:
                print("Bail out! hub setup failed: " + r.stderr)
                sys.exit(1)

    def enroll(self, name, unit="HN.B1", hub=False):
        r = run(HUB, "--db", self.db, "enroll", "--unit", unit, "--name", name,
                *(["--hub"] if hub else []))
        m = re.search(r"(?:device|hub) (\d+) enrolled", r.stderr)
        tok = r.stdout.strip()
        if r.returncode != 0 or not m or not re.fullmatch(r"fbt_[0-9a-f]{64}", tok):
            print("Bail out! enroll failed: " + r.stderr)
            sys.exit(1)
        return tok, int(m.group(1))

    def token_file(self, token, name):
        path = os.path.join(self.tmp, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (token + "\n").encode())
        os.close(fd)
        return path

    def start(self, *args, binary=None):
        self.starts += 1
        pf = os.path.join(self.tmp, "hub-%d.port" % self.starts)
        self.log = os.path.join(self.tmp, "hub-%d.log" % self.starts)
        with open(self.log, "w") as log:
            self.proc = spawn([binary or HUB, "--db", self.db, "serve", "--listen",
                               "127.0.0.1:0", "--port-file", pf] + list(args),
                              stdout=subprocess.DEVNULL, stderr=log,
                              stdin=subprocess.DEVNULL)
        for _ in range(200):
            try:
                with open(pf) as f:
                    text = f.read()
                if text.endswith("\n") and text.strip().isdigit():
                    self.port = int(text)
                    return self.port
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        print("Bail out! the hub did not start: " + open(self.log).read()[:300])
        sys.exit(1)

    def stop(self):
        if not self.proc:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(timeout=10)
        self.proc = None
        return rc

    def lines(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return [l for l in f.read().split("\n") if l]

    def mem(self):
        """(VmRSS, VmHWM) of the running hub, in KiB."""
        got = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    got[k] = int(v.split()[0])
        return got["VmRSS"], got["VmHWM"]


class Answer:
    def __init__(self, data, closed):
        self.data = data
        self.closed = closed
        self.status = None
        self.headers = {}
        self.body = b""
        head, sep, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0]) if lines else None
        if m:
            self.status = int(m.group(1))
            for l in lines[1:]:
                k, _, v = l.partition(b":")
                self.headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
            n = int(self.headers.get("content-length", "0") or 0)
            self.body = rest[:n]
            self.rest = rest[n:]     # bytes after the first answer
        else:
            self.rest = b""

    def __repr__(self):
        return "Answer(%r, closed=%s)" % (self.data[:300], self.closed)


def connect(port, source=None, timeout=TIMEOUT):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_all(s):
    """Every byte until the hub closes (closed True) or goes quiet for the
    socket's timeout (closed False)."""
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return data, True
            data += d
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


def raw(port, data, source=None, timeout=TIMEOUT):
    s = connect(port, source, timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass        # the hub answered early and closed: read that
        got, closed = read_all(s)
    finally:
        s.close()
    return Answer(got, closed)


def read_head(s):
    """One answer's head (status line and headers) from s, and its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(1)
        if not d:
            break
        data += d
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return (int(m.group(1)) if m else None), data


# --- the protocol, as docs/PROTOCOL.md gives it --------------------------

def u64(v):
    return struct.pack(">Q", v)


def s64(b):
    return u64(len(b)) + b


def chain(prev, device, seq, hlc, rid, rtype, branch, entries):
    h = prev
    for i, (f, v, bh, bd) in enumerate(entries):
        m = hashlib.sha256()
        m.update(h + b"fbj1" + s64(device.encode()) + u64(seq + i) + u64(hlc) +
                 s64(rid.encode()) + s64(rtype.encode()) + s64(branch.encode()) +
                 s64(f.encode()) + s64(v.encode()) + u64(bh) + s64(bd.encode()))
        h = m.digest()
    return h


def member_batch(device, seq, rid, name, branch="HN.B1", prev=bytes(32)):
    hlc = int(time.time() * 1000) << 16
    entries = [("full_name", name, 0, "")]
    last = chain(prev, device, seq, hlc, rid, "member", branch, entries)
    return {"v": 1, "device": device, "seq": seq, "branch": branch,
            "changes": [{"h": "%016x" % hlc, "id": rid, "t": "member",
                         "e": [[f, v, ""] for f, v, _, _ in entries]}],
            "last_hash": last.hex()}
