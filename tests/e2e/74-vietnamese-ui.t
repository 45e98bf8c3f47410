#!/usr/bin/env bash
# 74-vietnamese-ui: with a Vietnamese locale in the environment, fieldbook
# speaks Vietnamese: the report, --help, a command's help and errors, with
# the same exit codes as in English; list and show name roles, topics,
# reasons, support kinds and levels by their Vietnamese names.  CSV and
# JSON are byte for byte the same in both languages.  LC_ALL wins over
# LANG.  The vi_VN.UTF-8 C locale need not be installed (shared/i18n.c
# falls back to C.UTF-8 and $LANGUAGE); the catalogue is the build's
# build/locale/vi/LC_MESSAGES/fieldbook.mo, found beside the program.
. "$(dirname "$0")/lib.sh"

# vi CMD...: fieldbook under LC_ALL=vi_VN.UTF-8; vilang: under LANG with
# LC_ALL and LC_MESSAGES unset.  en: the English of lib.sh (LC_ALL=C.UTF-8).
vi() {
	LC_ALL=vi_VN.UTF-8 "$FIELDBOOK" "$@" 5>&- 6>&- 7>&- 8>&-
}
vilang() {
	env -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 "$FIELDBOOK" "$@" 5>&- 6>&- 7>&- 8>&-
}
en() {
	fb "$@"
}

# both DESC EXIT EN-STDERR VI-STDERR CMD...: one error, in both languages
# (LC_ALL and LANG), the same exit code, stderr exactly the line given;
# the database unchanged.
both() {
	local d=$1 code=$2 en_msg=$3 vi_msg=$4
	shift 4
	snapshot
	run en "$@"
	is "$RC:$ERR" "$code:$en_msg" "$d: English, exit $code"
	run vi "$@"
	is "$RC:$ERR" "$code:$vi_msg" "$d: Vietnamese (LC_ALL), exit $code"
	run vilang "$@"
	is "$RC:$ERR" "$code:$vi_msg" "$d: Vietnamese (LANG), exit $code"
	db_unchanged "$d: the database unchanged"
}

fb init --branch HN.PL.TT.03 --name "Chi hội Thôn Đông" >/dev/null ||
	{ echo "Bail out! init failed"; exit 1; }
# Vietnamese names, roles and topics typed as a branch head types them.
lan=$(new_id vi member add --name "Nguyễn Thị Lan" --role "Chi hội trưởng" --birth-year 1980 \
	--phone 0912345678)
hoa=$(new_id vi member add --name "Trần Thị Hoa" --role "chi hoi pho")
mai=$(new_id vi member add --name "Lê Thị Mai")
tr=$(new_id vi training add --title "Tập huấn bình đẳng giới" --date 08/03/2026 \
	--topic "Bình đẳng giới; Nuôi dạy con" --organizer Xã --location "Nhà văn hóa thôn Đông")
vi training attend "$tr" Lan Mai >/dev/null
vis=$(new_id vi visit add --date 25/01/2026 --reason Tết --member Mai --support "Tiền mặt" \
	--amount-vnd 500.000)
like "$lan $hoa $mai $tr $vis" "^[0-9a-f-]{36}( [0-9a-f-]{36}){4}$" \
	"setup under Vietnamese: Vietnamese role, topic, level, reason and support names are read"

# --- the report ----------------------------------------------------------
run en report --year 2026
is "$RC:$(sed -n '1p;3p;8p;9p' "$OUT_FILE")" "0:Fieldbook report 2026: branch HN.PL.TT.03, Chi hội Thôn Đông
Members by role (3)
Trained in 2026 (target)
  Branch heads and deputies                  1 of 2     50.0%  target 100%  NOT MET" \
	"report in English"
run vi report --year 2026
is "$RC:$OUT" "0:Báo cáo Fieldbook năm 2026: chi hội HN.PL.TT.03, Chi hội Thôn Đông

Hội viên theo vai trò (3)
  Hội viên                                      1
  Chi hội trưởng                                1
  Chi hội phó                                   1

Đã tập huấn trong năm 2026 (so với chỉ tiêu)
  Chi hội trưởng và chi hội phó              1 trên 2     50.0%  chỉ tiêu 100%  CHƯA ĐẠT
    chưa được tập huấn: Trần Thị Hoa (Chi hội phó)

Lớp tập huấn theo chủ đề năm 2026          số lớp  lượt tham dự
  Bình đẳng giới                                1            2
  Nuôi dạy con                                  1            2
  Tổng số lớp                                   1            2
  2 hội viên khác nhau đã được tập huấn

