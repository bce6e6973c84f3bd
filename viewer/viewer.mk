# viewer.mk — mmapview, and `make bench`.  Included by the Makefile.
#
# The model (sampling) links without ncurses, so the unit tests can use it:
# MODEL_OBJ.  The view, the printers and main make the program.

VIEWER_MODEL := model clock object residency contents procscan frames tracetail linebuf
# What mmapview and the tour (tour/tour.mk) both draw with.
VIEWER_VIEW  := describe view view_panels view_hex view_draw textfit fullscreen wake usage
VIEWER_REST  := print_text print_json ui main
MODEL_OBJ    := $(VIEWER_MODEL:%=$(B)/viewer/%.o)
VIEW_OBJ     := $(VIEWER_VIEW:%=$(B)/viewer/%.o)
VIEWER_OBJ   := $(MODEL_OBJ) $(VIEW_OBJ) $(VIEWER_REST:%=$(B)/viewer/%.o)

$(B)/viewer/%.o: private ALL_CFLAGS += $(NCURSES_CFLAGS)
$(B)/viewer/tracetail.o: private ALL_CFLAGS += $(JANSSON_CFLAGS)

bin/mmapview: $(VIEWER_OBJ) $(LIB)
	$(say) LD $@
	@mkdir -p bin
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(VIEWER_OBJ) $(LIB) $(NCURSES_LIBS) $(JANSSON_LIBS) $(LDLIBS)

PROGRAMS     += bin/mmapview
INSTALL_BIN  += bin/mmapview
INSTALL_MAN1 += viewer/mmapview.1

# The model's unit tests link the model and the words the printers share.
UNIT_DEPS_test_model      = $(MODEL_OBJ) $(B)/viewer/describe.o
UNIT_DEPS_test_model_live = $(MODEL_OBJ) $(B)/viewer/describe.o
UNIT_DEPS_test_linebuf    = $(B)/viewer/linebuf.o
UNIT_LIBS_test_model      = $(JANSSON_LIBS)
UNIT_LIBS_test_model_live = $(JANSSON_LIBS)
UNIT_DEPS_test_textfit    = $(B)/viewer/textfit.o
$(B)/tests/unit/test_model.o $(B)/tests/unit/test_model_%.o $(B)/tests/unit/test_linebuf.o \
    $(B)/tests/unit/test_textfit.o: \
    private ALL_CFLAGS += -Iviewer

# A helper for the viewer's end-to-end tests: the SEEK_DATA map and
# st_blocks of an object, seen from outside the viewer.
TEST_EXTRA += $(B)/tests/viewer/seekmap
$(B)/tests/viewer/seekmap: $(B)/tests/viewer/seekmap.o $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# ---- make bench: the viewer's speed targets (bench/README) --------------

BENCH_HOLDER := $(B)/bench/holder
$(BENCH_HOLDER): $(B)/bench/holder.o $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: deps-bench
	$(Q)$(MAKE) --no-print-directory bin/mmapview $(BENCH_HOLDER) bin/13-page-faults
	$(Q)bash bench/viewer.sh
	$(Q)bash bench/pagefaults.sh
