#!/bin/sh
# demo.sh — the walkthrough in one terminal, as narrated text (make demo).
#
# 01-create, 02-map, then 03-copy holding as the first process while
# 04-open reads the message as the second; both are released; 05-close
# removes the object.  The object has a name of its own, and nothing is left
# behind on any exit, Ctrl-C included.

set -u
BIN=${MMAPLAB_BIN:-$(cd "$(dirname "$0")/../bin" && pwd)}
NAME=/mmaplab-demo-$(id -un)-$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mmaplab-demo.XXXXXX")
TRACE=$WORK/trace.jsonl
export MMAPLAB_TRACE=$TRACE
first=
second=

cleanup() {
    for p in $first $second; do
        kill "$p" 2>/dev/null
    done
    wait 2>/dev/null
    if [ -e "/dev/shm/${NAME#/}" ]; then
        "$BIN/05-close" -q -n "$NAME" >/dev/null 2>&1 || rm -f "/dev/shm/${NAME#/}"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted; removing $NAME"; exit 130' INT TERM HUP

banner() {
    printf '\n\033[1m==== %s ====\033[0m\n' "$*" | sed "$nocolor"
}
# No escape sequences off a terminal or under NO_COLOR.
nocolor='s/\x1b\[[0-9;]*m//g'
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] && nocolor='s/^//'

# wait_hold PROG: until PROG's hold event is in the trace (30 s at most).
wait_hold() {
    i=0
    while ! grep -q "\"prog\":\"$1\",\"event\":\"hold\"" "$TRACE" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 300 ]; then
            echo "demo: $1 did not reach its hold point" >&2
            exit 1
        fi
        sleep 0.1
    done
}

# run_held TAG FIFO PROG ARGS...: PROG in the background, its output
# prefixed with TAG, its standard input on FIFO.
run_held() {
    tag=$1 fifo=$2; shift 2
    mkfifo "$fifo"
    ( "$@" <"$fifo" 2>&1 | sed -u "s/^/$tag /" ) &
}

cat <<EOF
mmaplab: the named shared memory walkthrough, in one terminal.
The object is $NAME; the Win32 original's steps are shown beside each call.
EOF

banner "1. 01-create: make the object (CreateFileMapping)"
"$BIN/01-create" -n "$NAME" || exit 1
echo "\$ ls -l /dev/shm/${NAME#/}"
ls -l "/dev/shm/${NAME#/}"

banner "2. 02-map: map a view of it (MapViewOfFile)"
"$BIN/02-map" -n "$NAME" --no-hold || exit 1

banner "3. 03-copy, the first process: copy the message, then hold (_getch)"
run_held "[first ]" "$WORK/first" "$BIN/03-copy" -n "$NAME"
first=$!
exec 7<>"$WORK/first"
wait_hold 03-copy

banner "4. 04-open, the second process, while the first still holds"
run_held "[second]" "$WORK/second" "$BIN/04-open" -n "$NAME"
second=$!
exec 8<>"$WORK/second"
wait_hold 04-open
echo
echo "Both processes now map the same page:"
grep -l " /dev/shm/${NAME#/}\$" /proc/[0-9]*/maps 2>/dev/null | while read -r m; do
    pid=${m#/proc/}; pid=${pid%/maps}
    echo "  pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)): $(grep " /dev/shm/${NAME#/}\$" "$m" | cut -d' ' -f1,2)"
done

banner "Both released: the second process, then the first"
echo >&8
wait "$second"; second=
echo >&7
wait "$first"; first=
echo "\$ ls -l /dev/shm/${NAME#/}     # the name outlives both processes"
ls -l "/dev/shm/${NAME#/}"

banner "5. 05-close: unmap, close, and remove the name"
"$BIN/05-close" -n "$NAME" || exit 1
if [ -e "/dev/shm/${NAME#/}" ]; then
    echo "demo: $NAME is still there" >&2
    exit 1
fi
echo
echo "Done: /dev/shm is as it was.  Run the programs yourself: see README.md (the lab flow)."