Thăm hỏi, hỗ trợ năm 2026                 lượt thăm   số tiền (đồng)
  Thăm hỏi dịp Tết                             1          500.000
  Tổng số lượt thăm                            1          500.000" "report in Vietnamese (LC_ALL)"
vi_report=$OUT
run vilang report --year 2026
is "$RC:$OUT" "0:$vi_report" "report in Vietnamese (LANG, LC_ALL unset)"
run env -u LC_ALL LANG=C LC_MESSAGES=vi_VN.UTF-8 "$FIELDBOOK" report --year 2026
is "$RC:$OUT" "0:$vi_report" "LC_MESSAGES alone is enough"

# --- help ------------------------------------------------------------------
run en --help
is "$RC:$(sed -n 1p "$OUT_FILE")" "0:usage: fieldbook [--db PATH] COMMAND [ARGS]" "--help in English"
for who in vi vilang; do
	run $who --help
	is "$RC:$(sed -n '1p;3p;5,6p' "$OUT_FILE")" "0:cách dùng: fieldbook [--db PATH] COMMAND [ARGS]
Ghi chép các lớp tập huấn và các lượt thăm hỏi, hỗ trợ của một chi hội Hội Liên hiệp Phụ nữ.
Các lệnh:
  init               tạo cơ sở dữ liệu cho một chi hội, hoặc sửa mã chi hội" "--help in Vietnamese ($who)"
	expect_out_contains "  member add         thêm một hội viên; in ra mã của hội viên"
	expect_out_contains "'fieldbook COMMAND --help' cho biết các tùy chọn của một lệnh."
done
run en member add --help
is "$RC:$(grep -c '^options:$\|^role: member branch_head branch_deputy' "$OUT_FILE")" "0:2" \
	"member add --help in English: options, the role codes on one line"
run vi member add --help
is "$RC:$(sed -n '1,5p' "$OUT_FILE")" "0:cách dùng: fieldbook member add --name NAME [--role ROLE] [--birth-year Y] [--phone P] [--joined DATE] [--notes N]

thêm một hội viên; in ra mã của hội viên

tùy chọn:" "member add --help in Vietnamese: the usage line as typed, the rest translated"
expect_out_contains "      --name NAME              họ và tên (bắt buộc)"
expect_out_contains "Vai trò (role):
  member                      Hội viên
  branch_head                 Chi hội trưởng"
expect_out_contains "không phân biệt chữ hoa, chữ thường hay dấu"
run vi member --help
is "$RC:$(sed -n 1p "$OUT_FILE")" "0:cách dùng:" "a group's help in Vietnamese"
run vi visit add --help
expect_out_contains "Lý do (reason):
  illness                     Ốm đau"
expect_out_contains "  tet                         Thăm hỏi dịp Tết"

# --- errors: the same exit code, one line in each language ------------------
both "a bad date" 65 \
	"fieldbook: joined: '31/02/2026' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	"fieldbook: joined: '31/02/2026' không phải là ngày (YYYY-MM-DD hoặc DD/MM/YYYY, từ năm 1900 đến 2200)" \
	member add --name "Phạm Thị Thu" --joined 31/02/2026
both "an unknown record" 65 \
	"fieldbook: no record matches 'Hương': give a member's name, a training's title or an id (see 'fieldbook list')" \
	"fieldbook: không có bản ghi nào khớp với 'Hương': hãy nêu họ tên hội viên, tên lớp tập huấn hoặc mã (xem 'fieldbook list')" \
	show Hương
both "an unknown id" 65 \
	"fieldbook: no record with id '$NOID'" \
	"fieldbook: không có bản ghi nào mang mã '$NOID'" \
	edit "$NOID" notes=x
both "an unknown reason" 65 \
	"fieldbook: reason: unknown value 'Cưới'" \
	"fieldbook: reason: không có giá trị 'Cưới'" \
	visit add --date 2026-02-01 --reason Cưới --person "Bà Tư"
both "a visit to nobody" 65 \
	"fieldbook: a visit needs a member (--member ID) or a person's name (--person NAME)" \
	"fieldbook: lượt thăm hỏi cần có hội viên (--member ID) hoặc họ tên người được thăm (--person NAME)" \
	visit add --date 2026-01-26 --reason tet
both "a usage error" 64 \
	"fieldbook: cannot list 'cats'; choose members, trainings or visits (see 'fieldbook list --help')" \
	"fieldbook: không liệt kê được 'cats'; hãy chọn members, trainings hoặc visits (xem 'fieldbook list --help')" \
	list cats
both "a mistyped command" 64 \
	"fieldbook: unknown command 'lisst'; did you mean 'list'? (see 'fieldbook --help')" \
	"fieldbook: không có lệnh 'lisst'; có phải ý bạn là 'list'? (xem 'fieldbook --help')" \
	lisst members
