#!/bin/sh
# make demo: a hub and two branch laptops on loopback record, sync, meet
# one concurrent edit, sync again, and print the hub's report and its
# conflict log.  Everything lives in a temporary directory, removed after.
set -eu
FB=${1:?usage: demo.sh FIELDBOOK [FIELDBOOK_HUB]}
HUB=${2:-$(dirname "$FB")/fieldbook-hub}
dir=$(mktemp -d /tmp/fieldbook-demo.XXXXXX)
hub_pid=""
cleanup() {
	[ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
cd "$dir"
say() { printf '\n== %s\n' "$*"; }
year=$(date +%Y)

say "The province hub, its units, and two enrolled laptops"
"$HUB" --db hub.db init --unit HN --name "Hà Nội" --level province
"$HUB" --db hub.db unit add HN.PL --parent HN --level district --name "Huyện Phúc Lộc"
"$HUB" --db hub.db unit add HN.PL.TT --parent HN.PL --level commune --name "Xã Thanh Thủy"
"$HUB" --db hub.db unit add HN.PL.TT.03 --parent HN.PL.TT --level branch --name "Chi hội 3"
"$HUB" --db hub.db unit add HN.PL.TT.04 --parent HN.PL.TT --level branch --name "Chi hội 4"
( umask 077
  "$HUB" --db hub.db enroll --unit HN.PL.TT.03 --name "Laptop chị Nhung" > nhung.token
  "$HUB" --db hub.db enroll --unit HN.PL.TT.03 --name "Laptop chị Lan" > lan.token )
"$HUB" --db hub.db serve --listen 127.0.0.1:0 --port-file port > hub.out 2> hub.log &
hub_pid=$!
i=0
while [ ! -s port ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s port ] || { echo "demo: the hub did not start" >&2; cat hub.log >&2; exit 1; }
url="http://127.0.0.1:$(cat port)"
echo "hub listening at $url"

say "Two laptops of branch HN.PL.TT.03 (offline: nothing waits on the network)"
A="$FB --db a.db"; B="$FB --db b.db"
$A init --branch HN.PL.TT.03 --name "Chi hội 3, xã Thanh Thủy" >/dev/null
$B init --branch HN.PL.TT.03 --name "Chi hội 3, xã Thanh Thủy" >/dev/null
$A remote set "$url" --token-file nhung.token
$B remote set "$url" --token-file lan.token
nhung=$($A member add --name "Nguyễn Thị Hồng Nhung" --role branch_head --birth-year 1978)
lan=$($A member add --name "Trần Thị Lan" --role branch_deputy)
mai=$($A member add --name "Lê Thị Mai" --role branch_deputy --phone 0912345678)
hoa=$($A member add --name "Phạm Thị Hoa")
t1=$($A training add --title "Phòng chống bạo lực gia đình" --date "$year-03-08" \
	--topic domestic_violence,gender_equality --location "Nhà văn hóa thôn 3" --organizer commune)
$A training attend "$t1" "$nhung" "$hoa" >/dev/null
$A visit add --date "$year-01-25" --reason tet --person "Bà Nguyễn Thị Tư" --support gift \
	--amount-vnd 500000 --gift "Quà Tết" >/dev/null
echo "laptop A recorded 4 members, a training with 2 attendees and a Tết visit"
$A sync
$B sync

t2=$($B training add --title "Nuôi dạy con tốt" --date "$year-05-20" --topic parenting,food_safety)
$B training attend "$t2" "$lan" "$hoa" >/dev/null
$B visit add --date "$year-06-02" --reason illness --member "$hoa" --support cash --amount-vnd 1000000 >/dev/null
echo "laptop B recorded a second training with 2 attendees and a visit to a sick member"

say "The same field edited on both laptops before either syncs"
$A edit "$mai" phone=0987000111
$B edit "$mai" phone=0987000222
$B sync
$A sync
$B sync
echo "laptop A: $($A show "$mai" | grep phone)"
echo "laptop B: $($B show "$mai" | grep phone)"

say "Laptop A's report"
$A report --year "$year"

say "The hub's report, by branch"
"$HUB" --db hub.db report --year "$year" --by branch

say "The hub's conflict log (the losing value is kept, never dropped)"
"$HUB" --db hub.db conflicts

say "Both laptops agree"
if [ "$($A export --format json)" = "$($B export --format json)" ]; then
	echo "laptop A and laptop B hold the same records"
else
	echo "demo: the laptops differ" >&2
	exit 1
fi
$A verify
