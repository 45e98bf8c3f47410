# tests/tools: programs the fault tests drive (built by `make all`).
FAULTPROXY := $(BUILD)/tests/faultproxy

all: $(FAULTPROXY)

$(FAULTPROXY): tests/tools/faultproxy.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(LDFLAGS) -o $@ $<
