#!/usr/bin/env python3
"""xlsx_cells.py - what an .xlsx workbook holds, for the tests, with the
standard library only (zipfile and ElementTree).

    xlsx_cells.py FILE csv SHEET     the sheet (1-based) as CSV, as a
                                     spreadsheet would save it: dates
                                     (numbers in a date format) as
                                     YYYY-MM-DD, whole numbers without
                                     ".0", text as it is
    xlsx_cells.py FILE cells SHEET   one line per cell: REF KIND VALUE,
                                     KIND being text, date or number
    xlsx_cells.py FILE sheets        the sheets' names, one a line
"""
import csv
import datetime
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
BUILTIN_DATES = set(range(14, 23)) | {45, 46, 47}


def load(path):
    z = zipfile.ZipFile(path)
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            strings.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    styles = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {int(f.get("numFmtId")): f.get("formatCode")
            for f in styles.findall("m:numFmts/m:numFmt", NS)}
    date_xf = []
    for xf in styles.findall("m:cellXfs/m:xf", NS):
        fid = int(xf.get("numFmtId", "0"))
        code = fmts.get(fid, "")
        date_xf.append(fid in BUILTIN_DATES or bool(re.search(r"[dy]", code.replace('"', ""))))
    book = ET.fromstring(z.read("xl/workbook.xml"))
    names = [s.get("name") for s in book.findall("m:sheets/m:sheet", NS)]
    return z, strings, date_xf, names


def cells(z, strings, date_xf, n):
    root = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % n))
    for c in root.iter("{%s}c" % NS["m"]):
        ref, t, s = c.get("r"), c.get("t"), int(c.get("s", "0"))
        v = c.find("m:v", NS)
        if t == "s":
            yield ref, "text", strings[int(v.text)]
        elif t == "inlineStr":
            yield ref, "text", "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
        elif t == "str":
            yield ref, "text", v.text or ""
        elif v is not None:
            num = float(v.text)
            if date_xf[s]:
                d = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(num))
                yield ref, "date", d.isoformat()
            else:
                yield ref, "number", str(int(num)) if num == int(num) else repr(num)


def split(ref):
    m = re.match(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def main():
    z, strings, date_xf, names = load(sys.argv[1])
    what = sys.argv[2]
    if what == "sheets":
        print("\n".join(names))
        return
    n = int(sys.argv[3])
    if what == "cells":
        for ref, kind, val in cells(z, strings, date_xf, n):
            print(ref, kind, val)
        return
    grid = {}
    for ref, _, val in cells(z, strings, date_xf, n):
        grid[split(ref)] = val
    rows = max(r for r, _ in grid) + 1 if grid else 0
    cols = max(c for _, c in grid) + 1 if grid else 0
    w = csv.writer(sys.stdout, lineterminator="\r\n")
    for r in range(rows):
        w.writerow([grid.get((r, c), "") for c in range(cols)])


main()
