#!/bin/bash
# The tour at 80x24, 100x30 and 120x40: nothing is refused, and at every
# step of the walkthrough the narration is on screen whole, down to its "Watch:" line, and at the
# start of 06-inherit.  On a small
# screen Tab shows the other parts: the Object panel with owner and mode.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tour-lib.bash"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the tour's screen tests need it (apt-get install tmux)"
    exit 0
fi

for size in 80x24 100x30 120x40; do
    S=s$size N=$(t_name)
    TOUR_W=${size%x*} TOUR_H=${size#*x} start_tour $S "$N"
    wait_screen $S "$size: step 1 is shown, nothing refused" "Step 1 of 18 . create the name"
    screen $S | grep -q "needs at least" && not_ok "$size: no 'needs at least'" "$(screen $S)"
    missing=""
    for k in $(seq 2 18); do
        if ! step $S $k; then missing+=" step $k did not come;"; break; fi
        # The step's own Watch: line, its last words included.
        until_screen $S "Watch: " 5 || missing+=" step $k: no Watch:;"
        [ "$(screen $S | sed -n '1,/Watch: /p' | grep -c '…')" -eq 0 ] ||
            missing+=" step $k: the narration is cut;"
    done
    expect_eq "$size: every step shows its whole narration with Watch:" "" "$missing"
    tm send-keys -t $S Tab
    if [ "$size" != 120x40 ]; then
        wait_screen $S "$size: Tab shows the Object panel with owner and mode" \
            "owner +[a-z0-9_]+ \(uid [0-9]+\), mode 0[0-7]+" 5
    fi
    step $S menu || not_ok "$size: the walkthrough ends at the list" "$(screen $S)"
    tm send-keys -t $S 6
    until_screen $S "Space starts it" 15 && screen $S | grep -q "Watch: " &&
        ok "$size: 06-inherit's start shows its whole narration" ||
        not_ok "$size: 06-inherit's start shows its whole narration" "$(screen $S)"
    pid=$(tour_pid $S)
    kids=$(tour_children $S)
    tm send-keys -t $S q
    until_screen $S "status=0" 15 || not_ok "$size: q ends the tour" "$(screen $S)"
    nothing_left $S "$N" $pid $kids
done
