# make bench: collector, sync and hub figures beside the machine's limits,
# measured in one run on the same data (tests/bench/run.sh; the table is
# printed and written to bench/results.json).  Sizes can be changed with
# BENCH_N, BENCH_DEVICES ... (see run.sh); the defaults fit 10 minutes on
# 2 cores.

BENCH_BIN := $(BUILD)/bench/fbbench

$(BUILD)/tests/bench/fbbench.o: tests/bench/fbbench.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BENCH_BIN): $(BUILD)/tests/bench/fbbench.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lm

.PHONY: bench
bench: $(FIELDBOOK) $(HUB) $(BENCH_BIN) $(BUILD)/tests/faultproxy
	FIELDBOOK=$(abspath $(FIELDBOOK)) FIELDBOOK_HUB=$(abspath $(HUB)) \
	  FBBENCH=$(abspath $(BENCH_BIN)) FBPROXY=$(abspath $(BUILD)/tests/faultproxy) \
	  bash tests/bench/run.sh

-include $(BUILD)/tests/bench/fbbench.d

# make bench-attacks [BEFORE_HUB=path/to/an/older/fieldbook-hub]: the hub
# under slow and greedy clients of one address (tests/bench/attacks.sh);
# the table goes to bench/attacks.md, and its figures to docs/SECURITY.md.
.PHONY: bench-attacks
bench-attacks: $(FIELDBOOK) $(HUB)
	FIELDBOOK=$(abspath $(FIELDBOOK)) FIELDBOOK_HUB=$(abspath $(HUB)) \
	  BEFORE_HUB=$(BEFORE_HUB) bash tests/bench/attacks.sh
