#!/bin/sh
# mkdeb.sh - the fieldbook and fieldbook-hub .deb packages, with dpkg-deb.
# Usage: packaging/mkdeb.sh BUILD OUTDIR   (from the top of the sources,
# after `make all`; `make deb` runs it)
#
# Each package gets its program, its man page (gzipped), its bash
# completion, a machine-readable copyright file and a changelog.gz;
# fieldbook also its Vietnamese message catalogue (.mo), the
# hub also its systemd units, the nightly backup script, the conffile
# /etc/default/fieldbook-hub and a postinst that creates its system user.
# Dependencies come from dpkg-shlibdeps on the binaries.  The version is
# what the programs print for --version.
set -eu

build=${1:?usage: mkdeb.sh BUILD OUTDIR}
out=${2:?usage: mkdeb.sh BUILD OUTDIR}
case $build in /*) ;; *) build=$PWD/$build ;; esac
maint=${DEB_MAINTAINER:-Fieldbook maintainers <fieldbook@example.org>}
arch=$(dpkg --print-architecture)
version=$("$build/bin/fieldbook" --version | sed -n 's/^fieldbook //p')
hubversion=$("$build/bin/fieldbook-hub" --version | sed -n 's/^fieldbook-hub //p')
if [ -z "$version" ] || [ "$version" != "$hubversion" ]; then
	echo "mkdeb: fieldbook says version '$version', fieldbook-hub '$hubversion'" >&2
	exit 1
fi
epoch=${SOURCE_DATE_EPOCH:-$(date +%s)}
stage=$build/deb-stage
rm -rf "$stage"
mkdir -p "$out"
umask 022

# Everything as `make install` puts it, under /usr; then split.
make -s --no-print-directory BUILD="$build" DESTDIR="$stage/all" PREFIX=/usr \
	INSTALL_UNITS=yes install >/dev/null

# shlibs_depends BINARY: its library packages, as dpkg-shlibdeps says.
shlibs_depends() {
	d=$stage/shlibs
	mkdir -p "$d/debian"
	printf 'Source: fieldbook\n\nPackage: fieldbook\nArchitecture: any\n' >"$d/debian/control"
	(cd "$d" && dpkg-shlibdeps -O -e "$1" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# doc_files PKG ROOT: copyright and changelog.gz.
doc_files() {
	doc=$2/usr/share/doc/$1
	mkdir -p "$doc"
	# The licence is the sources' (LICENSE, docs/DECISIONS.md).
	cat >"$doc/copyright" <<EOT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fieldbook
Upstream-Contact: $maint

Files: *
Copyright: $(date -u -d "@$epoch" +%Y) Fieldbook contributors
License: GPL-3+

License: GPL-3+
 This program is free software: you can redistribute it and/or modify
 it under the terms of the GNU General Public License as published by
 the Free Software Foundation, either version 3 of the License, or
 (at your option) any later version.
 .
 This program is distributed in the hope that it will be useful,
 but WITHOUT ANY WARRANTY; without even the implied warranty of
 MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 GNU General Public License for more details.
 .
 On Debian systems, the complete text of the GNU General Public
 License version 3 can be found in "/usr/share/common-licenses/GPL-3".
EOT
	{
		printf '%s (%s) unstable; urgency=medium\n\n' "$1" "$version"
		printf '  * Release %s: see the README and docs/ of the sources.\n\n' "$version"
		printf ' -- %s  %s\n' "$maint" "$(date -u -R -d "@$epoch")"
	} | gzip -9n >"$doc/changelog.gz"
	chmod 0644 "$doc/copyright" "$doc/changelog.gz"
}

# package PKG DESCRIPTION-FILE SECTION [MORE-DEPENDS]: control, md5sums, dpkg-deb.
package() {
	pkg=$1 root=$stage/$1 section=$3 extra_deps=${4:-}
	find "$root" -type d -exec chmod 0755 {} +
	mkdir -p "$root/DEBIAN"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	deps=$(shlibs_depends "$root/usr/bin/$pkg")
	[ -n "$deps" ] || { echo "mkdeb: no dependencies found for $pkg" >&2; exit 1; }
	[ -z "$extra_deps" ] || deps="$deps, $extra_deps"
	{
		printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$pkg" "$version" "$arch"
		printf 'Maintainer: %s\nInstalled-Size: %s\nDepends: %s\n' "$maint" "$size" "$deps"
		printf 'Section: %s\nPriority: optional\n' "$section"
		cat "$2"
	} >"$root/DEBIAN/control"
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
		xargs md5sum) >"$root/DEBIAN/md5sums"
	chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out/${pkg}_${version}_${arch}.deb" >/dev/null
	echo "$out/${pkg}_${version}_${arch}.deb"
}

# place PKG PATH...: move installed files into PKG's root.
place() {
	pkg=$1
	shift
	for f in "$@"; do
		mkdir -p "$stage/$pkg/$(dirname "$f")"
		mv "$stage/all/$f" "$stage/$pkg/$f"
	done
}

strip_bin() {
	strip --remove-section=.comment --remove-section=.note --strip-unneeded "$1"
}

# fieldbook
place fieldbook usr/bin/fieldbook usr/share/man/man1/fieldbook.1 \
	usr/share/bash-completion/completions/fieldbook \
	usr/share/locale/vi/LC_MESSAGES/fieldbook.mo
strip_bin "$stage/fieldbook/usr/bin/fieldbook"
gzip -9n "$stage/fieldbook/usr/share/man/man1/fieldbook.1"
doc_files fieldbook "$stage/fieldbook"
cat >"$stage/fieldbook.desc" <<'EOT'
Description: offline-first records of a Women's Union branch
 Fieldbook keeps a branch's members, the training courses they attend and
 the support visits the branch makes, in a local SQLite file, without a
 network.  Every change is journalled and hash-chained; when a connection
 appears, "fieldbook sync" sends what is new to a hub and fetches what
 others changed, merging concurrent edits field by field.
EOT
package fieldbook "$stage/fieldbook.desc" misc

# fieldbook-hub
place fieldbook-hub usr/bin/fieldbook-hub usr/share/man/man1/fieldbook-hub.1 \
	usr/share/bash-completion/completions/fieldbook-hub \
	usr/lib/fieldbook-hub/fieldbook-hub-backup \
	usr/lib/systemd/system/fieldbook-hub.service \
	usr/lib/systemd/system/fieldbook-hub-backup.service \
	usr/lib/systemd/system/fieldbook-hub-backup.timer
strip_bin "$stage/fieldbook-hub/usr/bin/fieldbook-hub"
gzip -9n "$stage/fieldbook-hub/usr/share/man/man1/fieldbook-hub.1"
mkdir -p "$stage/fieldbook-hub/etc/default"
install -m 0644 packaging/default-fieldbook-hub "$stage/fieldbook-hub/etc/default/fieldbook-hub"
doc_files fieldbook-hub "$stage/fieldbook-hub"
mkdir -p "$stage/fieldbook-hub/DEBIAN"
echo /etc/default/fieldbook-hub >"$stage/fieldbook-hub/DEBIAN/conffiles"
install -m 0755 packaging/fieldbook-hub.postinst "$stage/fieldbook-hub/DEBIAN/postinst"
chmod 0644 "$stage/fieldbook-hub/DEBIAN/conffiles"
cat >"$stage/fieldbook-hub.desc" <<'EOT'
Description: hub that Fieldbook laptops sync with, and its reports
 fieldbook-hub takes the journals that Fieldbook laptops and lower hubs
 push, gives them what others changed, and reports training coverage,
 courses and support visits rolled up by commune, district or province.
 .
 The package ships a systemd service that runs the hub under its own
 system user on /var/lib/fieldbook-hub/hub.db, and a timer for nightly
 checked backups.
EOT
package fieldbook-hub "$stage/fieldbook-hub.desc" net adduser

[ -z "$(find "$stage/all" -type f)" ] || {
	echo "mkdeb: installed but in no package:" >&2
	find "$stage/all" -type f >&2
	exit 1
}
