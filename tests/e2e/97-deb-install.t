#!/usr/bin/env bash
# 97-deb-install: the .deb packages installed onto the machine itself
# with apt-get, as README.md's "Installing from the .deb" does, then the
# steps after it as the service's user (without systemd, which a CI
# machine may not run): init, unit import, serve on a free loopback port
# and its health check, a backup by the packaged script; then both
# packages purged and gone.  The machine is left as it was found (the
# system user and /var/lib/fieldbook-hub are removed when the test made
# them).
#
# Only in CI (CI=true), as root, with apt-get and dpkg, and with a build
# that is not a sanitizer's (its packages would depend on the
# sanitizer's libraries); anywhere else it skips and says why.  95-deb.t
# covers the packages in a fresh root everywhere.
. "$(dirname "$0")/synclib.sh"

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
[ "${CI:-}" = true ] || skip "installs onto this machine: only in CI (CI=true)"
[ "$(id -u)" = 0 ] || skip "needs root to install packages"
for tool in apt-get dpkg dpkg-deb dpkg-shlibdeps setpriv curl; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
if objdump -p "$FIELDBOOK_HUB" 2>/dev/null | grep -q 'NEEDED.*lib[at]san'; then
	skip "a sanitizer build is not what ships"
fi
for p in fieldbook fieldbook-hub; do
	if dpkg -s "$p" >/dev/null 2>&1; then
		skip "$p is installed here already; not touched"
	fi
done

SRC=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${FIELDBOOK_BUILD:-$SRC/build}
STATE=/var/lib/fieldbook-hub
DB=$STATE/hub.db
had_user=$(getent passwd fieldbook-hub >/dev/null && echo yes)
had_state=$([ -e "$STATE" ] && echo yes)

# Whatever happens, purge what this test installed and what it made.
cleanup_install() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q fieldbook fieldbook-hub >/dev/null 2>&1
	[ -n "$had_state" ] || rm -rf "$STATE"
	[ -n "$had_user" ] || deluser --system --quiet fieldbook-hub >/dev/null 2>&1
	[ -n "$had_user" ] || delgroup --system --quiet fieldbook-hub >/dev/null 2>&1
}
_PREV97=$(_sync_prev_exit)
trap 'cleanup_install; eval "$_PREV97"' EXIT

# as_hub CMD...: CMD as the service's user, in its directory (the same
# process: its pid is the command's).
as_hub() {
	(cd "$STATE" && exec setpriv --reuid fieldbook-hub --regid fieldbook-hub --init-groups \
		env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=UTC "$@")
}

run make -s --no-print-directory -C "$SRC" BUILD="$BUILD_DIR" deb
is "$RC" 0 "make deb" || diag "$ERR"
version=$("$FIELDBOOK" --version | sed 's/^fieldbook //')
arch=$(dpkg --print-architecture)
deb=$BUILD_DIR/deb/fieldbook_${version}_$arch.deb
hubdeb=$BUILD_DIR/deb/fieldbook-hub_${version}_$arch.deb

run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" "$hubdeb"
is "$RC" 0 "apt-get install ./fieldbook_*.deb ./fieldbook-hub_*.deb" || diag "$(tail -5 "$ERR_FILE")"
is "$(dpkg-query -W -f '${Status} ${Version}' fieldbook-hub 2>/dev/null)" "install ok installed $version" \
	"fieldbook-hub is installed, at the programs' version"
run /usr/bin/fieldbook --version
is "$RC:$OUT" "0:fieldbook $version" "fieldbook --version from /usr/bin"
run /usr/bin/fieldbook-hub --version
is "$RC:$OUT" "0:fieldbook-hub $version" "fieldbook-hub --version from /usr/bin"
ok "the package made the system user fieldbook-hub" sh -c "getent passwd fieldbook-hub >/dev/null"
is "$(stat -c '%U:%G %a' "$STATE" 2>/dev/null)" "fieldbook-hub:fieldbook-hub 750" \
	"...and its directory $STATE, its own, 0750"
ok "the service's unit is installed" test -f /usr/lib/systemd/system/fieldbook-hub.service
ok "man fieldbook-hub is installed" test -f /usr/share/man/man1/fieldbook-hub.1.gz

# README.md, "Installing from the .deb", the steps after apt.
printf 'code,parent,level,name\nHN.PL.TT,HN.PL,commune,Xã Thanh Thủy\nHN.PL,HN,district,Huyện Phúc Lộc\nHN.PL.TT.03,HN.PL.TT,branch,Chi hội 3\n' >"$TMP/units.csv"
run as_hub /usr/bin/fieldbook-hub --db "$DB" init --unit HN --name "Hà Nội" --level province
is "$RC" 0 "init as fieldbook-hub" || diag "$ERR"
as_hub /usr/bin/fieldbook-hub --db "$DB" unit import /dev/stdin <"$TMP/units.csv" >"$OUT_FILE" 2>"$ERR_FILE"
is "$?" 0 "unit import /dev/stdin < units.csv: the user's shell reads the file" || diag "$(cat "$ERR_FILE")"
is "$(stat -c '%U %a' "$DB" 2>/dev/null)" "fieldbook-hub 600" "the database is the service user's, owner-only"

rm -f "$STATE/port"
# exec all the way down: $! is the hub's own pid.
(cd "$STATE" && exec setpriv --reuid fieldbook-hub --regid fieldbook-hub --init-groups \
	env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 /usr/bin/fieldbook-hub --db "$DB" serve \
	--listen 127.0.0.1:0 --port-file "$STATE/port") \
	>"$TMP/serve.out" 2>"$TMP/serve.err" </dev/null 5>&- 6>&- 7>&- 8>&- &
pid=$!
_SYNC_PIDS="$_SYNC_PIDS $pid"
for _ in $(seq 200); do
	[ -s "$STATE/port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
port=$(tr -dc 0-9 <"$STATE/port" 2>/dev/null)
ok "the installed hub serves as fieldbook-hub (port $port)" test -n "$port"
run curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:${port:-1}/v1/health"
is "$OUT" 200 "...and answers its health check"
is "$(stat -c %U "/proc/$pid" 2>/dev/null)" fieldbook-hub "...running as its user"

run as_hub /usr/lib/fieldbook-hub/fieldbook-hub-backup
is "$RC" 0 "the packaged backup script, while it serves" || diag "$ERR"
like "$(ls "$STATE/backups" 2>/dev/null)" '^hub-[0-9]{4}-[0-9]{2}-[0-9]{2}\.db$' "...writes the day's copy"
stop_hub "$pid"
is "$HUB_RC" 0 "the hub stops on SIGTERM"

run env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q fieldbook fieldbook-hub
is "$RC" 0 "apt-get purge fieldbook fieldbook-hub" || diag "$(tail -5 "$ERR_FILE")"
ok "fieldbook is gone" test ! -e /usr/bin/fieldbook
ok "fieldbook-hub and its units are gone" test ! -e /usr/bin/fieldbook-hub -a \
	! -e /usr/lib/systemd/system/fieldbook-hub.service -a ! -e /usr/lib/fieldbook-hub
ok "dpkg knows neither" sh -c '! dpkg -s fieldbook >/dev/null 2>&1 && ! dpkg -s fieldbook-hub >/dev/null 2>&1'
ok "the hub's data is kept" test -f "$DB"
done_testing
