#!/bin/bash
# The tour at 80x24, 100x30 and 120x40: nothing is refused, and at every
# step of the walkthrough the narration is on screen whole, down to its "Watch:" line, and at the
# start of 06-inherit.  At 80x24 each further program is walked to its end,
# the lines its narration names on screen at each stop.  On a small
# screen Tab shows the other parts: the Object panel with owner and mode.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tour-lib.bash"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the tour's screen tests need it (apt-get install tmux)"
    stop_here
fi

# stop SESSION STOP [ERE...]: Space, then wait for STOP (a hold, or the
# end); every ERE must then be on screen: the lines its narration names.
# Prints what was missing.
stop() {
    local s=$1 at=$2 want
    shift 2
    tm send-keys -t $s Space
    until_screen $s "$at" 90 || { echo " no '$at';"; return; }
    for want in "$@"; do
        until_screen $s "$want" 3 || echo " at '$at' no '$want';"
    done
}

# marked SESSION ERE: the line that holds ERE is drawn marked (reverse
# video) on screen.  Prints what was missing.
marked() {
    local e=$'\e'
    tm capture-pane -e -p -t "$1" | grep -Eq "$e\[([0-9]+;)*7(;[0-9]+)*m[^$e]*$2" ||
        echo " '$2' is not marked;"
}

# Each further program, from 06-inherit (already chosen) to its end, then
# back to the list and the next one.
walk_extras() {
    local s=$1 miss key
    miss=$(stop $s "Hold 1 of 2" "the child got EBADF")
    miss+=$(marked $s "the child got EBADF")
    miss+=$(stop $s "Hold 2 of 2")
    miss+=$(stop $s "Done: ")
    expect_eq "80x24: 06-inherit: its stops show the EBADF after the FD_CLOEXEC exec" "" "$miss"
    for key in 7 8 9 0 1; do
        tm send-keys -t $s Space
        until_screen $s "The walkthrough is done" 30 || break
        tm send-keys -t $s $key
        if ! until_screen $s "Space starts it" 15 || ! screen $s | grep -q "Watch: "; then
            not_ok "80x24: program $key starts with its whole narration" "$(screen $s)"
            continue
        fi
        case $key in
        7) miss=$(stop $s "Hold 1 of 1"; stop $s "Done: ") ;;
        8) miss=$(stop $s "Hold 1 of 2"; stop $s "Hold 2 of 2"; stop $s "Done: ") ;;
        9) miss=$(stop $s "Hold 1 of 1"
                  stop $s "Done: " "SIGBUS at 0x[0-9a-f]+, caught: the page is inside" \
                      "SIGBUS at 0x[0-9a-f]+, caught: that page was in use") ;;
        0) miss=$(stop $s "Hold 1 of 1"; stop $s "Done: ") ;;
        1) miss=$(stop $s "Hold 1 of 1"; stop $s "Done: " "ENOTRECOVERABLE \(State not"
                  marked $s "ENOTRECOVERABLE") ;;
        esac
        expect_eq "80x24: program $key walked to its end, the lines its narration names on screen" \
            "" "$miss"
    done
}

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
        # Step 2 says what step 1 made: "mode 0600": the Object panel is in
        # view, with owner and mode, without a key.
        [ $k = 2 ] && ! until_screen $S "owner +[a-z0-9_]+ \(uid [0-9]+\), mode 0[0-7]+" 5 &&
            missing+=" step 2: no owner and mode;"
        [ "$(screen $S | sed -n '1,/Watch: /p' | grep -c '…')" -eq 0 ] ||
            missing+=" step $k: the narration is cut;"
    done
    expect_eq "$size: every step shows its whole narration with Watch:" "" "$missing"
    # Step 18 points at a pane: the programs are shown; Tab goes on to the
    # object.
    if screen $S | grep -q "(Tab: next part)\| programs .*object and page map"; then
        wait_screen $S "$size: step 18 shows the pane its Watch: names" "┌ second process" 5
        tm send-keys -t $S Tab
        wait_screen $S "$size: Tab goes on to the Object panel" "state +FREED" 5
    fi
    step $S menu || not_ok "$size: the walkthrough ends at the list" "$(screen $S)"
    tm send-keys -t $S 6
    until_screen $S "Space starts it" 15 && screen $S | grep -q "Watch: " &&
        ok "$size: 06-inherit's start shows its whole narration" ||
        not_ok "$size: 06-inherit's start shows its whole narration" "$(screen $S)"
    [ "$size" = 80x24 ] && walk_extras $S
    pid=$(tour_pid $S)
    kids=$(tour_children $S)
    tm send-keys -t $S q
    until_screen $S "status=0" 15 || not_ok "$size: q ends the tour" "$(screen $S)"
    nothing_left $S "$N" $pid $kids
done

done_testing
