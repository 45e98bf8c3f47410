#!/usr/bin/env bash
# Lists in Vietnamese order (docs/DECISIONS.md, "Vietnamese order"):
# members by given name, as the union's lists are (Anh Ánh Ăn Ân Ấn Bảo
# Đào Lan Ông Vũ, not Ân, Ông and Đào after Vũ as their bytes would),
# then by the whole name word by word, then case, then id.  The same
# order in list (table and --json), export (CSV and JSON), show of a
# training's attendees, the report's names not yet trained and the
# candidates of an ambiguous name; trainings by date, then title.
. "$(dirname "$0")/lib.sh"

fresh_db
nfd() { py -c 'import sys, unicodedata; print(unicodedata.normalize("NFD", sys.argv[1]))' "$1"; }

# Added in an order that is neither the expected one nor the bytes'.
vu=$(new_id fb member add --name "Trần Thị Vũ" --role branch_head)
an_le=$(new_id fb member add --name "Lê Thị Ân" --role branch_deputy)
ong=$(new_id fb member add --name "Nguyễn Văn Ông")
dao=$(new_id fb member add --name "Đỗ Thị Đào")
bao=$(new_id fb member add --name "Hoàng Văn Bảo")
anh_sac=$(new_id fb member add --name "Vũ Thị Ánh")
lan_tran=$(new_id fb member add --name "Trần Thị Lan")
anh=$(new_id fb member add --name "Bùi Văn Anh" --role branch_head)
an_breve=$(new_id fb member add --name "Phạm Thị Ăn")
an_caps=$(new_id fb member add --name "ĐẶNG THỊ ÂN")
an_small=$(new_id fb member add --name "ngô thị ân")
an_nfd=$(new_id fb member add --name "$(nfd "Phan Thị Ấn")")
lan_ng=$(new_id fb member add --name "Nguyễn Thị Lan")

# The expected order, one id a line.
want_ids="$anh
$anh_sac
$an_breve
$an_caps
$an_le
$an_small
$an_nfd
$bao
$dao
$lan_ng
$lan_tran
$ong
$vu"
want_names="Bùi Văn Anh|Vũ Thị Ánh|Phạm Thị Ăn|ĐẶNG THỊ ÂN|Lê Thị Ân|ngô thị ân|Phan Thị Ấn|Hoàng Văn Bảo|Đỗ Thị Đào|Nguyễn Thị Lan|Trần Thị Lan|Nguyễn Văn Ông|Trần Thị Vũ"
short_of() { printf '%s\n' "$1" | sed 's/.*\(........\)$/\1/'; }
want_short=$(short_of "$want_ids")

# --- list members ------------------------------------------------------
run fb list members
expect_exit 0 "list members exits 0"
is "$(printf '%s\n' "$OUT" | sed '1d;$d' | cut -c1-8)" "$want_short" \
	"list members: by given name (Anh Ánh Ăn Ân Ấn Bảo Đào Lan Ông Vũ), the whole name, case"
is "$(printf '%s\n' "$OUT" | sed '1d;$d' | awk -F '  +' '{ print $2 }' | paste -sd '|')" \
	"$want_names" "...the names in that order"
is "$(printf '%s\n' "$OUT" | sed -n 's/^.\{8\}  //p' | grep -c "Phan Thị Ấn")" 1 \
	"a name typed in NFD is kept in NFC and sorts as Ấn"
run fb list members --json
is "$(printf '%s' "$OUT" | json_get '"\n".join(r["id"] for r in d)')" "$want_ids" \
	"list members --json: the same order as the table"

# The tie: two Lan, the whole name decides (Nguyễn before Trần); the
# same full name twice, the id decides.
twin1=$(new_id fb member add --name "Nguyễn Thị Lan")
twin_first=$(printf '%s\n%s\n' "$lan_ng" "$twin1" | sort | head -1)
twin_second=$(printf '%s\n%s\n' "$lan_ng" "$twin1" | sort | tail -1)
run fb list members --json
is "$(printf '%s' "$OUT" | json_get '" ".join(r["id"] for r in d if r["full_name"].endswith("Lan"))')" \
	"$twin_first $twin_second $lan_tran" "the same name twice: by id, and both before Trần Thị Lan"