both "an unknown option" 64 \
	"fieldbook: unknown option '--nam'; did you mean '--name'? (see 'fieldbook member add --help')" \
	"fieldbook: không có tùy chọn '--nam'; có phải ý bạn là '--name'? (xem 'fieldbook member add --help')" \
	member add --nam "Đỗ Thị Hằng"
both "sync with no hub" 64 \
	"fieldbook: no hub set up: run 'fieldbook remote set URL --token-file FILE'" \
	"fieldbook: chưa đặt máy chủ: hãy chạy 'fieldbook remote set URL --token-file FILE'" \
	sync

# --- list and show: Vietnamese names of the codes ---------------------------
run en list members
like "$OUT" "^[0-9a-f]{8}  Nguyễn Thị Lan +branch_head +1980  0912345678$" "list in English: the role's code"
run vi list members
like "$OUT" "^MÃ +HỌ TÊN +VAI TRÒ +NĂM SINH  ĐIỆN THOẠI$" "list in Vietnamese: the headings"
like "$OUT" "^[0-9a-f]{8}  Nguyễn Thị Lan +Chi hội trưởng +1980 +0912345678$" "list: Chi hội trưởng"
like "$OUT" "^[0-9a-f]{8}  Trần Thị Hoa +Chi hội phó *$" "list: Chi hội phó"
like "$OUT" "^3 hội viên$" "list: the count"
run vilang list trainings
like "$OUT" "^[0-9a-f]{8}  .*Tập huấn bình đẳng giới +Bình đẳng giới, Nuôi dạy con$" \
	"list trainings (LANG): the topics' names"
like "$OUT" "^1 lớp tập huấn$" "list trainings: the count"
run vi list visits
like "$OUT" "^[0-9a-f]{8}  .*Thăm hỏi dịp Tết +Lê Thị Mai +500000$" "list visits: the reason's name"
run vi show Lan
like "$OUT" "^Họ và tên +Nguyễn Thị Lan$" "show: the field's name"
like "$OUT" "^Vai trò +Chi hội trưởng$" "show: the role's name"
like "$OUT" "^Loại +hội viên$" "show: the type's name"
like "$OUT" "^Đã xóa +không$" "show: no, in Vietnamese"
run vi show "$tr"
like "$OUT" "^Chủ đề +Bình đẳng giới, Nuôi dạy con$" "show training: the topics' names"
like "$OUT" "^Cấp tổ chức +Xã$" "show training: the organiser level's name"
like "$OUT" "^Người tham dự +2$" "show training: its attendees"
run vi show "$vis"
like "$OUT" "^Lý do +Thăm hỏi dịp Tết$" "show visit: the reason's name"
like "$OUT" "^Hình thức hỗ trợ +Tiền mặt$" "show visit: the support kind's name"
run en show "$vis"
like "$OUT" "^reason +tet$" "show in English: the reason's code"
run vi edit Lan phone=0987000222 role=member
is "$RC:$OUT" "0:đã sửa hội viên Nguyễn Thị Lan (${lan: -8}): Vai trò = Hội viên, Số điện thoại = 0987000222" \
	"edit says what changed, in Vietnamese"
run vi edit Lan role=branch_head
run vi delete Hoa
is "$RC:$OUT" "0:đã xóa hội viên Trần Thị Hoa (${hoa: -8}); 'fieldbook restore ${hoa: -8}' sẽ khôi phục lại" \
	"delete says so in Vietnamese"
run vi restore Hoa
is "$RC:$OUT" "0:đã khôi phục hội viên Trần Thị Hoa (${hoa: -8})" "restore says so in Vietnamese"
run vi status
like "$OUT" "^bản ghi: +3 hội viên, 1 lớp tập huấn, 2 lượt tham dự, 1 lượt thăm hỏi$" "status in Vietnamese"
run vi verify
like "$OUT" "^tốt: cơ sở dữ liệu nguyên vẹn, " "verify in Vietnamese"

# --- CSV and JSON: the same bytes in every language --------------------------
same() {
	local d=$1
	shift
	en "$@" >"$TMP/en.out" 2>/dev/null
	vi "$@" >"$TMP/vi.out" 2>/dev/null
	vilang "$@" >"$TMP/vilang.out" 2>/dev/null
	if [ -s "$TMP/en.out" ] && cmp -s "$TMP/en.out" "$TMP/vi.out" &&
		cmp -s "$TMP/en.out" "$TMP/vilang.out"; then
		pass "$d: the same bytes in English and Vietnamese"
	else
		fail "$d: the same bytes in English and Vietnamese" \
			"$(diff "$TMP/en.out" "$TMP/vi.out" | head -10)"
	fi
}
for t in member training attendance visit; do
	same "export --format csv --type $t" export --format csv --type "$t"
