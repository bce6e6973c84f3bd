# win32.mk — the Win32 twins, built with MinGW, run under Wine.  Included by
# the Makefile.
#
#   make win32    bin/win32/*.exe (needs x86_64-w64-mingw32-gcc)
#
# Each demos/win32/NAME.c is one program, linked with the narration the
# POSIX programs use (lib/narrate.c) and the library's other portable parts
# (no POSIX calls): the JSON escaper, the trace event builder, the size
# rules, the hex dump.  Under them the Win32 support files: the options and
# start (w32lab.c), what the narration asks of the system (sys_win32.c),
# GetLastError's names and hints (last_error.c), the trace writer
# (trace_win32.c).  The host's
# CFLAGS and SANITIZE do not apply to the cross-compiler: WIN32_CFLAGS does.
# The exes import only KERNEL32, USER32 and msvcrt (static libgcc), which
# Wine provides.  Without the cross-compiler, `make` builds everything else
# and the Win32 tests say SKIPPED.

WIN32_CC      ?= x86_64-w64-mingw32-gcc
WIN32_FOUND   := $(shell command -v $(WIN32_CC) 2>/dev/null)
WIN32_CFLAGS  ?= -O2 -g
WIN32_ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror \
                   -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0602 \
                   -D_FILE_OFFSET_BITS=64 \
                   -DML_VERSION='"$(VERSION)"' -Ilib -Idemos/win32 \
                   $(WIN32_CFLAGS) -MMD -MP
WIN32_LDFLAGS ?= -static-libgcc

WIN32_SUPPORT := w32lab sys_win32 last_error trace_win32
WIN32_SRC     := $(filter-out $(WIN32_SUPPORT:%=demos/win32/%.c), \
                   $(sort $(wildcard demos/win32/*.c)))
WIN32_NAMES   := $(WIN32_SRC:demos/win32/%.c=%)
WIN32_EXES    := $(WIN32_NAMES:%=bin/win32/%.exe)
WIN32_PORTABLE := json event parse hexdump narrate
WIN32_LIBOBJ  := $(WIN32_SUPPORT:%=$(B)/win32/%.o) $(WIN32_PORTABLE:%=$(B)/win32/lib/%.o)

.PHONY: win32
ifneq ($(WIN32_FOUND),)
PROGRAMS   += $(WIN32_EXES)
TEST_EXTRA += $(WIN32_EXES)
win32: $(WIN32_EXES)
else
win32:
	@echo "make win32: $(WIN32_CC) is not installed; on Debian or Ubuntu:" >&2
	@echo "    sudo apt-get install gcc-mingw-w64-x86-64 wine64" >&2
	@exit 1
endif

# Everything Win32 is rebuilt when its flags change.
$(B)/win32/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(WIN32_CC) $(WIN32_ALL_CFLAGS) $(WIN32_LDFLAGS)' | cmp -s - $@ 2>/dev/null || \
		echo '$(WIN32_CC) $(WIN32_ALL_CFLAGS) $(WIN32_LDFLAGS)' > $@

$(WIN32_NAMES:%=$(B)/win32/%.o) $(WIN32_SUPPORT:%=$(B)/win32/%.o): $(B)/win32/%.o: demos/win32/%.c $(B)/win32/flags
	$(say) CC-W32 $<
	$(Q)$(WIN32_CC) $(WIN32_ALL_CFLAGS) -c -o $@ $<

$(WIN32_PORTABLE:%=$(B)/win32/lib/%.o): $(B)/win32/lib/%.o: lib/%.c $(B)/win32/flags
	@mkdir -p $(@D)
	$(say) CC-W32 $<
	$(Q)$(WIN32_CC) $(WIN32_ALL_CFLAGS) -c -o $@ $<

$(WIN32_EXES): bin/win32/%.exe: $(B)/win32/%.o $(WIN32_LIBOBJ)
	$(say) LD-W32 $@
	@mkdir -p $(@D)
	$(Q)$(WIN32_CC) $(WIN32_LDFLAGS) -o $@ $< $(WIN32_LIBOBJ) -luser32
