#!/usr/bin/env bash
# Times and days in human output (docs/DECISIONS.md, "Times and days"):
# moments in the local time zone ($TZ), days as dd/mm/yyyy under
# Vietnamese; JSON and CSV stay UTC and ISO whatever the zone and the
# language.  Asia/Ho_Chi_Minh is UTC+7 all year (no summer time), so a
# moment moves by exactly 7 hours.
. "$(dirname "$0")/lib.sh"

HCM=Asia/Ho_Chi_Minh
if [ ! -e /usr/share/zoneinfo/$HCM ]; then
	diag "no tzdata for $HCM: using the POSIX zone ICT-7 (the same offset)"
	HCM=ICT-7
fi

# Vietnamese, without po/: a catalogue of one message, the language code
# fb_lang() asks for (shared/i18n.c), in a directory of the test's own.
mkdir -p "$TMP/locale/vi/LC_MESSAGES"
cat >"$TMP/vi.po" <<'EOF'
msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\n"

msgid "[language code] en"
msgstr "vi"
EOF
if command -v msgfmt >/dev/null 2>&1; then
	msgfmt -o "$TMP/locale/vi/LC_MESSAGES/fieldbook.mo" "$TMP/vi.po"
else
	# The same catalogue, written as msgfmt would (GNU .mo, no hash table).
	py - "$TMP/locale/vi/LC_MESSAGES/fieldbook.mo" <<'EOF'
import struct, sys
msgs = {b"": b"Content-Type: text/plain; charset=UTF-8\n", b"[language code] en": b"vi"}
keys = sorted(msgs)
ids = b"".join(k + b"\0" for k in keys)
strs = b"".join(msgs[k] + b"\0" for k in keys)
n = len(keys)
start = 28 + 16 * n
out = struct.pack("<7I", 0x950412de, 0, n, 28, 28 + 8 * n, 0, start)
o = 0
for k in keys:
    out += struct.pack("<2I", len(k), start + o); o += len(k) + 1
o2 = 0
for k in keys:
    out += struct.pack("<2I", len(msgs[k]), start + len(ids) + o2); o2 += len(msgs[k]) + 1
open(sys.argv[1], "wb").write(out + ids + strs)
EOF
fi
ok "the one-message catalogue is made" test -s "$TMP/locale/vi/LC_MESSAGES/fieldbook.mo"

# en ZONE ARGS / vi ZONE ARGS: fieldbook ARGS in English (lib.sh's
# C.UTF-8) or in Vietnamese, in the time zone ZONE.
en() { env TZ="$1" "$FIELDBOOK" "${@:2}"; }
vi() { env TZ="$1" LC_ALL=vi_VN.UTF-8 FIELDBOOK_LOCALEDIR="$TMP/locale" "$FIELDBOOK" "${@:2}"; }
# same A B DESC: is, for outputs that must not be empty.
same() {
	if [ -n "$1" ]; then is "$1" "$2" "$3"; else fail "$3" "empty output"; fi
}

fresh_db
m=$(new_id fb member add --name "Nguyễn Thị Lan" --joined 2025-12-31)
t=$(new_id fb training add --title "Kỹ năng lãnh đạo" --date 2026-04-30 --end-date 2026-05-01 --topic leadership)
v=$(new_id fb visit add --date 2026-04-30 --reason tet --member "$m" --amount-vnd 500000)
fb training attend "$t" "$m" >/dev/null

# The language is Vietnamese with the catalogue, English without.
run vi UTC list trainings
like "$OUT" "30/04/2026" "under Vietnamese, list trainings shows 30/04/2026"
run en UTC list trainings
like "$OUT" "^${t: -8}  2026-04-30  Kỹ năng lãnh đạo" "in English, 2026-04-30"

