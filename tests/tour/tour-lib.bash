# tour-lib.bash — what the tour's screen tests share.  Source it after
# tests/lib.sh.  (Not a suite: tests/run.sh runs tests/*/*.sh only.)
#
# The tour runs in tmux, 120x40 (TOUR_W, TOUR_H), under a shell that shows, once the tour
# has ended, its exit status and the terminal's modes, so that every way
# out can be checked for a terminal given back.  Everything waits on the
# screen's content with a timeout, never for a fixed time.

. "$(dirname "${BASH_SOURCE[0]}")/../tmux.bash"

TOUR=$BIN/mmaplab-tour

# start_tour SESSION NAME [ENV=VALUE...] [-- TOUR-ARGS...]: the tour on its
# own object, with its own TMPDIR (so that its directory can be looked for).
start_tour() {
    local s=$1 n=$2 envs=() args=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    args=("$@")
    mkdir -p "$T_SCRATCH/tmp-$s"
    tm new-session -d -s "$s" -x "${TOUR_W:-120}" -y "${TOUR_H:-40}" \
        "trap '' INT; env LANG=$LANG_UTF8 LC_ALL=$LANG_UTF8 NO_COLOR=1 TMPDIR=$T_SCRATCH/tmp-$s ${envs[*]} $TOUR -n $n ${args[*]}; echo \"status=\$?\"; stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo)' | tr '\n' ' '; echo; sleep 600"
}

# The tour's pid in SESSION, and the programs it runs now.
tour_pid() { pgrep -P "$(tm display -p -t "$1" '#{pane_pid}')" -x mmaplab-tour; }
tour_children() {
    local p c
    p=$(tour_pid "$1") || return
    for c in $(pgrep -P "$p"); do pgrep -g "$c"; done
}

# step SESSION N: press Space and wait until step N (1-based) is shown and
# waits for Space again; N "menu": until the walkthrough's end.  Returns 1
# (quietly) when it does not come.
step() {
    tm send-keys -t "$1" Space
    if [ "$2" = menu ]; then
        until_screen "$1" "The walkthrough is done"
    else
        until_screen "$1" "Step $2 of [0-9]+ " && until_screen "$1" "waits: Space runs it"
    fi
}

# Nothing of the tour is left: no object, no files in its directory, no
# process among those it was running (pids given; "-" when it ran none
# this test could see, as text on a dumb terminal).
nothing_left() {
    local s=$1 n=$2; shift 2
    local alive
    [ "${1:-}" = - ] || alive=$(gone_in 2 "$@")
    if shm_exists "$n"; then not_ok "$s: the object is removed" "$n is still in /dev/shm"
    else ok "$s: the object is removed"; fi
    if [ "${1:-}" != - ] && want_pids "$s: none of the programs it ran is left" "$@"; then
        expect_eq "$s: none of the programs it ran is left" "" "$alive"
    fi
    local files
    files=$(find "$T_SCRATCH/tmp-$s" -mindepth 1 2>/dev/null)
    expect_eq "$s: its directory and files are gone" "" "$files"
}
