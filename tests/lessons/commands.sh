#!/bin/bash
# Every command a lesson tells a student to run, run as written.
#
# The lessons mark their runnable shell blocks by the fence's info string:
#
#   ```sh run      one terminal: the block runs as a script (bash -e -o
#                  pipefail, standard input /dev/null, so a hold goes on at
#                  end of input)
#   ```sh t1       several terminals: the t1, t2 (and t3) blocks of a lesson
#   ```sh t2       are one session, typed in document order into that many
#                  shells; a line "# press Enter ..." presses Enter in that
#                  terminal; a command is typed only when the terminal is at
#                  its prompt (not while a program holds there), as a
#                  student would
#   ```sh win32    the Win32 twins under Wine (SKIPPED without it)
#   ```sh numpy    as "sh run", with Debian's numpy (/usr/bin/python3);
#                  SKIPPED without it
#   ```sh python   as "sh run", with Debian's python3 (/usr/bin/python3);
#                  SKIPPED without it
#   ```sh live     needs a real terminal (the live viewer): run in tmux,
#                  until its first screen, then q (SKIPPED without tmux)
#
# Each lesson runs from the top of the tree on a unique MMAPLAB_NAME, with
# its own trace, under a timeout; afterwards nothing may be left in
# /dev/shm or in the top directory of the tree.  LESSONS_ONLY="FILE..."
# runs only those lessons.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