done
same "export --format csv --all --bom" export --format csv --type member --all --bom
same "export --format csv --lang vi" export --format csv --type visit --lang vi
same "export --format json" export --format json
same "export --format json --all" export --format json --all
same "list members --json" list members --json
same "list trainings --json" list trainings --json
same "list visits --json" list visits --json
same "show --json" show Lan --json
same "report --format csv" report --year 2026 --format csv
same "report --format json" report --year 2026 --format json
same "status --json" status --json
same "log --json" log --json
same "conflicts --json" conflicts --json
run vi export --format csv --type member -o "$TMP/vi-members.csv"
like "$ERR" "^đã xuất 3 hội viên ra $TMP/vi-members.csv \([0-9]+ byte\)$" \
	"export's summary on stderr is Vietnamese, the file is not"
en export --format csv --type member >"$TMP/en-members.csv" 2>/dev/null
ok "the file written under Vietnamese is the English export" cmp -s "$TMP/en-members.csv" "$TMP/vi-members.csv"

# --- which variable wins -------------------------------------------------------
run env LC_ALL=C LANG=vi_VN.UTF-8 "$FIELDBOOK" report --year 2026
is "$RC:$(sed -n 1p "$OUT_FILE")" "0:Fieldbook report 2026: branch HN.PL.TT.03, Chi hội Thôn Đông" \
	"LC_ALL=C LANG=vi_VN.UTF-8: LC_ALL wins, English"
run env LC_ALL=C.UTF-8 LANG=vi_VN.UTF-8 LC_MESSAGES=vi_VN.UTF-8 "$FIELDBOOK" list cats
is "$RC:$ERR" "64:fieldbook: cannot list 'cats'; choose members, trainings or visits (see 'fieldbook list --help')" \
	"LC_ALL=C.UTF-8 wins over LANG and LC_MESSAGES"
run env -u LC_ALL -u LC_MESSAGES -u LANG "$FIELDBOOK" list cats
like "$ERR" "^fieldbook: cannot list 'cats'" "nothing set: English"
run env FIELDBOOK_LOCALEDIR="$TMP/nowhere" LC_ALL=vi_VN.UTF-8 "$FIELDBOOK" list cats
is "$RC:$ERR" "64:fieldbook: cannot list 'cats'; choose members, trainings or visits (see 'fieldbook list --help')" \
	"no catalogue where FIELDBOOK_LOCALEDIR says: English, same exit code"
run env FIELDBOOK_LOCALEDIR="$(cd "$(dirname "$FIELDBOOK")/../locale" && pwd)" LC_ALL=vi_VN.UTF-8 \
	"$FIELDBOOK" list cats
like "$ERR" "^fieldbook: không liệt kê được 'cats'" "FIELDBOOK_LOCALEDIR names the catalogues"

# With the vi_VN.UTF-8 locale installed (here: made with localedef into a
# directory of the test's, found through LOCPATH), the same text, and
# the same CSV and JSON.
mkdir -p "$TMP/locales"
command -v localedef >/dev/null 2>&1 &&
	localedef -i vi_VN -f UTF-8 "$TMP/locales/vi_VN.UTF-8" >/dev/null 2>&1
# glibc keeps the name of a locale it loaded for the life of the process
# (allocated in __argz_add_sep, freed only by __libc_freeres): not a leak
# of ours, so a sanitizer build is told to let it be.
printf 'leak:__argz_add_sep\n' >"$TMP/lsan.supp"
if [ -e "$TMP/locales/vi_VN.UTF-8/LC_MESSAGES" ] &&
	LOCPATH="$TMP/locales" LC_ALL=vi_VN.UTF-8 locale 2>&1 | grep -qx 'LC_MESSAGES="vi_VN.UTF-8"'; then
	run env LOCPATH="$TMP/locales" LC_ALL=vi_VN.UTF-8 \
		LSAN_OPTIONS="suppressions=$TMP/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
		"$FIELDBOOK" report --year 2026
	is "$RC:$OUT" "0:$vi_report" "the locale installed: the same Vietnamese report"
	LOCPATH="$TMP/locales" LSAN_OPTIONS="suppressions=$TMP/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
		vi export --format json >"$TMP/installed.json" 2>/dev/null
	en export --format json >"$TMP/en.json" 2>/dev/null
	ok "the locale installed: the same JSON" cmp -s "$TMP/en.json" "$TMP/installed.json"
else
	pass "# SKIP localedef cannot make vi_VN.UTF-8 here"
	pass "# SKIP localedef cannot make vi_VN.UTF-8 here"
fi

done_testing
