# Fieldbook - offline-first field records for the Women's Union.
#
#   make            build bin/ programs into $(BUILD)
#   make check      install missing packages, build, run every test (prove),
#                   again under ASan+UBSan, and the unit tests under valgrind
#   make sanitize   the tests against an ASan+UBSan build
#   make test-pg    the sync suite again, every hub on PostgreSQL (make test
#                   runs it after the other tests)
#   make demo       a branch's day, printed as a report
#   make install    PREFIX=/usr/local DESTDIR=  (and uninstall; packaging/packaging.mk)
#   make deb        fieldbook and fieldbook-hub .deb packages into $(BUILD)/deb
#   make update-po  refresh po/fieldbook.pot and merge it into po/vi.po (po/po.mk)

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
BUILD    ?= build
PKGS     := sqlite3 libcurl zlib libcjson libcrypto libutf8proc xlsxwriter icu-i18n icu-uc
HUB_PKGS := libmicrohttpd gnutls libpq
UI_PKGS  := libmicrohttpd

CC       ?= cc
OPT      ?= -O2
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2
ifeq ($(CI),true)
WARN     += -Werror
endif
ifeq ($(WERROR),1)
WARN     += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT      := -O1
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
HUB_CFLAGS = $(shell pkg-config --cflags $(HUB_PKGS) 2>/dev/null)
HUB_LIBS   = $(shell pkg-config --libs $(HUB_PKGS) 2>/dev/null)
UI_CFLAGS  = $(shell pkg-config --cflags $(UI_PKGS) 2>/dev/null)
UI_LIBS    = $(shell pkg-config --libs $(UI_PKGS) 2>/dev/null)
CPPFLAGS  += -D_GNU_SOURCE -Ishared -Isync
CFLAGS    ?= -g
CFLAGS    += -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS   += $(SANFLAGS)
LDLIBS    += $(PKG_LIBS) -lpthread

SHARED_SRC    := $(wildcard shared/*.c)
COLLECTOR_SRC := $(wildcard collector/*.c)
CLIENT_SRC    := sync/client.c sync/bundle_client.c sync/remote.c sync/token.c sync/synclock.c \
                 sync/sync_local.c
HUB_SRC       := $(filter-out $(CLIENT_SRC),$(wildcard sync/*.c))
UNIT_SRC      := $(wildcard tests/unit/test_*.c)

SHARED_OBJ    := $(SHARED_SRC:%.c=$(BUILD)/%.o)
# The local page's files (collector/ui/), compiled into the binary.
UI_FILES      := $(sort $(wildcard collector/ui/*.html collector/ui/*.css collector/ui/*.js))
UI_ASSETS_OBJ := $(BUILD)/gen/ui_assets.o
COLLECTOR_OBJ := $(COLLECTOR_SRC:%.c=$(BUILD)/%.o) $(CLIENT_SRC:%.c=$(BUILD)/%.o) $(UI_ASSETS_OBJ)
HUB_OBJ       := $(HUB_SRC:%.c=$(BUILD)/%.o) $(CLIENT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN      := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB           := $(BUILD)/libfieldbook.a
FIELDBOOK     := $(BUILD)/bin/fieldbook
HUB           := $(BUILD)/bin/fieldbook-hub

.PHONY: all deps check test test-pg sanitize sanitize-test valgrind demo clean
all: $(FIELDBOOK) $(HUB) $(UNIT_BIN)

deps:
	@sh packaging/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(SHARED_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FIELDBOOK): $(COLLECTOR_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(COLLECTOR_OBJ) $(LIB) $(LDLIBS) $(UI_LIBS)

$(BUILD)/gen/ui_assets.c: collector/ui/embed.sh $(UI_FILES)
	@mkdir -p $(dir $@)
	sh collector/ui/embed.sh $@ $(UI_FILES)

$(UI_ASSETS_OBJ): $(BUILD)/gen/ui_assets.c
	$(CC) $(CPPFLAGS) -Icollector $(CFLAGS) -c $< -o $@

$(BUILD)/collector/ui_%.o $(BUILD)/collector/cmd_ui.o: CFLAGS += $(UI_CFLAGS)

$(HUB): $(HUB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(HUB_OBJ) $(LIB) $(LDLIBS) $(HUB_LIBS) -lpthread

$(HUB_OBJ): CFLAGS += $(HUB_CFLAGS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/unit/%.o: CPPFLAGS += -Itests/unit

# The tests: unit programs and shell tests of the real binaries, all TAP;
# then the sync suite again with every hub on PostgreSQL.
E2E_ENV = FIELDBOOK=$(abspath $(FIELDBOOK)) FIELDBOOK_HUB=$(abspath $(HUB)) FIELDBOOK_BUILD=$(abspath $(BUILD))
test: all fuzz-replay-bin
	$(E2E_ENV) FIELDBOOK_TEST_STORE= \
	  prove $(PROVE_FLAGS) $(UNIT_BIN) $(TEST_PROGS) tests/e2e/*.t tests/fuzz/replay.t
	$(if $(SAN),,$(PG_PROVE))

# The sync suite on the hub's other store (not again under the sanitizers,
# which run the PostgreSQL store's own tests, 99-pg-*, in the first pass;
# CI's time): every script that sources
# tests/e2e/synclib.sh, with FIELDBOOK_TEST_STORE=pg (each starts a
# throw-away PostgreSQL cluster, tests/e2e/pglib.sh, and runs its hubs
# there).  Not the packaging scripts (95-97), which test files and
# packages, nor 99-*, which are PostgreSQL's or the local page's already.
PG_E2E   = $(filter-out tests/e2e/95-% tests/e2e/96-% tests/e2e/97-% tests/e2e/99-%,\
	     $(shell grep -l 'synclib\.sh' tests/e2e/*.t))
PG_PROVE = $(E2E_ENV) FIELDBOOK_TEST_STORE=pg prove $(PROVE_FLAGS) $(PG_E2E)
test-pg: all
	$(PG_PROVE)

# Unit tests under valgrind: any leak or invalid access fails the run.
valgrind: all
	prove $(PROVE_FLAGS) --exec 'valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99' $(UNIT_BIN)

# Everything: the tests, the same tests against ASan+UBSan, and the
# unit tests under valgrind.
check: deps
	$(MAKE) all
	$(MAKE) test
	$(MAKE) sanitize-test
	$(MAKE) valgrind

sanitize: deps
	$(MAKE) sanitize-test

sanitize-test:
	$(MAKE) BUILD=build-san SAN=1 all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) BUILD=build-san SAN=1 test

demo: deps
	$(MAKE) all
	sh tests/demo.sh $(abspath $(FIELDBOOK)) $(abspath $(HUB))

clean:
	rm -rf build build-san

# Each test tool adds its own targets (bench, fuzz, ...) in a .mk file
# beside it, so it can grow without touching this file.
include $(sort $(wildcard tests/*/*.mk))
include po/po.mk
include packaging/packaging.mk

-include $(SHARED_OBJ:.o=.d) $(COLLECTOR_OBJ:.o=.d) $(HUB_OBJ:.o=.d)
