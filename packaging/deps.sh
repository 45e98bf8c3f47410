#!/bin/sh
# Install the Debian packages Fieldbook builds and tests with, but only
# those that pkg-config (or, for tools, the shell) cannot already find.
# Usage: packaging/deps.sh [--check]   (--check: report, install nothing)
set -eu

# pkg-config module -> Debian package
LIBS="sqlite3:libsqlite3-dev libcurl:libcurl4-openssl-dev zlib:zlib1g-dev \
libcjson:libcjson-dev libmicrohttpd:libmicrohttpd-dev libcrypto:libssl-dev \
libutf8proc:libutf8proc-dev gnutls:libgnutls28-dev xlsxwriter:libxlsxwriter-dev \
icu-i18n:libicu-dev icu-uc:libicu-dev libpq:libpq-dev"
# command -> Debian package (the build and tests use these; msgfmt
# compiles the message catalogues, and its package has xgettext)
TOOLS="pkg-config:pkg-config cc:gcc make:make prove:perl sqlite3:sqlite3 \
curl:curl openssl:openssl faketime:faketime python3:python3 \
script:bsdutils slowhttptest:slowhttptest msgfmt:gettext"

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for pair in $LIBS; do
	mod=${pair%%:*}; pkg=${pair#*:}
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod"; then
		missing="$missing $pkg"
	fi
done
for pair in $TOOLS; do
	cmd=${pair%%:*}; pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
# Extras for CI only (CI=true, as .ci/run sets it): dpkg-shlibdeps for
# `make deb` and lintian, which tests/e2e/95-deb.t runs on the packages;
# chromium and its WebDriver, which tests/e2e/99-ui-browser.t drives
# headless, and chromium-l10n, without which chromium runs in English
# whatever the locale (its date pickers month first).  Elsewhere those
# checks are skipped when the tools are missing.
CI_EXTRA_DEPS="dpkg-dev lintian chromium chromium-driver chromium-l10n"
if [ "${CI:-}" = true ]; then
	FIELDBOOK_EXTRA_DEPS="${FIELDBOOK_EXTRA_DEPS:-} $CI_EXTRA_DEPS"
fi
for extra in ${FIELDBOOK_EXTRA_DEPS:-}; do
	dpkg -s "$extra" >/dev/null 2>&1 || missing="$missing $extra"
done

# The hub's PostgreSQL store is tested on a throw-away cluster
# (tests/e2e/pglib.sh): initdb and postgres come from Debian's server
# package, under /usr/lib/postgresql/VERSION/bin, not on PATH.
pg_server=""
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && [ -x "$d/postgres" ] && pg_server=$d
done
[ -n "$pg_server" ] && command -v psql >/dev/null 2>&1 || missing="$missing postgresql"

missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -z "${missing# }" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "deps: missing: $missing"
	exit 1
fi
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
