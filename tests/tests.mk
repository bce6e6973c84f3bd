# tests.mk — the test programs: cmocka units and the tools the end-to-end
# scripts use.  Included by the Makefile.
#
# A unit test tests/unit/test_X.c links the library; one that needs more
# objects (the viewer's model, say) names them in UNIT_DEPS_test_X, and
# more libraries in UNIT_LIBS_test_X (TOOL_LIBS_X for a tool).

CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/tools/%)

$(B)/tests/unit/%.o: private ALL_CFLAGS += $(CMOCKA_CFLAGS)

# The tests that read the trace back, as the viewer and the tour do.
JANSSON_UNITS := test_json test_trace test_narrate test_trace_read
$(JANSSON_UNITS:%=$(B)/tests/unit/%.o) $(B)/tests/tools/tracecheck.o: \
    private ALL_CFLAGS += $(JANSSON_CFLAGS)
UNIT_LIBS_test_json       = $(JANSSON_LIBS)
UNIT_LIBS_test_trace      = $(JANSSON_LIBS)
UNIT_LIBS_test_narrate    = $(JANSSON_LIBS)
UNIT_LIBS_test_trace_read = $(JANSSON_LIBS)
TOOL_LIBS_tracecheck = $(JANSSON_LIBS)
UNIT_DEPS_test_trace_read = $(B)/viewer/tracetail.o $(B)/viewer/linebuf.o \
                            $(B)/tour/tour_trace.o
$(B)/tests/unit/test_trace_read.o: private ALL_CFLAGS += -Iviewer -Itour

.SECONDEXPANSION:
$(UNIT_BINS): $(B)/tests/%: $(B)/tests/unit/%.o $$(UNIT_DEPS_$$*) $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_DEPS_$*) $(LIB) $(UNIT_LIBS_$*) $(CMOCKA_LIBS) $(LDLIBS)

$(TOOL_BINS): $(B)/tests/tools/%: $(B)/tests/tools/%.o $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(TOOL_LIBS_$*) $(LDLIBS)

.PHONY: test-programs
test-programs: $(UNIT_BINS) $(TOOL_BINS) $(TEST_EXTRA)
