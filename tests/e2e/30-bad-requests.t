#!/usr/bin/env python3
# 30-bad-requests.t - a catalogue of hostile and broken requests sent to a
# live hub on loopback.  Each must get its documented 4xx status and a
# JSON error ({"error": code, "message": text}); after each the hub must
# still answer /v1/health, and at the end the hub's data must be exactly
# what it was before the catalogue (the few valid requests in it, such
# as a replayed batch, change nothing by design).
#
# Python's standard library only: http.client, socket, zlib, hashlib.

import hashlib
import http.client
import json
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FB = os.environ.get("FIELDBOOK") or os.path.join(HERE, "../../build/bin/fieldbook")
HUB = os.environ.get("FIELDBOOK_HUB") or os.path.join(HERE, "../../build/bin/fieldbook-hub")
DEADLINE = time.monotonic() + 240     # the whole script, bounded

n = 0
failed = 0


def ok(cond, desc, diag=None):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        if diag:
            for line in str(diag).splitlines():
                print(f"# {line}")
    sys.stdout.flush()


def run(*args, stdin=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, input=stdin)


tmp = tempfile.mkdtemp(prefix="fieldbook-bad.")
hub_db = os.path.join(tmp, "hub.db")
hub_proc = None


def cleanup():
    if hub_proc and hub_proc.poll() is None:
        hub_proc.kill()
        hub_proc.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)


def setup():
    global hub_proc
    steps = [
        [HUB, "--db", hub_db, "init", "--unit", "HN", "--name", "Hà Nội", "--level", "province"],
        [HUB, "--db", hub_db, "unit", "add", "HN.C", "--parent", "HN", "--level", "commune", "--name", "Xã Một"],
        [HUB, "--db", hub_db, "unit", "add", "HN.B1", "--parent", "HN.C", "--level", "branch", "--name", "Chi hội 1"],
        [HUB, "--db", hub_db, "unit", "add", "HN.B2", "--parent", "HN.C", "--level", "branch", "--name", "Chi hội 2"],
    ]
    for s in steps:
        r = run(*s)
        if r.returncode != 0:
            print(f"Bail out! hub setup failed: {r.stderr}")
            sys.exit(1)
    tokens = []
    for name in ("laptop 1", "laptop 2", "laptop 3"):
        r = run(HUB, "--db", hub_db, "enroll", "--unit", "HN.B1", "--name", name)
        tokens.append(r.stdout.strip())
    port_file = os.path.join(tmp, "port")
    log = open(os.path.join(tmp, "hub.log"), "w")
    hub_proc = subprocess.Popen([HUB, "--db", hub_db, "serve", "--listen", "127.0.0.1:0",
                                 "--port-file", port_file], stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(100):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)
    else:
        print("Bail out! the hub did not start")
        sys.exit(1)
    return tokens, int(open(port_file).read())


# --- the protocol, as docs/PROTOCOL.md gives it ---------------------------

def u64(v):
    return struct.pack(">Q", v)


def s64(b):
    return u64(len(b)) + b


def chain(prev, device, seq, hlc, rid, rtype, branch, entries):
    """Hash entries [(field, value, base_hlc, base_device)] as journal.c does."""
    h = prev
    for i, (f, v, bh, bd) in enumerate(entries):
        m = hashlib.sha256()
        m.update(h + b"fbj1" + s64(device.encode()) + u64(seq + i) + u64(hlc) +
                 s64(rid.encode()) + s64(rtype.encode()) + s64(branch.encode()) +
                 s64(f.encode()) + s64(v.encode()) + u64(bh) + s64(bd.encode()))
        h = m.digest()
    return h


def hlc_now(offset_ms=0):
    return (int(time.time() * 1000) + offset_ms) << 16


