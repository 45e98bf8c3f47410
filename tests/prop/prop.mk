# Property tests: random operations on several collectors and a hub,
# in one process, checked for convergence (tests/prop/test_converge.c).
#
#   make prop                        build and run 1000 seeds
#   make prop PROP_SEED=N            replay one seed (PROP_TRACE=1 to watch it)
#
# `make all` builds it; TEST_PROGS lists TAP programs for the
# Makefile's `test` to give prove beside $(UNIT_BIN).

PROP_CONVERGE     := $(BUILD)/tests/test_converge
PROP_CONVERGE_OBJ := $(BUILD)/tests/prop/test_converge.o
PROP_HUB_OBJ      := $(patsubst %.c,$(BUILD)/%.o,$(wildcard sync/hub_store_*.c)) \
                     $(BUILD)/sync/token.o

TEST_PROGS += $(PROP_CONVERGE)
all: $(PROP_CONVERGE)

$(PROP_CONVERGE): $(PROP_CONVERGE_OBJ) $(PROP_HUB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(PROP_CONVERGE_OBJ) $(PROP_HUB_OBJ) $(LIB) \
	  $(LDLIBS) $(HUB_LIBS) -lpthread

.PHONY: prop
prop: $(PROP_CONVERGE)
	PROP_SEED=$(PROP_SEED) PROP_TRACE=$(PROP_TRACE) $(PROP_CONVERGE)

-include $(PROP_CONVERGE_OBJ:.o=.d)
