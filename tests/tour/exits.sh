#!/bin/bash
# The guided tour's ways out, in the middle of the walkthrough (the first
# process holding, the second waiting before a call): q, Ctrl-C, SIGTERM,
# SIGHUP and a crash signal each stop the programs, remove the object and
# the tour's files, and give the terminal back.  And the terminal itself:
# too small (said, and recovered on resize), colours and the locale.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tour-lib.bash"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the tour's screen tests need it (apt-get install tmux)"
    stop_here
fi

# Each starts at step 10 (--from: the steps before it run by themselves):
# 03-copy holds, 04-open waits before mmap.
declare -A NAME KIDS
ways=(quit intr term hup segv size)
for s in "${ways[@]}"; do
    NAME[$s]=$(t_name)
    # size: 150x50, where every panel shows at once, then too small.
    if [ $s = size ]; then TOUR_W=150 TOUR_H=50 start_tour "$s" "${NAME[$s]}" -- --from 10
    else start_tour "$s" "${NAME[$s]}" -- --from 10; fi
done
for s in "${ways[@]}"; do
    until_screen "$s" "Step 10 of 18 " && until_screen "$s" "waits: Space runs it" ||
        not_ok "$s: the tour starts at step 10" "$(screen "$s")"
    KIDS[$s]=$(tour_children "$s")
    [ -n "${KIDS[$s]}" ] && shm_exists "${NAME[$s]}" &&
        ok "$s: at step 10 the programs run and the object exists" ||
        not_ok "$s: at step 10 the programs run and the object exists" "children: ${KIDS[$s]}"
done

# way_out SESSION HOW WANT: HOW, then the shell must show status WANT.
way_out() {
    local s=$1 how=$2 want=$3 pid
    pid=$(tour_pid "$s")
    case $how in
    q) tm send-keys -t "$s" q ;;
    Ctrl-C) tm send-keys -t "$s" C-c ;;
    SIGTERM) kill -TERM "$pid" ;;
    SIGHUP) kill -HUP "$pid" ;;
    SIGSEGV) kill -SEGV "$pid" ;;
    esac
    wait_screen "$s" "$how: the tour ends ($want)" "^status=$want$"
    wait_screen "$s" "$how: the terminal is back in canonical mode with echo" "^icanon echo"
    expect_eq "$how: the alternate screen is left" 0 "$(tm display -p -t "$s" '#{alternate_on}')"
    nothing_left "$s" "${NAME[$s]}" ${KIDS[$s]}
}

way_out quit q 0
way_out intr Ctrl-C 130
way_out term SIGTERM 143
way_out hup SIGHUP 129
# Under AddressSanitizer its own handler reports the crash and exits 1.
way_out segv SIGSEGV "(139|1)"
wait_screen intr "Ctrl-C: the tour says what it did" "stopped by SIGINT .Ctrl-C.; the programs are stopped"

# ---- the terminal closed under it ------------------------------------------
# A window shut or an ssh session dropped: the tour ends as on a hangup and
# leaves nothing (tm2: killing its server closes the terminal).
N=$(t_name)
mkdir -p "$T_SCRATCH/tmp-gone"
tm2 new-session -d -s gone -x 120 -y 40 \
    "env LANG=$LANG_UTF8 TMPDIR=$T_SCRATCH/tmp-gone $TOUR -n $N --from 10; sleep 600"
for _ in $(seq 300); do
    tm2 capture-pane -p -t gone 2>/dev/null | grep -q "waits: Space runs it" && break
    sleep 0.05
done
tpid=$(pgrep -P "$(tm2 display -p -t gone '#{pane_pid}')" -x mmaplab-tour)
kids=$(for c in $(pgrep -P "$tpid"); do pgrep -g "$c"; done)
[ -n "$kids" ] && shm_exists "$N" && ok "gone: at step 10 the programs run and the object exists" ||
    not_ok "gone: at step 10 the programs run and the object exists" "$(tm2 capture-pane -p -t gone)"