def member_batch(device, seq, rid, name, branch="HN.B1", prev=bytes(32), hlc=None):
    hlc = hlc or hlc_now()
    entries = [("full_name", name, 0, "")]
    last = chain(prev, device, seq, hlc, rid, "member", branch, entries)
    body = {"v": 1, "device": device, "seq": seq, "branch": branch,
            "changes": [{"h": f"{hlc:016x}", "id": rid, "t": "member",
                         "e": [[f, v, ""] for f, v, _, _ in entries]}],
            "last_hash": last.hex()}
    return body, last


class Hub:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None, timeout=10):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            enc = r.getheader("Content-Encoding")
            if enc == "deflate":
                data = zlib.decompress(data)
            return r.status, data
        finally:
            c.close()

    def push(self, token, obj=None, raw=None, compress=True, headers=None):
        payload = raw if raw is not None else json.dumps(obj, ensure_ascii=False).encode()
        h = {"Content-Type": "application/json"}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if compress:
            payload = zlib.compress(payload, 6)
            h["Content-Encoding"] = "deflate"
        h.update(headers or {})
        return self.request("POST", "/v1/push", payload, h)

    def healthy(self):
        try:
            st, _ = self.request("GET", "/v1/health", timeout=5)
            return st == 200
        except OSError:
            return False


def snapshot():
    db = sqlite3.connect(f"file:{hub_db}?mode=ro", uri=True)
    try:
        out = []
        for t in ("record", "journal", "conflict", "rejected"):
            rows = db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            out.append(hashlib.sha256(repr(rows).encode()).hexdigest())
        out.append(db.execute("SELECT count(*) FROM device WHERE device IS NOT NULL").fetchone()[0])
        return out
    finally:
        db.close()


