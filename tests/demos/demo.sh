#!/bin/bash
# make demo's script (tools/demo.sh): off a terminal it runs the tour as
# narrated text to the end, the message crossing from the first process to
# the second, and /dev/shm is left as it was; on a terminal it opens the
# full-screen tour.  Interrupted by Ctrl-C either way, it leaves nothing:
# no object, no directory, no program still running.
. "$(dirname "$0")/../lib.sh"

DEMO=$ROOT/tools/demo.sh
# The demo's names are its own (/mmaplab-tour-USER-PID); the one it used is
# read from what it printed, and its directory from TMPDIR.
export TMPDIR=$T_SCRATCH/tmp
mkdir -p "$TMPDIR"

out=$(sh "$DEMO" </dev/null 2>&1); rc=$?
name=$(printf '%s\n' "$out" | sed -n 's/^The object is \(\/mmaplab-tour-[^ ]*\)\.$/\1/p')
expect_eq "the demo runs to the end off a terminal (exit 0)" 0 "$rc"
expect_match "...on an object of its own" "^/mmaplab-tour-.+-[0-9]+$" "$name"
expect_eq "...narrating all 18 steps" 18 "$(printf '%s\n' "$out" | grep -c '^==== Step [0-9]* of 18: ')"
expect_match "...with mmapview --once snapshots between them" "^---- mmapview --once $name ----$" "$out"
expect_match "the second process prints the first process's message" \
    "^\[second\] Message from first process\.$" "$out"
expect_match "a snapshot shows both processes mapping the page at once" \
    "^  [0-9]+ +04-open +[0-9a-f]+-[0-9a-f]+ rw-s" "$out"
expect_match "05-close removes the name" "shm_unlink\(\"/mmaplab-tour-[^\"]*\"\) = 0" "$out"
expect_no_match "no escape sequences off a terminal" $'\x1b' "$out"
[ -n "$name" ] && shm_exists "$name" && not_ok "/dev/shm is as it was" || ok "/dev/shm is as it was"
expect_eq "its directory is gone" "" "$(ls -A "$TMPDIR")"

if ! command -v tmux >/dev/null; then
    skip "demo on a terminal, and interrupted by Ctrl-C" "tmux is not installed"
    stop_here
fi
. "$(dirname "$0")/../tmux.bash"
# The processes in the process groups of the tour's children: the programs
# it runs and what they started.
programs_of() {
    local tour c
    tour=$(pgrep -P "$(pgrep -P "$(tm display -p -t "$1" '#{pane_pid}')" -x sh)" -x mmaplab-tour)
    for c in $(pgrep -P "$tour"); do pgrep -g "$c"; done
}
gone() { [ -z "$(gone_in 2 "$@")" ]; }   # PIDS: none of them is still running

# On a terminal: the full-screen tour (its arguments go to the tour: here
# it starts at step 9, the steps before it running by themselves).
tm new-session -d -s screen -x 120 -y 40 "sh '$DEMO' --from 9; echo DEMO-EXIT=\$?; sleep 60"
until_screen screen "Step 9 of 18 . the second process opens it" &&
    until_screen screen "waits: Space runs it" &&
    ok "on a terminal the demo is the full-screen tour" ||
    not_ok "on a terminal the demo is the full-screen tour" "$(tm capture-pane -p -t screen)"
name=$(tm capture-pane -p -t screen | grep -Eo '/mmaplab-tour-[A-Za-z0-9._-]+-[0-9]+' | head -n 1)
progs=$(programs_of screen)
shm_exists "$name" && [ -n "$progs" ] && ok "at step 9 the object exists and the programs run" ||
    not_ok "at step 9 the object exists and the programs run" "$name: $progs"
tm send-keys -t screen C-c
until_screen screen "DEMO-EXIT=" || true
screen=$(tm capture-pane -p -t screen)
expect_match "Ctrl-C: the tour says what it did" "stopped by SIGINT .Ctrl-C.; the programs are stopped" "$screen"
expect_match "Ctrl-C: the demo exits 130" "^DEMO-EXIT=130" "$screen"
shm_exists "$name" && not_ok "Ctrl-C: the object is removed" || ok "Ctrl-C: the object is removed"
gone $progs && ok "Ctrl-C: none of its programs is left" || not_ok "Ctrl-C: none of its programs is left" "$progs"
expect_eq "Ctrl-C: its directory is gone" "" "$(ls -A "$TMPDIR")"

# Off a terminal (a pipe) and interrupted while a program is starting: a
# wrapper slows 04-open down so that the interrupt lands mid-walkthrough,
# in a real terminal (Ctrl-C reaches the whole foreground group, as when a
# student presses it; the tour's programs are in groups of their own and
# are stopped by the tour).
W=$T_SCRATCH/slowbin
mkdir -p "$W"
cp "$BIN"/0[1-5]-* "$W"/
mv "$W/04-open" "$W/04-open.real"
printf '#!/bin/sh\nsleep 30\nexec "%s/04-open.real" "$@"\n' "$W" > "$W/04-open"
chmod +x "$W/04-open"
tm new-session -d -s text -x 120 -y 30 \
    "bash -c 'MMAPLAB_BIN=$W sh $DEMO | cat; echo DEMO-EXIT=\${PIPESTATUS[0]}'; sleep 60"
until_screen text '^\[second\] \$ 04-open' ||
    not_ok "the text demo reaches 04-open" "$(tm capture-pane -p -t text)"
demo_sh=$(pgrep -f "^sh $DEMO\$")
slow=$(pgrep -g "$(pgrep -f "^/bin/sh $W/04-open")")
tm send-keys -t text C-c
until_screen text "DEMO-EXIT=" || true
screen=$(tm capture-pane -p -t text)
expect_match "Ctrl-C in the text demo: the tour says what it did" "stopped by SIGINT" "$screen"
expect_match "Ctrl-C in the text demo: it exits 130" "^DEMO-EXIT=130" "$screen"
[ -n "$slow" ] && gone $slow && ok "Ctrl-C in the text demo: the slow 04-open is stopped too" ||
    not_ok "Ctrl-C in the text demo: the slow 04-open is stopped too" "${slow:-not found}"
if want_pids "Ctrl-C in the text demo: /dev/shm is as it was" -n 1 $demo_sh; then
    left=$(ls /dev/shm | grep "^mmaplab-tour-.*-$demo_sh\$")
    expect_eq "Ctrl-C in the text demo: /dev/shm is as it was" "" "$left"
fi
expect_eq "Ctrl-C in the text demo: its directory is gone" "" "$(ls -A "$TMPDIR")"

done_testing
