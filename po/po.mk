# po.mk - the message catalogues (gettext), included by the Makefile.
#
#   make all         compiles each po/LANG.po into
#                    $(BUILD)/locale/LANG/LC_MESSAGES/fieldbook.mo, where an
#                    uninstalled build/bin/fieldbook finds it (shared/i18n.c);
#                    msgfmt -c refuses a translation that does not keep its
#                    message's printf conversions
#   make update-po   refreshes po/fieldbook.pot from the sources
#                    (po/xgettext.sh) and merges it into each po/LANG.po
#                    (msgmerge): new messages come in untranslated, changed
#                    ones fuzzy, for a translator to finish (po/GLOSSARY.md)
#
# make install puts the catalogues under $(LOCALEDIR) (packaging.mk).

LINGUAS   := vi
MSGFMT    ?= msgfmt
MSGMERGE  ?= msgmerge
LOCALEDIR ?= $(PREFIX)/share/locale
MO_FILES  := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/fieldbook.mo)

.PHONY: mo update-po
all: $(MO_FILES)
mo: $(MO_FILES)

$(BUILD)/locale/%/LC_MESSAGES/fieldbook.mo: po/%.po
	@mkdir -p $(dir $@)
	$(MSGFMT) -c -o $@.tmp $< && mv $@.tmp $@

update-po:
	sh po/xgettext.sh po/fieldbook.pot
	for l in $(LINGUAS); do \
	  $(MSGMERGE) --quiet --update --backup=none --previous --add-location=file \
	    po/$$l.po po/fieldbook.pot || exit 1; \
	done
