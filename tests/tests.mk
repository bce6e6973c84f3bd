# tests.mk — the test programs: cmocka units and the tools the end-to-end
# scripts use.  Included by the Makefile.
#
# A unit test tests/unit/test_X.c links the library; one that needs more
# objects (the viewer's model, say) names them in UNIT_DEPS_test_X.

CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/tools/%)

$(B)/tests/unit/%.o: private ALL_CFLAGS += $(CMOCKA_CFLAGS)

.SECONDEXPANSION:
$(UNIT_BINS): $(B)/tests/%: $(B)/tests/unit/%.o $$(UNIT_DEPS_$$*) $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_DEPS_$*) $(LIB) $(UNIT_LIBS_$*) $(CMOCKA_LIBS) $(LDLIBS)

$(TOOL_BINS): $(B)/tests/tools/%: $(B)/tests/tools/%.o $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

.PHONY: test-programs
test-programs: $(UNIT_BINS) $(TOOL_BINS) $(TEST_EXTRA)
