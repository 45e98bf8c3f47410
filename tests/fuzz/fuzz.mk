# tests/fuzz/fuzz.mk - fuzz targets (libFuzzer) and the replay of their
# corpus.  Included by the Makefile.  See tests/fuzz/README.md.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="csv zbuf"]
#                        fuzz each target with clang's libFuzzer, ASan+UBSan
#   make fuzz-merge      add the inputs make fuzz found that raise coverage
#                        to tests/fuzz/corpus (only small ones)
#   make fuzz-replay     build the replay drivers and replay the corpus (TAP)
#   make fuzz-replay-bin only build them ($(BUILD)/fuzz-replay/fuzz_*)
#   make fuzz-seeds      write the seed inputs again (gen_seeds.c)

FUZZ_DIR        := tests/fuzz
FUZZ_NAMES      := $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(sort $(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_TARGETS    ?= $(FUZZ_NAMES)
FUZZ_SECONDS    ?= 60
# Inputs merged into the corpus stay this small (bytes).
FUZZ_MERGE_MAX  ?= 4096

# libFuzzer: clang and its runtime (Debian: clang, libclang-rt-14-dev;
# clang-14 only recommends the latter, so it must be named).
FUZZ_CC         ?= clang
FUZZ_DEPS       := clang libclang-rt-14-dev
FUZZ_BUILD      := $(BUILD)/fuzz
FUZZ_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS      = -g -O1 -std=c11 $(WARN) $(FUZZ_SAN) $(PKG_CFLAGS) -MMD -MP
FUZZ_SHARED_OBJ := $(SHARED_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_TARGET_OBJ := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/$(FUZZ_DIR)/fuzz_%.o)
FUZZ_LIB        := $(FUZZ_BUILD)/libfieldbook-fuzz.a
FUZZ_BIN        := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

# Replay: the project's own compiler and flags (so `make sanitize`
# replays under ASan+UBSan), no libFuzzer needed.
FUZZ_REPLAY_DIR := $(BUILD)/fuzz-replay
FUZZ_REPLAY_OBJ := $(FUZZ_REPLAY_DIR)/replay_main.o \
		   $(FUZZ_NAMES:%=$(FUZZ_REPLAY_DIR)/fuzz_%.o)
FUZZ_REPLAY_BIN := $(FUZZ_NAMES:%=$(FUZZ_REPLAY_DIR)/fuzz_%)
FUZZ_SEEDS_BIN  := $(FUZZ_REPLAY_DIR)/gen_seeds

.PHONY: fuzz fuzz-deps fuzz-build fuzz-merge fuzz-replay fuzz-replay-bin fuzz-seeds

# --- libFuzzer -----------------------------------------------------------

fuzz-deps:
	@FIELDBOOK_EXTRA_DEPS="$(FUZZ_DEPS)" sh packaging/deps.sh

fuzz: fuzz-deps
	$(MAKE) fuzz-build
	sh $(FUZZ_DIR)/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BIN)

$(FUZZ_SHARED_OBJ) $(FUZZ_TARGET_OBJ): $(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -I$(FUZZ_DIR) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_SHARED_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BIN): $(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/$(FUZZ_DIR)/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(PKG_LIBS)

# Inputs found by `make fuzz` that reach new code (edges, not hit
# counts: -use_counters=0 keeps the corpus small), into the corpus.
fuzz-merge: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/logs
	@for t in $(FUZZ_TARGETS); do \
		[ -d $(FUZZ_BUILD)/work/$$t ] || continue; \
		before=$$(ls $(FUZZ_DIR)/corpus/$$t | wc -l); \
		$(FUZZ_BUILD)/fuzz_$$t -merge=1 -use_counters=0 -max_len=$(FUZZ_MERGE_MAX) \
			$(FUZZ_DIR)/corpus/$$t $(FUZZ_BUILD)/work/$$t \
			>$(FUZZ_BUILD)/logs/merge-$$t.log 2>&1 || exit 1; \
		echo "$$t: corpus $$before -> $$(ls $(FUZZ_DIR)/corpus/$$t | wc -l) inputs"; \
	done

# --- replay --------------------------------------------------------------

fuzz-replay-bin: $(FUZZ_REPLAY_BIN)

fuzz-replay: fuzz-replay-bin
	FIELDBOOK_BUILD=$(abspath $(BUILD)) sh $(FUZZ_DIR)/replay.t

$(FUZZ_REPLAY_OBJ) $(FUZZ_REPLAY_DIR)/gen_seeds.o: $(FUZZ_REPLAY_DIR)/%.o: $(FUZZ_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(FUZZ_DIR) $(CFLAGS) -c $< -o $@

$(FUZZ_REPLAY_BIN): $(FUZZ_REPLAY_DIR)/fuzz_%: $(FUZZ_REPLAY_DIR)/fuzz_%.o \
		$(FUZZ_REPLAY_DIR)/replay_main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(FUZZ_REPLAY_DIR)/replay_main.o $(LIB) $(LDLIBS)

$(FUZZ_SEEDS_BIN): $(FUZZ_REPLAY_DIR)/gen_seeds.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

fuzz-seeds: $(FUZZ_SEEDS_BIN)
	$(FUZZ_SEEDS_BIN) $(FUZZ_DIR)/corpus

-include $(FUZZ_SHARED_OBJ:.o=.d) $(FUZZ_TARGET_OBJ:.o=.d) \
	 $(FUZZ_REPLAY_OBJ:.o=.d) $(FUZZ_REPLAY_DIR)/gen_seeds.d
