#!/usr/bin/env bash
# 95-deb: make deb builds fieldbook and fieldbook-hub packages whose
# programs run from a fresh root (dpkg-deb -x): fieldbook --version, and
# a hub that answers its health check on loopback.  lintian finds no
# error where it is installed.  Skipped without dpkg-deb.
. "$(dirname "$0")/synclib.sh"

SRC=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${FIELDBOOK_BUILD:-$SRC/build}

if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v dpkg-shlibdeps >/dev/null 2>&1; then
	echo "1..0 # SKIP dpkg-deb or dpkg-shlibdeps is not installed"
	exit 0
fi

run make -s --no-print-directory -C "$SRC" BUILD="$BUILD_DIR" deb
is "$RC" 0 "make deb"
[ "$RC" = 0 ] || diag "$ERR"
version=$("$FIELDBOOK" --version | sed 's/^fieldbook //')
arch=$(dpkg --print-architecture)
deb=$BUILD_DIR/deb/fieldbook_${version}_$arch.deb
hubdeb=$BUILD_DIR/deb/fieldbook-hub_${version}_$arch.deb
ok "fieldbook_${version}_$arch.deb" test -s "$deb"
ok "fieldbook-hub_${version}_$arch.deb" test -s "$hubdeb"

is "$(dpkg-deb -f "$deb" Package Version)" "Package: fieldbook
Version: $version" "the version is the program's"
like "$(dpkg-deb -f "$deb" Depends)" 'libsqlite3-0 .*' "fieldbook depends on SQLite's package"
like "$(dpkg-deb -f "$hubdeb" Depends)" 'libmicrohttpd[0-9]+ .*adduser' \
	"fieldbook-hub depends on libmicrohttpd's package and adduser"
run dpkg-deb -f "$hubdeb" Depends
for lib in $(objdump -p "$FIELDBOOK_HUB" | sed -n 's/^ *NEEDED *//p'); do
	case $lib in linux-vdso* | ld-linux* | libasan* | libubsan* | libstdc++* | libgcc_s* | libm.so*) continue ;; esac
	pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
	[ -z "$pkg" ] || [[ $OUT == *"$pkg "* || $OUT == *"$pkg,"* || $OUT == *"$pkg" ]] || missing="${missing:-} $pkg"
done
is "${missing:-}" "" "every library package the hub links is a dependency"
is "$(dpkg-deb -I "$hubdeb" conffiles 2>/dev/null)" "/etc/default/fieldbook-hub" "the hub's conffile"

# The files each package holds.
contents() {
	dpkg-deb -c "$1" | awk '{print $1, $6}' | grep -v '/$' | sort -k2
}
is "$(contents "$deb")" "-rwxr-xr-x ./usr/bin/fieldbook
-rw-r--r-- ./usr/share/bash-completion/completions/fieldbook
-rw-r--r-- ./usr/share/doc/fieldbook/changelog.gz
-rw-r--r-- ./usr/share/doc/fieldbook/copyright
-rw-r--r-- ./usr/share/locale/vi/LC_MESSAGES/fieldbook.mo
-rw-r--r-- ./usr/share/man/man1/fieldbook.1.gz" "what fieldbook holds"
is "$(contents "$hubdeb")" "-rw-r--r-- ./etc/default/fieldbook-hub
-rwxr-xr-x ./usr/bin/fieldbook-hub
-rwxr-xr-x ./usr/lib/fieldbook-hub/fieldbook-hub-backup
-rw-r--r-- ./usr/lib/systemd/system/fieldbook-hub-backup.service
-rw-r--r-- ./usr/lib/systemd/system/fieldbook-hub-backup.timer
-rw-r--r-- ./usr/lib/systemd/system/fieldbook-hub.service
-rw-r--r-- ./usr/share/bash-completion/completions/fieldbook-hub
-rw-r--r-- ./usr/share/doc/fieldbook-hub/changelog.gz
-rw-r--r-- ./usr/share/doc/fieldbook-hub/copyright
-rw-r--r-- ./usr/share/man/man1/fieldbook-hub.1.gz" "what fieldbook-hub holds"

# A fresh root: the programs as the packages hold them.
root=$TMP/root
mkdir -p "$root"
dpkg-deb -x "$deb" "$root" && dpkg-deb -x "$hubdeb" "$root"
run "$root/usr/bin/fieldbook" --version
is "$RC:$OUT" "0:fieldbook $version" "fieldbook --version from the package"
run env LC_ALL=vi_VN.UTF-8 "$root/usr/bin/fieldbook" list cats
is "$RC:$ERR" "64:fieldbook: không liệt kê được 'cats'; hãy chọn members, trainings hoặc visits (xem 'fieldbook list --help')" \
	"the packaged fieldbook speaks Vietnamese with its catalogue"
run "$root/usr/bin/fieldbook-hub" --version
is "$RC:$OUT" "0:fieldbook-hub $version" "fieldbook-hub --version from the package"
run "$root/usr/bin/fieldbook-hub" --db "$TMP/hub.db" init --unit HN --name "Hà Nội" --level province
is "$RC" 0 "the packaged hub creates its database"
FIELDBOOK_HUB=$root/usr/bin/fieldbook-hub start_hub "$TMP/hub.db"
run curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HUB_URL/v1/health"
is "$OUT" 200 "the packaged hub answers its health check on loopback"
stop_hub
is "$HUB_RC" 0 "it stops on SIGTERM, as systemctl stop sends"
run gzip -dc "$root/usr/share/man/man1/fieldbook-hub.1.gz"
like "$OUT" '^\.SH EXIT STATUS' "the man page is in the package"

# The postinst: the system user and its directory, with the commands it
# runs recorded instead of run.
stubs=$TMP/stubs
mkdir -p "$stubs"
for c in adduser install; do
	printf '#!/bin/sh\necho %s "$@" >>"%s/calls"\n' "$c" "$TMP" >"$stubs/$c"
	chmod +x "$stubs/$c"
done
printf '#!/bin/sh\nexit 2\n' >"$stubs/getent"
chmod +x "$stubs/getent"
dpkg-deb -e "$hubdeb" "$TMP/control"
run env PATH="$stubs:$PATH" sh "$TMP/control/postinst" configure
is "$RC" 0 "postinst configure"
if [ -d /var/lib/fieldbook-hub ]; then
	like "$(cat "$TMP/calls")" '^adduser --system --group .*fieldbook-hub$' "postinst creates the system user"
else
	is "$(cat "$TMP/calls")" "adduser --system --group --quiet --home /var/lib/fieldbook-hub --no-create-home --gecos Fieldbook hub fieldbook-hub
install -d -o fieldbook-hub -g fieldbook-hub -m 0750 /var/lib/fieldbook-hub" \
		"postinst creates the system user and /var/lib/fieldbook-hub"
fi

if command -v lintian >/dev/null 2>&1; then
	run lintian --fail-on error "$deb" "$hubdeb"
	is "$RC" 0 "lintian: no errors" || diag "$OUT"
	[ -z "$OUT" ] || diag "lintian: $OUT"
else
	pass "# SKIP lintian is not installed"
fi

done_testing
