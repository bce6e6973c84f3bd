#!/bin/bash
# mmapview on a real terminal (tmux, 120x40) through the whole walkthrough,
# driven as a student drives it: the screen must show each step.  Then what
# a student (or a test) can do to the object — truncate, re-grow, unlink,
# re-create — and to the terminal — shrink it below the minimum, grow it
# back, the keys — and every way out: q, SIGTERM, Ctrl-C, a crash signal,
# each leaving the terminal as it was.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.bash"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the screen tests need it (apt-get install tmux)"
    stop_here
fi

MV=$BIN/mmapview
N=$(t_name)
TR=$(t_trace)
F=/dev/shm/${N#/}
# ---- the walkthrough, watched ---------------------------------------------
# Under a shell that shows its exit status once it ends.
tm new-session -d -s mv -x 120 -y 40 \
    "env LANG=$LANG_UTF8 LC_ALL=$LANG_UTF8 NO_COLOR=1 $MV --trace $TR $N; echo \"status=\$?\"; sleep 600"
expect_eq "the pane is 120x40" "120x40" "$(tm display -p -t mv '#{pane_width}x#{pane_height}')"
wait_screen mv "before 01-create the viewer waits" "state +WAITING: no such object yet: run 01-create"

"$BIN/01-create" -n "$N" --trace "$TR" >/dev/null
wait_screen mv "01-create: the object appears, live" "state +LIVE: the name leads to this object"
wait_screen mv "...one page, not resident" "memory +0 of 1 page resident \(mincore\)"
screen_has mv "...its size" "size +256 bytes, 1 page of 4 KiB"
screen_has mv "...a hole: no page, read as zeros" "Page 0 at 0x0: 256 bytes, a hole"
wait_screen mv "...and 01-create's shm_open in the trace panel" "01-create +call +create +shm_open\(\"$N\""

start_held first "$BIN/03-copy" -n "$N" --trace "$TR"
wait_event "$TR" 03-copy hold || not_ok "03-copy reaches its hold point" "$(err_of first)"
wait_screen mv "03-copy holds: the message bytes are in the hex panel" \
    "00000000  4d 65 73 73 61 67 65 20  66 72 6f 6d 20 66 69 72 \|Message from fir\|"
wait_screen mv "...the page is resident" "memory +1 of 1 page resident"
wait_screen mv "...03-copy is listed as a mapper, rw-s" "[0-9]+ +03-copy +[0-9a-f]+-[0-9a-f]+ rw-s"
wait_screen mv "...the hold is in the trace panel" "03-copy +hold"

start_held second "$BIN/04-open" -n "$N" --trace "$TR"
wait_event "$TR" 04-open hold || not_ok "04-open reaches its hold point" "$(err_of second)"
wait_screen mv "04-open holds: two processes listed" "Processes: 2 map it"
screen_has mv "...04-open among them" "[0-9]+ +04-open +[0-9a-f]+-[0-9a-f]+ rw-s"
if "$MV" --json "$N" | grep -q '"frames_visible":true'; then
    wait_screen mv "...on the same frame" "2 mappings, one frame: the same"
    s=$(screen mv)
    a=$(printf '%s\n' "$s" | grep -Eo '03-copy +0x[0-9a-f]+ \[A\]' | grep -Eo '0x[0-9a-f]+')
    b=$(printf '%s\n' "$s" | grep -Eo '04-open +0x[0-9a-f]+ \[A\]' | grep -Eo '0x[0-9a-f]+')
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "...both frame lines show the same number, marked A"
    else not_ok "...both frame lines show the same number, marked A" "$s"; fi
else
    wait_screen mv "...frames hidden without CAP_SYS_ADMIN, never shown equal" "frame numbers hidden"
fi

# The keys, while there is something to look at.
tm send-keys -t mv / f r o m Enter
wait_screen mv "/ finds text: the match on page 0" "found at 0x8, page 0"
tm send-keys -t mv / 0 x 7 0 7 2 6 f Enter
wait_screen mv "/ finds hex bytes (0x70726f: 'pro')" "found at 0x13, page 0"
tm send-keys -t mv n
wait_screen mv "n finds the next match, from the start again" "found at 0x13, page 0 \(from the start again\)"
tm send-keys -t mv '?'
wait_screen mv "? shows the help" "mmapview keys"
tm send-keys -t mv x
wait_screen mv "any key closes it" "Page map"

finish second
finish first
wait_screen mv "both exit: nobody maps it any more" "no process (maps it or holds it|seen mapping it or holding it) open" 10
screen_has mv "...the name is still there" "state +LIVE"

"$BIN/05-close" -n "$N" --trace "$TR" >/dev/null
wait_screen mv "05-close: the object is freed" "state +FREED: name gone, nobody used it"
viewer=$(pgrep -P "$(tm display -p -t mv '#{pane_pid}')" -x mmapview)
if [ -z "$viewer" ]; then
    not_ok "...and the viewer holds no descriptor to it" "the viewer's pid was not found"
elif ls -l "/proc/$viewer/fd" 2>/dev/null | grep -q "$F"; then
    not_ok "...and the viewer holds no descriptor to it"
else
    ok "...and the viewer holds no descriptor to it"
fi

# ---- what can happen to an object: it must survive each ---------------------
"$BIN/01-create" -n "$N" -s 8k --trace "$TR" >/dev/null
wait_screen mv "re-created: live again, 2 pages" "size +8192 bytes \(8 KiB\), 2 pages"
ino1=$(stat -c %i "$F")
truncate -s 0 "$F"
wait_screen mv "truncated to 0: no pages" "size +0 bytes, 0 pages"
screen_has mv "...the page map says it is empty" "no pages: the object is empty"
truncate -s 12k "$F"
wait_screen mv "grown again: 3 pages" "size +12288 bytes \(12 KiB\), 3 pages"
tm send-keys -t mv G
wait_screen mv "G selects the last page" "page 2 of 3"
rm -f "$F"
"$BIN/01-create" -n "$N" -s 4k --trace "$TR" >/dev/null
ino2=$(stat -c %i "$F")
wait_screen mv "unlinked and re-created: the new object, live" "inode +[0-9]+:[0-9]+:$ino2, 1 link"
[ "$ino1" != "$ino2" ] && ok "...it is another inode ($ino1 then $ino2)" ||
    not_ok "...it is another inode" "both $ino1"
screen_has mv "...the selection came back inside it" "page 0 of 1"

# ---- the terminal: too small, then big again ------------------------------
tm resize-window -t mv -x 40 -y 10
wait_screen mv "shrunk to 40x10: it says it needs more room" "needs at least 80x24"
tm resize-window -t mv -x 120 -y 40
wait_screen mv "back to 120x40: the panels again" "Page map"
screen_has mv "...with the state" "state +LIVE"

# ---- q: it ends, status 0 (the object exists), terminal restored ---------
tm send-keys -t mv q
wait_screen mv "q quits with status 0 (the object exists)" "^status=0$"
"$BIN/05-close" -n "$N" >/dev/null

# ---- colours, and the locale ------------------------------------------------
"$BIN/01-create" -n "$N" >/dev/null
"$BIN/03-copy" -n "$N" --no-hold >/dev/null
esc=$(printf '\033')
# start PANE DESC ENV [ARGS]: the viewer under ENV, up and showing the message.
start() {
    tm new-session -d -s "$1" -x 120 -y 40 "env $3 $MV ${4:-} $N; sleep 600"
    wait_screen "$1" "$2: the viewer is up" "Message from fir"
}
colours() { tm capture-pane -e -p -t "$1" | grep -c "${esc}\[3[0-7]m"; }
start col "colour" "-u NO_COLOR LANG=$LANG_UTF8"
[ "$(colours col)" -gt 0 ] && ok "colours on a terminal that has them" ||
    not_ok "colours on a terminal that has them" "$(tm capture-pane -e -p -t col | cat -v)"
start nocol "NO_COLOR" "NO_COLOR=1 LANG=$LANG_UTF8"
expect_eq "no colours under NO_COLOR" 0 "$(colours nocol)"
start flag "--no-color" "-u NO_COLOR LANG=$LANG_UTF8" --no-color
expect_eq "no colours with --no-color" 0 "$(colours flag)"
if [ "$LANG_UTF8" != C ]; then
    screen_has col "UTF-8 locale: the page map's cells are blocks" "$(printf '\342\226\210') resident"
fi
start ascii "C locale" "NO_COLOR=1 LANG=C LC_ALL=C"
screen_has ascii "C locale: the page map in ASCII" "# resident  \+ partly  \. not"
"$BIN/05-close" -n "$N" >/dev/null

# ---- every way out gives the terminal back ---------------------------------
# The viewer runs under a shell that then shows its status and the tty modes
# (the shell ignores SIGINT, so that Ctrl-C ends only the viewer).
way_out() {
    local pane=$1 how=$2 want=$3
    tm new-session -d -s "$pane" -x 120 -y 40 \
        "trap '' INT; env LANG=$LANG_UTF8 $MV $N; echo \"status=\$?\"; stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo)' | tr '\n' ' '; echo; sleep 600"
    wait_screen "$pane" "$how: the viewer is up" "state +WAITING"
    local shell_pid vpid
    shell_pid=$(tm display -p -t "$pane" '#{pane_pid}')
    vpid=$(pgrep -P "$shell_pid" -x mmapview)
    case $how in
    SIGTERM) kill -TERM "$vpid" ;;
    Ctrl-C) tm send-keys -t "$pane" C-c ;;
    SIGSEGV) kill -SEGV "$vpid" ;;
    esac
    wait_screen "$pane" "$how: the viewer ends ($want)" "$want"
    wait_screen "$pane" "$how: the terminal is back in canonical mode with echo" "^icanon echo"
    expect_eq "$how: the alternate screen is left" 0 "$(tm display -p -t "$pane" '#{alternate_on}')"
}
way_out term SIGTERM "status=143"
way_out int Ctrl-C "status=130"
way_out segv SIGSEGV "status=(139|1)$"

# The terminals closed under them (windows shut, an ssh session dropped):
# the viewers end, as on a hangup, and none lingers (tm2: killing its
# server closes every terminal at once).
pids=
for s in g1 g2 g3; do
    tm2 new-session -d -s $s -x 120 -y 40 "env LANG=$LANG_UTF8 $MV $N; sleep 600"
done
for s in g1 g2 g3; do
    for _ in $(seq 200); do
        tm2 capture-pane -p -t $s 2>/dev/null | grep -q "state +WAITING" && break
        sleep 0.05
    done
    pids="$pids $(pgrep -P "$(tm2 display -p -t $s '#{pane_pid}')" -x mmapview)"
done
tm2 kill-server
if want_pids "the terminals closed: every viewer ends" -n 3 $pids; then
    left=$(gone_in 5 $pids)
    expect_eq "the terminals closed: every viewer ends" "" "$left"
    for p in $left; do kill -9 "$p"; done
fi

done_testing