BLOCK_TIMEOUT=${MMAPLAB_LESSON_TIMEOUT:-60}
WINE64=${WINE64:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver64}
wine_ok=0
if [ -x "$WINE64" ] && [ -x "$WINESERVER" ] && ls bin/win32/*.exe >/dev/null 2>&1; then
    wine_ok=1
    # The lessons say `wine`; with only the wine64 package there is none on
    # PATH: the loader is /usr/lib/wine/wine64.
    mkdir -p "$T_SCRATCH/path"
    if ! command -v wine >/dev/null 2>&1; then
        printf '#!/bin/sh\nexec %s "$@"\n' "$WINE64" > "$T_SCRATCH/path/wine"
        chmod 755 "$T_SCRATCH/path/wine"
    fi
fi
# Wine keeps its server's socket under TMPDIR: keep it in the scratch
# directory, which goes at the end.
WINETMP=$T_SCRATCH/winetmp
wine_init() {
    [ -d "$T_SCRATCH/wine" ] && return 0
    mkdir -p "$WINETMP"
    TMPDIR=$WINETMP WINEPREFIX=$T_SCRATCH/wine WINEDEBUG=-all \
        WINEDLLOVERRIDES="mscoree,mshtml=" \
        timeout -k 5 120 "$WINE64" wineboot -i >/dev/null 2>&1
    return 0
}
stop_wine() {
    if [ $wine_ok = 1 ] && [ -d "$T_SCRATCH/wine" ]; then
        TMPDIR=$WINETMP WINEPREFIX=$T_SCRATCH/wine "$WINESERVER" -k 2>/dev/null
        TMPDIR=$WINETMP WINEPREFIX=$T_SCRATCH/wine "$WINESERVER" -w 2>/dev/null
    fi
    return 0
}

# Files in the top directory before: none may be added by a lesson.
STAMP=$T_SCRATCH/stamp
touch "$STAMP"
top_files() { find . -maxdepth 1 -newer "$STAMP" ! -name . -type f -print | sort; }

# ---- two terminals ----------------------------------------------------------
#
# A terminal is a bash reading its commands from a fifo; its standard input
# (what the programs it runs read at a hold) is another fifo, the keyboard.
# After each command it records the status in its own file, so the test
# knows when the prompt is back.

declare -A TERM_PID TERM_CMD TERM_KEYS TERM_SENT
term_open() {
    local t=$1 dir=$2 cmdf keyf
    cmdf=$dir/$t.cmd keyf=$dir/$t.keys
    mkfifo "$cmdf" "$keyf"
    : > "$dir/$t.status"
    : > "$dir/$t.trace"
    local kfd cfd
    exec {kfd}<>"$keyf"
    TERM_KEYS[$t]=$kfd
    # The terminal keeps none of the test's fifos open: the next terminal
    # must see end of input when its own command fifo is closed.
    (
        for fd in "${TERM_KEYS[@]}" "${TERM_CMD[@]}"; do eval "exec $fd>&-"; done
        MMAPLAB_TRACE=$dir/$t.trace exec bash --norc --noprofile "$cmdf"
    ) <"$keyf" >"$dir/$t.out" 2>&1 &
    TERM_PID[$t]=$!
    t_bg "$!"
    exec {cfd}>"$cmdf"
    TERM_CMD[$t]=$cfd
    TERM_SENT[$t]=0
}

# term_holding DIR T: a program in terminal T waits at its hold point.
term_holding() {
    local h r
    h=$(grep -c '"event":"hold"' "$1/$2.trace")
    r=$(grep -c '"event":"resume"' "$1/$2.trace")
    [ "$h" -gt "$r" ]
}
term_resumes() { grep -c '"event":"resume"' "$1/$2.trace"; }

# term_settle DIR T [RESUMES]: wait until terminal T is back at its prompt
# (0) or a program there holds (1); 2 on timeout.  After Enter, RESUMES is
# how many resume events must be there first (the one Enter caused).
term_settle() {
    local dir=$1 t=$2 min=${3:-0} i=0 limit=$((BLOCK_TIMEOUT * 100))
    while :; do
        [ "$(wc -l < "$dir/$t.status")" -ge "${TERM_SENT[$t]}" ] && return 0
        [ "$(term_resumes "$dir" "$t")" -ge "$min" ] && term_holding "$dir" "$t" && return 1
        i=$((i + 1))
        [ $i -lt $limit ] || return 2
        sleep 0.01
    done
}

term_close() {
    local t=$1
    exec {TERM_CMD[$t]}>&-
    exec {TERM_KEYS[$t]}>&-
    wait_exit "${TERM_PID[$t]}" 10
}

# session DIR LESSON: the lesson's t1/t2 blocks, in order.  Prints what
# went wrong and returns 1, or returns 0.
session() {
    local dir=$1 lesson=$2 n kind line t cmd st resumes rc=0
    local terms
    terms=$(awk '$2 ~ /^t[1-3]$/ { print $2 }' "$dir/blocks/index" | sort -u)
    for t in $terms; do term_open "$t" "$dir"; done
    while read -r n kind line; do
        case $kind in t[1-3]) ;; *) continue ;; esac
        t=$kind
        while IFS= read -r cmd || [ -n "$cmd" ]; do
            case $cmd in
            "# press Enter"*)
                if ! term_holding "$dir" "$t"; then
                    echo "$lesson:$line: '$cmd' in terminal ${t#t}, but nothing holds there"
                    rc=1; break 2
                fi
                resumes=$(( $(term_resumes "$dir" "$t") + 1 ))
                echo >&"${TERM_KEYS[$t]}"
                ;;
            ''|'#'*) continue ;;
            *)
                resumes=0
                if term_holding "$dir" "$t"; then
                    echo "$lesson:$line: '$cmd' typed in terminal ${t#t} while a program holds there (press Enter first)"
                    rc=1; break 2
                fi
                TERM_SENT[$t]=$((TERM_SENT[$t] + 1))
                printf '%s\necho "$?" >> %q\n' "$cmd" "$dir/$t.status" >&"${TERM_CMD[$t]}"
                ;;
            esac
            term_settle "$dir" "$t" "$resumes"
            if [ $? = 2 ]; then
                echo "$lesson:$line: terminal ${t#t} neither came back to its prompt nor held within ${BLOCK_TIMEOUT}s after: $cmd"
                rc=1; break 2
            fi
        done < "$dir/blocks/$n.sh"
    done < "$dir/blocks/index"
    for t in $terms; do
        if [ $rc = 0 ] && term_holding "$dir" "$t"; then
            echo "$lesson: at the end, a program still holds in terminal ${t#t}"
            rc=1
        fi
        term_close "$t"
        if [ $rc = 0 ]; then
            st=$(grep -nv '^0$' "$dir/$t.status" | head -n 1)
            if [ -n "$st" ]; then
                echo "$lesson: in terminal ${t#t}, command ${st%%:*} exited ${st#*:}"
                rc=1
            fi
        fi
    done
    if [ $rc != 0 ]; then
        for t in $terms; do
            echo "--- terminal ${t#t}:"
            tail -n 40 "$dir/$t.out"
        done
    fi
    return $rc
}

# ---- a real terminal ----------------------------------------------------------
#
# A "sh live" block needs a terminal (the live viewer): each command runs in
# a tmux pane of 120x40 from the top of the tree; it passes when its first
# screen shows and q ends it.

TMUX_SOCK=mmaplab-lessons-$$
stop_tmux() {
    command -v tmux >/dev/null 2>&1 && tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
    return 0
}

# live LINE: prints what went wrong and returns 1, or returns 0.
live() {
    local cmd=$1 i=0 screen
    tmux -L "$TMUX_SOCK" new-session -d -s live -x 120 -y 40 \
        "cd $(printf %q "$ROOT") && export MMAPLAB_NAME=$(printf %q "$MMAPLAB_NAME") MMAPLAB_TRACE=$(printf %q "$MMAPLAB_TRACE") && $cmd; echo; echo '[exit status' \$?']'; read x" ||
        { echo "tmux would not start"; return 1; }
    while :; do
        screen=$(tmux -L "$TMUX_SOCK" capture-pane -p -t live 2>/dev/null)
        case $screen in
        *'[exit status'*)
            echo "'$cmd' ended before showing its screen:"; echo "$screen"
            tmux -L "$TMUX_SOCK" kill-session -t live 2>/dev/null
            return 1 ;;
        *[A-Za-z]*) break ;;
        esac
        i=$((i + 1))
        if [ $i -gt 1000 ]; then
            echo "'$cmd' showed nothing within 10 s"
            tmux -L "$TMUX_SOCK" kill-session -t live 2>/dev/null
            return 1
        fi
        sleep 0.01
    done
    tmux -L "$TMUX_SOCK" send-keys -t live q
    i=0
    until screen=$(tmux -L "$TMUX_SOCK" capture-pane -p -t live 2>/dev/null) &&
          [[ $screen == *'[exit status'* ]]; do
        i=$((i + 1))
        if [ $i -gt 1000 ]; then
            echo "'$cmd' did not end on q within 10 s; its screen:"; echo "$screen"
            tmux -L "$TMUX_SOCK" kill-session -t live 2>/dev/null
            return 1
        fi
        sleep 0.01
    done
    tmux -L "$TMUX_SOCK" kill-session -t live 2>/dev/null
    if [[ $screen != *'[exit status 0]'* ]]; then
        echo "'$cmd' ended with an error after q:"; echo "$screen"
        return 1
    fi
    return 0
}

# ---- every lesson -----------------------------------------------------------

lessons=(${LESSONS_ONLY:-lessons/*.md})
for lesson in "${lessons[@]}"; do
    base=$(basename "$lesson" .md)
    dir=$T_SCRATCH/$base
    mkdir -p "$dir/blocks"
    if ! perl tools/lessons.pl blocks "$lesson" "$dir/blocks" 2>"$dir/err"; then
        not_ok "$lesson: its runnable blocks can be read" "$(cat "$dir/err")"
        continue
    fi
    [ -s "$dir/blocks/index" ] || continue

    export MMAPLAB_NAME
    MMAPLAB_NAME=$(t_name)
    export MMAPLAB_TRACE=$dir/trace.jsonl
    nsession=$(grep -c ' t[1-3] ' "$dir/blocks/index")

    while read -r n kind line; do
        case $kind in
        python)
            if ! [ -x /usr/bin/python3 ]; then
                skip "$lesson:$line: the Python block runs as written" \
                    "needs Debian's python3 as /usr/bin/python3 (apt-get install python3)"
                continue
            fi
            ;&
        numpy)
            if [ "$kind" = numpy ] && ! /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
                skip "$lesson:$line: the numpy block runs as written" \
                    "needs Debian's numpy for /usr/bin/python3 (apt-get install python3-numpy)"
                continue
            fi
            ;&
        run)
            timeout -k 5 "$BLOCK_TIMEOUT" bash --norc --noprofile -e -o pipefail \
                "$dir/blocks/$n.sh" </dev/null >"$dir/$n.out" 2>&1
            rc=$?
            if [ $rc = 0 ]; then
                ok "$lesson:$line: the block runs as written"
            else
                [ $rc = 124 ] && rc="a timeout after ${BLOCK_TIMEOUT}s"
                not_ok "$lesson:$line: the block runs as written" \
                    "exit $rc; the block:" "$(cat "$dir/blocks/$n.sh")" \
                    "its output:" "$(tail -n 40 "$dir/$n.out")"
            fi
            ;;
        win32)
            if [ $wine_ok = 0 ]; then
                skip "$lesson:$line: the Win32 block runs under Wine" \
                    "needs wine64 (apt-get install wine64) and the MinGW build (bin/win32)"
                continue
            fi
            wine_init
            TMPDIR=$WINETMP PATH=$T_SCRATCH/path:$PATH WINEPREFIX=$T_SCRATCH/wine WINEDEBUG=-all \
                WINEDLLOVERRIDES="mscoree,mshtml=" \
                timeout -k 5 $((BLOCK_TIMEOUT * 2)) bash --norc --noprofile -e -o pipefail \
                "$dir/blocks/$n.sh" </dev/null >"$dir/$n.out" 2>&1
            rc=$?
            if [ $rc = 0 ]; then
                ok "$lesson:$line: the Win32 block runs under Wine as written"
            else
                not_ok "$lesson:$line: the Win32 block runs under Wine as written" \
                    "exit $rc; the block:" "$(cat "$dir/blocks/$n.sh")" \
                    "its output:" "$(tr -d '\r' < "$dir/$n.out" | tail -n 40)"
            fi
            ;;
        live)
            if ! command -v tmux >/dev/null 2>&1; then
                skip "$lesson:$line: the live block starts and quits in a terminal" \
                    "needs tmux (apt-get install tmux)"
                continue
            fi
            out=
            while IFS= read -r cmd || [ -n "$cmd" ]; do
                case $cmd in ''|'#'*) continue ;; esac
                out=$(live "$cmd") || break
            done < "$dir/blocks/$n.sh"
            if [ -z "$out" ]; then
                ok "$lesson:$line: the live block starts and quits in a terminal"
            else
                not_ok "$lesson:$line: the live block starts and quits in a terminal" "$out"
            fi
            ;;
        t1|t2|t3)
            # The whole session runs at its first block.
            [ "$nsession" = done ] && continue
            nsession=done
            if out=$(session "$dir" "$lesson"); then
                ok "$lesson:$line: the two-terminal steps run as written"
            else
                not_ok "$lesson:$line: the two-terminal steps run as written" "$out"
            fi
            ;;
        esac
    done < "$dir/blocks/index"

    if shm_exists "$MMAPLAB_NAME"; then
        not_ok "$lesson: its commands leave nothing in /dev/shm" \
            "/dev/shm${MMAPLAB_NAME} is still there (removed now)"
        rm -f "/dev/shm${MMAPLAB_NAME}"
    else
        ok "$lesson: its commands leave nothing in /dev/shm"
    fi
    left=$(top_files)
    if [ -n "$left" ]; then
        not_ok "$lesson: its commands leave no file in the tree" "$left"
        echo "$left" | while read -r f; do rm -f "$f"; done
    fi
done
stop_wine
stop_tmux

done_testing
