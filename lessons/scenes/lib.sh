# lib.sh — what the scenes share.  A scene (lessons/scenes/NN.sh) runs the
# real programs the way a lesson tells a student to, and saves the output of
# each part for tools/lessons.sh to normalise and put into the lesson
# between <!-- output NN PART --> and <!-- /output -->.
#
#   show PART 'CMD' [STATUS]   run CMD (stdin /dev/null); append "$ CMD" and
#                              its output to PART; its exit status must be
#                              STATUS (default 0)
#   start KEY PART 'CMD' [PROG]
#                              run CMD in the background with its standard
#                              input on a fifo, output appended to PART, and
#                              wait until it holds (its `hold` trace event;
#                              by PROG's name when the pid in the trace is
#                              not CMD's, as under Wine)
#   enter KEY                  press Enter: one line to its standard input;
#                              wait until it holds again or ends
#   finish KEY [STATUS]        press Enter and wait for it to end
#   snapshot PART [ARGS]       bin/mmapview --once ARGS into PART
#   needs CAP PART...          PART's output depends on CAP (sys_admin,
#                              root): a run without it keeps the lesson's text
#   have CAP                   true when this run has CAP (also wine:
#                              Wine and the Win32 build are there; disk:
#                              the current directory is not on a tmpfs;
#                              numpy: /usr/bin/python3 has it)
#   wine_ready                 before the first Win32 program: the Wine
#                              prefix this run shares, `wine` on PATH
#   relative_addresses PART... keep the distances between one process's
#                              addresses in PART (see tools/lessons.pl)
#   work_on_tmpfs              run from a directory on a tmpfs (under
#                              /dev/shm, removed at the end) instead, where
#                              no readahead blurs which pages are in memory
#   note PART 'TEXT'           a line of text into PART (a comment, say)
#   quietly 'CMD'              run CMD, keeping no output (tidying up); it
#                              must succeed
#
# The environment comes from tools/lessons.sh: MMAPLAB_NAME (unique to the
# run), MMAPLAB_TRACE (this scene's own trace), SCENE_OUT (the parts) and
# SCENE_WORK (the current directory, with bin -> the tree's bin/).  Waits
# are on trace events, never a fixed sleep.  Everything the scene started
# is ended when it exits.

set -u
: "${SCENE_OUT:?}" "${SCENE_WORK:?}" "${MMAPLAB_NAME:?}" "${MMAPLAB_TRACE:?}"
export MMAPLAB_NAME MMAPLAB_TRACE NO_COLOR=1 LC_ALL=C TZ=UTC

# Descriptors inherited from make or a terminal would shift the numbers the
# programs print (shm_open returns the lowest free one): start clean.
for _fd in /proc/$$/fd/*; do
    _fd=${_fd##*/}
    if [ "$_fd" -gt 2 ] 2>/dev/null && [ "$_fd" -lt 255 ]; then
        eval "exec $_fd>&-" 2>/dev/null
    fi
done
unset _fd

cd "$SCENE_WORK" || exit 1
: > "$MMAPLAB_TRACE"
: >> "$SCENE_OUT/.parts"
: >> "$SCENE_OUT/.pids"
: >> "$SCENE_OUT/.needs"

declare -A S_PID S_FD S_PART S_HOLDS S_PROG S_BASE
s_bg=()

scene_die() {
    echo "scene $(basename "$0" .sh): $*" >&2
    exit 1
}

S_TMPFS_DIR=
s_cleanup() {
    local p
    for p in "${s_bg[@]}"; do kill -9 "$p" 2>/dev/null; done
    for p in "${s_bg[@]}"; do wait "$p" 2>/dev/null; done
    if [ -n "$S_TMPFS_DIR" ]; then
        cd "$SCENE_WORK" && rm -rf "$S_TMPFS_DIR"
    fi
}

