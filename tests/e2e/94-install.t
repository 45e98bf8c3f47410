#!/usr/bin/env bash
# 94-install: make install and make uninstall (PREFIX, DESTDIR), the
# systemd units (systemd-analyze verify, where it exists), and the
# nightly backup script with its rotation.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${FIELDBOOK_BUILD:-$SRC/build}
HUB=${FIELDBOOK_HUB:-$BUILD_DIR/bin/fieldbook-hub}
mk() {
	make -s --no-print-directory -C "$SRC" BUILD="$BUILD_DIR" "$@" 5>&- 6>&- 7>&- 8>&-
}
files_under() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '%m %p\n' | sort)
}

# A package's root: DESTDIR, PREFIX=/usr; the units are installed.
root=$TMP/root
run mk install DESTDIR="$root" PREFIX=/usr
is "$RC" 0 "make install DESTDIR=... PREFIX=/usr" || diag "$ERR"
is "$(files_under "$root")" "644 ./usr/lib/systemd/system/fieldbook-hub-backup.service
644 ./usr/lib/systemd/system/fieldbook-hub-backup.timer
644 ./usr/lib/systemd/system/fieldbook-hub.service
644 ./usr/share/bash-completion/completions/fieldbook
644 ./usr/share/bash-completion/completions/fieldbook-hub
644 ./usr/share/locale/vi/LC_MESSAGES/fieldbook.mo
644 ./usr/share/man/man1/fieldbook-hub.1
644 ./usr/share/man/man1/fieldbook.1
755 ./usr/bin/fieldbook
755 ./usr/bin/fieldbook-hub
755 ./usr/lib/fieldbook-hub/fieldbook-hub-backup" "the installed files, and their modes"
like "$(grep '^ExecStart=' "$root/usr/lib/systemd/system/fieldbook-hub.service")" \
	'^ExecStart=/usr/bin/fieldbook-hub --db /var/lib/fieldbook-hub/hub.db serve --listen' \
	"the unit runs /usr/bin/fieldbook-hub serve on /var/lib/fieldbook-hub/hub.db"
run "$root/usr/bin/fieldbook" --version
like "$OUT" '^fieldbook [0-9]' "the installed fieldbook runs"
run env LC_ALL=vi_VN.UTF-8 "$root/usr/bin/fieldbook" --help
like "$OUT" '^cách dùng: fieldbook ' "the installed fieldbook finds its catalogue in ../share/locale"
run mk uninstall DESTDIR="$root" PREFIX=/usr
is "$RC" 0 "make uninstall DESTDIR=... PREFIX=/usr"
is "$(files_under "$root")" "" "make uninstall removes every file it installed"

# The default PREFIX, /usr/local, without DESTDIR: no units.
run mk -n install
like "$OUT" "install -m 0755 .* /usr/local/bin/fieldbook\$" "PREFIX defaults to /usr/local"
case $OUT in
*systemd*) fail "no units under /usr/local without DESTDIR" "$OUT" ;;
*) pass "no units under /usr/local without DESTDIR" ;;
esac

# The units as installed for a real prefix, so that systemd-analyze finds
# the programs they run.
prefix=$TMP/prefix
run mk install PREFIX="$prefix" INSTALL_UNITS=yes
is "$RC" 0 "make install PREFIX=$prefix INSTALL_UNITS=yes"
units=$prefix/lib/systemd/system
if command -v systemd-analyze >/dev/null 2>&1; then
	run systemd-analyze verify --man=no "$units/fieldbook-hub.service" \
		"$units/fieldbook-hub-backup.service" "$units/fieldbook-hub-backup.timer"
	is "$RC:$OUT$ERR" "0:" "systemd-analyze verify: the service, the backup service and the timer"
	# (Its exit status is 1 even under the threshold in systemd 252: read
	# the figure instead.)
	run systemd-analyze security --offline=true --no-pager "$units/fieldbook-hub.service"
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$OUT_FILE")
	like "$level" '^[0-2]\.[0-9]$' "systemd-analyze security: the hub's exposure is under 3 ($level)"
else
	pass "# SKIP systemd-analyze is not installed"
	pass "# SKIP systemd-analyze is not installed"
fi
for key in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	User=fieldbook-hub StateDirectory=fieldbook-hub CapabilityBoundingSet= \
	'SystemCallFilter=@system-service' 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'; do
	grep -qx "$key" "$units/fieldbook-hub.service" || missing="${missing:-} [$key]"
done
is "${missing:-}" "" "the hub's unit has its user, state directory and hardening"
# The hub takes 4,096 connections and needs 4,160 open files; its
# system-call filter forbids setrlimit, so the unit must give them.
nofile=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' "$units/fieldbook-hub.service")
ok "the hub's unit gives it the open files of 4,096 connections (LimitNOFILE=${nofile:-none})" \
	test "${nofile:-0}" -ge 4160

# The nightly backup script: a checked copy, owner-only, and rotation.
backup=$prefix/lib/fieldbook-hub/fieldbook-hub-backup
"$HUB" --db "$TMP/hub.db" init --unit HN --name "Hà Nội" --level province >/dev/null 2>&1
mkdir -p "$TMP/backups"
for d in 2026-01-01 2026-01-02 2026-01-03; do : >"$TMP/backups/hub-$d.db"; done
: >"$TMP/backups/notes.txt"
today=$(date +%Y-%m-%d)
run env FIELDBOOK_HUB="$HUB" FIELDBOOK_HUB_DB="$TMP/hub.db" FIELDBOOK_HUB_BACKUPS="$TMP/backups" \
	FIELDBOOK_HUB_KEEP=2 "$backup"
is "$RC" 0 "fieldbook-hub-backup runs" || diag "$ERR"
is "$(ls "$TMP/backups" | tr '\n' ' ')" "hub-2026-01-03.db hub-$today.db notes.txt " \
	"it keeps the newest FIELDBOOK_HUB_KEEP copies, and other files"
is "$(stat -c %a "$TMP/backups/hub-$today.db")" 600 "the copy is owner-only"
run "$HUB" --db "$TMP/backups/hub-$today.db" verify
is "$RC" 0 "the copy verifies"
run env FIELDBOOK_HUB="$HUB" FIELDBOOK_HUB_DB="$TMP/hub.db" FIELDBOOK_HUB_BACKUPS="$TMP/backups" \
	FIELDBOOK_HUB_KEEP=2 "$backup"
is "$RC:$(ls "$TMP/backups" | tr '\n' ' ')" "0:hub-2026-01-03.db hub-$today.db notes.txt " \
	"a second run the same day replaces that day's copy"
run env FIELDBOOK_HUB="$HUB" FIELDBOOK_HUB_DB="$TMP/nohub.db" FIELDBOOK_HUB_BACKUPS="$TMP/backups" "$backup"
is "$RC" 66 "no database: the status of fieldbook-hub backup (66), for the journal to show"
run env FIELDBOOK_HUB_KEEP=x "$backup"
is "$RC" 64 "a FIELDBOOK_HUB_KEEP that is not a number is refused"

run mk uninstall PREFIX="$prefix" INSTALL_UNITS=yes
is "$(files_under "$prefix")" "" "make uninstall PREFIX=... removes it all"

done_testing