fb delete "$twin1" >/dev/null

# --- export keeps the list's order (CSV and JSON) ----------------------
run fb export --type member --format csv
expect_exit 0 "export members as CSV"
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1)" "$want_ids" "export CSV: members in the list's order"
run fb export --type member --format json
is "$(printf '%s' "$OUT" | json_get '"\n".join(r["id"] for r in d["records"] if not r["deleted"])')" \
	"$want_ids" "export JSON: the same order"
run fb export --type member --format csv
first=$OUT
run fb export --type member --format csv
is "$OUT" "$first" "export is byte for byte the same each time"

# --- show of a training: attendees in the list's order ----------------
t=$(new_id fb training add --title "Kỹ năng lãnh đạo" --date 2026-03-08 --topic leadership)
# shellcheck disable=SC2086
fb training attend "$t" $(printf '%s\n' "$want_ids" | sort -r) >/dev/null
run fb show "$t"
expect_exit 0 "show the training"
is "$(printf '%s\n' "$OUT" | sed -n 's/^ \{4,\}\([0-9a-f]\{8\}\)  .*/\1/p')" "$want_short" \
	"show: the attendees in Vietnamese order, given name first"
run fb show "$t" --json
is "$(printf '%s' "$OUT" | json_get '"\n".join(d["attendees"])')" "$want_ids" \
	"show --json: attendees in the same order"

# --- the report's names not yet trained --------------------------------
fb training unattend "$t" "$vu" "$an_le" "$anh" >/dev/null
run fb report --year 2026
is "$(printf '%s\n' "$OUT" | sed -n 's/^ *not yet trained: \(.*\) (.*)$/\1/p' | paste -sd '|')" \
	"Bùi Văn Anh|Lê Thị Ân|Trần Thị Vũ" "report: those not yet trained by given name (Anh, Ân, Vũ)"
run fb report --year 2026 --format json
is "$(printf '%s' "$OUT" | json_get '"|".join(p["full_name"] for g in d["targets"] for p in g["not_trained"])')" \
	"Bùi Văn Anh|Lê Thị Ân|Trần Thị Vũ" "report --format json: the same order"

# --- the candidates of an ambiguous name --------------------------------
run fb show "ân"
expect_exit 65 "'ân' is ambiguous"
is "$(printf '%s\n' "$ERR" | sed -n 's/^  [0-9a-f]\{8\}  member  *\(.*[^ ]\) *$/\1/p' | paste -sd '|')" \
	"Phạm Thị Ăn|ĐẶNG THỊ ÂN|Lê Thị Ân|ngô thị ân|Phan Thị Ấn" \
	"the candidates in Vietnamese order, given name first"

# --- trainings: by date, then title in Vietnamese order ----------------
t_ve=$(new_id fb training add --title "Về nguồn" --date 2026-05-01 --topic other)
t_ong=$(new_id fb training add --title "Ông bà và cháu" --date 2026-05-01 --topic parenting)
t_an=$(new_id fb training add --title "an toàn thực phẩm" --date 2026-05-01 --topic food_safety)
t_early=$(new_id fb training add --title "Ứng dụng số" --date 2026-01-15 --topic digital_transformation)
run fb list trainings --json
is "$(printf '%s' "$OUT" | json_get '" ".join(r["id"] for r in d)')" "$t_early $t $t_an $t_ong $t_ve" \
	"trainings by date, then title: an toàn, Ông bà, Về nguồn (not Về before Ông)"
run fb list trainings
is "$(printf '%s\n' "$OUT" | sed '1d;$d' | cut -c1-8 | paste -sd ' ')" \
	"$(short_of "$t_early") $(short_of "$t") $(short_of "$t_an") $(short_of "$t_ong") $(short_of "$t_ve")" \
	"list trainings: the same order"
run fb show "$ong"
is "$(printf '%s\n' "$OUT" | sed -n 's/^ \{4,\}\([0-9a-f]\{8\}\)  .*/\1/p' | paste -sd ' ')" \
	"$(short_of "$t")" "show of a member: her trainings"

done_testing
