# tests/tools/failio.mk: the LD_PRELOAD shim of the I/O error tests
# (tests/e2e/43-ioerror.t), built by `make all`.
FAILIO := $(BUILD)/tests/libfailio.so

all: $(FAILIO)

$(FAILIO): tests/tools/failio.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -shared -fPIC -o $@ $< -ldl