def main():
    tokens, port = setup()
    hub = Hub(port)
    good, spare, victim = tokens

    # A baseline through the real client, so there is data to protect.
    coll = os.path.join(tmp, "c.db")
    tok_file = os.path.join(tmp, "tok")
    with open(tok_file, "w") as f:
        f.write(good + "\n")
    os.chmod(tok_file, 0o600)
    run(FB, "--db", coll, "init", "--branch", "HN.B1")
    run(FB, "--db", coll, "remote", "set", f"http://127.0.0.1:{port}", "--token-file", tok_file)
    run(FB, "--db", coll, "member", "add", "--name", "Nguyễn Thị Hồng Nhung", "--role", "branch_head")
    r = run(FB, "--db", coll, "sync")
    ok(r.returncode == 0, "baseline: a collector syncs", r.stderr)
    device = json.loads(run(FB, "--db", coll, "status", "--json").stdout)["device"]

    # The victim token is revoked before the catalogue.
    run(HUB, "--db", hub_db, "revoke", "3")
    before = snapshot()

    cases = []   # (description, callable returning (status, body), expected statuses, error code or None)

    def case(desc, fn, statuses, code=None):
        cases.append((desc, fn, statuses, code))

    # The spare token's device is fresh: a valid batch would start at 1.
    dev2 = "abcdef0123456789"
    rid = "11111111-2222-4333-8444-555555555555"
    valid, _ = member_batch(dev2, 1, rid, "Trần Thị Lan")

    def body_with(**kw):
        b = json.loads(json.dumps(valid))
        b.update(kw)
        return b

    def change_with(**kw):
        b = json.loads(json.dumps(valid))
        b["changes"][0].update(kw)
        return b

    # Authentication
    case("no Authorization header", lambda: hub.push(None, valid), {401}, "unauthorized")
    case("empty bearer token", lambda: hub.push("", valid), {401}, "unauthorized")
    case("wrong token", lambda: hub.push("fbt_" + "0" * 64, valid), {401}, "unauthorized")
    case("revoked token", lambda: hub.push(victim, valid), {401}, "unauthorized")
    case("Basic instead of Bearer", lambda: hub.push(None, valid, headers={"Authorization": "Basic Zm9vOmJhcg=="}), {401}, "unauthorized")
    case("oversized token", lambda: hub.push("x" * 5000, valid), {401}, "unauthorized")
    case("token in the URL query", lambda: hub.request("GET", "/v1/pull?token=" + good, headers={"Authorization": "Bearer " + good}), {400}, "token_in_url")
    case("access_token in the URL", lambda: hub.request("GET", "/v1/pull?access_token=abc"), {400}, "token_in_url")
    case("token as a path segment", lambda: hub.request("GET", "/v1/pull/" + good), {400}, "token_in_url")
    case("token under another name, upper case", lambda: hub.request("GET", "/v1/pull?k=" + good.upper()), {400}, "token_in_url")
    # Malformed JSON
    case("truncated JSON", lambda: hub.push(spare, raw=json.dumps(valid).encode()[:40]), {400}, "malformed")
    case("not JSON at all", lambda: hub.push(spare, raw=b"hello"), {400}, "malformed")
    case("empty body", lambda: hub.push(spare, raw=b""), {400}, "malformed")
    case("JSON array instead of object", lambda: hub.push(spare, raw=b"[1,2,3]"), {400}, "malformed")
    case("trailing garbage after JSON", lambda: hub.push(spare, raw=json.dumps(valid).encode() + b" xx"), {400}, "malformed")
    case("duplicate key 'device'", lambda: hub.push(spare, raw=json.dumps(valid).encode().replace(b'"device"', b'"device": "ffffffffffffffff", "device"', 1)), {400}, "malformed")
    case("duplicate key inside a change", lambda: hub.push(spare, raw=json.dumps(valid).encode().replace(b'"t": "member"', b'"t": "member", "t": "visit"', 1)), {400}, "malformed")
    case("deep nesting", lambda: hub.push(spare, raw=b"[" * 100000 + b"]" * 100000), {400}, "malformed")
    case("nesting within limits but wrong shape", lambda: hub.push(spare, body_with(changes=[[[[[]]]]])), {400}, "malformed")
    case("huge number for seq", lambda: hub.push(spare, body_with(seq=1e308)), {400}, "malformed")
    case("negative seq", lambda: hub.push(spare, body_with(seq=-1)), {400}, "malformed")
    case("fractional seq", lambda: hub.push(spare, body_with(seq=1.5)), {400}, "malformed")
    case("NaN in JSON", lambda: hub.push(spare, raw=json.dumps(valid).encode().replace(b'"seq": 1', b'"seq": NaN', 1)), {400}, "malformed")
    case("Infinity in JSON", lambda: hub.push(spare, raw=json.dumps(valid).encode().replace(b'"seq": 1', b'"seq": Infinity', 1)), {400}, "malformed")
    case("seq as a string", lambda: hub.push(spare, body_with(seq="1")), {400}, "malformed")
    case("wrong protocol version", lambda: hub.push(spare, body_with(v=2)), {400}, "malformed")
    case("missing device", lambda: hub.push(spare, {k: v for k, v in valid.items() if k != "device"}), {400}, "malformed")
    case("missing changes", lambda: hub.push(spare, {k: v for k, v in valid.items() if k != "changes"}), {400}, "malformed")
    case("empty changes", lambda: hub.push(spare, body_with(changes=[])), {400}, "malformed")
    case("missing last_hash", lambda: hub.push(spare, {k: v for k, v in valid.items() if k != "last_hash"}), {400}, "malformed")
    case("unknown top-level key", lambda: hub.push(spare, body_with(extra=1)), {400}, "malformed")
    case("HLC as a JSON number", lambda: hub.push(spare, change_with(h=12345)), {400}, "malformed")
    case("HLC too short", lambda: hub.push(spare, change_with(h="abc")), {400}, "malformed")
    case("HLC not hex", lambda: hub.push(spare, change_with(h="zzzzzzzzzzzzzzzz")), {400}, "malformed")
    case("unknown record type", lambda: hub.push(spare, change_with(t="spaceship")), {400}, "malformed")
    case("record id not a UUID", lambda: hub.push(spare, change_with(id="../../etc/passwd")), {400}, "malformed")
    case("entry not a triple", lambda: hub.push(spare, change_with(e=[["full_name", "x"]])), {400}, "malformed")
    case("entry value a number", lambda: hub.push(spare, change_with(e=[["full_name", 5, ""]])), {400}, "malformed")
    case("too many entries in a change", lambda: hub.push(spare, change_with(e=[["notes", "x", ""]] * 40)), {400, 413}, None)
    case("invalid UTF-8 in a value", lambda: hub.push(spare, raw=json.dumps(valid, ensure_ascii=False).encode().replace("Trần".encode(), b"Tr\xff\xfen")), {400}, None)
    case("\\u0000 in a value", lambda: hub.push(spare, raw=json.dumps(valid).encode().replace(b"Tr", b"T\\u0000r", 1)), {400}, None)
    case("device id with SQL injection", lambda: hub.push(spare, body_with(device="x'; DROP TABLE record; --")), {400}, "malformed")
    case("branch with SQL injection", lambda: hub.push(spare, body_with(branch="HN.B1' OR '1'='1")), {400}, "malformed")
    case("field name with SQL injection", lambda: hub.push(spare, change_with(e=[["full_name'--", "x", ""]])), {400}, None)
    case("base stamp garbage", lambda: hub.push(spare, change_with(e=[["full_name", "x", "not-a-stamp"]])), {400}, "malformed")
    case("last_hash not hex", lambda: hub.push(spare, body_with(last_hash="zz" * 32)), {400}, "malformed")
    case("last_hash that does not match", lambda: hub.push(spare, body_with(last_hash="00" * 32)), {400}, "chain_mismatch")
    # Scope, clock, sequence
    case("a record of another branch", lambda: hub.push(spare, member_batch(dev2, 1, rid, "X", branch="HN.B2")[0]), {403}, "out_of_scope")
    case("a branch not in the unit table", lambda: hub.push(spare, member_batch(dev2, 1, rid, "X", branch="ZZ.Q9")[0]), {403}, "out_of_scope")
    case("pushing as the device another token owns", lambda: hub.push(spare, member_batch(device, 1, rid, "X")[0]), {403}, "device_mismatch")
    case("an entry from the future", lambda: hub.push(spare, member_batch(dev2, 1, rid, "X", hlc=hlc_now(3600 * 1000))[0]), {400}, "clock_ahead")
    case("a gap in the sequence", lambda: hub.push(spare, member_batch(dev2, 5, rid, "X")[0]), {409}, "gap")
    # Encoding and length
    case("body not matching Content-Encoding", lambda: hub.push(spare, valid, compress=False, headers={"Content-Encoding": "deflate"}), {400}, "bad_deflate")
    case("corrupt deflate", lambda: hub.push(spare, raw=b"\x78\x9c garbage", compress=False, headers={"Content-Encoding": "deflate"}), {400}, "bad_deflate")
    case("truncated deflate", lambda: hub.push(spare, raw=zlib.compress(json.dumps(valid).encode())[:-6], compress=False, headers={"Content-Encoding": "deflate"}), {400}, "bad_deflate")
    case("gzip instead of deflate", lambda: hub.push(spare, valid, compress=False, headers={"Content-Encoding": "gzip"}), {415}, "bad_encoding")
    bomb = zlib.compress(b"\0" * (1 << 30), 9)
    case(f"deflate bomb: 1 GiB of zeros in {len(bomb)} bytes", lambda: hub.push(spare, raw=bomb, compress=False, headers={"Content-Encoding": "deflate"}), {413}, "inflated_too_large")
    case("oversize body (5 MiB, chunked, no length)", lambda: raw_http(port, b"POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + spare.encode() + b"\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n", chunks=[os.urandom(1 << 16)] * 80), {413}, "too_large")
    case("Content-Length claiming 1 TiB", lambda: raw_http(port, b"POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + spare.encode() + b"\r\nContent-Length: 1099511627776\r\n\r\n"), {413}, "too_large")
    case("POST without Content-Length", lambda: raw_http(port, b"POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + spare.encode() + b"\r\n\r\n"), {411}, "length_required")
    # Endpoints and methods
    case("path traversal in the URL", lambda: hub.request("GET", "/v1/../../etc/passwd"), {404}, "not_found")
    case("unknown endpoint", lambda: hub.request("GET", "/v3/push"), {404}, "not_found")
    case("GET on push", lambda: hub.request("GET", "/v1/push", headers={"Authorization": "Bearer " + spare}), {405}, "method")
    case("POST on pull", lambda: hub.request("POST", "/v1/pull", b"{}", headers={"Authorization": "Bearer " + spare}), {405}, "method")
    case("pull with a negative cursor", lambda: hub.request("GET", "/v1/pull?after=-1", headers={"Authorization": "Bearer " + spare}), {400}, "malformed")
    case("pull with a huge limit", lambda: hub.request("GET", "/v1/pull?limit=99999999", headers={"Authorization": "Bearer " + spare}), {400}, "malformed")
    case("pull with SQL in the cursor", lambda: hub.request("GET", "/v1/pull?after=1%20OR%201=1", headers={"Authorization": "Bearer " + spare}), {400}, "malformed")

    for desc, fn, statuses, code in cases:
        if time.monotonic() > DEADLINE:
            ok(False, f"{desc}: not run, the script ran out of time")
            continue
        try:
            status, body = fn()
        except OSError as e:
            ok(False, desc, f"request failed: {e}")
            continue
        try:
            doc = json.loads(body)
            good_json = isinstance(doc, dict) and "error" in doc and "message" in doc
        except (ValueError, UnicodeDecodeError):
            doc, good_json = None, False
        ok(status in statuses and good_json and (code is None or doc.get("error") == code),
           f"{desc}: HTTP {status} {doc.get('error') if doc else '?'}",
           f"expected {sorted(statuses)} {code or ''}; got {status} {body[:300]!r}")
        ok(hub.healthy(), f"{desc}: the hub still answers health")

    # A slow sender: the hub gives up on it without harm to others.
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    ok(hub.healthy(), "slow sender: others are served while it dawdles")
    s.close()

    # A replayed batch through the real client changes nothing.
    conn = sqlite3.connect(coll)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'acked_seq'")
    conn.commit()
    conn.close()
    r = run(FB, "--db", coll, "sync", "--push-only")
    ok(r.returncode == 0 and "1 changes sent" in r.stdout, "replayed batch: accepted", r.stdout + r.stderr)

    after = snapshot()
    ok(before == after, f"the hub's data is unchanged after {len(cases)} bad requests",
       f"before {before}\nafter  {after}")
    log = open(os.path.join(tmp, "hub.log")).read()
    ok(all(t not in log for t in tokens), "no token appears in the hub's log")
    ok(len(cases) >= 50, f"the catalogue has {len(cases)} bad requests (at least 50)")


def raw_http(port, data, chunks=()):
    """Send a request by hand (chunks: a chunked body, sent until the hub
    answers or hangs up) and read the answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(data)
        try:
            for c in chunks:
                s.sendall(b"%x\r\n" % len(c) + c + b"\r\n")
            if chunks:
                s.sendall(b"0\r\n\r\n")
        except OSError:
            pass    # the hub answered early and closed: read that answer
        resp = b""
        while b"\r\n\r\n" not in resp:
            chunk = s.recv(65536)
            if not chunk:
                break
            resp += chunk
        head, _, rest = resp.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, rest[:length]
    finally:
        s.close()


try:
    main()
finally:
    cleanup()
print(f"1..{n}")
sys.exit(1 if failed else 0)
