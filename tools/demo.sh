#!/bin/sh
# demo.sh — make demo: the guided tour of the walkthrough.
#
# On a terminal (standard input and output both) bin/mmaplab-tour opens the
# full-screen tour: the viewer's panels on the object, the first and second
# process side by side, a narration before each step; Space goes on, b goes
# back, a plays by itself, q quits, ? helps.  Anywhere else (CI, a pipe, a
# log) the same tour runs as narrated text, with mmapview --once snapshots
# between the steps, and ends with status 0.
#
# The object has a name of its own, /mmaplab-tour-USER-PID, and the tour's
# files a directory of their own.  The tour stops its programs and removes
# both on every way out (q, the end, Ctrl-C, SIGTERM, SIGHUP, a crash);
# this script checks afterwards all the same, in case the tour itself was
# killed outright.  Extra arguments go to the tour (--text, --delay SEC,
# --program NN: see bin/mmaplab-tour --help).

set -u
HERE=$(cd "$(dirname "$0")/.." && pwd)
TOUR=$HERE/bin/mmaplab-tour
NAME=/mmaplab-tour-$(id -un | tr -c 'A-Za-z0-9._\n-' _)-$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mmaplab-demo.XXXXXX") || exit 1

cleanup() {
    if [ -e "/dev/shm/${NAME#/}" ]; then
        rm -f "/dev/shm/${NAME#/}" &&
            echo "demo: removed $NAME, which the tour did not (was it killed?)" >&2
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
# The tour has the terminal and says what it did; the script only ends.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ ! -x "$TOUR" ]; then
    echo "demo: $TOUR is not built: run make demo (or make) from $HERE" >&2
    exit 1
fi
"$TOUR" --name "$NAME" --dir "$WORK" "$@"
