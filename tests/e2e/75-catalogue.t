#!/usr/bin/env bash
# 75-catalogue: every string the sources mark for translation has a
# Vietnamese translation.  xgettext reads the sources as they are now
# (po/xgettext.sh, as `make update-po` does); each message must be in
# po/vi.po, translated and not fuzzy (msgcmp), and msgfmt -c --check must
# accept vi.po (every translation keeps its message's printf conversions).
# po/fieldbook.pot must hold every message too (`make update-po` was run),
# and the catalogue the build made must be vi.po's.  Skipped without the
# gettext tools (packaging/deps.sh installs them).
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$E2E_DIR/../.." && pwd)
BUILD_DIR=${FIELDBOOK_BUILD:-$SRC/build}
for tool in xgettext msgcmp msgfmt msgattrib msgunfmt; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (Debian package gettext)"
		exit 0
	fi
done

run sh -c "cd '$SRC' && sh po/xgettext.sh '$TMP/now.pot'"
is "$RC:$ERR" "0:" "xgettext reads the sources"
n=$(grep -c '^msgid "' "$TMP/now.pot")
ok "the sources mark many messages ($((n - 1)))" test "$n" -gt 500

run msgcmp "$SRC/po/vi.po" "$TMP/now.pot"
is "$RC" 0 "every marked message has a Vietnamese translation, not fuzzy (msgcmp)"
[ "$RC" = 0 ] || diag "$(printf '%s\n' "$ERR" | grep -v 'warning: this message is not used' | head -20)"

run msgfmt -c --check -o /dev/null "$SRC/po/vi.po"
is "$RC:$ERR" "0:" "msgfmt -c --check accepts po/vi.po"

run msgattrib --only-fuzzy --no-obsolete "$SRC/po/vi.po"
is "$OUT" "" "po/vi.po has no fuzzy message"
run msgattrib --untranslated --no-obsolete "$SRC/po/vi.po"
is "$OUT" "" "po/vi.po has no untranslated message"

run msgcmp --use-untranslated "$SRC/po/fieldbook.pot" "$TMP/now.pot"
is "$RC" 0 "po/fieldbook.pot is up to date with the sources (make update-po)"
[ "$RC" = 0 ] || diag "$(printf '%s\n' "$ERR" | grep -v 'warning: this message is not used' | head -20)"

grep -q '^"Plural-Forms: nplurals=1; plural=0;\\n"$' "$SRC/po/vi.po"
is "$?" 0 "vi.po's header: one plural form"
grep -q '^"Content-Type: text/plain; charset=UTF-8\\n"$' "$SRC/po/vi.po"
is "$?" 0 "vi.po's header: UTF-8"

# The rules of po/GLOSSARY.md that a program can check.
cat >"$TMP/rules.py" <<'EOF'
import re, sys

def entries(path):
    cur, key = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#~"):
            if cur:
                yield cur
            cur, key = {}, None
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line)
        if m:
            key = m.group(1)
            cur[key] = m.group(2)
        elif key and line.startswith('"'):
            cur[key] += line[1:-1]
    if cur:
        yield cur

bad = []
tr = {}
for e in entries(sys.argv[1]):
    if not e.get("msgid"):
        continue
    s = e.get("msgstr", e.get("msgstr[0]", ""))
    tr[e["msgid"]] = s
    # A field's name first stays first (import names the column instead).
    if e["msgid"].startswith("%s: ") and not s.startswith("%s: "):
        bad.append("keeps '%%s: ' first: " + e["msgid"])
    # Codes and placeholders stay as typed.
    for word in re.findall(r"--[a-z][a-z-]*|'fieldbook [^']*'", e["msgid"]):
        if word not in s:
            bad.append("keeps %s: %s" % (word, e["msgid"]))
nothing = tr.get("nothing imported", "?")
for k, v in tr.items():
    if "nothing imported" in k and nothing not in v:
        bad.append("says 'nothing imported' as '%s': %s" % (nothing, k))
if tr.get("[language code] en") != "vi":
    bad.append("'[language code] en' is not 'vi'")
print("\n".join(bad))
EOF
run py "$TMP/rules.py" "$SRC/po/vi.po"
is "$RC:$OUT" "0:" "vi.po keeps field names first, option names, commands, and one way to say 'nothing imported'"

mo=$BUILD_DIR/locale/vi/LC_MESSAGES/fieldbook.mo
if [ -f "$mo" ]; then
	msgunfmt "$mo" >"$TMP/built.po" 2>/dev/null
	msgfmt -o "$TMP/vi.mo" "$SRC/po/vi.po" 2>/dev/null
	msgunfmt "$TMP/vi.mo" >"$TMP/fresh.po" 2>/dev/null
	ok "the build's catalogue is po/vi.po's (make all compiles it again when vi.po changes)" \
		cmp -s "$TMP/built.po" "$TMP/fresh.po"
else
	fail "the build made $mo"
fi

done_testing
