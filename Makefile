# mmaplab — build, check, demo, bench, install.   `make help` lists them.
#
#   make              build every program into bin/
#   make demo         the guided tour of the walkthrough
#   make check        every test (SANITIZE=1 for ASan + UBSan)
#   make bench        the speed targets: the viewer, 12-channels, 13-page-faults
#   make lessons      regenerate the code and runs the lessons quote
#   make grade        grade the labs (labs/README.md); LAB=NN one of them
#   make install      PREFIX=/usr/local DESTDIR= ; make uninstall undoes it
#
# V=1 shows the commands; CFLAGS, CPPFLAGS and LDFLAGS are respected.

VERSION    := 1.0
PREFIX     ?= /usr/local
BINDIR      = $(PREFIX)/bin
LIBEXECDIR  = $(PREFIX)/libexec/mmaplab
MANDIR      = $(PREFIX)/share/man
DESTDIR    ?=

CC         ?= cc
CFLAGS     ?= -O2 -g
ML_CFLAGS   = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE \
              -DML_VERSION='"$(VERSION)"' -Ilib
LDLIBS      = -lrt -pthread

ifeq ($(SANITIZE),1)
SANFLAGS    = -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
endif

ALL_CFLAGS  = $(ML_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# ncurses is looked up when a recipe runs, after deps.sh may have installed it.
NCURSES_CFLAGS = $(shell pkg-config --cflags ncursesw 2>/dev/null)
NCURSES_LIBS   = $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw)
# So is jansson, which reads the trace back.
JANSSON_CFLAGS = $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS   = $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)

ifeq ($(V),1)
Q     =
say   = @:
else
Q     = @
say   = @printf '  %-6s %s\n'
endif

B := build

.PHONY: all help demo check bench clean install uninstall deps-build deps-check deps-bench FORCE
all: programs

help:
	@sed -n '2,9s/^# \{0,1\}//p' Makefile

# ---- dependencies, checked per target -----------------------------------

deps-build:
	$(Q)sh mk/deps.sh build

deps-check:
	$(Q)sh mk/deps.sh check

deps-bench:
	$(Q)sh mk/deps.sh bench

# Everything is rebuilt when the flags change (SANITIZE=1 after a plain build).
# The line is made of the flags every object shares, never of ALL_CFLAGS: a
# part's own additions (ncurses, cmocka) would make it differ with the
# object that first asked for it, and every build would rebuild everything.
FLAGS_LINE = $(CC) $(ML_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $(LDFLAGS)
$(B)/flags: FORCE | deps-build
	@mkdir -p $(B)
	@echo '$(FLAGS_LINE)' | cmp -s - $@ 2>/dev/null || echo '$(FLAGS_LINE)' > $@

# ---- the library --------------------------------------------------------

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB     := $(B)/libmmaplab.a

$(B)/%.o: %.c $(B)/flags
	$(say) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/lib/traceline.o: private ALL_CFLAGS += $(JANSSON_CFLAGS)

$(LIB): $(LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# ---- the numbered programs: demos/NN-name.c -> bin/NN-name --------------

DEMO_SRC   := $(sort $(wildcard demos/[0-9][0-9]-*.c))
DEMO_NAMES := $(DEMO_SRC:demos/%.c=%)
DEMO_BINS  := $(DEMO_NAMES:%=bin/%)

bin/%: $(B)/demos/%.o $(LIB)
	$(say) LD $@
	@mkdir -p bin
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The front door: in the tree it finds the programs beside itself.
bin/mmaplab: tools/mmaplab.sh
	$(say) GEN $@
	@mkdir -p bin
	$(Q)sed -e 's|@LIBEXECDIR@||' -e 's|@VERSION@|$(VERSION)|' $< > $@ && chmod 755 $@

# What `mmaplab clean` runs: one pass over /proc, names matched exactly.
bin/mmaplab-clean: $(B)/tools/clean.o $(LIB)
	$(say) LD $@
	@mkdir -p bin
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

PROGRAMS = $(DEMO_BINS) bin/mmaplab bin/mmaplab-clean
INSTALL_LIBEXEC += bin/mmaplab-clean

# ---- the parts kept in their own folders --------------------------------

include viewer/viewer.mk
include tour/tour.mk
include demos/win32/win32.mk
include tests/tests.mk
-include tests/fuzz/fuzz.mk
-include lessons/lessons.mk
include labs/labs.mk

programs: $(PROGRAMS)

# make bench (its recipe is in viewer/viewer.mk) first measures the channels
# of 12-channels: ratios within one run (bench/channels.sh).
.PHONY: bench-channels
bench: bench-channels
bench-channels: deps-build
	$(Q)$(MAKE) --no-print-directory bin/12-channels
	$(Q)bash bench/channels.sh

# ---- the two commands ---------------------------------------------------

demo: deps-build
	$(Q)$(MAKE) --no-print-directory programs
	$(Q)sh tools/demo.sh

check: deps-check
	$(Q)$(MAKE) --no-print-directory programs test-programs
	$(Q)bash tests/run.sh

# ---- install ------------------------------------------------------------

install: programs
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(DEMO_BINS) $(INSTALL_LIBEXEC) $(DESTDIR)$(LIBEXECDIR)/
	$(if $(INSTALL_BIN),install -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/)
	sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		tools/mmaplab.sh > $(DESTDIR)$(BINDIR)/mmaplab
	chmod 755 $(DESTDIR)$(BINDIR)/mmaplab
	$(if $(INSTALL_MAN1),install -m 644 $(INSTALL_MAN1) $(DESTDIR)$(MANDIR)/man1/)

uninstall:
	rm -f $(DEMO_NAMES:%=$(DESTDIR)$(LIBEXECDIR)/%) \
		$(patsubst %,$(DESTDIR)$(LIBEXECDIR)/%,$(notdir $(INSTALL_LIBEXEC)))
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	rm -f $(DESTDIR)$(BINDIR)/mmaplab $(patsubst %,$(DESTDIR)$(BINDIR)/%,$(notdir $(INSTALL_BIN)))
	rm -f $(patsubst %,$(DESTDIR)$(MANDIR)/man1/%,$(notdir $(INSTALL_MAN1)))

clean:
	rm -rf $(B) bin

FORCE:

# Keep the objects of the programs between builds.
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
