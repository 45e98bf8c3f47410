#!/bin/sh
# xgettext.sh - the template of the fieldbook catalogue: every string the
# sources mark for translation, as xgettext finds it.
# Usage: po/xgettext.sh OUT.pot   (from the top of the sources)
#
# `make update-po` runs it to refresh po/fieldbook.pot before merging it
# into each language's .po; tests/e2e/75-catalogue.t runs it on the sources
# as they are, so that a string marked but not translated fails a test.
#
# References name the file, not the line, so that a change elsewhere in
# a file does not touch the catalogues.
#
# The sources: the collector, the sync client and shared/.  The hub's
# own files (sync/hub_*) are left out: its messages stay English
# (docs/DECISIONS.md, "Languages").
#
# _() marks a string translated where it is used, N_() one that sits in
# a table and is translated where it is shown.  The --flag lines tell
# xgettext which functions take a printf format, so that a marked
# string passed to one is a c-format message and `msgfmt -c` checks
# that its translation keeps the same conversions.
set -eu

out=${1:?usage: po/xgettext.sh OUT.pot}
version=$(sed -n 's/^#define FIELDBOOK_VERSION "\(.*\)"$/\1/p' collector/main.c)

# shellcheck disable=SC2046
xgettext --from-code=UTF-8 --language=C --sort-by-file --add-location=file \
	--add-comments=TRANSLATORS: \
	--keyword=_ --keyword=N_ \
	--flag=_:1:pass-c-format --flag=N_:1:pass-c-format \
	--flag=fb_fail:3:c-format --flag=cmd_usage:2:c-format \
	--flag=buf_printf:2:c-format --flag=bad_row:3:c-format \
	--package-name=fieldbook --package-version="${version:-0}" \
	--msgid-bugs-address=fieldbook@example.org \
	--copyright-holder="Fieldbook contributors" \
	-o "$out" \
	$(ls shared/*.c shared/*.h collector/*.c collector/*.h \
		sync/client.c sync/client.h sync/remote.c sync/remote.h \
		sync/bundle_client.c sync/bundle_client.h sync/token.c sync/token.h |
		LC_ALL=C sort)
