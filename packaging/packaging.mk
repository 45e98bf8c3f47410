# packaging.mk - manuals, completion, install, and the .deb packages
# (included by the Makefile).
#
# The man pages and the bash completion are made at build time from the
# built programs' own --help, which cmd_help() makes from the command
# table (packaging/fromhelp.py), so they cannot drift from it.

PYTHON3    ?= python3
MANDIR     ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

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
