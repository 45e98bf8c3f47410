# packaging.mk - manuals, completion, install, and the .deb packages
# (included by the Makefile).
#
# The man pages and the bash completion are made at build time from the
# built programs' own --help, which cmd_help() makes from the command
# table (packaging/fromhelp.py), so they cannot drift from it.

PYTHON3    ?= python3
MANDIR     ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Dates in the manuals and packages: the last commit's, for reproducible
# builds (a tarball without git: the binaries' time).
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif

MAN_PAGES   := $(BUILD)/man/fieldbook.1 $(BUILD)/man/fieldbook-hub.1
COMPLETIONS := $(BUILD)/completion/fieldbook $(BUILD)/completion/fieldbook-hub

.PHONY: man completion
all: $(MAN_PAGES) $(COMPLETIONS)
man: $(MAN_PAGES)
completion: $(COMPLETIONS)

$(BUILD)/man/%.1: $(BUILD)/bin/% packaging/fromhelp.py
	@mkdir -p $(dir $@)
	$(PYTHON3) packaging/fromhelp.py man $* $< > $@.tmp && mv $@.tmp $@

$(BUILD)/completion/%: $(BUILD)/bin/% packaging/fromhelp.py
	@mkdir -p $(dir $@)
	$(PYTHON3) packaging/fromhelp.py bash $< > $@.tmp && mv $@.tmp $@

# ---- make install / make uninstall -------------------------------------------
#
# PREFIX (default /usr/local) and DESTDIR as usual.  The systemd unit and
# timer go into $(PREFIX)/lib/systemd/system only when installing under
# /usr or into a DESTDIR (a package's root): a unit under /usr/local would
# run a program that the package manager does not know about.  Say
# INSTALL_UNITS=yes or no to choose otherwise.

LIBEXECDIR  ?= $(PREFIX)/lib/fieldbook-hub
SYSTEMDDIR  ?= $(PREFIX)/lib/systemd/system
INSTALL_UNITS ?= $(if $(or $(DESTDIR),$(filter /usr,$(PREFIX))),yes,no)
UNITS := fieldbook-hub.service fieldbook-hub-backup.service fieldbook-hub-backup.timer

# The paths the units and the backup script name, for this PREFIX.
FIX_PATHS = sed -e 's|/usr/bin/fieldbook-hub|$(BINDIR)/fieldbook-hub|g' \
	-e 's|/usr/lib/fieldbook-hub/|$(LIBEXECDIR)/|g' \
	-e 's|:-fieldbook-hub}|:-$(BINDIR)/fieldbook-hub}|'

.PHONY: install uninstall
install: $(FIELDBOOK) $(HUB) $(MAN_PAGES) $(COMPLETIONS) $(MO_FILES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(LIBEXECDIR)
	for l in $(LINGUAS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/fieldbook.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/fieldbook.mo || exit 1; done
	install -m 0755 $(FIELDBOOK) $(DESTDIR)$(BINDIR)/fieldbook
	install -m 0755 $(HUB) $(DESTDIR)$(BINDIR)/fieldbook-hub
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/
	install -m 0644 $(COMPLETIONS) $(DESTDIR)$(BASHCOMPDIR)/
	$(FIX_PATHS) packaging/fieldbook-hub-backup.sh > $(DESTDIR)$(LIBEXECDIR)/fieldbook-hub-backup
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/fieldbook-hub-backup
ifeq ($(INSTALL_UNITS),yes)
	install -d $(DESTDIR)$(SYSTEMDDIR)
	for u in $(UNITS); do \
	  $(FIX_PATHS) packaging/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; done
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fieldbook $(DESTDIR)$(BINDIR)/fieldbook-hub \
	  $(DESTDIR)$(MANDIR)/fieldbook.1 $(DESTDIR)$(MANDIR)/fieldbook-hub.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/fieldbook $(DESTDIR)$(BASHCOMPDIR)/fieldbook-hub \
	  $(DESTDIR)$(LIBEXECDIR)/fieldbook-hub-backup \
	  $(addprefix $(DESTDIR)$(SYSTEMDDIR)/,$(UNITS)) \
	  $(LINGUAS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/fieldbook.mo)
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

# ---- make deb -----------------------------------------------------------------
# fieldbook and fieldbook-hub .deb packages into $(BUILD)/deb
# (packaging/mkdeb.sh; DEB_MAINTAINER sets the Maintainer field).

.PHONY: deb lintian
deb: $(FIELDBOOK) $(HUB) $(MAN_PAGES) $(COMPLETIONS) $(MO_FILES)
	sh packaging/mkdeb.sh $(BUILD) $(BUILD)/deb

# lintian on the packages (CI installs it: FIELDBOOK_EXTRA_DEPS=lintian).
lintian: deb
	lintian --fail-on error $(BUILD)/deb/*.deb
