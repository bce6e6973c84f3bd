#!/bin/sh
# deps.sh — make sure what a make target uses is on the machine, before it runs.
#
#   sh mk/deps.sh build   a C compiler, make, pkg-config, ncurses, jansson
#   sh mk/deps.sh check   the above, and every tool a test, a lesson's
#                         command or a lesson's scene runs: cmocka, tmux,
#                         procps (pgrep, ps), util-linux (setpriv, fincore),
#                         strace, xxd, and the tracks that need more:
#                         MinGW + Wine (Win32), numpy (NPY), clang (fuzzing)
#   sh mk/deps.sh bench   the build, and tmux and fincore
#
# As root, whatever is missing is installed with apt-get (the package lists
# are refreshed first when there are none or they are older than a day), so
# that `make check` on a fresh Debian machine runs every test.
#
# Not root: a missing required package stops the target with the exact
# `sudo apt-get install` line to type.  The Win32, NPY and fuzzing tracks are
# optional there: their tests say SKIPPED and the line to install them is
# printed.  A test never meets "command not found": every command the tests
# run is looked for here.

set -u
what=${1:-build}

missing=""        # Debian packages that are required and absent
optional=""       # packages of the optional tracks that are absent
need() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }
want() { case " $optional " in *" $1 "*) ;; *) optional="$optional $1" ;; esac; }

have() { command -v "$1" >/dev/null 2>&1; }
have_pc() { have pkg-config && pkg-config --exists "$1" 2>/dev/null; }

check_build() {
    have cc || have gcc || need gcc
    have make || need make
    have pkg-config || need pkg-config
    # ncurses with wide characters, for the viewer and the tour.
    have_pc ncursesw || [ -e /usr/include/ncursesw/curses.h ] || need libncurses-dev
    # jansson reads the trace back (the viewer, the tour, the tests' checker).
    have_pc jansson || need libjansson-dev
}

check_test() {
    have_pc cmocka || [ -e /usr/include/cmocka.h ] || need libcmocka-dev
    have tmux || need tmux
    have pgrep && have pkill && have ps || need procps
    have setpriv && have fincore && have script || need util-linux
    have strace || need strace
    have xxd || need xxd
    have patch || need patch          # the graders' tests apply mistakes as patches
    have timeout || need coreutils
    # Debian's own python3 and numpy (the lessons say /usr/bin/python3: the
    # first python3 on PATH may be another one).
    { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; } ||
        want python3-numpy
    have x86_64-w64-mingw32-gcc || want gcc-mingw-w64-x86-64
    { [ -x /usr/lib/wine/wine64 ] && [ -x /usr/lib/wine/wineserver64 ]; } || want wine64
    # clang with libFuzzer and the sanitizers' runtime, for the fuzz build.
    have clang || want clang
    clang_rt || want libclang-rt-dev
}

# libFuzzer comes with clang's runtime package, not with clang itself.
clang_rt() {
    have clang || return 1
    ls "$(clang -print-resource-dir 2>/dev/null)"/lib/linux/libclang_rt.fuzzer-x86_64.a \
        >/dev/null 2>&1
}

check_bench() {
    have tmux || need tmux
    have fincore || need util-linux
}

case $what in
build) check_build ;;
check) check_build; check_test ;;
bench) check_build; check_bench ;;
*) echo "deps.sh: unknown target '$what' (build, check or bench)" >&2; exit 2 ;;
esac

lists_stale() {
    # No package lists at all, or none touched in the last day.
    ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || return 0
    [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null | head -n 1)" ]
}

if [ "$(id -u)" = 0 ] && have apt-get; then
    # Root installs the optional tracks too: nothing is skipped.
    all="$missing$optional"
    [ -n "$all" ] || exit 0
    echo "mmaplab: installing what '$what' uses:$all"
    if lists_stale; then
        apt-get update -q || { echo "mmaplab: apt-get update failed; check the network and /etc/apt/sources.list" >&2; exit 1; }
    fi
    # shellcheck disable=SC2086  # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $all || {
        echo "mmaplab: could not install:$all" >&2
        echo "mmaplab: see apt-get's message above, then run make $what again" >&2
        exit 1
    }
    exit 0
fi

if [ -n "$missing" ]; then
    echo "mmaplab: '$what' needs packages that are not installed:$missing" >&2
    echo "mmaplab: install them with:" >&2
    echo "    sudo apt-get install$missing$optional" >&2
    exit 1
fi
if [ -n "$optional" ]; then
    echo "mmaplab: optional, not installed:$optional"
    echo "mmaplab: their tests will be SKIPPED; to run them:  sudo apt-get install$optional"
fi
exit 0
