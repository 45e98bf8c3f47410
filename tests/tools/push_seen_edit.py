#!/usr/bin/env python3
"""push_seen_edit.py PATH DEVICE BRANCH - a deflated version 1 push body of
two changes of DEVICE to one new member of BRANCH: the first sets its
name, the second edits its phone and says what it had seen (`_seen`),
which only a delete may (docs/DATA-MODEL.md).  A hub applies the first
and sets the second aside.  The hash chain is computed as PROTOCOL.md
section 5 says, so that the batch is otherwise valid."""
import hashlib, json, struct, sys, time, uuid, zlib

path, device, branch = sys.argv[1], sys.argv[2], sys.argv[3]
def u64(v): return struct.pack(">Q", v)
def s64(b): return u64(len(b)) + b
rid, hlc = str(uuid.uuid4()), int(time.time() * 1000) << 16
made = "%016x:%s" % (hlc, device)
changes, h, seq = [], bytes(32), 1
for k, entries in enumerate([[["full_name", "Vi Thị Chín", ""]],
                             [["phone", "0912345678", ""], ["_seen", "full_name@" + made, ""]]]):
    for i, (f, v, b) in enumerate(entries):
        h = hashlib.sha256(h + b"fbj1" + s64(device.encode()) + u64(seq + i) + u64(hlc + k) +
                           s64(rid.encode()) + s64(b"member") + s64(branch.encode()) +
                           s64(f.encode()) + s64(v.encode()) + u64(0) + s64(b"")).digest()
    changes.append({"h": "%016x" % (hlc + k), "id": rid, "t": "member", "e": entries})
    seq += len(entries)
msg = {"v": 1, "device": device, "seq": 1, "branch": branch, "changes": changes,
       "last_hash": h.hex()}
open(path, "wb").write(zlib.compress(json.dumps(msg, ensure_ascii=False).encode()))
