#!/bin/sh
# deps.sh — check what a make target needs before it runs.
#
#   sh mk/deps.sh build   a C compiler, make, pkg-config, ncurses
#   sh mk/deps.sh check   the above, plus cmocka and tmux; reports the
#                         optional tracks (MinGW + Wine, numpy, clang)
#
# Missing required packages are installed with apt-get when run as root
# (the package lists are refreshed first when empty or older than a day);
# otherwise the exact command to run is printed and the target stops.
# Optional ones never stop anything: their tests say SKIPPED.

set -u
what=${1:-build}

missing=""        # Debian packages that are required and absent
optional=""       # optional packages that are absent
need() { missing="$missing $1"; }
want() { optional="$optional $1"; }

have() { command -v "$1" >/dev/null 2>&1; }
have_pc() { have pkg-config && pkg-config --exists "$1" 2>/dev/null; }

check_build() {
    have cc || have gcc || need gcc
    have make || need make
    have pkg-config || need pkg-config
    # ncurses with wide characters, for the viewer and the tour.
    have_pc ncursesw || [ -e /usr/include/ncursesw/curses.h ] || need libncurses-dev
}

check_test() {
    have_pc cmocka || [ -e /usr/include/cmocka.h ] || need libcmocka-dev
    have tmux || need tmux
    have x86_64-w64-mingw32-gcc || want gcc-mingw-w64-x86-64
    [ -x /usr/lib/wine/wine64 ] || want wine64
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null ||
        want python3-numpy
    have clang || want clang
}

case $what in
build) check_build ;;
check) check_build; check_test ;;
*) echo "deps.sh: unknown target '$what' (build or check)" >&2; exit 2 ;;
esac

lists_stale() {
    # No package lists at all, or none touched in the last day.
    ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || return 0
    [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null | head -n 1)" ]
}

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && have apt-get; then
        echo "mmaplab: installing what '$what' needs:$missing"
        if lists_stale; then
            apt-get update -q || { echo "mmaplab: apt-get update failed" >&2; exit 1; }
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing || {
            echo "mmaplab: could not install:$missing" >&2
            exit 1
        }
    else
        echo "mmaplab: '$what' needs packages that are not installed:$missing" >&2
        echo "mmaplab: install them with:" >&2
        echo "    sudo apt-get install$missing" >&2
        exit 1
    fi
fi

if [ -n "$optional" ]; then
    echo "mmaplab: optional, not installed:$optional"
    echo "mmaplab: their tests will be SKIPPED; to run them:  sudo apt-get install$optional"
fi
exit 0
