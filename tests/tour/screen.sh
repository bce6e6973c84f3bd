#!/bin/bash
# The guided tour on a real terminal (tmux, 150x50: room for every panel at
# once; tests/tour/sizes.sh walks the smaller screens), driven as a newcomer
# drives it: Space through every step of the walkthrough, the narration and
# the panels checked after each one; b back a step (the programs run again,
# the object is as it was before the step); a to play by itself; ? help; the
# further programs, with the viewer following their objects; q from the
# middle of one.  The tour is a viewer to mmapview: never counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tour-lib.bash"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the tour's screen tests need it (apt-get install tmux)"
    stop_here
fi

N=$(t_name)
S=walk
TOUR_W=150 TOUR_H=50
start_tour $S "$N" -- --delay 0.2
expect_eq "the window is 150x50" "150x50" "$(tm display -p -t $S '#{pane_width}x#{pane_height}')"
wait_screen $S "step 1 is explained before anything runs" "Step 1 of 18 . create the name"
screen_ok() { wait_screen $S "$@" 5; }
screen_ok "...with what to watch" "Watch: the Object panel: WAITING becomes LIVE"
screen_ok "...the panels: no object yet" "state +WAITING"
screen_ok "...01-create waits before shm_open in the first pane" "next: shm_open\(\"$N\", O_CREAT"
pid=$(tour_pid $S)
NOBODY="no process (maps it or holds it|seen mapping it or holding it) open"

# after STEP DESC ERE...: Space, step STEP+1 comes, each ERE is on screen.
after() {
    local k=$1 d=$2; shift 2
    if ! step $S "$((k + 1))"; then
        not_ok "step $k: $d (the tour moves on to step $((k + 1)))" "$(screen $S)"
        return
    fi
    local pat
    for pat in "$@"; do screen_ok "step $k: $d ($pat)" "$pat"; done
}

after 1 "the object appears, empty, held open by 01-create" \
    "state +LIVE: the name leads to this object" "size +0 bytes, 0 pages" \
    "[0-9]+ +01-create +holds it open" "Done: +The name exists"
# The tour holds the object to sample it, as mmapview does: a viewer, not a holder.
json=$("$BIN/mmapview" --json "$N")
expect_match "mmapview counts 01-create only as a holder, not the tour" '"holders":1,' "$json"
expect_match "...and lists the tour as a viewer" \
    "\"pid\":$pid,\"comm\":\"mmaplab-tour\",\"fd_only\":true,\"fd\":[0-9]+,\"viewer\":true" "$json"
after 2 "256 bytes, one page, nothing in memory" \
    "size +256 bytes, 1 page of 4 KiB" "memory +0 of 1 page resident" "a hole"
after 3 "01-create is gone, the object stays; 02-map waits" \
    "state +LIVE" "$NOBODY" "first process: 02-map"
after 4 "02-map holds it open" "[0-9]+ +02-map +holds it open"
after 5 "02-map maps it shared; still nothing resident" \
    "[0-9]+ +02-map +[0-9a-f]+-[0-9a-f]+ rw-s" "memory +0 of 1 page resident" "\[hold\]"
after 6 "02-map has let go" "$NOBODY"
after 7 "03-copy maps it" "[0-9]+ +03-copy +[0-9a-f]+-[0-9a-f]+ rw-s"
after 8 "the message is in the page, resident" \
    "00000000  4d 65 73 73 61 67 65 20  66 72 6f 6d 20 66 69 72 \|Message from fir\|" \
    "memory +1 of 1 page resident" "second process: 04-open"

# b: back one step.  The programs run again up to it: the object is a hole
# again, 03-copy waits before memcpy; Space copies the message once more.
tm send-keys -t $S b
wait_screen $S "b: step 8 is shown again" "Step 8 of 18 . copy the message in"
screen_ok "b: ...and waits for Space" "waits: Space runs it"
screen_ok "b: the object is as before the step (a hole)" "Page 0 at 0x0: 256 bytes, a hole"
screen_ok "b: 03-copy waits before memcpy again" "next: memcpy\("
after 8 "redone: the message is back" "\|Message from fir\|"

after 9 "04-open holds it open beside 03-copy" "[0-9]+ +04-open +holds it open"
after 10 "two processes map the page" "Processes: 2 map it"
if "$BIN/mmapview" --json "$N" | grep -q '"frames_visible":true'; then
    screen_ok "step 10: ...on one frame" "2 mappings, one frame: the same"
