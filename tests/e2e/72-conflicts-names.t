#!/usr/bin/env bash
# conflicts names the record (a member's name, a visit's date and person)
# and the laptops ("this laptop", or "laptop" and the first 8 digits of
# its device id, which the hub's `devices` lists) instead of hex ids.
. "$(dirname "$0")/synclib.sh"

H=$TMP/hub.db
A=$TMP/a.db
B=$TMP/b.db
hub_tree "$H"
enroll "$H" HN.PL.TT.03 "Laptop chị Lan" "$TMP/a.token"
enroll "$H" HN.PL.TT.03 "Laptop chị Hoa" "$TMP/b.token"
start_hub "$H"
new_collector "$A" HN.PL.TT.03 "$TMP/a.token"
new_collector "$B" HN.PL.TT.03 "$TMP/b.token"
devA=$(own_device "$A")
devB=$(own_device "$B")

m=$(new_id fbd "$A" member add --name "Nguyễn Thị Lan" --phone 0912000111)
v=$(new_id fbd "$A" visit add --date 2026-01-25 --reason tet --person "Bà Tư" --amount-vnd 200000)
sync_until "$A" && sync_until "$B"

# The same phone edited on both; the visit deleted on A, edited on B.
fbd "$A" edit "nguyen thi lan" phone=0912000222 >/dev/null
fbd "$B" edit "nguyen thi lan" phone=0912000333 >/dev/null
fbd "$A" delete "$v" >/dev/null
fbd "$B" edit "$v" amount_vnd=300000 >/dev/null
sync_until "$A" && sync_until "$B" && sync_until "$A"

# laptop_of DB DEVICE: how DB's conflicts call that laptop.
laptop_of() {
	if [ "$(own_device "$1")" = "$2" ]; then
		printf 'this laptop'
	else
		printf 'laptop %s' "${2:0:8}"
	fi
}

for x in A B; do
	db=${!x}
	run fbd "$db" conflicts --json
	json_eval '[c["other_device"] for c in d if c["kind"] == "field"][0]' "$OUT"
	lost=$JV
	json_eval '[c["other"] for c in d if c["kind"] == "field"][0]' "$OUT"
	other=$JV
	json_eval '[c["current"] for c in d if c["kind"] == "field"][0]' "$OUT"
	current=$JV
	json_eval '[c["kept_device"] for c in d if c["kind"] == "delete"][0]' "$OUT"
	deleter=$JV
	run fbd "$db" conflicts
	expect_exit 0 "$x: conflicts exits 0"
	like "$OUT" "^#[0-9a-f]+  member Nguyễn Thị Lan \(${m: -8}\), phone: current \"$current\"; other \"$other\" \($(laptop_of "$db" "$lost")\)$" \
		"$x: the phone conflict names the member and the laptop that lost"
	like "$OUT" "^#[0-9a-f]+  visit 2026-01-25 to Bà Tư \(${v: -8}\): edited \(amount_vnd = \"300000\", $(laptop_of "$db" "$devB")\) while deleted on $(laptop_of "$db" "$devA")$" \
		"$x: the delete conflict names the visit, the laptop that edited and the one that deleted"
	is "$deleter" "$devA" "$x: (--json keeps the device ids)"
	is "$(printf '%s\n' "$OUT" | grep -cE '[0-9a-f]{16}|[0-9a-f]{8}-[0-9a-f]{4}')" 0 \
		"$x: no full device or record id in the text"
done
like "$(hub --db "$H" devices)" "${devA}" "the hub's devices list shows the whole id the short one begins"

done_testing
