# tmux.bash — driving a full-screen program in tmux, for the screen tests
# of the viewer and the tour.  Source it after tests/lib.sh.  (Not a suite:
# tests/run.sh runs tests/*/*.sh only.)
#
# Each test file has its own tmux server, removed when the file ends.
# Everything waits on the screen's content with a timeout, never for a
# fixed time.

SOCK=mmaplab-$PREFIX-$$
printf 'set -g status off\nset -g default-terminal screen\n' > "$T_SCRATCH/tmux.conf"
tm() { tmux -L "$SOCK" -f "$T_SCRATCH/tmux.conf" "$@"; }
# A second server, to be killed whole: every terminal in it closes at once,
# as when a window is shut or an ssh session drops.
tm2() { tmux -L "$SOCK-2" -f "$T_SCRATCH/tmux.conf" "$@"; }
trap 'tm kill-server 2>/dev/null; tm2 kill-server 2>/dev/null; t_cleanup' EXIT

# A UTF-8 locale where there is one, else C.
LANG_UTF8=C.UTF-8
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || LANG_UTF8=C

screen() { tm capture-pane -p -t "$1" 2>&1; }

# until_screen SESSION ERE [SEC]: wait quietly (no TAP line); status says.
until_screen() {
    local s=$1 pat=$2 limit=$(( ${3:-10} * 50 )) i=0
    while ! screen "$s" | grep -Eq -- "$pat"; do
        i=$((i + 1))
        [ $i -gt $limit ] && return 1
        sleep 0.02
    done
}

# wait_screen SESSION DESC ERE [SEC]: ok once a line of the screen matches
# (default 10 s); not ok with the screen as it was, when none does.
wait_screen() {
    if until_screen "$1" "$3" "${4:-10}"; then
        ok "$2"
    else
        not_ok "$2" "no line of the screen matches: $3" "screen:" "$(screen "$1")"
        return 1
    fi
}

# screen_has SESSION DESC ERE: the screen as it is now.
screen_has() {
    local s; s=$(screen "$1")
    if printf '%s\n' "$s" | grep -Eq -- "$3"; then ok "$2"; else not_ok "$2" "no line matches: $3" "screen:" "$s"; fi
}

# gone_in SEC PID...: the pids among PID... still alive (not zombies) after
# waiting up to SEC seconds for them to end; never empty when PID... is.
gone_in() {
    local sec=$1 i p left; shift
    # With no pid, "none is left" would be said of nothing: the answer is
    # then one that no check of an empty list accepts.
    [ $# -gt 0 ] || { echo "(no pid given)"; return; }
    for p in "$@"; do
        [[ $p =~ ^[1-9][0-9]*$ ]] || { echo "(not a pid: '$p')"; return; }
    done
    for ((i = 0; i <= sec * 20; i++)); do
        left=
        for p in "$@"; do
            [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && left="$left $p"
        done
        [ -z "$left" ] && break
        sleep 0.05
    done
    echo $left
}
