# tour.mk — the guided tour (make demo): the viewer's model and panels,
# with a narration, the programs side by side, and a text face for pipes.
# Included by the Makefile after viewer/viewer.mk, whose model and view
# it uses.

TOUR_PARTS := tour tour_engine tour_script tour_child tour_trace tour_text \
              tour_screen
TOUR_OBJ   := $(MODEL_OBJ) $(VIEW_OBJ) $(TOUR_PARTS:%=$(B)/tour/%.o)

$(B)/tour/%.o: private ALL_CFLAGS += $(NCURSES_CFLAGS) -Iviewer
$(B)/tour/tour_trace.o: private ALL_CFLAGS += $(JANSSON_CFLAGS)

bin/mmaplab-tour: $(TOUR_OBJ) $(LIB)
	$(say) LD $@
	@mkdir -p bin
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(TOUR_OBJ) $(LIB) $(NCURSES_LIBS) $(JANSSON_LIBS) $(LDLIBS)

PROGRAMS += bin/mmaplab-tour
# Installed beside the programs it runs; `mmaplab tour` starts it.
INSTALL_LIBEXEC += bin/mmaplab-tour
