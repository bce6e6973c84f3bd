#!/bin/bash
# lessons.sh — `make lessons`: rewrite the generated regions of the lessons.
#
#   tools/lessons.sh [--out DIR] [LESSON.md...]
#
# A lesson is written by hand except for two kinds of region, which this
# rewrites (the markers are HTML comments, invisible once rendered):
#
#   <!-- excerpt demos/03-copy.c copy -->  ...  <!-- /excerpt -->
#       the lines of the source between /* [lesson:copy] */ and
#       /* [/lesson] */, as a C block;
#   <!-- output 03 first -->  ...  <!-- /output -->
#       what part "first" of lessons/scenes/03.sh printed when it ran the
#       real programs just now, normalised (tools/lessons.pl says how) so
#       that it reads the same whoever runs it.
#
# Each scene runs once, in a directory of its own, on an object name of its
# own (LESSONS_PREFIX, default mmaplab-lessons-PID, then -SCENE), with its
# own trace, in a directory under build/ (on the tree's file system, as a
# student's would be).  Nothing is left in /dev/shm or on disk, also on
# failure.
#
# --out DIR writes the regenerated lessons into DIR instead of replacing
# them (the drift test compares the two).  With no LESSON, every
# lessons/*.md.  A part that needs a capability this run lacks (frame
# numbers need CAP_SYS_ADMIN) keeps the lesson's text, with a note.
# Exit 0 done, 1 a scene or an excerpt failed (no lesson was changed),
# 2 usage.

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=
while [ $# -gt 0 ]; do
    case $1 in
    --out) [ $# -ge 2 ] || { echo "lessons: --out needs a directory" >&2; exit 2; }
           OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,27s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "lessons: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
    esac
done
if [ -n "$OUT" ] && [ ! -d "$OUT" ]; then
    echo "lessons: --out $OUT: no such directory" >&2
    exit 2
fi

cd "$ROOT" || exit 2
if [ $# -eq 0 ]; then
    set -- lessons/*.md
fi
for f in "$@"; do
    [ -f "$f" ] || { echo "lessons: $f: no such lesson" >&2; exit 2; }
done

for p in bin/01-create bin/05-close; do
    [ -x "$p" ] || { echo "lessons: $p is not built: run make first" >&2; exit 1; }
done

PREFIX=${LESSONS_PREFIX:-mmaplab-lessons-$$}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmaplab-lessons.XXXXXX") || exit 1
# The scenes run in a directory on the tree's own file system (a student's
# files are on a disk, and /tmp may be a tmpfs), removed at the end.
mkdir -p build
WORK=$(mktemp -d "$ROOT/build/lessons-work.XXXXXX") || { rmdir "$TMP"; exit 1; }
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver64}
# Wine's prefix, and its TMPDIR (the server's socket lives there).
export LESSONS_WINEPREFIX=$TMP/wine LESSONS_WINETMP=$TMP/winetmp
cleanup() {
    if [ -d "$LESSONS_WINEPREFIX" ] && [ -x "$WINESERVER" ]; then
        TMPDIR=$LESSONS_WINETMP WINEPREFIX=$LESSONS_WINEPREFIX "$WINESERVER" -k 2>/dev/null
        TMPDIR=$LESSONS_WINETMP WINEPREFIX=$LESSONS_WINEPREFIX "$WINESERVER" -w 2>/dev/null
    fi
    rm -rf /dev/shm/"$PREFIX"-* 2>/dev/null
    rm -rf "$TMP" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Which capabilities this run has: a part that needs one it lacks is kept.
have=
[ "$(id -u)" = 0 ] && have=root
eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
[ $(( 0x${eff:-0} >> 21 & 1 )) = 1 ] && have=${have:+$have,}sys_admin
[ -x "${WINE64:-/usr/lib/wine/wine64}" ] && ls bin/win32/*.exe >/dev/null 2>&1 &&
    have=${have:+$have,}wine
[ "$(stat -f -c %T "$WORK")" != tmpfs ] && have=${have:+$have,}disk
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 && have=${have:+$have,}numpy

# The scenes the lessons use, each run once.
scenes=$(sed -n 's/^<!-- output \([^ ]*\) [^ ]* -->[[:space:]]*$/\1/p' "$@" | sort -u)
failed=0
for s in $scenes; do
    script=lessons/scenes/$s.sh
    if [ ! -f "$script" ]; then
        echo "lessons: an output region names scene $s, but there is no $script" >&2
        failed=1
        continue
    fi
    d=$WORK/$s
    o=$TMP/parts/$s
    mkdir -p "$o" "$d/work"
    ln -s "$ROOT/bin" "$d/work/bin"
    # Another user (a scene may play one) can reach the programs from here.
    chmod 755 "$WORK" "$d" "$d/work"
    name=/$PREFIX-$s
    SCENE_OUT=$o SCENE_WORK=$d/work MMAPLAB_NAME=$name \
        MMAPLAB_TRACE=$d/trace.jsonl MMAPLAB_ROOT=$ROOT \
        timeout -k 5 300 bash "$script" </dev/null >"$d/log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "lessons: scene $s failed (exit $rc):" >&2
        sed 's/^/  | /' "$d/log" >&2
        failed=1
    fi
    for left in /dev/shm/"${name#/}"*; do
        [ -e "$left" ] || continue
        echo "lessons: scene $s left $left behind (removed)" >&2
        rm -rf "$left"
        failed=1
    done
    left=$(cd "$d/work" && find . -mindepth 1 ! -name bin -print | head -n 5)
    if [ -n "$left" ]; then
        echo "lessons: scene $s left files in its directory: $left" >&2
        failed=1
    fi
    [ $rc -eq 0 ] || continue
    # A scene may have worked elsewhere (work_on_tmpfs): that stands for
    # the student's directory too.
    work=$d/work
    [ -s "$o/.work" ] && work="$work:$(cat "$o/.work")"
    perl tools/lessons.pl normalise "$o" name="$name" work="$work" \
        trace="$d/trace.jsonl" user="$(id -un)" group="$(id -gn)" \
        uid="$(id -u)" gid="$(id -g)" || failed=1
done
[ $failed -eq 0 ] || exit 1

# Splice every lesson first; replace them only when all went well.
mkdir -p "$TMP/gen"
for f in "$@"; do
    perl tools/lessons.pl splice "$f" "$ROOT" "$TMP/parts" "$have" > "$TMP/gen/$(basename "$f")" ||
        failed=1
done
[ $failed -eq 0 ] || exit 1

for f in "$@"; do
    g=$TMP/gen/$(basename "$f")
    if [ -n "$OUT" ]; then
        cp "$g" "$OUT/"
    elif ! cmp -s "$g" "$f"; then
        cp "$g" "$f"
        echo "  GEN    $f"
    fi
done
exit 0