# --- log: the moment of each change, local; JSON in UTC -----------------
run en UTC log --json
expect_exit 0 "log --json"
log_json_utc=$OUT
# The first change's moment from its HLC (48 bits of ms): in UTC and +7h.
ms=$(printf '%s' "$OUT" | json_get 'int(d[0]["hlc"], 16) >> 16')
fmt() { py -c 'import sys, datetime as D
t = D.datetime.fromtimestamp(int(sys.argv[1]) // 1000, D.timezone.utc) + D.timedelta(hours=int(sys.argv[2]))
print(t.strftime(sys.argv[3]))' "$ms" "$1" "$2"; }
utc=$(fmt 0 "%Y-%m-%d %H:%M")
hcm=$(fmt 7 "%Y-%m-%d %H:%M")
hcm_vi=$(fmt 7 "%d/%m/%Y %H:%M")
is "$(printf '%s' "$log_json_utc" | json_get 'd[0]["time"][:16]')" "$utc" "log --json: the time is UTC"
run en UTC log
is "$(printf '%s\n' "$OUT" | head -1 | cut -c1-16)" "$utc" "log under TZ=UTC: the moment in UTC"
run en "$HCM" log
is "$(printf '%s\n' "$OUT" | head -1 | cut -c1-16)" "$hcm" "log under TZ=$HCM: 7 hours later"
like "$OUT" "^$hcm  [0-9a-f]+ #1  member $m  full_name = Nguyễn Thị Lan$" \
	"log line: local time, device, sequence, record, field = value"
run vi "$HCM" log
is "$(printf '%s\n' "$OUT" | head -1 | cut -c1-16)" "$hcm_vi" "log under Vietnamese: dd/mm/yyyy hh:mm"
run en "$HCM" log --json
same "$OUT" "$log_json_utc" "log --json is the same under TZ=$HCM"
run vi "$HCM" log --json
same "$OUT" "$log_json_utc" "...and under Vietnamese"

# --- status: the last sync ---------------------------------------------
# A sync writes its moment as UTC ISO 8601 (meta last_sync); 20:30 UTC is
# already the next day in Hồ Chí Minh City.
sql_query "$FIELDBOOK_DB" "INSERT OR REPLACE INTO meta(key, value) VALUES('last_sync', '2026-04-30T20:30:00Z')"
run en UTC status
expect_out_contains "last sync: 2026-04-30 20:30" "status under TZ=UTC: the last sync in UTC"
run en "$HCM" status
expect_out_contains "last sync: 2026-05-01 03:30" "status under TZ=$HCM: 7 hours later, the next day"
run vi "$HCM" status
expect_out_contains "last sync: 01/05/2026 03:30" "status under Vietnamese: 01/05/2026 03:30"
run en UTC status --json
status_json=$OUT
is_j 'd["last_sync"]' "2026-04-30T20:30:00Z" "status --json: the last sync in UTC"
run vi "$HCM" status --json
same "$OUT" "$status_json" "status --json is the same under TZ=$HCM and Vietnamese"

# --- show: days ---------------------------------------------------------
run en UTC show "$t"
expect_out_match "^start_date +2026-04-30$" "show in English: start_date 2026-04-30"
expect_out_match "^end_date +2026-05-01$" "...end_date 2026-05-01"
run vi "$HCM" show "$t"
expect_out_match "^Start date +30/04/2026$" "show under Vietnamese: start_date 30/04/2026"
expect_out_match "^End date +01/05/2026$" "...end_date 01/05/2026"
run vi "$HCM" show "$m"
expect_out_match "^Joined +31/12/2025$" "a member's joined day"
expect_out_match "^ +${t: -8}  30/04/2026  Kỹ năng lãnh đạo$" "her trainings with their days"
run en UTC show "$t" --json
show_json=$OUT
run vi "$HCM" show "$t" --json
same "$OUT" "$show_json" "show --json is the same in both"
is_j 'd["start_date"]' "2026-04-30" "show --json: ISO"

# --- list: the date columns --------------------------------------------
run vi "$HCM" list visits
expect_out_match "^${v: -8}  30/04/2026  Thăm hỏi dịp Tết +Nguyễn Thị Lan +500000$" "list visits under Vietnamese: 30/04/2026"
run en "$HCM" list visits
expect_out_match "^${v: -8}  2026-04-30  tet +Nguyễn Thị Lan +500000$" "in English: 2026-04-30"
for ty in members trainings visits; do
	run en UTC list "$ty" --json
	a=$OUT
	run vi "$HCM" list "$ty" --json
	same "$OUT" "$a" "list $ty --json is the same under Vietnamese and TZ=$HCM"
done

# --- export: CSV and JSON stay ISO --------------------------------------
for ty in member training visit; do
	run en UTC export --type "$ty" --format csv
	a=$OUT
	run vi "$HCM" export --type "$ty" --format csv
	same "$OUT" "$a" "export $ty CSV: byte for byte the same under Vietnamese"
done
like "$a" ",2026-04-30," "...with ISO days"
run en UTC export --format json
a=$OUT
run vi "$HCM" export --format json
same "$OUT" "$a" "export JSON: the same"

# --- conflicts and edit: a date's values as days ----------------------
# A conflict over the training's start date, as a sync would log it (a
# row of the conflict log, written here without a second laptop).
sql_query "$FIELDBOOK_DB" "INSERT INTO conflict(record_id, type, branch, field, kind,
	winner_value, winner_hlc, winner_device, loser_value, loser_hlc, loser_device)
	VALUES('$t', 'training', 'HN.PL.TT.03', 'start_date', 'field', '2026-04-30', 2,
	'$(printf '%s' "$log_json_utc" | json_get 'd[0]["device"]')', '2026-05-01', 1, '0123456789abcdef')"
run vi "$HCM" conflicts
like "$OUT" "^#[0-9a-f]+  training \"Kỹ năng lãnh đạo\" 30/04/2026 \(${t: -8}\), Start date: current \"30/04/2026\"; other \"01/05/2026\" \(laptop 01234567\)$" \
	"conflicts under Vietnamese: the training's day and the values as days"
run en UTC conflicts
like "$OUT" "start_date: current \"2026-04-30\"; other \"2026-05-01\"" "...in English, ISO"
run vi "$HCM" conflicts --json
is_j '[d[0]["current"], d[0]["other"]]' '["2026-04-30", "2026-05-01"]' "conflicts --json: ISO"
run vi "$HCM" edit "$v" visit_date=2026-05-02
like "$OUT" "^changed visit 30/04/2026 to Nguyễn Thị Lan \(${v: -8}\): Visit date = 02/05/2026$" \
	"edit under Vietnamese says what changed with days"

# --- the candidates of an ambiguous title show days too ----------------
t2=$(new_id fb training add --title "Kỹ năng giao tiếp" --date 2026-01-05 --topic leadership)
run vi "$HCM" show "ky nang"
expect_exit 65 "two trainings hold 'ky nang'"
like "$ERR" "^  ${t2: -8}  training  Kỹ năng giao tiếp +05/01/2026$" "a candidate's day, 05/01/2026"
run en UTC show "ky nang"
like "$ERR" "^  ${t2: -8}  training  Kỹ năng giao tiếp +2026-01-05$" "...2026-01-05 in English"

done_testing
