#!/bin/bash
# The tour at 80x24, 100x30 and 120x40: nothing is refused; every step of
# the walkthrough and every stop of each further program shows its whole
# narration, down to "Watch:", and the lines it names on screen, below the
# narration: the rows of the panels (Object, Processes, Frames, the page's
# bytes) and the programs' output, without a key.  What each stop names
# comes from the tour itself (--list-named), so a step whose named line is
# not on screen fails here.  The programs' named lines are marked; a word
# longer than a row is split with a mark; the help is whole at every size
# and says what the README says of autoplay.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tour-lib.bash"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the tour's screen tests need it (apt-get install tmux)"
    stop_here
fi

NAMED=$("$TOUR" --list-named)
expect_eq "--list-named: every expression compiles" 0 $?
nsteps=$(printf '%s\n' "$NAMED" | awk -F'\t' '$1 == "step" { print $2 }' | sort -un | wc -l)
expect_eq "--list-named: every step of the walkthrough names a line" 18 "$nsteps"
nprogs=$(printf '%s\n' "$NAMED" | awk -F'\t' '$1 == "program" { print $2 }' | sort -u | wc -l)
expect_eq "--list-named: every further program names lines" 8 "$nprogs"

# The screen below the narration's box: what the narration's words say
# cannot stand in for a panel's row.
below() { screen "$1" | sed '1,/^└/d'; }

# An expression of the list as a line of the screen holds it: "^" is the
# left edge of a panel or pane, inside its border.
screen_re() {
    case $1 in
    ^*) printf '(│|[|x])%s' "${1#^}" ;;
    *) printf '%s' "$1" ;;
    esac
}

# marked SESSION ERE: the line that holds ERE is drawn marked (reverse
# video).  Prints what was missing.
marked() {
    local e=$'\e'
    tm capture-pane -e -p -t "$1" | grep -Eq "$e\[([0-9]+;)*7(;[0-9]+)*m[^$e]*$2" ||
        echo " '$2' is not marked;"
}

