#!/usr/bin/env python3
"""units_vn.py - a country's unit list for `fieldbook-hub unit import`.

Writes CSV (code,parent,level,name) shaped like Viet Nam's list after the
2025 reform: the 34 provinces and cities under the centre VN; about 700
districts in the half of the provinces that keep them; about 10,000
communes and wards, under a district where the province has them and
directly under the province where it does not.  Names are Vietnamese,
NFC, with their diacritics, drawn by a seeded generator from syllables;
codes are numbered as the national list numbers them (VN.01, VN.01.001,
VN.01.00004).  The same seed gives the same file.

usage: units_vn.py [--seed N] [--shuffle] [--communes N] [--districts N] OUT.csv
  --shuffle   the rows in a random order (children before their parents)
"""
import argparse
import random
import sys
import unicodedata

PROVINCES = [
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai",
    "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình",
    "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long",
    "Đồng Tháp", "Cà Mau", "An Giang",
]
SYLLABLES = [
    "An", "Bình", "Phước", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Mỹ", "Tân",
    "Long", "Hưng", "Quảng", "Nghĩa", "Thượng", "Hạ", "Yên", "Lạc", "Đức", "Phú",
    "Trung", "Sơn", "Thủy", "Khánh", "Lộc", "Điền", "Quý", "Nhơn", "Vĩnh", "Hiệp",
    "Thuận", "Hòa", "Xuân", "Thu", "Đồng", "Kỳ", "Lương", "Ngọc", "Hải", "Châu",
    "Cường", "Thịnh", "Vạn", "Triệu", "Ứng", "Ấp", "Ổn", "Dương", "Liễu", "Nguyễn",
]
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


def name(rng, words):
    return " ".join(rng.choice(SYLLABLES) for _ in range(words))


def rows(seed, communes, districts):
    rng = random.Random(seed)
    out = []
    keep = [i for i in range(len(PROVINCES)) if i % 2 == 0]   # provinces that keep districts
    per_district = max(1, districts // len(keep))
    per_province = max(1, communes // len(PROVINCES))
    commune_no = 0
    for i, prov in enumerate(PROVINCES):
        pcode = "VN.%02d" % (i + 1)
        kind = "Thành phố" if prov in CITIES else "Tỉnh"
        out.append((pcode, "VN", "province", "%s %s" % (kind, prov)))
        parents = [pcode]
        if i in keep:
            parents = []
            for d in range(per_district):
                dcode = "%s.%03d" % (pcode, d + 1)
                dkind = rng.choice(["Huyện", "Quận", "Thị xã"])
                out.append((dcode, pcode, "district", "%s %s" % (dkind, name(rng, 2))))
                parents.append(dcode)
        for c in range(per_province):
            commune_no += 1
            parent = parents[c % len(parents)]
            ckind = rng.choice(["Xã", "Xã", "Xã", "Phường", "Thị trấn"])
            out.append(("%s.%05d" % (pcode, commune_no), parent, "commune",
                        "%s %s" % (ckind, name(rng, rng.choice([2, 2, 3])))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--shuffle", action="store_true")
    ap.add_argument("--communes", type=int, default=10030)
    ap.add_argument("--districts", type=int, default=697)
    ap.add_argument("out")
    a = ap.parse_args()
    rs = rows(a.seed, a.communes, a.districts)
    if a.shuffle:
        random.Random(a.seed + 1).shuffle(rs)
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("code,parent,level,name\n")
        for r in rs:
            assert unicodedata.is_normalized("NFC", r[3])
            f.write(",".join(r) + "\n")
    print(len(rs), file=sys.stderr)


if __name__ == "__main__":
    main()