work_on_tmpfs() {
    S_TMPFS_DIR=/dev/shm/${MMAPLAB_NAME#/}.d
    mkdir "$S_TMPFS_DIR" && ln -s "$SCENE_WORK/bin" "$S_TMPFS_DIR/bin" &&
        cd "$S_TMPFS_DIR" || scene_die "cannot make $S_TMPFS_DIR"
    echo "$S_TMPFS_DIR" > "$SCENE_OUT/.work"
}
trap s_cleanup EXIT
trap 'exit 130' INT TERM

s_file() { echo "$SCENE_OUT/$1.txt"; }

# Register PART (in the order parts first appear) and separate a new
# command from what the part already holds.
s_begin() {
    local f
    f=$(s_file "$1")
    grep -qxF "$1" "$SCENE_OUT/.parts" || echo "$1" >> "$SCENE_OUT/.parts"
    [ -s "$f" ] && echo >> "$f"
    printf '$ %s\n' "$2" >> "$f"
}

note() {
    local f
    f=$(s_file "$1")
    grep -qxF "$1" "$SCENE_OUT/.parts" || echo "$1" >> "$SCENE_OUT/.parts"
    printf '%s\n' "$2" >> "$f"
}

show() {
    local part=$1 cmd=$2 want=${3:-0} pid rc
    s_begin "$part" "$cmd"
    ( eval "$cmd" ) </dev/null >>"$(s_file "$part")" 2>&1 &
    pid=$!
    echo "$pid" >> "$SCENE_OUT/.pids"
    wait "$pid"
    rc=$?
    [ "$rc" = "$want" ] || scene_die "'$cmd' exited $rc, not $want; its output:
$(cat "$(s_file "$part")")"
}

quietly() {
    local out
    out=$( ( eval "$1" ) </dev/null 2>&1 ) || scene_die "'$1' failed: $out"
}

# s_state PID: the process state letter (Z for a zombie), empty when gone.
s_state() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    s=${s##*) }
    echo "${s%% *}"
}

# s_await KEY N: until KEY has recorded N hold events (0), or has ended (1).
# A hold event is written after the program has flushed what it printed.
s_await() {
    local pid=${S_PID[$1]} who n i=0 st
    who="\"pid\":$pid,\"prog\":\"[^\"]*\""
    [ -n "${S_PROG[$1]}" ] && who="\"prog\":\"${S_PROG[$1]}\""
    while :; do
        n=$(grep -c "$who,\"event\":\"hold\"" "$MMAPLAB_TRACE")
        [ "$n" -ge $(( ${S_BASE[$1]:-0} + $2 )) ] && return 0
        st=$(s_state "$pid")
        [ -z "$st" ] || [ "$st" = Z ] && return 1
        i=$((i + 1))
        [ $i -lt 3000 ] || scene_die "$1 neither held nor ended within 30 s"
        sleep 0.01
    done
}

start() {
    local key=$1 part=$2 cmd=$3 fifo fd
    S_PROG[$key]=${4:-}
    S_BASE[$key]=0
    [ -n "${S_PROG[$key]}" ] &&
        S_BASE[$key]=$(grep -c "\"prog\":\"${S_PROG[$key]}\",\"event\":\"hold\"" "$MMAPLAB_TRACE")
    fifo=$SCENE_OUT/.fifo-$key
    rm -f "$fifo"
    mkfifo "$fifo" || scene_die "mkfifo $fifo"
    exec {fd}<>"$fifo"
    s_begin "$part" "$cmd"
    ( exec {fd}>&-; eval "exec $cmd" ) <"$fifo" >>"$(s_file "$part")" 2>&1 &
    S_PID[$key]=$!
    S_FD[$key]=$fd
    S_PART[$key]=$part
    S_HOLDS[$key]=1
    s_bg+=("$!")
    echo "$!" >> "$SCENE_OUT/.pids"
    s_await "$key" 1 || scene_die "'$cmd' ended before its hold point:
$(cat "$(s_file "$part")")"
}

enter() {
    local key=$1
    echo >&"${S_FD[$key]}"
    S_HOLDS[$key]=$(( ${S_HOLDS[$key]} + 1 ))
    s_await "$key" "${S_HOLDS[$key]}" || true
}

finish() {
    local key=$1 want=${2:-0} fd=${S_FD[$1]} rc
    echo >&"$fd"
    wait "${S_PID[$key]}"
    rc=$?
    exec {fd}>&-
    [ "$rc" = "$want" ] || scene_die "$key exited $rc, not $want:
$(cat "$(s_file "${S_PART[$key]}")")"
}

snapshot() {
    local part=$1; shift
    show "$part" "bin/mmapview --once${*:+ $*}"
}

relative_addresses() {
    local p
    for p in "$@"; do echo "$p" >> "$SCENE_OUT/.reladdr"; done
}

needs() {
    local cap=$1 p; shift
    for p in "$@"; do echo "$p $cap" >> "$SCENE_OUT/.needs"; done
}

have() {
    case $1 in
    root) [ "$(id -u)" = 0 ] ;;
    sys_admin)
        # CAP_SYS_ADMIN (bit 21) in the effective set: real frame numbers.
        local eff
        eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
        [ $(( 0x$eff >> 21 & 1 )) = 1 ] ;;
    disk)
        # The current directory is on a disk file system, not a tmpfs.
        [ "$(stat -f -c %T .)" != tmpfs ] ;;
    numpy)
        # Debian's numpy is seen by /usr/bin/python3, not by every python3.
        /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 ;;
    wine)
        [ -x "${WINE64:-/usr/lib/wine/wine64}" ] && [ -n "${LESSONS_WINEPREFIX:-}" ] &&
            ls bin/win32/*.exe >/dev/null 2>&1 ;;
    *) scene_die "have: no capability called $1" ;;
    esac
}

wine_ready() {
    have wine || scene_die "wine_ready: no Wine here (check with 'have wine' first)"
    export WINEPREFIX=$LESSONS_WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    export TMPDIR=$LESSONS_WINETMP
    mkdir -p "$TMPDIR"
    if ! command -v wine >/dev/null 2>&1; then
        # With only the wine64 package, the loader is not on PATH.
        mkdir -p "$SCENE_OUT/.path"
        printf '#!/bin/sh\nexec %s "$@"\n' "${WINE64:-/usr/lib/wine/wine64}" > "$SCENE_OUT/.path/wine"
        chmod 755 "$SCENE_OUT/.path/wine"
        PATH=$SCENE_OUT/.path:$PATH
    fi
    # The first start makes the prefix and talks about it: not in a lesson.
    [ -e "$WINEPREFIX/system.reg" ] ||
        timeout -k 5 120 wine wineboot -i >/dev/null 2>&1 || true
}