# named SESSION WHAT KEY STOP: every line the list names for it (steps:
# "step N"; programs: "program NN-name STOP") is on screen below the
# narration within 5 s.  Adds what was missing to $miss, counts the checks.
checked=0
named() {
    local s=$1 what=$2 key=$3 stop=${4:-} part re want i found
    while IFS=$'\t' read -r part re; do
        [ -n "$re" ] || continue
        checked=$((checked + 1))
        want=$(screen_re "$re")
        found=
        for ((i = 0; i < 100; i++)); do
            below "$s" | grep -Eq -- "$want" && { found=1; break; }
            sleep 0.05
        done
        [ -n "$found" ] || miss+=" $what $key${stop:+ ($stop)}: no $part line '$re';"
        [ -n "$found" ] && [ "$part" = pane ] && miss+=$(marked "$s" "${re#^}")
    done < <(printf '%s\n' "$NAMED" | awk -F'\t' -v w="$what" -v k="$key" -v st="$stop" '
        $1 == w && $2 == k && (w == "step" || $3 == st) { print $4 "\t" $5 }')
}

# Each further program from the list: its start, then Space to each hold
# and its end, the named lines checked at each; Space back to the list.
walk_extras() {
    local s=$1 size=$2 key prog miss stop at
    for key in 6 7 8 9 0 1 2 3; do
        prog=$(printf '%s\n' "$NAMED" | awk -F'\t' -v k="$key" '
            $1 == "program" && substr($2, 2, 1) == k { print $2; exit }')
        tm send-keys -t "$s" "$key"
        if ! until_screen "$s" "Space starts it" 20 || ! screen "$s" | grep -q "Watch: "; then
            not_ok "$size: $prog starts with its whole narration" "$(screen "$s")"
            return
        fi
        miss=
        for stop in 1 2 3 4; do
            tm send-keys -t "$s" Space
            until_screen "$s" "Hold $stop of [0-9]|Done: " 120 || { miss+=" stop $stop did not come;"; break; }
            if screen "$s" | grep -q "Done: "; then at=done
            else at=$(screen "$s" | grep -Eo "Hold $stop of [0-9]+" | head -1); at=${at,}; fi
            named "$s" program "$prog" "$at"
            [ "$at" = done ] && break
        done
        expect_eq "$size: $prog walked to its end, the lines its narration names on screen" \
            "" "$miss"
        tm send-keys -t "$s" Space
        until_screen "$s" "The walkthrough is done" 30 ||
            { not_ok "$size: $prog: Space goes back to the list" "$(screen "$s")"; return; }
    done
}

for size in 80x24 100x30 120x40; do
    S=s$size N=$(t_name)
    checked=0
    TOUR_W=${size%x*} TOUR_H=${size#*x} start_tour $S "$N"
    wait_screen $S "$size: step 1 is shown, nothing refused" "Step 1 of 18 . create the name"
    screen $S | grep -q "needs at least" && not_ok "$size: no 'needs at least'" "$(screen $S)"
    miss=""
    for k in $(seq 2 19); do
        if [ $k = 19 ]; then
            step $S menu || { miss+=" the list did not come;"; break; }
        elif ! step $S $k; then
            miss+=" step $k did not come;"; break
        fi
        # The step's own Watch: line, whole.
        [ $k = 19 ] || until_screen $S "Watch: " 5 || miss+=" step $k: no Watch:;"
        [ $k = 19 ] || [ "$(screen $S | sed -n '1,/Watch: /p' | grep -c '…')" -eq 0 ] ||
            miss+=" step $k: the narration is cut;"
        # What the step before it did, on screen as its narration names it.
        named $S step $((k - 1))
        if [ $k = 2 ]; then
            # Tab goes on to the other parts: the Object panel, with owner
            # and mode; and round to this step's part again.
            tm send-keys -t $S Tab Tab
            until_screen $S "owner +[a-z0-9_]+ \(uid [0-9]+\), mode 0[0-7]+" 5 ||
                miss+=" step 2: Tab Tab shows no owner and mode;"
            tm send-keys -t $S Tab Tab Tab
            # 80x24: a word longer than a pane's row is split with the mark
            # (a UTF-8 locale shows it as it is).
            if [ $size = 80x24 ] && [ "$LANG_UTF8" != C ]; then
                tm send-keys -t $S Tab
                until_screen $S "CreateFileMapping\(INVALID_HANDLE_VALU?↩" 5 ||
                    miss+=" step 2: the long word is not split with a mark;"
                tm send-keys -t $S Tab Tab Tab Tab
            fi
            # The help, whole, says what the README says of autoplay.
            tm send-keys -t $S '?'
            if until_screen $S "Any key closes this help" 5; then
                for pace in "2.5 s" "0.3 s a word" "0.04 s to 3 s" "a third less" "this step"; do
                    screen $S | tr -s ' │' ' ' | tr '\n' ' ' | grep -q "$pace" ||
                        miss+=" help: no '$pace';"
                    tr -s ' \n' ' ' < "$ROOT/README.md" | grep -q "$pace" ||
                        miss+=" README: no '$pace';"
                done
            else
                miss+=" ? does not show the whole help;"
            fi
            tm send-keys -t $S x
        fi
    done
    expect_eq "$size: every step shows its whole narration and the lines it names" "" "$miss"
    walk_extras $S $size
    want=$(printf '%s\n' "$NAMED" | grep -c .)
    expect_eq "$size: every named line of the list was looked for" "$want" "$checked"
    pid=$(tour_pid $S)
    kids=$(tour_children $S)
    tm send-keys -t $S q
    until_screen $S "status=0" 15 || not_ok "$size: q ends the tour" "$(screen $S)"
    nothing_left $S "$N" $pid $kids
done

done_testing