else
    screen_ok "step 10: ...frames hidden without CAP_SYS_ADMIN" "frame numbers hidden"
fi
after 11 "the second process shows the message" "[|│]Message from first process\. "
after 12 "04-open has let go; 03-copy maps it" "Processes: 1 maps it"
after 13 "nobody uses it; the name and message stay" \
    "$NOBODY" "state +LIVE" "\|Message from fir\|"
after 14 "05-close holds it open" "[0-9]+ +05-close +holds it open"
after 15 "05-close maps it read-only" "[0-9]+ +05-close +[0-9a-f]+-[0-9a-f]+ r--s"

# ?: the help, any key closes it.
tm send-keys -t $S '?'
wait_screen $S "? shows the help" "The guided tour: keys"
tm send-keys -t $S x
until_screen $S "Step 16 of 18" && ! screen $S | grep -q "The guided tour: keys" &&
    ok "any key closes the help" || not_ok "any key closes the help" "$(screen $S)"

# + shortens the reading time a word of the narration (to its least).
for _ in 1 2 3 4 5 6; do tm send-keys -t $S +; done
wait_screen $S "+ makes the reading time shorter" "reading time: 0.04 s a word"
# a: the rest plays by itself (0.2 s and the reading time apart), up to
# the list of programs.
tm send-keys -t $S a
wait_screen $S "a: it plays by itself" "PLAYING"
wait_screen $S "a: ...to the end of the walkthrough" "The walkthrough is done" 20
screen_ok "the name is removed: the object is freed" "state +FREED"
shm_exists "$N" && not_ok "/dev/shm no longer lists it" || ok "/dev/shm no longer lists it"
if ! want_pids "the tour holds no descriptor to the freed object" "$pid"; then
    :
elif ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "/dev/shm/${N#/}"; then
    not_ok "the tour holds no descriptor to the freed object"
else
    ok "the tour holds no descriptor to the freed object"
fi
screen_ok "the further programs are offered" "8  08-private-cow +MAP_PRIVATE"
tm send-keys -t $S a

# A further program on the tour's name: 06-inherit, its two holds.
tm send-keys -t $S 6
wait_screen $S "6 chooses 06-inherit: what it does" "06-inherit . fork and exec"
screen_ok "...Space starts it" "Space starts it"
tm send-keys -t $S Space
wait_screen $S "06-inherit: the exec'd child's hold" "Hold 1 of 2: The exec'd child"
screen_ok "...the viewer follows its object: two mappers" "Processes: 2 map it"
screen_ok "...the child's reply at offset 128" "00000080  72 65 70 6c 79 .*\|reply from exec'\|"
screen_ok "...its output in one wide pane" "06-inherit and the processes it starts"
tm send-keys -t $S Space
wait_screen $S "06-inherit: the parent's hold" "Hold 2 of 2: The parent holds two views"
tm send-keys -t $S b
wait_screen $S "b: 06-inherit runs again up to its first hold" "Hold 1 of 2: The exec'd child"
tm send-keys -t $S Space
wait_screen $S "...and Space goes on to the second again" "Hold 2 of 2: The parent holds two views"
tm send-keys -t $S Space
wait_screen $S "06-inherit ends: what it did" "Done: +06-inherit unmapped, closed and removed"
screen_ok "...its object is freed" "state +FREED"
tm send-keys -t $S Space
wait_screen $S "Space: back to the list" "The walkthrough is done"

# A file: the viewer follows it; q in the middle of the program.
tm send-keys -t $S Down Enter
wait_screen $S "Down, Enter chooses 07-file-pages" "07-file-pages . two processes map one file"
tm send-keys -t $S Space
wait_screen $S "07-file-pages holds" "Hold 1 of 1: Both processes map the file"
screen_ok "...the viewer follows the file (two pages)" "size +8192 bytes \(8 KiB\), 2 pages"
screen_ok "...two processes map it" "Processes: 2 map it"
kids=$(tour_children $S)
tm send-keys -t $S q
wait_screen $S "q in the middle of 07-file-pages: the tour ends, status 0" "^status=0$"
screen_ok "...the terminal is back in canonical mode with echo" "^icanon echo"
expect_eq "...the alternate screen is left" 0 "$(tm display -p -t $S '#{alternate_on}')"
nothing_left $S "$N" $kids

done_testing