tm2 kill-server
left=$(gone_in 10 "$tpid")
expect_eq "gone: the terminal closed, the tour ends" "" "$left"
[ -z "$left" ] || kill -9 $left
nothing_left gone "$N" $kids

# ---- too small, then big again ----------------------------------------------
wait_screen size "at step 10 the message is in the hex panel" "\|Message from fir\|"
tm resize-window -t size -x 60 -y 20
wait_screen size "shrunk to 60x20: it says it needs more room" "needs at least 80x24"
screen size | grep -q "Page map" && not_ok "...and draws no panel" "$(screen size)" || ok "...and draws no panel"
tm resize-window -t size -x 150 -y 50
wait_screen size "back to 150x50: the panels again" "\|Message from fir\|"
wait_screen size "...at the same step, waiting" "Step 10 of 18 .*"
step size 11 && ok "...and Space goes on" || not_ok "...and Space goes on" "$(screen size)"
tm send-keys -t size q
wait_screen size "q after the resize: status 0" "^status=0$"
nothing_left size "${NAME[size]}" ${KIDS[size]}

# ---- a program that does not do what the script says ----------------------
# 02-map replaced by 04-open, which stops before printf where 02-map holds:
# the tour stops and says why; b runs the step again (and it stops again);
# q ends it with status 1 and nothing left.
W=$T_SCRATCH/drift
mkdir -p "$W"
cp "$BIN"/0[1-5]-* "$W"/
cp "$BIN/04-open" "$W/02-map"
N=$(t_name)
start_tour drift "$N" "MMAPLAB_BIN=$W" -- --from 5
wait_screen drift "off its script: step 5 waits for Space" "Step 5 of 18 .*waits: Space runs it|before mmap .*waits: Space runs it"
tm send-keys -t drift Space
wait_screen drift "off its script: the tour stops" "The tour has stopped"
wait_screen drift "...and says why" "Why: +02-map stopped at \"before printf"
kids=$(tour_children drift)
tm send-keys -t drift b
wait_screen drift "b runs the programs again up to step 5, which waits again" "before mmap .*waits: Space runs it"
tm send-keys -t drift Space
wait_screen drift "...and Space stops it again" "The tour has stopped"
tm send-keys -t drift q
wait_screen drift "q: status 1 (a program did not do what the tour expected)" "^status=1$"
nothing_left drift "$N" $kids

# ---- colours and the locale ---------------------------------------------------
esc=$(printf '\033')
colours() { tm capture-pane -e -p -t "$1" | grep -c "${esc}\[3[0-7]m"; }
look() {        # look SESSION ENV... [-- ARGS]: started, showing step 1
    local s=$1; shift
    start_tour "$s" "$(t_name)" "$@"
    until_screen "$s" "waits: Space runs it"
}
look col NO_COLOR=
[ "$(colours col)" -gt 0 ] && ok "colours on a terminal that has them" ||
    not_ok "colours on a terminal that has them" "$(tm capture-pane -e -p -t col | cat -v | head)"
look nocol
expect_eq "no colours under NO_COLOR" 0 "$(colours nocol)"
look flag NO_COLOR= -- --no-color
expect_eq "no colours with --no-color" 0 "$(colours flag)"
if [ "$LANG_UTF8" != C ]; then
    screen_has col "UTF-8: the narration's title uses a middle dot" "Step 1 of 18 $(printf '\302\267') create the name"
fi
look ascii LANG=C LC_ALL=C
wait_screen ascii "C locale: the title in ASCII" "Step 1 of 18 - create the name"
# A terminal that cannot show the screen: the tour says so and runs as text.
N=$(t_name)
start_tour dumb "$N" TERM=dumb -- --from 18
wait_screen dumb "TERM=dumb: it says the screen cannot be shown here" "TERM=dumb.*cannot show the full-screen"
wait_screen dumb "...and runs the tour as text to its end (status 0)" "^status=0$" 60
nothing_left dumb "$N" -

for s in col nocol flag ascii; do tm send-keys -t $s q; done
for s in col nocol flag ascii; do until_screen $s "^status=0$" || not_ok "$s: q ends it" "$(screen $s)"; done

done_testing
